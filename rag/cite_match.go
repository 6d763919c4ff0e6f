package rag

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/corpus"
)

// passageIndex is a passage's text folded for matching, with its
// sentences as ranges of the folded text.
type passageIndex struct {
	f         folded
	sentences [][2]int
}

func indexPassage(text string) passageIndex {
	f := fold(text)
	px := passageIndex{f: f}
	for _, sent := range corpus.Sentences(text) {
		for _, s := range splitItems(text, sent) {
			lo, hi := sort.SearchInts(f.start, s[0]), sort.SearchInts(f.start, s[1])
			if lo < hi {
				px.sentences = append(px.sentences, [2]int{lo, hi})
			}
		}
	}
	return px
}

// listItem matches a line that starts a list item ("- ", "* ", "+ ", "• ",
// "1. ", "2) ") or a table row ("|").
var listItem = regexp.MustCompile(`^[ \t]*(?:[-*+•]\s|\d{1,3}[.)]\s|\|)`)

// splitItems cuts a sentence s of text at each line that starts a list
// item or table row, or follows a table row: items often end without a
// full stop, and "…" must not join two of them into one claim.
func splitItems(text string, s [2]int) [][2]int {
	var out [][2]int
	start := s[0]
	for i := s[0]; i < s[1]; i++ {
		if text[i] != '\n' {
			continue
		}
		prevLine := text[strings.LastIndexByte(text[:i], '\n')+1 : i]
		if listItem.MatchString(text[i+1:s[1]]) || strings.HasSuffix(strings.TrimSpace(prevLine), "|") {
			out = append(out, [2]int{start, i})
			start = i + 1
		}
	}
	return append(out, [2]int{start, s[1]})
}

// find looks for the folded pieces of a quote and returns their spans in
// the passage text. One piece may lie anywhere; several must lie in order
// within one sentence.
func (px passageIndex) find(pieces []string) ([]Span, bool) {
	if px.f.s == "" {
		return nil, false
	}
	if len(pieces) == 1 {
		i := findWords(px.f.s, pieces[0], 0, len(px.f.s))
		if i < 0 {
			return nil, false
		}
		s, e := px.f.span(i, i+len(pieces[0]))
		return []Span{{s, e}}, true
	}
	for _, sent := range px.sentences {
		if spans, ok := px.findIn(pieces, sent[0], sent[1]); ok {
			return spans, true
		}
	}
	return nil, false
}

// findIn finds the pieces in order within the folded range [from, to).
func (px passageIndex) findIn(pieces []string, from, to int) ([]Span, bool) {
	spans := make([]Span, 0, len(pieces))
	for _, p := range pieces {
		i := findWords(px.f.s, p, from, to)
		if i < 0 {
			return nil, false
		}
		s, e := px.f.span(i, i+len(p))
		spans = append(spans, Span{s, e})
		from = i + len(p)
	}
	return spans, true
}

// folded is text in the form quotes are matched in: lower case, runs of
// white space as one space, quote marks of every style as " or ', "…" as
// "...", dashes as "-", zero-width characters gone. start and end map each
// byte of s back to the source rune it came from, so a match is a byte
// range of the stored text.
type folded struct {
	s          string
	start, end []int
}

func fold(src string) folded {
	var f folded
	var b strings.Builder
	space := true // drop leading space
	emit := func(s string, i, w int) {
		b.WriteString(s)
		for range len(s) {
			f.start = append(f.start, i)
			f.end = append(f.end, i+w)
		}
	}
	for i := 0; i < len(src); {
		r, w := utf8.DecodeRuneInString(src[i:])
		switch {
		case unicode.IsSpace(r):
			if !space {
				emit(" ", i, w)
			}
			space = true
			i += w
			continue
		case r == '\u00ad' || r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff':
		case strings.ContainsRune("‘’‚‛′ʼ`‹›❛❜＇", r):
			emit("'", i, w)
		case strings.ContainsRune("“”„‟″«»＂「」『』〝〞〟❝❞｢｣﹁﹂﹃﹄", r):
			emit(`"`, i, w)
		case r == '…':
			emit("...", i, w)
		case strings.ContainsRune("‐‑‒–—―", r):
			emit("-", i, w)
		default:
			emit(string(unicode.ToLower(r)), i, w)
		}
		space = false
		i += w
	}
	f.s = b.String()
	return f
}

// span maps the folded match s[i:j] back to a source byte range.
func (f folded) span(i, j int) (int, int) { return f.start[i], f.end[j-1] }

// ellipsis splits a model's quote where it skipped words.
var ellipsis = regexp.MustCompile(`\[\s*(?:\.\s*\.\s*\.|…)\s*\]|\(\s*(?:\.\s*\.\s*\.|…)\s*\)|\.\s*\.\s*\.|…`)

// quotePieces folds the pieces of a quote, edges trimmed of space and
// punctuation (models move a comma or full stop inside the quote marks).
// Pieces with no letter or digit are dropped.
func quotePieces(q string) []string {
	var out []string
	for _, p := range ellipsis.Split(q, -1) {
		p = strings.TrimFunc(p, func(r rune) bool {
			return unicode.IsSpace(r) || (unicode.IsPunct(r) && r != '%')
		})
		if strings.IndexFunc(p, isWordRune) < 0 {
			continue
		}
		out = append(out, fold(p).s)
	}
	return out
}

// countWords counts the words of s that hold a letter or digit.
func countWords(s string) int {
	n := 0
	for _, w := range strings.Fields(s) {
		if strings.IndexFunc(w, isWordRune) >= 0 {
			n++
		}
	}
	return n
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// findWords finds needle in hay[from:to], starting and ending on word
// boundaries of hay ("ina has" is not found in "china has"). It returns
// -1 when there is no such match.
func findWords(hay, needle string, from, to int) int {
	for from <= to-len(needle) {
		i := strings.Index(hay[from:to], needle)
		if i < 0 {
			return -1
		}
		i += from
		if boundary(hay, i, needle, true) && boundary(hay, i+len(needle), needle, false) {
			return i
		}
		from = i + 1
	}
	return -1
}

// boundary reports whether position i of hay is a word boundary for the
// needle's first (or last) rune.
func boundary(hay string, i int, needle string, atStart bool) bool {
	var edge, out rune
	if atStart {
		edge, _ = utf8.DecodeRuneInString(needle)
		if i == 0 {
			return true
		}
		out, _ = utf8.DecodeLastRuneInString(hay[:i])
	} else {
		edge, _ = utf8.DecodeLastRuneInString(needle)
		if i >= len(hay) {
			return true
		}
		out, _ = utf8.DecodeRuneInString(hay[i:])
	}
	return !isWordRune(edge) || !isWordRune(out)
}
