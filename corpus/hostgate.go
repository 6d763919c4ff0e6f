package corpus

import (
	"context"
	"sync"
	"time"
)

// hostGate is per-host politeness for feed polling: one request at a time
// to each host, at least gap after the previous one ended, so a pool of
// workers polling many feeds never hits one site in parallel.
type hostGate struct {
	gap   time.Duration
	mu    sync.Mutex
	hosts map[string]*hostSlot
}

type hostSlot struct {
	busy chan struct{} // holds a token while a request to the host runs
	last time.Time     // when the last request ended; read and written by the token holder only
}

func newHostGate(gap time.Duration) *hostGate {
	return &hostGate{gap: gap, hosts: map[string]*hostSlot{}}
}

// acquire waits for host's turn (or ctx) and returns the function that
// ends it.
func (g *hostGate) acquire(ctx context.Context, host string) (release func(), err error) {
	g.mu.Lock()
	s := g.hosts[host]
	if s == nil {
		s = &hostSlot{busy: make(chan struct{}, 1)}
		g.hosts[host] = s
	}
	g.mu.Unlock()
	select {
	case s.busy <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if wait := time.Until(s.last.Add(g.gap)); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			<-s.busy
			return nil, ctx.Err()
		}
	}
	return func() {
		s.last = time.Now()
		<-s.busy
	}, nil
}
