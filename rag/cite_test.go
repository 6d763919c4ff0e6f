package rag

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/corpus"
	"github.com/google/go-cmp/cmp"
)

// sampleArticle is the bundled sample briefing as stored.
func sampleArticle(t testing.TB) *corpus.Article {
	t.Helper()
	body, err := os.ReadFile("../corpus/samples/eu-china-cyber.txt")
	if err != nil {
		t.Fatalf("read sample: %v", err)
	}
	return &corpus.Article{
		ID: "eu-china-cyber", Title: "US, EU, Nato Condemn China’s ‘Malicious’ Cyber Activity",
		Source: "sample", URL: "https://example.org/eu-china-cyber",
		Published: time.Date(2022, 6, 25, 0, 0, 0, 0, time.UTC), Body: string(body),
	}
}

// paragraphHits returns, in the order given, hits for the paragraphs of
// a's body that start with the given prefixes: passages are byte ranges
// of the body cut at blank lines.
func paragraphHits(t testing.TB, a *corpus.Article, prefixes ...string) []Hit {
	t.Helper()
	var hits []Hit
	for _, pre := range prefixes {
		start := strings.Index(a.Body, pre)
		if start < 0 || (start > 0 && !strings.HasSuffix(a.Body[:start], "\n\n")) {
			t.Fatalf("no paragraph starts with %q", pre)
		}
		end := start + strings.Index(a.Body[start:]+"\n\n", "\n\n")
		hits = append(hits, Hit{Article: a, Passage: corpus.Passage{
			ID: a.ID + "#" + itoa(len(hits)), ArticleID: a.ID, Seq: len(hits),
			Start: start, End: end, Text: a.Body[start:end],
		}})
	}
	return hits
}

// The passages most tests give the model, numbered [1]..[4].
var samplePrefixes = []string{"The United States adopted", "London has displayed", "In a more cautious", "In their press releases"}

// gotCite is what a test compares: which passage (0-based hit), verified,
// and the quote.
type gotCite struct {
	N        int
	Hit      int
	Verified bool
	Quote    string
}

