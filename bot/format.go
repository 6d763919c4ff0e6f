package bot

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/briefbot/briefbot/rag"
	"github.com/bwmarrin/discordgo"
)

// Discord's limits, counted in characters.
const (
	maxContent      = 2000
	maxDescription  = 4096
	maxEmbedsTotal  = 6000
	maxEmbeds       = 10
	maxQuestionLine = 300
	maxQuoteInEmbed = 240
	maxChoiceName   = 100
)

// Custom IDs of the vote buttons.
const (
	voteUp   = "vote:up"
	voteDown = "vote:down"
)

// questionLine is the first line of every answer: the question, quoted. It
// tells readers what /ask was asked (Discord doesn't show the options) and
// lets thread follow-ups and votes recover the question from the message.
func questionLine(q string) string {
	return "> " + truncate(oneLine(q), maxQuestionLine)
}

// splitQuestion undoes questionLine: the question and the answer text of a
// bot message; ok is false for messages that are not answers.
func splitQuestion(content string) (q, answer string, ok bool) {
	first, rest, _ := strings.Cut(content, "\n")
	q, ok = strings.CutPrefix(first, "> ")
	return q, strings.TrimSpace(rest), ok && q != ""
}

// renderAnswer turns an answer into messages within Discord's limits: the
// text in as many messages as it needs, the sources embeds after it, and the
// vote buttons under the last message.
func renderAnswer(question string, a rag.Answer) []outMsg {
	body := strings.TrimSpace(a.Text)
	if body == "" {
		body = "I found nothing in the briefings about that."
	}
	if a.Note != "" {
		body += "\n\n*" + oneLine(a.Note) + "*"
	}
	var msgs []outMsg
	for _, part := range splitText(questionLine(question)+"\n"+body, maxContent) {
		msgs = append(msgs, outMsg{content: part})
	}
	msgs = attachEmbeds(msgs, sourceEmbeds(a.Citations))
	last := &msgs[len(msgs)-1]
	last.components = voteButtons()
	return msgs
}

// writingStatus is what an answer's message shows while the model
// writes: none of the model's text, which is shown only once checked.
const writingStatus = "*✍️ Writing the answer… every quote is checked against the briefings before it is shown.*"

// writingText is the message shown while an answer is being written.
func writingText(question string) string { return questionLine(question) + "\n" + writingStatus }

func voteButtons() []discordgo.MessageComponent {
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Style: discordgo.SecondaryButton, CustomID: voteUp, Emoji: &discordgo.ComponentEmoji{Name: "👍"}},
		discordgo.Button{Style: discordgo.SecondaryButton, CustomID: voteDown, Emoji: &discordgo.ComponentEmoji{Name: "👎"}},
	}}}
}

// attachEmbeds puts embeds on the last message while Discord's per-message
// limits allow, and on new messages after it when they don't.
func attachEmbeds(msgs []outMsg, embeds []*discordgo.MessageEmbed) []outMsg {
	for _, e := range embeds {
		last := &msgs[len(msgs)-1]
		if len(last.embeds) >= maxEmbeds || embedsSize(last.embeds)+embedSize(e) > maxEmbedsTotal {
			msgs = append(msgs, outMsg{})
			last = &msgs[len(msgs)-1]
		}
		last.embeds = append(last.embeds, e)
	}
	return msgs
}

func embedSize(e *discordgo.MessageEmbed) int {
	n := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
	if e.Footer != nil {
		n += utf8.RuneCountInString(e.Footer.Text)
	}
	for _, f := range e.Fields {
		n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
	}
	return n
}

func embedsSize(es []*discordgo.MessageEmbed) int {
	n := 0
	for _, e := range es {
		n += embedSize(e)
	}
	return n
}

