package corpus

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// months maps every accepted month spelling (full name and the usual
// abbreviations, lower case, without a trailing dot) to its month.
var months = map[string]time.Month{
	"january": time.January, "jan": time.January,
	"february": time.February, "feb": time.February,
	"march": time.March, "mar": time.March,
	"april": time.April, "apr": time.April,
	"may":  time.May,
	"june": time.June, "jun": time.June,
	"july": time.July, "jul": time.July,
	"august": time.August, "aug": time.August,
	"september": time.September, "sep": time.September, "sept": time.September,
	"october": time.October, "oct": time.October,
	"november": time.November, "nov": time.November,
	"december": time.December, "dec": time.December,
}

// weekdays are the prefixes a date line may start with ("Monday, July 19,
// 2021"); they are dropped, not checked against the date, because briefings
// copied from the web sometimes get them wrong and the date is what matters.
var weekdays = map[string]bool{
	"monday": true, "mon": true, "tuesday": true, "tue": true, "tues": true,
	"wednesday": true, "wed": true, "thursday": true, "thu": true, "thur": true,
	"thurs": true, "friday": true, "fri": true, "saturday": true, "sat": true,
	"sunday": true, "sun": true,
}

// ParseDate reads a date written the ways briefings state them: ISO
// ("2022-06-25", or RFC 3339 with a time), "2022/06/25", and month-name forms
// ("June 25, 2022", "25 June 2022", "Jun. 25th 2022"), with an optional
// weekday in front. Numeric day-first or month-first forms such as
// "25/06/2022" are refused because they are ambiguous. The result is the
// calendar day at UTC midnight: briefings are dated by day, and keeping the
// writer's day (not the UTC instant) stops "22:00-05:00" moving to tomorrow.
// ok is false when s is not one whole date.
func ParseDate(s string) (t time.Time, ok bool) {
	fields := strings.Fields(strings.ToLower(strings.ReplaceAll(s, ",", " ")))
	if len(fields) > 0 && weekdays[strings.TrimSuffix(fields[0], ".")] {
		fields = fields[1:]
	}
	switch len(fields) {
	case 1:
		return parseNumericDate(fields[0])
	case 3:
		return parseNamedDate(fields)
	}
	return time.Time{}, false
}

// dateLabel and timeOfDay are what a date line may hold around its date:
// "Published: March 10, 2026", "Updated 10 Mar 2026 14:05 GMT", "Posted on
// Monday, July 19, 2021 at 2:05 pm".
var (
	dateLabel = regexp.MustCompile(`(?i)^(?:(?:(?:first\s+)?published|(?:last\s+)?updated|posted|dated?|on)\b\s*(?:on\b)?\s*:?\s*|:\s*)`)
	timeOfDay = regexp.MustCompile(`(?i)(?:,|\s)+(?:at\s+)?\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s*(?:utc|gmt|[a-z]{1,3}[sd]t|[a-z]t|[+-]\d{2}:?\d{2}))?\s*$`)
)

// maxDateLine is the longest line read as a date line ("Posted on
// Wednesday, September 10, 2025 at 12:05 p.m. EDT" is 52 bytes): a longer
// one is a sentence that mentions a date.
const maxDateLine = 60

// ParseDateLine reads a line that states a date, as pages and briefings
// put one at their top: ParseDate's forms, after an optional label
// ("Published:", "Updated", "Posted on") and before an optional time of
// day ("14:05 GMT", "2:05 pm"), which is dropped: articles are dated by day.
func ParseDateLine(line string) (time.Time, bool) {
	if len(line) > maxDateLine {
		return time.Time{}, false
	}
	line = strings.TrimSpace(dateLabel.ReplaceAllString(strings.TrimSpace(line), ""))
	if t, ok := ParseDate(line); ok {
		return t, true
	}
	return ParseDate(timeOfDay.ReplaceAllString(line, ""))
}

// parseNumericDate handles the single-token forms: ISO dates, RFC 3339
// timestamps and year/month/day with slashes.
func parseNumericDate(s string) (time.Time, bool) {
	if ts, err := time.Parse(time.RFC3339, strings.ToUpper(s)); err == nil {
		return dayOf(ts.Year(), ts.Month(), ts.Day())
	}
	for _, layout := range []string{"2006-01-02", "2006/01/02"} {
		if ts, err := time.Parse(layout, s); err == nil {
			return ts, true
		}
	}
	return time.Time{}, false
}

// parseNamedDate handles "june 25 2022" and "25 june 2022" (commas already
// removed).
func parseNamedDate(f []string) (time.Time, bool) {
	year, err := strconv.Atoi(f[2])
	if err != nil || len(f[2]) != 4 {
		return time.Time{}, false
	}
	if m, ok := months[strings.TrimSuffix(f[0], ".")]; ok {
		if d, ok := dayNumber(f[1]); ok {
			return dayOf(year, m, d)
		}
	}
	if m, ok := months[strings.TrimSuffix(f[1], ".")]; ok {
		if d, ok := dayNumber(f[0]); ok {
			return dayOf(year, m, d)
		}
	}
	return time.Time{}, false
}

// dayNumber reads a day of the month, with an optional ordinal suffix
// ("25th", "1st").
func dayNumber(s string) (int, bool) {
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		if trimmed, found := strings.CutSuffix(s, suf); found {
			s = trimmed
			break
		}
	}
	if len(s) == 0 || len(s) > 2 {
		return 0, false
	}
	d, err := strconv.Atoi(s)
	return d, err == nil
}

// dayOf builds the UTC-midnight date, refusing days the month does not have
// ("February 30") instead of letting time.Date roll them over.
func dayOf(y int, m time.Month, d int) (time.Time, bool) {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || t.Month() != m {
		return time.Time{}, false
	}
	return t, true
}
