package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/rag"
)

func runIngest(ctx context.Context, cfg Config, args []string, std stdio) error {
	fs := newFlags("ingest", &cfg, std)
	replace := fs.Bool("replace", false, "replace an article with the same ID and other content")
	guild := fs.String("guild", corpus.GlobalScope, "Discord server ID the articles belong to (default: global)")
	format := fs.String("format", "txt", "format of standard input (-): txt, md or jsonl")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"ingest: name at least one file, directory, http(s) URL or - (stdin); run briefbot --help"}
	}
	a, err := openApp(ctx, cfg, std)
	if err != nil {
		return err
	}
	defer a.Close()
	in := ingester{app: a, std: std, opts: corpus.AddOptions{Replace: *replace}, scope: *guild, stdinFormat: *format,
		fetcher: newFetcher(cfg)}
	for _, p := range fs.Args() {
		if err := in.path(ctx, p); err != nil {
			// a cancelled context, an unreadable directory or a full disk
			fmt.Fprintf(std.out, "%d added, %d skipped, %d failed\n", in.added, in.skipped, in.failed)
			return err
		}
	}
	fmt.Fprintf(std.out, "%d added, %d skipped, %d failed\n", in.added, in.skipped, in.failed)
	if in.failed > 0 {
		return fmt.Errorf("%d of the sources could not be added (see above): %w", in.failed, errSilent)
	}
	return nil
}

// ingester adds sources one by one and keeps the per-file report.
type ingester struct {
	*app
	std                    stdio
	fetcher                *corpus.Fetcher
	opts                   corpus.AddOptions
	scope, stdinFormat     string
	added, skipped, failed int
}

func (in *ingester) path(ctx context.Context, p string) error {
	if p == "-" {
		data, err := io.ReadAll(in.std.in)
		if err != nil {
			return fmt.Errorf("read standard input: %w", err)
		}
		return in.file(ctx, "-."+strings.TrimPrefix(in.stdinFormat, "."), "-", data)
	}
	if isURL(p) {
		in.url(ctx, p)
		return nil
	}
	st, err := os.Stat(p)
	if err != nil {
		in.fail(p, fmt.Errorf("%w; check the path", errors.Unwrap(err)))
		return nil
	}
	if !st.IsDir() {
		data, err := os.ReadFile(p)
		if err != nil {
			in.fail(p, err)
			return nil
		}
		return in.file(ctx, p, p, data)
	}
	return in.dir(ctx, p)
}

// dir ingests every supported file below root, in name order; hidden files
// and folders are passed over.
func (in *ingester) dir(ctx context.Context, root string) error {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != root {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() && supported(p) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read directory %s: %w", root, err)
	}
	sort.Strings(files)
	for _, p := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := in.path(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// isURL tells a web address from a path: it starts with http:// or
// https://, which no sensible file name does.
func isURL(p string) bool {
	l := strings.ToLower(p)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// url fetches one page (HTML, text, Markdown or PDF) and adds its article.
// The fetcher's errors say why (refused address, HTTP status, size,
// content type), so they are shown without the repeated "fetch URL:".
func (in *ingester) url(ctx context.Context, link string) {
	art, err := in.fetcher.Fetch(ctx, link)
	if err != nil {
		if inner := errors.Unwrap(err); inner != nil {
			err = inner
		}
		in.fail(link, err)
		return
	}
	in.prepare(&art, link)
	in.report(link, in.engine.AddMany(ctx, []corpus.Article{art}, in.opts)[0])
}

func supported(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".txt", ".text", ".md", ".markdown", ".html", ".htm", ".jsonl", ".ndjson":
		return true
	}
	return false
}

// file parses a whole file before adding anything, so a malformed file
// leaves the store as it was; then each article is added in its own
// transaction. Only a full disk stops the whole ingest (returned error).
func (in *ingester) file(ctx context.Context, name, label string, data []byte) error {
	var arts []corpus.Article
	err := corpus.ParseFile(name, data, func(a corpus.Article) error {
		arts = append(arts, a)
		return nil
	})
	if err != nil {
		in.fail(label, err)
		return nil
	}
	progress := progressPrinter(in.std.err, "ingesting "+label)
	if len(arts) < 20 {
		progress = nil
	}
	for start := 0; start < len(arts); start += ingestBatch {
		batch := arts[start:min(start+ingestBatch, len(arts))]
		for i := range batch {
			in.prepare(&batch[i], label)
		}
		var full error
		for _, r := range in.engine.AddMany(ctx, batch, in.opts) {
			switch {
			case errors.Is(r.Err, corpus.ErrDiskFull) && full != nil:
				in.failed++ // reported once, below
			case errors.Is(r.Err, corpus.ErrDiskFull):
				full = r.Err
				in.fail(label, r.Err)
			default:
				in.report(label, r)
			}
		}
		if full != nil { // later batches would fail the same way
			in.failed += len(arts) - start - len(batch)
			return fmt.Errorf("stopped at %s: %w", label, full)
		}
		if progress != nil {
			progress(min(start+ingestBatch, len(arts)), len(arts))
		}
	}
	return nil
}

// ingestBatch is how many articles share one embedding call: with an API
// embedder, few large requests instead of one per article.
const ingestBatch = 256

func (in *ingester) prepare(art *corpus.Article, label string) {
	art.Scope = in.scope
	if art.Source == "" && label != "-" {
		art.Source = filepath.Base(label)
	}
	art.AddedBy = "cli"
	if user := os.Getenv("USER"); user != "" {
		art.AddedBy = "cli:" + user
	}
	art.AddedAt = time.Now().UTC()
}

func (in *ingester) report(label string, r rag.Added) {
	switch {
	case errors.Is(r.Err, corpus.ErrDuplicate):
		in.skipped++
		fmt.Fprintf(in.std.out, "skipped %s: %s: %v\n", label, r.Article.ID, r.Err)
	case r.Err != nil:
		in.fail(label, r.Err)
	default:
		in.added++
		fmt.Fprintf(in.std.out, "added   %s: %s %q (%s, %s)\n", label, r.Article.ID, r.Article.Title, dateOf(r.Article), plural(r.Passages, "passage"))
	}
}

func (in *ingester) fail(label string, err error) {
	in.failed++
	fmt.Fprintf(in.std.out, "failed  %s: %v\n", label, err)
}

// dateOf shows an article's date; a date taken from the day it was added
// is marked as such.
func dateOf(a corpus.Article) string {
	switch {
	case a.Published.IsZero():
		return "undated"
	case a.DateGuessed:
		return a.Published.Format("2006-01-02") + " (date added)"
	}
	return a.Published.Format("2006-01-02")
}
