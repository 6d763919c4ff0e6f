package when

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// This file turns the time words of a question ("this week", "in March",
// "since Monday", "recently") into a date window, so retrieval can prefer
// briefings from the right days even though those words appear in no
// article. It is a small parser rather than a library: the Go date-parsing
// libraries (github.com/olebedev/when, go-dateparser) resolve expressions to a
// single instant, while we need spans with a news-quiz reading of "this week",
// prepositions that change the span ("since", "before"), and refusals for
// "Theresa May" or "protesters march".

// Window is a span of days [From, To) in UTC, from a question's time words.
type Window struct {
	From, To time.Time // To exclusive; zero From = open start; zero To = open end
	Recent   bool      // "latest", "recently", "most recent", "newest", "current", "now": prefer newer, no hard window
	// Period is set when the words ask about the briefings' own period,
	// counted back from the day of asking ("this week", "today", "in the
	// past 3 days", "since Monday"): the window holding nothing is an
	// answer. Without it the words date an event ("in 2024", "on Monday",
	// "June 5"), which articles may report on other days.
	Period bool
	Phrase string // the words matched, e.g. "this week", for messages ("nothing from this week")
	Span   [2]int // byte range of Phrase in the question
}

// whenRule is one kind of time expression. build returns the raw window of
// the expression (before any preposition) or false when the words only look
// like a time expression.
type whenRule struct {
	re       *regexp.Regexp
	calendar bool // names the calendar ("June 5, 2022", "in 2021") rather than counting from today
	event    bool // dates an event ("on Monday") rather than a period of news; calendar rules do too
	needPrep bool // bare form is too ambiguous: "2024" in "Euro 2024", "May" in "Theresa May"
	build    func(m whenMatch, d time.Time) (Window, bool)
}

// whenMatch is one regexp match with access to named groups and surroundings.
type whenMatch struct {
	q    string
	loc  []int
	re   *regexp.Regexp
	prep string
}

func (m whenMatch) get(name string) string {
	i := m.re.SubexpIndex(name)
	if i < 0 || m.loc[2*i] < 0 {
		return ""
	}
	return strings.ToLower(m.q[m.loc[2*i]:m.loc[2*i+1]])
}

// atomStart is where the expression begins after its preposition.
func (m whenMatch) atomStart() int {
	if i := m.re.SubexpIndex("atom"); m.loc[2*i] >= 0 {
		return m.loc[2*i]
	}
	return m.loc[0]
}

const (
	whenPreps    = `in|during|on|since|by|until|till|before|after|from|between|through|throughout|of|over|at|and|to`
	monthFull    = `january|february|march|april|may|june|july|august|september|october|november|december`
	monthAny     = monthFull + `|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec`
	weekdayNames = `monday|tuesday|wednesday|thursday|friday|saturday|sunday`
	whenNum      = `\d{1,4}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a\s+few|few|several|a\s+couple\s+of|couple\s+of`
	yearNum      = `(?:19|20)\d{2}`
)

// whenRE wraps an expression with an optional leading preposition and a
// trailing possessive ("this year's"), both part of the matched phrase.
func whenRE(atom string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)(?:\b(?P<prep>` + whenPreps + `)\s+)?\b(?P<atom>` + atom + `)\b(?P<poss>'s|’s)?`)
}

// whenRules are tried all at once; where matches overlap, the earliest and
// then the longest wins, so "June 5, 2022" beats "June" and "most recent"
// beats "recent".
var whenRules = []whenRule{
	{re: whenRE(`(?P<iso>\d{4}-\d{2}-\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?`), calendar: true, build: buildISO},
	{re: whenRE(`(?P<month>` + monthAny + `)\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>` + yearNum + `))?`), calendar: true, build: buildDate},
	{re: whenRE(`(?:the\s+)?(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>` + monthAny + `)(?:,?\s+(?P<year>` + yearNum + `))?`), calendar: true, build: buildDate},
	{re: whenRE(`(?P<month>` + monthAny + `)\.?,?\s+(?:of\s+)?(?P<year>` + yearNum + `)`), calendar: true, build: buildMonth},
	{re: whenRE(`(?P<month>` + monthFull + `)`), calendar: true, needPrep: true, build: buildMonth},
	{re: whenRE(`(?P<year>` + yearNum + `)`), calendar: true, needPrep: true, build: buildYear},
	{re: whenRE(`(?P<dw>today|tonight|this\s+morning|this\s+afternoon|this\s+evening|yesterday|(?:the\s+)?day\s+before\s+yesterday)`), build: buildDayWord},
	{re: whenRE(`(?P<n>` + whenNum + `)\s+(?P<unit>days?|weeks?)\s+ago`), build: buildAgo},
	{re: whenRE(`(?:the\s+)?(?:past|last|previous)\s+(?P<n>` + whenNum + `)\s+(?P<unit>days?|weeks?|months?|years?)`), build: buildPastN},
	{re: whenRE(`(?:(?P<early>earlier|later)\s+)?(?:(?P<the>the)\s+)?(?:so\s+far\s+)?(?P<mod>this\s+past|this|current|last|past|next|coming)\s+(?P<unit>week|month|year)(?:\s+so\s+far|\s+to\s+date)?`), build: buildPeriod},
	{re: whenRE(`(?P<unit>year)[-\s]to[-\s]date|(?P<ytd>ytd)`), build: buildPeriod},
	{re: whenRE(`(?P<mod>this\s+past|the|this|last|past)\s+weekend`), build: buildWeekend},
	{re: whenRE(`(?:(?P<mod>this\s+past|last|this|past|early|late|next)\s+)?(?P<wd>` + weekdayNames + `)`), event: true, build: buildWeekday},
	{re: regexp.MustCompile(`(?i)\b(?P<atom>latest|most\s+recent|newest|(?:in\s+|over\s+)?recent\s+(?:days|weeks|months|years)|recently|recent|lately|these\s+days|nowadays|currently|current|right\s+now|now)\b`), build: buildRecent},
}

