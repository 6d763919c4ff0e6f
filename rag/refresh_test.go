package rag

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

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
		go store.Listen(ctx, slog.New(slog.DiscardHandler), func(c corpus.Change) {
			if err := e.Refresh(ctx, c.Scope, c.ID); err != nil {
				t.Errorf("refresh: %v", err)
			}
		})
		return e, store
	}
	e0, _ := open(0)
	e1, _ := open(1)
	time.Sleep(300 * time.Millisecond) // both listen
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
