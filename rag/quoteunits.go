package rag

// This file splits passages into the units a quote may be: sentences,
// short clauses and runs of fragments, but no bylines or captions.

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/corpus"
)

// maxFragmentRun caps a run of fragments joined into one quote (see
// quoteUnits), in words.
const maxFragmentRun = 40

// quoteUnits splits text into the units a quote may be: its sentences,
// except that a run of adjacent fragments of fewer than five words is one
// unit, within a paragraph. Listings and search snippets state facts in fragments
// ("Netherlands. Runner-up. 11. Goals."); alone each is too short to quote
// (see informative), together they are the answer.
func quoteUnits(text string) [][2]int {
	var out [][2]int
	joining := false // the last unit is a run of fragments that may grow
	for _, rg := range lineUnits(text, corpus.Sentences(text)) {
		s := text[rg[0]:rg[1]]
		if len(strings.Fields(s)) >= 5 || asks(s) || shortClause(s) {
			out, joining = append(out, rg), false
			continue
		}
		if last := len(out) - 1; joining && joinable(text, out[last], rg) {
			out[last][1] = rg[1]
			continue
		}
		out, joining = append(out, rg), true
	}
	return out
}

// lineUnits splits off the short unpunctuated lines a sentence runs on
// from: a byline or a caption on its own line ("By Jane Smith, Reuters",
// "Photo: Getty Images") is not the start of the sentence below it. A line
// of up to six words, ending in no punctuation and no stopword, before a
// line that opens with a capital, is such a line; text wrapped at a
// narrow width seldom is.
func lineUnits(text string, sentences [][2]int) [][2]int {
	var out [][2]int
	for _, rg := range sentences {
		start := rg[0]
		for {
			i := strings.IndexByte(text[start:rg[1]], '\n')
			if i < 0 {
				break
			}
			line := strings.TrimSpace(text[start : start+i])
			words := strings.Fields(line)
			end, _ := utf8.DecodeLastRuneInString(line)
			next, _ := utf8.DecodeRuneInString(strings.TrimLeft(text[start+i+1:rg[1]], " \t"))
			if len(words) == 0 || len(words) > 6 || strings.ContainsRune(".!?:;,", end) || !unicode.IsUpper(next) ||
				stopwords[strings.ToLower(words[len(words)-1])] {
				break // a sentence wrapped across lines: "…said on Tuesday that\nThe…" stays whole
			}
			out = append(out, [2]int{start, start + len(strings.TrimRight(text[start:start+i], " \t"))})
			start += i + 1
			for start < rg[1] && (text[start] == ' ' || text[start] == '\t') {
				start++
			}
		}
		out = append(out, [2]int{start, rg[1]})
	}
	return out
}

// joinable reports whether fragment next may join the run of fragments
// before it: in the same paragraph, the run staying within maxFragmentRun
// words.
func joinable(text string, run, next [2]int) bool {
	gap := text[run[1]:next[0]]
	return strings.TrimSpace(gap) == "" && strings.Count(gap, "\n") < 2 &&
		len(strings.Fields(text[run[0]:next[1]])) <= maxFragmentRun
}

// asks reports whether s is a question.
func asks(s string) bool {
	return strings.HasSuffix(strings.TrimRight(s, " \t\n\"'”’)"), "?")
}

// informative filters out sentences that cannot answer anything: questions
// (an article's "Who succeeded the queen?" only echoes the asker) and
// fragments of fewer than five words (datelines, captions), unless they
// are a short clause ("Lisa Cook dissented.").
func informative(s string) bool {
	return !asks(s) && (len(strings.Fields(s)) >= 5 || shortClause(s))
}

// shortClause reports whether s, of three or four words, reads as a
// sentence rather than a fragment: it ends in a full stop or an
// exclamation mark after a word, and holds a word in lower case that is
// not a stopword (a verb, most likely): "The bill passed.", "Lisa Cook
// dissented.", not "Runner-up.", "Getty Images via Reuters." or "11
// Goals.".
func shortClause(s string) bool {
	f := strings.Fields(s)
	if len(f) < 3 || len(f) > 4 {
		return false
	}
	last := strings.TrimRight(f[len(f)-1], "\"'”’)")
	end, _ := utf8.DecodeLastRuneInString(strings.TrimRight(last, ".!"))
	if !strings.HasSuffix(last, ".") && !strings.HasSuffix(last, "!") || !unicode.IsLetter(end) {
		return false
	}
	for _, w := range f[1:] {
		if r, _ := utf8.DecodeRuneInString(w); unicode.IsLower(r) && !stopwords[strings.Trim(w, ".!,;:\"'”’")] && w != "via" {
			return true
		}
	}
	return false
}
