package rag

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Quote marks recognised, as opening mark → the marks that close it. A
// straight " is closed by " or ”, and closes a quote opened by “ or „
// (models mix them). Guillemets pair both ways round: «…» (French) and
// »…« (German, Danish).
var quoteMarks = map[rune]string{
	'"':  "\"”“",
	'“':  "”\"",
	'„':  "“”\"",
	'＂':  "＂",
	'«':  "»",
	'»':  "«",
	'‹':  "›",
	'›':  "‹",
	'「':  "」",
	'『':  "』",
	'‚':  "‘’",
	'‘':  "’",
	'\'': "'",
	'‟':  "”\"",
	'〝':  "〞〟",
	'❝':  "❞",
	'❛':  "❜",
	'｢':  "｣",
	'﹁':  "﹂",
	'﹃':  "﹄",
	'＇':  "＇",
	'‛':  "’",
}

// alwaysQuote are the marks that are never an apostrophe: outside a
// verified quote they are always removed. ’ and ' are apostrophes too, and
// are removed only where they open a word.
const alwaysQuote = "\"“”„‟«»‹›＂「」『』‚‘〝〞〟‛❝❞❛❜｢｣﹁﹂﹃﹄＇"

// apostrophes may also be apostrophes (it's, members’, ’90s).
func isApostrophe(r rune) bool { return r == '\'' || r == '’' }

// singleOpen reports whether r opens a quote that a double quote mark
// cancels: a ‘ or ' before a double quote was more likely an apostrophe
// than the start of a quote that contains it.
func singleOpen(r rune) bool { return r == '‘' || r == '\'' || r == '‚' }

// findQuotes pairs quote marks into quotes, in text order. A quote may not
// span a marker, a blank line or a block-quote line. Inside a quote, marks
// other than its closers are part of the quoted text, except that a double
// quote mark cancels a single quote that is still open. An ASCII ' opens
// only before a word and after a non-word (not in "it's"), and closes only
// after a non-space and before a non-word; ’ closes ‘ only when not
// followed by a word ("members’ statements"). A Markdown block-quote line
// ("> text") without quote marks of its own is a quote of its text up to
// its first marker. Marks left unpaired are removed later (see
// scrubQuoteMarks). Only s[from:to] is scanned.
func findQuotes(s string, from, to int, markers []marker) []quote {
	var quotes []quote
	openAt, openLen := -1, 0
	var closers string
	var opener rune
	mi := 0
	for i := from; i < to; {
		if i == 0 || s[i-1] == '\n' {
			if q, end, ok := blockQuote(s, i, markers, mi); ok || end > i {
				openAt = -1
				if ok {
					quotes = append(quotes, q)
				}
				i = end
				continue
			}
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		for mi < len(markers) && markers[mi].end <= i {
			mi++
		}
		switch {
		case mi < len(markers) && i >= markers[mi].start:
			openAt = -1
			i = markers[mi].end
			continue
		case r == '\n' && strings.HasPrefix(strings.TrimLeft(s[i+1:], " \t\r"), "\n"):
			openAt = -1
		case openAt >= 0 && strings.ContainsRune(closers, r) && closes(s, i, w, r):
			quotes = append(quotes, quote{open: openAt, innerStart: openAt + openLen, innerEnd: i, closeEnd: i + w})
			openAt = -1
		case openAt >= 0 && singleOpen(opener) && !singleOpen(r) && quoteMarks[r] != "":
			openAt, openLen, opener, closers = i, w, r, quoteMarks[r] // cancel the single quote
		case openAt < 0 && quoteMarks[r] != "" && opens(s, i, w, r):
			openAt, openLen, opener, closers = i, w, r, quoteMarks[r]
		}
		i += w
	}
	return quotes
}

// opens reports whether r at s[i:i+w] can open a quote.
func opens(s string, i, w int, r rune) bool {
	if r != '\'' {
		return true
	}
	return !wordBefore(s, i) && wordAt(s, i+w)
}

// closes reports whether r at s[i:i+w] can close the open quote.
func closes(s string, i, w int, r rune) bool {
	switch r {
	case '\'':
		prev, _ := utf8.DecodeLastRuneInString(s[:i])
		return i > 0 && !unicode.IsSpace(prev) && !wordAt(s, i+w)
	case '’':
		return !wordAt(s, i+w)
	}
	return true
}

func wordBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return i > 0 && isWordRune(r)
}

func wordAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return i < len(s) && isWordRune(r)
}

// blockQuote reads a Markdown block-quote line starting at line start i.
// end is where scanning resumes: past the line when it is a block quote
// to check, i when the line is no block quote or holds quote marks of its
// own (then it is scanned as usual, and its ">" is removed later).
func blockQuote(s string, i int, markers []marker, mi int) (quote, int, bool) {
	j := i + len(s[i:]) - len(strings.TrimLeft(s[i:], " \t"))
	if j >= len(s) || s[j] != '>' {
		return quote{}, i, false
	}
	lineEnd := len(s)
	if k := strings.IndexByte(s[i:], '\n'); k >= 0 {
		lineEnd = i + k
	}
	inner := j + len(s[j:lineEnd]) - len(strings.TrimLeft(s[j:lineEnd], "> \t"))
	stop := lineEnd
	for ; mi < len(markers); mi++ {
		if markers[mi].start >= inner {
			stop = min(stop, markers[mi].start)
			break
		}
	}
	if strings.ContainsAny(s[inner:stop], alwaysQuote+"'’") {
		return quote{}, i, false
	}
	text := strings.TrimRight(s[inner:stop], " \t\r")
	if strings.IndexFunc(text, isWordRune) < 0 {
		return quote{}, i, false
	}
	end := inner + len(text)
	return quote{open: j, innerStart: inner, innerEnd: end, closeEnd: end}, end, true
}

// scrubQuoteMarks removes from s every quote mark outside the kept
// (verified) spans: the marks in alwaysQuote and doubled angle brackets
// (<<…>>); then the ">" prefix of lines
// that would show as Markdown block quotes (after blanks or zero-width
// characters); then ’ and ' wherever they follow no letter or digit (an
// apostrophe always does: it's, members’): one that opens a word or stands
// alone (' made up ') is a quote mark.
func scrubQuoteMarks(s string, keep []Span) string {
	rs := []rune(s)
	kept := make([]bool, len(rs))
	bi, ki := 0, 0
	for i := range rs {
		for ki < len(keep) && keep[ki].End <= bi {
			ki++
		}
		kept[i] = ki < len(keep) && bi >= keep[ki].Start
		bi += utf8.RuneLen(rs[i])
	}
	// "<<" and ">>" stand for « and » where a keyboard has none.
	doubled := make([]bool, len(rs))
	for i := 0; i+1 < len(rs); i++ {
		if (rs[i] == '<' || rs[i] == '>') && rs[i+1] == rs[i] && !kept[i] && !kept[i+1] {
			doubled[i], doubled[i+1] = true, true
		}
	}
	n := 0
	lineStart, prefix := true, false
	for i, r := range rs {
		k := kept[i]
		switch {
		case !k && (strings.ContainsRune(alwaysQuote, r) || doubled[i]):
			continue
		case r == '\n':
			lineStart, prefix = true, false
		case k:
			lineStart, prefix = false, false
		case (lineStart || prefix) && r == '>':
			lineStart, prefix = false, true
			continue
		case prefix && (r == ' ' || r == '\t'):
			continue
		case lineStart && (r == ' ' || r == '\t' || unicode.Is(unicode.Cf, r)):
		default:
			lineStart, prefix = false, false
		}
		rs[n], kept[n] = r, k
		n++
	}
	rs, kept = rs[:n], kept[:n]
	var b strings.Builder
	for i, r := range rs {
		if !kept[i] && isApostrophe(r) && (i == 0 || !isWordRune(rs[i-1])) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
