package rag

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// answerType is what kind of phrase answers a question: "how many" wants
// a number, "when" a date, "who" a person, "where" a place. A sentence
// about the question's topic that holds one is a better quote than one
// that only repeats the topic: for "How many Chinese hackers were
// indicted?" the indictment "of four Chinese hackers" before the data
// they stole.
type answerType int

const (
	anyAnswer answerType = iota
	numberAnswer
	dateAnswer
	personAnswer
	placeAnswer
)

var questionTypes = []struct {
	re *regexp.Regexp
	t  answerType
}{
	{regexp.MustCompile(`(?i)\bhow\s+(many|much|long|old|far|big|large|high|tall)\b|\bwhat\s+(percentage|percent|share|number|amount|proportion)\b`), numberAnswer},
	{regexp.MustCompile(`(?i)\bwhen\b|\bwhat\s+(year|month|day|date)\b|\bwhich\s+(year|month|day|date)\b|\bwhat(?:'s|\s+is|\s+was|\s+were|\s+are)\s+the\s+(?:\w+\s+){0,2}date\b`), dateAnswer},
	{regexp.MustCompile(`(?i)\bwho(m|se)?\b`), personAnswer},
	{regexp.MustCompile(`(?i)\bwhere\b|\b(what|which)\s+(country|city|state|nation|region|town|province|island|continent)\b`), placeAnswer},
}

// typeOf returns the answer type the question asks for (the first match
// in the question wins, so "Who said when…" wants a person).
func typeOf(question string) answerType {
	best, at := anyAnswer, len(question)+1
	for _, qt := range questionTypes {
		if loc := qt.re.FindStringIndex(question); loc != nil && loc[0] < at {
			best, at = qt.t, loc[0]
		}
	}
	return best
}

var (
	numberRE = regexp.MustCompile(`(?i)\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?|millions?|billions?|trillions?|half|twice|percent)\b`)
	dateRE   = regexp.MustCompile(`(?i)\b(1[89]\d\d|20\d\d)\b|\b(january|february|march|april|june|july|august|september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tomorrow|tonight|weekend)\b|\b(last|next|this)\s+(week|month|year)\b|\d{1,2}/\d{1,2}`)
	// placeRE: a capitalised name after a preposition of place, perhaps
	// after a compass word ("in the central Philippines", "off southern
	// Japan").
	placeRE = regexp.MustCompile(`\b(in|at|from|to|near|across|into|outside|inside|off)\s+(the\s+)?((north|south|east|west|north-?east|north-?west|south-?east|south-?west)(ern)?\s+|central\s+)?\p{Lu}`)
)

// askedWords are the words of the question, lower-cased: a phrase they
// already hold is no answer to it.
func askedWords(question string) map[string]bool {
	asked := map[string]bool{}
	forEachWord(question, func(w string) { asked[w] = true })
	return asked
}

// holds reports whether sentence s holds a phrase of type t that the
// question does not already hold (its words are in asked).
func (t answerType) holds(s string, asked map[string]bool) bool {
	switch t {
	case numberAnswer:
		return matchesNew(numberRE, s, asked)
	case dateAnswer:
		return matchesNew(dateRE, s, asked)
	case personAnswer:
		return hasNewName(s, asked, 2)
	case placeAnswer:
		return placeRE.MatchString(s) && hasNewName(s, asked, 1)
	}
	return false
}

// matchesNew reports a match of re in s whose words the question lacks.
func matchesNew(re *regexp.Regexp, s string, asked map[string]bool) bool {
	for _, m := range re.FindAllString(s, -1) {
		if !asked[strings.ToLower(m)] {
			return true
		}
	}
	return false
}

// hasNewName reports a run of at least n capitalised words (not the
// sentence's first word) none of which the question holds: "Antony
// Blinken", "Wellington".
func hasNewName(s string, asked map[string]bool, n int) bool {
	run := 0
	for i, w := range strings.Fields(s) {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
		r, _ := utf8.DecodeRuneInString(w)
		if i > 0 && unicode.IsUpper(r) && len(w) > 1 && !asked[strings.ToLower(w)] && !stopwords[strings.ToLower(w)] {
			run++
			if run >= n {
				return true
			}
			continue
		}
		run = 0
	}
	return false
}

