package rag

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/briefbot/briefbot/corpus"
)

// articleLoader is a store that reads one article back with its passages
// and cached vectors (corpus.PGStore), so that a change another process
// made reaches this process's indexes without a restart.
type articleLoader interface {
	Load(ctx context.Context, embedder, scope, id string) (l corpus.Loaded, found bool, err error)
}

// digester is a store that lists what it holds without the bodies
// (corpus.PGStore), so that Resync reads again only what differs.
type digester interface {
	Digests(ctx context.Context) ([]corpus.Digest, error)
}

// keeps reports whether the scope's articles are held in memory here.
func (e *Engine) keeps(scope string) bool {
	return scope == corpus.GlobalScope || e.cfg.Keep == nil || e.cfg.Keep(scope)
}

// Refresh brings the indexes in line with the store for one article that
// another process added, replaced or removed: it drops what is indexed
// under scope and id, and indexes what the store now holds, embedding any
// passage whose vector is not cached. A scope not kept here is ignored.
func (e *Engine) Refresh(ctx context.Context, scope, id string) error {
	if !e.keeps(scope) {
		return nil
	}
	loader, ok := e.store.(articleLoader)
	if !ok {
		return fmt.Errorf("refresh %s: the store cannot read one article back", id)
	}
	l, found, err := loader.Load(ctx, e.emb.Name(), scope, id)
	if err != nil {
		return fmt.Errorf("refresh %s: %w", id, err)
	}
	if !found {
		return e.index.remove(ctx, scope, id)
	}
	if countNil(l.Vectors) > 0 {
		vecs, err := e.embedMissing(ctx, l.Passages, l.Vectors)
		if err != nil {
			return fmt.Errorf("refresh %s: %w", id, err)
		}
		for i, p := range l.Passages {
			if l.Vectors[i] == nil {
				l.Vectors[i] = vecs.ByHash[corpus.TextHash(p.Text)]
			}
		}
	}
	return e.index.add(ctx, e.an, &l.Article, l.Passages, l.Vectors) // replaces what was indexed
}

// Resync brings every scope held here in line with the store after changes
// may have gone unannounced (a lost LISTEN connection, or the moments
// between loading and listening). It compares IDs and content hashes only,
// one query without bodies, and Refreshes the articles that were added,
// replaced or removed: nothing already indexed is read or embedded again.
// It returns how many articles it refreshed; one that fails does not stop
// the others. An add made by this process
// while Resync runs may be overtaken by Resync's older read of it; the
// next change to that article, or the next resync, corrects it.
func (e *Engine) Resync(ctx context.Context) (int, error) {
	d, ok := e.store.(digester)
	if !ok {
		return 0, fmt.Errorf("resync: the store cannot list its articles' digests")
	}
	stored, err := d.Digests(ctx)
	if err != nil {
		return 0, fmt.Errorf("resync: %w", err)
	}
	held := e.index.digests()
	var stale []corpus.Digest
	for _, s := range stored {
		key := articleKey(s.Scope, s.ID)
		hash, ok := held[key]
		delete(held, key)
		if e.keeps(s.Scope) && (!ok || hash != s.Hash) {
			stale = append(stale, s)
		}
	}
	for key := range held { // held here, gone from the store
		scope, id, _ := strings.Cut(key, "\x00")
		stale = append(stale, corpus.Digest{Scope: scope, ID: id})
	}
	var errs []error // one article that fails to load does not hold back the others
	for _, s := range stale {
		if err := e.Refresh(ctx, s.Scope, s.ID); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return len(stale) - len(errs), fmt.Errorf("resync: %w", errors.Join(errs...))
	}
	return len(stale), nil
}

// Apply applies one change announced by the shared store (see
// corpus.Change): a named article is read again (or dropped), and a resync
// request compares everything held with the store (see Resync). It returns
// how many articles it refreshed. serve follows changes with it, and the
// tests use it too, so that they exercise the dispatch serve runs.
func (e *Engine) Apply(ctx context.Context, c corpus.Change) (int, error) {
	if c.Resync() {
		return e.Resync(ctx)
	}
	if err := e.Refresh(ctx, c.Scope, c.ID); err != nil {
		return 0, err
	}
	return 1, nil
}
