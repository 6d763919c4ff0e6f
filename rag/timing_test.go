package rag

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/corpus"
)

// timedEngine holds the sample (2022-06-25) and three dated reports on the
// same harbour strike.
func timedEngine(t *testing.T) *Engine {
	t.Helper()
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	mustAdd(t, e, []corpus.Article{
		{ID: "strike-1", Title: "Dockers strike in Rotterdam", Published: day("2024-03-04"),
			Body: "Dockers in Rotterdam began a strike over pay on Monday, halting container traffic at the harbour."},
		{ID: "strike-2", Title: "Rotterdam strike talks stall", Published: day("2024-03-12"),
			Body: "Talks to end the Rotterdam dockers strike stalled, the union said, as ships queued outside the harbour."},
		{ID: "strike-3", Title: "Rotterdam dockers end strike", Published: day("2024-03-20"),
			Body: "The Rotterdam dockers strike ended after the union accepted a pay rise of 6 percent, the harbour said."},
	}...)
	return e
}

func TestTimeWindows(t *testing.T) {
	e := timedEngine(t)
	tests := []struct {
		name, question, asked string
		wantTop               string // article of the first hit
		wantText              []string
	}{
		{"this week picks the week's report", "What happened with the Rotterdam strike this week?", "2024-03-13", "strike-2", []string{"stalled"}},
		{"last week", "What happened with the Rotterdam strike last week?", "2024-03-21", "strike-2", []string{"stalled"}},
		{"since Monday", "Any news on the Rotterdam dockers since Monday?", "2024-03-21", "strike-3", []string{"ended"}},
		{"latest prefers the newest", "What is the latest on the Rotterdam dockers strike?", "2024-03-25", "strike-3", []string{"6 percent"}},
		{"in March 2024 finds the strike", "What did Rotterdam dockers do in March 2024?", "2024-06-01", "strike-", nil},
		{"future reports rank last", "What happened to the Rotterdam dockers strike?", "2024-03-05", "strike-1", []string{"began a strike"}},
		{"what happened this week in the sample's week", "What happened this week?", "2022-06-27", "eu-china-cyber", []string{"Washington and its allies"}},
		{"a year later: nothing from that week", "What happened this week?", "2023-06-27", "", []string{"nothing from this week", "2022-06-25", "US, EU, Nato Condemn"}},
		{"news of last weekend comes out in the week", "Why did the Rotterdam strike talks stall last weekend?", "2024-03-13", "strike-2", []string{"stalled"}},
		// The nearest coverage is the nearest report on the talks (03-12), not the later one on the strike's
		// end (03-20), which shares only "Rotterdam strike" with the question.
		{"nothing reported since last weekend", "Why did the Rotterdam strike talks stall last weekend?", "2024-03-30", "", []string{"nothing from last weekend", "2024-03-12"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ans, err := e.Answer(context.Background(), Question{Text: tc.question, Asked: day(tc.asked)})
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantTop != "" && (len(ans.Passages) == 0 || !strings.HasPrefix(ans.Passages[0].Passage.ArticleID, tc.wantTop)) {
				t.Errorf("top passage %v, want article %s", firstID(ans), tc.wantTop)
			}
			for _, w := range tc.wantText {
				if !strings.Contains(ans.Text, w) {
					t.Errorf("answer %q lacks %q", ans.Text, w)
				}
			}
			for _, c := range ans.Citations {
				if c.Published.IsZero() {
					t.Errorf("citation %d has no date", c.N)
				}
			}
		})
	}
}

func firstID(a Answer) string {
	if len(a.Passages) == 0 {
		return "(none)"
	}
	return a.Passages[0].Passage.ArticleID
}

func TestQuotesOfDifferentDatesAreOrderedAndLabelled(t *testing.T) {
	e := timedEngine(t)
	ans, err := e.Answer(context.Background(), Question{Text: "Rotterdam dockers strike union harbour", Asked: day("2024-04-01")})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(ans.Text, "\n")
	if len(lines) < 2 {
		t.Fatalf("want quotes from several reports, got %q", ans.Text)
	}
	prev := ""
	for i, l := range lines {
		d, _, ok := strings.Cut(l, ": ")
		d = strings.TrimSuffix(d, " (newest)")
		if !ok || len(d) != 10 || d < prev {
			t.Fatalf("line %d %q: want a date label, oldest first", i, l)
		}
		prev = d
	}
	if !strings.Contains(lines[len(lines)-1], "(newest)") {
		t.Errorf("last line %q should be marked newest", lines[len(lines)-1])
	}
}

