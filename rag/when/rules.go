package when

import (
	"strconv"
	"strings"
	"time"
)

// The build functions turn one matched time expression into its raw
// window (see whenRules in when.go).

func buildISO(m whenMatch, _ time.Time) (Window, bool) {
	t, err := time.Parse("2006-01-02", m.get("iso"))
	return dayWindow(t), err == nil
}

// buildDate reads "June 5", "5th of June 2022" and "June 5, 2022"; without a
// year it takes the most recent such date not after d, or an upcoming one
// (see soonDays).
func buildDate(m whenMatch, d time.Time) (Window, bool) {
	mon, ok := monthOf(m)
	day, err := strconv.Atoi(m.get("day"))
	if !ok || err != nil || day < 1 || day > 31 || namesEvent(m) {
		return Window{}, false
	}
	valid := func(y int) (time.Time, bool) {
		t := time.Date(y, mon, day, 0, 0, 0, 0, time.UTC)
		return t, t.Month() == mon
	}
	if ys := m.get("year"); ys != "" {
		y, _ := strconv.Atoi(ys)
		t, ok := valid(y)
		return dayWindow(t), ok
	}
	for y := d.Year(); y > d.Year()-9; y-- {
		t, ok := valid(y)
		switch {
		case ok && !t.After(d):
			return dayWindow(t), true
		case ok && y == d.Year() && t.Before(d.AddDate(0, 0, soonDays)):
			return dayWindow(t), true // upcoming: refused as future
		}
	}
	return Window{}, false
}

// soonDays: a date or month without a year that comes within this many
// days after the day of asking is read as upcoming ("the eclipse on April
// 8" asked April 5), not as last year's.
const soonDays = 31

// buildMonth reads "March 2024" and "in March"; without a year it takes the
// most recent such month that began by d, or an upcoming one (see soonDays).
func buildMonth(m whenMatch, d time.Time) (Window, bool) {
	mon, ok := monthOf(m)
	if !ok {
		return Window{}, false
	}
	if ys := m.get("year"); ys != "" {
		y, _ := strconv.Atoi(ys)
		return monthWindow(y, mon), true
	}
	if startsWithDigit.MatchString(m.q[m.loc[1]:]) { // an impossible "February 30"
		return Window{}, false
	}
	w := monthWindow(d.Year(), mon)
	if w.From.After(d) && !w.From.Before(d.AddDate(0, 0, soonDays)) {
		w = monthWindow(d.Year()-1, mon)
	}
	return w, true // upcoming months are refused as future
}

// namesEvent reports a date used as an adjective, "the Jan. 6 committee":
// the articles about it are not from that day.
func namesEvent(m whenMatch) bool {
	next := nextWord(m.q, m.loc[1])
	return m.prep == "" && strings.EqualFold(prevWord(m.q, m.atomStart()), "the") &&
		next != "" && !isCapitalised(next)
}

func buildYear(m whenMatch, _ time.Time) (Window, bool) {
	y, err := strconv.Atoi(m.get("year"))
	return yearWindow(y), err == nil
}

// monthOf resolves the month name, refusing "May" and "March" where they
// read as a name or a verb: possessive ("May's"), after a capitalised word
// without a preposition ("Theresa May 2019"), or after a preposition that
// also introduces people ("by", "after", "since", ...) when a lower-case
// word follows ("a speech by May said").
func monthOf(m whenMatch) (time.Month, bool) {
	name := m.get("month")
	if len(name) < 3 {
		return 0, false
	}
	i := strings.Index("janfebmaraprmayjunjulaugsepoctnovdec", name[:3])
	if i < 0 || i%3 != 0 {
		return 0, false
	}
	if name != "may" && name != "march" {
		return time.Month(i/3 + 1), true
	}
	if whole := m.q[m.loc[0]:m.loc[1]]; strings.HasSuffix(whole, "'s") || strings.HasSuffix(whole, "’s") {
		return 0, false
	}
	if m.prep == "" && isCapitalised(prevWord(m.q, m.loc[0])) {
		return 0, false
	}
	next := nextWord(m.q, m.loc[1])
	personPrep := strings.Contains("|by|after|before|since|from|of|", "|"+m.prep+"|")
	if m.get("day") == "" && m.get("year") == "" && personPrep && next != "" && !isCapitalised(next) &&
		!strings.Contains("|and|or|to|through|until|till|this|last|the|of|in|on|when|while|", "|"+strings.ToLower(next)+"|") {
		return 0, false
	}
	return time.Month(i/3 + 1), true
}

func buildDayWord(m whenMatch, d time.Time) (Window, bool) {
	switch w := strings.Join(strings.Fields(m.get("dw")), " "); {
	case w == "yesterday":
		return dayWindow(d.AddDate(0, 0, -1)), true
	case strings.HasSuffix(w, "before yesterday"):
		return dayWindow(d.AddDate(0, 0, -2)), true
	default:
		return dayWindow(d), true
	}
}

