package rag

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/corpus"
)

// TestAnswerTypeFirst: for how many / when / who / where questions, the
// first quote is a sentence on the topic that holds a number, a date, a
// person or a place the question does not already name.
func TestAnswerTypeFirst(t *testing.T) {
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	tests := []struct {
		question, wantFirst string
	}{
		{"How many Chinese hackers were indicted?", "indictment of four Chinese hackers"},
		{"Who said China has irresponsible behaviour in cyberspace?", "Antony Blinken"},
		{"Where is the Chinese embassy that called the accusations unfounded?", "New Zealand"},
	}
	for _, tc := range tests {
		t.Run(tc.question, func(t *testing.T) {
			ans, err := e.Answer(context.Background(), Question{Text: tc.question})
			if err != nil {
				t.Fatal(err)
			}
			if len(ans.Citations) == 0 || !strings.Contains(ans.Citations[0].Quote, tc.wantFirst) {
				t.Errorf("first quote of %q, want one with %q", ans.Text, tc.wantFirst)
			}
		})
	}
}

func TestTypeOf(t *testing.T) {
	tests := []struct {
		q    string
		want answerType
	}{
		{"How many Chinese hackers were indicted?", numberAnswer},
		{"How much did the bidder pay?", numberAnswer},
		{"When did the strike end?", dateAnswer},
		{"In what year was the law passed?", dateAnswer},
		{"What is the release date of the game?", dateAnswer},
		{"What's the premiere date for season 11?", dateAnswer},
		{"Who succeeded the queen?", personAnswer},
		{"Where is the newly reopened monument?", placeAnswer},
		{"Which country recently declared an internal armed conflict?", placeAnswer},
		{"What did NATO say about China?", anyAnswer},
	}
	for _, tc := range tests {
		if got := typeOf(tc.q); got != tc.want {
			t.Errorf("typeOf(%q) = %d, want %d", tc.q, got, tc.want)
		}
	}
}

func TestTypeNouns(t *testing.T) {
	tests := []struct {
		q    string
		want string // the words, sorted, space-separated
	}{
		{"Which country saw the worst floods?", "country"},
		{"Which US state is under flood alerts?", "state"},
		{"Which type of event placed millions under alerts?", "type"},
		{"How many people were evacuated?", "many"},
		{"Starbucks debuted a latte that tastes like which of the following?", "following"},
		{"What is the name of the storm?", "name"},
		{"What is the release date of the game?", "date"},
		{"Which hacker groups did the EU denounce?", ""}, // the topic, not a kind of answer
		{"What did NATO say about the following week's summit?", ""},
	}
	for _, tc := range tests {
		var got []string
		for w := range typeNouns(tc.q) {
			got = append(got, w)
		}
		sort.Strings(got)
		if strings.Join(got, " ") != tc.want {
			t.Errorf("typeNouns(%q) = %q, want %q", tc.q, got, tc.want)
		}
	}
}

// TestTypeNounsDoNotCount: "which country" asks for a country's name; the
// sentence that answers is as good as it is for "where".
func TestTypeNounsDoNotCount(t *testing.T) {
	ctx := context.Background()
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	mustAdd(t, e, corpus.Article{ID: "floods", Title: "Monsoon", Body: "Floods forced thousands from their homes in Pakistan on Monday."})
	where, err := e.Answer(ctx, Question{Text: "Where did floods force thousands from their homes?"})
	if err != nil {
		t.Fatal(err)
	}
	which, err := e.Answer(ctx, Question{Text: "Which country did floods force thousands from their homes in?"})
	if err != nil {
		t.Fatal(err)
	}
	if which.Refused || which.Text != where.Text || which.Confidence < where.Confidence {
		t.Errorf("which country: %q (%.2f), want the answer to where: %q (%.2f)", which.Text, which.Confidence, where.Text, where.Confidence)
	}
}

