package rag

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/corpus"
)

// TestDamagedCacheOfOnePassageRebuilt deletes the cached vector of one
// passage of a many-passage article and shortens another's to a different
// dimension: the next New embeds exactly those two passages, logs it,
// keeps the other passages' vectors, and ranks as before.
func TestDamagedCacheOfOnePassageRebuilt(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	emb := &countingEmbedder{LocalEmbedder: NewLocalEmbedder(0)}
	e, store := newTestEngine(t, dir, emb)
	a, err := store.Get(ctx, nil, "eu-china-cyber")
	if err != nil {
		t.Fatal(err)
	}
	ps := corpus.Split(a)
	if len(ps) < 3 {
		t.Fatalf("the sample has %d passages; the test needs an article with several", len(ps))
	}
	const q = "Which hacker groups did the EU denounce?"
	before, err := e.Rank(ctx, Question{Text: q, K: 5}, RetrieveVectors)
	if err != nil {
		t.Fatal(err)
	}
	store.Close()

	db, err := sql.Open("sqlite", filepath.Join(dir, corpus.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `DELETE FROM embeddings WHERE hash = ?`, corpus.TextHash(ps[0].Text))
	mustExec(t, db, `UPDATE embeddings SET vector = x'0000803f0000803f' WHERE hash = ?`, corpus.TextHash(ps[2].Text))
	db.Close()

	store, err = corpus.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var logs bytes.Buffer
	emb.texts.Store(0)
	e, err = New(ctx, store, emb, Config{}, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("New after damage: %v", err)
	}
	if n := emb.texts.Load(); n != 2 {
		t.Errorf("re-embedded %d passages, want the 2 damaged ones", n)
	}
	if !strings.Contains(logs.String(), "embedding stored passages") || !strings.Contains(logs.String(), "passages=2") {
		t.Errorf("no log line about re-embedding 2 passages:\n%s", logs.String())
	}
	after, err := e.Rank(ctx, Question{Text: q, K: 5}, RetrieveVectors)
	if err != nil {
		t.Fatalf("vector search after the rebuild: %v", err)
	}
	if len(after) != len(before) {
		t.Fatalf("%d hits after the rebuild, %d before", len(after), len(before))
	}
	for i := range after {
		if after[i].Passage.ID != before[i].Passage.ID {
			t.Errorf("rank %d: %s, before the damage %s", i, after[i].Passage.ID, before[i].Passage.ID)
		}
	}
	emb.texts.Store(0)
	if _, err := New(ctx, store, emb, Config{}, nil); err != nil || emb.texts.Load() != 0 {
		t.Errorf("the start after the repair embedded %d texts (err %v), want 0", emb.texts.Load(), err)
	}
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	res, err := db.Exec(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%s changed %d rows, want 1", q, n)
	}
}
