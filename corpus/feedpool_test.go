package corpus

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// feedSite serves an RSS feed of n items whose pages are handled by page.
type feedSite struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func newFeedSite(t *testing.T, n int, page func(w http.ResponseWriter, r *http.Request)) *feedSite {
	t.Helper()
	s := &feedSite{hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		if r.URL.Path != "/rss.xml" {
			page(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Site</title>`)
		for i := n; i >= 1; i-- {
			fmt.Fprintf(w, `<item><title>Story %d</title><link>/story-%d</link></item>`, i, i)
		}
		fmt.Fprint(w, `</channel></rss>`)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *feedSite) hitCount(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func storyPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintf(w, "Story %s\n\nThe harbour council met about %s and approved the plan.\n", r.URL.Path, r.URL.Path)
}

// TestPollFeedsSlowFeedDoesNotStall: a feed whose item pages never answer
// holds up only its own worker: another feed's item is stored while the
// slow one is still waiting, and the slow items end at their deadline.
func TestPollFeedsSlowFeedDoesNotStall(t *testing.T) {
	release := make(chan struct{})
	slow := newFeedSite(t, 3, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	fast := newFeedSite(t, 1, storyPage)
	// Another host name for the same machine, so per-host politeness does
	// not serialise the two sites (localhost is resolved from /etc/hosts).
	fastURL := strings.Replace(fast.URL, "127.0.0.1", "localhost", 1)
	st := newMemFeedStore()
	f := testFetcher(FetchConfig{ItemTimeout: 5 * time.Second})
	feeds := []Feed{{ID: 1, URL: slow.URL + "/rss.xml"}, {ID: 2, URL: fastURL + "/rss.xml"}}
	done := make(chan []PollResult)
	go func() { done <- f.PollFeeds(context.Background(), feeds, st, 2) }()
	deadline := time.Now().Add(4 * time.Second) // below the slow items' deadline
	for {
		if _, ok := st.article(fastURL + "/story-1"); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the fast feed's item was not stored while the slow feed waited")
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(release)
	res := <-done
	if len(res) != 2 || res[1].Added != 1 || res[1].Err != nil {
		t.Errorf("results = %+v, want the fast feed's item added", res)
	}
}

// TestPollFeedsPoliteToEachHost: feeds polled at once by several workers
// still send one request at a time to a host, HostGap apart, even when
// the feeds are different sites on that host (ports differ).
func TestPollFeedsPoliteToEachHost(t *testing.T) {
	const gap = 150 * time.Millisecond
	var mu sync.Mutex
	var starts, ends []time.Time
	inFlight, most := 0, 0
	page := func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		starts = append(starts, time.Now())
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "Story %s%s\n\nThe council at %s met about %s and approved the plan.\n", r.Host, r.URL.Path, r.Host, r.URL.Path)
		mu.Lock()
		inFlight--
		ends = append(ends, time.Now())
		mu.Unlock()
	}
	a, b := newFeedSite(t, 2, page), newFeedSite(t, 2, page)
	f := testFetcher(FetchConfig{HostGap: gap})
	res := f.PollFeeds(context.Background(), []Feed{{ID: 1, URL: a.URL + "/rss.xml"}, {ID: 2, URL: b.URL + "/rss.xml"}}, newMemFeedStore(), 2)
	if len(res) != 2 || res[0].Added != 2 || res[1].Added != 2 {
		t.Fatalf("results = %+v, want both feeds' items added", res)
	}
	mu.Lock()
	defer mu.Unlock()
	if most != 1 {
		t.Errorf("%d item requests ran at once on one host, want 1", most)
	}
	for i := 1; i < len(starts); i++ {
		// Feed requests (not recorded here) take turns too, so a gap is at
		// least HostGap; allow the timer's coarseness.
		if d := starts[i].Sub(ends[i-1]); d < gap-10*time.Millisecond {
			t.Errorf("item request %d started %v after the previous one ended, want at least %v", i+1, d, gap)
		}
	}
}

// TestPollItemDeadlineAndBackoff: an item that does not answer within
// ItemTimeout fails; a failed item waits 1 h, 6 h, then 24 h before it is
// tried again, and is given up after the fourth failure.
func TestPollItemDeadlineAndBackoff(t *testing.T) {
	site := newFeedSite(t, 1, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers
	})
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f := testFetcher(FetchConfig{ItemTimeout: 200 * time.Millisecond, HostGap: time.Millisecond, Now: func() time.Time { return now }})
	st := newMemFeedStore()
	fd := Feed{ID: 1, URL: site.URL + "/rss.xml"}
	steps := []struct {
		advance  time.Duration
		hits     int // requests for the item so far
		attempts int
		nextTry  time.Duration // after now; 0: given up
	}{
		{0, 1, 1, time.Hour},
		{59 * time.Minute, 1, 1, time.Minute}, // not due yet: no request
		{time.Minute, 2, 2, 6 * time.Hour},
		{6 * time.Hour, 3, 3, 24 * time.Hour},
		{24 * time.Hour, 4, 4, 0},
		{1000 * time.Hour, 4, 4, 0}, // given up: never tried again
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		_, err := f.PollFeed(context.Background(), fd, st)
		if s.hits > steps[max(i-1, 0)].hits || i == 0 {
			if err == nil || !strings.Contains(err.Error(), "not added within 200ms") {
				t.Errorf("step %d: err = %v, want the item's deadline named", i, err)
			}
		}
		got, _ := st.ItemFailure(context.Background(), 1, site.URL+"/story-1")
		wantNext := time.Time{}
		if s.nextTry != 0 {
			wantNext = now.Add(s.nextTry)
		}
		if h := site.hitCount("/story-1"); h != s.hits || got.Attempts != s.attempts || !got.NextTry.Equal(wantNext) {
			t.Errorf("step %d: %d requests, %+v; want %d requests, %d attempts, next try %v", i, h, got, s.hits, s.attempts, wantNext)
		}
	}
}

// TestPollItemsPerPollCap: a feed listing more new items than
// MaxItemsPerPoll gets the rest on the next polls, oldest first.
func TestPollItemsPerPollCap(t *testing.T) {
	site := newFeedSite(t, 7, storyPage)
	f := testFetcher(FetchConfig{MaxItemsPerPoll: 3, HostGap: time.Millisecond})
	st := newMemFeedStore()
	for i, want := range []int{3, 3, 1, 0} {
		added, err := f.PollFeed(context.Background(), Feed{ID: 1, URL: site.URL + "/rss.xml"}, st)
		if err != nil || added != want {
			t.Errorf("poll %d: added %d, %v; want %d", i+1, added, err, want)
		}
	}
	if _, ok := st.article(site.URL + "/story-1"); !ok {
		t.Errorf("the oldest item was not among the first added")
	}
}
