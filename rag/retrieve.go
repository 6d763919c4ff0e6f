package rag

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/briefbot/briefbot/corpus"

	chromem "github.com/philippgille/chromem-go"
)

// Retrieval modes, for evaluation: the hybrid default, and each side alone.
const (
	RetrieveHybrid  = "hybrid"
	RetrieveBM25    = "bm25"
	RetrieveVectors = "vector"
)

// candidates is how deep each side ranks before fusion; nearestDepth how
// many passages holding the question's words are searched for the one
// dated nearest an empty window.
const (
	candidates   = 50
	nearestDepth = 1000
)

// retrieval is one ranked list and the statistics used to make it.
type retrieval struct {
	hits []Hit
	// idf holds the idf of every ranking word over the visible passages,
	// taken under the index's read lock: the shards' live statistics must
	// not be read after it is released.
	idf   map[string]float64
	words []string // ranking words: the question's, time words removed, plus a follow-up's context
	topic []string // the question's own words, time words removed: what an answer must cover
	// question is the question's text, time words removed.
	question string
	// aliases maps the stem of an acronym the corpus uses to the stems of
	// the question's name it stands for ("eu": "european", "union").
	aliases map[string][]string
	// thread are the words of the thread's previous question when this
	// one is a short follow-up ("and how did China respond?"): the answer
	// must cover them and topic together. previous is the answer the
	// thread already gave, whose sentences are not quoted again.
	thread           []string
	previous         string
	previousQuestion string
	timing           timing
	// inWindow counts the hits inside the window of a question about the
	// briefings' own period ("what's new this week?"); when it is zero,
	// nearest is the relevant article dated closest to the window.
	inWindow int
	nearest  *corpus.Article
	// reportedAfter is set when the window holds nothing but an article
	// on the question's topic came out in the days after it (see
	// timing.reportedAfter): the question is answered from the hits.
	reportedAfter bool
	// digest is set when the question names neither a topic nor a
	// period ("what's new?", "any news?"): the answer is the openings of
	// the newest briefings.
	digest bool
	// unknownName is set when the question names something (a word
	// written with a capital, not its first) that no visible passage
	// holds: the answer's confidence is lowered (see calibrated).
	unknownName bool
}

// retrieve ranks the passages visible from q.Scopes for q.Text asked at
// q.Asked and returns the best k. Results are clamped to what exists. Time
// words in the question become a window or a recency preference (see
// timing.order); nothing is filtered away. A short follow-up also ranks on
// the thread's previous question (see followUpContext).
func (e *Engine) retrieve(ctx context.Context, q Question, k int, mode string) (retrieval, error) {
	r, rankText := e.readQuestion(q)
	t := r.timing
	wantVec := mode != RetrieveBM25 && len(r.words) > 0
	var qvec []float32
	if _, local := e.emb.(queryEmbedder); wantVec && !local {
		// An API embedder is a network call: made before the read lock,
		// because a slow request holding it, plus one waiting writer (an
		// add), would stall every other question.
		vs, err := e.emb.Embed(ctx, []string{rankText})
		if err != nil {
			return r, fmt.Errorf("embed question: %w", err)
		}
		qvec = vs[0]
	}
	ix := e.index
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	scopes := q.Scopes
	shards, cols := ix.visible(scopes)
	stats := combine(shards)
	r.fit(e, stats)
	r.idf = make(map[string]float64, len(r.words))
	for _, w := range append(r.words, r.topic...) {
		r.idf[w] = stats.idf(w)
	}
	var kw, vec []scored
	if mode != RetrieveVectors {
		kw = stats.search(r.terms(e.an), ix.docLen, ix.alive, candidates)
	}
	if wantVec {
		if qe, ok := e.emb.(queryEmbedder); ok {
			qvec = qe.EmbedQuery(strings.Join(r.words, " "), stats.idf) // weighted by the visible passages' statistics
		}
		var err error
		if vec, err = vectorSearch(ctx, qvec, cols); err != nil {
			return r, err
		}
	}
	ranked := e.arrange(r, stats, fuse(kw, vec, e.cfg.VectorWeight, candidates), vec, mode, scopes)
	for _, s := range diversify(ranked, ix, k) {
		en := ix.entries[s.doc]
		r.hits = append(r.hits, Hit{Passage: en.passage, Article: en.article, Score: s.score})
		if t.refuses() && t.inWindow(en.article) {
			r.inWindow++
		}
	}
	if t.refuses() {
		e.findNearest(&r, stats, scopes)
	}
	return r, nil
}

// arrange applies to the fused ranking what the question asks beyond its
// words: a named source, a period (its passages first) or a date, and for
// a question of neither topic nor period the newest briefings instead.
// The caller holds the index's read lock.
func (e *Engine) arrange(r retrieval, stats keywordStats, ranked, vec []scored, mode string, scopes []string) []scored {
	ix, t := e.index, r.timing
	if r.digest {
		return t.openings(ix, scopeSet(scopes), candidates) // in date order
	}
	boostSources(r.question, ranked, ix)
	if t.refuses() {
		ranked = e.windowFirst(r, stats, ranked, vec, mode, scopes)
	}
	return t.order(ranked, ix)
}

