package rag

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	openai "github.com/sashabaranov/go-openai"
)

// Errors of a chat call that produced no usable answer. Callers fall back
// to the extractive answer.
var (
	// ErrFiltered: the provider's content filter stopped the answer, or
	// the model refused.
	ErrFiltered = errors.New("the model's provider refused or filtered the answer")
	// ErrEmptyAnswer: the model returned no text.
	ErrEmptyAnswer = errors.New("the model returned an empty answer")
)

// Chat sends chat completions to one model.
type Chat struct {
	client *openai.Client
	model  string
}

// NewChat returns a Chat for model through client (see NewOpenAIClient).
func NewChat(client *openai.Client, model string) *Chat {
	return &Chat{client: client, model: model}
}

// Model is the model name, for logs and notes.
func (c *Chat) Model() string { return c.model }

// Stream asks for a completion of msgs and streams it: onDelta (may be
// nil) gets the whole text so far after each piece. Usage is what the
// server reported (zero if it reports none). When the server cannot stream
// (it answers 400, or plain JSON instead of server-sent events) the
// request is repeated without streaming. It returns ErrFiltered when the
// content filter stops the answer or the model refuses, ErrEmptyAnswer
// for no text, and a *ServerError when the API fails.
func (c *Chat) Stream(ctx context.Context, msgs []openai.ChatCompletionMessage, onDelta func(textSoFar string)) (string, Usage, error) {
	req := openai.ChatCompletionRequest{
		Model:         c.model,
		Messages:      msgs,
		Stream:        true,
		StreamOptions: &openai.StreamOptions{IncludeUsage: true},
	}
	stream, err := c.client.CreateChatCompletionStream(ctx, req)
	var se *ServerError
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
	text, usage, chunks, err := readStream(stream, onDelta)
	switch {
	case err != nil:
		return "", Usage{}, fmt.Errorf("chat with %s: %w", c.model, err)
	case chunks == 0:
		// Not an event stream after all (no Content-Type to tell).
		return c.complete(ctx, msgs, onDelta)
	case strings.TrimSpace(text) == "":
		return "", usage, fmt.Errorf("chat with %s: %w", c.model, ErrEmptyAnswer)
	}
	return text, usage, nil
}

// readStream collects the deltas. Chunks without choices carry usage (or
// prompt filter results) and are not errors.
func readStream(stream *openai.ChatCompletionStream, onDelta func(string)) (string, Usage, int, error) {
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
				return "", usage, chunks, ErrFiltered
			}
			if ch.Delta.Content == "" {
				continue
			}
			b.WriteString(ch.Delta.Content)
			if onDelta != nil {
				onDelta(b.String())
			}
		}
	}
}

// complete is the non-streaming fallback; onDelta gets the whole answer
// once.
func (c *Chat) complete(ctx context.Context, msgs []openai.ChatCompletionMessage, onDelta func(string)) (string, Usage, error) {
	resp, err := c.client.CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: c.model, Messages: msgs})
	if err != nil {
		return "", Usage{}, fmt.Errorf("chat with %s: %w", c.model, err)
	}
	usage := usageOf(resp.Usage)
	if len(resp.Choices) == 0 {
		return "", usage, fmt.Errorf("chat with %s: %w", c.model, ErrEmptyAnswer)
	}
	ch := resp.Choices[0]
	if ch.FinishReason == openai.FinishReasonContentFilter || ch.Message.Refusal != "" {
		return "", usage, fmt.Errorf("chat with %s: %w", c.model, ErrFiltered)
	}
	if strings.TrimSpace(ch.Message.Content) == "" {
		return "", usage, fmt.Errorf("chat with %s: %w", c.model, ErrEmptyAnswer)
	}
	if onDelta != nil {
		onDelta(ch.Message.Content)
	}
	return ch.Message.Content, usage, nil
}

func usageOf(u openai.Usage) Usage {
	return Usage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.TotalTokens}
}
