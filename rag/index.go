package rag

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"

	chromem "github.com/philippgille/chromem-go"

	"github.com/briefbot/briefbot/corpus"
)

// entry is one indexed passage. Entries are never reused: a removed
// passage is marked dead, so document numbers in the indexes stay valid.
type entry struct {
	passage corpus.Passage
	article *corpus.Article
	alive   bool
}

// index holds the in-memory search structures, rebuilt from the store at
// start: per scope a chromem-go collection of vectors and a BM25 shard.
// Splitting by scope makes scope filtering happen before ranking on both
// sides. Guarded by mu; chromem collections lock themselves.
type index struct {
	mu      sync.RWMutex
	entries []*entry
	// live and lens mirror entries' alive flags and term counts densely:
	// BM25 reads them for every posting, and chasing an entry pointer per
	// posting cost cache misses at 100k passages.
	live    []bool
	lens    []int32
	byKey   map[string][]int // scope + "\x00" + article ID -> entries
	shards  map[string]*bm25Shard
	vectors *chromem.DB
	cols    map[string]*chromem.Collection
	dead    int
	// an re-analyses a removed passage for BM25 removal: keeping every
	// passage's terms instead cost about 3 KB per passage.
	an *analyzer
	// titles lists the articles for autocomplete (its own lock).
	titles titles
}

func newIndex(an *analyzer) *index {
	return &index{
		an:      an,
		byKey:   make(map[string][]int),
		shards:  make(map[string]*bm25Shard),
		vectors: chromem.NewDB(),
		cols:    make(map[string]*chromem.Collection),
	}
}

func articleKey(scope, id string) string { return scope + "\x00" + id }

// noEmbedding is the collection's embedding func: every vector is computed
// by our own Embedder before it reaches chromem-go, and a nil func would
// make chromem-go fall back to calling OpenAI with OPENAI_API_KEY.
func noEmbedding(context.Context, string) ([]float32, error) {
	return nil, fmt.Errorf("rag: vectors are computed before indexing")
}

// add indexes an article's passages with their vectors.
func (ix *index) add(ctx context.Context, an *analyzer, a *corpus.Article, ps []corpus.Passage, vecs [][]float32) error {
	return ix.addAnalysed(ctx, a, ps, analyse(an, a, ps), vecs)
}

// analyse returns the BM25 terms of each passage. It needs no lock, so the
// start-up load runs it alongside the indexing of earlier articles.
func analyse(an *analyzer, a *corpus.Article, ps []corpus.Passage) [][]string {
	return analyseInto(nil, an, a, ps)
}

// analyseInto is analyse reusing the slices of buf, which the start-up load
// recycles: the term lists are garbage once indexed, and allocating them
// anew was a third of the bytes allocated at start.
func analyseInto(buf [][]string, an *analyzer, a *corpus.Article, ps []corpus.Passage) [][]string {
	out := buf[:0]
	for _, p := range ps {
		// The words of indexText, part by part: the same words (the
		// parts are joined by line breaks) without copying the text, so
		// the stored terms point into the article itself.
		var ws []string
		if n := len(out); n < cap(out) {
			ws = out[:n+1][n][:0] // the list left there by an earlier article
		}
		for _, part := range [...]string{a.Title, a.Source, p.Heading, p.Text} {
			ws = an.appendWords(ws, part)
		}
		out = append(out, an.appendStems(ws, ws))
	}
	return out
}

// addAnalysed is add with the terms of each passage already computed. An
// article already indexed under the same scope and ID is replaced in the
// same critical section: a change another process announced and the resync
// after a lost connection may both index one article, and it must never be
// found twice.
func (ix *index) addAnalysed(ctx context.Context, a *corpus.Article, ps []corpus.Passage, terms [][]string, vecs [][]float32) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if err := ix.removeLocked(ctx, a.Scope, a.ID); err != nil {
		return err
	}
	col, err := ix.collection(a.Scope)
	if err != nil {
		return err
	}
	shard := ix.shard(a.Scope)
	docs := make([]chromem.Document, 0, len(ps))
	key := articleKey(a.Scope, a.ID)
	for i, p := range ps {
		n := len(ix.entries)
		ix.entries = append(ix.entries, &entry{passage: p, article: a, alive: true})
		ix.live = append(ix.live, true)
		ix.lens = append(ix.lens, int32(len(terms[i])))
		ix.byKey[key] = append(ix.byKey[key], n)
		shard.add(n, terms[i])
		shard.addNames(p.Text)
		if usable(vecs[i]) { // never a zero or NaN vector: BM25 alone finds this passage
			docs = append(docs, chromem.Document{ID: strconv.Itoa(n), Embedding: vecs[i]})
		}
	}
	ix.titles.add(a)
	if len(docs) == 0 {
		return nil
	}
	if err := col.AddDocuments(ctx, docs, runtime.GOMAXPROCS(0)); err != nil {
		return fmt.Errorf("index %s: %w", a.ID, err)
	}
	return nil
}