// TestNeighbourHoldsTheAnswer: the sentence matching the question's words
// names no person, the one before it does: both are quoted for "who", in
// the article's order; a question asking for no kind of answer gets only
// the matching sentence (which does not refer back: see
// TestAntecedentNamesTheSubject for one that does).
func TestNeighbourHoldsTheAnswer(t *testing.T) {
	ctx := context.Background()
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	mustAdd(t, e, corpus.Article{ID: "pick", Title: "Ticket", Body: "Harris chose Tim Walz as her running mate on Tuesday. " +
		"After weeks of vetting of candidates for the vice presidential slot, the pick was made public."})
	who, err := e.Answer(ctx, Question{Text: "Who was the pick after weeks of vetting for the vice presidential slot?"})
	if err != nil {
		t.Fatal(err)
	}
	if len(who.Citations) != 2 || !strings.Contains(who.Citations[0].Quote, "Tim Walz") || !strings.Contains(who.Citations[1].Quote, "weeks of vetting") {
		t.Errorf("who: %q, want the sentence naming Tim Walz, then the one matching the question", who.Text)
	}
	what, err := e.Answer(ctx, Question{Text: "What happened after weeks of vetting for the vice presidential slot?"})
	if err != nil {
		t.Fatal(err)
	}
	if len(what.Citations) != 1 {
		t.Errorf("what: %q, want only the matching sentence", what.Text)
	}
}

