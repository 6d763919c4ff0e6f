package rag

import (
	"context"
	"strings"
	"testing"
)

// TestFollowUpInThread asks a thread's follow-up that names little of its
// own: it must be answered from the thread's topic and its own words
// together, with what is new rather than the previous answer again.
func TestFollowUpInThread(t *testing.T) {
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	ctx := context.Background()
	first, err := e.Answer(ctx, Question{Text: "What did NATO say about China?"})
	if err != nil || first.Refused {
		t.Fatalf("first question: %q, %v", first.Text, err)
	}
	tests := []struct {
		name, question string
		want           string
	}{
		{"and how did China respond", "and how did China respond?", "firmly denied"},
		{"what about the hackers", "What about the hackers?", "hackers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ans, err := e.Answer(ctx, Question{Text: tc.question,
				History: []Turn{{Question: "What did NATO say about China?", Answer: first.Text}}})
			if err != nil {
				t.Fatal(err)
			}
			if ans.Refused || !strings.Contains(ans.Text, tc.want) {
				t.Errorf("got %q, want a quote with %q", ans.Text, tc.want)
			}
		})
	}
	for _, tc := range []struct{ before, question string }{
		{"What did NATO say about China?", "and how did Peru respond?"},
		{"What did Peru say about its llama exports?", "and how did China respond?"}, // China alone is covered
	} {
		ans, _ := e.Answer(ctx, Question{Text: tc.question,
			History: []Turn{{Question: tc.before, Answer: notCoveredSentence}}})
		if !ans.Refused {
			t.Errorf("%q after %q: answered %q, want a refusal (the thread's topic is not covered)", tc.question, tc.before, ans.Text)
		}
	}
}
