package rag

import "sync"

// RetrievePlainBM25 is the evaluation baseline: BM25 over the same passages
// with unstemmed words, as in the shared ragscore tool. Built on first use.
const RetrievePlainBM25 = "bm25-plain"

// plainBaseline is the lazily built unstemmed BM25 index over the passages
// indexed so far (scopes merged: evaluation runs on one scope).
type plainBaseline struct {
	once  sync.Once
	an    *analyzer
	shard *bm25Shard
	lens  map[int]int
}

func (e *Engine) plainRank(question string, k int) []Hit {
	ix := e.index
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	b := &e.plain
	b.once.Do(func() {
		b.an = newAnalyzer()
		b.shard = newBM25Shard()
		b.lens = make(map[int]int)
		for n, en := range ix.entries {
			if en.alive {
				terms := b.an.words(en.article.Title + "\n" + en.passage.Text)
				b.shard.add(n, terms)
				b.lens[n] = len(terms)
			}
		}
	})
	st := combine([]*bm25Shard{b.shard})
	var hits []Hit
	for _, s := range st.search(b.an.words(question), func(n int) int { return b.lens[n] }, ix.alive, k) {
		en := ix.entries[s.doc]
		hits = append(hits, Hit{Passage: en.passage, Article: en.article, Score: s.score})
	}
	return hits
}
