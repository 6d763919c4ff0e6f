package rag

import (
	"context"
	"math"
	"testing"

	"github.com/briefbot/briefbot/corpus"
)

func TestCalibrated(t *testing.T) {
	tests := []struct {
		name     string
		coverage float64
		n        int
		unknown  bool
		want     float64
	}{
		{"five sentences", 0.5, 5, false, 0.5},
		{"many sentences lower it", 0.5, 25, false, 0.5 * math.Pow(5, -0.2)},
		{"one sentence raises it", 0.5, 1, false, 0.5 * math.Pow(5, 0.2)},
		{"an unknown name lowers it", 0.5, 5, true, 0.4},
		{"at most 1", 0.9, 1, false, 1},
		{"no sentence", 0, 0, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := calibrated(tc.coverage, tc.n, tc.unknown); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("calibrated(%v, %d, %v) = %v, want %v", tc.coverage, tc.n, tc.unknown, got, tc.want)
			}
		})
	}
}

// TestUnknownName: a question naming something no briefing mentions is
// answered with less confidence than the same question naming what they
// cover, by the factor of calibrated and the name's own uncovered weight.
func TestUnknownName(t *testing.T) {
	ctx := context.Background()
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	if _, _, err := e.Add(ctx, corpus.Article{ID: "port", Title: "Port news", Body: "The Rotterdam harbour reopened on Tuesday after the storm, the port authority said."}, corpus.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		question string
		unknown  bool
	}{
		{"When did the Rotterdam harbour reopen?", false},
		{"When did the Zeebrugge harbour reopen?", true},
		{"When did the zeebrugge harbour reopen?", false},  // not written as a name
		{"Zeebrugge: when did the harbour reopen?", false}, // the first word may be capitalised for the sentence
	}
	for _, tc := range tests {
		t.Run(tc.question, func(t *testing.T) {
			r, err := e.retrieve(ctx, Question{Text: tc.question}, 5, RetrieveHybrid)
			if err != nil {
				t.Fatal(err)
			}
			if r.unknownName != tc.unknown {
				t.Errorf("unknown name = %v, want %v", r.unknownName, tc.unknown)
			}
		})
	}
}