// buildAgo reads "3 days ago" (that day) and "two weeks ago" (the 7 days
// ending 14 days before d).
func buildAgo(m whenMatch, d time.Time) (Window, bool) {
	n, ok := parseNum(m.get("n"))
	if !ok {
		return Window{}, false
	}
	if strings.HasPrefix(m.get("unit"), "week") {
		end := d.AddDate(0, 0, 1-7*n)
		return Window{From: end.AddDate(0, 0, -7), To: end}, true
	}
	return dayWindow(d.AddDate(0, 0, -n)), true
}

// buildPastN reads "the past 3 days": N units ending on d inclusive.
func buildPastN(m whenMatch, d time.Time) (Window, bool) {
	n, ok := parseNum(m.get("n"))
	if !ok {
		return Window{}, false
	}
	return pastWindow(n, m.get("unit"), d), true
}

func pastWindow(n int, unit string, d time.Time) Window {
	end := d.AddDate(0, 0, 1)
	switch {
	case strings.HasPrefix(unit, "day"):
		return Window{From: end.AddDate(0, 0, -n), To: end}
	case strings.HasPrefix(unit, "week"):
		return Window{From: end.AddDate(0, 0, -7*n), To: end}
	case strings.HasPrefix(unit, "month"):
		return Window{From: addMonths(d, -n).AddDate(0, 0, 1), To: end}
	default:
		return Window{From: addMonths(d, -12*n).AddDate(0, 0, 1), To: end}
	}
}

// buildPeriod reads "this/last/past/next week|month|year" ("the last week"
// and "past week" roll, "last week" is the calendar week), with "earlier"
// ending the window before d and "later" (future) giving none.
func buildPeriod(m whenMatch, d time.Time) (Window, bool) {
	mod := strings.Join(strings.Fields(m.get("mod")), " ")
	if mod == "" { // "year to date", "ytd"
		mod = "this"
	}
	unit := m.get("unit")
	if unit == "" {
		unit = "year"
	}
	rolling := mod == "past" || mod == "this past" || (m.get("the") != "" && mod == "last")
	var w Window
	switch {
	case mod == "next" || mod == "coming" || m.get("early") == "later":
		return Window{From: d.AddDate(0, 0, 1), To: d.AddDate(0, 0, 2)}, true // future: refused later
	case rolling:
		w = pastWindow(1, unit, d)
	case unit == "week" && mod == "last":
		w = Window{From: monday(d).AddDate(0, 0, -7), To: monday(d)}
	case unit == "week":
		w = Window{From: d.AddDate(0, 0, -6), To: d.AddDate(0, 0, 1)}
	case unit == "month" && mod == "last":
		w = monthWindow(d.Year(), d.Month()-1)
	case unit == "month":
		w = monthWindow(d.Year(), d.Month())
	case mod == "last":
		w = yearWindow(d.Year() - 1)
	default:
		w = yearWindow(d.Year())
	}
	if m.get("early") == "earlier" && w.To.After(d) {
		w.To = d
		if !w.From.Before(w.To) {
			w.From = d.AddDate(0, 0, -1)
		}
	}
	return w, true
}

// buildWeekend reads "over the weekend": the most recent Saturday and
// Sunday up to d; "last weekend" asked on a weekend is the one before.
func buildWeekend(m whenMatch, d time.Time) (Window, bool) {
	sat := d.AddDate(0, 0, -((int(d.Weekday()) + 1) % 7))
	if m.get("mod") == "last" && !d.After(sat.AddDate(0, 0, 1)) {
		sat = sat.AddDate(0, 0, -7)
	}
	return Window{From: sat, To: sat.AddDate(0, 0, 2)}, true
}

// buildWeekday reads "on Monday", "early Thursday", "last Monday". A bare
// weekday is refused where it names something: before a capitalised word
// ("Monday Night Football") or after an article or a holiday word ("the
// Monday demonstrations", "Black Friday").
func buildWeekday(m whenMatch, d time.Time) (Window, bool) {
	target := time.Sunday
	for !strings.EqualFold(target.String(), m.get("wd")) {
		target++
	}
	mod := strings.Join(strings.Fields(m.get("mod")), " ")
	if m.prep == "" && mod == "" {
		prev := strings.ToLower(prevWord(m.q, m.atomStart()))
		if isCapitalised(nextWord(m.q, m.loc[1])) ||
			strings.Contains("|the|a|an|every|each|black|cyber|good|super|ash|easter|holy|bloody|blue|", "|"+prev+"|") {
			return Window{}, false
		}
	}
	back := (int(d.Weekday()) - int(target) + 7) % 7
	if mod == "next" {
		return dayWindow(d.AddDate(0, 0, 7-back)), true // future: refused later
	}
	if back == 0 && (mod == "last" || mod == "past" || mod == "this past" || m.prep == "since") {
		back = 7
	}
	return dayWindow(d.AddDate(0, 0, -back)), true
}

func buildRecent(whenMatch, time.Time) (Window, bool) { return Window{Recent: true}, true }
