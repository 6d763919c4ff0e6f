package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/rag"
)

const feedUsage = "feed: use feed add [--guild ID] URL, feed list [--json], feed remove ID... or feed poll"

// runFeed dispatches `briefbot feed add|list|remove|poll`.
func runFeed(ctx context.Context, cfg Config, args []string, std stdio) error {
	if len(args) == 0 {
		return usageError{feedUsage}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(std.out, "Usage:\n  briefbot feed add [--guild ID] URL | feed list [--json] | feed remove ID... | feed poll\n\n"+
			"\"briefbot feed SUBCOMMAND --help\" shows its flags.")
		return flag.ErrHelp
	}
	subs := map[string]func(context.Context, Config, []string, stdio) error{
		"add": runFeedAdd, "list": runFeedList, "remove": runFeedRemove, "poll": runFeedPoll,
	}
	sub, ok := subs[args[0]]
	if !ok {
		return usageError{fmt.Sprintf("feed %s: unknown; %s", args[0], strings.TrimPrefix(feedUsage, "feed: "))}
	}
	return sub(ctx, cfg, args[1:], std)
}

func runFeedAdd(ctx context.Context, cfg Config, args []string, std stdio) error {
	fs := newFlags("feed add", &cfg, std)
	guild := guildFlag(fs, corpus.GlobalScope, "Discord server `ID` the feed's articles belong to (default: global)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"feed add: give one feed URL, e.g. briefbot feed add https://example.com/rss.xml"}
	}
	store, closeStore, err := openStore(ctx, cfg, std)
	if err != nil {
		return err
	}
	defer closeStore()
	f, err := store.AddFeed(ctx, corpus.Feed{URL: fs.Arg(0), Scope: *guild})
	if err != nil {
		return err
	}
	fmt.Fprintf(std.out, "added feed %d: %s (%s); briefbot feed poll fetches it now, serve every %s\n",
		f.ID, f.URL, scopeName(f.Scope), cfg.FeedInterval)
	return nil
}

type jsonFeed struct {
	ID         int64  `json:"id"`
	URL        string `json:"url"`
	Scope      string `json:"scope"`
	Title      string `json:"title"`
	LastPolled string `json:"last_polled"` // RFC 3339, "" before the first poll
	ItemsAdded int    `json:"items_added"` // by the last poll
	LastError  string `json:"last_error"`
	// Items that failed: waiting to be tried again (after 1 h, 6 h, 24 h),
	// and given up after four failures.
	ItemsWaiting int `json:"items_waiting"`
	ItemsGivenUp int `json:"items_given_up"`
}