// sourceEmbeds lists the citations, one entry each, in embeds whose
// descriptions stay within Discord's limit.
func sourceEmbeds(cs []rag.Citation) []*discordgo.MessageEmbed {
	var out []*discordgo.MessageEmbed
	var b strings.Builder
	flush := func() {
		if b.Len() == 0 {
			return
		}
		title := "Sources"
		if len(out) > 0 {
			title = "Sources (continued)"
		}
		out = append(out, &discordgo.MessageEmbed{Title: title, Description: strings.TrimSpace(b.String()), Color: 0x5865F2})
		b.Reset()
	}
	for _, c := range cs {
		entry := truncate(sourceEntry(c), maxDescription-10) + "\n\n"
		if utf8.RuneCountInString(b.String())+utf8.RuneCountInString(entry) > maxDescription {
			flush()
		}
		b.WriteString(entry)
	}
	flush()
	return out
}

// sourceEntry is one citation: number, linked title, publisher, date, and
// the start of the quoted passage.
func sourceEntry(c rag.Citation) string {
	title := escapeMarkdown(truncate(oneLine(c.Title), 200))
	if title == "" {
		title = "Untitled"
	}
	if link := passageLink(c.URL, c.Quote); link != "" {
		title = "[" + title + "](" + link + ")"
	} else {
		title = "**" + title + "**"
	}
	parts := []string{fmt.Sprintf("**[%d]** %s", c.N, title)}
	if c.Source != "" {
		parts = append(parts, escapeMarkdown(truncate(oneLine(c.Source), 80)))
	}
	parts = append(parts, formatDate(c.Published, c.DateGuessed))
	entry := strings.Join(parts, " · ")
	if q := strings.TrimSpace(c.Quote); q != "" {
		entry += "\n> " + escapeMarkdown(truncate(oneLine(q), maxQuoteInEmbed))
	}
	return entry
}

func formatDate(t time.Time, guessed bool) string {
	switch {
	case t.IsZero():
		return "date unknown"
	case guessed:
		return "added " + t.Format("2 Jan 2006")
	}
	return t.Format("2 Jan 2006")
}

// passageLink links to the exact passage with a text fragment
// (#:~:text=start,end), which browsers scroll to and highlight. It returns
// "" for sources without an http(s) URL.
func passageLink(raw, quote string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.Fragment, u.RawFragment = "", ""
	link := u.String()
	words := strings.Fields(quote)
	if len(words) == 0 {
		return escapeLinkTarget(link)
	}
	const span = 5
	frag := fragmentEscape(strings.Join(words[:min(span, len(words))], " "))
	if len(words) > 2*span {
		frag += "," + fragmentEscape(strings.Join(words[len(words)-span:], " "))
	}
	return escapeLinkTarget(link + "#:~:text=" + frag)
}

// fragmentEscape percent-encodes text for a text fragment, where '-', ','
// and '&' are syntax and must be encoded too.
func fragmentEscape(s string) string {
	e := url.PathEscape(s)
	return strings.NewReplacer("-", "%2D", ",", "%2C", "&", "%26").Replace(e)
}

// escapeLinkTarget keeps a URL from ending a markdown link early.
func escapeLinkTarget(s string) string {
	return strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(s)
}

var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, `*`, `\*`, `_`, `\_`, `~`, `\~`, "`", "\\`", `|`, `\|`, `[`, `\[`, `]`, `\]`, `>`, `\>`, `#`, `\#`,
)

// escapeMarkdown shows article text literally instead of as formatting.
func escapeMarkdown(s string) string { return markdownEscaper.Replace(s) }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// truncate cuts s to at most n characters, marking the cut with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:max(n-1, 0)]), " ") + "…"
}

// splitText splits s into parts of at most n characters, preferring
// paragraph, then line, then sentence, then word boundaries.
func splitText(s string, n int) []string {
	var parts []string
	for utf8.RuneCountInString(s) > n {
		r := []rune(s)
		window := string(r[:n])
		cut := -1
		for _, sep := range []string{"\n\n", "\n", ". ", " "} {
			if i := strings.LastIndex(window, sep); i > len(window)/2 {
				cut = i + len(sep)
				break
			}
		}
		if cut < 0 {
			cut = len(window)
		}
		parts = append(parts, strings.TrimRight(s[:cut], " \n"))
		s = strings.TrimLeft(s[cut:], " \n")
	}
	if strings.TrimSpace(s) != "" || len(parts) == 0 {
		parts = append(parts, s)
	}
	return parts
}

// plural writes a count with its noun: "1 passage", "3 passages".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
