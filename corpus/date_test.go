package corpus

import (
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		in     string
		want   time.Time
		wantOK bool
	}{
		{"June 25, 2022", day(2022, 6, 25), true},
		{"June 25 2022", day(2022, 6, 25), true},
		{"25 June 2022", day(2022, 6, 25), true},
		{"25 june, 2022", day(2022, 6, 25), true},
		{"Jun 25, 2022", day(2022, 6, 25), true},
		{"Jun. 25, 2022", day(2022, 6, 25), true},
		{"SEPT. 3, 2021", day(2021, 9, 3), true},
		{"Sep 3rd, 2021", day(2021, 9, 3), true},
		{"July 1st 2021", day(2021, 7, 1), true},
		{"Monday, July 19, 2021", day(2021, 7, 19), true},
		{"Mon 19 Jul 2021", day(2021, 7, 19), true},
		{"  Tue., July 20, 2021  ", day(2021, 7, 20), true},
		{"2022-06-25", day(2022, 6, 25), true},
		{"2022/06/25", day(2022, 6, 25), true},
		{"2023-12-03T22:11:26+00:00", day(2023, 12, 3), true},
		{"2023-12-03T22:11:26-05:00", day(2023, 12, 3), true},
		{"2023-12-03t01:00:00z", day(2023, 12, 3), true},
		{"February 29, 2024", day(2024, 2, 29), true},
		{"February 29, 2023", time.Time{}, false},
		{"June 31, 2022", time.Time{}, false},
		{"25/06/2022", time.Time{}, false},
		{"06/25/2022", time.Time{}, false},
		{"2022-13-01", time.Time{}, false},
		{"June 2022", time.Time{}, false},
		{"June 25, 22", time.Time{}, false},
		{"Junk 25, 2022", time.Time{}, false},
		{"June 250, 2022", time.Time{}, false},
		{"Monday", time.Time{}, false},
		{"US, EU, Nato Condemn China’s ‘Malicious’ Cyber Activity", time.Time{}, false},
		{"May 4 2022 was sunny", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := ParseDate(tc.in)
			if ok != tc.wantOK || !got.Equal(tc.want) {
				t.Errorf("ParseDate(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.wantOK)
			}
			if ok && got.Location() != time.UTC {
				t.Errorf("ParseDate(%q) location = %v, want UTC", tc.in, got.Location())
			}
		})
	}
}

// TestParseDateLine: a date line may carry a label before its date and a
// time of day after it; the day is what is kept. Ambiguous numeric forms
// and lines that only mention a date stay unread.
func TestParseDateLine(t *testing.T) {
	tests := []struct{ line, want string }{
		{"Published: March 10, 2026", "2026-03-10"},
		{"Updated 10 Mar 2026 14:05 GMT", "2026-03-10"},
		{"Posted on Monday, July 19, 2021 at 2:05 pm", "2021-07-19"},
		{"Last updated: 2024-02-01", "2024-02-01"},
		{"On June 5, 2022", "2022-06-05"},
		{"Thu 2 Dec 2010 10.51 EST", "2010-12-02"},
		{"March 3, 2025", "2025-03-03"},
		{"Date: 25 June 2022, 09:30 +02:00", "2022-06-25"},
		{"Tuesday, March 10, 2026 2:05 PM ET", "2026-03-10"},
		{"Updated: March 10, 2026, 2:05 p.m. ET", "2026-03-10"},
		{"Posted on Wednesday, September 10, 2025 at 12:05 p.m. EDT", "2025-09-10"},
		{"Posted on Wednesday, September 10, 2025 at 12:05 p.m. Eastern Daylight", ""}, // too long for a date line
		{"10/03/2026", ""},
		{"Published by Reuters", ""},
		{"Updates on the strike", ""},
		{"The vote on June 5, 2022 was close", ""},
	}
	for _, tc := range tests {
		got, ok := ParseDateLine(tc.line)
		if s := got.Format("2006-01-02"); (ok && s != tc.want) || (!ok && tc.want != "") {
			t.Errorf("ParseDateLine(%q) = %s, %v; want %q", tc.line, s, ok, tc.want)
		}
	}
}

// TestTextDateLineWithLabel: a text briefing opening with a labelled date
// line is dated by it, and titled by the line after it.
func TestTextDateLineWithLabel(t *testing.T) {
	a, err := ParseText("rates.txt", []byte("Updated 10 Mar 2026 14:05 GMT\nECB holds rates\n\nThe ECB held its rates on Tuesday.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Published.Format("2006-01-02") != "2026-03-10" || a.Title != "ECB holds rates" {
		t.Errorf("published %s, title %q; want 2026-03-10 and the line after the date", a.Published.Format("2006-01-02"), a.Title)
	}
}

// TestMarkdownDateLine: a Markdown briefing may open with a date line above
// its "# " title, as a text one does.
func TestMarkdownDateLine(t *testing.T) {
	a, err := ParseMarkdown("rates.md", []byte("Published: March 10, 2026\n\n# ECB holds rates\n\nThe ECB held its rates on Tuesday.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Published.Format("2006-01-02") != "2026-03-10" || a.Title != "ECB holds rates" || strings.Contains(a.Body, "Published") {
		t.Errorf("published %s, title %q, body %q; want 2026-03-10, the heading, and no date line in the body", a.Published.Format("2006-01-02"), a.Title, a.Body)
	}
}