var startsWithDigit = regexp.MustCompile(`^\s*\d`)

// unknownDay stands for the day of asking when it is unknown: every dated
// expression lies before it.
var unknownDay = time.Date(9999, 12, 30, 0, 0, 0, 0, time.UTC)

// whenCand is one matched expression.
type whenCand struct {
	start, atom, end int
	raw              Window // before the preposition is applied
	calendar, event  bool
	dated            bool // names its year: means the same whenever asked
	prep             string
	needPrep         bool
}

// Parse finds the time expression in question relative to asked (the
// moment of asking; its UTC date is "today", D below). ok is false when the
// question has none. All windows are whole UTC days and never reach past
// D (nothing is published after the question), so To is D+1 at most; an
// expression wholly in the future ("next week", "a stamp in 2023" asked in
// 2022) gives no window. Weeks start on Monday. Case is ignored.
//
//   - "today" = [D, D+1); "yesterday" = [D-1, D); "N days ago" = that day;
//     "N weeks ago" = "this week" moved back N weeks.
//   - "this week" follows the news-quiz convention: the 7 days ending on D,
//     [D-6, D+1); "past week", "the last week", "the last 7 days" are the
//     same. "earlier this week" = [D-6, D). "last week" is the Monday-to-Sunday
//     week before the current one.
//   - "this month" = [1st of D's month, D+1); "last month" = the previous
//     calendar month; "this year", "so far this year", "this year's", "year
//     to date" = [Jan 1, D+1); "last year" = the previous calendar year;
//     "in/over the past N days|weeks|months|years" end on D inclusive.
//   - "in 2022", "during 2022" = that year. A bare year needs a preposition,
//     because years are part of names ("Euro 2024", "Fashion Week 2024" and
//     "the 2021 Tour de France" give no window).
//   - "in March" = the most recent March that began by D; "March 2024",
//     "in March of 2024" = that month. "on June 5", "5 June 2022", "June 5,
//     2022", "2022-06-05" = that day; without a year, the most recent such
//     date not after D (February 29 goes back to the last leap year) —
//     except that a date or month coming within 31 days after D is read as
//     upcoming and gives no window ("the eclipse on April 8" asked April 5,
//     "in July" asked June 23), since the news cannot be from then.
//     A bare month name needs a preposition, and "May"/"March" are refused
//     as names or verbs ("Theresa May resigned", "protesters march on the
//     capital", "a speech by May said", "May's cabinet").
//   - "on Monday", "Monday", "early Thursday", "Sunday's final" = the most
//     recent such day up to and including D; "last Monday" and "this past
//     Monday" = the most recent one before D. A bare weekday is refused
//     before a capitalised word or after "the"/"a"/"every" ("Monday Night
//     Football", "the Monday demonstrations").
//   - "over the weekend", "this weekend" = the most recent Saturday and
//     Sunday up to D ("last weekend" asked on a weekend is the one before).
//   - Prepositions: "since X" = [start of X, D+1), with "since Monday"
//     starting on the Monday before D; "after X" = [end of X, D+1); "before
//     X" = [open, start of X); "until/till/by X" = [open, end of X);
//     "between X and Y" and "from X to/until Y" = [start of X, end of Y).
//   - "recently", "recent", "latest", "most recent", "newest", "lately",
//     "these days", "nowadays", "current(ly)", "now", "in recent days" set
//     Recent with zero From and To: prefer newer, cut nothing.
//
// Period (see Window) is set for the expressions counted back from the
// day of asking and for any "since"/"after" expression; calendar dates,
// weekdays ("on Monday") and a "Today" that is part of a name ("Business
// Today") date an event instead.
//
// When a question holds several expressions, calendar dates are joined
// into one window covering all of them (a question comparing a report of
// October 4, 2023 with one of October 31, 2023 needs both); then the
// narrowest hard window wins, and Recent only when there is no hard window.
// Phrase and Span name the chosen expression (for joined dates, the first).
//
// A zero asked means the moment is unknown: only expressions that name
// their year ("in 2019", "June 5, 2022", "2022-06-05") are read, as if
// asked at the end of time.
func Parse(question string, asked time.Time) (w Window, ok bool) {
	d := DayOf(asked)
	if asked.IsZero() {
		d = unknownDay
	}
	var hard, recent []Window
	cal := -1 // index in hard of the window joining all calendar dates
	for _, c := range joinRanges(question, findWhen(question, d)) {
		w, ok := finishWindow(question, c, d)
		switch {
		case !ok, asked.IsZero() && !c.dated:
		case w.Recent:
			recent = append(recent, w)
		case c.calendar && cal >= 0:
			hard[cal] = hull(hard[cal], w)
		default:
			if c.calendar {
				cal = len(hard)
			}
			hard = append(hard, w)
		}
	}
	if len(hard) > 0 {
		w := narrowest(hard)
		if asked.IsZero() && w.To.After(unknownDay) {
			w.To = time.Time{} // "since 2020": open, not "until the end of time"
		}
		return w, true
	}
	if len(recent) > 0 {
		return recent[0], true
	}
	return Window{}, false
}

