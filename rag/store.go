package rag

import (
	"context"

	"github.com/briefbot/briefbot/corpus"
)

// Store is the durable store the engine mirrors in memory and writes
// through: corpus.Store (SQLite, the default) or corpus.PGStore
// (PostgreSQL, shared by several processes). Both pass one conformance
// suite in package corpus.
//
// Vectors are read from the store once, at start, and searched in memory
// through chromem-go. A store able to search its own vectors (PostgreSQL
// with pgvector) would add a method here returning ranked passage keys,
// used by Engine.vectorSearch (retrieve.go) instead of the chromem-go
// collections when present. It is not built: pgvector is not available
// where briefbot runs today.
type Store interface {
	Add(ctx context.Context, a corpus.Article, ps []corpus.Passage, vecs corpus.Vectors, opts corpus.AddOptions) (replaced bool, err error)
	Remove(ctx context.Context, scopes []string, id string) (corpus.Article, error)
	Get(ctx context.Context, scopes []string, id string) (corpus.Article, error)
	List(ctx context.Context, scopes []string) ([]corpus.Listed, error)
	Each(ctx context.Context, embedder string, fn func(corpus.Loaded) error) error
	FindContent(ctx context.Context, scope, hash string) (string, bool, error)
	CachedVectors(ctx context.Context, embedder string, hashes []string) (map[string][]float32, error)
	PutVectors(ctx context.Context, vecs corpus.Vectors) error
	VectorDims(ctx context.Context, embedder string) (int, error)
	// ReadOnly reports a store opened read-only: vectors embedded at load
	// are then kept in memory only.
	ReadOnly() bool
}
