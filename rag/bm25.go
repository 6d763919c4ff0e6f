package rag

import (
	"math"
	"sort"
	"strings"
	"sync"
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
	terms    map[string]*termPostings
	n        int // live documents
	totalLen int // sum of live document lengths
	maxDoc   int // highest entry index added
	// scratch holds score buffers for search (one per concurrent query).
	scratch *sync.Pool
	// names counts the capitalised names of the scope's passages by their
	// initials ("eu": "european union": 3), so that a question's acronym
	// finds the name the corpus spells out (see expansions). Counts are not
	// lowered on removal; a name whose words are gone is ignored.
	names map[string]map[string]int
}

// termPostings are a term's postings (dead documents' included until
// compact) and its live document frequency, behind one map lookup.
type termPostings struct {
	postings []posting
	df       int
}

type posting struct {
	doc int32 // entry index in the engine
	tf  int32
}

func newBM25Shard() *bm25Shard {
	return &bm25Shard{terms: make(map[string]*termPostings), names: make(map[string]map[string]int),
		scratch: &sync.Pool{New: func() any { return new(scoreBuf) }}}
}

// add indexes doc's terms with one map lookup per term occurrence and no
// per-document map: a repeat of a term already posted for doc (documents
// are added in increasing order) raises the last posting's tf. Loading
// 100k passages at start spends most of its time here.
func (s *bm25Shard) add(doc int, terms []string) {
	for _, t := range terms {
		tp := s.terms[t]
		if tp == nil {
			tp = &termPostings{}
			s.terms[t] = tp
		}
		if last := len(tp.postings) - 1; last >= 0 && int(tp.postings[last].doc) == doc {
			tp.postings[last].tf++
			continue
		}
		tp.postings = append(tp.postings, posting{doc: int32(doc), tf: 1})
		tp.df++
	}
	s.n++
	s.totalLen += len(terms)
	s.maxDoc = max(s.maxDoc, doc)
}

// remove forgets doc's statistics; its postings are dropped lazily by
// compact, and skipped meanwhile through the alive check in search.
func (s *bm25Shard) remove(terms []string) {
	for t := range termFreq(terms) {
		if tp := s.terms[t]; tp != nil {
			tp.df--
		}
	}
	s.n--
	s.totalLen -= len(terms)
}

// compact drops postings of dead documents.
func (s *bm25Shard) compact(alive func(doc int) bool) {
	for t, tp := range s.terms {
		kept := tp.postings[:0]
		for _, p := range tp.postings {
			if alive(int(p.doc)) {
				kept = append(kept, p)
			}
		}
		if len(kept) == 0 {
			delete(s.terms, t)
			continue
		}
		tp.postings = kept
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
		if tp := s.terms[term]; tp != nil {
			df += tp.df
		}
	}
	if df == 0 {
		df = 1
	}
	return math.Log(1 + (float64(st.n)-float64(df)+0.5)/(float64(df)+0.5))
}

// stemTermWeight scales a stem's match against a plain word's: a variant
// ("denounced" for "denounce") is weaker evidence than the word itself.
const stemTermWeight = 0.5

type scored struct {
	doc   int
	score float64
}

// search ranks visible documents for the query terms (repeats count again,
// as in the baseline) and returns the best n, ties broken by index order.
// Scores accumulate in a dense array over entry indices, reused through
// the shard's pool: common words have posting lists as long as the corpus,
// and a map per query cost most of the time at 100k passages.
func (st keywordStats) search(qterms []string, docLen func(int) int, alive func(int) bool, n int) []scored {
	if len(st.shards) == 0 {
		return nil
	}
	size := 0
	for _, s := range st.shards {
		size = max(size, s.maxDoc+1)
	}
	pool := st.shards[0].scratch
	buf := pool.Get().(*scoreBuf)
	defer pool.Put(buf)
	buf.reset(size)
	for _, t := range qterms {
		idf := st.idf(t)
		if strings.HasPrefix(t, stemMark) {
			idf *= stemTermWeight
		}
		for _, s := range st.shards {
			tp := s.terms[t]
			if tp == nil {
				continue
			}
			for _, p := range tp.postings {
				d := int(p.doc)
				if !alive(d) {
					continue
				}
				tf := float64(p.tf)
				norm := bm25K1 * (1 - bm25B + bm25B*float64(docLen(d))/st.avgdl)
				if !buf.seen[d] {
					buf.seen[d] = true
					buf.touched = append(buf.touched, int32(d))
				}
				buf.score[d] += idf * tf * (bm25K1 + 1) / (tf + norm)
			}
		}
	}
	return buf.top(n)
}

// scoreBuf is a dense score array; touched lists the documents scored, so
// that reset and selection cost what the query touched, not the corpus.
type scoreBuf struct {
	score   []float64
	seen    []bool
	touched []int32
}

func (b *scoreBuf) reset(size int) {
	for _, d := range b.touched {
		b.score[d], b.seen[d] = 0, false
	}
	b.touched = b.touched[:0]
	if len(b.score) < size {
		b.score = make([]float64, size)
		b.seen = make([]bool, size)
	}
}

// better is the ranking order: higher score, then lower index.
func better(a, b scored) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.doc < b.doc
}

// top selects the best n touched documents with a bounded heap whose root
// is the worst kept, then sorts them: the same result as sorting all.
func (b *scoreBuf) top(n int) []scored {
	if n <= 0 {
		return []scored{}
	}
	h := make([]scored, 0, min(n, len(b.touched)))
	for _, d := range b.touched {
		s := scored{int(d), b.score[d]}
		switch {
		case len(h) < n:
			h = append(h, s)
			for i := len(h) - 1; i > 0; { // sift up
				parent := (i - 1) / 2
				if !better(h[parent], h[i]) {
					break
				}
				h[parent], h[i] = h[i], h[parent]
				i = parent
			}
		case better(s, h[0]):
			h[0] = s
			for i := 0; ; { // sift down
				worst, l, r := i, 2*i+1, 2*i+2
				if l < len(h) && better(h[worst], h[l]) {
					worst = l
				}
				if r < len(h) && better(h[worst], h[r]) {
					worst = r
				}
				if worst == i {
					break
				}
				h[i], h[worst] = h[worst], h[i]
				i = worst
			}
		}
	}
	sort.Slice(h, func(i, j int) bool { return better(h[i], h[j]) })
	return h
}

func topN(scores map[int]float64, n int) []scored {
	out := make([]scored, 0, len(scores))
	for d, s := range scores {
		out = append(out, scored{d, s})
	}
	sort.Slice(out, func(i, j int) bool { return better(out[i], out[j]) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}
