package corpus

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// memFeedStore is an in-memory FeedStore: the articles it holds, the items
// it has seen per feed, and the feeds' saved poll state.
type memFeedStore struct {
	mu       sync.Mutex
	articles []Article
	seen     map[string]bool // feedID + " " + itemURL
	failures map[string]ItemFailure
	feeds    map[int64]Feed
}

func newMemFeedStore() *memFeedStore {
	return &memFeedStore{seen: map[string]bool{}, failures: map[string]ItemFailure{}, feeds: map[int64]Feed{}}
}

func (m *memFeedStore) ItemFailure(_ context.Context, feedID int64, itemURL string) (ItemFailure, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.failures[seenKey(feedID, itemURL)], nil
}

func (m *memFeedStore) RecordItemFailure(_ context.Context, feedID int64, itemURL string, f ItemFailure) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failures[seenKey(feedID, itemURL)] = f
	return nil
}

func seenKey(feedID int64, itemURL string) string { return fmt.Sprint(feedID, " ", itemURL) }

func (m *memFeedStore) SeenItem(_ context.Context, feedID int64, itemURL string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seen[seenKey(feedID, itemURL)], nil
}

func (m *memFeedStore) AddFeedItem(_ context.Context, feedID int64, itemURL string, a Article) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, b := range m.articles {
		if b.Hash == a.Hash {
			return fmt.Errorf("add %s: %w", a.URL, ErrDuplicate)
		}
	}
	m.articles = append(m.articles, a)
	m.seen[seenKey(feedID, itemURL)] = true
	delete(m.failures, seenKey(feedID, itemURL))
	return nil
}

func (m *memFeedStore) MarkItemSeen(_ context.Context, feedID int64, itemURL string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seen[seenKey(feedID, itemURL)] = true
	delete(m.failures, seenKey(feedID, itemURL))
	return nil
}

func (m *memFeedStore) UpdateFeed(_ context.Context, f Feed) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.feeds[f.ID] = f
	return nil
}

func (m *memFeedStore) article(url string) (Article, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range m.articles {
		if a.URL == url {
			return a, true
		}
	}
	return Article{}, false
}

func (m *memFeedStore) feed(id int64) Feed {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.feeds[id]
}

func TestPollRSSThenConditionalGet(t *testing.T) {
	site := newTestSite(t)
	st := newMemFeedStore()
	f := testFetcher(FetchConfig{})
	ctx := context.Background()

	added, err := f.PollFeed(ctx, Feed{ID: 7, URL: site.URL + "/rss.xml", Scope: "guild-42"}, st)
	if err != nil {
		t.Fatalf("first poll: %v", err)
	}
	if added != 3 {
		t.Errorf("first poll added %d, want 3", added)
	}

	// Item 1: the page itself, with its own title, date and canonical URL.
	page, ok := st.article(site.URL + "/news/2025/harbour-barrier")
	if !ok {
		t.Fatalf("the news page was not stored under its canonical URL; stored: %v", st.articles)
	}
	if page.Scope != "guild-42" || page.Source != "Northcoast Ledger" || !strings.Contains(page.Body, "Cost and funding") {
		t.Errorf("news item = scope %q, source %q, body %q...; want guild-42, Northcoast Ledger, the page's story",
			page.Scope, page.Source, page.Body[:min(60, len(page.Body))])
	}

	// Item 2: the page is gone (404), so the feed's own text is kept with
	// the item's title, date and link.
	fb, ok := st.article(site.URL + "/gone/lighthouse")
	if !ok {
		t.Fatal("the item whose page is 404 was not stored from the feed's description")
	}
	wantFB := Article{
		ID: "127-0-0-1-gone-lighthouse", Scope: "guild-42", Title: "Lighthouse keeper retires after forty years",
		Source: "Northcoast Ledger: Local", URL: site.URL + "/gone/lighthouse",
		Published: time.Date(2025, 3, 3, 17, 0, 0, 0, time.UTC),
		Body:      "Arne Lund climbed the 143 steps of the north lighthouse for the last time on Monday.\n\nHe plans to write a book about the storms he has seen.",
	}
	wantFB.Hash = ContentHash(wantFB.Title, wantFB.Body)
	if fb != wantFB {
		t.Errorf("fallback article =\n%+v\nwant\n%+v", fb, wantFB)
	}

	// Item 3: a relative link, resolved against the feed's URL.
	if _, ok := st.article(site.URL + "/jsonld.html"); !ok {
		t.Errorf("the item with the relative link /jsonld.html was not stored")
	}

	saved := st.feed(7)
	if saved.ETag != `"feed-v1"` || saved.LastModified != feedLastModified || saved.ItemsAdded != 3 ||
		saved.LastError != "" || saved.LastPolled.IsZero() || saved.Title != "Northcoast Ledger: Local" {
		t.Errorf("saved feed state = %+v; want ETag, Last-Modified, 3 added, no error, poll time, title", saved)
	}

	// Second poll from the saved state: a conditional GET answered 304, and
	// no item page is fetched again.
	pageHits := site.hitCount("/news.html")
	added, err = f.PollFeed(ctx, saved, st)
	if err != nil || added != 0 {
		t.Fatalf("second poll = %d, %v; want 0, nil", added, err)
	}
	site.mu.Lock()
	conditional := site.conditional
	site.mu.Unlock()
	if want := []string{`"feed-v1" | ` + feedLastModified}; !slices.Equal(conditional, want) {
		t.Errorf("conditional requests (If-None-Match | If-Modified-Since) = %q, want %q", conditional, want)
	}
	if got := site.hitCount("/news.html"); got != pageHits {
		t.Errorf("second poll fetched the news page again (%d -> %d hits)", pageHits, got)
	}
	if got := st.feed(7); got.ItemsAdded != 0 || got.ETag != `"feed-v1"` || got.LastPolled.Before(saved.LastPolled) {
		t.Errorf("state after 304 = %+v; want 0 added and the ETag kept", got)
	}
}

