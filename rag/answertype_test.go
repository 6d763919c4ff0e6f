package rag

import (
	"context"
	"strings"
	"testing"
)

// TestAnswerTypeFirst: for how many / when / who / where questions, the
// first quote is a sentence on the topic that holds a number, a date, a
// person or a place the question does not already name.
func TestAnswerTypeFirst(t *testing.T) {
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	tests := []struct {
		question, wantFirst string
	}{
		{"How many Chinese hackers were indicted?", "indictment of four Chinese hackers"},
		{"Who said China has irresponsible behaviour in cyberspace?", "Antony Blinken"},
		{"Where is the Chinese embassy that called the accusations unfounded?", "New Zealand"},
	}
	for _, tc := range tests {
		t.Run(tc.question, func(t *testing.T) {
			ans, err := e.Answer(context.Background(), Question{Text: tc.question})
			if err != nil {
				t.Fatal(err)
			}
			if len(ans.Citations) == 0 || !strings.Contains(ans.Citations[0].Quote, tc.wantFirst) {
				t.Errorf("first quote of %q, want one with %q", ans.Text, tc.wantFirst)
			}
		})
	}
}

func TestTypeOf(t *testing.T) {
	tests := []struct {
		q    string
		want answerType
	}{
		{"How many Chinese hackers were indicted?", numberAnswer},
		{"How much did the bidder pay?", numberAnswer},
		{"When did the strike end?", dateAnswer},
		{"In what year was the law passed?", dateAnswer},
		{"Who succeeded the queen?", personAnswer},
		{"Where is the newly reopened monument?", placeAnswer},
		{"Which country recently declared an internal armed conflict?", placeAnswer},
		{"What did NATO say about China?", anyAnswer},
	}
	for _, tc := range tests {
		if got := typeOf(tc.q); got != tc.want {
			t.Errorf("typeOf(%q) = %d, want %d", tc.q, got, tc.want)
		}
	}
}
