package rag

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// sourceBoost is the share of the best score that a passage gains when the
// question names its article's source ("the Fortune article", "according
// to TechCrunch"): the asker wants that publisher's report, and the other
// reports of the same story otherwise rank on the same words.
const sourceBoost = 0.3

// namedSources returns which of the candidates' sources the question
// names. A source is named when the words of its name (see sourceName)
// appear together in the question, the first written with a capital: "the
// Age of AI" does not name The Age, "The Age reported" does.
func namedSources(question string, ranked []scored, ix *index) map[string]bool {
	qwords := casedWords(question)
	named := map[string]bool{}
	tried := map[string]bool{}
	for _, s := range ranked {
		src := ix.entries[s.doc].article.Source
		if tried[src] {
			continue
		}
		tried[src] = true
		if name := sourceName(src); len(name) > 0 && containsName(qwords, name) {
			named[src] = true
		}
	}
	return named
}

// boostSources gives the passages of a source the question names a share of
// the best score, and re-sorts; nothing is dropped.
func boostSources(question string, ranked []scored, ix *index) {
	named := namedSources(question, ranked, ix)
	if len(named) == 0 {
		return
	}
	best := 0.0
	for _, s := range ranked {
		best = max(best, s.score)
	}
	for i, s := range ranked {
		if named[ix.entries[s.doc].article.Source] {
			ranked[i].score += best * sourceBoost
		}
	}
	sort.SliceStable(ranked, func(i, j int) bool { return better(ranked[i], ranked[j]) })
}

// sourceName is the lower-cased words a question uses for a source: the
// name before a section or a slogan ("The Independent - Sports", "Cnbc |
// World Business News Leader"), without a leading "the" and a domain's
// ending ("cnn.com"). A name of stopwords only names nothing.
func sourceName(src string) []string {
	for _, sep := range []string{" | ", " - ", ": "} {
		src, _, _ = strings.Cut(src, sep)
	}
	src = strings.TrimSpace(src)
	if !strings.Contains(src, " ") {
		if i := strings.LastIndexByte(src, '.'); i > 0 {
			src = src[:i]
		}
		src = strings.TrimPrefix(src, "www.")
	}
	var words []string
	forEachWord(src, func(w string) { words = append(words, w) })
	if len(words) > 1 && words[0] == "the" {
		words = words[1:]
	}
	for _, w := range words {
		if !stopwords[w] {
			return words
		}
	}
	return nil
}

// casedWord is a word of the question, lower-cased, and whether it was
// written with a capital.
type casedWord struct {
	w   string
	cap bool
}

func casedWords(s string) []casedWord {
	var out []casedWord
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		r, _ := utf8.DecodeRuneInString(f)
		out = append(out, casedWord{strings.ToLower(f), unicode.IsUpper(r) || unicode.IsDigit(r)})
	}
	return out
}

// containsName reports whether name occurs in q as consecutive words, the
// first capitalised.
func containsName(q []casedWord, name []string) bool {
	for i := 0; i+len(name) <= len(q); i++ {
		if !q[i].cap {
			continue
		}
		ok := true
		for j, w := range name {
			ok = ok && q[i+j].w == w
		}
		if ok {
			return true
		}
	}
	return false
}
