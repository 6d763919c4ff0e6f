package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestDevSets asks every question of every dev set: every quote must be
// the stored text at its offsets, and hybrid recall@5 must be at least
// that of a plain BM25 over the same passages, measured in the same run.
func TestDevSets(t *testing.T) {
	sets, _ := filepath.Glob("../../../shared/eval/*/questions.jsonl")
	if len(sets) == 0 {
		t.Skip("../shared/eval is absent")
	}
	for _, qpath := range sets {
		name := filepath.Base(filepath.Dir(qpath))
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			cfg, _ := loadConfig(func(string) string { return "" })
			qs, err := readQuestions(qpath)
			if err != nil {
				t.Fatal(err)
			}
			a, cleanup, err := evalApp(ctx, cfg, filepath.Join(filepath.Dir(qpath), "docs.jsonl"), stdio{err: os.Stderr})
			if err != nil {
				t.Fatal(err)
			}
			defer cleanup()
			rep, err := evaluate(ctx, a.engine, qs, 5, a.bodies)
			if err != nil {
				t.Fatal(err)
			}
			if rep.NQuotes == 0 || rep.Verbatim != 1 {
				t.Errorf("quote verbatim rate %.3f over %d quotes, want 1", rep.Verbatim, rep.NQuotes)
			}
			byMode := map[string]retrievalMetrics{}
			for _, m := range rep.Retrieval {
				byMode[m.Mode] = m
			}
			if h, b := byMode["hybrid"].RecallK, byMode["bm25-plain"].RecallK; h < b {
				t.Errorf("hybrid recall@5 %.3f < plain BM25 %.3f", h, b)
			}
			t.Logf("recall@5 hybrid %.3f plain %.3f; refusal %.3f false refusal %.3f",
				byMode["hybrid"].RecallK, byMode["bm25-plain"].RecallK, rep.Refusal, rep.FalseRefusal)
		})
	}
}