// Strip returns the question without the matched phrase (so "what
// happened this week" ranks on "what happened"), whitespace tidied. A window
// whose Span does not hold its Phrase in question leaves the question as is.
func Strip(question string, w Window) string {
	s, e := w.Span[0], w.Span[1]
	if s < 0 || e > len(question) || s >= e || question[s:e] != w.Phrase {
		return tidySpaces(question)
	}
	out := tidySpaces(question[:s] + " " + question[e:])
	out = spaceBeforePunct.ReplaceAllString(out, "$1")
	return strings.TrimLeft(strings.ReplaceAll(out, ",,", ","), ",;: ")
}

var spaceBeforePunct = regexp.MustCompile(`\s+([,.?!;:])`)

func tidySpaces(s string) string { return strings.Join(strings.Fields(s), " ") }

// findWhen returns the non-overlapping expressions in question, in order.
func findWhen(q string, d time.Time) []whenCand {
	var all []whenCand
	for _, r := range whenRules {
		for _, loc := range r.re.FindAllStringSubmatchIndex(q, -1) {
			m := whenMatch{q: q, loc: loc, re: r.re}
			m.prep = m.get("prep")
			start := loc[0]
			if m.get("poss") != "" { // "at this year's awards": "at" belongs to "awards"
				m.prep, start = "", m.atomStart()
			}
			if r.needPrep && m.prep == "" {
				continue
			}
			raw, ok := r.build(m, d)
			if !ok {
				continue
			}
			all = append(all, whenCand{start: start, atom: m.atomStart(), end: loc[1],
				raw: raw, calendar: r.calendar, event: r.calendar || r.event || namesDay(m),
				dated: r.calendar && (m.get("year") != "" || m.get("iso") != ""), prep: m.prep, needPrep: r.needPrep})
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].start != all[j].start {
			return all[i].start < all[j].start
		}
		return all[i].end > all[j].end
	})
	var out []whenCand
	for _, c := range all {
		if len(out) > 0 && c.start < out[len(out)-1].end {
			continue
		}
		out = append(out, c)
	}
	return out
}

// joinRanges merges "between X and Y" and "from X to Y" into one
// expression. "and"/"to" only count as prepositions inside such a range;
// elsewhere they are dropped from the phrase (and a bare year or month
// they introduced is no time expression).
func joinRanges(q string, cs []whenCand) []whenCand {
	var out []whenCand
	for i := 0; i < len(cs); i++ {
		c := cs[i]
		if (c.prep == "between" || c.prep == "from") && i+1 < len(cs) &&
			isRangeLink(cs[i+1].prep) && strings.Trim(q[c.end:cs[i+1].start], " ,") == "" {
			n := cs[i+1]
			if c.calendar && !c.dated && n.dated {
				c.raw, c.dated = inYearOf(c.raw, n.raw), true // "between June 20 and June 30, 2022"
			}
			c.raw = hull(c.raw, n.raw)
			c.end, c.prep = n.end, "in"
			c.calendar = c.calendar && n.calendar
			c.dated = c.dated && n.dated
			c.event = c.event || n.event
			out = append(out, c)
			i++
			continue
		}
		if c.prep == "and" || c.prep == "to" {
			if c.needPrep {
				continue
			}
			c.start, c.prep = c.atom, ""
		}
		out = append(out, c)
	}
	return out
}

