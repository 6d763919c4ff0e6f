package when

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// fmtWindow renders a window as a user-facing test message would read it.
func fmtWindow(w Window, ok bool) string {
	if !ok {
		return "none"
	}
	if w.Recent {
		return "recent " + strings.TrimSpace(w.Phrase)
	}
	from := "open"
	if !w.From.IsZero() {
		from = w.From.Format("2006-01-02")
	}
	return "[" + from + ", " + w.To.Format("2006-01-02") + ") " + w.Phrase
}

func TestParseWhen(t *testing.T) {
	const thu = "2022-06-23" // a Thursday
	tests := []struct {
		name, asked, q, want string
	}{
		{"today", thu, "What happened today?", "[2022-06-23, 2022-06-24) today"},
		{"today possessive", thu, "Who spoke at today's hearing?", "[2022-06-23, 2022-06-24) today's"},
		{"yesterday", thu, "Who resigned yesterday?", "[2022-06-22, 2022-06-23) yesterday"},
		{"day before yesterday", thu, "news from the day before yesterday", "[2022-06-21, 2022-06-22) from the day before yesterday"},
		{"this week is the 7 days ending today", thu, "What country elected its first-ever leftist leader this week?", "[2022-06-17, 2022-06-24) this week"},
		{"this week capitalised", thu, "This Week, what did NASA show?", "[2022-06-17, 2022-06-24) This Week"},
		{"earlier this week", thu, "what did the Fed say earlier this week", "[2022-06-17, 2022-06-23) earlier this week"},
		{"last week is the previous Monday-Sunday", thu, "What did the Fed do last week?", "[2022-06-13, 2022-06-20) last week"},
		{"past week rolls", thu, "news over the past week", "[2022-06-17, 2022-06-24) over the past week"},
		{"the last week rolls", thu, "news in the last week", "[2022-06-17, 2022-06-24) in the last week"},
		{"the last 7 days", thu, "What happened in the last 7 days?", "[2022-06-17, 2022-06-24) in the last 7 days"},
		{"past three days", thu, "floods in the past three days", "[2022-06-21, 2022-06-24) in the past three days"},
		{"past 2 weeks", thu, "strikes over the past 2 weeks", "[2022-06-10, 2022-06-24) over the past 2 weeks"},
		{"past 2 months", thu, "prices in the past 2 months", "[2022-04-24, 2022-06-24) in the past 2 months"},
		{"past few days", thu, "what happened in the past few days", "[2022-06-21, 2022-06-24) in the past few days"},
		{"past year", thu, "How much have gas prices increased in the US over the past year?", "[2021-06-24, 2022-06-24) over the past year"},
		{"this month", thu, "Who tested positive for the second time this month?", "[2022-06-01, 2022-06-24) this month"},
		{"last month", thu, "Boris Johnson secretly flew where last month?", "[2022-05-01, 2022-06-01) last month"},
		{"this year possessive", thu, "Which movie won best picture at this year’s Academy Awards?", "[2022-01-01, 2022-06-24) this year’s"},
		{"so far this year", thu, "How many storms so far this year?", "[2022-01-01, 2022-06-24) so far this year"},
		{"year to date", thu, "sales year to date", "[2022-01-01, 2022-06-24) year to date"},
		{"last year", thu, "Who won the election last year?", "[2021-01-01, 2022-01-01) last year"},
		{"in a past year", thu, "Who won Wimbledon in 2021?", "[2021-01-01, 2022-01-01) in 2021"},
		{"during the current year is clipped", thu, "floods during 2022", "[2022-01-01, 2022-06-24) during 2022"},
		{"in March this year", thu, "What happened in March?", "[2022-03-01, 2022-04-01) in March"},
		{"in August means last year's", thu, "Who won the vote in August?", "[2021-08-01, 2021-09-01) in August"},
		{"month and year", thu, "the flood in March 2020", "[2020-03-01, 2020-04-01) in March 2020"},
		{"month of year", thu, "results in March of 2021", "[2021-03-01, 2021-04-01) in March of 2021"},
		{"since weekday", thu, "What has the Fed done since Monday?", "[2022-06-20, 2022-06-24) since Monday"},
		{"since today's weekday goes back a week", thu, "since Thursday", "[2022-06-16, 2022-06-24) since Thursday"},
		{"since date", thu, "rain since March 3", "[2022-03-03, 2022-06-24) since March 3"},
		{"since year", thu, "inflation since 2021", "[2021-01-01, 2022-06-24) since 2021"},
		{"since month", thu, "since May, prices rose", "[2022-05-01, 2022-06-24) since May"},
		{"on date", thu, "What happened on June 5?", "[2022-06-05, 2022-06-06) on June 5"},
		{"date later in the year goes back a year", thu, "What happened on August 30?", "[2021-08-30, 2021-08-31) on August 30"},
		{"date coming soon is upcoming", thu, "Which eclipse will be seen on June 30?", "none"},
		{"month coming soon is upcoming", thu, "What will the Fed do in July?", "none"},
		{"day month year", thu, "the vote on 5 June 2021", "[2021-06-05, 2021-06-06) on 5 June 2021"},
		{"day of month", thu, "the 5th of June", "[2022-06-05, 2022-06-06) the 5th of June"},
		{"month day comma year", thu, "Who spoke June 5, 2021 in Paris?", "[2021-06-05, 2021-06-06) June 5, 2021"},
		{"abbreviated month", thu, "the strike on Sept. 14", "[2021-09-14, 2021-09-15) on Sept. 14"},
		{"date naming an event", thu, "What did the Jan. 6 committee reveal this week?", "[2022-06-17, 2022-06-24) this week"},
		{"iso date", thu, "news on 2022-06-01", "[2022-06-01, 2022-06-02) on 2022-06-01"},
		{"between dates", thu, "What happened between March 1 and March 10?", "[2022-03-01, 2022-03-11) between March 1 and March 10"},
		{"from month to month", thu, "prices from March to May", "[2022-03-01, 2022-06-01) from March to May"},
		{"between years", thu, "between 2019 and 2021", "[2019-01-01, 2022-01-01) between 2019 and 2021"},
		{"between dates with commas", "2024-01-01", "seen between November 9, 2023, and December 21, 2023?", "[2023-11-09, 2023-12-22) between November 9, 2023, and December 21, 2023"},
		{"until a future month gives none", thu, "delayed until May 2026", "none"},
		{"by a future year gives none", thu, "a ban by 2028", "none"},
		{"iso timestamp", "2024-01-01", "the article published at 2023-12-12T22:38:05+00:00", "[2023-12-12, 2023-12-13) at 2023-12-12T22:38:05+00:00"},
		{"recent keeps its noun's preposition", thu, "an article on recent Border Patrol strategies", "recent recent"},
		{"before year", thu, "deals before 2020", "[open, 2020-01-01) before 2020"},
		{"after date", thu, "after June 5", "[2022-06-06, 2022-06-24) after June 5"},
		{"days ago", thu, "What happened 3 days ago?", "[2022-06-20, 2022-06-21) 3 days ago"},
		{"a week ago", thu, "the storm a week ago", "[2022-06-10, 2022-06-17) a week ago"},
		{"over the weekend", thu, "Who won over the weekend?", "[2022-06-18, 2022-06-20) over the weekend"},
		{"this weekend", thu, "this weekend's races", "[2022-06-18, 2022-06-20) this weekend's"},
		{"weekend asked on sunday", "2022-06-26", "over the weekend", "[2022-06-25, 2022-06-27) over the weekend"},
		{"weekend asked on saturday is clipped", "2022-06-25", "this weekend", "[2022-06-25, 2022-06-26) this weekend"},
		{"last weekend asked on sunday", "2022-06-26", "last weekend", "[2022-06-18, 2022-06-20) last weekend"},
		{"last weekday", thu, "What did Biden say last Monday?", "[2022-06-20, 2022-06-21) last Monday"},
		{"last weekday same as today", thu, "last Thursday", "[2022-06-16, 2022-06-17) last Thursday"},
		{"on weekday", thu, "What NFL star announced his retirement on Tuesday?", "[2022-06-21, 2022-06-22) on Tuesday"},
		{"bare weekday", "2022-10-06", "SpaceX and NASA launched a rocket into space Wednesday. What was its destination?", "[2022-10-05, 2022-10-06) Wednesday"},
		{"weekday is today", "2025-01-23", "The nominations for the 97th Academy Awards were announced Thursday.", "[2025-01-23, 2025-01-24) Thursday"},
		{"early weekday", thu, "Dozens were unaccounted for early Thursday", "[2022-06-23, 2022-06-24) early Thursday"},
		{"weekday possessive", "2024-07-19", "by which Spanish player in Sunday's final?", "[2024-07-14, 2024-07-15) Sunday's"},
		{"recently", thu, "Which superstar recently teased a return?", "recent recently"},
		{"latest", thu, "What is the latest on the strike?", "recent latest"},
		{"most recent", thu, "the most recent jobs report", "recent most recent"},
		{"in recent days", thu, "Which nation plunged into chaos in recent days?", "recent in recent days"},
		{"the previous year is relative to something else", thu, "an improvement compared to the previous year", "none"},
		{"hard window beats recent", thu, "Which show recently aired this week?", "[2022-06-17, 2022-06-24) this week"},
		{"narrowest wins", thu, "this month, what happened yesterday?", "[2022-06-22, 2022-06-23) yesterday"},
		{"dates far apart are joined", "2023-12-31", "Between the report from The Verge on November 7, 2023, and the TechCrunch article on December 15, 2023, did Google change?",
			"[2023-11-07, 2023-12-16) on November 7, 2023"},
		{"future year gives none", "2022-10-27", "Which justice will be on a new US postage stamp in 2023?", "none"},
		{"next week gives none", thu, "What will happen next week?", "none"},
		{"future is refused, past kept", thu, "after last week, what happens next week?", "[2022-06-20, 2022-06-24) after last week"},

		// Year boundaries and leap days.
		{"last month across a year", "2024-01-02", "What happened last month?", "[2023-12-01, 2024-01-01) last month"},
		{"this week across a year", "2024-01-02", "this week", "[2023-12-27, 2024-01-03) this week"},
		{"last week across a year", "2024-01-02", "last week", "[2023-12-25, 2024-01-01) last week"},
		{"in December asked in January", "2024-01-02", "in December", "[2023-12-01, 2024-01-01) in December"},
		{"this year on January 2", "2024-01-02", "this year", "[2024-01-01, 2024-01-03) this year"},
		{"yesterday is a leap day", "2024-03-01", "yesterday", "[2024-02-29, 2024-03-01) yesterday"},
		{"leap day this year", "2024-03-01", "on February 29", "[2024-02-29, 2024-03-01) on February 29"},
		{"leap day goes back to a leap year", "2023-06-01", "on February 29", "[2020-02-29, 2020-03-01) on February 29"},
		{"no leap day in 2023", "2023-06-01", "on February 29, 2023", "none"},
		{"past month from the 31st", "2024-03-31", "in the past month", "[2024-03-01, 2024-04-01) in the past month"},

		// Words that only look like time words.
		{"May as a name", thu, "Theresa May resigned", "none"},
		{"May as a name with a year", thu, "Did Theresa May 2019 resign?", "none"},
		{"May after by", thu, "a speech by May said little", "none"},
		{"May possessive", thu, "the members of May's cabinet", "none"},
		{"march as a verb", thu, "protesters march on the capital", "none"},
		{"may as a verb", thu, "the bank may raise rates", "none"},
		{"weekday as an adjective", thu, "the Monday demonstrations", "none"},
		{"weekday in a name", thu, "a 'Monday Night Football' game", "none"},
		{"holiday weekday", thu, "Black Friday sales", "none"},
		{"bare year in an event name", thu, "Who scored in Euro 2024?", "none"},
		{"Fashion Week year", thu, "Who opened Fashion Week 2024", "none"},
		{"week number", thu, "Week 13 of the NFL season", "none"},
		{"since an event", thu, "aid since the beginning of Russia’s invasion", "none"},
		{"a year ago is a comparison", thu, "rents compared to a year ago", "none"},
		{"no time words", thu, "Who is the CEO of Tesla?", "none"},
		{"within is not in", thu, "within 2021 budgets", "none"},
		{"range with the year at its end", thu, "What happened between June 20 and June 30, 2021?", "[2021-06-20, 2021-07-01) between June 20 and June 30, 2021"},
		{"range across a new year", thu, "news from December 20 to January 5, 2021", "[2020-12-20, 2021-01-06) from December 20 to January 5, 2021"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			asked := day(tt.asked).Add(23*time.Hour + 59*time.Minute)
			w, ok := Parse(tt.q, asked)
			if got := fmtWindow(w, ok); got != tt.want {
				t.Errorf("Parse(%q, %s) = %s, want %s", tt.q, tt.asked, got, tt.want)
			}
			if ok && tt.q[w.Span[0]:w.Span[1]] != w.Phrase {
				t.Errorf("Span %v holds %q, Phrase is %q", w.Span, tt.q[w.Span[0]:w.Span[1]], w.Phrase)
			}
			if ok && !MayMention(tt.q) {
				t.Errorf("the pre-check in Read would skip %q", tt.q)
			}
		})
	}
}

