package rag

import (
	"context"
	"fmt"
	"testing"

	"github.com/briefbot/briefbot/corpus"
)

// TestWording asks the same questions as a user might word them: British
// or American spelling, a name or its acronym, a typo, polite filler, an
// emoji. Each must get the answer the plain wording gets.
func TestWording(t *testing.T) {
	ctx := context.Background()
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	arts := []corpus.Article{{ID: "harbour", Title: "Rotterdam harbour reopens", Published: day("2024-03-05"),
		Body: "The harbour in Rotterdam reopened on Tuesday after the storm passed, the port authority said."}}
	for i := range 30 { // names and words the questions share, in other contexts
		arts = append(arts, corpus.Article{ID: fmt.Sprintf("other-%d", i), Title: fmt.Sprintf("European Union budget talks %d", i),
			Body: fmt.Sprintf("The European Union groups of ministers met for round %d of budget talks on farm subsidies.", i)})
	}
	mustAdd(t, e, arts...)
	const eu, harbour = "Which hacker groups did the EU denounce?", "When did the Rotterdam harbour reopen?"
	tests := []struct {
		name, plain, question string
	}{
		{"expansion of an acronym", eu, "Which hacker groups did the European Union denounce?"},
		{"American spelling", harbour, "When did the Rotterdam harbor reopen?"},
		{"British spelling", "Who has destabilizing behavior in cyberspace?", "Who has destabilising behaviour in cyberspace?"},
		{"typo", eu, "Which hacker groups did the EU denounse?"},
		{"letter left out", eu, "Which hacker groups did the EU denonce?"},
		{"typo by a neighbouring key", harbour, "When did the Rotterdam harbour reooen?"},
		{"swapped letters", eu, "Which hacker gruops did the EU denounce?"},
		{"polite filler", eu, "Tell me please, which hacker groups did the EU denounce?"},
		{"emoji", eu, "Which hacker groups did the EU denounce? 🤔🇪🇺"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want, err := e.Answer(ctx, Question{Text: tc.plain})
			if err != nil || want.Refused {
				t.Fatalf("plain wording %q: %q, %v", tc.plain, want.Text, err)
			}
			ans, err := e.Answer(ctx, Question{Text: tc.question})
			if err != nil {
				t.Fatal(err)
			}
			if ans.Text != want.Text || ans.Passages[0].Passage.ID != want.Passages[0].Passage.ID {
				t.Errorf("%q: %q, want the answer to %q: %q", tc.question, ans.Text, tc.plain, want.Text)
			}
			if ans.Confidence < want.Confidence {
				t.Errorf("%q: confidence %.3f, below the plain wording's %.3f", tc.question, ans.Confidence, want.Confidence)
			}
		})
	}
	// Only the corpus's own words: an unknown word is not bent into one.
	ans, _ := e.Answer(ctx, Question{Text: "What did Peru say about its llama exports?"})
	if !ans.Refused {
		t.Errorf("unknown topic answered: %q", ans.Text)
	}
}

// TestRespell: an unknown word becomes the corpus's word one typo away,
// and is left alone where that word is more likely another word than a
// typo of it.
func TestRespell(t *testing.T) {
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	mustAdd(t, e, corpus.Article{ID: "words", Title: "Words",
		Body: "The minister denounced the plan within minutes. The singing animals aims at switches."})
	tests := []struct{ typed, want string }{
		{"denonce", "denounced"},  // a letter left out of a long stem
		{"denounse", "denounced"}, // a slip of the finger
		{"minted", "minted"},      // not "minutes": one letter longer than a short stem is another word
		{"single", "single"},      // not "singing"
		{"animal", "animal"},      // the stem "anim" is known: left to the stem terms
		{"witches", "witches"},    // never the first letter
	}
	e.index.mu.RLock()
	shards, _ := e.index.visible(nil)
	st := combine(shards)
	e.index.mu.RUnlock()
	for _, tc := range tests {
		if got := e.fitWords(st, []string{tc.typed}, tc.typed); len(got) != 1 || got[0] != tc.want {
			t.Errorf("fitWords(%q) = %q, want %q", tc.typed, got, tc.want)
		}
	}
}