// TestAskingSentenceFirst: when a question sets the scene before it asks,
// the first quote answers what is asked, not the scene.
func TestAskingSentenceFirst(t *testing.T) {
	ctx := context.Background()
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	mustAdd(t, e, corpus.Article{ID: "docks", Title: "Harbour news", Body: "Dockers walked out in Rotterdam on Monday morning. " +
		"Mediators ended the strike in Rotterdam on Friday evening."})
	ans, err := e.Answer(ctx, Question{Text: "Dockers walked out in Rotterdam. What ended the strike?"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Citations) == 0 || !strings.Contains(ans.Citations[0].Quote, "Mediators") {
		t.Errorf("first quote of %q, want the sentence on the strike's end", ans.Text)
	}
	if got := askingSentence("Who won?"); got != "" {
		t.Errorf("askingSentence of a one-sentence question = %q, want none", got)
	}
}

// TestAnswerFromFurtherPassage: the three best passages repeat the
// question's words without a date; the fourth dates the release. "When"
// gets that sentence as its second quote; a question asking for no kind of
// answer does not.
func TestAnswerFromFurtherPassage(t *testing.T) {
	ctx := context.Background()
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	arts := []corpus.Article{
		{ID: "shop", Title: "Shop Super Mario Odyssey", Body: "Buy Super Mario Odyssey for Nintendo Switch at our shop with free delivery."},
		{ID: "trademark", Title: "Super Mario Odyssey listing", Body: "Super Mario Odyssey and Nintendo Switch are trademarks of Nintendo of America."},
		{ID: "forum", Title: "Super Mario Odyssey forum", Body: "Fans of Super Mario Odyssey on Nintendo Switch share their favourite kingdoms here."},
		{ID: "wiki", Title: "A platform game", Body: "The game Super Mario Odyssey was released on October 27, 2017 to wide acclaim."},
	}
	mustAdd(t, e, arts...)
	when, err := e.Answer(ctx, Question{Text: "When was Super Mario Odyssey for Nintendo Switch released?"})
	if err != nil {
		t.Fatal(err)
	}
	if rank := slices.IndexFunc(when.Passages, func(h Hit) bool { return h.Article.ID == "wiki" }); rank < fromPassages {
		t.Fatalf("the dated passage ranks %d, want it below the top %d for this test to mean anything", rank+1, fromPassages)
	}
	if len(when.Citations) < 2 || when.Citations[1].ArticleID != "wiki" || !strings.Contains(when.Citations[1].Quote, "October 27, 2017") {
		t.Errorf("when: %q, want the dated sentence as the second quote", when.Text)
	}
	what, err := e.Answer(ctx, Question{Text: "What about Super Mario Odyssey for Nintendo Switch?"})
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(what.Citations, func(c Citation) bool { return c.ArticleID == "wiki" }) {
		t.Errorf("what: %q, want no quote from the fourth passage", what.Text)
	}
}

// TestFragmentsAreOneQuote: a listing states its facts in fragments; a run
// of them is quoted as one unit, and never a question or a full sentence
// with them.
func TestFragmentsAreOneQuote(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"2010 FIFA World Cup South Africa. Back to FIFA+ · Match Centre · Teams. Netherlands. Runner-up. 11. Goals. 24. Yellow Cards.",
			[]string{"2010 FIFA World Cup South Africa.", "Back to FIFA+ · Match Centre · Teams.", "Netherlands. Runner-up. 11. Goals. 24. Yellow Cards."}},
		{"Dockers walked out on Monday. Who called it? Nobody knows. The strike ended on Friday evening.",
			[]string{"Dockers walked out on Monday.", "Who called it?", "Nobody knows.", "The strike ended on Friday evening."}},
		{"One. Two.\n\nThree. Four.", []string{"One. Two.", "Three. Four."}}, // not across paragraphs
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			var got []string
			for _, rg := range quoteUnits(tc.text) {
				got = append(got, tc.text[rg[0]:rg[1]])
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("quoteUnits = %q, want %q", got, tc.want)
			}
		})
	}
	ctx := context.Background()
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	arts := []corpus.Article{{ID: "fifa", Title: "Match centre", Body: tests[0].text}}
	for i, body := range []string{"Spain won the 2010 World Cup final in Johannesburg.", "Tickets for the 2010 World Cup sold out in May.",
		"The 2010 World Cup was the first held in Africa.", "Shakira sang the song of the 2010 World Cup."} {
		arts = append(arts, corpus.Article{ID: fmt.Sprint("cup-", i), Title: "World Cup", Body: body})
	}
	mustAdd(t, e, arts...)
	ans, err := e.Answer(ctx, Question{Text: "Who was the runner-up of the 2010 World Cup?"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Refused || !strings.Contains(ans.Text, "Netherlands. Runner-up.") {
		t.Errorf("%q, want the fragments naming the runner-up quoted", ans.Text)
	}
}

// TestShortClauseIsQuoted: a sentence of three or four words that reads as
// a sentence is quotable; fragments of that length (captions, listings)
// are not.
func TestShortClauseIsQuoted(t *testing.T) {
	clauses := map[string]bool{
		"Lisa Cook dissented.": true, "The bill passed.": true, "It worked!": false, "Prices rose sharply again.": true,
		"Runner-up.": false, "Getty Images via Reuters.": false, "11 Goals.": false, "Updated 5 minutes ago": false,
		"Who dissented then?": false, "Read more here.": false,
	}
	for s, want := range clauses {
		if got := informative(s); got != want {
			t.Errorf("informative(%q) = %v, want %v", s, got, want)
		}
	}
	ctx := context.Background()
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	mustAdd(t, e, corpus.Article{ID: "fed", Title: "Rate decision",
		Body: "Powell said inflation was still too high for a cut. Lisa Cook dissented. The decision was announced at noon."})
	ans, err := e.Answer(ctx, Question{Text: "Who dissented?"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Refused || ans.Citations[0].Quote != "Lisa Cook dissented." {
		t.Errorf("%q, want “Lisa Cook dissented.” first", ans.Text)
	}
}

// TestBylinesAreNotQuoted: a byline or caption on its own line is not
// quoted as the start of the sentence under it, and is no article's
// opening; text wrapped at a narrow width stays whole.
func TestBylinesAreNotQuoted(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"By Jane Smith, Reuters\nThe Federal Reserve left rates unchanged on Wednesday.",
			[]string{"By Jane Smith, Reuters", "The Federal Reserve left rates unchanged on Wednesday."}},
		{"Photo: Chip Somodevilla/Getty Images\nMarkets fell after the decision.",
			[]string{"Photo: Chip Somodevilla/Getty Images", "Markets fell after the decision."}},
		{"The central bank said on Tuesday that\nPresident Lagarde would speak next week.",
			[]string{"The central bank said on Tuesday that\nPresident Lagarde would speak next week."}},
		{"Rates were held by the governing council\nafter a long meeting in Frankfurt.",
			[]string{"Rates were held by the governing council\nafter a long meeting in Frankfurt."}},
	}
	for _, tc := range tests {
		var got []string
		for _, rg := range quoteUnits(tc.text) {
			got = append(got, tc.text[rg[0]:rg[1]])
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("quoteUnits(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
	ctx := context.Background()
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(0))
	mustAdd(t, e, corpus.Article{ID: "fed", Title: "Fed holds", Published: day("2026-03-11"),
		Body: "Share this article.\n\nBy Jane Smith, Reuters\nThe Federal Reserve left rates unchanged on Wednesday."})
	for _, q := range []string{"What did the Federal Reserve do?", "What happened on March 11, 2026?"} {
		ans, err := e.Answer(ctx, Question{Text: q, Asked: day("2026-03-12")})
		if err != nil {
			t.Fatal(err)
		}
		if len(ans.Citations) == 0 || ans.Citations[0].Quote != "The Federal Reserve left rates unchanged on Wednesday." {
			t.Errorf("%q: %q, want the sentence alone, without the byline or \"Share this article.\"", q, ans.Text)
		}
	}
}