func TestParseWhenUsesUTCDate(t *testing.T) {
	// 2022-06-23 22:00 in New York is already 2022-06-24 in UTC.
	ny := time.FixedZone("EDT", -4*3600)
	w, ok := Parse("today", time.Date(2022, 6, 23, 22, 0, 0, 0, ny))
	if got, want := fmtWindow(w, ok), "[2022-06-24, 2022-06-25) today"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestStripWhen(t *testing.T) {
	asked := day("2022-06-23")
	tests := []struct{ q, want string }{
		{"what happened this week?", "what happened?"},
		{"This week, who resigned?", "who resigned?"},
		{"Which movie won best picture at this year’s Academy Awards?", "Which movie won best picture at Academy Awards?"},
		{"Who won  the vote in March , and why?", "Who won the vote, and why?"},
		{"What happened between March 1 and March 10 in Paris?", "What happened in Paris?"},
		{"What is the latest on the strike?", "What is the on the strike?"},
		{"Who is the CEO of  Tesla?", "Who is the CEO of Tesla?"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			w, _ := Parse(tt.q, asked)
			if got := Strip(tt.q, w); got != tt.want {
				t.Errorf("Strip(%q) = %q, want %q", tt.q, got, tt.want)
			}
		})
	}
	t.Run("window from another question", func(t *testing.T) {
		w, _ := Parse("what happened this week", asked)
		q := "who  won the vote"
		if got, want := Strip(q, w), "who won the vote"; got != want {
			t.Errorf("Strip(%q) = %q, want %q", q, got, want)
		}
	})
}

