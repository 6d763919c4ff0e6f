package rag

import (
	"math"
	"sort"
	"strings"
	"time"

	"github.com/briefbot/briefbot/corpus"
)

// timing is what a question says about time: the moment it was asked and
// the window or recency preference its words ask for.
type timing struct {
	asked  time.Time // the day of asking, UTC midnight
	win    Window
	hard   bool // win has a From or a To: passages inside it rank first
	recent bool // prefer newer articles, cut nothing
}

// parseTiming reads the question's time words relative to the moment of
// asking and returns the question without them for ranking: "what happened
// this week" ranks on "what happened", and the window picks the days. A
// zero moment means it is unknown: time words are then left alone and
// nothing is ordered by date (the CLI and the bot always know the moment;
// evaluation uses zero for its date-blind figures).
func parseTiming(question string, asked time.Time) (timing, string) {
	if asked.IsZero() {
		return timing{}, question
	}
	t := timing{asked: dayOf(asked)}
	if !mayMentionTime(question) {
		return t, question
	}
	w, ok := ParseWhen(question, asked)
	if !ok {
		return t, question
	}
	t.win = w
	t.hard = !w.From.IsZero() || !w.To.IsZero()
	t.recent = w.Recent && !t.hard
	return t, StripWhen(question, w)
}

// inWindow reports whether a's date falls inside the hard window.
func (t timing) inWindow(a *corpus.Article) bool {
	p := a.Published
	if p.IsZero() {
		return false
	}
	return (t.win.From.IsZero() || !p.Before(t.win.From)) && (t.win.To.IsZero() || p.Before(t.win.To))
}

// future reports whether a was published after the question was asked: it
// could not have been what the asker meant. A date that was only guessed
// (the day it was added) proves nothing.
func (t timing) future(a *corpus.Article) bool {
	return !t.asked.IsZero() && !a.DateGuessed && a.Published.After(t.asked)
}

// recencyHalfLife is how fast the preference for newer articles fades when
// a question asks for the latest news.
const recencyHalfLife = 14 * 24 * time.Hour

// order applies the question's timing to a ranked list: with a hard window
// the passages inside it come first (in rank order); with a recency
// preference, newer articles gain up to half the best score, fading with
// age behind the newest candidate; articles from after the moment of asking
// go last. Nothing is dropped.
func (t timing) order(ranked []scored, ix *index) []scored {
	if t.recent && len(ranked) > 0 {
		t.boostRecent(ranked, ix)
	}
	rank := func(s scored) int {
		a := ix.entries[s.doc].article
		switch {
		case t.future(a):
			return 2
		case t.hard && !t.inWindow(a):
			return 1
		}
		return 0
	}
	sort.SliceStable(ranked, func(i, j int) bool { return rank(ranked[i]) < rank(ranked[j]) })
	return ranked
}

func (t timing) boostRecent(ranked []scored, ix *index) {
	var newest time.Time
	best := 0.0
	for _, s := range ranked {
		if a := ix.entries[s.doc].article; !t.future(a) && a.Published.After(newest) {
			newest = a.Published
		}
		best = max(best, s.score)
	}
	for i, s := range ranked {
		age := newest.Sub(ix.entries[s.doc].article.Published)
		ranked[i].score += best / 2 * math.Exp2(-float64(max(age, 0))/float64(recencyHalfLife))
	}
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].score > ranked[j].score })
}

// windowLeads ranks the passages inside the hard window when the question
// has no topic words ("what happened this week?"): every article's opening
// passage, newest first.
func (t timing) windowLeads(ix *index, scopes map[string]bool, n int) []scored {
	var out []scored
	for i, en := range ix.entries {
		if en.alive && en.passage.Seq == 0 && scopes[en.article.Scope] && t.inWindow(en.article) && !t.future(en.article) {
			out = append(out, scored{doc: i, score: 1})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return ix.entries[out[i].doc].article.Published.After(ix.entries[out[j].doc].article.Published)
	})
	return out[:min(n, len(out))]
}

// nearest returns the visible article dated closest to the window (among
// hits when there are any, else among all), for "nothing from that week;
// the nearest coverage is…".
func (t timing) nearest(hits []Hit, ix *index, scopes map[string]bool) *corpus.Article {
	var best *corpus.Article
	var bestGap time.Duration
	consider := func(a *corpus.Article) {
		if t.future(a) {
			return
		}
		if g := t.gap(a.Published); best == nil || g < bestGap {
			best, bestGap = a, g
		}
	}
	for _, h := range hits {
		consider(h.Article)
	}
	if best == nil {
		for _, en := range ix.entries {
			if en.alive && scopes[en.article.Scope] {
				consider(en.article)
			}
		}
	}
	return best
}

func (t timing) gap(p time.Time) time.Duration {
	switch {
	case !t.win.From.IsZero() && p.Before(t.win.From):
		return t.win.From.Sub(p)
	case !t.win.To.IsZero() && !p.Before(t.win.To):
		return p.Sub(t.win.To)
	}
	return 0
}

// timeWords are the words at least one of which (or a digit) every time
// expression ParseWhen knows contains. Checking them first spares most
// questions the parser's regular expressions (about 0.25 ms a question).
var timeWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`january february march april may june july august september october
november december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday
friday saturday sunday today tonight morning afternoon evening yesterday ago past last previous week
weeks month months year years ytd weekend latest recent recently newest lately days nowadays currently
current now date`) {
		m[w] = true
	}
	return m
}()

// mayMentionTime reports whether question could hold a time expression.
func mayMentionTime(question string) bool {
	found := false
	forEachWord(question, func(w string) {
		if !found && (timeWords[w] || strings.ContainsAny(w, "0123456789")) {
			found = true
		}
	})
	return found
}
