package main

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/rag"
)

const realtimeQADocs = "../../../shared/eval/realtimeqa/docs.jsonl"

// buildBinary compiles briefbot once for tests that need a real process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "briefbot")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestKillDuringIngest kills `briefbot ingest` with SIGKILL at random
// moments; afterwards the store must open, list and ask must work, and
// every listed article must be whole: all its passages stored and found.
func TestKillDuringIngest(t *testing.T) {
	if _, err := os.Stat(realtimeQADocs); err != nil {
		t.Skip("../shared/eval is absent")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	for round := range 3 {
		dir := t.TempDir()
		cmd := exec.Command(bin, "ingest", "--data", dir, realtimeQADocs)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(300+rand.IntN(1200)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		n := checkWhole(t, dir)
		t.Logf("round %d: %d articles present after kill -9", round, n)
	}
}

func checkWhole(t *testing.T, dir string) int {
	t.Helper()
	out, _, err := cli(t, dir, "", nil, "list", "--json")
	if err != nil {
		t.Fatalf("list after kill: %v", err)
	}
	var listed []jsonListed
	if err := json.Unmarshal([]byte(out), &listed); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store := openTestStore(t, dir)
	defer store.Close()
	engine, err := rag.New(ctx, store, rag.NewLocalEmbedder(0), rag.Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range listed {
		a, err := store.Get(ctx, nil, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		ps := corpus.Split(a)
		if len(ps) != l.Passages {
			t.Fatalf("%s: %d passages stored, want %d", l.ID, l.Passages, len(ps))
		}
		// The longest passage: first passages are often boilerplate shared
		// by a whole series ("Get '5 Things' in your inbox").
		longest := ps[0].Text
		for _, p := range ps {
			if len(p.Text) > len(longest) {
				longest = p.Text
			}
		}
		hits, err := engine.Rank(ctx, rag.Question{Text: longest, K: 10}, rag.RetrieveHybrid)
		if err != nil {
			t.Fatal(err)
		}
		if !hasArticle(hits, l.ID) && !hasText(hits, longest) {
			t.Errorf("%s: its own first passage does not find it", l.ID)
		}
	}
	if _, _, err := cli(t, dir, "", nil, "ask", "What happened to the Queen?"); err != nil {
		t.Fatalf("ask after kill: %v", err)
	}
	return len(listed)
}

// hasText reports whether a hit has exactly this text: news series repeat
// whole paragraphs, and a present copy proves the text is searchable.
func hasText(hits []rag.Hit, text string) bool {
	for _, h := range hits {
		if h.Passage.Text == text {
			return true
		}
	}
	return false
}

func hasArticle(hits []rag.Hit, id string) bool {
	for _, h := range hits {
		if h.Passage.ArticleID == id {
			return true
		}
	}
	return false
}
