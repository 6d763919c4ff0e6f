package main

import (
	"fmt"
	"strings"

	"github.com/briefbot/briefbot/rag"
)

// jsonAnswer is the answer format other tools read (keep it exactly).
type jsonAnswer struct {
	ID        any            `json:"id"`
	Question  string         `json:"question"`
	Answer    string         `json:"answer"`
	Refused   bool           `json:"refused"`
	Mode      string         `json:"mode"`
	Note      string         `json:"note,omitempty"`
	Citations []jsonCitation `json:"citations"`
	Passages  []jsonPassage  `json:"passages"`
	Usage     *rag.Usage     `json:"usage,omitempty"`
}

type jsonCitation struct {
	N         int    `json:"n"`
	ArticleID string `json:"article_id"`
	Title     string `json:"title"`
	URL       string `json:"url"`
	Published string `json:"published"`
	Quote     string `json:"quote"`
	Start     int    `json:"start"`
	End       int    `json:"end"`
	Verified  bool   `json:"verified"`
	// Spans are the byte ranges of the article body a verified quote
	// shows: one per piece of a quote spliced with "…"; empty when not
	// verified.
	Spans []jsonSpan `json:"spans"`
}

type jsonSpan struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

type jsonPassage struct {
	ArticleID string  `json:"article_id"`
	PassageID string  `json:"passage_id"`
	Score     float64 `json:"score"`
	Text      string  `json:"text"`
}

func toJSON(id any, a rag.Answer) jsonAnswer {
	out := jsonAnswer{ID: id, Question: a.Question, Answer: a.Text, Refused: a.Refused, Mode: a.Mode,
		Note: a.Note, Usage: a.Usage, Citations: []jsonCitation{}, Passages: []jsonPassage{}}
	for _, c := range a.Citations {
		jc := jsonCitation{N: c.N, ArticleID: c.ArticleID, Title: c.Title, URL: c.URL, Published: day(c),
			Quote: c.Quote, Start: c.Start, End: c.End, Verified: c.Verified, Spans: []jsonSpan{}}
		for _, sp := range c.Spans {
			jc.Spans = append(jc.Spans, jsonSpan{Start: sp.Start, End: sp.End})
		}
		out.Citations = append(out.Citations, jc)
	}
	for _, h := range a.Passages {
		out.Passages = append(out.Passages, jsonPassage{ArticleID: h.Passage.ArticleID,
			PassageID: h.Passage.ID, Score: h.Score, Text: h.Passage.Text})
	}
	return out
}

func day(c rag.Citation) string {
	if c.Published.IsZero() {
		return ""
	}
	return c.Published.Format("2006-01-02")
}

// maxTitle is how much of a title text output shows, on one line.
const maxTitle = 120

// renderText is the answer as a person reads it in a terminal: model and
// article text with control characters escaped, then each cited article
// once under Sources, with the numbers that cite it.
func renderText(a rag.Answer) string {
	var b strings.Builder
	b.WriteString(termText(a.Text) + "\n")
	if a.Note != "" {
		b.WriteString("\n(" + termLine(a.Note, 500) + ")\n")
	}
	groups := citedArticles(a.Citations)
	if len(groups) > 0 {
		b.WriteString("\nSources:\n")
	}
	for _, g := range groups {
		c := g[0]
		var nums, unverified []string
		for _, gc := range g {
			nums = append(nums, fmt.Sprintf("[%d]", gc.N))
			if !gc.Verified {
				unverified = append(unverified, fmt.Sprintf("[%d]", gc.N))
			}
		}
		b.WriteString(strings.Join(nums, "") + " " + termLine(c.Title, maxTitle))
		if d := day(c); d != "" {
			if c.DateGuessed {
				d += " (date added)"
			}
			b.WriteString(" — " + d)
		}
		if c.Source != "" {
			b.WriteString(" — " + termLine(c.Source, 80))
		}
		if c.URL != "" {
			b.WriteString(" — " + termLine(c.URL, 500))
		}
		switch {
		case len(unverified) == len(g):
			b.WriteString(" (quote not verified)")
		case len(unverified) > 0:
			b.WriteString(" (" + strings.Join(unverified, "") + " not verified)")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// citedArticles groups citations by article, in order of first citation,
// so that each article is listed once.
func citedArticles(cs []rag.Citation) [][]rag.Citation {
	var groups [][]rag.Citation
	at := map[string]int{}
	for _, c := range cs {
		i, ok := at[c.ArticleID]
		if !ok {
			i = len(groups)
			at[c.ArticleID] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], c)
	}
	return groups
}

// plural writes a count with its noun: "1 passage", "3 passages".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