// TestParseWhenEvalQuestions runs Parse over the evaluation questions
// and logs what it found. Every window must hold its phrase at its span and
// never reach past the day of asking, and every realtimeqa question saying
// "this week" must get the 7 days ending on its question date.
func TestParseWhenEvalQuestions(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/eval/*/questions.jsonl")
	if len(files) == 0 {
		t.Skip("no evaluation questions under ../shared/eval")
	}
	for _, f := range files {
		set := filepath.Base(filepath.Dir(f))
		t.Run(set, func(t *testing.T) {
			qs := readEvalQuestions(t, f)
			phrases := map[string]int{}
			matched := 0
			for _, q := range qs {
				asked := day("2024-01-01")
				if q.Date != "" {
					asked = day(q.Date)
				}
				w, ok := Parse(q.Question, asked)
				if !ok {
					continue
				}
				matched++
				phrases[strings.ToLower(w.Phrase)]++
				checkEvalWindow(t, q.Question, asked, w)
			}
			t.Logf("%s: %d of %d questions have a time expression; phrases: %s", set, matched, len(qs), countList(phrases))
		})
	}
}

type evalQuestion struct {
	Question string `json:"question"`
	Date     string `json:"question_date"`
}

func readEvalQuestions(t *testing.T, path string) []evalQuestion {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var qs []evalQuestion
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var q evalQuestion
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return qs
}

func checkEvalWindow(t *testing.T, q string, asked time.Time, w Window) {
	t.Helper()
	if q[w.Span[0]:w.Span[1]] != w.Phrase {
		t.Errorf("%q: span %v does not hold phrase %q", q, w.Span, w.Phrase)
	}
	if !w.Recent && (w.To.After(asked.AddDate(0, 0, 1)) || (!w.From.IsZero() && !w.From.Before(w.To))) {
		t.Errorf("%q asked %s: bad window %s", q, asked.Format("2006-01-02"), fmtWindow(w, true))
	}
	if strings.EqualFold(w.Phrase, "this week") {
		want := Window{From: asked.AddDate(0, 0, -6), To: asked.AddDate(0, 0, 1)}
		if !w.From.Equal(want.From) || !w.To.Equal(want.To) {
			t.Errorf("%q asked %s: got %s, want the 7 days ending that day", q, asked.Format("2006-01-02"), fmtWindow(w, true))
		}
	}
}

func countList(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || (m[keys[i]] == m[keys[j]] && keys[i] < keys[j]) })
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k + " ×" + strconv.Itoa(m[k]))
	}
	return b.String()
}

func BenchmarkParseWhen(b *testing.B) {
	q := "Which country announced a crackdown on rainbow-colored toys this week, saying the items promote homosexuality?"
	asked := day("2022-06-23")
	for b.Loop() {
		Parse(q, asked)
	}
}

// TestMayMentionTimeIsASuperset checks the cheap pre-check never hides a
// time expression Parse would find, over every dev-set question.
func TestMayMentionTimeIsASuperset(t *testing.T) {
	paths, _ := filepath.Glob("../../../shared/eval/*/questions.jsonl")
	if len(paths) == 0 {
		t.Skip("../shared/eval is absent")
	}
	asked := day("2024-06-30")
	n := 0
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			var q struct{ Question string }
			if json.Unmarshal([]byte(line), &q) != nil {
				continue
			}
			if _, ok := Parse(q.Question, asked); ok {
				n++
				if !MayMention(q.Question) {
					t.Errorf("pre-check misses the time words of %q", q.Question)
				}
			}
		}
	}
	t.Logf("%d questions with time words, all caught by the pre-check", n)
}

