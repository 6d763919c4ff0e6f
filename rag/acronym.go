package rag

import (
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file matches names and their acronyms both ways, against the
// corpus's own usage only: a question's "European Union" also ranks on the
// "EU" of the briefings, and a question's "EU" on the "European Union" they
// spell out.

// acronym is a name and its short form.
type acronym struct {
	short string   // "eu"
	words []string // "european", "union"
}

// maxNameWords bounds the names counted per passage: longer runs of
// capitalised words are headlines, not names.
const maxNameWords = 6

// nameRuns calls fn with each name of text: a run of two or more
// capitalised words (not stopwords; "of", "for" and "and" may join them:
// "Bank of England"), with its initials. A number, a lower-case word or
// punctuation ends a name: "Nearly 100,000 Arizona…" holds no "NA", and
// "the United Kingdom, New Zealand" two names, not "UKNZ".
func nameRuns(text string, fn func(initials string, words []string)) {
	var initials []rune
	var words []string
	flush := func() {
		if len(initials) >= 2 && len(initials) <= maxNameWords {
			fn(strings.ToLower(string(initials)), words)
		}
		initials, words = initials[:0], nil
	}
	forEachField(text, func(f string, punct bool) {
		if punct {
			flush()
		}
		r0, n := utf8.DecodeRuneInString(f)
		r1, _ := utf8.DecodeRuneInString(f[n:])
		if n < len(f) && unicode.IsUpper(r0) && !unicode.IsUpper(r1) {
			if lower := strings.ToLower(f); !stopwords[lower] && !politeWords[lower] {
				initials, words = append(initials, r0), append(words, lower)
				return
			}
		}
		if len(initials) == 0 || !(strings.EqualFold(f, "of") || strings.EqualFold(f, "for") || strings.EqualFold(f, "and")) { // these join a name
			flush()
		}
	})
	flush()
}

// forEachField calls fn with each run of letters and digits of text, as
// written, and whether anything but spaces came between it and the run
// before; unlike strings.FieldsFunc it allocates nothing, which matters
// because every passage is read for names at indexing.
func forEachField(text string, fn func(field string, punct bool)) {
	start, punct := -1, false
	for i, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			fn(text[start:i], punct)
			start, punct = -1, false
		}
		punct = punct || !unicode.IsSpace(r)
	}
	if start >= 0 {
		fn(text[start:], punct)
	}
}

// addNames counts the names of a passage's text.
func (s *bm25Shard) addNames(text string) {
	nameRuns(text, func(initials string, words []string) {
		m := s.names[initials]
		if m == nil {
			m = map[string]int{}
			s.names[initials] = m
		}
		if len(m) < 64 { // bound the names kept per acronym
			m[strings.Join(words, " ")]++
		}
	})
}

// acronyms returns the acronyms of the question's names that the corpus
// uses for them: "the European Union" gives "eu" when the corpus uses
// "EU" for it (see standsFor). Initials alone are no evidence: "The Verge
// and TechCrunch" are not "VT", nor "Alex Jones" "AJ".
func acronyms(st keywordStats, alive func(int) bool, question string) []acronym {
	var out []acronym
	nameRuns(question, func(initials string, words []string) {
		if st.df(initials) > 0 && st.standsFor(alive, initials, words) {
			out = append(out, acronym{short: initials, words: slices.Clone(words)})
		}
	})
	return out
}

// expansions returns the names the corpus spells out for the acronyms of
// the question (words of two to six capitals: "EU", "NATO"): the most
// frequent name of those initials whose words the visible passages hold,
// when the corpus uses the acronym for it (see standsFor), or never
// writes the acronym at all.
func expansions(st keywordStats, alive func(int) bool, question string) []acronym {
	var out []acronym
	for _, f := range strings.FieldsFunc(question, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(f) < 2 || len(f) > maxNameWords || strings.ToUpper(f) != f || !isLetters(strings.ToLower(f)) {
			continue
		}
		short := strings.ToLower(f)
		if name := st.nameFor(short); name != nil && (st.df(short) == 0 || st.standsFor(alive, short, name)) {
			out = append(out, acronym{short: short, words: name})
		}
	}
	return out
}

// nameFor is the most frequent visible name with the initials short
// (ties to the first in sorted order).
func (st keywordStats) nameFor(short string) []string {
	counts := map[string]int{}
	for _, s := range st.shards {
		for name, n := range s.names[short] {
			counts[name] += n
		}
	}
	names := make([]string, 0, len(counts))
	for name := range counts {
		names = append(names, name)
	}
	sort.Strings(names)
	var best []string
	bestN := 0
	for _, name := range names {
		words := strings.Fields(name)
		if counts[name] <= bestN || !st.holdsWords(words) {
			continue
		}
		best, bestN = words, counts[name]
	}
	return best
}

// holdsWords reports whether every word occurs in a visible passage.
func (st keywordStats) holdsWords(words []string) bool {
	for _, w := range words {
		if st.df(w) == 0 {
			return false
		}
	}
	return true
}

// standsFor reports whether the corpus uses short for the name words: a
// passage holds them all, or some word of the name occurs nowhere, or the
// acronym has three letters or more (a two-letter one is too often
// something else: "Justice Department" is not "JD"; "Food and Drug
// Administration" is "FDA" even where no brief spells both).
func (st keywordStats) standsFor(alive func(int) bool, short string, words []string) bool {
	if len(short) >= 3 {
		return true
	}
	if !st.holdsWords(words) {
		return true
	}
	return st.together(alive, append([]string{short}, words...))
}

// together reports whether one live passage holds every term. Postings
// are in passage order, so the lists are merged, shortest first.
func (st keywordStats) together(alive func(int) bool, terms []string) bool {
	for _, s := range st.shards {
		lists := make([][]posting, 0, len(terms))
		for _, t := range terms {
			tp := s.terms[t]
			if tp == nil {
				break
			}
			lists = append(lists, tp.postings)
		}
		if len(lists) < len(terms) {
			continue
		}
		sort.Slice(lists, func(i, j int) bool { return len(lists[i]) < len(lists[j]) })
		if holdsAll(lists, alive) {
			return true
		}
	}
	return false
}

// holdsAll reports whether a live document is in every posting list.
func holdsAll(lists [][]posting, alive func(int) bool) bool {
	at := make([]int, len(lists))
	for _, p := range lists[0] {
		d, all := p.doc, true
		for i := 1; i < len(lists) && all; i++ {
			for at[i] < len(lists[i]) && lists[i][at[i]].doc < d {
				at[i]++
			}
			all = at[i] < len(lists[i]) && lists[i][at[i]].doc == d
		}
		if all && alive(int(d)) {
			return true
		}
	}
	return false
}
