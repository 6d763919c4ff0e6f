package rag

import (
	"context"
	"math"
)

// Embedder turns texts into vectors of unit length. Implementations batch as
// they see fit; the result has one vector per text, in order.
type Embedder interface {
	// Name identifies the embedder and its settings (model, dimensions).
	// Stored vectors are keyed by it: a new name means re-embedding.
	Name() string
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// normalize scales v to unit length in place; chromem-go's cosine similarity
// assumes normalised vectors. A zero vector stays zero.
func normalize(v []float32) []float32 {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 {
		return v
	}
	inv := float32(1 / math.Sqrt(sum))
	for i := range v {
		v[i] *= inv
	}
	return v
}