// byAnswerType moves the sentences holding the question's answer type to
// the front of those about its topic (scoring at least 60% of the best),
// keeping score order within each group. Others keep their places after.
func byAnswerType(question string, best []sentence, text func(sentence) string) {
	t := typeOf(question)
	if t == anyAnswer || len(best) == 0 {
		return
	}
	asked := askedWords(question)
	cut := 0
	for cut < len(best) && best[cut].score >= 0.6*best[0].score {
		cut++
	}
	type flagged struct {
		s   sentence
		has bool
	}
	top := make([]flagged, cut)
	for i, s := range best[:cut] {
		top[i] = flagged{s, t.holds(text(s), asked)}
	}
	sort.SliceStable(top, func(i, j int) bool { return top[i].has && !top[j].has })
	for i, f := range top {
		best[i] = f.s
	}
}

// typeNounRE finds the words of a question that name the kind of its
// answer rather than its topic: "which country", "what type of event",
// "how many", "which of the following", "the name of", "the release date
// of". The sentence that answers names the country; it seldom says
// "country".
var typeNounRE = regexp.MustCompile(`(?i)\b(?:which|what)\s+(?:\w+\s+)?(countries|country|nations?|states?|cities|city|towns?|regions?|places?|companies|company|firms?|teams?|persons?|people|types?|kinds?|sorts?|events?|years?|months?|days?|dates?|numbers?|amounts?|percentage|one)\b|\bhow\s+(much|many|old|long|far)\b|\bof\s+the\s+(following)\b|\bthe\s+(name)\s+of\b|\bthe\s+(?:\w+\s+)?(date)\s+(?:of|for)\b`)

// typeNouns returns the lower-cased words of question that name the kind
// of its answer (see typeNounRE): they do not count toward an answer's
// coverage.
func typeNouns(question string) map[string]bool {
	out := map[string]bool{}
	for _, m := range typeNounRE.FindAllStringSubmatch(question, -1) {
		for _, g := range m[1:] {
			if g != "" {
				out[strings.ToLower(g)] = true
			}
		}
	}
	return out
}

// withNeighbour adds to the quotes the sentence next to the best one when
// the question asks for a number, date, person or place, no quote holds
// one and that neighbour does: a brief often names its topic in one
// sentence and the answer in the next ("Trump named Ohio Sen. JD Vance as
// his running mate… The pair will hit the campaign trail amid an ongoing
// investigation into the assassination attempt…"). The quotes stay within
// maxQuotes.
func withNeighbour(r retrieval, best, chosen []sentence) []sentence {
	t := typeOf(r.question)
	if t == anyAnswer || len(chosen) == 0 || len(chosen) == maxQuotes {
		return chosen
	}
	asked, text := askedWords(r.question), r.text
	for _, c := range chosen {
		if t.holds(text(c), asked) {
			return chosen
		}
	}
	before, after := neighbours(best, chosen[0])
	for _, i := range []int{after, before} {
		if i < 0 || !t.holds(text(best[i]), asked) || quotes(chosen, best[i]) {
			continue
		}
		if i == before {
			return append([]sentence{best[i]}, chosen...)
		}
		return append(chosen[:1:1], append([]sentence{best[i]}, chosen[1:]...)...)
	}
	return chosen
}

// neighbours returns the indexes in best of the sentences just before and
// just after c in its passage, or -1.
func neighbours(best []sentence, c sentence) (before, after int) {
	before, after = -1, -1
	for i, s := range best {
		if s.hit != c.hit {
			continue
		}
		if s.end <= c.start && (before < 0 || s.end > best[before].end) {
			before = i
		}
		if s.start >= c.end && (after < 0 || s.start < best[after].start) {
			after = i
		}
	}
	return before, after
}

// furtherPassages is how deep fromFurther looks for a sentence holding
// the answer type: the default k.
const furtherPassages = 5

// fromFurther adds, when the question asks for a number, date, person or
// place and no quote holds one, the best sentence of the 4th or 5th
// passage that does and scores within 60% of the first quote: search
// snippets state the answer in a lower-ranked snippet as often as in the
// top ones ("Super Mario Odyssey was released on October 27, 2017" ranked
// 4th under three shop pages). It becomes the second quote, within
// maxQuotes.
func (e *Engine) fromFurther(r retrieval, chosen []sentence) []sentence {
	t := typeOf(r.question)
	if t == anyAnswer || len(chosen) == 0 || len(r.hits) <= fromPassages {
		return chosen
	}
	asked, text := askedWords(r.question), r.text
	if slices.ContainsFunc(chosen, func(s sentence) bool { return t.holds(text(s), asked) }) {
		return chosen
	}
	for _, s := range e.sentencesOf(r, furtherPassages) {
		if s.hit >= fromPassages && s.score >= 0.6*chosen[0].score && t.holds(text(s), asked) {
			out := append(chosen[:1:1], s)
			return append(out, chosen[1:min(len(chosen), maxQuotes-1)]...)
		}
	}
	return chosen
}
