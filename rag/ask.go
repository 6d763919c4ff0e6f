package rag

import (
	"context"
	"strconv"
	"strings"
)

// Answer retrieves passages for q and answers from them. Without an LLM the
// answer is extractive: verbatim sentences with [n] markers.
func (e *Engine) Answer(ctx context.Context, q Question) (Answer, error) {
	return e.AnswerStream(ctx, q, nil)
}

// AnswerStream is Answer for callers that show the answer as it grows:
// when an LLM writes it, onDelta (if not nil) receives the text so far.
func (e *Engine) AnswerStream(ctx context.Context, q Question, onDelta func(textSoFar string)) (Answer, error) {
	text := strings.TrimSpace(q.Text)
	if text == "" {
		return Answer{}, ErrNoQuestion
	}
	k := q.K
	if k <= 0 {
		k = e.cfg.K
	}
	r, err := e.retrieve(ctx, withContext(text, q.History, e.an), q.Scopes, k, e.cfg.Retrieval)
	if err != nil {
		return Answer{}, err
	}
	r.words = e.an.words(text) // coverage is judged on what was asked now
	ans := Answer{Question: text, Mode: ModeExtractive, Passages: r.hits}
	ans.Text, ans.Citations, ans.Confidence = e.extract(r, e.cfg.MinCoverage)
	ans.Refused = len(ans.Citations) == 0
	return ans, nil
}

func itoa(n int) string { return strconv.Itoa(n) }

// Rank returns the k best passages for question visible from scopes, with
// the given retrieval mode (RetrieveHybrid, RetrieveBM25, RetrieveVectors).
// It is the retrieval step of Answer, exposed for evaluation.
func (e *Engine) Rank(ctx context.Context, question string, scopes []string, k int, mode string) ([]Hit, error) {
	if mode == RetrievePlainBM25 {
		return e.plainRank(question, k), nil
	}
	r, err := e.retrieve(ctx, question, scopes, k, mode)
	return r.hits, err
}

// withContext adds the previous question to a short follow-up ("and what
// did NATO say?") so retrieval stays on the thread's topic; a question
// that stands on its own is left alone.
func withContext(question string, history []Turn, an *analyzer) string {
	if len(history) == 0 || len(an.words(question)) >= 4 {
		return question
	}
	return question + "\n" + history[len(history)-1].Question
}
