package rag

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"

	openai "github.com/sashabaranov/go-openai"
)

// Errors of a chat call that produced no usable answer. Callers fall back
// to the extractive answer.
var (
	// errFiltered: the provider's content filter stopped the answer, or
	// the model refused.
	errFiltered = errors.New("the model's provider refused or filtered the answer")
	// errEmptyAnswer: the model returned no text.
	errEmptyAnswer = errors.New("the model returned an empty answer")
)

// DefaultMaxAnswerTokens is the default limit on an answer's length: a
// few sentences with their quotes, well within two Discord messages.
const DefaultMaxAnswerTokens = 700

// bytesPerToken bounds how many bytes one token may cost when reading: a
// token is about 4 bytes of English and rarely more than 8 in any
// language, so a server that ignores max_tokens is cut off at twice the
// answer we asked for.
const bytesPerToken = 8

// Chat sends chat completions to one model.
type Chat struct {
	client    *openai.Client
	model     string
	maxTokens int
	// completionLimit: the server rejected max_tokens and asked for
	// max_completion_tokens (OpenAI's reasoning models do); set once.
	completionLimit atomic.Bool
}

// NewChat returns a Chat for model through client (see NewOpenAIClient).
// Every request asks for at most maxTokens tokens (<= 0 means
// DefaultMaxAnswerTokens), and reading stops at maxTokens*8 bytes even
// when the server ignores the limit.
func NewChat(client *openai.Client, model string, maxTokens int) *Chat {
	if maxTokens <= 0 {
		maxTokens = DefaultMaxAnswerTokens
	}
	return &Chat{client: client, model: model, maxTokens: maxTokens}
}

// maxBytes is where reading stops.
func (c *Chat) maxBytes() int { return c.maxTokens * bytesPerToken }

// stream asks for a completion of msgs and streams it: onDelta (may be
// nil) gets the whole text so far after each piece. Usage is what the
// server reported (zero if it reports none). When the server cannot stream
// (it answers 400, or plain JSON instead of server-sent events) the
// request is repeated without streaming. An answer cut short (the token
// limit reached, or the byte cap for a server that ignores it) is returned
// up to its last whole sentence. It returns errFiltered when the content
// filter stops the answer or the model refuses, errEmptyAnswer for no
// text, and a *serverError when the API fails.
func (c *Chat) stream(ctx context.Context, msgs []openai.ChatCompletionMessage, onDelta func(textSoFar string)) (string, Usage, error) {
	stream, err := c.client.CreateChatCompletionStream(ctx, c.request(msgs, true))
	if c.switchLimit(err) {
		stream, err = c.client.CreateChatCompletionStream(ctx, c.request(msgs, true))
	}
	var se *serverError
	switch {
	case errors.As(err, &se) && se.Status == http.StatusBadRequest:
		return c.complete(ctx, msgs, onDelta)
	case err != nil:
		return "", Usage{}, fmt.Errorf("chat with %s: %w", c.model, err)
	}
	defer stream.Close()
	if ct := stream.Header().Get("Content-Type"); strings.HasPrefix(ct, "application/json") {
		return c.complete(ctx, msgs, onDelta)
	}
	text, usage, chunks, err := readStream(stream, c.maxBytes(), onDelta)
	switch {
	case err != nil:
		return "", Usage{}, fmt.Errorf("chat with %s: %w", c.model, err)
	case chunks == 0:
		// Not an event stream after all (no Content-Type to tell).
		return c.complete(ctx, msgs, onDelta)
	case strings.TrimSpace(text) == "":
		return "", usage, fmt.Errorf("chat with %s: %w", c.model, errEmptyAnswer)
	}
	return text, usage, nil
}

// request is a chat request for msgs carrying the token limit, as
// max_tokens (which OpenAI-compatible servers understand) or, once the
// server has asked for it, max_completion_tokens.
func (c *Chat) request(msgs []openai.ChatCompletionMessage, stream bool) openai.ChatCompletionRequest {
	req := openai.ChatCompletionRequest{Model: c.model, Messages: msgs}
	if c.completionLimit.Load() {
		req.MaxCompletionTokens = c.maxTokens
	} else {
		req.MaxTokens = c.maxTokens
	}
	if stream {
		req.Stream, req.StreamOptions = true, &openai.StreamOptions{IncludeUsage: true}
	}
	return req
}

