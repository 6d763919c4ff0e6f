package rag

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	openai "github.com/sashabaranov/go-openai"
)

// sse writes chunks as server-sent events, then [DONE].
func sse(w http.ResponseWriter, chunks ...string) {
	w.Header().Set("Content-Type", "text/event-stream")
	for _, c := range chunks {
		fmt.Fprintf(w, "data: %s\n\n", c)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}

func deltaChunk(content string) string {
	b, _ := json.Marshal(map[string]any{
		"id": "c1", "object": "chat.completion.chunk", "model": "m",
		"choices": []map[string]any{{"index": 0, "delta": map[string]any{"content": content}, "finish_reason": nil}},
	})
	return string(b)
}

func finishChunk(reason string) string {
	return `{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"` + reason + `"}]}`
}

const usageChunk = `{"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":812,"completion_tokens":41,"total_tokens":853}}`

// azureFilterChunk is the chunk with prompt filter results and no choices
// Azure sends first.
const azureFilterChunk = `{"id":"","object":"","created":0,"model":"","choices":[],"prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}}}]}`

// streamAnswer streams text in pieces of about n bytes.
func streamAnswer(text string, n int) []string {
	var chunks []string
	for len(text) > 0 {
		k := min(n, len(text))
		for k < len(text) && !strings.HasPrefix(text[k:], " ") && k-n < 8 { // split between words when near
			k++
		}
		chunks = append(chunks, deltaChunk(text[:k]))
		text = text[k:]
	}
	return chunks
}

func completionJSON(content, finish string) map[string]any {
	return map[string]any{
		"id": "c1", "object": "chat.completion", "model": "m",
		"choices": []map[string]any{{"index": 0, "message": map[string]any{"role": "assistant", "content": content}, "finish_reason": finish}},
		"usage":   map[string]any{"prompt_tokens": 700, "completion_tokens": 30, "total_tokens": 730},
	}
}

func TestChatStream(t *testing.T) {
	const answer = "Britain said China must end “its systematic cybersabotage” [1]."
	tests := []struct {
		name      string
		handle    func(n int, r recorded, w http.ResponseWriter)
		wantText  string
		wantUsage Usage
		wantReqs  int
		wantErr   error
	}{
		{
			name: "streamed with a usage chunk without choices",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				sse(w, append(append([]string{azureFilterChunk}, streamAnswer(answer, 10)...), finishChunk("stop"), usageChunk)...)
			},
			wantText: answer, wantUsage: Usage{PromptTokens: 812, CompletionTokens: 41, TotalTokens: 853}, wantReqs: 1,
		},
		{
			name: "content filter stops the stream",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				sse(w, deltaChunk("Britain said"), finishChunk("content_filter"), usageChunk)
			},
			wantReqs: 1, wantErr: errFiltered,
		},
		{
			name: "model refusal",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				sse(w, `{"choices":[{"index":0,"delta":{"refusal":"I can't help with that."}}]}`)
			},
			wantReqs: 1, wantErr: errFiltered,
		},
		{
			name: "server ignores stream and answers JSON",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				writeJSON(w, 200, completionJSON(answer, "stop"))
			},
			wantText: answer, wantUsage: Usage{PromptTokens: 700, CompletionTokens: 30, TotalTokens: 730}, wantReqs: 2,
		},
		{
			name: "server rejects streaming with 400",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				if r.Body["stream"] == true {
					apiError(w, 400, "stream_options is not supported")
					return
				}
				writeJSON(w, 200, completionJSON(answer, "stop"))
			},
			wantText: answer, wantUsage: Usage{PromptTokens: 700, CompletionTokens: 30, TotalTokens: 730}, wantReqs: 2,
		},
		{
			name: "empty answer",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				sse(w, deltaChunk("  "), finishChunk("stop"))
			},
			wantReqs: 1, wantErr: errEmptyAnswer,
		},
		{
			name: "non-streamed content filter",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				writeJSON(w, 200, completionJSON("", "content_filter"))
			},
			wantReqs: 2, wantErr: errFiltered,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t, tc.handle)
			chat := NewChat(api.client(t, OpenAIConfig{}), "gpt-4.1-mini", 0)
			var deltas []string
			msgs := []openai.ChatCompletionMessage{{Role: "user", Content: "What did Britain say?"}}
			text, usage, err := chat.stream(context.Background(), msgs, func(s string) { deltas = append(deltas, s) })
			if got := len(api.requests()); got != tc.wantReqs {
				t.Errorf("server got %d requests, want %d", got, tc.wantReqs)
			}
			first := api.requests()[0].Body
			if first["stream"] != true || first["model"] != "gpt-4.1-mini" {
				t.Errorf("first request stream=%v model=%v, want a streamed request for gpt-4.1-mini", first["stream"], first["model"])
			}
			for i, r := range api.requests() {
				if r.Body["max_tokens"] != float64(DefaultMaxAnswerTokens) {
					t.Errorf("request %d max_tokens = %v, want %d", i, r.Body["max_tokens"], DefaultMaxAnswerTokens)
				}
			}
			if opts, _ := first["stream_options"].(map[string]any); opts["include_usage"] != true {
				t.Errorf("stream_options = %v, want include_usage true", first["stream_options"])
			}
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Stream error = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Stream: %v", err)
			}
			if text != tc.wantText || usage != tc.wantUsage {
				t.Errorf("Stream = %q, %+v; want %q, %+v", text, usage, tc.wantText, tc.wantUsage)
			}
			if len(deltas) == 0 || deltas[len(deltas)-1] != text {
				t.Fatalf("last delta = %q, want the whole answer", deltas)
			}
			for i := 1; i < len(deltas); i++ {
				if !strings.HasPrefix(deltas[i], deltas[i-1]) {
					t.Errorf("delta %d %q does not extend delta %d %q", i, deltas[i], i-1, deltas[i-1])
				}
			}
		})
	}
}