func TestDateBlindWithoutMoment(t *testing.T) {
	e := timedEngine(t)
	// No moment of asking: "this week" is not read as a window.
	ans, err := e.Answer(context.Background(), Question{Text: "What happened with the Rotterdam strike this week?"})
	if err != nil || strings.Contains(ans.Text, "nothing from") || ans.Refused {
		t.Fatalf("got %q, %v", ans.Text, err)
	}
}

func TestTimeline(t *testing.T) {
	e := timedEngine(t)
	cites, err := e.Timeline(context.Background(), Question{Text: "Rotterdam dockers strike", Asked: day("2024-04-01")})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i, c := range cites {
		ids = append(ids, c.ArticleID)
		if !c.Verified || c.Quote == "" || c.Published.IsZero() || c.N != i+1 {
			t.Errorf("entry %d: %+v, want a numbered, dated, verified quote", i, c)
		}
		if i > 0 && c.Published.Before(cites[i-1].Published) {
			t.Errorf("entry %d out of date order", i)
		}
	}
	if strings.Join(ids, ",") != "strike-1,strike-2,strike-3" {
		t.Errorf("timeline articles %v, want the three strike reports in date order", ids)
	}
	early, _ := e.Timeline(context.Background(), Question{Text: "Rotterdam dockers strike", Asked: day("2024-03-13")})
	if len(early) != 2 {
		t.Errorf("asked on 2024-03-13: %d entries, want 2 (the third was not yet written)", len(early))
	}
	none, _ := e.Timeline(context.Background(), Question{Text: "Peruvian llama exports", Asked: day("2024-04-01")})
	if len(none) != 0 {
		t.Errorf("unrelated topic: %d entries, want none", len(none))
	}
}

