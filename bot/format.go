package bot

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
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
	return "> " + inert(truncate(oneLine(q), maxQuestionLine))
}

// splitQuestion undoes questionLine: the question and the answer text of a
// bot message; ok is false for messages that are not answers.
// Sources shown as text after the answer (inlineEmbeds, where the bot may
// not embed) are not part of it. The answer text is inert, so the
// heading's "**" can only be the bot's own.
func splitQuestion(content string) (q, answer string, ok bool) {
	first, rest, _ := strings.Cut(content, "\n")
	q, ok = strings.CutPrefix(first, "> ")
	rest, _, _ = strings.Cut(rest, "\n\n**"+sourcesTitle+"**")
	return unescapeMarkdown(q), unescapeMarkdown(strings.TrimSpace(rest)), ok && q != ""
}

// maxAnswerMessages is how many messages an answer's text may fill (its
// sources may need more).
const maxAnswerMessages = 2

// renderAnswer turns an answer into messages within Discord's limits: the
// text, inert (see inert) and cut at a sentence to fit at most two
// messages, the sources embeds after it, and the vote buttons under the
// last message. The question line and the note are the bot's own
// formatting around text that is not.
func renderAnswer(question string, a rag.Answer) []outMsg {
	body := strings.TrimSpace(a.Text)
	if body == "" {
		body = "I found nothing in the briefings about that."
	}
	tail := ""
	if a.Note != "" {
		tail = "\n\n*" + inert(oneLine(a.Note)) + "*"
	}
	head := questionLine(question) + "\n"
	shown, cut := fitAnswer(body, func(text string) bool {
		return len(splitText(head+text+tail, maxContent)) <= maxAnswerMessages
	})
	cites := a.Citations
	if cut {
		cites = citedIn(shown, cites)
	}
	var msgs []outMsg
	for _, part := range splitText(head+shown+tail, maxContent) {
		msgs = append(msgs, outMsg{content: part})
	}
	msgs = attachEmbeds(msgs, sourceEmbeds(cites))
	last := &msgs[len(msgs)-1]
	last.components = voteButtons()
	return msgs
}

// fitAnswer renders body inert, cut after the longest run of whole
// sentences for which fits holds (marked with "…"); cut reports whether
// anything was left out.
func fitAnswer(body string, fits func(string) bool) (string, bool) {
	if whole := inertAnswer(body); fits(whole) {
		return whole, false
	}
	ends := sentenceEnds(body)
	lo, hi := 0, len(ends) // ends[:lo] fit; ends[hi:] do not
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fits(inertAnswer(body[:ends[mid-1]]) + " …") {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		return "…", true
	}
	return inertAnswer(body[:ends[lo-1]]) + " …", true
}

// sentenceEnds are the byte offsets where body may be cut: after a
// sentence's final punctuation (and any [n] markers) before white space,
// never inside a quote as shown (“…”).
func sentenceEnds(body string) []int {
	var ends []int
	depth := 0
	for i, r := range body {
		switch r {
		case '“':
			depth++
		case '”':
			depth = max(depth-1, 0)
		case ' ', '\n':
			prev := strings.TrimRight(body[:i], " ")
			if depth == 0 && (strings.HasSuffix(prev, ".") || strings.HasSuffix(prev, "!") || strings.HasSuffix(prev, "?") ||
				strings.HasSuffix(prev, "]") || r == '\n') && len(prev) == i {
				ends = append(ends, i)
			}
		}
	}
	return ends
}

// citedIn keeps the citations whose [n] marker is still in text.
func citedIn(text string, cs []rag.Citation) []rag.Citation {
	var out []rag.Citation
	for _, c := range cs {
		if strings.Contains(text, "["+strconv.Itoa(c.N)+"]") {
			out = append(out, c)
		}
	}
	return out
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

// sourcesTitle heads an answer's list of sources.
const sourcesTitle = "Sources"

// sourceEmbeds lists the cited articles, each once with the numbers that
// cite it, in embeds whose descriptions stay within Discord's limit.
func sourceEmbeds(cs []rag.Citation) []*discordgo.MessageEmbed {
	var out []*discordgo.MessageEmbed
	var b strings.Builder
	flush := func() {
		if b.Len() == 0 {
			return
		}
		title := sourcesTitle
		if len(out) > 0 {
			title = sourcesTitle + " (continued)"
		}
		out = append(out, &discordgo.MessageEmbed{Title: title, Description: strings.TrimSpace(b.String()), Color: 0x5865F2})
		b.Reset()
	}
	size := 0
	for _, g := range byArticle(cs) {
		lines := sourceEntry(g)
		for i, line := range lines {
			line = truncate(line, maxDescription-10) + "\n"
			if i == len(lines)-1 {
				line += "\n"
			}
			if n := utf8.RuneCountInString(line); size+n > maxDescription {
				flush()
				size = 0
			}
			b.WriteString(line)
			size += utf8.RuneCountInString(line)
		}
	}
	flush()
	return out
}

// byArticle groups citations by article, in order of first citation.
func byArticle(cs []rag.Citation) [][]rag.Citation {
	var groups [][]rag.Citation
	at := map[string]int{}
	for _, c := range cs {
		key := c.ArticleID
		if key == "" { // no ID to go by: keep it apart
			key = "\x00" + strconv.Itoa(c.N)
		}
		i, ok := at[key]
		if !ok {
			i = len(groups)
			at[key] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], c)
	}
	return groups
}

// maxLink is the longest source link shown; a longer one is left out
// rather than cut, which would break it.
const maxLink = 600

