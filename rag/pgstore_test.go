package rag

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/corpus/pgtest"
)

// newPGEngine opens the PostgreSQL store at url and an engine over it,
// adding the bundled sample to an empty store.
func newPGEngine(t *testing.T, url string, emb Embedder, logger *slog.Logger) (*Engine, *corpus.PGStore) {
	t.Helper()
	ctx := context.Background()
	store, err := corpus.OpenPG(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e, err := New(ctx, store, emb, Config{}, logger)
	if err != nil {
		t.Fatal(err)
	}
	if empty, _ := store.IsEmpty(ctx); empty {
		samples, err := corpus.Samples()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range samples {
			if _, _, err := e.Add(ctx, s, corpus.AddOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return e, store
}

// TestDamagedCacheRebuiltPostgres is TestDamagedCacheOfOnePassageRebuilt
// on PostgreSQL: one cached vector deleted, one of another dimension; the
// next start embeds exactly those two, logs it and ranks as before.
func TestDamagedCacheRebuiltPostgres(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	emb := &countingEmbedder{LocalEmbedder: NewLocalEmbedder(0)}
	e, store := newPGEngine(t, url, emb, nil)
	a, err := store.Get(ctx, nil, "eu-china-cyber")
	if err != nil {
		t.Fatal(err)
	}
	ps := corpus.Split(a)
	const q = "Which hacker groups did the EU denounce?"
	before, err := e.Rank(ctx, Question{Text: q, K: 5}, RetrieveVectors)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []struct {
		sql  string
		args []any
	}{
		{`DELETE FROM embeddings WHERE hash = $1`, []any{corpus.TextHash(ps[0].Text)}},
		{`UPDATE embeddings SET vector = '\x0000803f0000803f' WHERE hash = $1`, []any{corpus.TextHash(ps[2].Text)}},
	} {
		if tag, err := conn.Exec(ctx, stmt.sql, stmt.args...); err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("%s: %v, %d rows", stmt.sql, err, tag.RowsAffected())
		}
	}
	conn.Close(ctx)

	var logs bytes.Buffer
	emb.texts.Store(0)
	e, _ = newPGEngine(t, url, emb, slog.New(slog.NewTextHandler(&logs, nil)))
	if n := emb.texts.Load(); n != 2 {
		t.Errorf("re-embedded %d passages, want the 2 damaged ones", n)
	}
	if !strings.Contains(logs.String(), "passages=2") {
		t.Errorf("no log line about re-embedding 2 passages:\n%s", logs.String())
	}
	after, err := e.Rank(ctx, Question{Text: q, K: 5}, RetrieveVectors)
	if err != nil || len(after) != len(before) {
		t.Fatalf("after the rebuild: %d hits, %v; before %d", len(after), err, len(before))
	}
	for i := range after {
		if after[i].Passage.ID != before[i].Passage.ID {
			t.Errorf("rank %d: %s, before the damage %s", i, after[i].Passage.ID, before[i].Passage.ID)
		}
	}
	emb.texts.Store(0)
	if newPGEngine(t, url, emb, nil); emb.texts.Load() != 0 {
		t.Errorf("the start after the repair embedded %d texts, want 0", emb.texts.Load())
	}
}
