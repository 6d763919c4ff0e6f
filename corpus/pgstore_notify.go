package corpus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// changesChannel is the PostgreSQL NOTIFY channel of article changes.
const changesChannel = "briefbot_changes"

// Change names an article added, replaced or removed: the processes that
// hold its scope in memory read it again (or drop it).
type Change struct {
	Scope string `json:"scope"`
	ID    string `json:"id"`
	// Origin is the store that made the change; a process ignores its own.
	Origin string `json:"origin"`
}

// Resync reports a Change that names no article: the listener has just
// started listening, and changes made before may not have been announced,
// so the listening process compares what it holds with the store.
func (c Change) Resync() bool { return c.ID == "" }

func newOrigin() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// maxNotifyPayload is below PostgreSQL's NOTIFY limit (payloads must be
// shorter than 8000 bytes in the default configuration).
const maxNotifyPayload = 7999

// notify queues the change in tx: PostgreSQL delivers it to every listener
// when, and only if, tx commits. A change whose article ID or scope is too
// long for a NOTIFY payload (SQLite stores them, so PostgreSQL must too) is
// announced without them, as a resync: listeners compare what they hold
// with the store and so still read the article, instead of the add failing.
func (s *PGStore) notify(ctx context.Context, tx pgx.Tx, c Change) error {
	c.Origin = s.origin
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if len(b) > maxNotifyPayload {
		if b, err = json.Marshal(Change{Origin: s.origin}); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, changesChannel, string(b)); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// ListenerName is the application_name of the connection Listen holds,
// so that an operator (or a test) can find it in pg_stat_activity.
const ListenerName = "briefbot-listen"

// Listen calls fn for every article change made through another store
// (another process, or the command line) until ctx ends, on a connection
// of its own. Each time it starts listening, the first time included, it
// first calls fn with an empty Change (see Change.Resync): changes made
// before LISTEN took effect (before the first connection, or while a lost
// one was re-established) were not announced to it. A lost connection is
// re-established after a second.
func (s *PGStore) Listen(ctx context.Context, log *slog.Logger, fn func(Change)) {
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, func() { fn(Change{}) }, fn)
		if ctx.Err() != nil {
			return
		}
		log.Warn("listening for store changes; retrying in 1 s", "err", s.explain(err))
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (s *PGStore) listenOnce(ctx context.Context, listening func(), fn func(Change)) error {
	cfg := s.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = ListenerName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		return err
	}
	listening()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var c Change
		if err := json.Unmarshal([]byte(n.Payload), &c); err != nil || c.Origin == s.origin {
			continue
		}
		fn(c)
	}
}

// feedLease is the session-level advisory lock of the process that polls
// the feeds, held on a connection of its own: when the process dies, the
// connection closes and PostgreSQL frees the lock for another process.
type feedLease struct {
	mu   sync.Mutex
	conn *pgx.Conn
}

// HoldFeedLease reports whether this store holds the feed lease, taking
// it if it is free. Called before every poll: a process that lost its
// connection loses the lease, and another takes it at its next poll.
func (s *PGStore) HoldFeedLease(ctx context.Context) (bool, error) {
	l := &s.lease
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		if err := l.conn.Ping(ctx); err == nil {
			return true, nil
		}
		l.conn.Close(context.WithoutCancel(ctx))
		l.conn = nil
	}
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return false, fmt.Errorf("feed lease: %w", s.explain(err))
	}
	var held bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, lockFeeds).Scan(&held); err != nil || !held {
		conn.Close(context.WithoutCancel(ctx))
		if err != nil {
			return false, fmt.Errorf("feed lease: %w", s.explain(err))
		}
		return false, nil
	}
	l.conn = conn
	return true, nil
}

func (l *feedLease) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		l.conn.Close(context.Background())
		l.conn = nil
	}
}

// Load returns the article id of scope with its passages and the vectors
// cached for embedder; found is false when it is not stored.
func (s *PGStore) Load(ctx context.Context, embedder, scope, id string) (l Loaded, found bool, err error) {
	rows, err := s.pool.Query(ctx, pgLoadQuery+` WHERE scope = $1 AND id = $2`, scope, id)
	if err != nil {
		return l, false, fmt.Errorf("load %s: %w", id, s.explain(err))
	}
	defer rows.Close()
	if !rows.Next() {
		return l, false, rows.Err()
	}
	if l, err = scanLoaded(rows, nil); err != nil {
		return l, false, fmt.Errorf("load %s: %w", id, err)
	}
	rows.Close()
	hashes := make([]string, len(l.Passages))
	for i, p := range l.Passages {
		hashes[i] = TextHash(p.Text)
	}
	vecs, err := s.CachedVectors(ctx, embedder, hashes)
	if err != nil {
		return l, false, err
	}
	for i, h := range hashes {
		l.Vectors[i] = vecs[h]
	}
	return l, true, nil
}

// ShardOf is the Discord shard of a scope (a server ID) among count
// shards, as Discord computes it: (guild_id >> 22) % count. The global
// scope, and anything that is not a server ID, is -1: every shard.
func ShardOf(scope string, count int) int {
	id, err := strconv.ParseUint(scope, 10, 64)
	if err != nil || count < 1 {
		return -1
	}
	return int((id >> 22) % uint64(count))
}