func TestCheckCitations(t *testing.T) {
	a := sampleArticle(t)
	hits := paragraphHits(t, a, samplePrefixes...)
	tests := []struct {
		name     string
		answer   string
		wantText string
		want     []gotCite
	}{
		{
			name:     "correct quote",
			answer:   `Raab said China "must end its systematic cybersabotage" [2].`,
			wantText: `Raab said China “must end its systematic cybersabotage” [1].`,
			want:     []gotCite{{1, 1, true, "must end its systematic cybersabotage"}},
		},
		{
			name:     "made-up quote loses its quote marks",
			answer:   `Raab called the hack "an act of war" [2].`,
			wantText: `Raab called the hack an act of war [1].`,
			want:     []gotCite{{1, 1, false, ""}},
		},
		{
			name:     "citation beyond the passages is removed",
			answer:   `NATO urged restraint [9]. Blinken saw "a major threat to the economy and security" [1].`,
			wantText: `NATO urged restraint. Blinken saw “a major threat to the economy and security” [1].`,
			want:     []gotCite{{1, 0, true, "a major threat to the economy and security"}},
		},
		{
			name:     "straight quotes for curly, a line break and capitals inside the quote",
			answer:   "Blinken said \"China has 'irresponsible, disruptive\nand destabilizing behavior in Cyberspace.\" [1]",
			wantText: "Blinken said “China has ‘irresponsible, disruptive and destabilizing behavior in cyberspace” [1]",
			want:     []gotCite{{1, 0, true, "China has ‘irresponsible, disruptive and destabilizing behavior in cyberspace"}},
		},
		{
			name:     "quote found in another passage moves the citation",
			answer:   `NATO said it "took note" [4], while Raab said China "must be held accountable" [1].`,
			wantText: `NATO said it “took note” [1], while Raab said China “must be held accountable” [2].`,
			want:     []gotCite{{1, 2, true, "took note"}, {2, 1, true, "must be held accountable"}},
		},
		{
			name:     "ellipsis splits a quote into pieces found in order",
			answer:   `NATO asked states to "respect their international obligations ... including in cyberspace" [3].`,
			wantText: `NATO asked states to “respect their international obligations … including in cyberspace” [1].`,
			want:     []gotCite{{1, 2, true, "respect their international obligations and commitments (…), including in cyberspace"}},
		},
		{
			name:     "pieces out of order are not a quote",
			answer:   `NATO asked states to "including in cyberspace … respect their international obligations" [3].`,
			wantText: `NATO asked states to including in cyberspace … respect their international obligations [1].`,
			want:     []gotCite{{1, 2, false, ""}},
		},
		{
			name:     "two quotes before one marker get one citation each",
			answer:   `Biden accused Beijing of "protecting" hackers and "giving them the means to act" [1].`,
			wantText: `Biden accused Beijing of “protecting” [1] hackers and “giving them the means to act” [2].`,
			want:     []gotCite{{1, 0, true, "protecting"}, {2, 0, true, "giving them the means to act"}},
		},
		{
			name:     "verified quote without a marker gets one",
			answer:   `The alliance said: "We call on all states, including China".`,
			wantText: `The alliance said: “We call on all states, including China” [1].`,
			want:     []gotCite{{1, 2, true, "We call on all states, including China"}},
		},
		{
			name:     "marker without a quote is unverified, once per passage",
			answer:   `The US took a stern tone [1]. Relations were strained [1].`,
			wantText: `The US took a stern tone [1]. Relations were strained [1].`,
			want:     []gotCite{{1, 0, false, ""}},
		},
		{
			name:     "a marker naming two passages",
			answer:   `London and Washington blamed China [2, 4].`,
			wantText: `London and Washington blamed China [1][2].`,
			want:     []gotCite{{1, 1, false, ""}, {2, 3, false, ""}},
		},
		{
			name:     "part of a word is not a match",
			answer:   `He said "ina has" [1].`,
			wantText: `He said ina has [1].`,
			want:     []gotCite{{1, 0, false, ""}},
		},
		{
			name:     "quote from an article passage not given is not verified",
			answer:   `Washington said Beijing is "using criminal hackers" [1].`,
			wantText: `Washington said Beijing is using criminal hackers [1].`,
			want:     []gotCite{{1, 0, false, ""}},
		},
		{
			name:     "unclosed quote mark is removed",
			answer:   `Raab said "China must end it [2] and more.`,
			wantText: `Raab said China must end it [1] and more.`,
			want:     []gotCite{{1, 1, false, ""}},
		},
		{
			name:     "curly single quotes are quotes too, apostrophes are not",
			answer:   `NATO ‘took note’ of its members’ statements [3] and called it ‘a hoax’ [3].`,
			wantText: `NATO “took note” of its members’ statements [1] and called it a hoax [2].`,
			want:     []gotCite{{1, 2, true, "took note"}, {2, 2, false, ""}},
		},
		{
			name:     "quote with marker [0] is found and cited",
			answer:   `The hackers were dubbed "Hafnium" [0].`,
			wantText: `The hackers were dubbed “Hafnium” [1].`,
			want:     []gotCite{{1, 3, true, "Hafnium"}},
		},
		{
			name:     "quote after its claim, with words between quote and marker",
			answer:   "“The Chinese government must end its systematic cybersabotage,” said Raab [2].",
			wantText: "“The Chinese government must end its systematic cybersabotage” said Raab [1].",
			want:     []gotCite{{1, 1, true, "The Chinese government must end its systematic cybersabotage"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, cites := checkCitations(tc.answer, hits)
			if text != tc.wantText {
				t.Errorf("text:\n got %q\nwant %q", text, tc.wantText)
			}
			if diff := cmp.Diff(tc.want, project(t, hits, cites)); diff != "" {
				t.Errorf("citations (-want +got):\n%s", diff)
			}
			assertShownQuotesVerified(t, text, cites)
		})
	}
}

// project turns citations into gotCite, checking the invariants every
// citation keeps: its quote is the stored text at Start:End, inside the
// passage it names, and its article fields are filled.
func project(t *testing.T, hits []Hit, cites []Citation) []gotCite {
	t.Helper()
	var out []gotCite
	for i, c := range cites {
		hit := -1
		for hi, h := range hits {
			p := h.Passage
			if c.ArticleID == h.Article.ID && p.Start <= c.Start && c.End <= p.End && (c.Verified || c.Start == p.Start) {
				hit = hi
				break
			}
		}
		if hit < 0 {
			t.Fatalf("citation %d (%d:%d) lies in no given passage", c.N, c.Start, c.End)
		}
		a := hits[hit].Article
		if c.Quote != a.Body[c.Start:c.End] {
			t.Errorf("citation %d quote %q is not the stored text %q", c.N, c.Quote, a.Body[c.Start:c.End])
		}
		if c.N != i+1 || c.Title != a.Title || c.URL != a.URL || c.Source != a.Source || !c.Published.Equal(a.Published) {
			t.Errorf("citation %d = %+v, want N=%d and the article's title, URL, source and date", i, c, i+1)
		}
		if !c.Verified && (c.Quote != "" || c.Spans != nil) {
			t.Errorf("unverified citation %d carries quote %q, spans %v", c.N, c.Quote, c.Spans)
		}
		if c.Verified && !spansTile(c) {
			t.Errorf("citation %d spans %v do not run in order from Start %d to End %d", c.N, c.Spans, c.Start, c.End)
		}
		out = append(out, gotCite{c.N, hit, c.Verified, c.Quote})
	}
	return out
}

var shownQuote = regexp.MustCompile(`“([^”]*)”`)

// assertShownQuotesVerified: every quote shown is found, piece by piece,
// in a verified citation's stored quote, and no other quote mark is left.
func assertShownQuotesVerified(t *testing.T, text string, cites []Citation) {
	t.Helper()
	for _, m := range shownQuote.FindAllStringSubmatch(text, -1) {
		ok := false
		for _, c := range cites {
			if c.Verified && containsPieces(c.Quote, strings.Split(m[1], " … ")) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("text shows quote “%s” that no verified citation holds", m[1])
		}
	}
	rest := shownQuote.ReplaceAllString(text, "")
	if strings.ContainsAny(rest, "\"“”„") {
		t.Errorf("text %q keeps a quote mark outside a verified quote", text)
	}
}

// spansTile: a verified citation's spans are non-empty, in order, not
// overlapping, and run from Start to End.
func spansTile(c Citation) bool {
	if len(c.Spans) == 0 || c.Spans[0].Start != c.Start || c.Spans[len(c.Spans)-1].End != c.End {
		return false
	}
	prev := c.Start
	for _, sp := range c.Spans {
		if sp.Start < prev || sp.End <= sp.Start {
			return false
		}
		prev = sp.End
	}
	return true
}

func containsPieces(stored string, pieces []string) bool {
	f := fold(stored).s
	from := 0
	for _, p := range pieces {
		i := strings.Index(f[from:], fold(p).s)
		if i < 0 {
			return false
		}
		from += i + len(fold(p).s)
	}
	return true
}

func TestFoldMapsBackToStoredText(t *testing.T) {
	src := "China’s  ‘MALICIOUS’\n cyber — activity…"
	f := fold(src)
	if want := "china's 'malicious' cyber - activity..."; f.s != want {
		t.Fatalf("fold = %q, want %q", f.s, want)
	}
	i := strings.Index(f.s, "'malicious' cyber")
	s, e := f.span(i, i+len("'malicious' cyber"))
	if got, want := src[s:e], "‘MALICIOUS’\n cyber"; got != want {
		t.Errorf("span maps to %q, want %q", got, want)
	}
}

// BenchmarkCheckCitations checks answers of growing size once, as
// answerWithLLM does when the stream ends: the time per byte stays flat
// (linear in the answer's length).
func BenchmarkCheckCitations(b *testing.B) {
	a := sampleArticle(b)
	hits := paragraphHits(b, a, samplePrefixes...)
	unit := `Raab said China "must end its systematic cybersabotage" [2]. NATO «took note» [3] and "never said this" [1]. `
	for _, size := range []int{6 << 10, 60 << 10, 600 << 10} {
		answer := strings.Repeat(unit, size/len(unit))
		b.Run(itoa(size>>10)+"KB", func(b *testing.B) {
			b.SetBytes(int64(len(answer)))
			for b.Loop() {
				checkCitations(answer, hits)
			}
		})
	}
}
