package when

import (
	"strings"
	"time"
	"unicode"
)

// Timing is what a question says about time: the moment it was asked and
// the window or recency preference its words ask for.
type Timing struct {
	Asked  time.Time // the day of asking, UTC midnight; zero when unknown
	Win    Window
	Hard   bool // Win has a From or a To
	Recent bool // prefer newer articles, cut nothing
}

// Read reads the question's time words relative to the moment of asking
// and returns the question without them, for ranking: "what happened this
// week" ranks on "what happened", and the window picks the days. A zero
// moment means it is unknown (the CLI and the bot always know it;
// evaluation of a set without question dates does not): then only dates
// that say their year are read ("in 2019", "on October 6, 2023"), since
// they mean the same whenever asked, and "this week" or "in March" are
// left alone.
func Read(question string, asked time.Time) (Timing, string) {
	var t Timing
	if !asked.IsZero() {
		t.Asked = DayOf(asked)
	}
	if !MayMention(question) {
		return t, question
	}
	w, ok := Parse(question, asked)
	if !ok {
		return t, question
	}
	t.Win = w
	t.Hard = !w.From.IsZero() || !w.To.IsZero()
	t.Recent = w.Recent && !t.Hard
	return t, Strip(question, w)
}

// Contains reports whether the day p falls inside the hard window. A zero
// date (unknown) is in no window.
func (t Timing) Contains(p time.Time) bool {
	if p.IsZero() {
		return false
	}
	return (t.Win.From.IsZero() || !p.Before(t.Win.From)) && (t.Win.To.IsZero() || p.Before(t.Win.To))
}

// After reports whether p lies after the day of asking.
func (t Timing) After(p time.Time) bool {
	return !t.Asked.IsZero() && p.After(t.Asked)
}

// Gap is how far p lies outside the hard window (zero inside it).
func (t Timing) Gap(p time.Time) time.Duration {
	switch {
	case !t.Win.From.IsZero() && p.Before(t.Win.From):
		return t.Win.From.Sub(p)
	case !t.Win.To.IsZero() && !p.Before(t.Win.To):
		return p.Sub(t.Win.To)
	}
	return 0
}

// timeWords are the words at least one of which (or a digit) every time
// expression Parse knows contains. Checking them first spares most
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

// MayMention reports whether question could hold a time expression: it
// has a time word or a digit.
func MayMention(question string) bool {
	for _, w := range strings.FieldsFunc(question, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if timeWords[strings.ToLower(w)] || strings.ContainsAny(w, "0123456789") {
			return true
		}
	}
	return false
}