// readQuestion reads the question's time words and, for a short
// follow-up, the thread's previous question; it returns the retrieval to
// fill and the text to rank on.
func (e *Engine) readQuestion(q Question) (retrieval, string) {
	t, stripped := readTiming(strings.TrimSpace(q.Text), q.Asked)
	r := retrieval{question: stripped, topic: e.an.words(stripped), timing: t}
	rankText := stripped
	prev := followUpContext(r.topic, q.History)
	if prev != nil {
		_, prevStripped := readTiming(prev.Question, q.Asked)
		rankText += "\n" + prevStripped
		r.thread, r.previous, r.previousQuestion = e.an.words(prevStripped), prev.Answer, prevStripped
	}
	topicless := prev == nil && len(e.contentWords(r.topic)) == 0
	switch {
	case topicless && !t.Hard:
		r.digest = true // "what's new?", "any news?"
	case topicless:
		// "What happened on June 25, 2022?" asks for that day's briefings,
		// as "what happened this week?" does: the window is the answer.
		r.timing.Win.Period = true
	case t.Hard && !t.Win.Period:
		// An event's date prefers articles of that date; its words still
		// count in a sentence's coverage, as a frame's date does.
		r.topic = e.an.words(strings.TrimSpace(q.Text))
	}
	r.words = e.an.words(rankText)
	return r, rankText
}

// relevantShare is the share of the best keyword score an article needs
// to count as coverage of the question's topic for "the nearest coverage
// is from …".
const relevantShare = 0.5

// findNearest names, when the question's period holds nothing, the
// relevant article nearest to it in time (see timing.nearest). The
// caller holds the index's read lock.
func (e *Engine) findNearest(r *retrieval, stats keywordStats, scopes []string) {
	ix, t := e.index, r.timing
	var relevant []scored
	if content := e.contentWords(r.topic); len(content) > 0 {
		relevant = stats.search(e.an.appendStems(content, content), ix.docLen, ix.alive, nearestDepth)
		// Relevant means on the topic, not sharing one of its words: "Anya
		// Taylor-Joy" is no coverage of Taylor Swift.
		if len(relevant) > 0 {
			cut := relevantShare * relevant[0].score
			relevant = slices.DeleteFunc(relevant, func(s scored) bool { return s.score < cut })
		}
	}
	r.nearest = t.nearest(relevant, ix, scopeSet(scopes))
	r.reportedAfter = relevant != nil && r.nearest != nil && t.reportedAfter(r.nearest)
}

// emptyWindow reports whether the answer is that the question's period
// holds nothing (see nothingFrom).
func (r retrieval) emptyWindow() bool {
	return r.timing.refuses() && r.inWindow == 0 && !r.reportedAfter
}

// windowFirst ranks the passages inside the hard window on their own, so
// that an in-window passage beyond the overall top candidates is still
// found, and puts them before the rest. A question with no topic words,
// or none found in the window, gets the window's articles, newest first:
// the answer then quotes their openings, or refuses if the question's
// topic is not among them.
func (e *Engine) windowFirst(r retrieval, stats keywordStats, ranked, vec []scored, mode string, scopes []string) []scored {
	ix, t := e.index, r.timing
	in := func(d int) bool { return ix.alive(d) && t.inWindow(ix.entries[d].article) }
	var inside []scored
	if len(e.contentWords(r.words)) > 0 { // not "anything new", which would find "New Zealand"
		var kwIn, vecIn []scored
		if mode != RetrieveVectors {
			kwIn = stats.search(r.terms(e.an), ix.docLen, in, candidates)
		}
		for _, s := range vec {
			if in(s.doc) {
				vecIn = append(vecIn, s)
			}
		}
		inside = fuse(kwIn, vecIn, e.cfg.VectorWeight, candidates)
	}
	if len(inside) == 0 { // no topic words, or none found in the window
		inside = t.openings(ix, scopeSet(scopes), candidates)
	}
	for _, s := range ranked {
		if !in(s.doc) {
			inside = append(inside, s)
		}
	}
	return inside
}

// fit fits the question's words to the visible passages' vocabulary
// (see fitWords). A name the corpus also writes as an acronym ranks on
// both, and the answer must cover the acronym, which the name's words
// together cover too (see withAliases); an acronym the corpus also spells
// out ranks on both the same way (see expansions).
func (r *retrieval) fit(e *Engine, stats keywordStats) {
	q := r.question + "\n" + r.previousQuestion
	r.topic, r.thread, r.words = e.fitWords(stats, r.topic, q), e.fitWords(stats, r.thread, q), e.fitWords(stats, r.words, q)
	for _, a := range acronyms(stats, e.index.alive, r.question) {
		if slices.Contains(r.words, a.short) {
			continue
		}
		r.words = append(r.words, a.short)
		r.topic = replaceName(r.topic, a)
		r.alias(e.an, a)
	}
	names := capitalised(r.question)
	for _, w := range r.topic {
		r.unknownName = r.unknownName || (names[w] && stats.df(w) == 0 && stats.df(stemMark+e.an.stem(w)) == 0)
	}
	for _, a := range expansions(stats, e.index.alive, r.question) {
		for _, w := range a.words {
			if !slices.Contains(r.words, w) {
				r.words = append(r.words, w)
			}
		}
		r.alias(e.an, a)
	}
}