// indexText is what BM25 sees of a passage (its words, and their stems): as in the evaluation baseline,
// the article title counts with the text; so do the sub-heading and the
// source, which questions name ("the Guardian reported…"): +0.014 recall@5
// on multihop_rag_500, no change elsewhere.
func indexText(a *corpus.Article, p corpus.Passage) string {
	return a.Title + "\n" + a.Source + "\n" + p.Heading + "\n" + p.Text
}

// remove drops an article's passages from both indexes.
func (ix *index) remove(ctx context.Context, scope, id string) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.removeLocked(ctx, scope, id)
}

func (ix *index) removeLocked(ctx context.Context, scope, id string) error {
	key := articleKey(scope, id)
	docs := ix.byKey[key]
	delete(ix.byKey, key)
	ix.titles.remove(scope, id)
	ids := make([]string, 0, len(docs))
	for _, n := range docs {
		e := ix.entries[n]
		e.alive, ix.live[n], ix.lens[n] = false, false, 0
		ix.shards[scope].remove(analyse(ix.an, e.article, []corpus.Passage{e.passage})[0])
		ids = append(ids, strconv.Itoa(n))
		ix.dead++
	}
	if len(ids) > 0 {
		if err := ix.cols[scope].Delete(ctx, nil, nil, ids...); err != nil {
			return fmt.Errorf("unindex %s: %w", id, err)
		}
	}
	if ix.dead > 1024 && ix.dead > len(ix.entries)/4 {
		for _, s := range ix.shards {
			s.compact(ix.alive)
		}
		ix.dead = 0
	}
	return nil
}

// digests returns the content hash of every article indexed, by
// articleKey.
func (ix *index) digests() map[string]string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make(map[string]string, len(ix.byKey))
	for key, docs := range ix.byKey {
		if len(docs) > 0 {
			out[key] = ix.entries[docs[0]].article.Hash
		}
	}
	return out
}

func (ix *index) alive(n int) bool { return ix.live[n] }

func (ix *index) docLen(n int) int { return int(ix.lens[n]) }

func (ix *index) shard(scope string) *bm25Shard {
	s, ok := ix.shards[scope]
	if !ok {
		s = newBM25Shard()
		ix.shards[scope] = s
	}
	return s
}

func (ix *index) collection(scope string) (*chromem.Collection, error) {
	if c, ok := ix.cols[scope]; ok {
		return c, nil
	}
	c, err := ix.vectors.CreateCollection("scope-"+scope, nil, noEmbedding)
	if err != nil {
		return nil, fmt.Errorf("create collection: %w", err)
	}
	ix.cols[scope] = c
	return c, nil
}

// visible returns the shards and collections of scopes that exist.
func (ix *index) visible(scopes []string) ([]*bm25Shard, []*chromem.Collection) {
	var shards []*bm25Shard
	var cols []*chromem.Collection
	for _, sc := range normScopes(scopes) {
		if s, ok := ix.shards[sc]; ok {
			shards = append(shards, s)
		}
		if c, ok := ix.cols[sc]; ok {
			cols = append(cols, c)
		}
	}
	return shards, cols
}

// normScopes makes sure global is always visible and scopes are unique.
func normScopes(scopes []string) []string {
	out := []string{corpus.GlobalScope}
	for _, s := range scopes {
		dup := false
		for _, o := range out {
			dup = dup || o == s
		}
		if !dup {
			out = append(out, s)
		}
	}
	return out
}
