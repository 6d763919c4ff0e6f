package rag

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/corpus"
)

// TestSlowQuestionEmbeddingHoldsNoLock asks a question whose embedding
// request the OpenAI-compatible server holds open, then adds an article
// and asks another question: both must finish while the first is still
// waiting. Before, the question held the index's read lock across the
// request, the add waited for the write lock, and every later question
// waited behind the add.
func TestSlowQuestionEmbeddingHoldsNoLock(t *testing.T) {
	stalled, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	api := newFakeAPI(t, func(_ int, r recorded, w http.ResponseWriter) {
		if in, _ := r.Body["input"].([]any); len(in) == 1 && strings.Contains(in[0].(string), "stalling") {
			once.Do(func() { close(stalled) })
			<-release
		}
		embeddingsOK(w, r)
	})
	t.Cleanup(func() { close(release) }) // runs before the server closes
	e, _ := newTestEngine(t, t.TempDir(), NewOpenAIEmbedder(api.client(t, OpenAIConfig{}), "text-embedding-3-small"))
	ctx := context.Background()

	slow := make(chan error, 1)
	go func() {
		_, err := e.Answer(ctx, Question{Text: "What did the stalling question ask about hackers?"})
		slow <- err
	}()
	select {
	case <-stalled:
	case <-time.After(10 * time.Second):
		t.Fatal("the slow question never reached the embeddings server")
	}

	done := make(chan string, 2)
	go func() {
		_, _, err := e.Add(ctx, corpus.Article{ID: "harbour", Title: "Harbour reopens",
			Body: "The harbour in Rotterdam reopened on Tuesday after the storm passed."}, corpus.AddOptions{})
		done <- "add: " + errString(err)
	}()
	go func() {
		ans, err := e.Answer(ctx, Question{Text: "Which hacker groups did the EU denounce?"})
		done <- "question: " + errString(err) + " " + ans.Text
	}()
	for range 2 {
		select {
		case got := <-done:
			if strings.Contains(got, "error") {
				t.Errorf("%s", got)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("an add or another question waited for the slow question's embedding")
		}
	}
	select {
	case err := <-slow:
		t.Fatalf("the slow question finished before it was released (%v): the server did not stall it", err)
	default:
	}
	ans, err := e.Answer(ctx, Question{Text: "When did the Rotterdam harbour reopen?"})
	if err != nil || len(ans.Citations) == 0 || ans.Citations[0].ArticleID != "harbour" {
		t.Errorf("the article added meanwhile is not answerable: %q, %v", ans.Text, err)
	}
}

func errString(err error) string {
	if err != nil {
		return "error " + err.Error()
	}
	return "ok"
}
