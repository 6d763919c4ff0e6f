package rag

import (
	"context"
	"fmt"

	"github.com/briefbot/briefbot/corpus"
)

// articleLoader is a store that reads one article back with its passages
// and cached vectors (corpus.PGStore), so that a change another process
// made reaches this process's indexes without a restart.
type articleLoader interface {
	Load(ctx context.Context, embedder, scope, id string) (l corpus.Loaded, found bool, err error)
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
	if err := e.index.remove(ctx, scope, id); err != nil {
		return err
	}
	if !found {
		return nil
	}
	return e.index.add(ctx, e.an, &l.Article, l.Passages, l.Vectors)
}
