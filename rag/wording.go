package rag

import (
	"sort"
	"strings"
	"unicode"
)

// This file fits a question's words to the corpus's own vocabulary before
// ranking: "harbor" finds "harbour", "denounse" finds "denounced", "the
// European Union" also ranks on "EU", and "please" is not a topic. Only
// words that occur in none of the visible passages are changed, and only
// into words that do, so a correct question is never rewritten.

// politeWords say nothing about the topic: a leading "Tell me please,"
// would otherwise count as words the briefings must cover.
var politeWords = map[string]bool{
	"please": true, "pls": true, "plz": true, "thanks": true, "thank": true, "hey": true, "hi": true,
	"hello": true, "kindly": true, "wondering": true, "curious": true, "quick": true, "question": true,
	"tell": true, "know": true, "remind": true,
}

// minTypoLen is the shortest word corrected for a typo: the dev sets'
// questions, well spelled, hold many real words the corpus lacks, and
// in shorter ones a letter changed is often another word ("match",
// "march").
const minTypoLen = 6

// minLongerStem is the shortest stem a letter left out is looked for in
// (see sameOrLonger).
const minLongerStem = 6

// capitalised returns the lower-cased words written with a capital in
// question, but for its first word.
func capitalised(question string) map[string]bool {
	out := map[string]bool{}
	for i, f := range strings.FieldsFunc(question, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if r := []rune(f); i > 0 && unicode.IsUpper(r[0]) {
			out[strings.ToLower(f)] = true
		}
	}
	return out
}

// df is the number of visible passages holding term.
func (st keywordStats) df(term string) int {
	n := 0
	for _, s := range st.shards {
		if tp := s.terms[term]; tp != nil {
			n += tp.df
		}
	}
	return n
}

// fitWords returns the question's words fitted to the vocabulary: polite
// words dropped, an unknown word replaced by its British or American
// spelling or, in words of six letters or more, by the word one typo
// away (the most frequent if several are), as the corpus spells it. A
// word whose stem the corpus has ("items" for "item") is left to the
// stem terms of the keyword index. A
// capitalised word of the question (not its first) is a name: an unknown
// name is left alone rather than bent into a known one.

func (e *Engine) fitWords(st keywordStats, words []string, question string) []string {
	names := capitalised(question)
	out := make([]string, 0, len(words))
	for _, w := range words {
		switch {
		case politeWords[w]:
			continue
		case st.df(w) > 0 || st.df(stemMark+e.an.stem(w)) > 0 || !isLetters(w) || len(w) < 4 || questionFiller[w] || names[w]:
			out = append(out, w)
		default:
			out = append(out, e.respell(st, w))
		}
	}
	return out
}

// respell finds the corpus's spelling of an unknown word w.
func (e *Engine) respell(st keywordStats, w string) string {
	for _, v := range spellingVariants(w) {
		if st.df(v) > 0 {
			return v
		}
	}
	if len(w) < minTypoLen {
		return w
	}
	if v := mostFrequent(st, oneEdit(w), ""); v != "" {
		return v
	}
	// A typo of an inflected form ("denounse" for "denounced"): one edit,
	// by the same rule, from a stem of the corpus.
	if s := mostFrequent(st, sameOrLonger(edits(e.an.stem(w), len(w) >= 8), len(e.an.stem(w))), stemMark); s != "" {
		if v, ok := e.an.wordOf(s); ok {
			return v
		}
	}
	return w
}

// mostFrequent returns the candidate (looked up as prefix+candidate)
// found in the most passages; ties go to the first in sorted order.
func mostFrequent(st keywordStats, cands []string, prefix string) string {
	sort.Strings(cands)
	best, bestDF := "", 0
	for _, c := range cands {
		if n := st.df(prefix + c); n > bestDF {
			best, bestDF = c, n
		}
	}
	return best
}

// britishAmerican are spelling pairs, each way round: "harbour"/"harbor",
// "organise"/"organize", "centre"/"center", "defence"/"defense",
// "travelled"/"traveled", "analyse"/"analyze", "catalogue"/"catalog".
var britishAmerican = [][2]string{
	{"our", "or"}, {"ise", "ize"}, {"isation", "ization"}, {"ising", "izing"}, {"ised", "ized"},
	{"yse", "yze"}, {"tre", "ter"}, {"ence", "ense"}, {"lled", "led"}, {"lling", "ling"},
	{"ogue", "og"}, {"aem", "em"}, {"oe", "e"},
}

// spellingVariants returns w with one British/American pair swapped.
func spellingVariants(w string) []string {
	var out []string
	for _, p := range britishAmerican {
		for _, ab := range [2][2]string{{p[0], p[1]}, {p[1], p[0]}} {
			for i := strings.Index(w, ab[0]); i >= 0; {
				out = append(out, w[:i]+ab[1]+w[i+len(ab[0]):])
				j := strings.Index(w[i+1:], ab[0])
				if j < 0 {
					break
				}
				i += 1 + j
			}
		}
	}
	return out
}

// keyboardRows are the QWERTY rows: a slip of the finger substitutes a
// neighbouring key.
var keyboardRows = [...]string{"qwertyuiop", "asdfghjkl", "zxcvbnm"}

// nearKeys reports whether a and b are neighbours on a QWERTY keyboard.
func nearKeys(a, b byte) bool {
	ra, ca := keyPos(a)
	rb, cb := keyPos(b)
	return ra >= 0 && rb >= 0 && abs(ra-rb) <= 1 && abs(ca-cb) <= 1
}

func keyPos(c byte) (row, col int) {
	for r, keys := range keyboardRows {
		if i := strings.IndexByte(keys, c); i >= 0 {
			return r, i + r // rows are staggered by about one key
		}
	}
	return -1, -1
}

func abs(x int) int { return max(x, -x) }

// oneEdit returns the words one typo away from w: a letter deleted,
// inserted or swapped with the next, or substituted. A substitution
// must be a neighbouring key unless w has eight letters or more: a
// shorter word one letter from another ("exports", "experts") is more
// likely a word of its own than a typo.
//
// The first letter is never changed: it is the letter typists get wrong
// least, and changing it mostly makes another word ("witches",
// "switches"; "detailing", "retailing").
func oneEdit(w string) []string {
	return edits(w, len(w) >= 8)
}

func edits(w string, anySubstitution bool) []string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	var out []string
	for i := 1; i <= len(w); i++ {
		if i < len(w) {
			out = append(out, w[:i]+w[i+1:])
			if i+1 < len(w) {
				out = append(out, w[:i]+string(w[i+1])+string(w[i])+w[i+2:])
			}
			for _, c := range letters {
				if byte(c) != w[i] && (anySubstitution || nearKeys(byte(c), w[i])) {
					out = append(out, w[:i]+string(c)+w[i+1:])
				}
			}
		}
		for _, c := range letters {
			out = append(out, w[:i]+string(c)+w[i:])
		}
	}
	return out
}

// sameOrLonger keeps the candidates of n letters, and of n+1 when n is
// at least minLongerStem: a stem one letter shorter is another word more
// often than a typo ("single" is not "singing", "animal" not "aims";
// inflections are the stems' job), and so is one letter longer than a
// short stem ("minted" is not "minute"), while a long stem one letter
// short is a letter left out ("denonce" for "denounced").
func sameOrLonger(cands []string, n int) []string {
	out := cands[:0]
	for _, c := range cands {
		if len(c) == n || (len(c) == n+1 && n >= minLongerStem) {
			out = append(out, c)
		}
	}
	return out
}
