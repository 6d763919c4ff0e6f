package rag

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
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
	const total = 16 * maxChatResponseBytes // what the server would send if let
	slack := socketSlack()
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
		// Socket buffers let the server write more than was read: up to
		// the kernel's largest send and receive buffers.
		if n := wrote.Swap(0); n > maxChatResponseBytes+slack {
			t.Errorf("%s: the server wrote %d MB before the client stopped reading, want about %d (+%d MB of socket buffers) of the %d MB it had",
				what, n>>20, maxChatResponseBytes>>20, slack>>20, total>>20)
		}
	}
	check("streamed", err)
	_, _, err = chat.complete(context.Background(), msgs, nil)
	check("not streamed", err)
}

// socketSlack is how much more than the client read the server may have
// written into socket buffers before the client hung up: on Linux the
// largest TCP send and receive buffers (receive buffers grow by
// autotuning, to 32 MB on some hosts), plus one 1 MB chunk in flight;
// elsewhere 8 MB.
func socketSlack() int64 {
	slack := int64(8 << 20)
	if w, r := tcpMax("tcp_wmem"), tcpMax("tcp_rmem"); w > 0 && r > 0 {
		slack = w + r
	}
	return slack + 1<<20
}

// tcpMax reads the largest size of /proc/sys/net/ipv4/NAME, or 0.
func tcpMax(name string) int64 {
	b, err := os.ReadFile("/proc/sys/net/ipv4/" + name)
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) != 3 {
		return 0
	}
	n, _ := strconv.ParseInt(f[2], 10, 64)
	return n
}