func runFeedList(ctx context.Context, cfg Config, args []string, std stdio) error {
	fs := newFlags("feed list", &cfg, std)
	asJSON := fs.Bool("json", false, "print a JSON array")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	store, closeStore, err := openStore(ctx, cfg, std)
	if err != nil {
		return err
	}
	defer closeStore()
	feeds, err := store.Feeds(ctx, nil)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]jsonFeed, 0, len(feeds))
		for _, f := range feeds {
			j := jsonFeed{ID: f.ID, URL: f.URL, Scope: scopeName(f.Scope), Title: f.Title, ItemsAdded: f.ItemsAdded, LastError: f.LastError,
				ItemsWaiting: f.ItemsWaiting, ItemsGivenUp: f.ItemsGivenUp}
			if !f.LastPolled.IsZero() {
				j.LastPolled = f.LastPolled.UTC().Format(time.RFC3339)
			}
			out = append(out, j)
		}
		enc := json.NewEncoder(std.out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(std.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSCOPE\tLAST POLL\tADDED\tFAILED ITEMS\tURL\tTITLE\tLAST ERROR")
	for _, f := range feeds {
		polled, lastErr := "never", f.LastError
		if !f.LastPolled.IsZero() {
			polled = f.LastPolled.UTC().Format("2006-01-02 15:04 UTC")
		}
		if lastErr == "" {
			lastErr = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", f.ID, scopeName(f.Scope), polled, f.ItemsAdded, failedItems(f), termLine(f.URL, 200), termLine(f.Title, maxTitle), termLine(lastErr, 300))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(std.out, plural(len(feeds), "feed"))
	return nil
}

// failedItems says how many of a feed's items failed: "2 waiting, 1 given
// up", or "-".
func failedItems(f corpus.Feed) string {
	var parts []string
	if f.ItemsWaiting > 0 {
		parts = append(parts, fmt.Sprintf("%d waiting", f.ItemsWaiting))
	}
	if f.ItemsGivenUp > 0 {
		parts = append(parts, fmt.Sprintf("%d given up", f.ItemsGivenUp))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func runFeedRemove(ctx context.Context, cfg Config, args []string, std stdio) error {
	fs := newFlags("feed remove", &cfg, std)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"feed remove: name at least one feed ID (see briefbot feed list)"}
	}
	var ids []int64
	for _, s := range fs.Args() {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return usageError{fmt.Sprintf("feed remove: %q is not a feed ID; IDs are the numbers briefbot feed list shows", s)}
		}
		ids = append(ids, id)
	}
	store, closeStore, err := openStore(ctx, cfg, std)
	if err != nil {
		return err
	}
	defer closeStore()
	failed := 0
	for _, id := range ids {
		err := store.RemoveFeed(ctx, nil, id)
		if errors.Is(err, corpus.ErrNotFound) {
			failed++
			fmt.Fprintf(std.out, "not found %d: %v\n", id, err)
			continue
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(std.out, "removed feed %d; the articles it added stay (briefbot remove deletes them)\n", id)
	}
	if failed > 0 {
		return fmt.Errorf("%d of the feed IDs were not found: %w", failed, errSilent)
	}
	return nil
}

// runFeedPoll polls every feed once, now, and reports each.
func runFeedPoll(ctx context.Context, cfg Config, args []string, std stdio) error {
	fs := newFlags("feed poll", &cfg, std)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, std)
	if err != nil {
		return err
	}
	defer a.Close()
	results, err := pollFeeds(ctx, newFetcher(cfg), cfg.FeedWorkers, feedItems{engine: a.engine, store: a.store}, a.store)
	if err != nil {
		return err
	}
	failed, added := 0, 0
	for _, r := range results {
		added += r.Added
		if r.Err != nil {
			failed++
			fmt.Fprintf(std.out, "feed %d: %d added; error: %s\n", r.Feed.ID, r.Added, termText(r.Err.Error()))
			continue
		}
		fmt.Fprintf(std.out, "feed %d: %d added (%s)\n", r.Feed.ID, r.Added, r.Feed.URL)
	}
	fmt.Fprintf(std.out, "%s polled, %s added, %d failed\n", plural(len(results), "feed"), plural(added, "article"), failed)
	if failed > 0 {
		return fmt.Errorf("%d of the feeds could not be polled (see above): %w", failed, errSilent)
	}
	return nil
}

// newFetcher is the one URL fetcher of a command: every URL it reaches
// goes through the address guard unless BRIEFBOT_ALLOW_PRIVATE_URLS=1, and
// every PDF is read in a child process (a re-exec of this binary) that a
// decompression bomb can kill without taking the command down.
func newFetcher(cfg Config) *corpus.Fetcher {
	fc := corpus.FetchConfig{AllowPrivate: cfg.AllowPrivateURLs, MaxItemsPerPoll: cfg.MaxItemsPerPoll}
	if exe, err := os.Executable(); err == nil {
		fc.ReadPDF = corpus.NewSandbox(exe).ExtractPDF
	}
	return corpus.NewFetcher(fc)
}

// pollFeeds polls every feed once through the fetcher's pool
// (BRIEFBOT_FEED_WORKERS feeds at once, one request at a time per host,
// each item within its deadline). Only a failure to list the feeds, or
// ctx ending, stops it early.
func pollFeeds(ctx context.Context, f *corpus.Fetcher, workers int, items corpus.FeedStore, store store) ([]corpus.PollResult, error) {
	feeds, err := store.Feeds(ctx, nil)
	if err != nil {
		return nil, err
	}
	return f.PollFeeds(ctx, feeds, items, workers), ctx.Err()
}

// startPolling runs pollEvery in the background for serve and returns the
// function that stops it and waits for it, so that the store it writes to
// is closed only after.
func startPolling(ctx context.Context, cfg Config, f *corpus.Fetcher, a *app) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var items corpus.FeedStore = feedItems{engine: a.engine, store: a.store}
		if a.metrics != nil {
			items = countedPolls{FeedStore: items, m: a.metrics}
		}
		feeds := pollingStore(a) // behind the feed lease when several processes share the store
		poll := func(ctx context.Context) ([]corpus.PollResult, error) {
			return pollFeeds(ctx, f, cfg.FeedWorkers, items, feeds)
		}
		pollEvery(ctx, cfg.FeedInterval, poll, a.logger.With("component", "feeds"))
	}()
	return func() { cancel(); <-done }
}