func TestUndatedArticlesGetADate(t *testing.T) {
	ctx := context.Background()
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	lined, _, err := e.Add(ctx, corpus.Article{ID: "lined", Title: "Port", Body: "March 3, 2024\n\nThe port reopened after the storm passed."}, corpus.AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := lined.Published.Format("2006-01-02"); got != "2024-03-03" || lined.DateGuessed {
		t.Errorf("date line: got %s (guessed %v), want 2024-03-03 as stated", got, lined.DateGuessed)
	}
	bare, _, err := e.Add(ctx, corpus.Article{ID: "bare", Title: "Rail", Body: "The rail line reopened after repairs."}, corpus.AddOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !bare.DateGuessed || bare.Published.Format("2006-01-02") != bare.AddedAt.UTC().Format("2006-01-02") {
		t.Errorf("no date: got %v guessed %v, want the day added, marked as guessed", bare.Published, bare.DateGuessed)
	}
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestNearestCoverage: when the asked period holds nothing, the answer
// names the relevant article nearest in time; a note without a date is no
// coverage of any period.
func TestNearestCoverage(t *testing.T) {
	ctx := context.Background()
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	mustAdd(t, e, []corpus.Article{
		{ID: "jan24", Title: "Ferry strike begins", Published: day("2024-01-10"), Body: "Ferry crews began a strike over pay on Wednesday."},
		{ID: "jun24", Title: "Ferry strike ends", Published: day("2024-06-10"), Body: "The ferry strike ended after crews accepted a new contract."},
		{ID: "jan25", Title: "Bridge opens", Published: day("2025-01-10"), Body: "A new bridge over the river opened to traffic on Friday."},
		{ID: "note", Title: "Team note", Body: "Remember to file the quarterly report with the editors."},
	}...)
	tests := []struct {
		question, asked string
		want            []string
	}{
		{"What happened this week?", "2025-03-01", []string{"nothing from this week (2025-02-23 to 2025-03-01)", "nearest coverage is from 2025-01-10", "Bridge opens"}},
		{"Any news on the ferry strike this week?", "2025-03-01", []string{"nothing from this week", "nearest coverage is from 2024-06-10", "Ferry strike ends"}},
		{"What's new since Monday?", "2024-01-20", []string{"nothing since Monday", "2024-01-10"}},
		{"Any news from the day before yesterday?", "2024-01-20", []string{"nothing from the day before yesterday (2024-01-18)"}},
	}
	for _, tc := range tests {
		ans, err := e.Answer(ctx, Question{Text: tc.question, Asked: day(tc.asked)})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(ans.Text, w) {
				t.Errorf("%q asked %s: %q lacks %q", tc.question, tc.asked, ans.Text, w)
			}
		}
		if strings.Contains(ans.Text, "Team note") || strings.Contains(ans.Text, "from from") {
			t.Errorf("%q: %q", tc.question, ans.Text)
		}
	}
	// The undated note was added today: it is still no news of this week.
	ans, _ := e.Answer(ctx, Question{Text: "What happened this week?", Asked: time.Now()})
	if !strings.Contains(ans.Text, "nothing from this week") {
		t.Errorf("an undated note counted as this week's news: %q", ans.Text)
	}
}

// TestEventDatesNeverRefuse: words that date an event prefer articles of
// that date but never make the answer "nothing from …".
func TestEventDatesNeverRefuse(t *testing.T) {
	e := timedEngine(t)
	for _, tc := range []struct{ question, asked, want string }{
		{"What did the Rotterdam dockers do in 2023?", "2024-06-01", "strike"},
		{"Why did the Rotterdam dockers strike on Monday?", "2024-06-01", "pay"},
		{"What did the Rotterdam union accept on March 25?", "2024-06-01", "6 percent"},
		{"What did Business Today report about the Rotterdam dockers strike?", "2024-06-01", "strike"},
	} {
		ans, err := e.Answer(context.Background(), Question{Text: tc.question, Asked: day(tc.asked)})
		if err != nil {
			t.Fatal(err)
		}
		if ans.Refused || strings.Contains(ans.Text, "nothing") || !strings.Contains(ans.Text, tc.want) {
			t.Errorf("%q: %q, want quotes with %q", tc.question, ans.Text, tc.want)
		}
	}
}

// TestGuessedDateIsNoDate: an article added without a date carries the day
// it was added, which says nothing about when it was written: its quote is
// labelled "added …" after the dated ones, the newest mark stays on a
// real date, and "latest" does not prefer it.
func TestGuessedDateIsNoDate(t *testing.T) {
	e := timedEngine(t)
	mustAdd(t, e, corpus.Article{ID: "note", Title: "Rotterdam dockers strike notes",
		Body: "Rotterdam dockers strike notes: the union and the harbour kept talking."})
	ans, err := e.Answer(context.Background(), Question{Text: "Rotterdam dockers strike union harbour", Asked: day("2024-04-01")})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(ans.Text, "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "added ") || !strings.Contains(last, "kept talking") || strings.Contains(last, "(newest)") {
		t.Errorf("last line %q, want the undated note's quote labelled \"added …\" and not newest", last)
	}
	if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "2024-03-20 (newest): ") }) {
		t.Errorf("%q: want the newest mark on the newest dated report", ans.Text)
	}
	latest, err := e.Answer(context.Background(), Question{Text: "What is the latest on the Rotterdam dockers strike?", Asked: day("2024-03-25")})
	if err != nil {
		t.Fatal(err)
	}
	if got := firstID(latest); got != "strike-3" {
		t.Errorf("latest: first hit %s, want strike-3 (the undated note is not the newest)", got)
	}
}

