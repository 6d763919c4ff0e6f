package rag

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// stopwords are dropped before ranking: the list of the evaluation's BM25
// baseline (NLTK-style, with contraction fragments such as "t" and "s").
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all am an and any are as at be
because been before being below between both but by can cannot could did do does doing don down during
each few for from further had has have having he her here hers herself him himself his how i if in into
is it its itself just me more most my myself no nor not now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them themselves then
there these they this those through to too under until up very was we were what when where which while
who whom why will with would you your yours yourself yourselves s t d ll m re ve y isn aren wasn weren
hasn haven hadn doesn didn couldn shouldn wouldn`) {
		m[w] = true
	}
	return m
}()

// analyzer turns text into words for ranking: lower-cased words and
// numbers with stopwords dropped, exactly as the evaluation's BM25 baseline
// sees them. The keyword side ranks on these words (stemming them cost 7
// points of recall@5 on realtimeqa); the vector side and the quote
// selection match on their English Snowball stems, which catch "denounce"
// in "denounced". Stems are cached: the stemmer dominates indexing time and
// news vocabularies repeat.
type analyzer struct {
	mu     sync.RWMutex
	cache  map[string]string // word -> stem
	byStem map[string]string // stem -> the first word seen with it
}

func newAnalyzer() *analyzer {
	return &analyzer{cache: make(map[string]string), byStem: make(map[string]string)}
}

// words returns the ranking words of text in order.
func (an *analyzer) words(text string) []string { return an.appendWords(nil, text) }

// appendWords appends the ranking words of text to out.
func (an *analyzer) appendWords(out []string, text string) []string {
	forEachWord(text, func(w string) {
		if !stopwords[w] {
			out = append(out, w)
		}
	})
	return out
}

// stemMark starts a stem's term in the keyword index, so that a stem
// never meets a plain word of the same spelling (words hold no "~").
const stemMark = "~"

// appendStems appends the stem term of each word to out. The keyword
// index holds each word as written and its stem, so a word matches
// itself twice and a variant of it ("denounced" for "denounce") once:
// stems alone cost 7 points of recall@5 on realtimeqa (see README).
func (an *analyzer) appendStems(out, words []string) []string {
	for _, w := range words {
		out = append(out, stemMark+an.stem(w))
	}
	return out
}

// stemSet returns the set of stems of text's words.
func (an *analyzer) stemSet(text string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range an.words(text) {
		m[an.stem(w)] = true
	}
	return m
}

func (an *analyzer) stem(w string) string {
	an.mu.RLock()
	s, ok := an.cache[w]
	an.mu.RUnlock()
	if ok {
		return s
	}
	s = w
	if len(w) > 3 && isLetters(w) {
		s = english.Stem(w, false)
	}
	an.mu.Lock()
	if len(an.cache) < 1<<20 { // bound memory on adversarial input
		an.cache[w] = s
		if _, ok := an.byStem[s]; !ok {
			an.byStem[s] = w
		}
	}
	an.mu.Unlock()
	return s
}

// wordOf returns a word seen with stem s, for a question word corrected
// to a stem of the corpus ("denounse" to the stem of "denounced").
func (an *analyzer) wordOf(s string) (string, bool) {
	an.mu.RLock()
	defer an.mu.RUnlock()
	w, ok := an.byStem[s]
	return w, ok
}

// forEachWord calls fn with each lower-cased run of letters and digits.
// Apostrophes split words ("China’s" gives "china", "s"), as in the
// evaluation's tokenizer. ASCII bytes, most of English news, take a fast
// path with the same result as the unicode tests.
func forEachWord(text string, fn func(string)) {
	start, upper := -1, false
	emit := func(end int) {
		w := text[start:end]
		if upper {
			w = strings.ToLower(w)
		}
		fn(w)
		start, upper = -1, false
	}
	for i := 0; i < len(text); {
		c := text[i]
		var word, up bool
		size := 1
		if c < utf8.RuneSelf {
			up = 'A' <= c && c <= 'Z'
			word = up || 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(text[i:])
			word = unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
			up = word // let strings.ToLower decide
		}
		if word {
			if start < 0 {
				start = i
			}
			upper = upper || up
		} else if start >= 0 {
			emit(i)
		}
		i += size
	}
	if start >= 0 {
		emit(len(text))
	}
}

func isLetters(w string) bool {
	for _, r := range w {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}
