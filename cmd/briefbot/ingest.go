package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/rag"
)

// defaultMaxSize is the cap on a local file or standard input, the same as
// on a fetched URL: a 50 MB text makes tens of thousands of passages that
// every later start must load.
const defaultMaxSize = "10MiB"

func runIngest(ctx context.Context, cfg Config, args []string, std stdio) error {
	fs := newFlags("ingest", &cfg, std)
	replace := fs.Bool("replace", false, "replace an article with the same ID and other content (a newer version of it)")
	guild := guildFlag(fs, corpus.GlobalScope, "Discord server `ID` the articles belong to (default: global)")
	format := fs.String("format", "", "read standard input and every file named on the command line as `FORMAT`: "+
		corpus.FormatNames()+" (default: by extension, and txt for standard input; files found in folders go by extension)")
	maxSize := fs.String("max-size", defaultMaxSize, "largest file or standard input read, a `SIZE` such as 50MiB (each document's text is also capped, at "+
		mib(corpus.MaxTextBytes)+")")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"ingest: name at least one file, directory, http(s) URL or - (stdin); run briefbot ingest --help"}
	}
	in := ingester{std: std, opts: corpus.AddOptions{Replace: *replace}, scope: *guild, fetcher: newFetcher(cfg)}
	if *format != "" {
		f, ok := corpus.FormatNamed(*format)
		if !ok {
			return usageError{fmt.Sprintf("ingest: --format %q: use one of %s", *format, corpus.FormatNames())}
		}
		in.format = &f
	}
	limit, err := humanize.ParseBytes(*maxSize)
	if err != nil || limit == 0 {
		return usageError{fmt.Sprintf("ingest: --max-size %q: want a size such as 10MiB or 200MB", *maxSize)}
	}
	in.maxBytes = int64(limit)
	a, err := openApp(ctx, cfg, std)
	if err != nil {
		return err
	}
	defer a.Close()
	if a.store.ReadOnly() { // say so once, not once per article
		return fmt.Errorf("%w: %s may not be written", corpus.ErrReadOnly, storeName(cfg))
	}
	in.app = a
	in.progress = newProgress(std.err)
	err = in.all(ctx, fs.Args())
	in.progress.done()
	fmt.Fprintln(std.out, in.summary())
	switch {
	case ctx.Err() != nil:
		return interruptedError{done: in.added + in.replaced}
	case err != nil: // an unreadable directory or a full disk
		return err
	case in.failed > 0:
		return fmt.Errorf("%d of the sources could not be added (see above): %w", in.failed, errSilent)
	}
	return nil
}

// interruptedError is an ingest stopped by SIGINT or SIGTERM.
type interruptedError struct{ done int }

func (e interruptedError) Error() string {
	return fmt.Sprintf("interrupted after %s; run the same command again to add the rest "+
		"(what was added is kept, and skipped next time)", plural(e.done, "article"))
}

func (e interruptedError) Is(target error) bool { return target == errInterrupted }

// ingester adds sources one by one and keeps the per-file report.
type ingester struct {
	*app
	std      stdio
	fetcher  *corpus.Fetcher
	opts     corpus.AddOptions
	scope    string
	format   *corpus.Format // --format, nil when by extension
	maxBytes int64
	progress *progress
	// fileIDs are the IDs given, by relative path, to files of the folder
	// being read whose path-derived ID another file there has too.
	fileIDs map[string]string

	added, replaced, skipped, failed int
}

func (in *ingester) summary() string {
	s := fmt.Sprintf("%d added, ", in.added)
	if in.replaced > 0 {
		s += fmt.Sprintf("%d replaced, ", in.replaced)
	}
	return s + fmt.Sprintf("%d skipped, %d failed", in.skipped, in.failed)
}

