package rag

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"
)

// Embedding requests are batched within OpenAI's limits (2,048 inputs and
// 300k tokens per request, 8,191 tokens per input) with a wide margin for
// other servers: 1,000 passages of ~200 words take 4 requests.
const (
	embedBatchInputs   = 256
	embedBatchChars    = 250_000
	embedMaxInputChars = 24_000 // ~6k tokens; longer inputs are cut
	embedInFlight      = 3
)

// OpenAIEmbedder embeds texts with an OpenAI-compatible embeddings API.
type OpenAIEmbedder struct {
	client *openai.Client
	model  string
}

// NewOpenAIEmbedder embeds with model through client (see
// NewOpenAIClient for retries and errors).
func NewOpenAIEmbedder(client *openai.Client, model string) *OpenAIEmbedder {
	return &OpenAIEmbedder{client: client, model: model}
}

// Name is "openai:" and the model: vectors of another model are not
// comparable, so a new model means re-embedding.
func (e *OpenAIEmbedder) Name() string { return "openai:" + e.model }

// Embed returns one unit vector per text, in order. Texts go in batches,
// a few requests at a time; any failed batch fails the whole call and no
// partial result is returned, so a caller never stores a half-embedded
// article. Empty texts get a zero vector without a request (APIs reject
// empty input). Inputs longer than embedMaxInputChars are cut there.
func (e *OpenAIEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	var idx []int // positions of the non-empty texts
	for i, t := range texts {
		if strings.TrimSpace(t) != "" {
			idx = append(idx, i)
		}
	}
	batches := batchTexts(texts, idx)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		sem      = make(chan struct{}, embedInFlight)
	)
	for _, b := range batches {
		sem <- struct{}{}
		if ctx.Err() != nil {
			<-sem
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := e.embedBatch(ctx, texts, b, out); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("embed %d texts with %s: %w", len(texts), e.model, firstErr)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("embed %d texts with %s: %w", len(texts), e.model, err)
	}
	if err := fillZeros(out); err != nil {
		return nil, fmt.Errorf("embed %d texts with %s: %w", len(texts), e.model, err)
	}
	return out, nil
}

// batchTexts groups the positions idx into batches within the input-count
// and character limits.
func batchTexts(texts []string, idx []int) [][]int {
	var batches [][]int
	var cur []int
	chars := 0
	for _, i := range idx {
		n := min(len(texts[i]), embedMaxInputChars)
		if len(cur) > 0 && (len(cur) == embedBatchInputs || chars+n > embedBatchChars) {
			batches = append(batches, cur)
			cur, chars = nil, 0
		}
		cur = append(cur, i)
		chars += n
	}
	if len(cur) > 0 {
		batches = append(batches, cur)
	}
	return batches
}

// embedBatch sends one request and places each vector by the response's
// index field, which servers may return out of order.
func (e *OpenAIEmbedder) embedBatch(ctx context.Context, texts []string, batch []int, out [][]float32) error {
	in := make([]string, len(batch))
	for j, i := range batch {
		in[j] = cut(texts[i], embedMaxInputChars)
	}
	resp, err := e.client.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{Input: in, Model: openai.EmbeddingModel(e.model)})
	if err != nil {
		return err
	}
	if len(resp.Data) != len(batch) {
		return fmt.Errorf("server returned %d vectors for %d inputs", len(resp.Data), len(batch))
	}
	seen := make([]bool, len(batch))
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(batch) || seen[d.Index] {
			return fmt.Errorf("server returned a vector with bad index %d for %d inputs", d.Index, len(batch))
		}
		if len(d.Embedding) == 0 {
			return fmt.Errorf("server returned an empty vector for input %d", d.Index)
		}
		seen[d.Index] = true
		out[batch[d.Index]] = normalize(d.Embedding)
	}
	return nil
}

// fillZeros gives empty texts a zero vector of the common dimension and
// checks that all vectors share it.
func fillZeros(out [][]float32) error {
	dims := 0
	for _, v := range out {
		if len(v) == 0 {
			continue
		}
		if dims != 0 && len(v) != dims {
			return fmt.Errorf("server returned vectors of %d and %d dimensions", dims, len(v))
		}
		dims = len(v)
	}
	for i, v := range out {
		if len(v) == 0 {
			out[i] = make([]float32, dims)
		}
	}
	return nil
}

// cut shortens s to at most n bytes at a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
