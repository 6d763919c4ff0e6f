package rag

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/corpus"
)

// TestAcronymsBothWays: a name in the question ranks on the acronym the
// briefings use for it, and an acronym on the name they spell out, both
// only as the corpus itself uses them.
func TestAcronymsBothWays(t *testing.T) {
	ctx := context.Background()
	store, err := corpus.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	e, err := New(ctx, store, NewLocalEmbedder(0), Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	arts := []corpus.Article{
		{ID: "farm", Title: "Farm deal", Body: "European Union ministers agreed on new farm subsidies in Brussels on Monday."},
		{ID: "tariffs", Title: "Trade deal", Body: "Trade ministers agreed on new steel tariffs in Tokyo on Monday."},
		{ID: "reactor", Title: "Reactor check", Body: "The reactor was found intact by inspectors of the IAEA after the flood."},
		{ID: "nato", Title: "Summit", Body: "The North Atlantic Treaty Organization (NATO) met in Vilnius to discuss air defence."},
		{ID: "verge", Source: "The Verge", Title: "Chips", Body: "Engineers in VT tested a new chip for phones."},
		{ID: "techcrunch", Source: "TechCrunch", Title: "Startups", Body: "A startup raised money for a new phone chip."},
	}
	for i := range 20 {
		arts = append(arts, corpus.Article{ID: fmt.Sprintf("other-%d", i), Title: fmt.Sprintf("Harvest %d", i),
			Body: fmt.Sprintf("Farmers brought in harvest number %d early, ministers said.", i)})
	}
	mustAdd(t, e, arts...)
	shards, _ := e.index.visible(nil)
	stats := combine(shards)
	tests := []struct {
		question string
		want     string // "short=name words", or "" for none
	}{
		{"What did EU ministers agree on?", "eu=european union"},                                             // spelled out only
		{"What did the International Atomic Energy Agency find?", "iaea=international atomic energy agency"}, // acronym only
		{"When did NATO meet?", "nato=north atlantic treaty organization"},                                   // both in one passage
		{"When did the North Atlantic Treaty Organization meet?", "nato=north atlantic treaty organization"},
		{"What did The Verge and TechCrunch report on chips?", ""}, // VT is something else here
		{"What did the WTO rule?", ""},                             // no such name in the corpus
	}
	for _, tc := range tests {
		t.Run(tc.question, func(t *testing.T) {
			var got []string
			for _, a := range append(acronyms(stats, e.index.alive, tc.question), expansions(stats, e.index.alive, tc.question)...) {
				got = append(got, a.short+"="+strings.Join(a.words, " "))
			}
			if want := strings.Fields(tc.want); len(want) == 0 && len(got) > 0 || len(want) > 0 && !slices.Contains(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	// What a user sees: the acronym finds the sentence that spells the name out.
	for question, want := range map[string]string{
		"What did EU ministers agree on?":                                  "farm",
		"What did the International Atomic Energy Agency inspectors find?": "reactor",
	} {
		ans, err := e.Answer(ctx, Question{Text: question})
		if err != nil {
			t.Fatal(err)
		}
		if ans.Refused || ans.Citations[0].ArticleID != want {
			t.Errorf("%q: %q, want a quote of %s", question, ans.Text, want)
		}
	}
}

// TestNameRunsEndAtPunctuation: a list of names is several names, so the
// question's "UK" finds "the United Kingdom, New Zealand".
func TestNameRunsEndAtPunctuation(t *testing.T) {
	tests := []struct{ text, want string }{
		{"the United Kingdom, New Zealand, NATO and even Canada", "uk united kingdom|nz new zealand"},
		{"the Bank of England said", "be bank england"}, // "of" joins a name
		{"Nearly 100,000 Arizona voters", ""},
		{"Red Cross; World Health Organization.", "rc red cross|who world health organization"},
	}
	for _, tc := range tests {
		var got []string
		nameRuns(tc.text, func(initials string, words []string) {
			got = append(got, initials+" "+strings.Join(words, " "))
		})
		if strings.Join(got, "|") != tc.want {
			t.Errorf("nameRuns(%q) = %q, want %q", tc.text, strings.Join(got, "|"), tc.want)
		}
	}
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	ans, err := e.Answer(context.Background(), Question{Text: "What did the UK say?"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Refused || !strings.Contains(ans.Text, "United Kingdom") {
		t.Errorf("%q, want the sample's sentence naming the United Kingdom", ans.Text)
	}
}
