package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// block is a stretch of an article body that no sentence and no passage
// crosses: a paragraph (lines up to a blank line) or a Markdown heading line.
// start and end exclude surrounding whitespace.
type block struct {
	start, end int
	heading    bool // a Markdown "#" heading line
}

// blocks splits text into paragraphs and Markdown heading lines. Headings
// count only outside fenced code, where "# " starts a shell comment.
func blocks(text string) []block {
	var out []block
	para := block{start: -1}
	flush := func() {
		if para.start >= 0 {
			out = append(out, para)
		}
		para = block{start: -1}
	}
	inFence := false
	for pos := 0; pos < len(text); {
		lineEnd := strings.IndexByte(text[pos:], '\n')
		if lineEnd < 0 {
			lineEnd = len(text)
		} else {
			lineEnd += pos
		}
		line := text[pos:lineEnd]
		trimmed := strings.TrimSpace(line)
		lead := pos + strings.Index(line, trimmed)
		switch {
		case trimmed == "":
			flush()
		case !inFence && isMarkdownHeading(line):
			flush()
			out = append(out, block{start: lead, end: lead + len(trimmed), heading: true})
		default:
			if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
				inFence = !inFence
			}
			if para.start < 0 {
				para.start = lead
			}
			para.end = lead + len(trimmed)
		}
		pos = lineEnd + 1
	}
	flush()
	return out
}

// isMarkdownHeading reports whether line is an ATX heading: up to three
// spaces, one to six '#', then a space or the end of the line. "#1 seed"
// and "#hashtag" are not headings.
func isMarkdownHeading(line string) bool {
	s := strings.TrimLeft(line, " ")
	if len(line)-len(s) > 3 {
		return false
	}
	n := len(s) - len(strings.TrimLeft(s, "#"))
	if n < 1 || n > 6 {
		return false
	}
	rest := s[n:]
	return strings.TrimSpace(rest) == "" || rest[0] == ' ' || rest[0] == '\t'
}

// Sentences returns the byte ranges [start, end) of the sentences of text, in
// order; a range never includes surrounding whitespace. A sentence ends at
// '.', '!', '?' or an ellipsis followed by whitespace and a word that does not
// start in lower case, with any closing quotes and brackets kept
// ("…said.’"). Abbreviations (Mr., U.S., Jan., e.g.), initials ("J. K."),
// "No. 1" and decimals do not end a sentence. A paragraph break or a Markdown
// heading line always does. A fragment without letters or digits (a stray
// quote mark) joins the sentence before it, so that no sentence is empty of
// words. The rules are heuristics for English news text: they favour
// keeping a sentence whole over splitting at every full stop, because a cut
// sentence makes a misleading quote.
func Sentences(text string) [][2]int {
	var out [][2]int
	for _, b := range blocks(text) {
		if b.heading {
			out = append(out, [2]int{b.start, b.end})
			continue
		}
		out = append(out, sentencesIn(text, b.start, b.end)...)
	}
	return out
}

// sentencesIn splits the paragraph text[start:end] into sentences.
func sentencesIn(text string, start, end int) [][2]int {
	var out [][2]int
	sentStart := start
	for i := start; i < end; {
		r, size := utf8.DecodeRuneInString(text[i:end])
		if !isTerminal(r) {
			i += size
			continue
		}
		j := skipWhile(text, i, end, isTerminal)
		punctEnd := j
		j = skipWhile(text, j, end, isCloser)
		next, _ := utf8.DecodeRuneInString(text[j:end])
		if j == end || !unicode.IsSpace(next) {
			i = j
			continue
		}
		k := skipWhile(text, j, end, unicode.IsSpace)
		if endsSentence(text, sentStart, i, punctEnd, k) {
			out = appendSentence(text, out, sentStart, j)
			sentStart = k
		}
		i = k
	}
	return appendSentence(text, out, sentStart, end)
}

// appendSentence adds text[start:end] as a sentence, or extends the previous
// sentence of the paragraph when the fragment has no letter or digit.
func appendSentence(text string, out [][2]int, start, end int) [][2]int {
	if start >= end {
		return out
	}
	if len(out) > 0 && !strings.ContainsFunc(text[start:end], isWordRune) {
		out[len(out)-1][1] = end
		return out
	}
	return append(out, [2]int{start, end})
}

// endsSentence decides whether the terminal punctuation text[punct:punctEnd]
// of the sentence starting at sentStart ends it, given that the next word
// starts at next.
func endsSentence(text string, sentStart, punct, punctEnd, next int) bool {
	r, _ := utf8.DecodeRuneInString(text[next:])
	if unicode.IsLower(r) {
		return false
	}
	if text[punct:punctEnd] != "." {
		return true
	}
	word := text[sentStart:punct]
	if sp := strings.LastIndexFunc(word, unicode.IsSpace); sp >= 0 {
		word = word[sp+1:]
	}
	word = strings.ToLower(strings.TrimLeftFunc(word, isOpener))
	switch {
	case abbreviations[word], isInitials(word):
		return false
	case numberAbbreviations[word] && unicode.IsDigit(r):
		return false
	}
	return true
}

// abbreviations never end a sentence when followed by a full stop: titles,
// and month names ("Jan. 6"), as they are usually followed by a name or a day.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "st": true, "jr": true,
	"sr": true, "prof": true, "gen": true, "gov": true, "sen": true, "rep": true,
	"lt": true, "col": true, "capt": true, "cmdr": true, "sgt": true, "adm": true,
	"maj": true, "rev": true, "hon": true, "pres": true, "supt": true, "det": true,
	"insp": true, "mt": true, "ft": true, "vs": true, "al": true, "approx": true,
	"dept": true, "est": true, "fig": true, "jan": true, "feb": true, "mar": true,
	"apr": true, "jun": true, "jul": true, "aug": true, "sep": true, "sept": true,
	"oct": true, "nov": true, "dec": true,
}

// numberAbbreviations end no sentence when a number follows ("No. 1").
var numberAbbreviations = map[string]bool{
	"no": true, "nos": true, "vol": true, "p": true, "pp": true, "art": true, "ch": true,
}

// isInitials reports whether word (lower-cased, without its final dot) is an
// initial ("j") or dotted letters ("u.s", "e.g", "a.m").
func isInitials(word string) bool {
	if word == "" {
		return false
	}
	for part := range strings.SplitSeq(word, ".") {
		if utf8.RuneCountInString(part) != 1 || !unicode.IsLetter([]rune(part)[0]) {
			return false
		}
	}
	return true
}

func isTerminal(r rune) bool { return r == '.' || r == '!' || r == '?' || r == '…' }

func isCloser(r rune) bool {
	return strings.ContainsRune("\"'’”)]»*_", r)
}

func isOpener(r rune) bool {
	return strings.ContainsRune("\"'‘“([«*_", r)
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// skipWhile returns the first position from i (at most end) whose rune does
// not satisfy f.
func skipWhile(text string, i, end int, f func(rune) bool) int {
	for i < end {
		r, size := utf8.DecodeRuneInString(text[i:end])
		if !f(r) {
			break
		}
		i += size
	}
	return i
}