// switchLimit reports whether err refuses max_tokens in favour of
// max_completion_tokens (a server's 400 naming it, or go-openai's own
// check for the reasoning models it knows), and switches to the latter.
func (c *Chat) switchLimit(err error) bool {
	var se *serverError
	refused := errors.Is(err, openai.ErrReasoningModelMaxTokensDeprecated) || errors.Is(err, openai.ErrO1MaxTokensDeprecated) ||
		errors.As(err, &se) && se.Status == http.StatusBadRequest && strings.Contains(se.Message, "max_completion_tokens")
	return refused && c.completionLimit.CompareAndSwap(false, true)
}

// readStream collects the deltas, up to maxBytes: past that it stops
// reading (the caller closes the stream) and keeps the whole sentences.
// A finish for length also keeps only whole sentences. Chunks without
// choices carry usage (or prompt filter results) and are not errors.
func readStream(stream *openai.ChatCompletionStream, maxBytes int, onDelta func(string)) (string, Usage, int, error) {
	var b strings.Builder
	var usage Usage
	chunks := 0
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return b.String(), usage, chunks, nil
		}
		if err != nil {
			return "", usage, chunks, err
		}
		chunks++
		if resp.Usage != nil {
			usage = usageOf(*resp.Usage)
		}
		for _, ch := range resp.Choices {
			if ch.Index != 0 {
				continue
			}
			if ch.FinishReason == openai.FinishReasonContentFilter || ch.Delta.Refusal != "" {
				return "", usage, chunks, errFiltered
			}
			if b.Len()+len(ch.Delta.Content) > maxBytes {
				b.WriteString(ch.Delta.Content[:maxBytes-b.Len()])
				return wholeSentences(b.String()), usage, chunks, nil
			}
			b.WriteString(ch.Delta.Content)
			if ch.FinishReason == openai.FinishReasonLength {
				return wholeSentences(b.String()), usage, chunks, nil
			}
			if onDelta != nil && ch.Delta.Content != "" {
				onDelta(b.String())
			}
		}
	}
}

// wholeSentences cuts a truncated answer after its last sentence end (a
// full stop, ! or ? before white space, or a line break); with none, it
// keeps the text up to its last space. Invalid UTF-8 at the cut is
// dropped.
func wholeSentences(s string) string {
	s = strings.ToValidUTF8(s, "")
	end := -1
	for i := len(s) - 1; i > 0; i-- {
		if (s[i] == ' ' || s[i] == '\n') && strings.ContainsRune(".!?\n", rune(s[i-1])) {
			end = i
			break
		}
	}
	if end < 0 {
		end = max(strings.LastIndexAny(s, " \n"), 0)
	}
	return strings.TrimSpace(s[:end])
}

// complete is the non-streaming fallback; onDelta gets the whole answer
// once.
func (c *Chat) complete(ctx context.Context, msgs []openai.ChatCompletionMessage, onDelta func(string)) (string, Usage, error) {
	resp, err := c.client.CreateChatCompletion(ctx, c.request(msgs, false))
	if c.switchLimit(err) {
		resp, err = c.client.CreateChatCompletion(ctx, c.request(msgs, false))
	}
	if err != nil {
		return "", Usage{}, fmt.Errorf("chat with %s: %w", c.model, err)
	}
	usage := usageOf(resp.Usage)
	if len(resp.Choices) == 0 {
		return "", usage, fmt.Errorf("chat with %s: %w", c.model, errEmptyAnswer)
	}
	ch := resp.Choices[0]
	if ch.FinishReason == openai.FinishReasonContentFilter || ch.Message.Refusal != "" {
		return "", usage, fmt.Errorf("chat with %s: %w", c.model, errFiltered)
	}
	text := ch.Message.Content
	if len(text) > c.maxBytes() || ch.FinishReason == openai.FinishReasonLength {
		text = wholeSentences(text[:min(len(text), c.maxBytes())])
	}
	if strings.TrimSpace(text) == "" {
		return "", usage, fmt.Errorf("chat with %s: %w", c.model, errEmptyAnswer)
	}
	if onDelta != nil {
		onDelta(text)
	}
	return text, usage, nil
}

func usageOf(u openai.Usage) Usage {
	return Usage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.TotalTokens}
}
