package rag

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/briefbot/briefbot/corpus"
)

// Config tunes an Engine. Zero values mean the defaults.
type Config struct {
	K            int     // passages retrieved per question (default 5)
	VectorWeight float64 // weight of the vector ranking in fusion (default 0.1, see defaultVectorWeight)
	Retrieval    string  // RetrieveHybrid (default), RetrieveBM25 or RetrieveVectors
	// MinCoverage is the least Answer.Confidence (the best quotable
	// sentence's share of the question's idf-weighted words, eased for
	// long questions, see calibrated) an extractive answer needs; below it the answer is
	// "The briefings don't cover this." With an LLM the answer is the
	// model's, and Confidence only describes the quotes. It does not gate
	// Timeline, which keeps sentences holding timelineMinCoverage of the
	// topic.
	MinCoverage float64
	// Progress, if set, is called while stored passages are (re-)embedded
	// at start: done of total.
	Progress func(done, total int)
	// Chat, if set, writes answers; nil means extractive answers only.
	Chat *Chat
	// LLMTimeout bounds one LLM answer, retries included (default 45 s);
	// past it the extractive answer is given.
	LLMTimeout time.Duration
	// PassageBudget bounds the passages in the prompt, in tokens (default
	// 3,000).
	PassageBudget int
	// Keep, if set, chooses the scopes held in memory: a process serving
	// some Discord shards keeps the global scope and its shards' servers.
	// Articles of other scopes are stored but not indexed here.
	Keep func(scope string) bool
}

// defaultVectorWeight was chosen on the dev sets (see README): the local
// hashed vectors are weaker than BM25, and above 0.1 they cost recall@5 on
// realtimeqa; at 0.1 they break ties and help multihop_rag_500.
const defaultVectorWeight = 0.1

// DefaultMinCoverage was calibrated on the dev sets (see README: the
// trade-off between refusing unanswerable questions and answerable ones),
// with the confidence calibrated as in calibrated.
const DefaultMinCoverage = 0.2

func (c *Config) defaults() {
	if c.K <= 0 {
		c.K = 5
	}
	if c.VectorWeight == 0 {
		c.VectorWeight = defaultVectorWeight
	}
	if c.Retrieval == "" {
		c.Retrieval = RetrieveHybrid
	}
	if c.MinCoverage == 0 {
		c.MinCoverage = DefaultMinCoverage
	}
	if c.LLMTimeout <= 0 {
		c.LLMTimeout = 45 * time.Second
	}
	if c.PassageBudget <= 0 {
		c.PassageBudget = defaultPassageBudget
	}
}

// Engine answers questions from the articles in a Store. It keeps
// in-memory indexes that mirror the store; the store stays the source of
// truth and is written first.
type Engine struct {
	store  Store
	emb    Embedder
	an     *analyzer
	index  *index
	cfg    Config
	logger *slog.Logger
	plain  plainBaseline
}

// New loads every stored article into the indexes. Passages without a
// usable cached vector for emb (a new embedder, or a damaged cache: a row
// deleted, a blob cut short or of another dimension) are embedded now and
// cached, with cfg.Progress reporting and a log line; a restart with the
// same embedder embeds nothing.
func New(ctx context.Context, store Store, emb Embedder, cfg Config, logger *slog.Logger) (*Engine, error) {
	cfg.defaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	an := newAnalyzer()
	e := &Engine{store: store, emb: emb, an: an, index: newIndex(an), cfg: cfg, logger: logger}
	start := time.Now()
	dims, err := store.VectorDims(ctx, emb.Name())
	if err != nil {
		return nil, fmt.Errorf("load index: %w", err)
	}
	pending, missing, damaged, total, err := e.load(ctx, dims)
	if err != nil {
		return nil, fmt.Errorf("load index: %w", err)
	}
	if missing > 0 {
		logger.Info("embedding stored passages", "embedder", emb.Name(), "passages", missing,
			"of_wrong_dimension", damaged, "why", "no usable cached vector (new embedder or damaged cache)")
		if err := e.embedPending(ctx, pending, missing); err != nil {
			return nil, err
		}
	}
	logger.Debug("index loaded", "passages", total, "embedded", missing, "took", time.Since(start))
	return e, nil
}

