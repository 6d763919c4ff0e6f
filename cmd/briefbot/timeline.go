package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/rag"
)

func runTimeline(ctx context.Context, cfg Config, args []string, std stdio) error {
	fs := newFlags("timeline", &cfg, std)
	asJSON := fs.Bool("json", false, "print the entries as JSON lines")
	date := fs.String("date", "", "the day the question is asked (YYYY-MM-DD; default today)")
	guild := guildFlag(fs, corpus.GlobalScope, "also use the articles of the Discord server with this `ID`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	topic := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if topic == "" {
		return usageError{`timeline: give a topic, e.g. briefbot timeline "Chinese hackers"`}
	}
	asked, err := parseDay(*date)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, std)
	if err != nil {
		return err
	}
	defer a.Close()
	cites, err := a.engine.Timeline(ctx, rag.Question{Text: topic, Asked: asked, Scopes: []string{corpus.GlobalScope, *guild}})
	if err != nil {
		return err
	}
	if len(cites) == 0 {
		w := std.out
		if *asJSON {
			w = std.err // JSON Lines of no entries is no line; the note is for the person
		}
		fmt.Fprintln(w, "The briefings have no dated quotes about this.")
		return nil
	}
	enc := json.NewEncoder(std.out)
	for _, c := range cites {
		if *asJSON {
			j := toJSON(nil, rag.Answer{Citations: []rag.Citation{c}}).Citations[0]
			if err := enc.Encode(j); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(std.out, "%s  “%s”  — %s\n", day(c), termLine(c.Quote, 1000), sourceLine(c))
	}
	return nil
}

// sourceLine names a citation's article: title, source and URL.
func sourceLine(c rag.Citation) string {
	parts := []string{termLine(c.Title, maxTitle)}
	if c.Source != "" {
		parts = append(parts, termLine(c.Source, 80))
	}
	if c.URL != "" {
		parts = append(parts, termLine(c.URL, 500))
	}
	return strings.Join(parts, ", ")
}