// TestPeriodOrEvent: only words about the news of a period counted back
// from the day of asking may make an empty window an answer; dates of
// events may not.
func TestPeriodOrEvent(t *testing.T) {
	asked := day("2024-03-13")
	tests := []struct {
		q      string
		period bool
	}{
		{"What's new this week?", true},
		{"Anything since Monday?", true},
		{"What happened yesterday?", true},
		{"What happened in the past 3 days?", true},
		{"What did the Fed do last week?", true},
		{"Anything since March?", true},
		{"Who won the election in 2024?", false},
		{"What did the court rule on Monday?", false},
		{"Which holiday falls on the third Monday of February?", false},
		{"What did Business Today report about Tesla?", false},
		{"What was announced on March 5?", false},
		{"What happened between January 2 and January 9, 2024?", false},
	}
	for _, tc := range tests {
		w, ok := Parse(tc.q, asked)
		if !ok {
			t.Errorf("%q: no time expression found", tc.q)
			continue
		}
		if w.Period != tc.period {
			t.Errorf("%q (%q): Period %v, want %v", tc.q, w.Phrase, w.Period, tc.period)
		}
	}
}

// TestReadUnknownMoment: without a moment of asking (an evaluation set
// without question dates), dates that name their year are still read, and
// words that count from the day of asking are left in the question.
func TestReadUnknownMoment(t *testing.T) {
	tests := []struct{ q, window, stripped string }{
		{"Who is the Maxwell Award winner in 2019?", "[2019-01-01, 2020-01-01) period=false", "Who is the Maxwell Award winner?"},
		{"What did TechCrunch report on October 6, 2023?", "[2023-10-06, 2023-10-07) period=false", "What did TechCrunch report?"},
		{"Who won between 2019 and 2021?", "[2019-01-01, 2022-01-01) period=false", "Who won?"},
		{"What changed since 2020?", "[2020-01-01, open) period=true", "What changed?"},
		{"What happened this week?", "none", "What happened this week?"},
		{"Who resigned in March?", "none", "Who resigned in March?"},
		{"What did the Fed say on Monday?", "none", "What did the Fed say on Monday?"},
		{"What is the latest on the strike?", "none", "What is the latest on the strike?"},
		{"Who won the 2021 Tour de France?", "none", "Who won the 2021 Tour de France?"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			tm, stripped := Read(tt.q, time.Time{})
			got := "none"
			if tm.Hard {
				to := "open"
				if !tm.Win.To.IsZero() {
					to = tm.Win.To.Format("2006-01-02")
				}
				got = "[" + tm.Win.From.Format("2006-01-02") + ", " + to + ") period=" + strconv.FormatBool(tm.Win.Period)
			}
			if got != tt.window || stripped != tt.stripped {
				t.Errorf("Read(%q, unknown) = %s, %q; want %s, %q", tt.q, got, stripped, tt.window, tt.stripped)
			}
			if tm.Recent || !tm.Asked.IsZero() || tm.After(day("9000-01-01")) {
				t.Errorf("Read(%q, unknown): Recent %v, Asked %v: nothing may count from an unknown day", tt.q, tm.Recent, tm.Asked)
			}
		})
	}
}