// dropOtherDims sets the vectors whose length is not dims, or that are
// zero or hold a NaN, to nil and returns how many it dropped.
func dropOtherDims(vs [][]float32, dims int) int {
	n := 0
	for i, v := range vs {
		if v != nil && (len(v) != dims || !usable(v)) {
			vs[i] = nil
			n++
		}
	}
	return n
}

// analysed is a stored article with the BM25 terms of its passages.
type analysed struct {
	l       corpus.Loaded
	terms   [][]string
	damaged int // vectors dropped for their length
}

// load indexes the stored articles whose vectors are all cached, in store
// order, and returns the others (pending) with the count of passages
// missing a vector. Reading and tokenising run on one goroutine while this
// one indexes, which uses both cores of a small server at start.
// Vectors of another length than dims (damaged) count as missing.
func (e *Engine) load(ctx context.Context, dims int) (pending []corpus.Loaded, missing, damaged, total int, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan analysed, 64)
	free := make(chan [][]string, 128) // term lists to reuse
	readErr := make(chan error, 1)
	go func() {
		defer close(ch)
		readErr <- e.store.Each(ctx, e.emb.Name(), func(l corpus.Loaded) error {
			if !e.keeps(l.Article.Scope) {
				return nil
			}
			a := analysed{l: l}
			a.damaged = dropOtherDims(l.Vectors, dims)
			if countNil(l.Vectors) == 0 {
				var buf [][]string
				select {
				case buf = <-free:
				default:
				}
				a.terms = analyseInto(buf, e.an, &a.l.Article, l.Passages)
			}
			select {
			case ch <- a:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	for a := range ch {
		if err != nil {
			continue // drain until the reader sees the cancellation
		}
		total += len(a.l.Passages)
		damaged += a.damaged
		if n := countNil(a.l.Vectors); n > 0 {
			missing += n
			pending = append(pending, a.l)
			continue
		}
		if err = e.index.addAnalysed(ctx, &a.l.Article, a.l.Passages, a.terms, a.l.Vectors); err != nil {
			cancel()
		}
		select {
		case free <- a.terms: // the index keeps no reference to them
		default:
		}
	}
	if rerr := <-readErr; err == nil {
		err = rerr
	}
	return pending, missing, damaged, total, err
}

func countNil(vs [][]float32) int {
	n := 0
	for _, v := range vs {
		if v == nil {
			n++
		}
	}
	return n
}

// reembedBatch is about how many passages share one embedding call when
// stored passages are re-embedded at start: an API embedder then needs a
// request per few hundred passages, not one per article.
const reembedBatch = 256

// embedPending embeds the passages that have no cached vector, a group of
// articles at a time, caching each group before indexing it so that an
// interrupted start resumes where it stopped.
func (e *Engine) embedPending(ctx context.Context, pending []corpus.Loaded, total int) error {
	done := 0
	for start := 0; start < len(pending); {
		end, n := start, 0
		for end < len(pending) && (n == 0 || n+len(pending[end].Passages) <= reembedBatch) {
			n += len(pending[end].Passages)
			end++
		}
		group := pending[start:end]
		var ps []corpus.Passage
		var have [][]float32
		for _, l := range group {
			ps, have = append(ps, l.Passages...), append(have, l.Vectors...)
		}
		vecs, err := e.embedMissing(ctx, ps, have)
		if err == nil && !e.store.ReadOnly() { // a read-only store is embedded in memory only
			err = e.store.PutVectors(ctx, vecs)
		}
		if err != nil {
			return fmt.Errorf("re-embed stored passages: %w", err)
		}
		for _, l := range group {
			for i, p := range l.Passages {
				if l.Vectors[i] == nil { // keep the cached vectors of the article's other passages
					l.Vectors[i] = vecs.ByHash[corpus.TextHash(p.Text)]
				}
			}
			if err := e.index.add(ctx, e.an, &l.Article, l.Passages, l.Vectors); err != nil {
				return err
			}
		}
		done += n
		if e.cfg.Progress != nil {
			e.cfg.Progress(min(done, total), total)
		}
		start = end
	}
	return nil
}

// embedMissing embeds the passages whose vector in have is nil, in one
// call, and returns the new vectors keyed by text hash.
func (e *Engine) embedMissing(ctx context.Context, ps []corpus.Passage, have [][]float32) (corpus.Vectors, error) {
	vecs := corpus.Vectors{Embedder: e.emb.Name(), ByHash: make(map[string][]float32)}
	var texts, hashes []string
	for i, p := range ps {
		h := corpus.TextHash(p.Text)
		if have[i] != nil || containsKey(vecs.ByHash, h) {
			continue
		}
		vecs.ByHash[h] = nil
		texts = append(texts, p.Text)
		hashes = append(hashes, h)
	}
	if len(texts) == 0 {
		return vecs, nil
	}
	out, err := e.emb.Embed(ctx, texts)
	if err != nil {
		return corpus.Vectors{}, err
	}
	if len(out) != len(texts) {
		return corpus.Vectors{}, fmt.Errorf("embedder %s returned %d vectors for %d texts", e.emb.Name(), len(out), len(texts))
	}
	for i, h := range hashes {
		if !usable(out[i]) {
			return corpus.Vectors{}, fmt.Errorf("embedder %s returned a zero or NaN vector for the passage %q", e.emb.Name(), clip(texts[i]))
		}
		vecs.ByHash[h] = out[i]
	}
	return vecs, nil
}

func containsKey(m map[string][]float32, k string) bool { _, ok := m[k]; return ok }

// vectorsFor returns a vector for every passage: cached ones from the
// store, the rest embedded now (in one call, which API embedders batch).
func (e *Engine) vectorsFor(ctx context.Context, ps []corpus.Passage) (corpus.Vectors, error) {
	hashes := make([]string, len(ps))
	for i, p := range ps {
		hashes[i] = corpus.TextHash(p.Text)
	}
	cached, err := e.store.CachedVectors(ctx, e.emb.Name(), hashes)
	if err != nil {
		return corpus.Vectors{}, err
	}
	have := make([][]float32, len(ps))
	for i, h := range hashes {
		if !usable(cached[h]) { // damaged: embed it again
			delete(cached, h)
		}
		have[i] = cached[h]
	}
	vecs, err := e.embedMissing(ctx, ps, have)
	if err != nil {
		return corpus.Vectors{}, err
	}
	for h, v := range cached {
		vecs.ByHash[h] = v
	}
	return vecs, nil
}

// Remove deletes the article id in one of scopes from the store and the
// indexes. Unlike answering, it does not add the global scope: a server's
// admin passes only the server's scope, so a shared article is not found
// (nil scopes mean the global scope alone). It returns corpus.ErrNotFound
// when no such article is in scopes.
func (e *Engine) Remove(ctx context.Context, scopes []string, id string) (corpus.Article, error) {
	a, err := e.store.Remove(ctx, exactScopes(scopes), id)
	if err != nil {
		return a, err
	}
	return a, e.index.remove(ctx, a.Scope, a.ID)
}

// Get returns the article id in one of scopes, exactly as given: callers
// that show what a server sees pass the global scope themselves (nil
// scopes mean the global scope alone). The remove path depends on this to
// tell a server's article from a shared one.
func (e *Engine) Get(ctx context.Context, scopes []string, id string) (corpus.Article, error) {
	return e.store.Get(ctx, exactScopes(scopes), id)
}

// List returns the articles visible from scopes, newest first.
func (e *Engine) List(ctx context.Context, scopes []string) ([]corpus.Listed, error) {
	return e.store.List(ctx, normScopes(scopes))
}

// errNoQuestion is returned for an empty question.
var errNoQuestion = errors.New("the question is empty")

// exactScopes is scopes without duplicates; nil means the global scope
// alone. Unlike normScopes (what answering searches) it never adds the
// global scope.
func exactScopes(scopes []string) []string {
	if len(scopes) == 0 {
		return []string{corpus.GlobalScope}
	}
	var out []string
	for _, s := range scopes {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
