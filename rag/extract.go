package rag

import (
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/briefbot/briefbot/corpus"
)

// notCoveredSentence is the one fixed answer when the briefings don't cover
// a question, in both modes.
const notCoveredSentence = "The briefings don't cover this."

// Extractive answers quote at most maxQuotes sentences from the top
// fromPassages passages.
const (
	maxQuotes    = 3
	fromPassages = 3
)

// sentence is a candidate quote: a byte range of an article body.
type sentence struct {
	hit        int // index in the hits
	start, end int // in the article body
	// coverage is the share of the question's weight the sentence holds
	// (a follow-up's thread words included); score, the share of the
	// question's own words, orders the quotes, and tie, the share of a
	// follow-up's thread words, breaks ties: after "Which hacker groups
	// did the EU denounce?", "and what did NATO do?" wants NATO's
	// statement, not more about hackers.
	coverage, score, tie float64
	words                int // how many of the question's own words it holds (in its text or frame)
}

// text is the stored text sentence s would quote.
func (r retrieval) text(s sentence) string { return r.hits[s.hit].Article.Body[s.start:s.end] }

// quotes reports whether chosen already holds sentence s.
func quotes(chosen []sentence, s sentence) bool {
	return slices.ContainsFunc(chosen, func(c sentence) bool { return c.hit == s.hit && c.start == s.start })
}

// extract builds the extractive answer: the sentences of the top passages
// that contain most of the question's weighted terms, quoted verbatim.
// When the best sentence holds less than minCoverage of the question's
// weight (see bestCoverage), the evidence is too weak and it refuses. A question
// whose time window holds no article says so and names the nearest
// coverage; one with a window and no topic words ("what happened this
// week?") gets the opening sentence of the window's articles.
func (e *Engine) extract(r retrieval, minCoverage float64) (text string, cites []Citation, confidence float64) {
	if r.emptyWindow() {
		return nothingFrom(r.timing, r.nearest), nil, 0
	}
	var chosen []sentence
	if weights, total := e.questionWeights(r); total == 0 && (r.timing.Hard || r.digest) {
		chosen, confidence = leadSentences(r), 1
	} else {
		best := e.candidateSentences(r)
		confidence = calibrated(bestCoverage(best, len(weights)), len(best), r.unknownName)
		if len(best) == 0 || confidence < minCoverage {
			if t := r.timing; t.refuses() && r.nearest != nil && !t.inWindow(r.nearest) {
				return nothingFrom(t, r.nearest), nil, confidence // "Boeing this week?": not this week
			}
			return notCoveredSentence, nil, confidence
		}
		chosen = e.fromFurther(r, withAntecedent(r, best, withNeighbour(r, best, pickQuotes(r, best))))
	}
	if len(chosen) == 0 {
		return notCoveredSentence, nil, 0
	}
	if outsidePeriod(r, chosen) {
		return nothingFrom(r.timing, r.nearest), nil, 0
	}
	chosen = inPeriod(r, chosen)
	text, cites = renderQuotes(r, chosen)
	return text, cites, confidence
}

// lengthNorm is how many weighted words a question may have before the
// coverage it needs shrinks: one sentence cannot hold every word of a
// long question that names several articles (multihop_rag_500's have 23).
const lengthNorm = 12

// bestCoverage is the answer's confidence before calibration: the
// coverage of the best sentence, which separates answerable from unanswerable questions better
// than the coverage of the top passages together (AUC 0.93 against 0.89
// on realtimeqa), scaled up by n/lengthNorm for a question of n > 12
// weighted words, at most 1.
func bestCoverage(best []sentence, n int) float64 {
	c := 0.0
	for _, s := range best {
		c = max(c, s.coverage)
	}
	return min(1, c*max(1, float64(n)/lengthNorm))
}

