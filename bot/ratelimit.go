package bot

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// userLimits is a per-user token bucket: perMinute questions a minute, with
// a burst of the same size.
type userLimits struct {
	mu        sync.Mutex
	perMinute int
	users     map[string]*rate.Limiter
}

func newUserLimits(perMinute int) *userLimits {
	return &userLimits{perMinute: perMinute, users: map[string]*rate.Limiter{}}
}

// allow takes one token for user; when none is left it returns how long
// until one is, rounded up to whole seconds.
func (l *userLimits) allow(user string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.users[user]
	if !ok {
		l.prune(now)
		lim = rate.NewLimiter(rate.Every(time.Minute/time.Duration(l.perMinute)), l.perMinute)
		l.users[user] = lim
	}
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, time.Duration(math.Ceil(d.Seconds())) * time.Second
	}
	return true, 0
}

// prune forgets users whose bucket is full again, so the map does not grow
// with every user ever seen.
func (l *userLimits) prune(now time.Time) {
	if len(l.users) < 1024 {
		return
	}
	for u, lim := range l.users {
		if lim.TokensAt(now) >= float64(l.perMinute) {
			delete(l.users, u)
		}
	}
}
