package rag

import (
	"context"
	"strings"
	"sync"
)

// noCheckedQuoteNote is the warning on an LLM answer none of whose quotes
// could be checked against the briefings.
const noCheckedQuoteNote = "No quote in this answer could be checked against the briefings."

// answerWithLLM answers q from hits with the model behind chat. The prompt
// holds the hits that fit budgetTokens (see buildPrompt); the answer's
// markers and quotes are checked against exactly those (see
// checkCitations), and Passages lists them.
//
// onDelta (may be nil) is told that the model has started writing: it is
// called once, with "", when the first piece of the answer arrives. The
// text itself is never passed on before it is checked, so a reader sees
// nothing unchecked (callers show a "writing…" status), and the answer is
// checked once, when complete, in time linear in its length.
//
// When the model answers notCoveredSentence, Refused is set and the text
// is exactly that sentence. An answer with no verified citation is
// returned as it is, with Note = noCheckedQuoteNote: it may still be right,
// and the caller decides whether to show it or the extractive answer
// instead. With no hits it refuses without calling the model.
//
// An error means no usable answer (the API failed or timed out, the
// content filter or the model refused, the answer was empty): the caller
// falls back to the extractive answer.
func answerWithLLM(ctx context.Context, chat *Chat, q Question, hits []Hit, budgetTokens int, onDelta func(string)) (Answer, error) {
	ans := Answer{Question: strings.TrimSpace(q.Text), Mode: ModeLLM}
	msgs, used := buildPrompt(q, hits, budgetTokens)
	ans.Passages = used
	if len(used) == 0 {
		ans.Text, ans.Refused = notCoveredSentence, true
		return ans, nil
	}
	var started func(string)
	if onDelta != nil {
		var once sync.Once
		started = func(string) { once.Do(func() { onDelta("") }) }
	}
	raw, usage, err := chat.stream(ctx, msgs, started)
	if err != nil {
		return Answer{}, err
	}
	ans.Usage = &usage
	if isNotCovered(raw) {
		ans.Text, ans.Refused = notCoveredSentence, true
		return ans, nil
	}
	ans.Text, ans.Citations = checkCitations(raw, used)
	if !anyVerified(ans.Citations) {
		ans.Note = noCheckedQuoteNote
	}
	return ans, nil
}

// isNotCovered reports whether the model gave the fixed refusal: the
// sentence alone, or first with nothing cited after it. Case, curly
// apostrophes and spacing do not matter.
func isNotCovered(raw string) bool {
	got, want := fold(strings.TrimSpace(raw)).s, fold(notCoveredSentence).s
	if got == want || got == strings.TrimSuffix(want, ".") {
		return true
	}
	return strings.HasPrefix(got, want) && !markerRE.MatchString(raw)
}

func anyVerified(cs []Citation) bool {
	for _, c := range cs {
		if c.Verified {
			return true
		}
	}
	return false
}
