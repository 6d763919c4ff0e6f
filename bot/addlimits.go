package bot

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// addLimits bounds what /briefing add may cost. A URL or a file can take a
// fetch (20 s), a PDF read in a child process (10 s) and embedding, so
// adds run in their own small pool (questions keep theirs), one at a time
// per admin, and at most perHour per admin.
type addLimits struct {
	pool     chan struct{}
	perHour  int
	mu       sync.Mutex
	inFlight map[string]bool
	buckets  map[string]*rate.Limiter
}

// addWorkers is how many adds run at once across all servers.
const addWorkers = 2

func newAddLimits(perHour int) *addLimits {
	return &addLimits{pool: make(chan struct{}, addWorkers), perHour: perHour,
		inFlight: map[string]bool{}, buckets: map[string]*rate.Limiter{}}
}

// start admits one add by user: it refuses (with the message to show) when
// the user has one running or has used the hour's adds, else waits for a
// free worker. done must be called when the add ends.
func (l *addLimits) start(ctx context.Context, user string, now time.Time) (done func(), refusal string, err error) {
	l.mu.Lock()
	if l.inFlight[user] {
		l.mu.Unlock()
		return nil, "Your previous add is still running; wait for its answer, then try again.", nil
	}
	b, ok := l.buckets[user]
	if !ok {
		b = rate.NewLimiter(rate.Every(time.Hour/time.Duration(l.perHour)), l.perHour)
		l.buckets[user] = b
	}
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		l.mu.Unlock()
		return nil, "You have added " + plural(l.perHour, "briefing") + " in the last hour, the limit; try again in " +
			plural(int(math.Ceil(d.Minutes())), "minute") + ".", nil
	}
	l.inFlight[user] = true
	l.mu.Unlock()
	release := func() {
		l.mu.Lock()
		delete(l.inFlight, user)
		l.mu.Unlock()
	}
	select {
	case l.pool <- struct{}{}:
	case <-ctx.Done():
		release()
		return nil, "", ctx.Err()
	}
	return func() { <-l.pool; release() }, "", nil
}