// TestYearWithoutMoment: with no moment of asking, a date that names its
// year still applies: "since 2025" holds none of the 2024 reports and says
// so, with an open end.
func TestYearWithoutMoment(t *testing.T) {
	e := timedEngine(t)
	ans, err := e.Answer(context.Background(), Question{Text: "What happened to the Rotterdam dockers since 2025?"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "The briefings have nothing since 2025 (since 2025-01-01). The nearest coverage is from 2024-03-20"; !strings.HasPrefix(ans.Text, want) {
		t.Errorf("got %q, want it to start %q", ans.Text, want)
	}
}

// TestDateWithoutTopic: "What happened on <date>?" asks for that date's
// briefings as "what happened this week?" asks for the week's: their
// openings, or that the date holds nothing and the nearest coverage. A
// date with a topic only prefers articles of that date.
func TestDateWithoutTopic(t *testing.T) {
	e := timedEngine(t)
	tests := []struct{ question, asked, want string }{
		{"What happened on March 12, 2024?", "2024-04-01", "Talks to end the Rotterdam dockers strike stalled"},
		{"What happened on 2024-03-20?", "2024-04-01", "The Rotterdam dockers strike ended"},
		{"What happened on 2024-03-13?", "2024-04-01", "The briefings have nothing from 2024-03-13. The nearest"},
		{"What happened in 2024?", "", "Dockers in Rotterdam began a strike"}, // no moment of asking: a year still reads
		{"What happened on March 13, 2024?", "2024-04-01", "The briefings have nothing from March 13, 2024 (2024-03-13). The nearest coverage is from 2024-03-12"},
		{"Did the dockers strike end on March 13, 2024?", "2024-04-01", "The Rotterdam dockers strike ended"},
	}
	for _, tc := range tests {
		t.Run(tc.question, func(t *testing.T) {
			q := Question{Text: tc.question}
			if tc.asked != "" {
				q.Asked = day(tc.asked)
			}
			ans, err := e.Answer(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(ans.Text, tc.want) {
				t.Errorf("%q, want %q", ans.Text, tc.want)
			}
		})
	}
}

// TestPeriodWithoutTopic: words of asking ("anything new") are no topic:
// the period's briefings are given by their openings, not by the passage
// that happens to say "New Zealand".
func TestPeriodWithoutTopic(t *testing.T) {
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	for _, q := range []string{"Anything new since 2021?", "What's new this week?"} {
		ans, err := e.Answer(context.Background(), Question{Text: q, Asked: day("2022-06-27")})
		if err != nil {
			t.Fatal(err)
		}
		if len(ans.Citations) == 0 || !strings.HasPrefix(ans.Citations[0].Quote, "Washington and its allies condemned") {
			t.Errorf("%q: %q, want the sample's opening sentence", q, ans.Text)
		}
	}
}

// TestDigest: a question with neither a topic nor a period ("what's new?")
// gets the openings of the newest briefings, newest first, none from
// after the moment of asking; an undated note counts from the day it was
// added.
func TestDigest(t *testing.T) {
	e := timedEngine(t)
	for _, q := range []string{"What's new?", "Any news?", "What happened?", "Headlines please", "Summarize the briefings", "whats new", "Anything interesting?", "Any stories?"} {
		ans, err := e.Answer(context.Background(), Question{Text: q, Asked: day("2024-03-15")})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range ans.Citations {
			ids = append(ids, c.ArticleID)
		}
		if got := strings.Join(ids, ","); got != "eu-china-cyber,strike-1,strike-2" {
			t.Errorf("%q: %q, want the openings of the three newest briefings before 2024-03-15 (%s), oldest first as dated quotes are", q, ans.Text, got)
		}
	}
	mustAdd(t, e, corpus.Article{ID: "note", Title: "Note", Body: "The harbour café reopened after repairs to its terrace."})
	ans, err := e.Answer(context.Background(), Question{Text: "What's new?", Asked: time.Now()})
	if err != nil || !strings.Contains(ans.Text, "harbour café reopened") {
		t.Errorf("what's new, today: %q, %v; want the note added today", ans.Text, err)
	}
}

// TestWeakOlderMatchDoesNotLead: quotes are ordered by date only when
// they are reports on one topic; an older quote matching one word of the
// question does not come before the one that matches it.
func TestWeakOlderMatchDoesNotLead(t *testing.T) {
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	mustAdd(t, e, []corpus.Article{
		{ID: "flares", Title: "Sky", Published: day("2024-05-17"), Body: "A series of solar flares created dazzling auroras over the northern lakes."},
		{ID: "baseball", Title: "Parade", Published: day("2025-11-03"), Body: "The Dodgers celebrated their World Series title with a parade in Los Angeles."},
	}...)
	for i := range 12 { // "world" and "title" are common words; "series" is not
		mustAdd(t, e, corpus.Article{ID: fmt.Sprint("boxing-", i), Title: "Boxing", Published: day("2025-01-10"),
			Body: fmt.Sprintf("Boxer number %d defended a world title in a bout over twelve rounds.", i)})
	}
	ans, err := e.Answer(context.Background(), Question{Text: "Which team won the World Series title?", Asked: day("2025-12-01")})
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Citations) < 2 || ans.Citations[0].ArticleID != "baseball" || !strings.Contains(ans.Text, "(newest)") {
		t.Errorf("%q: want the Dodgers first, both quotes dated, though the flares are older", ans.Text)
	}
}

// TestPeriodAnswerComesFromThePeriod: "today" holds an article, but not on
// the question's topic: the answer says the period has nothing on it and
// names the nearest coverage, instead of quoting older news as today's.
func TestPeriodAnswerComesFromThePeriod(t *testing.T) {
	e := timedEngine(t)
	mustAdd(t, e, corpus.Article{ID: "bakery", Title: "Bakery prize", Published: day("2024-03-25"),
		Body: "A bakery in Delft won the national prize for its apple pie on Monday."})
	ans, err := e.Answer(context.Background(), Question{Text: "What did the Rotterdam dockers union do today?", Asked: day("2024-03-25")})
	if err != nil {
		t.Fatal(err)
	}
	want := "The briefings have nothing from today (2024-03-25). The nearest coverage is from 2024-03-20: “Rotterdam dockers end strike”."
	if !ans.Refused || ans.Text != want {
		t.Errorf("%q, want %q", ans.Text, want)
	}
	if ans, _ := e.Answer(context.Background(), Question{Text: "Which bakery won a prize today?", Asked: day("2024-03-25")}); ans.Refused {
		t.Errorf("today's own news: %q", ans.Text)
	}
}

// TestPeriodQuotesAndNearestCoverage: a question about a period quotes
// only the period's reports; one whose topic the period lacks is told so
// even when the topic matches weakly, and the nearest coverage named is an
// article on the topic, not one sharing a word of it.
func TestPeriodQuotesAndNearestCoverage(t *testing.T) {
	e := timedEngine(t)
	mustAdd(t, e, []corpus.Article{
		{ID: "swift-feb", Title: "Swift targeted", Published: day("2024-02-01"), Body: "Right-wing media figures are targeting Taylor Swift with conspiracy theories."},
		{ID: "swift-aug", Title: "Concerts canceled", Published: day("2024-08-08"), Body: "Three Taylor Swift concerts in Vienna were canceled after a terror plot was foiled."},
		{ID: "maxmax", Title: "Furiosa", Published: day("2024-05-17"), Body: "Anya Taylor-Joy stars in the frenetic prequel to Mad Max: Fury Road."},
	}...)
	ans, err := e.Answer(context.Background(), Question{Text: "What happened with Taylor Swift this month?", Asked: day("2024-08-20")})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range ans.Citations {
		if c.ArticleID != "swift-aug" {
			t.Errorf("this month: quote of %s (%s) in %q, want August's only", c.ArticleID, c.Published.Format("2006-01-02"), ans.Text)
		}
	}
	ans, err = e.Answer(context.Background(), Question{Text: "What happened with Taylor Swift this week?", Asked: day("2024-06-01")})
	if err != nil {
		t.Fatal(err)
	}
	if want := "The nearest coverage is from 2024-02-01: “Swift targeted”."; !strings.HasSuffix(ans.Text, want) {
		t.Errorf("this week: %q, want it to end %q (not the Taylor-Joy film of 2024-05-17)", ans.Text, want)
	}
	ans, err = e.Answer(context.Background(), Question{Text: "Swift this week?", Asked: day("2024-08-30")})
	if err != nil || !strings.HasPrefix(ans.Text, "The briefings have nothing from this week") {
		t.Errorf("a short question on a period without it: %q, %v; want \"nothing from this week\"", ans.Text, err)
	}
}
