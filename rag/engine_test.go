package rag

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/briefbot/briefbot/corpus"
)

// countingEmbedder counts the texts it is asked to embed.
type countingEmbedder struct {
	*LocalEmbedder
	texts atomic.Int64
}

func (c *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	c.texts.Add(int64(len(texts)))
	return c.LocalEmbedder.Embed(ctx, texts)
}

// newTestEngine opens a store in dir with the bundled sample in it.
func newTestEngine(t *testing.T, dir string, emb Embedder) (*Engine, *corpus.Store) {
	t.Helper()
	ctx := context.Background()
	store, err := corpus.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e, err := New(ctx, store, emb, Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	empty, err := store.IsEmpty(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if empty {
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

func TestAnswerSample(t *testing.T) {
	ctx := context.Background()
	e, store := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	tests := []struct {
		question  string
		wantQuote string // "" means a refusal
	}{
		{"Which hacker groups did the EU denounce?", "APT40 and APT31"},
		{"Who accused the Chinese authorities of protecting the perpetrators?", "President Joe Biden"},
		{"What did NATO say about China?", "took note"},
		{"What is the capital of Peru?", ""},
		{"Who won the 2018 football world cup?", ""},
	}
	for _, tc := range tests {
		t.Run(tc.question, func(t *testing.T) {
			ans, err := e.Answer(ctx, Question{Text: tc.question})
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantQuote == "" {
				if !ans.Refused || ans.Text != notCoveredSentence || len(ans.Citations) != 0 {
					t.Fatalf("got %q (refused %v, %d citations), want the refusal", ans.Text, ans.Refused, len(ans.Citations))
				}
				return
			}
			if ans.Refused || !strings.Contains(ans.Text, tc.wantQuote) || !strings.Contains(ans.Text, "[1]") {
				t.Fatalf("answer %q: want a quote containing %q with [1]", ans.Text, tc.wantQuote)
			}
			for _, c := range ans.Citations {
				a, err := store.Get(ctx, nil, c.ArticleID)
				if err != nil {
					t.Fatal(err)
				}
				if a.Body[c.Start:c.End] != c.Quote || !c.Verified || c.Title == "" || c.Published.IsZero() {
					t.Errorf("citation %d: quote %q is not body[%d:%d], or misses title/date", c.N, c.Quote, c.Start, c.End)
				}
			}
		})
	}
}

func TestAddRemoveRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	emb := &countingEmbedder{LocalEmbedder: NewLocalEmbedder(0)}
	e, _ := newTestEngine(t, dir, emb)
	body := "The city council of Lisbon approved a new tram line to Algés on Tuesday. " +
		"The line will cost 120 million euros and open in 2027, the mayor said."
	art := corpus.Article{ID: "lisbon-tram", Title: "Lisbon approves tram line", Body: body}
	if _, n, err := e.Add(ctx, art, corpus.AddOptions{}); err != nil || n != 1 {
		t.Fatalf("Add: %d passages, %v", n, err)
	}
	ask := func(e *Engine) Answer {
		ans, err := e.Answer(ctx, Question{Text: "How much will the Lisbon tram line cost?"})
		if err != nil {
			t.Fatal(err)
		}
		return ans
	}
	if ans := ask(e); ans.Refused || !strings.Contains(ans.Text, "120 million euros") {
		t.Fatalf("right after Add: %q", ans.Text)
	}
	before := emb.texts.Load()
	e2, _ := newTestEngine(t, dir, emb) // a restart on the same data directory
	if got := emb.texts.Load() - before; got != 0 {
		t.Errorf("restart embedded %d texts, want 0", got)
	}
	if ans := ask(e2); ans.Refused || !strings.Contains(ans.Text, "120 million euros") {
		t.Fatalf("after restart: %q", ans.Text)
	}
	if _, err := e2.Remove(ctx, nil, "lisbon-tram"); err != nil {
		t.Fatal(err)
	}
	if ans := ask(e2); !ans.Refused {
		t.Errorf("after Remove: got %q, want a refusal", ans.Text)
	}
	if _, err := e2.Remove(ctx, nil, "lisbon-tram"); !errors.Is(err, corpus.ErrNotFound) {
		t.Errorf("second Remove: got %v, want ErrNotFound", err)
	}
}

func TestChangeOfEmbedderReembeds(t *testing.T) {
	dir := t.TempDir()
	newTestEngine(t, dir, NewLocalEmbedder(256))
	emb := &countingEmbedder{LocalEmbedder: NewLocalEmbedder(128)}
	var progress []int
	store, err := corpus.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	e, err := New(context.Background(), store, emb, Config{Progress: func(done, total int) { progress = append(progress, done) }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if emb.texts.Load() == 0 || len(progress) == 0 {
		t.Fatalf("a new embedder embedded %d texts with progress %v; want the stored passages", emb.texts.Load(), progress)
	}
	ans, err := e.Answer(context.Background(), Question{Text: "Which hacker groups did the EU denounce?"})
	if err != nil || !strings.Contains(ans.Text, "APT40") {
		t.Fatalf("after re-embedding: %q, %v", ans.Text, err)
	}
}

func TestScopesFilterBeforeRanking(t *testing.T) {
	ctx := context.Background()
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	body := "The harbour authority of Valletta closed the northern quay after a crane collapsed on Friday."
	for _, g := range []string{"guildA", "guildB"} {
		a := corpus.Article{ID: "quay-" + g, Scope: g, Title: "Valletta quay closed", Body: body + " Reported for " + g + "."}
		if _, _, err := e.Add(ctx, a, corpus.AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ scope, own, other string }{{"guildA", "quay-guildA", "quay-guildB"}, {"guildB", "quay-guildB", "quay-guildA"}} {
		hits, err := e.Rank(ctx, Question{Text: "Why was the Valletta quay closed?", Scopes: []string{corpus.GlobalScope, tc.scope}, K: 10}, RetrieveHybrid)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || hits[0].Passage.ArticleID != tc.own {
			t.Fatalf("%s: top hit %v, want %s", tc.scope, hits, tc.own)
		}
		for _, h := range hits {
			if h.Passage.ArticleID == tc.other {
				t.Errorf("%s sees %s", tc.scope, tc.other)
			}
		}
	}
	hits, _ := e.Rank(ctx, Question{Text: "Why was the Valletta quay closed?", K: 10}, RetrieveHybrid)
	for _, h := range hits {
		if strings.HasPrefix(h.Passage.ArticleID, "quay-") {
			t.Errorf("global-only question sees %s", h.Passage.ArticleID)
		}
	}
}

func TestFollowUpUsesHistory(t *testing.T) {
	ctx := context.Background()
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	body := "Germany pledged four Patriot batteries to Ukraine on Monday.\n\n" +
		"Poland said it would send twelve howitzers to Ukraine next month."
	if _, _, err := e.Add(ctx, corpus.Article{ID: "aid", Title: "Military aid pledges", Body: body}, corpus.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	first := "What did Germany pledge to Ukraine?"
	ans, err := e.Answer(ctx, Question{Text: "and Poland?", History: []Turn{{Question: first, Answer: "Patriot batteries"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ans.Text, "twelve howitzers") {
		t.Errorf("follow-up answer %q, want the Poland sentence", ans.Text)
	}
}

// mustAdd adds the articles to e through the real store, failing the test
// on any error.
func mustAdd(t testing.TB, e *Engine, arts ...corpus.Article) {
	t.Helper()
	for _, a := range arts {
		if _, _, err := e.Add(context.Background(), a, corpus.AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}
