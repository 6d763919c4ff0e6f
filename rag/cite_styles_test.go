package rag

import (
	"strings"
	"testing"

	"github.com/briefbot/briefbot/corpus"
	"github.com/google/go-cmp/cmp"
)

// TestCheckCitationsSplicesAndStyles: "…" joins pieces of one sentence
// only, every quotation style is checked, and unchecked text never keeps
// a quote mark or a block-quote ">".
func TestCheckCitationsSplicesAndStyles(t *testing.T) {
	a := sampleArticle(t)
	hits := paragraphHits(t, a, samplePrefixes...)
	tests := []struct {
		name      string
		answer    string
		wantText  string
		want      []gotCite
		wantSpans [][]string // stored text of each verified citation's spans
	}{
		{
			name:      "splice within one sentence",
			answer:    `Raab said "The Chinese government must end … must be held accountable if it does not" [2].`,
			wantText:  `Raab said “The Chinese government must end … must be held accountable if it does not” [1].`,
			want:      []gotCite{{1, 1, true, "The Chinese government must end its systematic cybersabotage and must be held accountable if it does not"}},
			wantSpans: [][]string{{"The Chinese government must end", "must be held accountable if it does not"}},
		},
		{
			name:     "splice across sentences of a paragraph",
			answer:   `Biden "accused the Chinese authorities ... poses a major threat to the economy" [1].`,
			wantText: `Biden accused the Chinese authorities ... poses a major threat to the economy [1].`,
			want:     []gotCite{{1, 0, false, ""}},
		},
		{
			name:     "splice with a one-word piece",
			answer:   `Raab said "The Chinese government ... accountable" [2].`,
			wantText: `Raab said The Chinese government ... accountable [1].`,
			want:     []gotCite{{1, 1, false, ""}},
		},
		{
			name:     "splice across passages",
			answer:   `Britain said "The United States adopted a stern tone ... must be held accountable" [1].`,
			wantText: `Britain said The United States adopted a stern tone ... must be held accountable [1].`,
			want:     []gotCite{{1, 0, false, ""}},
		},
		{
			name:      "leading ellipsis is no splice",
			answer:    `NATO said "… including in cyberspace" [3].`,
			wantText:  `NATO said “including in cyberspace” [1].`,
			want:      []gotCite{{1, 2, true, "including in cyberspace"}},
			wantSpans: [][]string{{"including in cyberspace"}},
		},
		{
			name: "every quotation style, verified",
			answer: `NATO «took note» [3], »took note« [3], ‹took note› [3], ＂took note＂ [3], 「took note」 [3], ` +
				`『took note』 [3], ‚took note‘ [3], „took note“ [3], 'took note' [3], ❝took note❞ [3], ❛took note❜ [3], ` +
				`｢took note｣ [3], ﹁took note﹂ [3], ﹃took note﹄ [3], 〝took note〞 [3], ‟took note” [3], ＇took note＇ [3], ‛took note’ [3].`,
			wantText: `NATO “took note” [1], “took note” [1], “took note” [1], “took note” [1], “took note” [1], ` +
				`“took note” [1], “took note” [1], “took note” [1], “took note” [1], “took note” [1], “took note” [1], ` +
				`“took note” [1], “took note” [1], “took note” [1], “took note” [1], “took note” [1], “took note” [1], “took note” [1].`,
			want:      []gotCite{{1, 2, true, "took note"}},
			wantSpans: [][]string{{"took note"}},
		},
		{
			name: "every quotation style, made up",
			answer: `It said «The EU will impose sanctions of 10 billion euros on China» [1], ‹x1› [1], ＂b＂ [1], 「c」 [1], ` +
				`『d』 [1], ‚e‘ [1], „f“ [1], 'g h' [1] and »i« [1]; ❝j❞ [1], ❛k❜ [1], ｢l｣ [1], ﹁m﹂ [1], ﹃n﹄ [1], 〝o〞 [1], ‟p” [1], ' q r ' [1], ＇sx＇ [1], ‛tx’ [1], <<ux>> [1].`,
			wantText: `It said The EU will impose sanctions of 10 billion euros on China [1], x1 [1], b [1], c [1], d [1], e [1], f [1], g h [1] and i [1]; ` +
				`j [1], k [1], l [1], m [1], n [1], o [1], p [1],  q r  [1], sx [1], tx [1], ux [1].`,
			want: []gotCite{{1, 0, false, ""}},
		},
		{
			name:      "block quotes: checked one is shown as a quote, a made-up one loses its >",
			answer:    "Raab:\n> The Chinese government must end its systematic cybersabotage [2]\n>> China will pay 10 billion euros\n> > It \"said so\" today [1]\n\u200b> Nato \"will\" strike",
			wantText:  "Raab:\n“The Chinese government must end its systematic cybersabotage” [1]\nChina will pay 10 billion euros\nIt said so today [2]\n\u200bNato will strike",
			want:      []gotCite{{1, 1, true, "The Chinese government must end its systematic cybersabotage"}, {2, 0, false, ""}},
			wantSpans: [][]string{{"The Chinese government must end its systematic cybersabotage"}},
		},
		{
			name:     "a made-up quote nested in a made-up quote loses all marks",
			answer:   `He said "China 'will invade' today" [1] and “‘no’” [1].`,
			wantText: `He said China will invade today [1] and no [1].`,
			want:     []gotCite{{1, 0, false, ""}},
		},
		{
			name:     "apostrophes stay",
			answer:   `The members' statements and NATO’s view don't differ [3].`,
			wantText: `The members' statements and NATO’s view don't differ [1].`,
			want:     []gotCite{{1, 2, false, ""}},
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
			var spans [][]string
			for _, c := range cites {
				if c.Verified {
					var ss []string
					for _, sp := range c.Spans {
						ss = append(ss, a.Body[sp.Start:sp.End])
					}
					spans = append(spans, ss)
				}
			}
			if diff := cmp.Diff(tc.wantSpans, spans); diff != "" {
				t.Errorf("spans (-want +got):\n%s", diff)
			}
			assertShownQuotesVerified(t, text, cites)
		})
	}
}

