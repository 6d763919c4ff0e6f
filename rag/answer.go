package rag

import (
	"time"

	"github.com/briefbot/briefbot/corpus"
)

// Mode names how an answer was produced.
const (
	ModeExtractive = "extractive"
	ModeLLM        = "llm"
)

// Question is what a user asked, with the context that shapes the answer.
type Question struct {
	Text string
	// Scopes are the article scopes the asker may see: corpus.GlobalScope
	// plus, in a Discord server, that server's ID. Empty means global only.
	Scopes []string
	// Asked is the moment of asking: time words ("this week", "latest")
	// are read relative to it, and articles published after it rank last.
	// Zero means unknown: time words are not interpreted.
	Asked time.Time
	// K is how many passages to retrieve; zero means the default.
	K int
	// History holds earlier turns of a conversation (a Discord thread),
	// oldest first, so a follow-up like "and what did NATO say?" has context.
	History []Turn
}

// Turn is one earlier question and the answer it got.
type Turn struct {
	Question string
	Answer   string
}

// Answer is the structured result; callers (CLI, Discord) render it.
type Answer struct {
	Question string
	Text     string // the answer, with [n] markers matching Citations
	Refused  bool   // the briefings don't cover the question
	Mode     string // ModeExtractive or ModeLLM
	Note     string // one-line note for the reader (fallback reason, warning); may be empty
	// Confidence (0..1) is the share of the question's idf-weighted words
	// in the best sentence of the top three passages: a word in the
	// article's title or the passage's heading counts half, a follow-up's
	// thread words count when the top passages hold them, and a question
	// of n > 12 such words needs only 12/n of them. The extractive answer
	// refuses below Config.MinCoverage; 1 for the opening sentences of a
	// period's articles ("what happened this week?"), 0 when the period
	// holds nothing.
	Confidence float64
	Citations  []Citation
	Passages   []Hit // retrieved passages in rank order
	Usage      *Usage
}

// Citation is one numbered source. Quote is always our stored text:
// Quote == article.Body[Start:End], never a model's copy.
type Citation struct {
	N           int
	ArticleID   string
	Title       string
	URL         string
	Source      string
	Published   time.Time
	DateGuessed bool
	Quote       string
	Start, End  int
	Verified    bool
	// Spans are the byte ranges of Article.Body a verified quote shows:
	// one, or one per piece of a quote spliced with "…" (all within
	// Start:End and one sentence). Nil when not verified.
	Spans []Span
}

// Hit is one retrieved passage with its fused score.
type Hit struct {
	Passage corpus.Passage
	Article *corpus.Article
	Score   float64
}

// Usage is the token usage an LLM reported.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
	TotalTokens      int
}
