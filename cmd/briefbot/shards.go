package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/briefbot/briefbot/corpus"
)

// parseShards reads BRIEFBOT_SHARDS ("0-3", "0,2", "1") and
// BRIEFBOT_SHARD_COUNT. Both unset: nil, 0 (one process runs every shard,
// as many as Discord recommends). The count alone: every shard of it.
func parseShards(getenv func(string) string) (shards []int, count int, err error) {
	list, n := strings.TrimSpace(getenv("BRIEFBOT_SHARDS")), strings.TrimSpace(getenv("BRIEFBOT_SHARD_COUNT"))
	if n == "" {
		if list != "" {
			return nil, 0, fmt.Errorf("BRIEFBOT_SHARDS=%q needs BRIEFBOT_SHARD_COUNT, the total number of shards across all processes", list)
		}
		return nil, 0, nil
	}
	if count, err = parseShardCount(n); err != nil {
		return nil, 0, err
	}
	if list == "" {
		for i := range count {
			shards = append(shards, i)
		}
		return shards, count, nil
	}
	seen := map[int]bool{}
	for _, part := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err1 := strconv.Atoi(strings.TrimSpace(lo))
		b, err2 := a, error(nil)
		if isRange {
			b, err2 = strconv.Atoi(strings.TrimSpace(hi))
		}
		if err1 != nil || err2 != nil || a < 0 || b < a || b >= count {
			return nil, 0, fmt.Errorf("BRIEFBOT_SHARDS=%q: want shard numbers from 0 to %d, as a list or ranges (0-3 or 0,2)", list, count-1)
		}
		for i := a; i <= b; i++ {
			if !seen[i] {
				seen[i] = true
				shards = append(shards, i)
			}
		}
	}
	return shards, count, nil
}

// maxShardCount caps BRIEFBOT_SHARD_COUNT. Discord sets no bound on
// num_shards (shard_id < num_shards is its one rule), but every shard
// identifies once each time it starts, and a bot may identify 1,000 times
// a day across all its shards: past that, Discord ends every session and
// resets the bot's token (discord-api-docs developers/events/gateway.mdx,
// "Identifying"; the limit is raised only for bots Discord moves to
// large-bot sharding, past 150,000 servers). A larger count could not
// start all its shards even once, so it is a mistake; refusing it also
// keeps a count such as 1000000000 from allocating a shard list that long.
const maxShardCount = 1000

// parseShardCount reads BRIEFBOT_SHARD_COUNT: 1 to maxShardCount.
func parseShardCount(n string) (int, error) {
	count, err := strconv.Atoi(n)
	if errors.Is(err, strconv.ErrRange) || err == nil && count > maxShardCount {
		return 0, fmt.Errorf("BRIEFBOT_SHARD_COUNT=%q: at most %d, since every shard identifies to Discord when it starts "+
			"and Discord allows a bot 1,000 identifies a day before it resets the bot's token; "+
			"leave BRIEFBOT_SHARD_COUNT and BRIEFBOT_SHARDS empty to run the count Discord recommends", n, maxShardCount)
	}
	if err != nil || count < 1 {
		return 0, fmt.Errorf("BRIEFBOT_SHARD_COUNT=%q: want a positive whole number (see .env.example)", n)
	}
	return count, nil
}

// keepScope is the engine's choice of scopes held in memory: the servers
// of this process's shards (the global scope is always kept). Nil when one
// process runs every shard. A scope that is not a server ID cannot be
// routed to a shard, so every process keeps it.
func (c Config) keepScope() func(string) bool {
	if c.ShardCount == 0 || len(c.Shards) == c.ShardCount {
		return nil
	}
	mine := map[int]bool{}
	for _, s := range c.Shards {
		mine[s] = true
	}
	return func(scope string) bool {
		sh := corpus.ShardOf(scope, c.ShardCount)
		return sh < 0 || mine[sh]
	}
}

// changeListener is a store that announces changes made elsewhere
// (corpus.PGStore).
type changeListener interface {
	Listen(ctx context.Context, log *slog.Logger, fn func(corpus.Change))
}

// followChanges applies to a's engine the changes other processes and the
// command line make to the shared store, until ctx ends. SQLite has one
// process per data directory: nothing to follow.
func followChanges(ctx context.Context, a *app) (stop func()) {
	l, ok := a.store.(changeListener)
	if !ok {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	log := a.logger.With("component", "changes")
	go func() {
		defer close(done)
		l.Listen(ctx, log, func(c corpus.Change) {
			n, err := a.engine.Apply(ctx, c)
			switch {
			case err != nil && ctx.Err() == nil && c.Resync():
				log.Error("catch up with the store after (re)connecting", "refreshed", n, "err", err)
			case err != nil && ctx.Err() == nil:
				log.Error("apply a change from another process", "scope", c.Scope, "id", c.ID, "err", err)
			case err == nil && c.Resync() && n > 0:
				log.Info("caught up with the store", "refreshed", n, "why", "changes made while not listening")
			}
		})
	}()
	return func() { cancel(); <-done }
}

// feedLeaser is a store shared by several processes, of which one polls
// the feeds (corpus.PGStore).
type feedLeaser interface {
	HoldFeedLease(ctx context.Context) (bool, error)
}

// leasedFeeds is the store as the poller sees it: without the feed lease,
// a process has no feeds to poll; it tries to take the lease before every
// poll, so it takes over within one interval when the holder dies.
type leasedFeeds struct {
	store
	lease feedLeaser
	log   *slog.Logger
	held  *bool
}

func (l leasedFeeds) Feeds(ctx context.Context, scopes []string) ([]corpus.Feed, error) {
	held, err := l.lease.HoldFeedLease(ctx)
	if err != nil {
		return nil, err
	}
	if held != *l.held {
		*l.held = held
		l.log.Info("feed lease", "held", held, "why", "one process polls the feeds")
	}
	if !held {
		return nil, nil
	}
	return l.store.Feeds(ctx, scopes)
}

// pollingStore is what startPolling gives the poller: the store, behind
// the feed lease when it is shared.
func pollingStore(a *app) store {
	if l, ok := a.store.(feedLeaser); ok {
		return leasedFeeds{store: a.store, lease: l, log: a.logger.With("component", "feeds"), held: new(bool)}
	}
	return a.store
}
