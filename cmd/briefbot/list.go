package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/briefbot/briefbot/corpus"
)

type jsonListed struct {
	ID          string `json:"id"`
	Scope       string `json:"scope"`
	Title       string `json:"title"`
	Source      string `json:"source"`
	URL         string `json:"url"`
	Published   string `json:"published"`
	DateGuessed bool   `json:"date_guessed"`
	AddedAt     string `json:"added_at"`
	AddedBy     string `json:"added_by"`
	Passages    int    `json:"passages"`
}

func runList(ctx context.Context, cfg Config, args []string, std stdio) error {
	fs := newFlags("list", &cfg, std)
	asJSON := fs.Bool("json", false, "print a JSON array")
	guild := guildFlag(fs, corpus.GlobalScope, "also show the articles of the Discord server with this `ID`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	store, closeStore, err := openStore(ctx, cfg, std)
	if err != nil {
		return err
	}
	defer closeStore()
	arts, err := store.List(ctx, []string{corpus.GlobalScope, *guild})
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]jsonListed, 0, len(arts))
		for _, l := range arts {
			out = append(out, jsonListed{ID: l.ID, Scope: scopeName(l.Scope), Title: l.Title, Source: l.Source,
				URL: l.URL, Published: dateOrEmpty(l.Article), DateGuessed: l.DateGuessed,
				AddedAt: l.AddedAt.Format("2006-01-02T15:04:05Z07:00"), AddedBy: l.AddedBy, Passages: l.Passages})
		}
		enc := json.NewEncoder(std.out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(std.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDATE\tPASSAGES\tSCOPE\tTITLE")
	for _, l := range arts {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", termLine(l.ID, 80), dateOf(l.Article), l.Passages, termLine(scopeName(l.Scope), 40), termLine(l.Title, maxTitle))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(std.out, "%s in %s\n", plural(len(arts), "article"), storeName(cfg))
	return nil
}

// storeName says which store a command opened, so that a user who runs
// briefbot with another --data (or none) sees why their articles are not
// there: the data directory, or the PostgreSQL database (without the
// password).
func storeName(cfg Config) string {
	if cfg.DatabaseURL != "" {
		if u, err := url.Parse(cfg.DatabaseURL); err == nil {
			return fmt.Sprintf("PostgreSQL database %s on %s", strings.TrimPrefix(u.Path, "/"), u.Host+u.Query().Get("host"))
		}
		return "the PostgreSQL database"
	}
	if abs, err := filepath.Abs(cfg.DataDir); err == nil {
		return abs
	}
	return cfg.DataDir
}

// scopeName shows the global scope as "global", a guild by its ID.
func scopeName(s string) string {
	if s == corpus.GlobalScope {
		return "global"
	}
	return s
}

func dateOrEmpty(a corpus.Article) string {
	if a.Published.IsZero() {
		return ""
	}
	return a.Published.Format("2006-01-02")
}
