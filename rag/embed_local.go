package rag

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"
)

// LocalEmbedder is the offline default: a hashed bag of stemmed words and
// word pairs ("feature hashing"), with sublinear term frequencies. It needs
// no model weights (none can be downloaded here), is deterministic across
// machines and versions of Go, and costs microseconds per passage.
//
// Queries are weighted by inverse document frequency at query time (see
// EmbedQuery), which makes the dot product a TF-IDF cosine without storing
// corpus statistics in the passage vectors: adding articles never
// invalidates vectors already stored.
type LocalEmbedder struct {
	dims int
	an   *analyzer
}

// NewLocalEmbedder returns a local embedder with the given number of
// dimensions (512 when dims <= 0).
func NewLocalEmbedder(dims int) *LocalEmbedder {
	if dims <= 0 {
		dims = 512
	}
	return &LocalEmbedder{dims: dims, an: newAnalyzer()}
}

// Name identifies the feature scheme and size; bump the version when the
// features change so stored vectors are rebuilt.
//
// v2: features are summed in a fixed order (a map's random order changed
// the last bits of a vector from run to run, and with them ties), and a
// text without a ranking word still gets a non-zero vector.
func (e *LocalEmbedder) Name() string { return fmt.Sprintf("local-hash-v2-%d", e.dims) }

// Embed returns one unit vector per text.
func (e *LocalEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		ws := e.an.words(t)
		if len(ws) == 0 {
			ws = fallbackWords(t)
		}
		out[i] = e.vector(ws, nil)
	}
	return out, nil
}

// fallbackWords are the features of a text with no ranking word ("And
// they're off!" is all stopwords): its stopwords, or else the text itself.
// An all-zero vector has no direction: chromem-go would normalise it to
// NaN, and one NaN among the candidates poisons every fused score.
func fallbackWords(text string) []string {
	var ws []string
	forEachWord(text, func(w string) { ws = append(ws, w) })
	if len(ws) == 0 {
		ws = []string{"\x00" + strings.TrimSpace(text)}
	}
	return ws
}

// EmbedQuery embeds a question with each feature weighted by weight (the
// word's idf over the visible passages; a pair gets the mean of its words').
func (e *LocalEmbedder) EmbedQuery(text string, weight func(term string) float64) []float32 {
	return e.vector(e.an.words(text), weight)
}

// pairWeight scales word-pair features against single words: pairs add
// phrase evidence ("supreme court") without drowning the words.
const pairWeight = 0.5

// vector hashes the stems of words and of adjacent word pairs. A feature's
// query weight is that of the words it came from.
func (e *LocalEmbedder) vector(words []string, weight func(string) float64) []float32 {
	feats := make(map[string]float64, 2*len(words))
	qw := make(map[string]float64)
	prev := ""
	for i, w := range words {
		st := e.an.stem(w)
		feats[st]++
		if weight != nil {
			qw[st] = weight(w)
		}
		if i > 0 {
			pair := prev + " " + st
			feats[pair] += pairWeight
			if weight != nil {
				qw[pair] = (weight(words[i-1]) + weight(w)) / 2
			}
		}
		prev = st
	}
	keys := make([]string, 0, len(feats))
	for f := range feats {
		keys = append(keys, f)
	}
	slices.Sort(keys) // float sums depend on their order
	v := make([]float32, e.dims)
	for _, f := range keys {
		tf := feats[f]
		w := 1 + math.Log(tf)
		if tf < 1 {
			w = tf
		}
		if weight != nil {
			w *= qw[f]
		}
		h := fnv.New64a()
		h.Write([]byte(f))
		sum := h.Sum64()
		idx := int(sum % uint64(e.dims))
		if sum>>63 == 1 { // the sign bit spreads collisions around zero
			w = -w
		}
		v[idx] += float32(w)
	}
	return normalize(v)
}
