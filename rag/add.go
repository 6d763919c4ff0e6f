package rag

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/briefbot/briefbot/corpus"
)

// Added is the outcome of adding one article.
type Added struct {
	Article  corpus.Article // as stored (ID, dates filled in)
	Passages int
	Replaced bool  // an article of the same ID was replaced (AddOptions.Replace)
	Err      error // wraps corpus.ErrEmpty, ErrDuplicate or ErrConflict for the user's input
}

// Add splits, embeds and stores an article, then indexes it: it is
// answerable as soon as Add returns. See AddMany.
func (e *Engine) Add(ctx context.Context, a corpus.Article, opts corpus.AddOptions) (corpus.Article, int, error) {
	r := e.AddMany(ctx, []corpus.Article{a}, opts)[0]
	return r.Article, r.Passages, r.Err
}

// AddMany adds articles with one embedding call for all their new
// passages (an API embedder batches it into few requests), then stores
// each article in its own transaction and indexes it. Embedding happens
// before any transaction: if it fails, nothing is added and every result
// carries the error, so a retry later starts clean.
func (e *Engine) AddMany(ctx context.Context, arts []corpus.Article, opts corpus.AddOptions) []Added {
	out := make([]Added, len(arts))
	var all []corpus.Passage
	split := make([][]corpus.Passage, len(arts))
	for i, a := range arts {
		out[i].Article, split[i], out[i].Err = e.prepare(ctx, a)
		all = append(all, split[i]...)
	}
	vecs, err := e.vectorsFor(ctx, all)
	for i := range out {
		if out[i].Err != nil {
			continue
		}
		if err != nil {
			out[i].Err = fmt.Errorf("embed %s: %w", out[i].Article.ID, err)
			continue
		}
		out[i].Passages, out[i].Replaced, out[i].Err = e.store1(ctx, &out[i].Article, split[i], vecs, opts)
	}
	return out
}

// prepare fills in what the article lacks (ID, dates, hash), splits it and
// refuses content already stored, before anything is paid for.
func (e *Engine) prepare(ctx context.Context, a corpus.Article) (corpus.Article, []corpus.Passage, error) {
	if err := corpus.CheckText(a); err != nil {
		return a, nil, fmt.Errorf("%s: %w", orTitle(a), err)
	}
	if a.Hash == "" {
		a.Hash = corpus.ContentHash(a.Title, a.Body)
	}
	if a.AddedAt.IsZero() {
		a.AddedAt = time.Now().UTC()
	}
	if a.Published.IsZero() { // news needs a date: a date line, else the day it was added, marked as such
		a.Published, a.DateGuessed = dateFromText(a.Body), false
	}
	if a.Published.IsZero() {
		y, m, d := a.AddedAt.UTC().Date()
		a.Published, a.DateGuessed = time.Date(y, m, d, 0, 0, 0, 0, time.UTC), true
	}
	if a.ID == "" {
		a.ID = corpus.Slug(a.Title)
		if len(a.ID) > 48 {
			a.ID = strings.TrimRight(a.ID[:48], "-")
		}
		a.ID += "-" + a.Hash[:6]
	}
	ps := corpus.Split(a)
	if len(ps) == 0 {
		return a, nil, fmt.Errorf("%s: %w", a.ID, corpus.ErrEmpty)
	}
	id, dup, err := e.store.FindContent(ctx, a.Scope, a.Hash)
	if err != nil {
		return a, nil, err
	}
	if dup {
		return a, nil, fmt.Errorf("%w as %q", corpus.ErrDuplicate, id)
	}
	return a, ps, nil
}

// store1 writes one article (one transaction), then indexes it.
func (e *Engine) store1(ctx context.Context, a *corpus.Article, ps []corpus.Passage, vecs corpus.Vectors, opts corpus.AddOptions) (int, bool, error) {
	own := corpus.Vectors{Embedder: vecs.Embedder, ByHash: make(map[string][]float32, len(ps))}
	all := make([][]float32, len(ps))
	for i, p := range ps {
		h := corpus.TextHash(p.Text)
		own.ByHash[h] = vecs.ByHash[h]
		all[i] = vecs.ByHash[h]
	}
	replaced, err := e.store.Add(ctx, *a, ps, own, opts)
	if err != nil {
		return 0, false, err
	}
	if replaced {
		if err := e.index.remove(ctx, a.Scope, a.ID); err != nil {
			return 0, false, err
		}
	}
	if !e.keeps(a.Scope) { // another process serves this scope (a feed item of its server)
		return len(ps), replaced, nil
	}
	if err := e.index.add(ctx, e.an, a, ps, all); err != nil {
		return 0, false, err
	}
	return len(ps), replaced, nil
}

// dateFromText reads a date line at the top of a body ("June 25, 2022"),
// as briefings pasted with their dateline have; zero when there is none.
func dateFromText(body string) time.Time {
	line, _, _ := strings.Cut(strings.TrimSpace(body), "\n")
	t, _ := corpus.ParseDateLine(line)
	return t
}

// orTitle names an article in an error before it has an ID.
func orTitle(a corpus.Article) string {
	if a.ID != "" {
		return a.ID
	}
	return fmt.Sprintf("%.60q", a.Title)
}