// Calibration of the confidence, chosen on the four dev sets together
// (see README, "Refusal threshold"). The best of many sentences holds more
// of the question's words by chance than the best of a few: a long
// article's three passages offer some 25 sentences, three briefs 5. And a
// question naming something no briefing mentions ("Nichelle Nichols") is
// seldom answered by them, however well its other words match.
const (
	typicalSentences  = 5
	sentencesExponent = 0.2
	unknownNameFactor = 0.8
)

// calibrated scales the best sentence's coverage by (n/5)^-0.2 for n
// candidate sentences, and by 0.8 when the question names something no
// visible passage holds; at most 1.
func calibrated(coverage float64, n int, unknownName bool) float64 {
	c := coverage * math.Pow(float64(max(1, n))/typicalSentences, -sentencesExponent)
	if unknownName {
		c *= unknownNameFactor
	}
	return min(1, c)
}

// pickQuotes takes up to maxQuotes of the best sentences, each scoring
// within 60% of the first. A sentence is quoted once even when repeated,
// and a follow-up does not quote again what the thread's previous answer
// quoted, unless nothing else is left.
func pickQuotes(r retrieval, best []sentence) []sentence {
	var fresh []sentence
	for _, s := range best {
		if r.previous == "" || !strings.Contains(r.previous, r.text(s)) {
			fresh = append(fresh, s)
		}
	}
	if len(fresh) > 0 {
		best = fresh
	}
	var chosen []sentence
	quoted := map[string]bool{}
	for _, s := range best {
		if len(chosen) == maxQuotes || (len(chosen) > 0 && s.score < 0.6*best[0].score) {
			break
		}
		if text := r.text(s); !quoted[text] {
			quoted[text] = true
			chosen = append(chosen, s)
		}
	}
	return chosen
}

// candidateSentences scores every sentence of the top passages by the
// share of the question's idf mass it contains; words of the article's
// title, source and date and of the passage heading count half (they
// frame the sentence, see frameText). Sorted
// best first, ties by rank order.
func (e *Engine) candidateSentences(r retrieval) []sentence {
	best := e.sentencesOf(r, fromPassages)
	byAnswerType(r.question, best, r.text)
	return best
}

// sentencesOf scores the sentences of the top n hits, best first.
func (e *Engine) sentencesOf(r retrieval, n int) []sentence {
	weights, total := e.questionWeights(r)
	if total == 0 {
		return nil
	}
	context := e.topStems(r)
	var out []sentence
	for hi, h := range r.hits[:min(n, len(r.hits))] {
		frame := withAliases(e.an.stemSet(frameText(h)), r.aliases)
		for _, rg := range quoteUnits(h.Passage.Text) {
			if !informative(h.Passage.Text[rg[0]:rg[1]]) {
				continue
			}
			in := withAliases(e.an.stemSet(h.Passage.Text[rg[0]:rg[1]]), r.aliases)
			got, score, tie, words := 0.0, 0.0, 0.0, 0
			for _, q := range weights {
				w := 0.0
				switch {
				case in[q.stem]:
					w = q.w
				case frame[q.stem]:
					w = q.w / 2
				}
				if w > 0 && !q.thread {
					words++
				}
				if q.thread {
					tie += w
					if context[q.stem] { // the thread's topic is set by the top passages
						w = q.w
					}
				} else {
					score += w
					if q.focus {
						score += w
					}
				}
				got += w
			}
			out = append(out, sentence{hit: hi, start: h.Passage.Start + rg[0], end: h.Passage.Start + rg[1],
				coverage: got / total, score: score / total, tie: tie / total, words: words})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].tie > out[j].tie
	})
	return out
}

// questionFiller are words of asking, not of the topic ("what did NATO
// say"): they don't count toward coverage, or a question would be refused
// because the article has "said" where the question has "say".
var questionFiller = map[string]bool{
	"say": true, "said": true, "says": true, "saying": true, "tell": true, "told": true, "telling": true,
	"happen": true, "happened": true, "happening": true, "know": true, "mention": true, "mentioned": true,
	"describe": true, "described": true, "explain": true, "according": true, "think": true,
	"briefing": true, "briefings": true, "article": true, "articles": true, "news": true,
	"respond": true, "responded": true, "react": true, "reacted": true, // "how did China respond?"
	"new": true, "anything": true, "everything": true, "going": true, // "what's new?", "anything going on?"
	"headline": true, "headlines": true, "summarize": true, "summarise": true, "summary": true, "update": true, // "any updates?"
	"updates": true, "recap": true, "whats": true, "story": true, "stories": true, "interesting": true, // "whats new", "top stories?"
	"brief": true,
}

