package rag

import (
	"context"
	"strconv"
	"strings"
)

// Answer retrieves passages for q and answers from them. Without an LLM the
// answer is extractive: verbatim sentences with [n] markers.
func (e *Engine) Answer(ctx context.Context, q Question) (Answer, error) {
	text := strings.TrimSpace(q.Text)
	if text == "" {
		return Answer{}, ErrNoQuestion
	}
	k := q.K
	if k <= 0 {
		k = e.cfg.K
	}
	r, err := e.retrieve(ctx, text, q.Scopes, k, e.cfg.Retrieval)
	if err != nil {
		return Answer{}, err
	}
	ans := Answer{Question: text, Mode: ModeExtractive, Passages: r.hits}
	ans.Text, ans.Citations, ans.Refused = e.extract(r, e.cfg.MinCoverage)
	return ans, nil
}

func itoa(n int) string { return strconv.Itoa(n) }
