package corpus

import (
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
