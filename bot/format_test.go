package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/briefbot/briefbot/rag"
)

func TestPassageLink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, url, quote, want string
	}{
		{"short quote", "https://n.example/a", "Prices rose.", "https://n.example/a#:~:text=Prices%20rose."},
		{"long quote uses start and end", "https://n.example/a", "one two three four five six seven eight nine ten eleven",
			"https://n.example/a#:~:text=one%20two%20three%20four%20five,seven%20eight%20nine%20ten%20eleven"},
		{"syntax characters encoded", "https://n.example/a", "a-b, c&d", "https://n.example/a#:~:text=a%2Db%2C%20c%26d"},
		{"existing fragment replaced", "https://n.example/a#top", "x", "https://n.example/a#:~:text=x"},
		{"parentheses kept inside the markdown link", "https://n.example/wiki/A_(b)", "x", "https://n.example/wiki/A_%28b%29#:~:text=x"},
		{"no quote", "https://n.example/a", "", "https://n.example/a"},
		{"not http", "file:///etc/passwd", "x", ""},
		{"empty", "", "x", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := passageLink(tc.url, tc.quote); got != tc.want {
				t.Errorf("passageLink(%q, %q) = %q, want %q", tc.url, tc.quote, got, tc.want)
			}
		})
	}
}

func TestSplitText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		n    int
		want []string
	}{
		{"fits", "short", 10, []string{"short"}},
		{"paragraph", "aaaa bbbb\n\ncccc", 12, []string{"aaaa bbbb", "cccc"}},
		{"word", "aaaa bbbb cccc", 10, []string{"aaaa bbbb", "cccc"}},
		{"hard cut", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"multibyte", "ééééé", 2, []string{"éé", "éé", "é"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := splitText(tc.in, tc.n)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("splitText(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
		})
	}
}

func TestRenderAnswerStaysWithinDiscordLimits(t *testing.T) {
	t.Parallel()
	var cites []rag.Citation
	var text strings.Builder
	for n := 1; n <= 60; n++ {
		cites = append(cites, rag.Citation{N: n, ArticleID: "a" + itoa(n), Title: strings.Repeat("T", 300), URL: "https://n.example/" + strings.Repeat("p", 200),
			Quote: strings.Repeat("word ", 200), Published: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)})
		fmt.Fprintf(&text, "Ünïcode answer *text* [%d]. ", n)
	}
	text.WriteString(strings.Repeat("More answer text. ", 700))
	a := rag.Answer{Text: text.String(), Note: "LLM unavailable; extractive answer.", Citations: cites}
	msgs := renderAnswer("q?", a)
	seen, withText := 0, 0
	for i, m := range msgs {
		if n := utf8.RuneCountInString(m.content); n > maxContent {
			t.Errorf("message %d content has %d characters, limit %d", i, n, maxContent)
		}
		if m.content != "" {
			withText++
		}
		if len(m.embeds) > maxEmbeds || embedsSize(m.embeds) > maxEmbedsTotal {
			t.Errorf("message %d has %d embeds of %d characters", i, len(m.embeds), embedsSize(m.embeds))
		}
		for _, e := range m.embeds {
			if utf8.RuneCountInString(e.Description) > maxDescription {
				t.Errorf("message %d embed description has %d characters", i, utf8.RuneCountInString(e.Description))
			}
			seen += strings.Count(e.Description, "**[")
		}
	}
	if withText > maxAnswerMessages {
		t.Errorf("answer text fills %d messages, want at most %d", withText, maxAnswerMessages)
	}
	if seen != len(cites) {
		t.Errorf("sources listed = %d, want %d", seen, len(cites))
	}
	if msgs[len(msgs)-1].components == nil || msgs[0].components != nil {
		t.Error("vote buttons should be on the last message only")
	}
	var all strings.Builder
	for _, m := range msgs {
		all.WriteString(m.content)
	}
	if !strings.Contains(all.String(), "*LLM unavailable; extractive answer.*") || !strings.Contains(all.String(), `answer \*text\* [60]. `) {
		t.Error("note or the last cited sentence missing")
	}
}