// sourceEntry is one cited article, as lines: the numbers citing it, its
// title, publisher and date, the link to the quoted passage shown as the
// URL it is (never a masked link: the text of a link can lie about where
// it goes), then each verified quote (its pieces
// joined by "…" where the quote skips words), numbered when the article
// is cited more than once.
func sourceEntry(g []rag.Citation) []string {
	c := g[0]
	title := inert(truncate(oneLine(c.Title), 200))
	if title == "" {
		title = "Untitled"
	}
	title = "**" + title + "**"
	nums := ""
	for _, gc := range g {
		nums += fmt.Sprintf("[%d]", gc.N)
	}
	parts := []string{"**" + nums + "** " + title}
	if c.Source != "" {
		parts = append(parts, inert(truncate(oneLine(c.Source), 80)))
	}
	parts = append(parts, formatDate(c.Published, c.DateGuessed))
	lines := []string{strings.Join(parts, " · ")}
	if link := passageLink(c.URL, c.Quote); link != "" && len(link) <= maxLink {
		lines = append(lines, "<"+link+">")
	}
	for _, gc := range g {
		if strings.TrimSpace(gc.Quote) == "" {
			continue
		}
		line := "> "
		if len(g) > 1 {
			line += fmt.Sprintf("**[%d]** ", gc.N)
		}
		lines = append(lines, line+inert(truncate(oneLine(shownQuote(gc)), maxQuoteInEmbed)))
	}
	return lines
}

// shownQuote is a citation's quote as stored, its pieces joined by "…"
// where a spliced quote skips words.
func shownQuote(c rag.Citation) string {
	if len(c.Spans) < 2 {
		return c.Quote
	}
	var pieces []string
	for _, sp := range c.Spans {
		s, e := sp.Start-c.Start, sp.End-c.Start
		if s < 0 || e > len(c.Quote) || s > e {
			return c.Quote
		}
		pieces = append(pieces, c.Quote[s:e])
	}
	return strings.Join(pieces, " … ")
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
// "" for sources without an http(s) URL. The link is written to sit
// between < and >: no space, parenthesis or > in it.
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

// escapeLinkTarget keeps a URL from ending a <link> early.
func escapeLinkTarget(s string) string {
	return strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E").Replace(s)
}

var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, `*`, `\*`, `_`, `\_`, `~`, `\~`, "`", "\\`", `|`, `\|`, `[`, `\[`, `]`, `\]`, `>`, `\>`, `#`, `\#`, `<`, `\<`,
)

// urlRE finds URLs in untrusted text. They end before white space, angle
// brackets, square or round brackets, quotes and Markdown syntax, so that
// "[a](b)" yields two URLs, not one.
var urlRE = regexp.MustCompile("(?i)[a-z][a-z0-9+.-]*://[^\\s<>\\[\\]()\"'`|*]+")

// linkStart is where Discord starts a link in a URL found by urlRE: at
// its "http" even when letters, digits or "_" are glued before it
// ("1https://…", "_https://…"), which Discord links (with a preview)
// all the same.
func linkStart(u string) int {
	scheme := strings.ToLower(u[:strings.Index(u, "://")])
	for _, s := range []string{"https", "http"} {
		if strings.HasSuffix(scheme, s) {
			return len(scheme) - len(s)
		}
	}
	return 0
}

// inert makes text from articles, users or the model show literally in
// Discord: every Markdown character is escaped, so it can make no heading
// (# or -#), block quote, spoiler, code block, emphasis or masked link,
// and no mention or timestamp tag; a URL is shown whole as <url>, which
// Discord links without an embed preview. The bot's own formatting is
// added around inert text, never inside it.
func inert(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range urlRE.FindAllStringIndex(s, -1) {
		m[0] += linkStart(s[m[0]:m[1]])
		u := strings.TrimRight(s[m[0]:m[1]], ".,;:!?")
		b.WriteString(markdownEscaper.Replace(s[last:m[0]]))
		b.WriteString("<" + u + ">")
		last = m[0] + len(u)
	}
	b.WriteString(markdownEscaper.Replace(s[last:]))
	return b.String()
}

// escapeMarkdown is inert, under the name older callers use.
func escapeMarkdown(s string) string { return inert(s) }

// escapedMarker is a citation marker [n] as inert writes it.
var escapedMarker = regexp.MustCompile(`\\\[(\d{1,4})\\\]`)

// inertAnswer is inert for an answer's text, with its [n] markers (which
// rag wrote) left plain, except before "(" where they could start a link.
func inertAnswer(s string) string {
	t := inert(s)
	var b strings.Builder
	last := 0
	for _, m := range escapedMarker.FindAllStringSubmatchIndex(t, -1) {
		if m[1] < len(t) && t[m[1]] == '(' {
			continue
		}
		b.WriteString(t[last:m[0]] + "[" + t[m[2]:m[3]] + "]")
		last = m[1]
	}
	return b.String() + t[last:]
}

// unescapeMarkdown undoes inert's escapes, for text read back from the
// bot's own messages (votes, thread history).
func unescapeMarkdown(s string) string { return markdownUnescape.ReplaceAllString(s, "$1") }

var markdownUnescape = regexp.MustCompile("\\\\([\\\\*_~`|\\[\\]>#<])")

// codeID shows an ID in inline code: backticks and line breaks, which
// would end the code span, become ' and spaces.
func codeID(id string) string {
	return "`" + strings.ReplaceAll(truncate(oneLine(id), 100), "`", "'") + "`"
}

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