func (in *ingester) all(ctx context.Context, paths []string) error {
	for _, p := range paths {
		if ctx.Err() != nil {
			return nil
		}
		if err := in.path(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// path ingests one command-line argument: -, a link, a file or a folder.
func (in *ingester) path(ctx context.Context, p string) error {
	if p == "-" {
		data, err := io.ReadAll(io.LimitReader(in.std.in, in.maxBytes+1))
		if err != nil {
			return fmt.Errorf("read standard input: %w", err)
		}
		if int64(len(data)) > in.maxBytes {
			in.fail("-", fmt.Errorf("standard input is over the %s limit; pass --max-size to read more", mib(in.maxBytes)))
			return nil
		}
		f := in.format
		if f == nil {
			txt, _ := corpus.FormatNamed("txt")
			f = &txt
		}
		return in.parsed(ctx, "-", "", f, "-", data)
	}
	if isURL(p) {
		in.url(ctx, p)
		return nil
	}
	st, err := os.Stat(p)
	switch {
	case err != nil && otherScheme(p):
		in.fail(p, errors.New("only http:// and https:// links are fetched; for a local file give its path"))
		return nil
	case err != nil:
		in.fail(p, err)
		return nil
	case st.IsDir():
		return in.dir(ctx, p)
	}
	f := in.format
	if f == nil {
		byExt, ok := corpus.FormatOf(p)
		if !ok {
			in.fail(p, &corpus.UnsupportedError{Name: filepath.Base(p), Ext: strings.ToLower(filepath.Ext(p))})
			return nil
		}
		f = &byExt
	}
	return in.file(ctx, p, filepath.Base(p), f)
}

// file reads one local file, within the size cap, and ingests it; name is
// what its articles' IDs come from.
func (in *ingester) file(ctx context.Context, p, name string, f *corpus.Format) error {
	st, err := os.Stat(p)
	if err != nil {
		in.fail(p, err)
		return nil
	}
	if st.Size() > in.maxBytes {
		in.fail(p, fmt.Errorf("the file is %s, over the %s limit; pass --max-size %dMiB to read it",
			mib(st.Size()), mib(in.maxBytes), st.Size()>>20+1))
		return nil
	}
	data, err := readCapped(p, in.maxBytes)
	if err != nil {
		in.fail(p, err)
		return nil
	}
	origin, err := filepath.Abs(p)
	if err != nil {
		origin = p
	}
	return in.parsed(ctx, p, origin, f, name, data)
}

// readCapped reads the file at p, at most max bytes. The size checked
// before is that of a regular file; a named pipe or a device (--format txt
// /dev/zero) reports 0 and is held to the cap here as it is read.
func readCapped(p string, max int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("the file is over the %s limit; pass --max-size to read more", mib(max))
	}
	return data, nil
}

// mib shows a size in MiB with one decimal ("10.5 MiB", "10 MiB").
func mib(n int64) string {
	return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/(1<<20)), ".0") + " MiB"
}

