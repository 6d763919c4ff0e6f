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
		out.Citations = append(out.Citations, jsonCitation{N: c.N, ArticleID: c.ArticleID, Title: c.Title,
			URL: c.URL, Published: day(c), Quote: c.Quote, Start: c.Start, End: c.End, Verified: c.Verified})
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

// renderText is the answer as a person reads it in a terminal.
func renderText(a rag.Answer) string {
	var b strings.Builder
	b.WriteString(a.Text + "\n")
	if a.Note != "" {
		b.WriteString("\n(" + a.Note + ")\n")
	}
	if len(a.Citations) > 0 {
		b.WriteString("\nSources:\n")
	}
	for _, c := range a.Citations {
		fmt.Fprintf(&b, "[%d] %s", c.N, c.Title)
		if d := day(c); d != "" {
			if c.DateGuessed {
				d += " (date added)"
			}
			b.WriteString(" — " + d)
		}
		if c.Source != "" {
			b.WriteString(" — " + c.Source)
		}
		if c.URL != "" {
			b.WriteString(" — " + c.URL)
		}
		if !c.Verified {
			b.WriteString(" (quote not verified)")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// plural writes a count with its noun: "1 passage", "3 passages".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
