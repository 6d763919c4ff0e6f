package corpus

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// update rewrites golden files instead of comparing with them: go test
// ./corpus -run Golden -update. It is the package's one -update flag.
var update = flag.Bool("update", false, "rewrite testdata/*.golden files")

// describePassages renders passages for a golden file: one line each with
// seq, heading, byte range, word count and the first and last 8 words.
func describePassages(ps []Passage) string {
	var b strings.Builder
	for _, p := range ps {
		w := strings.Fields(p.Text)
		fmt.Fprintf(&b, "%d | heading=%q | %d-%d | %d words | %s … %s\n", p.Seq, p.Heading, p.Start, p.End, len(w),
			strings.Join(w[:min(8, len(w))], " "), strings.Join(w[max(0, len(w)-8):], " "))
	}
	return b.String()
}

func TestSplitGoldenSample(t *testing.T) {
	data, err := os.ReadFile("samples/eu-china-cyber.txt")
	if err != nil {
		t.Fatal(err)
	}
	a, err := ParseText("000_74678849ffcb6c59.txt", data)
	if err != nil {
		t.Fatalf("ParseText: %v", err)
	}
	ps := Split(a)
	checkPassages(t, a, ps)
	got := describePassages(ps)
	golden := filepath.Join("testdata", "sample.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./corpus -run Golden -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("passages differ from %s (-want +got):\n%s", golden, diff)
	}
}

// words returns n words "W0 w1 …" ending with end, as filler text: a
// sentence when end is ".".
func words(n int, end string) string {
	w := make([]string, n)
	for i := range w {
		w[i] = fmt.Sprintf("w%d", i)
	}
	w[0] = "W0"
	return strings.Join(w, " ") + end
}

