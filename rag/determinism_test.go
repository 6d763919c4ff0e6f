package rag

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/corpus"
)

// wordlessCorpus is 60 short council reports that share most of their
// words, a separator-only article section, and an article whose only
// sentence is stopwords ("And they're off!").
func wordlessCorpus() []corpus.Article {
	var arts []corpus.Article
	towns := []string{"Leeds", "York", "Hull", "Bath", "Ely", "Wells"}
	for i := range 60 {
		town := towns[i%len(towns)]
		arts = append(arts, corpus.Article{
			ID: fmt.Sprintf("council-%02d", i), Title: fmt.Sprintf("%s council vote %d", town, i),
			Published: day("2024-05-01").AddDate(0, 0, i%9),
			Body: fmt.Sprintf("The %s council voted on the budget for the harbour and the library.\n\n=====\n\n"+
				"Members of the council debated the budget for %d hours before the vote.", town, 2+i%4),
		})
	}
	arts = append(arts,
		corpus.Article{ID: "race", Title: "", Published: day("2024-05-03"), Body: "And they're off!"},
		corpus.Article{ID: "rule", Title: "Council minutes", Published: day("2024-05-04"),
			Body: strings.Repeat("The council budget vote passed after a long debate on the harbour. ", 12) +
				"\n\n## Scores\n\n=====\n\n## Next\n\n" + strings.Repeat("The library budget was left for the next council vote. ", 12)},
	)
	return arts
}

// TestSameRankingEveryRun builds the index afresh 20 times and asks the
// same question each time: the ranking, scores and answer must be the
// same every time, no score may be NaN, and the JSON of the answer must
// encode. A passage without a ranking word once got an all-zero vector,
// which chromem-go turned into NaN, and ranks changed from run to run.
func TestSameRankingEveryRun(t *testing.T) {
	ctx := context.Background()
	var first string
	for run := range 20 {
		e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
		for _, r := range e.AddMany(ctx, wordlessCorpus(), corpus.AddOptions{}) {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
		}
		ans, err := e.Answer(ctx, Question{Text: "What did the council vote on?", K: 10})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := json.Marshal(ans); err != nil {
			t.Fatalf("run %d: answer does not encode as JSON: %v", run, err)
		}
		var b strings.Builder
		for _, h := range ans.Passages {
			if math.IsNaN(h.Score) || math.IsInf(h.Score, 0) {
				t.Fatalf("run %d: passage %s scored %v", run, h.Passage.ID, h.Score)
			}
			if !strings.ContainsFunc(h.Passage.Text, func(r rune) bool { return r >= 'a' && r <= 'z' }) {
				t.Errorf("run %d: passage %s is a separator: %q", run, h.Passage.ID, h.Passage.Text)
			}
			fmt.Fprintf(&b, "%s %.12f\n", h.Passage.ID, h.Score)
		}
		b.WriteString(ans.Text)
		if quotes := map[string]bool{}; len(ans.Citations) > 0 {
			for _, c := range ans.Citations {
				if quotes[c.Quote] {
					t.Errorf("run %d: %q quoted twice", run, c.Quote)
				}
				quotes[c.Quote] = true
			}
		}
		if len(ans.Passages) != 10 {
			t.Fatalf("run %d: %d passages, want 10", run, len(ans.Passages))
		}
		if run == 0 {
			first = b.String()
		} else if got := b.String(); got != first {
			t.Fatalf("run %d ranks differently from run 0:\n%s\nrun 0:\n%s", run, got, first)
		}
	}
}

// TestNoPassageWithoutAVector checks that a passage of stopwords is still
// embedded with a direction, so the vector side can score it, and that a
// body of separators gives no passage at all.
func TestNoPassageWithoutAVector(t *testing.T) {
	emb := NewLocalEmbedder(0)
	vs, _ := emb.Embed(context.Background(), []string{"And they're off!", "★★★", ""})
	for i, v := range vs {
		if !usable(v) {
			t.Errorf("text %d: vector is zero or NaN", i)
		}
	}
	if ps := corpus.Split(corpus.Article{ID: "sep", Body: "=====\n\n-----\n\n* * *"}); len(ps) != 0 {
		t.Errorf("separators gave %d passages, want none", len(ps))
	}
}
