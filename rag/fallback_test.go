package rag

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestSlowLLMFallsBackWithinDeadline: a server that never answers must not
// leave the user without an answer: the extractive one comes once the LLM
// deadline passes.
func TestSlowLLMFallsBackWithinDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	client := NewOpenAIClient(OpenAIConfig{BaseURL: srv.URL + "/v1"}.WithDefaults(), nil)
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	e.cfg.Chat, e.cfg.LLMTimeout = NewChat(client, "m", 0), 300*time.Millisecond
	start := time.Now()
	ans, err := e.Answer(context.Background(), Question{Text: "Which hacker groups did the EU denounce?"})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("answer took %v with a 300ms LLM deadline", took)
	}
	if ans.Mode != ModeExtractive || !strings.Contains(ans.Note, "timed out") || !strings.Contains(ans.Text, "APT40") {
		t.Errorf("got mode %q note %q text %q; want the extractive answer with a timeout note", ans.Mode, ans.Note, ans.Text)
	}
}
