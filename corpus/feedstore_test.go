package corpus

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAddFeedRules(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	first, err := s.AddFeed(ctx, Feed{URL: " https://news.example/feed.xml ", Scope: "g1"})
	if err != nil {
		t.Fatalf("AddFeed: %v", err)
	}
	if first.ID == 0 || first.URL != "https://news.example/feed.xml" {
		t.Errorf("added feed = %+v, want an ID and the trimmed URL", first)
	}
	tests := []struct {
		name string
		feed Feed
		is   error
		msg  []string
	}{
		{"same URL, same scope", Feed{URL: "https://news.example/feed.xml", Scope: "g1"}, ErrDuplicate, []string{"feed.xml", "as feed 1"}},
		{"not a link", Feed{URL: "news.example/feed.xml"}, ErrUnsupportedSource, []string{"http:// or https://"}},
		{"other scheme", Feed{URL: "ftp://news.example/feed.xml"}, ErrUnsupportedSource, []string{"http:// or https://"}},
		{"no host", Feed{URL: "https:///feed.xml"}, ErrUnsupportedSource, []string{"no host"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.AddFeed(ctx, tc.feed)
			checkErr(t, err, tc.is, tc.msg)
		})
	}
	// The same URL in another scope is another subscription.
	if _, err := s.AddFeed(ctx, Feed{URL: "https://news.example/feed.xml", Scope: "g2"}); err != nil {
		t.Errorf("same URL in another scope: %v", err)
	}
	all, err := s.Feeds(ctx, nil)
	if err != nil || len(all) != 2 {
		t.Errorf("Feeds(nil) = %d feeds, %v; want 2 (nothing stored by the refused adds)", len(all), err)
	}
}

func TestFeedScopesAndRemove(t *testing.T) {
	s := openTestStore(t)
	ctx := context.Background()
	g1, _ := s.AddFeed(ctx, Feed{URL: "https://a.example/rss", Scope: "g1"})
	g2, _ := s.AddFeed(ctx, Feed{URL: "https://b.example/rss", Scope: "g2"})
	global, _ := s.AddFeed(ctx, Feed{URL: "https://c.example/rss", Scope: GlobalScope})
	ids := func(fs []Feed) []int64 {
		var out []int64
		for _, f := range fs {
			out = append(out, f.ID)
		}
		return out
	}
	tests := []struct {
		name   string
		scopes []string
		want   []int64
	}{
		{"one server", []string{"g1"}, []int64{g1.ID}},
		{"other server", []string{"g2"}, []int64{g2.ID}},
		{"global only", []string{GlobalScope}, []int64{global.ID}},
		{"everything", nil, []int64{g1.ID, g2.ID, global.ID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Feeds(ctx, tc.scopes)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, ids(got)); diff != "" {
				t.Errorf("feeds (-want +got):\n%s", diff)
			}
		})
	}
	err := s.RemoveFeed(ctx, []string{"g1"}, g2.ID)
	checkErr(t, err, ErrNotFound, []string{"no feed with ID 2"})
	if got, _ := s.Feeds(ctx, nil); len(got) != 3 {
		t.Errorf("after a refused remove %d feeds remain, want 3", len(got))
	}
	if err := s.RemoveFeed(ctx, []string{"g2"}, g2.ID); err != nil {
		t.Fatalf("RemoveFeed own: %v", err)
	}
	if err := s.RemoveFeed(ctx, nil, global.ID); err != nil {
		t.Fatalf("RemoveFeed from the command line: %v", err)
	}
	if got, _ := s.Feeds(ctx, nil); len(got) != 1 || got[0].ID != g1.ID {
		t.Errorf("after removals feeds = %v, want only %d", ids(got), g1.ID)
	}
}

// TestFeedStateAndItemsPersist: poll state and seen items survive a
// reopen, and removing a feed forgets its items.
func TestFeedStateAndItemsPersist(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := s.AddFeed(ctx, Feed{URL: "https://a.example/rss", Scope: "g1"})
	f.Title, f.ETag, f.LastModified = "A news", `"v1"`, "Tue, 04 Mar 2025 09:00:00 GMT"
	f.LastPolled, f.ItemsAdded, f.LastError = time.Date(2025, 3, 4, 9, 1, 2, 0, time.UTC), 3, "1 of 4 new items could not be added"
	if err := s.UpdateFeed(ctx, f); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkItemSeen(ctx, f.ID, "https://a.example/1"); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkItemSeen(ctx, f.ID, "https://a.example/1"); err != nil {
		t.Errorf("marking an item twice: %v", err)
	}
	s.Close()

	s, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Feeds(ctx, []string{"g1"})
	if err != nil || len(got) != 1 {
		t.Fatalf("Feeds = %v, %v", got, err)
	}
	if diff := cmp.Diff(f, got[0]); diff != "" {
		t.Errorf("feed after reopen (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		url  string
		want bool
	}{{"https://a.example/1", true}, {"https://a.example/2", false}} {
		if seen, err := s.SeenItem(ctx, f.ID, tc.url); err != nil || seen != tc.want {
			t.Errorf("SeenItem(%s) = %v, %v; want %v", tc.url, seen, err, tc.want)
		}
	}
	if err := s.RemoveFeed(ctx, []string{"g1"}, f.ID); err != nil {
		t.Fatal(err)
	}
	again, _ := s.AddFeed(ctx, Feed{URL: "https://a.example/rss", Scope: "g1"})
	if seen, _ := s.SeenItem(ctx, again.ID, "https://a.example/1"); seen {
		t.Error("a feed added again after removal starts with its old items seen")
	}
	if seen, _ := s.SeenItem(ctx, f.ID, "https://a.example/1"); seen {
		t.Error("the removed feed's items were kept")
	}
}

// TestParseHTMLFile: an uploaded page is read like a fetched one: the
// story's title, date and text without navigation, ads or footer.
func TestParseHTMLFile(t *testing.T) {
	data, err := os.ReadFile("testdata/fetch/news.html")
	if err != nil {
		t.Fatal(err)
	}
	var got []Article
	if err := ParseFile("news.html", data, collect(&got)); err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d articles, want 1", len(got))
	}
	a := got[0]
	if a.ID != "news" || a.Title != "Harbour council approves tidal barrier" || a.Source != "Northcoast Ledger" ||
		!a.Published.Equal(time.Date(2025, 3, 4, 8, 30, 0, 0, time.UTC)) || a.Hash != ContentHash(a.Title, a.Body) {
		t.Errorf("article = ID %q, title %q, source %q, published %v; want news, the headline, Northcoast Ledger, 2025-03-04 08:30",
			a.ID, a.Title, a.Source, a.Published)
	}
	if !strings.Contains(a.Body, "The project is expected to cost 48 million euros.") {
		t.Errorf("body lacks the story:\n%s", a.Body)
	}
	for _, junk := range []string{"Subscribe today", "garden furniture", "cheap flights", "Privacy policy", "Copyright"} {
		if strings.Contains(a.Body, junk) {
			t.Errorf("body holds page furniture %q", junk)
		}
	}
	_, err = ParseHTML("photo.html", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
	if !errors.Is(err, ErrUnsupportedSource) || !strings.Contains(err.Error(), "photo.html") {
		t.Errorf("binary .html: err = %v, want ErrUnsupportedSource naming the file", err)
	}
}
