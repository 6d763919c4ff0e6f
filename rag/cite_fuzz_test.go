package rag

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/briefbot/briefbot/corpus"
)

const fuzzFixedBody = "The EU named “a group of hackers known as APT40 and APT31” on Monday.\n\n" +
	"Nato said it \"took note\" of the statements. Officials [2] declined to comment… Later, ‘sources’ said more."

// FuzzCheckCitations holds CheckCitations to its contract whatever the
// model writes, over passages of a fuzzed article and a fixed one:
//   - citations are numbered 1..n in order and each [n] appears in the text;
//   - a verified citation's Quote is non-empty, is exactly
//     Article.Body[Start:End], and lies inside one given passage of that
//     article;
//   - an unverified citation has an empty Quote at a given passage's start;
//   - every double quote mark in the text (" “ ” „) belongs to a shown
//     verified quote: “…” whose pieces (split at " … ") are stored text of a
//     verified citation, white space collapsed. (Single quotes are not
//     checked: ’ is also the apostrophe.)
func FuzzCheckCitations(f *testing.F) {
	f.Add(`The EU named "a group of hackers known as APT40 and APT31" [1].`, "Plain body. Second sentence here.")
	f.Add("It “took note” [2] and “never said this” [1] [9].", "")
	f.Add(`"APT40 … APT31" [1, 2] and "declined to comment...Later" [3]`, "Quotes “inside” the body, and \"more\".")
	f.Fuzz(func(t *testing.T, answer, body string) {
		if !utf8.ValidString(answer) || !utf8.ValidString(body) {
			return
		}
		hits := fuzzHits(body)
		text, cites := CheckCitations(answer, hits)
		for i, c := range cites {
			if c.N != i+1 || !strings.Contains(text, "["+itoa(c.N)+"]") {
				t.Fatalf("citation %d numbered %d, or [%d] missing from %q", i, c.N, c.N, text)
			}
			if !inAPassage(c, hits) {
				t.Fatalf("citation %+v is not inside a given passage", c)
			}
		}
		if rest := stripVerifiedQuotes(text, cites); strings.ContainsAny(rest, "\"“”„") {
			t.Fatalf("quote marks around unverified text: %q\n(left after removing verified quotes: %q)", text, rest)
		}
	})
}

func fuzzHits(body string) []Hit {
	var hits []Hit
	for _, a := range []corpus.Article{{ID: "fuzz", Title: "t", Body: body}, {ID: "fixed", Title: "t", Body: fuzzFixedBody}} {
		art := a
		for _, p := range corpus.Split(art) {
			hits = append(hits, Hit{Passage: p, Article: &art})
		}
	}
	return hits
}

func inAPassage(c Citation, hits []Hit) bool {
	for _, h := range hits {
		p, a := h.Passage, h.Article
		if a.ID != c.ArticleID {
			continue
		}
		if c.Verified && c.Quote != "" && a.Body[c.Start:c.End] == c.Quote && p.Start <= c.Start && c.End <= p.End {
			return true
		}
		if !c.Verified && c.Quote == "" && c.Start == p.Start && c.End == p.Start {
			return true
		}
	}
	return false
}

// stripVerifiedQuotes removes from text every “…” that shows a verified
// citation's stored text (the longest such span at each “), and returns
// what is left.
func stripVerifiedQuotes(text string, cites []Citation) string {
	var shown []string
	for _, c := range cites {
		if c.Verified {
			shown = append(shown, strings.Join(strings.Fields(c.Quote), " "))
		}
	}
	var out strings.Builder
	for i := 0; i < len(text); {
		if strings.HasPrefix(text[i:], "“") {
			if end := longestShown(text, i+len("“"), shown); end > 0 {
				i = end
				continue
			}
		}
		r, w := utf8.DecodeRuneInString(text[i:])
		out.WriteRune(r)
		i += w
	}
	return out.String()
}

// longestShown returns the end (past ”) of the longest “inner” starting at
// from whose pieces are all within one shown quote, or 0.
func longestShown(text string, from int, shown []string) int {
	best := 0
	for j := from; j < len(text); j++ {
		if !strings.HasPrefix(text[j:], "”") {
			continue
		}
		inner := text[from:j]
		for _, s := range shown {
			ok := inner != ""
			for _, piece := range strings.Split(inner, " … ") {
				ok = ok && piece != "" && strings.Contains(s, piece)
			}
			if ok {
				best = j + len("”")
				break
			}
		}
	}
	return best
}