// alias lets the name's words together cover its acronym (see
// withAliases).
func (r *retrieval) alias(an *analyzer, a acronym) {
	if r.aliases == nil {
		r.aliases = map[string][]string{}
	}
	short := an.stem(a.short)
	if len(r.aliases[short]) > 0 {
		return
	}
	for _, w := range a.words {
		r.aliases[short] = append(r.aliases[short], an.stem(w))
	}
}

// replaceName puts the acronym where the name's first word was in the
// words and drops the name's other words.
func replaceName(words []string, a acronym) []string {
	out := words[:0:0]
	placed := false
	for _, w := range words {
		switch {
		case !slices.Contains(a.words, w):
			out = append(out, w)
		case !placed:
			out, placed = append(out, a.short), true
		}
	}
	return out
}

// terms are the keyword-index terms of the ranking words: each word and
// its stem.
func (r retrieval) terms(an *analyzer) []string {
	return an.appendStems(append([]string(nil), r.words...), r.words)
}

func scopeSet(scopes []string) map[string]bool {
	m := map[string]bool{}
	for _, s := range normScopes(scopes) {
		m[s] = true
	}
	return m
}

// queryEmbedder is implemented by embedders that weight query features by
// corpus statistics (the local embedder). They compute locally, so they
// run under the index's read lock.
type queryEmbedder interface {
	EmbedQuery(text string, weight func(term string) float64) []float32
}

// vectorSearch returns the passages of cols nearest to the question's
// vector q, best first. A vector with no usable direction finds nothing.
func vectorSearch(ctx context.Context, q []float32, cols []*chromem.Collection) ([]scored, error) {
	if !usable(q) {
		return nil, nil
	}
	var out []scored
	for _, c := range cols {
		count := c.Count()
		n := min(2*candidates, count)
		if n == 0 {
			continue
		}
		res, err := c.QueryEmbedding(ctx, q, n, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("vector query: %w", err)
		}
		got := make([]scored, 0, len(res))
		for _, r := range res {
			doc, _ := strconv.Atoi(r.ID)
			got = append(got, scored{doc: doc, score: float64(r.Similarity)})
		}
		sort.Slice(got, func(i, j int) bool { return better(got[i], got[j]) })
		if n < count {
			got = dropBoundaryTies(got)
		}
		out = append(out, got...)
	}
	sort.Slice(out, func(i, j int) bool { return better(out[i], out[j]) })
	return out[:min(len(out), candidates)], nil
}

// dropBoundaryTies drops the passages that tie with the last of a cut-off
// list: chromem-go picks which of several equally similar passages (the
// same text in two articles) make its top n by goroutine timing, so only
// those scoring above the cut are the same in every run.
func dropBoundaryTies(got []scored) []scored {
	last := got[len(got)-1].score
	for len(got) > 0 && got[len(got)-1].score == last {
		got = got[:len(got)-1]
	}
	return got
}

// fuse merges the keyword and vector rankings: each side's scores are
// divided by its best score, then added with the vector side weighted vw.
// Unlike rank fusion, a passage far behind on one side gains little from a
// close second place on the other.
func fuse(kw, vec []scored, vw float64, k int) []scored {
	scores := make(map[int]float64, len(kw)+len(vec))
	add := func(list []scored, w float64) {
		if len(list) == 0 || list[0].score <= 0 {
			return
		}
		top := list[0].score
		for _, s := range list {
			scores[s.doc] += w * s.score / top
		}
	}
	add(kw, 1)
	add(vec, vw)
	return topN(scores, k)
}

// usable reports whether v can be compared by cosine: non-empty, every
// component finite and at least one non-zero. chromem-go normalises a
// zero vector to NaN, and one NaN among the candidates makes every fused
// score NaN.
func usable(v []float32) bool {
	nonZero := false
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
		nonZero = nonZero || x != 0
	}
	return nonZero
}

// perArticle caps how many of the k results one article may fill, so that
// a long article cut into many passages cannot crowd out other sources;
// passages over the cap move behind the others rather than vanish.
const perArticle = 2

func diversify(ranked []scored, ix *index, k int) []scored {
	// ranked is in its final order; only the per-article cap reorders it.
	count := map[*corpus.Article]int{}
	var top, rest []scored
	for _, s := range ranked {
		a := ix.entries[s.doc].article
		if count[a] < perArticle {
			count[a]++
			top = append(top, s)
		} else {
			rest = append(rest, s)
		}
	}
	out := append(top, rest...)
	return out[:min(k, len(out))]
}

// followUpContext is the previous turn of a thread when the new question
// is a short follow-up ("and what did NATO say?"), so retrieval stays on
// the thread's topic; a question that stands on its own gets nil.
func followUpContext(topic []string, history []Turn) *Turn {
	if len(history) == 0 || len(topic) >= 4 {
		return nil
	}
	return &history[len(history)-1]
}