// TestPollAtomSkipsSeenAndDuplicates polls an Atom feed into a store that
// already holds the RSS feed's articles: the repost of the news page is
// recognised by its content hash and not added; with conditional GET off,
// a third poll fetches no item page again because every item is seen.
func TestPollAtomSkipsSeenAndDuplicates(t *testing.T) {
	site := newTestSite(t)
	site.etag = "" // no conditional GET: the item-level skipping is what is tested
	st := newMemFeedStore()
	f := testFetcher(FetchConfig{})
	ctx := context.Background()
	if _, err := f.PollFeed(ctx, Feed{ID: 1, URL: site.URL + "/rss.xml"}, st); err != nil {
		t.Fatalf("RSS poll: %v", err)
	}
	added, err := f.PollFeed(ctx, Feed{ID: 2, URL: site.URL + "/atom.xml", Scope: "guild-9"}, st)
	if err != nil {
		t.Fatalf("Atom poll: %v", err)
	}
	if added != 2 {
		t.Errorf("Atom poll added %d, want 2 (the repost has the same content as a stored article)", added)
	}
	lib, ok := st.article(site.URL + "/timetag.html")
	if !ok || lib.Title != "Library extends opening hours" || lib.Scope != "guild-9" {
		t.Errorf("library item = %+v, %v; want the page, scope guild-9", lib, ok)
	}
	market, ok := st.article(site.URL + "/missing/market")
	wantBody := "From June the market square will be closed to cars on Saturdays.\n\nDeliveries\n\nShops may receive deliveries before eight in the morning."
	if !ok || market.Body != wantBody || market.Title != "Market square to go car-free" || market.Source != "Town Notes" {
		t.Errorf("market item = %+v; want body %q from the Atom content, its title, source Town Notes", market, wantBody)
	}
	if got := len(st.articles); got != 5 {
		t.Errorf("store holds %d articles, want 5", got)
	}

	before := site.totalHits()
	added, err = f.PollFeed(ctx, Feed{ID: 2, URL: site.URL + "/atom.xml", Scope: "guild-9"}, st)
	if err != nil || added != 0 {
		t.Fatalf("third poll = %d, %v; want 0, nil", added, err)
	}
	if got := site.totalHits() - before; got != 1 {
		t.Errorf("third poll made %d requests, want 1 (the feed only; every item was seen)", got)
	}
}

func TestPollFeedErrors(t *testing.T) {
	site := newTestSite(t)
	tests := []struct {
		name, path string
		wantAdded  int
		is         error
		msg        []string
	}{
		{"a web page, not a feed", "/news.html", 0, ErrNotFeed, []string{"the link serves text/html", "/feed, /rss or .xml", "not an RSS or Atom feed"}},
		{"feed gone", "/status/404", 0, ErrFetch, []string{"404 Not Found"}},
		{"one item fails without text of its own", "/partial.xml", 1, ErrFetch, []string{"1 of 2 new items could not be added", "500 Internal Server Error"}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newMemFeedStore()
			id := int64(i + 1)
			added, err := testFetcher(FetchConfig{}).PollFeed(context.Background(), Feed{ID: id, URL: site.URL + tc.path}, st)
			checkFetchErr(t, err, tc.is, append([]string{"poll feed " + site.URL + tc.path}, tc.msg...))
			if added != tc.wantAdded {
				t.Errorf("added = %d, want %d", added, tc.wantAdded)
			}
			saved := st.feed(id)
			if saved.LastError != err.Error() || saved.LastPolled.IsZero() || saved.ItemsAdded != tc.wantAdded {
				t.Errorf("saved state = %+v; want the error recorded, the poll time and %d added", saved, tc.wantAdded)
			}
		})
	}
}

// TestPollFeedGuard: the feed URL and every item link go through the
// address guard. An allowed feed whose item links to another loopback port
// gets the item refused, not replaced by the feed's text.
func TestPollFeedGuard(t *testing.T) {
	outside := newTestSite(t)
	inside := newTestSite(t)
	outside.inward = inside.URL + "/news.html"
	st := newMemFeedStore()

	_, err := NewFetcher(FetchConfig{}).PollFeed(context.Background(), Feed{ID: 1, URL: outside.URL + "/rss.xml"}, st)
	checkFetchErr(t, err, ErrBlockedAddress, []string{"leads to a loopback address"})
	if got := st.feed(1).LastError; !strings.Contains(got, "refuses private and loopback addresses") {
		t.Errorf("saved LastError = %q, want the guard's explanation", got)
	}

	added, err := guardedFetcher(t, outside.Server).PollFeed(context.Background(), Feed{ID: 2, URL: outside.URL + "/inward.xml"}, st)
	checkFetchErr(t, err, ErrBlockedAddress, []string{"1 of 1 new items could not be added", inside.URL + "/news.html leads to a loopback address"})
	if added != 0 || len(st.articles) != 0 {
		t.Errorf("added %d, stored %d articles; want none", added, len(st.articles))
	}
	if got := inside.totalHits(); got != 0 {
		t.Errorf("the inside server got %d requests, want 0", got)
	}
}