// inYearOf moves w, a date or month given without a year at the start of
// a range, into the year of the range's end e, or the year before when it
// would fall after e ("between December 20 and January 5, 2023").
func inYearOf(w, e Window) Window {
	shift := func(w Window, years int) Window {
		if !w.From.IsZero() {
			w.From = w.From.AddDate(years, 0, 0)
		}
		if !w.To.IsZero() {
			w.To = w.To.AddDate(years, 0, 0)
		}
		return w
	}
	w = shift(w, e.From.Year()-w.From.Year())
	if w.From.After(e.From) {
		w = shift(w, -1)
	}
	return w
}

// namesDay reports a day word that is part of a name: "Business Today",
// "USA Today" (capitalised, after a capitalised word).
func namesDay(m whenMatch) bool {
	atom := m.q[m.atomStart():m.loc[1]]
	return strings.HasPrefix(strings.ToLower(atom), "today") && isCapitalised(atom) &&
		m.prep == "" && isCapitalised(prevWord(m.q, m.atomStart()))
}

func isRangeLink(p string) bool {
	return p == "and" || p == "to" || p == "through" || p == "until" || p == "till"
}

// finishWindow applies the preposition, clips the window to the day of
// asking and fills in the phrase. It reports false for a window that lies
// wholly after the day of asking.
func finishWindow(q string, c whenCand, d time.Time) (Window, bool) {
	w := c.raw
	if !w.Recent {
		if w.From.After(d) { // "next week", "by 2028"
			return Window{}, false
		}
		switch c.prep {
		case "since":
			w.To = time.Time{}
		case "after":
			w.From, w.To = w.To, time.Time{}
		case "before":
			w.From, w.To = time.Time{}, w.From
		case "until", "till", "by":
			w.From = time.Time{}
		}
		if end := d.AddDate(0, 0, 1); w.To.IsZero() || w.To.After(end) {
			w.To = end
		}
		if !w.From.IsZero() && !w.From.Before(w.To) {
			return Window{}, false
		}
	}
	w.Phrase, w.Span = q[c.start:c.end], [2]int{c.start, c.end}
	w.Period = !w.Recent && (!c.event || c.prep == "since" || c.prep == "after")
	return w, true
}

// hull covers both windows; it keeps a's phrase and span.
func hull(a, b Window) Window {
	if b.From.IsZero() || (!a.From.IsZero() && b.From.Before(a.From)) {
		a.From = b.From
	}
	if b.To.After(a.To) {
		a.To = b.To
	}
	return a
}

// narrowest returns the shortest window, the first one (in question order)
// on ties.
func narrowest(ws []Window) Window {
	best, bestLen := Window{}, time.Duration(-1)
	for _, w := range ws {
		l := w.To.Sub(w.From)
		if w.From.IsZero() {
			l = time.Duration(1<<63 - 1)
		}
		if bestLen < 0 || l < bestLen {
			best, bestLen = w, l
		}
	}
	return best
}

// DayOf is the UTC midnight starting t's UTC date.
func DayOf(t time.Time) time.Time {
	y, m, dd := t.UTC().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

func dayWindow(day time.Time) Window { return Window{From: day, To: day.AddDate(0, 0, 1)} }

func monthWindow(y int, m time.Month) Window {
	from := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	return Window{From: from, To: from.AddDate(0, 1, 0)}
}

func yearWindow(y int) Window {
	from := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	return Window{From: from, To: from.AddDate(1, 0, 0)}
}

// addMonths moves d by n months, clamping the day to the month's length
// (March 31 minus one month is February 28 or 29, not March 3).
func addMonths(d time.Time, n int) time.Time {
	first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d.Day(), last)-1)
}

// monday is the Monday starting d's week.
func monday(d time.Time) time.Time {
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// prevWord and nextWord return the word before position i and after
// position j in q (empty at either end or across punctuation other than
// quotes).
func prevWord(q string, i int) string {
	s := strings.TrimRight(q[:i], " \t")
	k := strings.LastIndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	return s[k+1:]
}

func nextWord(q string, j int) string {
	s := strings.TrimLeft(q[j:], " \t")
	k := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	if k < 0 {
		return s
	}
	return s[:k]
}

func isCapitalised(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// parseNum reads the counts used in "the past 3 days" and "two weeks ago";
// "a few" counts as 3, "a couple of" as 2 and "several" as 5.
func parseNum(s string) (int, bool) {
	s = strings.Join(strings.Fields(s), " ")
	words := map[string]int{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4,
		"five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
		"twelve": 12, "a few": 3, "few": 3, "several": 5, "a couple of": 2, "couple of": 2}
	if n, ok := words[s]; ok {
		return n, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0 && n <= 5000
}

// The builders below return an expression's raw window relative to d, the
// day of asking.
