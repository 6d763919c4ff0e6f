package rag

import (
	"math"
	"sort"
)

// Okapi BM25 parameters, as in the evaluation's baseline and Lucene.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// bm25Shard is the keyword index of one scope. Statistics of the scopes a
// question may see are combined at query time, so the ranking is exactly
// BM25 over the visible passages: another server's articles never shift a
// score, let alone take a place.
type bm25Shard struct {
	postings map[string][]posting
	df       map[string]int
	n        int // live documents
	totalLen int // sum of live document lengths
}

type posting struct {
	doc int32 // entry index in the engine
	tf  int32
}

func newBM25Shard() *bm25Shard {
	return &bm25Shard{postings: make(map[string][]posting), df: make(map[string]int)}
}

func (s *bm25Shard) add(doc int, terms []string) {
	tf := termFreq(terms)
	for t, c := range tf {
		s.postings[t] = append(s.postings[t], posting{doc: int32(doc), tf: int32(c)})
		s.df[t]++
	}
	s.n++
	s.totalLen += len(terms)
}

// remove forgets doc's statistics; its postings are dropped lazily by
// compact, and skipped meanwhile through the alive check in search.
func (s *bm25Shard) remove(terms []string) {
	for t := range termFreq(terms) {
		if s.df[t]--; s.df[t] <= 0 {
			delete(s.df, t)
		}
	}
	s.n--
	s.totalLen -= len(terms)
}

// compact drops postings of dead documents.
func (s *bm25Shard) compact(alive func(doc int) bool) {
	for t, ps := range s.postings {
		kept := ps[:0]
		for _, p := range ps {
			if alive(int(p.doc)) {
				kept = append(kept, p)
			}
		}
		if len(kept) == 0 {
			delete(s.postings, t)
			continue
		}
		s.postings[t] = kept
	}
}

func termFreq(terms []string) map[string]int {
	tf := make(map[string]int, len(terms))
	for _, t := range terms {
		tf[t]++
	}
	return tf
}

// keywordStats are the combined statistics of the visible shards.
type keywordStats struct {
	shards []*bm25Shard
	n      int
	avgdl  float64
}

func combine(shards []*bm25Shard) keywordStats {
	st := keywordStats{shards: shards}
	total := 0
	for _, s := range shards {
		st.n += s.n
		total += s.totalLen
	}
	st.avgdl = 1
	if st.n > 0 && total > 0 {
		st.avgdl = float64(total) / float64(st.n)
	}
	return st
}

// idf is the Lucene-style BM25 idf of term over the visible shards; never
// negative. An unknown term gets the idf of a term seen once.
func (st keywordStats) idf(term string) float64 {
	df := 0
	for _, s := range st.shards {
		df += s.df[term]
	}
	if df == 0 {
		df = 1
	}
	return math.Log(1 + (float64(st.n)-float64(df)+0.5)/(float64(df)+0.5))
}

type scored struct {
	doc   int
	score float64
}

// search ranks visible documents for the query terms (repeats count again,
// as in the baseline) and returns the best n, ties broken by index order.
func (st keywordStats) search(qterms []string, docLen func(int) int, alive func(int) bool, n int) []scored {
	scores := make(map[int]float64)
	for _, t := range qterms {
		idf := st.idf(t)
		for _, s := range st.shards {
			for _, p := range s.postings[t] {
				d := int(p.doc)
				if !alive(d) {
					continue
				}
				tf := float64(p.tf)
				norm := bm25K1 * (1 - bm25B + bm25B*float64(docLen(d))/st.avgdl)
				scores[d] += idf * tf * (bm25K1 + 1) / (tf + norm)
			}
		}
	}
	return topN(scores, n)
}

func topN(scores map[int]float64, n int) []scored {
	out := make([]scored, 0, len(scores))
	for d, s := range scores {
		out = append(out, scored{d, s})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].doc < out[j].doc
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}
