package rag

import (
	"context"
	"fmt"
	"testing"

	"github.com/briefbot/briefbot/corpus"
)

// TestNamedSource asks about a story several publishers covered: a
// question naming one of them ranks its report first, whatever the
// others' wording; a question naming none, or using a source's name as a
// plain word, keeps the ranking on words.
func TestNamedSource(t *testing.T) {
	ctx := context.Background()
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	arts := []corpus.Article{
		{ID: "verge", Source: "The Verge", Title: "The crypto exchange trial opens",
			Body: "The founder of the crypto exchange went on trial on Tuesday and denied fraud."},
		{ID: "fortune", Source: "Fortune", Title: "Lawyers swap opening statements",
			Body: "Prosecutors said the founder of the exchange lied to investors, as the trial began in New York."},
		{ID: "age", Source: "The Age", Title: "A quiet week for the exchange",
			Body: "Trading on the exchange was quiet this week, brokers said."},
		{ID: "cnbc", Source: "Cnbc | World Business News Leader", Title: "Seven counts",
			Body: "The crypto exchange founder faces seven counts of fraud at his trial."},
	}
	for i := range 20 { // other stories, so that the story's words are rare
		arts = append(arts, corpus.Article{ID: fmt.Sprintf("other-%d", i), Source: "Other News",
			Title: fmt.Sprintf("Harvest report %d", i), Body: fmt.Sprintf("Farmers brought in harvest number %d early this autumn.", i)})
	}
	for _, a := range arts {
		if _, _, err := e.Add(ctx, a, corpus.AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct{ question, first string }{
		{"What did the crypto exchange founder say at the trial?", "verge"},
		{"What did Fortune report about the crypto exchange founder's trial?", "fortune"},
		{"According to the 'Fortune' article, what did the crypto exchange founder's trial hear?", "fortune"},
		{"What did CNBC say about the crypto exchange founder's trial?", "cnbc"},
		{"Did the crypto exchange founder stand trial in the age of fortune?", "verge"}, // lower case: plain words
	}
	for _, tc := range tests {
		t.Run(tc.question, func(t *testing.T) {
			ans, err := e.Answer(ctx, Question{Text: tc.question})
			if err != nil {
				t.Fatal(err)
			}
			if len(ans.Passages) == 0 || ans.Passages[0].Article.ID != tc.first {
				var got []string
				for _, h := range ans.Passages {
					got = append(got, h.Article.ID)
				}
				t.Errorf("ranked %v, want %s first", got, tc.first)
			}
		})
	}
}

func TestSourceName(t *testing.T) {
	tests := []struct {
		src, question string
		named         bool
	}{
		{"Fortune", "Did the Fortune article say so?", true},
		{"Fortune", "Did he make a fortune?", false},
		{"The Verge", "What did The Verge report?", true},
		{"The Verge", "What did the Verge report?", true},
		{"The Verge", "Was the deal on the verge of collapse?", false},
		{"The Independent - Sports", "What did the Independent say?", true},
		{"Cnbc | World Business News Leader", "What did CNBC say?", true},
		{"cnn.com", "What did CNN say?", true},
		{"The Age", "What did The Age report?", true},
		{"The Age", "In the Age of AI, who leads?", true}, // capitalised: read as the name
		{"The Age", "What is the age of the king?", false},
		{"The", "What did The Times say?", false}, // stopwords name nothing
	}
	for _, tc := range tests {
		t.Run(tc.src+"/"+tc.question, func(t *testing.T) {
			name := sourceName(tc.src)
			if got := len(name) > 0 && containsName(casedWords(tc.question), name); got != tc.named {
				t.Errorf("named = %v, want %v (name %q)", got, tc.named, name)
			}
		})
	}
}

// TestSourceAndDateFrameTheAnswer: a question that names an article by its
// source and date is answered from it, although its sentences repeat
// neither.
func TestSourceAndDateFrameTheAnswer(t *testing.T) {
	ctx := context.Background()
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	arts := []corpus.Article{{ID: "tc", Source: "TechCrunch", Title: "Exchange trial, day three", Published: day("2023-10-06"),
		Body: "The founder of the exchange denied every charge of fraud in court on Thursday."}}
	for i := range 20 {
		arts = append(arts, corpus.Article{ID: fmt.Sprintf("other-%d", i), Source: "Other News", Published: day("2023-09-01"),
			Title: fmt.Sprintf("Harvest report %d", i), Body: fmt.Sprintf("Farmers brought in harvest number %d early this autumn.", i)})
	}
	for _, a := range arts {
		if _, _, err := e.Add(ctx, a, corpus.AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	ans, err := e.Answer(ctx, Question{Text: "According to the TechCrunch report published on October 6, 2023, what was denied?"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Refused || ans.Citations[0].ArticleID != "tc" {
		t.Errorf("%q (confidence %.2f), want a quote of the TechCrunch article", ans.Text, ans.Confidence)
	}
}
