package rag

import (
	"context"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/corpus"
)

// TestAntecedentNamesTheSubject: a brief names its subject once and then
// refers back to it; the sentence matching the question is quoted with
// the one that names what it refers to.
func TestAntecedentNamesTheSubject(t *testing.T) {
	ctx := context.Background()
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	mustAdd(t, e, []corpus.Article{
		{ID: "lobster", Title: "Restaurant closures", Body: "Red Lobster is abruptly closing at least 48 restaurants in the US. " +
			"The chain has also tapped a restructuring expert as its chief executive, a possible indicator of an impending bankruptcy."},
		{ID: "film", Title: "Oscar nominations", Body: "The film, starring Adrien Brody, has been nominated for 10 Oscars, including Best Picture. " +
			"\"The Brutalist\" follows the journey of a Holocaust survivor migrating to the U.S. after the war."},
		{ID: "pick", Title: "Ticket", Body: "Harris chose Tim Walz as her running mate on Tuesday. " +
			"The pick came after weeks of vetting of candidates for the vice presidential slot."},
	}...)
	tests := []struct{ question, want string }{
		{"Which chain restaurant tapped a restructuring expert ahead of an impending bankruptcy?", "Red Lobster"}, // the sentence before
		{"Which film has been nominated for 10 Oscars?", "The Brutalist"},                                         // the sentence after, when none is before
		{"What happened after weeks of vetting for the vice presidential slot?", "Tim Walz"},                      // any kind of question
	}
	for _, tc := range tests {
		t.Run(tc.question, func(t *testing.T) {
			ans, err := e.Answer(ctx, Question{Text: tc.question})
			if err != nil {
				t.Fatal(err)
			}
			if ans.Refused || len(ans.Citations) < 2 || strings.Contains(ans.Citations[0].Quote, tc.want) || !strings.Contains(ans.Citations[1].Quote, tc.want) {
				t.Errorf("%q, want the matching sentence first, then the one naming %q", ans.Text, tc.want)
			}
		})
	}
}

func TestRefersBack(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"The chain has also tapped a restructuring expert.", true},
		{"It picked up five Oscars.", true},
		{"“They said no,” she added.", true},
		{"This move angered investors.", true},
		{"The US is facing an emergency blood shortage.", false},
		{"The National Crime Agency says most of the haul comes from abroad.", false},
		{"Google lost a massive antitrust lawsuit.", false},
		{"Items", false},
	}
	for _, tc := range tests {
		if got := refersBack(tc.s); got != tc.want {
			t.Errorf("refersBack(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}