// stemWeight is one stem of the question with the idf of its word.
type stemWeight struct {
	stem   string
	w      float64
	thread bool // from a follow-up's thread, not the question itself
	focus  bool // in the sentence that asks, after sentences that set the scene
}

// contentWords are the question's words that name its topic: not the
// words of asking ("what happened", "say").
func (e *Engine) contentWords(words []string) []string {
	var out []string
	for _, w := range words {
		if !questionFiller[w] && !politeWords[w] {
			out = append(out, w)
		}
	}
	return out
}

// questionWeights gives each stem of the question (and of a follow-up's
// thread), but the words naming the kind of answer asked for (see
// typeNouns), the idf of its word
// over the visible passages (the rarest word, if two share a stem), in the
// order the question uses them: sums over a map's random order would
// differ in the last bits and break ties differently from run to run.
func (e *Engine) questionWeights(r retrieval) ([]stemWeight, float64) {
	var out []stemWeight
	at := map[string]int{}
	typeWords := typeNouns(r.question)
	add := func(words []string, thread bool) {
		for _, w := range words {
			if questionFiller[w] || (!thread && typeWords[w]) {
				continue
			}
			st := e.an.stem(w)
			i, ok := at[st]
			if !ok {
				i, at[st] = len(out), len(out)
				out = append(out, stemWeight{stem: st, thread: thread})
			}
			out[i].w = max(out[i].w, r.idf[w])
		}
	}
	add(r.topic, false)
	if asks := askingSentence(r.question); asks != "" {
		for _, w := range e.an.words(asks) {
			if i, ok := at[e.an.stem(w)]; ok {
				out[i].focus = true
			}
		}
	}
	add(r.thread, true)
	total := 0.0
	for _, q := range out {
		total += q.w
	}
	return out, total
}

// withAliases adds to a sentence's stems an acronym whose name it spells
// out ("European Union" covers "EU").
func withAliases(stems map[string]bool, aliases map[string][]string) map[string]bool {
	for short, words := range aliases {
		all := true
		for _, w := range words {
			all = all && stems[w]
		}
		if all {
			stems[short] = true
		}
	}
	return stems
}

// topStems are the stems of the top passages (text, heading, title and
// source) an answer quotes from.
func (e *Engine) topStems(r retrieval) map[string]bool {
	seen := map[string]bool{}
	for _, h := range r.hits[:min(fromPassages, len(r.hits))] {
		for st := range e.an.stemSet(indexText(h.Article, h.Passage)) {
			seen[st] = true
		}
	}
	return withAliases(seen, r.aliases)
}

// frameText is what frames a passage's sentences: its article's title,
// source and date, and the passage's heading. A question naming the
// source or the day ("the TechCrunch report published on October 6") is
// about the article; its sentences seldom repeat those words.
func frameText(h Hit) string {
	date := ""
	if !h.Article.DateGuessed && !h.Article.Published.IsZero() {
		date = h.Article.Published.Format("January 2, 2006")
	}
	return h.Article.Title + "\n" + h.Article.Source + "\n" + date + "\n" + h.Passage.Heading
}

// askingSentence returns the question's last sentence when sentences
// before it set the scene ("Aaron Judge hit his 62nd home run this week.
// Who holds the record with 73?"), else "". Its words count twice in the
// order of the quotes (not in the confidence): the answer is about what is
// asked, not about the scene.
func askingSentence(question string) string {
	rs := corpus.Sentences(question)
	if len(rs) < 2 {
		return ""
	}
	last := rs[len(rs)-1]
	return question[last[0]:last[1]]
}