func TestChatStreamServerDown(t *testing.T) {
	api := newFakeAPI(t, func(n int, r recorded, w http.ResponseWriter) {
		w.Header().Set("Retry-After", "0")
		apiError(w, 502, "Bad gateway")
	})
	_, _, err := NewChat(api.client(t, OpenAIConfig{MaxRetries: 1}), "m", 0).stream(context.Background(), nil, nil)
	var se *serverError
	if !errors.As(err, &se) || se.Status != 502 || se.Attempts != 2 {
		t.Fatalf("Stream error = %v, want a *serverError with status 502 after 2 attempts", err)
	}
}

// TestChatStreamBounded: every request carries max_tokens, and a server
// that ignores it is cut off at 8 bytes per token, keeping whole
// sentences; a finish for length keeps whole sentences too.
func TestChatStreamBounded(t *testing.T) {
	sentence := "The council said the harbour wall will be rebuilt by May. "
	tests := []struct {
		name     string
		handle   func(n int, r recorded, w http.ResponseWriter)
		wantText string
	}{
		{
			name: "server ignores max_tokens and streams 1 MB",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				w.Header().Set("Content-Type", "text/event-stream")
				chunk := "data: " + deltaChunk(sentence) + "\n\n"
				for range 1 << 20 / len(sentence) {
					if _, err := fmt.Fprint(w, chunk); err != nil {
						return // the client hung up
					}
				}
				fmt.Fprint(w, "data: [DONE]\n\n")
			},
			wantText: strings.TrimSpace(strings.Repeat(sentence, 50*8/len(sentence))),
		},
		{
			name: "finish for length mid-sentence",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				sse(w, deltaChunk(sentence+sentence+"And then the"), finishChunk("length"))
			},
			wantText: strings.TrimSpace(sentence + sentence),
		},
		{
			name: "non-streamed answer over the cap",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				if r.Body["stream"] == true {
					apiError(w, 400, "streaming unsupported")
					return
				}
				writeJSON(w, 200, completionJSON(strings.Repeat(sentence, 100), "stop"))
			},
			wantText: strings.TrimSpace(strings.Repeat(sentence, 50*8/len(sentence))),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t, tc.handle)
			chat := NewChat(api.client(t, OpenAIConfig{}), "m", 50)
			text, _, err := chat.stream(context.Background(), []openai.ChatCompletionMessage{{Role: "user", Content: "q"}}, nil)
			if err != nil {
				t.Fatalf("Stream: %v", err)
			}
			if text != tc.wantText {
				t.Errorf("Stream = %d bytes %q\nwant %d bytes %q", len(text), text, len(tc.wantText), tc.wantText)
			}
			for i, r := range api.requests() {
				if r.Body["max_tokens"] != float64(50) {
					t.Errorf("request %d max_tokens = %v, want 50", i, r.Body["max_tokens"])
				}
			}
		})
	}
}

// TestChatSwitchesToMaxCompletionTokens: a server that refuses max_tokens
// as OpenAI's reasoning models do (400 naming max_completion_tokens) gets
// the limit as max_completion_tokens from then on.
func TestChatSwitchesToMaxCompletionTokens(t *testing.T) {
	api := newFakeAPI(t, func(n int, r recorded, w http.ResponseWriter) {
		if _, ok := r.Body["max_tokens"]; ok {
			apiError(w, 400, "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.")
			return
		}
		sse(w, deltaChunk("It rose."), finishChunk("stop"))
	})
	// A model go-openai does not know as a reasoning model: the server
	// refuses; one it knows: go-openai refuses before sending.
	for _, model := range []string{"reasoner-x", "o4-mini"} {
		chat := NewChat(api.client(t, OpenAIConfig{}), model, 300)
		for range 2 {
			if text, _, err := chat.stream(context.Background(), []openai.ChatCompletionMessage{{Role: "user", Content: "q"}}, nil); err != nil || text != "It rose." {
				t.Fatalf("%s: Stream = %q, %v", model, text, err)
			}
		}
	}
	reqs := api.requests()
	if len(reqs) != 5 {
		t.Fatalf("%d requests, want 5 (one refused, then four with max_completion_tokens)", len(reqs))
	}
	for _, r := range reqs[1:] {
		if r.Body["max_completion_tokens"] != float64(300) {
			t.Errorf("request body %s, want max_completion_tokens 300", r.Raw)
		}
	}
}
