package corpus

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestConformItemFailures: both stores keep a failed item's attempts, next
// try and error, count waiting and given-up items in Feeds, forget the
// failures once the item is stored, and drop them with the feed.
func TestConformItemFailures(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, loc string, s conformStore) {
		ctx := context.Background()
		fd, err := s.AddFeed(ctx, Feed{URL: "https://example.com/rss", Scope: "guildA"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		boom := errors.New("the server answered 500")
		waiting := ItemFailure{}.Failed(now, boom)
		givenUp := waiting.Failed(now, boom).Failed(now, boom).Failed(now, boom)
		if givenUp.Attempts != 4 || !givenUp.NextTry.IsZero() || waiting.NextTry != now.Add(time.Hour) {
			t.Fatalf("Failed: %+v, %+v; want a 1 h wait, then given up after 4", waiting, givenUp)
		}
		for url, f := range map[string]ItemFailure{"https://example.com/1": waiting, "https://example.com/2": givenUp} {
			if err := s.RecordItemFailure(ctx, fd.ID, url, f); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.RecordItemFailure(ctx, 999, "https://example.com/1", waiting); err != nil {
			t.Errorf("a failure of a removed feed: %v", err)
		}
		if got, err := s.ItemFailure(ctx, fd.ID, "https://example.com/1"); err != nil || got != waiting {
			t.Errorf("ItemFailure = %+v, %v; want %+v", got, err, waiting)
		}
		if got, _ := s.ItemFailure(ctx, fd.ID, "https://example.com/3"); got != (ItemFailure{}) {
			t.Errorf("an item that never failed: %+v", got)
		}
		fs, err := s.Feeds(ctx, nil)
		if err != nil || len(fs) != 1 || fs[0].ItemsWaiting != 1 || fs[0].ItemsGivenUp != 1 {
			t.Errorf("Feeds = %+v, %v; want 1 waiting and 1 given up", fs, err)
		}
		if err := s.MarkItemSeen(ctx, fd.ID, "https://example.com/1"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.ItemFailure(ctx, fd.ID, "https://example.com/1"); got.Attempts != 0 {
			t.Errorf("a stored item keeps its failures: %+v", got)
		}
		if err := s.RemoveFeed(ctx, nil, fd.ID); err != nil {
			t.Fatal(err)
		}
		if n := b.exec(t, loc, `DELETE FROM feed_failures WHERE feed_id = ?`, fd.ID); n != 0 {
			t.Errorf("removing a feed left %d failures", n)
		}
	})
}
