package rag

// This file answers questions about a period of the briefings ("what's
// new this week?"): quotes from the period only, its openings, or that it
// holds nothing.

import (
	"slices"
	"strings"

	"github.com/briefbot/briefbot/corpus"
)

// outsidePeriod reports whether the question asks about a period of the
// briefings ("what did Lagarde say today?") and none of the quotes is from
// it, nor from the days after a past one (see timing.reportedAfter): the
// answer is then that the period has nothing on this, and where the
// nearest coverage is, not older news passed off as today's.
func outsidePeriod(r retrieval, chosen []sentence) bool {
	t := r.timing
	return t.refuses() && !slices.ContainsFunc(chosen, func(s sentence) bool {
		a := r.hits[s.hit].Article
		return t.inWindow(a) || t.reportedAfter(a)
	})
}

// inPeriod keeps, for a question about a period, only the quotes from it
// (or from the days after a past one): "What happened with Taylor Swift
// this month?" is not answered with February's news beside August's.
func inPeriod(r retrieval, chosen []sentence) []sentence {
	t := r.timing
	if !t.refuses() {
		return chosen
	}
	return slices.DeleteFunc(chosen, func(s sentence) bool {
		a := r.hits[s.hit].Article
		return !t.inWindow(a) && !t.reportedAfter(a)
	})
}

// leadSentences are the first informative sentence of each article in the
// window among the hits, newest first (hits are already in that order).
func leadSentences(r retrieval) []sentence {
	var out []sentence
	seen := map[*corpus.Article]bool{}
	for hi, h := range r.hits {
		if len(out) == maxQuotes || seen[h.Article] || (r.timing.Hard && !r.timing.inWindow(h.Article)) {
			continue
		}
		for _, rg := range quoteUnits(h.Passage.Text) {
			if s := h.Passage.Text[rg[0]:rg[1]]; !asks(s) && len(strings.Fields(s)) >= 5 { // an opening says something: not "Share this article."
				out = append(out, sentence{hit: hi, start: h.Passage.Start + rg[0], end: h.Passage.Start + rg[1], coverage: 1})
				seen[h.Article] = true
				break
			}
		}
	}
	return out
}

// nothingFrom is the answer when the question's window holds no article:
// it names the period and the nearest coverage instead of guessing.
func nothingFrom(t timing, nearest *corpus.Article) string {
	period := "from " + t.Win.Phrase
	switch first, rest, _ := strings.Cut(t.Win.Phrase, " "); strings.ToLower(first) {
	case "since", "after", "before", "until", "till", "by":
		period = t.Win.Phrase // "nothing since Monday"
	case "from", "in", "during", "on", "of", "over", "at", "through", "throughout":
		period = "from " + rest // not "nothing from from 1952" or "from in March"
	}
	switch from, to := t.Win.From, t.Win.To; {
	case !from.IsZero() && to.Equal(from.AddDate(0, 0, 1)):
		if day := from.Format("2006-01-02"); !strings.Contains(period, day) { // not "from 2024-03-12 (2024-03-12)"
			period += " (" + day + ")"
		}
	case !from.IsZero() && !to.IsZero():
		period += " (" + from.Format("2006-01-02") + " to " + to.AddDate(0, 0, -1).Format("2006-01-02") + ")"
	case !from.IsZero():
		period += " (since " + from.Format("2006-01-02") + ")"
	case !to.IsZero():
		period += " (before " + to.Format("2006-01-02") + ")"
	}
	msg := "The briefings have nothing " + period + "."
	if nearest != nil {
		msg += " The nearest coverage is from " + nearest.Published.Format("2006-01-02") + ": “" + nearest.Title + "”."
	}
	return msg
}
