package rag

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// passageTexts returns n distinct passage-sized texts (~200 words).
func passageTexts(n int) []string {
	texts := make([]string, n)
	for i := range texts {
		texts[i] = fmt.Sprintf("passage %d: %s", i, strings.Repeat("word ", 190+i%20))
	}
	return texts
}

func TestOpenAIEmbedderBatches(t *testing.T) {
	var inFlight, maxInFlight atomic.Int32
	api := newFakeAPI(t, func(n int, r recorded, w http.ResponseWriter) {
		cur := inFlight.Add(1)
		for {
			m := maxInFlight.Load()
			if cur <= m || maxInFlight.CompareAndSwap(m, cur) {
				break
			}
		}
		time.Sleep(50 * time.Millisecond) // let requests overlap
		// The request stops counting before its answer is written: the
		// client may read the whole JSON body (and send its next request)
		// before this handler returns, which once counted 4 at a time.
		inFlight.Add(-1)
		embeddingsOK(w, r)
	})
	emb := NewOpenAIEmbedder(api.client(t, OpenAIConfig{}), "text-embedding-3-small")
	texts := passageTexts(1000)
	vecs, err := emb.Embed(context.Background(), texts)
	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	reqs := api.requests()
	if len(reqs) > 10 {
		t.Errorf("1,000 passages took %d requests, want at most 10", len(reqs))
	}
	if testing.Verbose() {
		t.Logf("1,000 passages: %d embedding requests", len(reqs))
	}
	sent := 0
	for _, r := range reqs {
		in := r.Body["input"].([]any)
		sent += len(in)
		if len(in) > embedBatchInputs || len(r.Raw) > embedBatchChars+64*len(in) {
			t.Errorf("a request carried %d inputs in %d bytes, over the batch limits", len(in), len(r.Raw))
		}
		if r.Body["model"] != "text-embedding-3-small" {
			t.Errorf("request model = %v, want text-embedding-3-small", r.Body["model"])
		}
	}
	if sent != len(texts) {
		t.Errorf("server got %d inputs, want %d", sent, len(texts))
	}
	if m := maxInFlight.Load(); m > embedInFlight {
		t.Errorf("%d requests in flight at once, want at most %d", m, embedInFlight)
	}
	checkVectors(t, texts, vecs)
}

// checkVectors asserts vecs[i] is the unit vector the fake server derives
// from texts[i]: each vector sits where its text was.
func checkVectors(t *testing.T, texts []string, vecs [][]float32) {
	t.Helper()
	if len(vecs) != len(texts) {
		t.Fatalf("got %d vectors for %d texts", len(vecs), len(texts))
	}
	for i, v := range vecs {
		want := normalize(testVector(texts[i]))
		if !equalVec(v, want) {
			t.Fatalf("vector %d = %v, want %v (the vector of text %d)", i, v, want, i)
		}
		var sum float64
		for _, x := range v {
			sum += float64(x) * float64(x)
		}
		if math.Abs(sum-1) > 1e-5 {
			t.Fatalf("vector %d has length² %f, want 1", i, sum)
		}
	}
}

func TestOpenAIEmbedderOutOfOrderIndex(t *testing.T) {
	api := newFakeAPI(t, func(n int, r recorded, w http.ResponseWriter) {
		var data []map[string]any
		for i, in := range r.Body["input"].([]any) {
			data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": testVector(in.(string))})
		}
		slices.Reverse(data)
		writeJSON(w, 200, map[string]any{"object": "list", "data": data})
	})
	texts := []string{"a", "bb bb", "ccc ccc ccc", "dddd"}
	vecs, err := NewOpenAIEmbedder(api.client(t, OpenAIConfig{}), "m").Embed(context.Background(), texts)
	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	checkVectors(t, texts, vecs)
}

func TestOpenAIEmbedderAllOrNothing(t *testing.T) {
	tests := []struct {
		name    string
		handle  func(n int, r recorded, w http.ResponseWriter)
		wantErr string
	}{
		{
			name: "one batch fails",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				if strings.Contains(string(r.Raw), `"passage 512:`) {
					apiError(w, 400, "This model's maximum context length is 8192 tokens")
					return
				}
				embeddingsOK(w, r)
			},
			wantErr: "maximum context length",
		},
		{
			name: "too few vectors",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				writeJSON(w, 200, map[string]any{"data": []map[string]any{{"index": 0, "embedding": []float32{1, 0}}}})
			},
			wantErr: "vectors for",
		},
		{
			name: "duplicate index",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				var data []map[string]any
				for range r.Body["input"].([]any) {
					data = append(data, map[string]any{"index": 0, "embedding": []float32{1, 0}})
				}
				writeJSON(w, 200, map[string]any{"data": data})
			},
			wantErr: "bad index 0",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t, tc.handle)
			vecs, err := NewOpenAIEmbedder(api.client(t, OpenAIConfig{}), "m").Embed(context.Background(), passageTexts(1000))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Embed error = %v, want one containing %q", err, tc.wantErr)
			}
			if vecs != nil {
				t.Errorf("Embed returned %d vectors with its error, want none", len(vecs))
			}
		})
	}
}

func TestOpenAIEmbedderEmptyTexts(t *testing.T) {
	api := newFakeAPI(t, func(n int, r recorded, w http.ResponseWriter) { embeddingsOK(w, r) })
	emb := NewOpenAIEmbedder(api.client(t, OpenAIConfig{}), "text-embedding-3-small")
	vecs, err := emb.Embed(context.Background(), []string{"one two", "  ", "three"})
	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	if got := api.requests()[0].Body["input"].([]any); len(got) != 2 {
		t.Errorf("sent inputs %v, want the 2 non-empty texts", got)
	}
	if !equalVec(vecs[1], []float32{0, 0, 0}) {
		t.Errorf("vector of a blank text = %v, want a zero vector of the same dimension", vecs[1])
	}
	checkVectors(t, []string{"one two", "three"}, [][]float32{vecs[0], vecs[2]})
	if got, want := emb.Name(), "openai:text-embedding-3-small"; got != want {
		t.Errorf("Name() = %q, want %q", got, want)
	}
	none, err := emb.Embed(context.Background(), nil)
	if err != nil || len(none) != 0 || len(api.requests()) != 1 {
		t.Errorf("Embed(nil) = %v, %v after %d requests; want no vectors and no request", none, err, len(api.requests())-1)
	}
}