func TestSplitQuestionRoundTrip(t *testing.T) {
	t.Parallel()
	q, a, ok := splitQuestion(questionLine("what\nabout  NATO?") + "\nIt met. [1]")
	if !ok || q != "what about NATO?" || a != "It met. [1]" {
		t.Errorf("got %q, %q, %v", q, a, ok)
	}
	if _, _, ok := splitQuestion("No briefings yet."); ok {
		t.Error("a non-answer parsed as an answer")
	}
}

// TestInertText: Markdown, links and tags from articles, users or the
// model show literally; URLs show whole, without embeds.
func TestInertText(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"masked link", "[https://council.gov.uk/flood-plan](https://evil.example/phish)",
			`\[<https://council.gov.uk/flood-plan>\](<https://evil.example/phish>)`},
		{"javascript link", "[click](javascript:alert(1))", `\[click\](javascript:alert(1))`},
		{"heading and subtext", "# HEADER\n-# small text", "\\# HEADER\n-\\# small text"},
		{"spoiler", "||spoiler||", `\|\|spoiler\|\|`},
		{"code fence", "```js\nx\n```", "\\`\\`\\`js\nx\n\\`\\`\\`"},
		{"block quote", "> made up", `\> made up`},
		{"mention and timestamp tags", "<@123> <t:1:R> <#9>", `\<@123\> \<t:1:R\> \<\#9\>`},
		{"URL at a sentence end", "See https://n.example/a_b?x=1.", "See <https://n.example/a_b?x=1>."},
		{"emphasis", "**bold** _it_ ~~s~~", `\*\*bold\*\* \_it\_ \~\~s\~\~`},
		// Discord links a URL glued to a word all the same, with a preview.
		{"URLs glued to a word", "_https://e.example/a 1http://e.example/b xxxxxxxxxxxxxxxxxxxxxxxxhttps://e.example/c",
			`\_<https://e.example/a> 1<http://e.example/b> xxxxxxxxxxxxxxxxxxxxxxxx<https://e.example/c>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := inert(tc.in); got != tc.want {
				t.Errorf("inert(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if got := unescapeMarkdown(inert(tc.in)); strings.ReplaceAll(strings.ReplaceAll(got, "<h", "h"), ">", "") !=
				strings.ReplaceAll(strings.ReplaceAll(tc.in, "<h", "h"), ">", "") {
				t.Errorf("unescapeMarkdown(inert(%q)) = %q", tc.in, got)
			}
		})
	}
	// Markers rag wrote stay plain, except where "(" could make a link.
	if got := inertAnswer("It “rose” [1]. Then [2](https://e.example) [3]"); got != `It “rose” [1]. Then \[2\](<https://e.example>) [3]` {
		t.Errorf("inertAnswer = %q", got)
	}
}

// TestSourcesOncePerArticleWithSplicedPieces: two citations of one article
// give one entry with both numbers; a spliced quote shows its pieces
// joined by "…", not the words it skipped.
func TestSourcesOncePerArticleWithSplicedPieces(t *testing.T) {
	t.Parallel()
	body := "Raab said the government must end its sabotage and must be held accountable."
	s1, e1 := strings.Index(body, "the government must end"), strings.Index(body, " its")
	s2 := strings.Index(body, "must be held")
	cites := []rag.Citation{
		{N: 1, ArticleID: "a", Title: "Raab *speaks*", URL: "https://n.example/a", Verified: true,
			Quote: body[s1 : len(body)-1], Start: s1, End: len(body) - 1, Spans: []rag.Span{{Start: s1, End: e1}, {Start: s2, End: len(body) - 1}}},
		{N: 2, ArticleID: "a", Title: "Raab *speaks*", URL: "https://n.example/a"},
	}
	embeds := sourceEmbeds(cites)
	if len(embeds) != 1 {
		t.Fatalf("%d embeds, want 1", len(embeds))
	}
	d := embeds[0].Description
	for _, want := range []string{"**[1][2]** **Raab \\*speaks\\***", "\n<https://n.example/a#:~:text=", "> **[1]** the government must end … must be held accountable"} {
		if !strings.Contains(d, want) {
			t.Errorf("sources %q lack %q", d, want)
		}
	}
	if strings.Count(d, "Raab") != 1 || strings.Contains(d, "its sabotage") || strings.Contains(d, "](") {
		t.Errorf("sources %q: want the article once, the skipped words left out, no masked link", d)
	}
}
