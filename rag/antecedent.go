package rag

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// withAntecedent adds to the quotes the sentence that names what the
// first quote only refers back to. Briefs name their subject once and
// then say "The chain…", "The film…", "It…": for "Which chain restaurant
// is considering bankruptcy?" the best sentence is "The chain has also
// tapped a restructuring expert…", and the one before it, "Red Lobster is
// abruptly closing at least 48 restaurants", holds the answer. The
// sentence before is taken, or, when the first quote opens its passage,
// the one after it ("The film, starring Adrien Brody, has been nominated
// for 10 Oscars… "The Brutalist" follows…"). It comes second, after the
// quote that matches the question; the quotes stay within maxQuotes, the
// last one giving way.
func withAntecedent(r retrieval, best, chosen []sentence) []sentence {
	if len(chosen) == 0 {
		return chosen
	}
	first := chosen[0]
	if !refersBack(r.text(first)) {
		return chosen
	}
	before, after := neighbours(best, first)
	i := before
	if before < 0 {
		i = after
	}
	if i < 0 || quotes(chosen, best[i]) {
		return chosen
	}
	out := slices.Insert(slices.Clone(chosen), 1, best[i]) // the best match stays first
	return out[:min(len(out), maxQuotes)]
}

// refersBack reports whether sentence s opens by referring to something
// named before it: a pronoun ("It", "They", "His") or a determiner and a
// common noun ("The chain", "This move"), not a name ("The US", "The
// National Crime Agency").
func refersBack(s string) bool {
	f := strings.Fields(s)
	if len(f) < 2 {
		return false
	}
	switch strings.ToLower(strings.TrimLeft(f[0], "\"'“‘(")) {
	case "it", "he", "she", "they", "its", "his", "her", "their":
		return true
	case "the", "this", "that", "these", "those":
		r, _ := utf8.DecodeRuneInString(f[1])
		return unicode.IsLower(r)
	}
	return false
}
