package corpus

import (
	"context"
	"sync"
)

// DefaultFeedWorkers is how many feeds PollFeeds polls at once
// (BRIEFBOT_FEED_WORKERS).
const DefaultFeedWorkers = 4

// PollResult is what one feed's poll did.
type PollResult struct {
	Feed  Feed
	Added int
	Err   error
}

// PollFeeds polls feeds with a small pool of workers (workers <= 0 means
// DefaultFeedWorkers), so that one slow feed holds up only its own worker.
// A feed's items go one after another, each within ItemTimeout, and the
// fetcher lets one request at a time reach each host. The results are in
// the order of feeds; when ctx ends, the feeds not yet started are left
// out.
func (f *Fetcher) PollFeeds(ctx context.Context, feeds []Feed, st FeedStore, workers int) []PollResult {
	if workers <= 0 {
		workers = DefaultFeedWorkers
	}
	out := make([]PollResult, len(feeds))
	polled := make([]bool, len(feeds))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(feeds)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				added, err := f.PollFeed(ctx, feeds[i], st)
				out[i], polled[i] = PollResult{Feed: feeds[i], Added: added, Err: err}, true
			}
		}()
	}
send:
	for i := range feeds {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break send
		}
	}
	close(jobs)
	wg.Wait()
	var done []PollResult
	for i, r := range out {
		if polled[i] {
			done = append(done, r)
		}
	}
	return done
}
