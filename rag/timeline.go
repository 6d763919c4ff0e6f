package rag

import (
	"context"
	"sort"
	"strings"
)

// timelineDepth is how many passages a timeline looks through, and
// timelineMax how many dated quotes it lists at most.
const (
	timelineDepth = 40
	timelineMax   = 15
)

// timelineMinCoverage is the share of the topic's weighted words a
// sentence needs to be listed: a timeline is a list of sentences about
// the topic, not an answer, so Config.MinCoverage (a refusal threshold)
// does not apply.
const timelineMinCoverage = 0.4

// Timeline lists dated, verified quotes about a topic, one per article, in
// date order (oldest first): the sentence of each relevant article that
// holds most of the topic's weighted words. q.Text is the topic; q.Scopes
// and q.Asked apply as for Answer (a time window in the topic narrows it,
// articles from after the moment of asking are left out). An article whose
// best sentence covers less than timelineMinCoverage of the topic is not
// about it and is left out.
func (e *Engine) Timeline(ctx context.Context, q Question) ([]Citation, error) {
	topic := strings.TrimSpace(q.Text)
	if topic == "" {
		return nil, errNoQuestion
	}
	r, err := e.retrieve(ctx, Question{Text: topic, Asked: q.Asked, Scopes: q.Scopes}, timelineDepth, e.cfg.Retrieval)
	if err != nil {
		return nil, err
	}
	var out []Citation
	seen := map[string]bool{}
	for _, s := range e.sentencesOf(r, len(r.hits)) {
		h := r.hits[s.hit]
		key := h.Article.Scope + "\x00" + h.Article.ID
		if seen[key] || s.coverage < timelineMinCoverage || r.timing.future(h.Article) ||
			(r.timing.Hard && !r.timing.inWindow(h.Article)) {
			continue
		}
		seen[key] = true
		c := quoteOf(h.Article, s.start, s.end)
		out = append(out, c)
		if len(out) == timelineMax {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Published.Before(out[j].Published) })
	for i := range out {
		out[i].N = i + 1
	}
	return out, nil
}