// pollEvery polls every feed shortly after start and then once per
// interval until ctx ends, logging what each poll did. serve runs it.
func pollEvery(ctx context.Context, interval time.Duration, poll func(context.Context) ([]corpus.PollResult, error), log *slog.Logger) {
	first := min(interval, 10*time.Second) // let the bot connect first
	timer := time.NewTimer(first)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		results, err := poll(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("poll feeds", "err", err)
		}
		for _, r := range results {
			if r.Err != nil {
				log.Warn("feed poll failed", "feed", r.Feed.ID, "url", r.Feed.URL, "added", r.Added, "err", r.Err,
					"detail", corpus.LogDetail(r.Err))
			} else {
				log.Info("feed polled", "feed", r.Feed.ID, "url", r.Feed.URL, "added", r.Added)
			}
		}
		timer.Reset(interval)
	}
}

// feedItems is the corpus.FeedStore a poll writes to: articles go through
// the engine, so they are embedded, indexed and answerable at once, and
// the item is then remembered in the store.
type feedItems struct {
	engine *rag.Engine
	store  store
}

func (fi feedItems) SeenItem(ctx context.Context, feedID int64, itemURL string) (bool, error) {
	return fi.store.SeenItem(ctx, feedID, itemURL)
}

func (fi feedItems) MarkItemSeen(ctx context.Context, feedID int64, itemURL string) error {
	return fi.store.MarkItemSeen(ctx, feedID, itemURL)
}

func (fi feedItems) ItemFailure(ctx context.Context, feedID int64, itemURL string) (corpus.ItemFailure, error) {
	return fi.store.ItemFailure(ctx, feedID, itemURL)
}

func (fi feedItems) RecordItemFailure(ctx context.Context, feedID int64, itemURL string, f corpus.ItemFailure) error {
	return fi.store.RecordItemFailure(ctx, feedID, itemURL, f)
}

func (fi feedItems) UpdateFeed(ctx context.Context, f corpus.Feed) error {
	return fi.store.UpdateFeed(ctx, f)
}

// AddFeedItem adds a (its Scope is the feed's) as added by "feed:<id>". An
// article whose ID is taken by other content (the page changed since it
// was added) is reported as a duplicate, so the item is marked seen and
// not retried on every poll: feeds add stories, they do not rewrite them.
func (fi feedItems) AddFeedItem(ctx context.Context, feedID int64, itemURL string, a corpus.Article) error {
	a.AddedBy = "feed:" + strconv.FormatInt(feedID, 10)
	a.AddedAt = time.Now().UTC()
	_, _, err := fi.engine.Add(ctx, a, corpus.AddOptions{})
	if errors.Is(err, corpus.ErrConflict) {
		return fmt.Errorf("%s: article %q is already stored with other text: %w", itemURL, a.ID, corpus.ErrDuplicate)
	}
	if err != nil {
		return err
	}
	return fi.store.MarkItemSeen(ctx, feedID, itemURL)
}
