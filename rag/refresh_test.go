package rag

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/corpus/pgtest"
)

// TestChangesReachOtherEngines: two engines (two processes) on one
// PostgreSQL database, each keeping the global scope and one server. A
// global article added through one is answered by the other within 2 s;
// a server's article reaches only the engine keeping that server; its
// removal is seen too. A restart loads only the kept scopes.
func TestChangesReachOtherEngines(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := pgtest.URL(t)
	const g0, g1 = "81384788765712384", "111111111111111111" // shards 0 and 1 of 2
	open := func(shard int) (*Engine, *corpus.PGStore) {
		store, err := corpus.OpenPG(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		keep := func(scope string) bool { return corpus.ShardOf(scope, 2) == shard }
		e, err := New(ctx, store, NewLocalEmbedder(0), Config{Keep: keep}, nil)
		if err != nil {
			t.Fatal(err)
		}
		listening := make(chan struct{}, 1)
		go store.Listen(ctx, slog.New(slog.DiscardHandler), func(c corpus.Change) {
			if _, err := e.Apply(ctx, c); err != nil && ctx.Err() == nil {
				t.Errorf("apply %+v: %v", c, err)
			}
			if c.Resync() {
				select {
				case listening <- struct{}{}:
				default: // a later resync: nobody waits for it
				}
			}
		})
		select { // the first resync says it listens
		case <-listening:
		case <-time.After(10 * time.Second):
			t.Fatal("not listening within 10 s")
		}
		return e, store
	}
	e0, _ := open(0)
	e1, _ := open(1)
	add := func(e *Engine, id, scope, body string) {
		if _, _, err := e.Add(ctx, corpus.Article{ID: id, Scope: scope, Title: id, Body: body}, corpus.AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	answers := func(e *Engine, scope, q, want string) bool {
		ans, err := e.Answer(ctx, Question{Text: q, Scopes: []string{scope}})
		return err == nil && strings.Contains(ans.Text, want)
	}
	eventually := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(2 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("not within 2 s: %s", what)
			}
		}
	}
	add(e0, "ferry", corpus.GlobalScope, "The harbour ferry resumes service on Monday after repairs to its hull.")
	eventually("engine 1 answers from the global article engine 0 added", func() bool {
		return answers(e1, g1, "When does the harbour ferry resume service?", "resumes service on Monday")
	})
	add(e1, "tram", g1, "The council approved a tram line to the airport costing 120 million euros.")
	eventually("engine 1 answers in its own server", func() bool {
		return answers(e1, g1, "How much will the airport tram line cost?", "120 million euros")
	})
	time.Sleep(200 * time.Millisecond)
	if got := e0.PassagesByScope()[g1]; got != 0 {
		t.Errorf("engine 0 holds %d passages of a server of shard 1", got)
	}
	if _, err := e0.Remove(ctx, nil, "ferry"); err != nil {
		t.Fatal(err)
	}
	eventually("engine 1 stops answering from the removed article", func() bool {
		return !answers(e1, g1, "When does the harbour ferry resume service?", "resumes service on Monday")
	})
	e0b, _ := open(0) // a restart of process 0
	if n := e0b.PassagesByScope(); n[g1] != 0 || n[corpus.GlobalScope] != 0 {
		t.Errorf("process 0 after a restart holds %v; want nothing of shard 1, no removed article", n)
	}
}

// TestResyncAfterListenerLost: the LISTEN connection of a following
// engine is terminated by the server; an article is added and another
// removed through another process's store before it reconnects, so neither
// change is announced to it. Once it listens again, it answers from the
// new article and no longer from the removed one, having refreshed exactly
// those two; a further resync finds nothing to do.
func TestResyncAfterListenerLost(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := pgtest.URL(t)
	writer, _ := newPGEngine(t, url, NewLocalEmbedder(0), nil)
	follower, store := newPGEngine(t, url, NewLocalEmbedder(0), nil)
	resynced := make(chan int, 10)
	listening := make(chan struct{})
	go func() {
		defer close(listening)
		store.Listen(ctx, slog.New(slog.DiscardHandler), func(c corpus.Change) {
			n, err := follower.Apply(ctx, c)
			if err != nil {
				t.Errorf("apply %+v: %v", c, err)
			}
			if c.Resync() {
				resynced <- n
			}
		})
	}()
	defer func() { cancel(); <-listening }()
	nextResync := func() int {
		t.Helper()
		select {
		case n := <-resynced:
			return n
		case <-time.After(10 * time.Second):
			t.Fatal("no resync within 10 s of (re)connecting")
			return 0
		}
	}
	if n := nextResync(); n != 0 {
		t.Errorf("first resync of an engine just loaded refreshed %d articles, want 0", n)
	}
	add := func(id, body string) {
		t.Helper()
		if _, _, err := writer.Add(ctx, corpus.Article{ID: id, Scope: corpus.GlobalScope, Title: id, Body: body}, corpus.AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	answers := func(q, want string) bool {
		ans, err := follower.Answer(ctx, Question{Text: q})
		return err == nil && strings.Contains(ans.Text, want)
	}
	eventually := func(what string, within time.Duration, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(within); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("not within %v: %s", within, what)
			}
		}
	}
	const ferryQ, ferryA = "When does the harbour ferry resume service?", "resumes service on Monday"
	const tramQ, tramA = "How much will the airport tram line cost?", "120 million euros"
	add("ferry", "The harbour ferry resumes service on Monday after repairs to its hull.")
	eventually("the follower answers an announced add", 2*time.Second, func() bool { return answers(ferryQ, ferryA) })

	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.WithoutCancel(ctx))
	listeners := func() int {
		var n int
		if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE application_name = $1 AND datname = current_database()`, corpus.ListenerName).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE application_name = $1 AND datname = current_database()`, corpus.ListenerName); err != nil {
		t.Fatal(err)
	}
	eventually("the listener's backend is gone", 5*time.Second, func() bool { return listeners() == 0 })
	add("tram", "The council approved a tram line to the airport costing 120 million euros.")
	if _, err := writer.Remove(ctx, nil, "ferry"); err != nil {
		t.Fatal(err)
	}
	if listeners() != 0 {
		t.Fatal("the listener reconnected before both changes were made (it waits 1 s): they were announced, nothing to resync")
	}
	eventually("the follower answers the article added while it was not listening", 10*time.Second,
		func() bool { return answers(tramQ, tramA) })
	eventually("the follower no longer answers the article removed while it was not listening", 2*time.Second,
		func() bool { return !answers(ferryQ, ferryA) })
	if n := nextResync(); n != 2 {
		t.Errorf("the resync after reconnecting refreshed %d articles, want 2 (one added, one removed)", n)
	}
	if n, err := follower.Resync(ctx); n != 0 || err != nil {
		t.Errorf("a second resync refreshed %d articles (%v), want 0: nothing changed", n, err)
	}
}