func TestSplit(t *testing.T) {
	para := func(n int) string { return words(n, ".") }
	tests := []struct {
		name  string
		body  string
		want  []int    // word count of each passage
		heads []string // heading of each passage
	}{
		{"empty", " \n\n ", nil, nil},
		{"short article is one passage, headings included", "## A\n\n" + para(30) + "\n\n## B\n\n" + para(30), []int{64}, []string{""}},
		{"paragraphs packed toward 200", strings.Repeat(para(90)+"\n\n", 5), []int{180, 180, 90}, []string{"", "", ""}},
		{"tail under 60 merges", para(150) + "\n\n" + para(40), []int{190}, []string{""}},
		{"tail that would pass 300 stays", para(250) + "\n\n" + para(55), []int{250, 55}, []string{"", ""}},
		{"markdown headings split sections", para(120) + "\n\n## Second part\n\n" + para(120) + "\n\n# One\n## Two\n" + para(110),
			[]int{120, 120, 110}, []string{"", "Second part", "One › Two"}},
		{"plain heading", para(120) + "\n\nFour Chinese hackers indicted\n\n" + para(120),
			[]int{120, 120}, []string{"", "Four Chinese hackers indicted"}},
		{"trailing heading stays text", para(120) + "\n\n## The end", []int{123}, []string{""}},
		{"dateline and bullet are not headings", "CNN —\n\n• Homes at risk: 3,615\n\n" + para(120), []int{127}, []string{""}},
		{"two short lines: only the second is a heading", "John Smith\n\n24/7 Wall Street\n\n" + para(120), []int{2, 120}, []string{"", "24/7 Wall Street"}},
		{"short list lines are not headings", para(100) + "\n\nA. 30\n\nB. 40\n\nC. 50", []int{106}, []string{""}},
		{"long paragraph split at sentences", strings.Repeat(words(49, ". "), 8), []int{245, 147}, []string{"", ""}},
		{"short passage borrows sentences", para(60) + "\n\n" + strings.Repeat(words(49, ". "), 5), []int{207, 98}, []string{"", ""}},
		{"giant sentence cut at words", words(700, "."), []int{234, 234, 232}, []string{"", "", ""}},
		{"separator only", "=====\n\n* * *\n", nil, nil},
		{"separator lines are no passages", para(120) + "\n\n=====\n\n## Next\n\n=====\n\n" + para(120) + "\n\n=====",
			[]int{120, 120}, []string{"", "Next"}},
		{"short article trims separators", "=====\n\nAnd they're off! The race began at noon.\n\n=====", []int{8}, []string{""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := Article{ID: "t", Body: tc.body}
			ps := Split(a)
			var got []int
			var heads []string
			for _, p := range ps {
				got = append(got, len(strings.Fields(p.Text)))
				heads = append(heads, p.Heading)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("passage word counts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.heads, heads); diff != "" {
				t.Errorf("passage headings (-want +got):\n%s", diff)
			}
			checkPassages(t, a, ps)
		})
	}
}

// checkPassages asserts the promises Split documents for article a.
func checkPassages(t *testing.T, a Article, ps []Passage) {
	t.Helper()
	ends := map[int]bool{}
	sents := Sentences(a.Body)
	for _, s := range sents {
		ends[s[1]] = true
	}
	prevEnd := 0
	for i, p := range ps {
		where := fmt.Sprintf("%s passage %d", a.ID, i)
		if p.Seq != i || p.ID != fmt.Sprintf("%s#%d", a.ID, i) || p.ArticleID != a.ID {
			t.Errorf("%s: Seq %d, ID %q, ArticleID %q", where, p.Seq, p.ID, p.ArticleID)
		}
		if p.Start < prevEnd || p.End <= p.Start || p.End > len(a.Body) || p.Text != a.Body[p.Start:p.End] {
			t.Fatalf("%s: range %d-%d (previous end %d) does not give Text", where, p.Start, p.End, prevEnd)
		}
		if p.Text != strings.TrimSpace(p.Text) {
			t.Errorf("%s: text has surrounding whitespace", where)
		}
		if !ends[p.End] && !insideLongSentence(a.Body, sents, p.End) {
			t.Errorf("%s: ends mid-sentence: …%q", where, p.Text[max(0, len(p.Text)-40):])
		}
		checkSize(t, where, a, ps, i)
		prevEnd = p.End
	}
	checkCoverage(t, a, ps)
}

// insideLongSentence reports whether pos cuts a sentence of more than
// hardMaxWords words, the one case where Split may end mid-sentence.
func insideLongSentence(body string, sents [][2]int, pos int) bool {
	for _, s := range sents {
		if s[0] < pos && pos < s[1] {
			return countWords(body[s[0]:s[1]]) > hardMaxWords
		}
	}
	return false
}

// checkSize checks passage i against the documented size bounds.
func checkSize(t *testing.T, where string, a Article, ps []Passage, i int) {
	t.Helper()
	n := countWords(ps[i].Text)
	if n > hardMaxWords {
		t.Errorf("%s: %d words, want at most %d", where, n, hardMaxWords)
	}
	if n >= minWords || countWords(a.Body) < minWords {
		return
	}
	// Passages of one section touch but for whitespace; a heading line
	// between two passages marks a new section even when its text repeats.
	lastOfSection := i == len(ps)-1 || strings.TrimSpace(a.Body[ps[i].End:ps[i+1].Start]) != ""
	firstOfSection := i == 0 || strings.TrimSpace(a.Body[ps[i-1].End:ps[i].Start]) != ""
	switch {
	case lastOfSection && (firstOfSection || n >= tailWords):
		// the section's only passage, or a tail of 60-99 words
	case lastOfSection:
		if prev := countWords(ps[i-1].Text); prev+n <= hardMaxWords {
			t.Errorf("%s: tail of %d words not merged into previous passage of %d", where, n, prev)
		}
	default:
		next := ps[i+1].Text
		first := Sentences(next)[0]
		if w := countWords(next[first[0]:first[1]]); n+w <= maxWords {
			t.Errorf("%s: %d words, yet the next sentence (%d words) would have fit", where, n, w)
		}
	}
}

// checkCoverage checks that every word (with a letter or digit) of the body is in a passage or in a
// heading line that some passage carries as its Heading.
func checkCoverage(t *testing.T, a Article, ps []Passage) {
	t.Helper()
	var heads []string
	for _, p := range ps {
		heads = append(heads, strings.Split(p.Heading, " › ")...)
	}
	k := 0
	for _, w := range wordSpans(a.Body, 0, len(a.Body)) {
		for k < len(ps) && ps[k].End <= w[0] {
			k++
		}
		if k < len(ps) && ps[k].Start <= w[0] && w[1] <= ps[k].End {
			continue
		}
		if !strings.ContainsFunc(a.Body[w[0]:w[1]], isWordRune) {
			continue // separators ("=====") say nothing
		}
		lineStart := strings.LastIndexByte(a.Body[:w[0]], '\n') + 1
		lineEnd := strings.IndexByte(a.Body[w[0]:], '\n')
		if lineEnd < 0 {
			lineEnd = len(a.Body) - w[0]
		}
		if line := headingText(a.Body[lineStart : w[0]+lineEnd]); !slices.Contains(heads, line) {
			t.Errorf("%s: word %q at %d is in no passage and no heading", a.ID, a.Body[w[0]:w[1]], w[0])
			return
		}
	}
}

// TestSplitEvalSets checks Split's promises on every article of the
// evaluation sets and logs the passage-size distribution (go test -v).
func TestSplitEvalSets(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "shared", "eval", "*", "docs.jsonl"))
	if len(files) == 0 {
		t.Skip("no evaluation sets under ../shared/eval")
	}
	for _, f := range files {
		set := filepath.Base(filepath.Dir(f))
		t.Run(set, func(t *testing.T) {
			fh, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			var sizes []int
			articles := 0
			err = ParseJSONL(f, fh, func(a Article) error {
				articles++
				ps := Split(a)
				checkPassages(t, a, ps)
				for _, p := range ps {
					sizes = append(sizes, countWords(p.Text))
				}
				return nil
			})
			if err != nil {
				t.Fatalf("ParseJSONL: %v", err)
			}
			t.Log(sizeReport(articles, sizes))
		})
	}
}

// sizeReport summarises passage sizes in words.
func sizeReport(articles int, sizes []int) string {
	if len(sizes) == 0 {
		return fmt.Sprintf("%d articles, no passages", articles)
	}
	slices.Sort(sizes)
	q := func(f float64) int { return sizes[int(f*float64(len(sizes)-1))] }
	var under60, under100, over250 int
	for _, s := range sizes {
		switch {
		case s < 60:
			under60++
			under100++
		case s < 100:
			under100++
		case s > maxWords:
			over250++
		}
	}
	pct := func(n int) float64 { return 100 * float64(n) / float64(len(sizes)) }
	return fmt.Sprintf("%d articles, %d passages; words min %d p10 %d median %d p90 %d max %d; <60: %.1f%%, <100: %.1f%%, >250: %.1f%%",
		articles, len(sizes), sizes[0], q(0.1), q(0.5), q(0.9), sizes[len(sizes)-1], pct(under60), pct(under100), pct(over250))
}
