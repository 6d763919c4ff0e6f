package rag

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Answer retrieves passages for q and answers from them. Without an LLM the
// answer is extractive: verbatim sentences with [n] markers.
func (e *Engine) Answer(ctx context.Context, q Question) (Answer, error) {
	return e.AnswerStream(ctx, q, nil)
}

// AnswerStream is Answer for callers that show progress: when an LLM
// writes the answer, onDelta (if not nil) is called once, with "", as it
// starts (see answerWithLLM). No unchecked text is ever passed on.
func (e *Engine) AnswerStream(ctx context.Context, q Question, onDelta func(textSoFar string)) (Answer, error) {
	text := strings.TrimSpace(q.Text)
	if text == "" {
		return Answer{}, errNoQuestion
	}
	k := q.K
	if k <= 0 {
		k = e.cfg.K
	}
	r, err := e.retrieve(ctx, q, k, e.cfg.Retrieval)
	if err != nil {
		return Answer{}, err
	}
	ext := Answer{Question: text, Mode: ModeExtractive, Passages: r.hits}
	ext.Text, ext.Citations, ext.Confidence = e.extract(r, e.cfg.MinCoverage)
	ext.Refused = len(ext.Citations) == 0
	if e.cfg.Chat == nil || r.emptyWindow() {
		return ext, nil // no model, or nothing from the asked period: say so, don't guess
	}
	return e.answerLLM(ctx, q, r.hits, ext, onDelta), nil
}

// Notes shown with an extractive answer that stands in for the LLM's.
const (
	noteLLMFailed     = "The language model could not answer (%s); showing verified quotes instead."
	noteLLMUnverified = "The language model's answer had no quote that could be checked against the briefings; showing verified quotes instead."
)

// answerLLM asks the LLM, under its own deadline so that the extractive
// fallback always has time left. A failing, slow or refusing model, or an
// answer with no verified quote, gives the extractive answer with a
// one-line note: users never see prose whose quotes we could not check.
func (e *Engine) answerLLM(ctx context.Context, q Question, hits []Hit, ext Answer, onDelta func(string)) Answer {
	lctx, cancel := context.WithTimeout(ctx, e.cfg.LLMTimeout)
	defer cancel()
	ans, err := answerWithLLM(lctx, e.cfg.Chat, q, hits, e.cfg.PassageBudget, onDelta)
	switch {
	case err != nil:
		e.logger.Warn("LLM answer failed; falling back to extractive", "err", err)
		ext.Note = fmt.Sprintf(noteLLMFailed, shortReason(err))
		return ext
	case !ans.Refused && !anyVerified(ans.Citations):
		ext.Note, ext.Usage = noteLLMUnverified, ans.Usage
		return ext
	}
	ans.Passages, ans.Confidence = hits, ext.Confidence
	return ans
}

// shortReason names why the LLM failed in a few words for the note. The
// note reaches Discord, so it never names the model server's host or port
// (an internal address, often); the log line above has them.
func shortReason(err error) string {
	var se *serverError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "it timed out"
	case errors.Is(err, errFiltered):
		return "it refused"
	case errors.As(err, &se) && se.Status != 0:
		return fmt.Sprintf("its server answered HTTP %d", se.Status)
	case errors.As(err, &se):
		return "its server could not be reached"
	}
	return "an invalid response"
}

func itoa(n int) string { return strconv.Itoa(n) }

// Rank returns the q.K best passages for q.Text visible from q.Scopes at
// the moment q.Asked, with the given retrieval mode (RetrieveHybrid,
// RetrieveBM25, RetrieveVectors, RetrievePlainBM25). It is the retrieval
// step of Answer, exposed for evaluation.
func (e *Engine) Rank(ctx context.Context, q Question, mode string) ([]Hit, error) {
	k := q.K
	if k <= 0 {
		k = e.cfg.K
	}
	if mode == RetrievePlainBM25 {
		return e.plainRank(q.Text, k), nil
	}
	r, err := e.retrieve(ctx, q, k, mode)
	return r.hits, err
}
