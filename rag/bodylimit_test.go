package rag

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	openai "github.com/sashabaranov/go-openai"
)

// TestChatStopsReadingAnEndlessLine: a server that ignores max_tokens and
// sends its answer as one server-sent event line with no end (go-openai
// reads a line whole before parsing it) is cut off at the transport
// after maxChatResponseBytes, with an error, instead of filling memory
// until the process dies; so is a non-streamed answer of that size.
func TestChatStopsReadingAnEndlessLine(t *testing.T) {
	const total = 4 * maxChatResponseBytes // what the server would send if let
	var wrote atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Stream bool }
		json.NewDecoder(r.Body).Decode(&req)
		stream := req.Stream
		w.Header().Set("Content-Type", "application/json")
		head := `{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"`
		if stream {
			w.Header().Set("Content-Type", "text/event-stream")
			head = `data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"`
		}
		fmt.Fprint(w, head)
		chunk := []byte(strings.Repeat("A", 1<<20))
		for n := 0; n < total; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return // the client hung up
			}
			wrote.Add(int64(len(chunk)))
		}
		fmt.Fprint(w, "\"}}]}\n\ndata: [DONE]\n\n")
	}))
	defer srv.Close()
	chat := NewChat(NewOpenAIClient(OpenAIConfig{BaseURL: srv.URL + "/v1", MaxRetries: -1}, nil), "m", 0)
	msgs := []openai.ChatCompletionMessage{{Role: "user", Content: "q"}}
	_, _, err := chat.stream(context.Background(), msgs, nil)
	check := func(what string, err error) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), "passed 16 MB") {
			t.Errorf("%s: err %v, want the response cap named", what, err)
		}
		// Socket buffers let the server write a few MB more than was read.
		if n := wrote.Swap(0); n > maxChatResponseBytes+8<<20 {
			t.Errorf("%s: the server wrote %d MB before the client stopped reading, want about %d", what, n>>20, maxChatResponseBytes>>20)
		}
	}
	check("streamed", err)
	_, _, err = chat.complete(context.Background(), msgs, nil)
	check("not streamed", err)
}