// isURL tells a web address from a path: it starts with http:// or
// https://, which no sensible file name does.
func isURL(p string) bool {
	l := strings.ToLower(p)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// schemeRE matches the start of a link of another kind: file://, ftp://,
// javascript:, data:, mailto: (a Windows drive letter, "C:", is one letter).
var schemeRE = regexp.MustCompile(`^(?i:[a-z][a-z0-9+.-]+:(//)?)`)

// otherScheme reports whether p, which is not an existing file, looks like
// a link that briefbot does not fetch.
func otherScheme(p string) bool {
	m := schemeRE.FindStringSubmatch(p)
	if m == nil {
		return false
	}
	switch strings.ToLower(strings.TrimRight(m[0], ":/")) {
	case "javascript", "data", "mailto", "vbscript", "about", "blob":
		return true
	}
	return m[1] != ""
}

// url fetches one page (HTML, text, Markdown or PDF) and adds its article.
func (in *ingester) url(ctx context.Context, link string) {
	art, err := in.fetcher.Fetch(ctx, link)
	if err != nil {
		in.fail(link, err)
		return
	}
	in.prepare(&art, link, art.URL)
	in.report(link, in.engine.AddMany(ctx, []corpus.Article{art}, in.opts)[0])
}

// parsed parses a whole file before adding anything, so a malformed file
// leaves the store as it was; then each article is added in its own
// transaction. Only a full disk stops the whole ingest (returned error);
// an interruption stops it quietly (the caller reports it).
func (in *ingester) parsed(ctx context.Context, label, origin string, f *corpus.Format, name string, data []byte) error {
	var arts []corpus.Article
	collect := func(a corpus.Article) error {
		arts = append(arts, a)
		return nil
	}
	var err error
	if f.Name == "pdf" { // read in the fetcher's child process, like a fetched or uploaded PDF
		err = in.fetcher.ParseFile(pdfName(name), data, collect)
	} else {
		err = f.Parse(name, data, collect)
	}
	if err != nil {
		in.fail(label, err)
		return nil
	}
	if id, ok := in.fileIDs[name]; ok {
		for i := range arts {
			if arts[i].ID == corpus.FileID(name) { // not an ID the document gave itself
				arts[i].ID = id
			}
		}
	}
	if err := in.clash(ctx, origin, arts); err != nil {
		in.fail(label, err)
		return nil
	}
	for start := 0; start < len(arts); start += ingestBatch {
		if ctx.Err() != nil {
			return nil
		}
		batch := arts[start:min(start+ingestBatch, len(arts))]
		for i := range batch {
			in.prepare(&batch[i], label, origin)
		}
		var full error
		for _, r := range in.engine.AddMany(ctx, batch, in.opts) {
			switch {
			case ctx.Err() != nil && r.Err != nil:
				// not added: interrupted, reported once by the caller
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
	}
	return nil
}

// clash refuses a file of several articles (JSON Lines, a feed export)
// whole when one of them would be refused for an ID another stored article
// holds: adding the others would leave the file half added, which the
// README promises never happens ("a file is parsed whole before any of it
// is added"). Content already stored is no clash: it is skipped as a
// duplicate, as it would be alone. The add checks again inside its
// transaction; this is the early look that keeps the file all or nothing.
func (in *ingester) clash(ctx context.Context, origin string, arts []corpus.Article) error {
	if len(arts) < 2 {
		return nil // one article: its own outcome is the file's
	}
	scopes := []string{corpus.GlobalScope}
	if in.scope != corpus.GlobalScope {
		scopes = append(scopes, in.scope)
	}
	for i, a := range arts {
		if a.ID == "" {
			continue // an ID made from the title and content hash
		}
		hash := a.Hash
		if hash == "" {
			hash = corpus.ContentHash(a.Title, a.Body)
		}
		_, dup, err := in.store.FindContent(ctx, in.scope, hash)
		if err != nil {
			return err
		}
		if dup {
			continue
		}
		stored, err := in.store.Get(ctx, scopes, a.ID)
		switch {
		case errors.Is(err, corpus.ErrNotFound):
			continue
		case err != nil:
			return err
		case in.opts.Replace && stored.Scope == in.scope:
			continue
		}
		c := &corpus.ConflictError{ID: a.ID, Stored: stored,
			SameOrigin: stored.Origin != "" && stored.Origin == origin && stored.Scope == in.scope}
		return fmt.Errorf("article %d of %d: %s", i+1, len(arts), conflictText(c))
	}
	return nil
}

// pdfName gives name the .pdf extension the fetcher's ParseFile goes by
// (--format pdf on stdin or on a file named otherwise); the ID it makes
// is the same.
func pdfName(name string) string {
	if f, ok := corpus.FormatOf(name); ok && f.Name == "pdf" {
		return name
	}
	return strings.TrimSuffix(name, filepath.Ext(name)) + ".pdf"
}

// ingestBatch is how many articles share one embedding call: with an API
// embedder, few large requests instead of one per article.
const ingestBatch = 256

func (in *ingester) prepare(art *corpus.Article, label, origin string) {
	art.Scope = in.scope
	if art.Source == "" && label != "-" {
		art.Source = filepath.Base(label)
	}
	art.Origin = origin
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
		in.line("skipped %s: %s: %s", label, r.Article.ID, describe(r.Err))
	case r.Err != nil:
		in.fail(label, r.Err)
	default:
		verb := "added  "
		if r.Replaced {
			verb = "replaced"
			in.replaced++
		} else {
			in.added++
		}
		in.progress.add(1, r.Passages)
		in.line("%s %s: %s %q (%s, %s)", verb, label, r.Article.ID, clip(r.Article.Title, maxTitle), dateOf(r.Article), plural(r.Passages, "passage"))
	}
}

func (in *ingester) fail(label string, err error) {
	in.failed++
	in.line("failed  %s: %s", label, termText(describe(err)))
}

// line prints one report line, clearing the progress bar first.
func (in *ingester) line(format string, a ...any) {
	in.progress.clear()
	fmt.Fprintf(in.std.out, format+"\n", a...)
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