// TestSpliceAcrossParagraphsOfOnePassage is the reported misquote: with the
// passages the chunker really makes, "The United States ... must be held
// accountable" spans paragraphs of one passage and must not verify.
func TestSpliceAcrossParagraphsOfOnePassage(t *testing.T) {
	a := sampleArticle(t)
	var hits []Hit
	for _, p := range corpus.Split(*a) {
		hits = append(hits, Hit{Passage: p, Article: a})
	}
	text, cites := checkCitations(`Britain said "The United States ... must be held accountable" [1].`, hits)
	for _, c := range cites {
		if c.Verified {
			t.Errorf("splice across paragraphs verified as %q (%d bytes) in %q", c.Quote, c.End-c.Start, text)
		}
	}
	if strings.ContainsAny(text, "\"“”") {
		t.Errorf("text %q keeps quote marks around an unverified splice", text)
	}
}

// TestSpliceNeverJoinsListItems: list items and table rows often end
// without a full stop, so the sentence splitter sees one sentence; "…"
// still may not join two items into one claim. Within one item it may.
func TestSpliceNeverJoinsListItems(t *testing.T) {
	for _, tc := range []struct {
		name, body, answer string
		verified           bool
	}{
		{"bullets", "Briefing\n\n- The minister denies all charges\n- Police say the mayor took bribes\n",
			`He said "The minister denies … the mayor took bribes" [1].`, false},
		{"numbered", "Briefing\n\n1. The minister denies all charges\n2) Police say the mayor took bribes\n",
			`He said "The minister denies … the mayor took bribes" [1].`, false},
		{"table rows", "| who | what |\n|---|---|\n| The minister denies | all charges |\n| the mayor took bribes | police |\n",
			`He said "The minister denies … the mayor took bribes" [1].`, false},
		{"within one item", "Briefing\n\n- Police say the mayor of the town took bribes\n- The minister denies all charges\n",
			`Police "say the mayor … town took bribes" [1].`, true},
		{"a wrapped line is no item", "Police say the mayor of the\ntown took bribes in 2023.\n",
			`Police "say the mayor … town took bribes" [1].`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &corpus.Article{ID: "x", Title: "t", Body: tc.body}
			hits := []Hit{{Article: a, Passage: corpus.Passage{ID: "x#0", ArticleID: "x", Start: 0, End: len(a.Body), Text: a.Body}}}
			text, cites := checkCitations(tc.answer, hits)
			if len(cites) != 1 || cites[0].Verified != tc.verified {
				t.Fatalf("%q → %q %+v, want verified=%v", tc.answer, text, cites, tc.verified)
			}
			if tc.verified != strings.Contains(text, "“") {
				t.Errorf("shown as %q", text)
			}
		})
	}
}
