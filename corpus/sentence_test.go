package corpus

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func sentenceTexts(text string) []string {
	var out []string
	for _, r := range Sentences(text) {
		out = append(out, text[r[0]:r[1]])
	}
	return out
}

func TestSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"plain", "One here. Two there! Three? Four.",
			[]string{"One here.", "Two there!", "Three?", "Four."}},
		{"abbreviations", "Mr. Smith met Mrs. Jones and Dr. Who at St. Paul's. They left.",
			[]string{"Mr. Smith met Mrs. Jones and Dr. Who at St. Paul's.", "They left."}},
		{"dotted letters", "The U.S. President met U.K. officials. Talks began.",
			[]string{"The U.S. President met U.K. officials.", "Talks began."}},
		{"e.g. and i.e.", "Some fruit, e.g. Apples, i.e. Red ones. Done.",
			[]string{"Some fruit, e.g. Apples, i.e. Red ones.", "Done."}},
		{"month abbreviations", "It began on Jan. 6 and ended Feb. 2. Then Sept. Rains came.",
			[]string{"It began on Jan. 6 and ended Feb. 2.", "Then Sept. Rains came."}},
		{"number", "He is No. 1 in the world. No. That is all.",
			[]string{"He is No. 1 in the world.", "No.", "That is all."}},
		{"initials", "J. K. Rowling wrote it. George W. Bush read it.",
			[]string{"J. K. Rowling wrote it.", "George W. Bush read it."}},
		{"decimals", "Growth was 3.5 percent. Prices rose $2.50 a day.",
			[]string{"Growth was 3.5 percent.", "Prices rose $2.50 a day."}},
		{"ellipsis inside", "He paused... and went on. Then (…), including more. End.",
			[]string{"He paused... and went on.", "Then (…), including more.", "End."}},
		{"closing single quote", "‘The government must act,’ he said.’ Next one.",
			[]string{"‘The government must act,’ he said.’", "Next one."}},
		{"closing quote and bracket", "(He said “stop.”) Then he left.",
			[]string{"(He said “stop.”)", "Then he left."}},
		{"lower case continues", "“Stop!” he cried. And so on.",
			[]string{"“Stop!” he cried.", "And so on."}},
		{"paragraph break without punctuation", "Four Chinese hackers indicted\n\nChina denied it.",
			[]string{"Four Chinese hackers indicted", "China denied it."}},
		{"paragraph break after abbreviation", "He lives in the U.S.\n\nShe does not.",
			[]string{"He lives in the U.S.", "She does not."}},
		{"single newline inside paragraph", "A line that wraps\nhere. Next.",
			[]string{"A line that wraps\nhere.", "Next."}},
		{"stray quote joins", "It is slander without proof. ‘\n\nNext.",
			[]string{"It is slander without proof. ‘", "Next."}},
		{"markdown heading line", "## Background\nThe war began. It went on.",
			[]string{"## Background", "The war began.", "It went on."}},
		{"hash not a heading", "#1 seed won. Fans cheered.",
			[]string{"#1 seed won.", "Fans cheered."}},
		{"question then quote", "Why? “Because.” Fine.",
			[]string{"Why?", "“Because.”", "Fine."}},
		{"surrounding whitespace", "  \n  First one.   Second one.  \n\n  ",
			[]string{"First one.", "Second one."}},
		{"empty", " \n\t ", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := sentenceTexts(tc.in)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Sentences(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}
