package rag

import (
	_ "embed"
	"regexp"
	"strings"
	"text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	openai "github.com/sashabaranov/go-openai"
)

// defaultPassageBudget is the default number of tokens of passages put in
// a prompt: about five passages of 200 words, leaving a small model's
// context room for the instructions, the history and the answer.
const defaultPassageBudget = 3000

// History sent with a follow-up question: the last few turns, each answer
// clipped, so a long thread cannot crowd out the passages.
const (
	historyTurns      = 3
	historyAnswerSize = 800
)

//go:embed prompt.tmpl
var promptText string

// promptTmpl is parsed once; a broken template fails every test at once.
var promptTmpl = template.Must(template.New("prompt").Parse(promptText))

// tagLike matches, in a skeleton of the text (see neutralize), anything
// a model could read as our passage delimiters.
var tagLike = regexp.MustCompile(`<[\s\p{Z}]*\\?/?[\s\p{Z}]*passage`)

// lookAlikes folds the Cyrillic and Greek letters that look like those of
// "passage" (NFKC leaves them apart), so that "</pаssage>" with a Cyrillic
// а is caught too.
var lookAlikes = strings.NewReplacer("р", "p", "ρ", "p", "а", "a", "α", "a", "ɑ", "a", "ѕ", "s", "е", "e", "ε", "e", "ɡ", "g", "ԍ", "g")

// citeMarker matches [n] markers, stripped from earlier answers whose
// numbering referred to other passages.
var citeMarker = regexp.MustCompile(`\s*\[\d+(?:\s*,\s*\d+)*\]`)

type promptData struct {
	NotCovered, Today, Question string
	Passages                    []promptPassage
}

type promptPassage struct {
	N                          int
	Title, Date, Added, Source string
	Text                       string
}

// buildPrompt renders the chat messages for q: the system rules, earlier
// turns of the conversation, then the passages and the question. Passages
// go in rank order while they fit budgetTokens (<= 0 means
// defaultPassageBudget); the first always goes in. used are the hits in
// the prompt, numbered from 1 as the model sees them: pass them to
// checkCitations.
func buildPrompt(q Question, hits []Hit, budgetTokens int) (msgs []openai.ChatCompletionMessage, used []Hit) {
	if budgetTokens <= 0 {
		budgetTokens = defaultPassageBudget
	}
	asked := q.Asked
	if asked.IsZero() {
		asked = time.Now()
	}
	data := promptData{
		NotCovered: notCoveredSentence,
		Today:      asked.Format(time.DateOnly),
		Question:   neutralize(strings.TrimSpace(q.Text)),
	}
	spent := 0
	for _, h := range hits {
		if h.Article == nil {
			continue
		}
		p := passageView(len(used)+1, h)
		cost := estimateTokens(p.Text) + estimateTokens(p.Title+p.Source) + 20
		if len(used) > 0 && spent+cost > budgetTokens {
			break
		}
		spent += cost
		used = append(used, h)
		data.Passages = append(data.Passages, p)
	}
	msgs = append(msgs, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleSystem, Content: render("system", data)})
	msgs = append(msgs, historyMessages(q.History)...)
	msgs = append(msgs, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: render("user", data)})
	return msgs, used
}

func render(name string, data promptData) string {
	var b strings.Builder
	// The template is constant and covered by the golden test; executing
	// it over plain strings into a strings.Builder cannot fail.
	_ = promptTmpl.ExecuteTemplate(&b, name, data)
	return b.String()
}

// passageView prepares a hit for the prompt: attributes escaped, tag
// look-alikes in the text neutralised so a passage cannot close its own
// delimiter and pose as instructions.
func passageView(n int, h Hit) promptPassage {
	a := h.Article
	p := promptPassage{N: n, Title: attr(a.Title), Source: attr(a.Source), Date: "undated", Text: neutralize(h.Passage.Text)}
	switch {
	case a.Published.IsZero():
	case a.DateGuessed:
		p.Added = a.Published.Format(time.DateOnly)
	default:
		p.Date = a.Published.Format(time.DateOnly)
	}
	if p.Source == "" {
		p.Source = "unknown"
	}
	return p
}

func historyMessages(turns []Turn) []openai.ChatCompletionMessage {
	turns = turns[max(0, len(turns)-historyTurns):]
	var msgs []openai.ChatCompletionMessage
	for _, t := range turns {
		ans := citeMarker.ReplaceAllString(t.Answer, "")
		if len(ans) > historyAnswerSize {
			ans = cut(ans, historyAnswerSize) + " …"
		}
		msgs = append(msgs,
			openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: neutralize(t.Question)},
			openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: neutralize(ans)},
		)
	}
	return msgs
}

// neutralize turns the "<" of every "<passage" and "</passage" into a
// single angle quote ‹, which the model cannot mistake for our delimiters.
// Tags are looked for in a skeleton of s: each character NFKC-normalised
// (full-width ＜／ｐａｓｓａｇｅ and small-form ﹤ become ASCII), lower-cased and
// with Cyrillic and Greek look-alike letters folded (see lookAlikes), and "<\/"
// (a JSON-escaped slash) read as "</",
// with format characters (zero-width spaces and joiners, soft hyphens, BOM,
// bidi controls) and combining marks left out, since a model reads
// straight through them.
func neutralize(s string) string {
	var sk strings.Builder
	var from []int // source offset of each skeleton byte
	for i, r := range s {
		if unicode.In(r, unicode.Cf, unicode.Mn, unicode.Me) {
			continue
		}
		n := lookAlikes.Replace(strings.ToLower(norm.NFKC.String(string(r))))
		sk.WriteString(n)
		for range len(n) {
			from = append(from, i)
		}
	}
	locs := tagLike.FindAllStringIndex(sk.String(), -1)
	if len(locs) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, l := range locs {
		at := from[l[0]]
		_, w := utf8.DecodeRuneInString(s[at:])
		b.WriteString(s[last:at] + "‹")
		last = at + w
	}
	return b.String() + s[last:]
}

// attr makes s safe inside a double-quoted attribute on one line.
func attr(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.NewReplacer(`"`, "&quot;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// estimateTokens is the usual ~4 bytes per token of English; non-ASCII
// text is over-estimated, which keeps the prompt safely small.
func estimateTokens(s string) int { return (len(s) + 3) / 4 }
