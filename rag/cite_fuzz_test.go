package rag

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/corpus"
)

const fuzzFixedBody = "The EU named “a group of hackers known as APT40 and APT31” on Monday.\n\n" +
	"Nato said it \"took note\" of the statements. Officials [2] declined to comment… Later, ‘sources’ said more."

// fuzzStyles are the quotation styles a fuzzed quote is wrapped in: every
// pair the checker must recognise, and a Markdown block quote.
var fuzzStyles = [][2]string{
	{`"`, `"`}, {"“", "”"}, {"„", "“"}, {"‘", "’"}, {"'", "'"}, {"‚", "‘"}, {"«", "»"}, {"»", "«"},
	{"‹", "›"}, {"＂", "＂"}, {"「", "」"}, {"『", "』"}, {"\n> ", "\n"}, {"« ", " »"},
	{"‟", "”"}, {"〝", "〞"}, {"❝", "❞"}, {"❛", "❜"}, {"｢", "｣"}, {"﹁", "﹂"}, {"﹃", "﹄"}, {"＇", "＇"}, {"‛", "’"},
}

var fuzzEllipses = []string{" … ", "...", " [...] ", "(…)", " . . . "}

// FuzzCheckCitations holds checkCitations to its contract whatever the
// model writes, over passages of a fuzzed article and a fixed one. The
// answer is the fuzzed text followed by a quote built from two fuzzed
// ranges of the body, joined by an ellipsis and wrapped in one of the
// quotation styles, so splices and every style are generated:
//   - citations are numbered 1..n in order and each [n] appears in the text;
//   - a verified citation's Quote is exactly Article.Body[Start:End] inside
//     one given passage, and its Spans run in order from Start to End;
//     the spans of a quote of several pieces lie in one sentence of that
//     passage;
//   - an unverified citation has an empty Quote at a given passage's start;
//   - outside the verified quotes as shown (“…”, pieces joined by " … "),
//     the text holds no quote mark that is never an apostrophe, no ' or ’
//     opening a word, and no line starting with ">".
func FuzzCheckCitations(f *testing.F) {
	f.Add(`The EU named "a group of hackers known as APT40 and APT31" [1].`, "Plain body. Second sentence here.", uint8(0), uint16(0), uint16(5), uint16(6), uint16(20))
	f.Add("It “took note” [2] and “never said this” [1] [9].", "", uint8(3), uint16(1), uint16(9), uint16(9), uint16(30))
	f.Add(`"APT40 … APT31" [1, 2] and "declined to comment...Later" [3]`, "Quotes “inside” the body, and \"more\".", uint8(12), uint16(0), uint16(30), uint16(31), uint16(60))
	f.Add("> block [1]\n'x' don't", "One two three four five. Six seven eight nine ten.", uint8(4), uint16(0), uint16(14), uint16(15), uint16(24))
	f.Fuzz(func(t *testing.T, answer, body string, style uint8, a, b, c, d uint16) {
		if !utf8.ValidString(answer) || !utf8.ValidString(body) {
			return
		}
		answer += fuzzQuote(body, style, a, b, c, d)
		hits := fuzzHits(body)
		text, cites := checkCitations(answer, hits)
		for i, c := range cites {
			if c.N != i+1 || !strings.Contains(text, "["+itoa(c.N)+"]") {
				t.Fatalf("citation %d numbered %d, or [%d] missing from %q", i, c.N, c.N, text)
			}
			if !inAPassage(c, hits) {
				t.Fatalf("citation %+v is not inside a given passage, or its pieces are not in one sentence", c)
			}
		}
		if bad := unverifiedQuoteMark(text, cites); bad != "" {
			t.Fatalf("quote mark around unverified text in %q: %s", text, bad)
		}
	})
}

// fuzzQuote builds " <open>piece1<ellipsis>piece2<close> [1]" from body.
func fuzzQuote(body string, style uint8, a, b, c, d uint16) string {
	if body == "" {
		return ""
	}
	cut := func(i, j uint16) string {
		s, e := int(i)%len(body), int(j)%(len(body)+1)
		if s > e {
			s, e = e, s
		}
		for s > 0 && !utf8.RuneStart(body[s]) {
			s--
		}
		for e < len(body) && !utf8.RuneStart(body[e]) {
			e++
		}
		return body[s:e]
	}
	st := fuzzStyles[int(style)%len(fuzzStyles)]
	inner := cut(a, b)
	if style&0x80 != 0 {
		inner += fuzzEllipses[int(style>>4)%len(fuzzEllipses)] + cut(c, d)
	}
	return " " + st[0] + inner + st[1] + " [1]"
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
		if c.Verified && c.Quote != "" && a.Body[c.Start:c.End] == c.Quote && p.Start <= c.Start && c.End <= p.End &&
			spansTile(c) && (len(c.Spans) == 1 || inOneSentence(c.Spans, a.Body, p)) {
			return true
		}
		if !c.Verified && c.Quote == "" && c.Start == p.Start && c.End == p.Start {
			return true
		}
	}
	return false
}

// inOneSentence reports whether all spans lie in one sentence of p.
func inOneSentence(spans []Span, body string, p corpus.Passage) bool {
	for _, s := range corpus.Sentences(body[p.Start:p.End]) {
		lo, hi := p.Start+s[0], p.Start+s[1]
		if lo <= spans[0].Start && spans[len(spans)-1].End <= hi {
			return true
		}
	}
	return false
}

// neverApostrophe are the quotation marks of every style that are not
// also apostrophes.
const neverApostrophe = "\"“”„‟«»‹›＂「」『』‚‘〝〞〟‛❝❞❛❜｢｣﹁﹂﹃﹄＇"

// unverifiedQuoteMark describes the first quote mark of text outside the
// verified quotes as shown, or returns "".
func unverifiedQuoteMark(text string, cites []Citation) string {
	masked := make([]bool, len(text))
	for _, c := range cites {
		if !c.Verified {
			continue
		}
		var pieces []string
		for _, sp := range c.Spans {
			pieces = append(pieces, strings.Join(strings.Fields(c.Quote[sp.Start-c.Start:sp.End-c.Start]), " "))
		}
		shown := "“" + strings.Join(pieces, " … ") + "”"
		for from := 0; ; {
			i := strings.Index(text[from:], shown)
			if i < 0 {
				break
			}
			for j := from + i; j < from+i+len(shown); j++ {
				masked[j] = true
			}
			from += i + len(shown)
		}
	}
	lineStart := true
	for i, r := range text {
		if masked[i] {
			lineStart = false
			continue
		}
		prev, _ := utf8.DecodeLastRuneInString(text[:i])
		next, _ := utf8.DecodeRuneInString(text[i+utf8.RuneLen(r):])
		switch {
		case strings.ContainsRune(neverApostrophe, r):
			return "mark " + string(r) + " at byte " + itoa(i)
		case (r == '\'' || r == '’') && (i == 0 || !isLetterOrDigit(prev)) && isLetterOrDigit(next):
			return "word-opening " + string(r) + " at byte " + itoa(i)
		case lineStart && r == '>':
			return "block quote at byte " + itoa(i)
		}
		lineStart = r == '\n' || lineStart && (r == ' ' || r == '\t' || unicode.Is(unicode.Cf, r))
	}
	return ""
}

func isLetterOrDigit(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
