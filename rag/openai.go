package rag

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Recommended defaults for an OpenAI-compatible API. The chat model is a
// fast, inexpensive non-reasoning model that follows quoting instructions
// well and streams with usage; the embedding model is the cheapest
// current OpenAI one (1,536 dimensions). Local servers (Ollama, vLLM,
// LM Studio, llama.cpp) need their own model names.
const (
	DefaultChatModel  = "gpt-4.1-mini"
	DefaultEmbedModel = "text-embedding-3-small"
	// defaultOpenAITimeout bounds each attempt's wait for response headers.
	// A non-streamed chat completion sends headers only when the whole
	// answer is written, so it is generous; the caller's ctx deadline
	// still bounds every call as a whole.
	defaultOpenAITimeout = 60 * time.Second
	// defaultMaxRetries is how many times a failed request (429, 5xx,
	// timeout) is retried.
	defaultMaxRetries = 3
)

// OpenAIConfig configures the client for any OpenAI-compatible API.
type OpenAIConfig struct {
	// APIKey may be empty when BaseURL points at a server that needs none
	// (Ollama, a local vLLM). It is sent only as the bearer token and never
	// appears in errors or logs.
	APIKey string
	// BaseURL is the API root including the version, e.g.
	// http://localhost:11434/v1 for Ollama; empty means OpenAI's.
	BaseURL    string
	ChatModel  string // empty means DefaultChatModel
	EmbedModel string // empty means DefaultEmbedModel
	// Timeout bounds each attempt's wait for response headers; zero means
	// 60 s.
	Timeout time.Duration
	// MaxRetries is how many times a request is retried; zero means
	// 3, negative means never.
	MaxRetries int
	// Observe, if set, wraps the transport under the retry loop, so that
	// it sees every attempt (serve counts calls and errors for /metrics).
	Observe func(next http.RoundTripper) http.RoundTripper
}

// WithDefaults returns c with empty fields set to the defaults.
func (c OpenAIConfig) WithDefaults() OpenAIConfig {
	if c.ChatModel == "" {
		c.ChatModel = DefaultChatModel
	}
	if c.EmbedModel == "" {
		c.EmbedModel = DefaultEmbedModel
	}
	if c.Timeout <= 0 {
		c.Timeout = defaultOpenAITimeout
	}
	switch {
	case c.MaxRetries == 0:
		c.MaxRetries = defaultMaxRetries
	case c.MaxRetries < 0:
		c.MaxRetries = 0
	}
	return c
}

// Validate reports a setting that cannot work, with what to change. A
// missing key is only an error against OpenAI's own API: local servers
// accept none.
func (c OpenAIConfig) Validate() error {
	if c.BaseURL == "" {
		if c.APIKey == "" {
			return errors.New("the OpenAI API needs an API key; set one, or set a base URL for a local server")
		}
		return nil
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("base URL %q is not an http(s) URL; use e.g. http://localhost:11434/v1", c.BaseURL)
	}
	if u.User != nil {
		return fmt.Errorf("base URL for %s carries credentials; put the key in the API key setting instead", u.Host)
	}
	return nil
}

// NewOpenAIClient returns a go-openai client whose requests are retried on
// 429, 5xx and timeouts with exponential backoff and jitter, honouring
// Retry-After, within each call's ctx deadline. Errors it returns are
// *serverError: they name the server, the status and what to check.
func NewOpenAIClient(cfg OpenAIConfig, logger *slog.Logger) *openai.Client {
	cfg = cfg.WithDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	if cfg.BaseURL != "" {
		oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	oc.HTTPClient = newRetryDoer(cfg, logger)
	return openai.NewClientWithConfig(oc)
}

// newRetryDoer builds the HTTP side: a transport of its own (so the
// header timeout does not leak into http.DefaultTransport) wrapped in the
// retry loop.
func newRetryDoer(cfg OpenAIConfig, logger *slog.Logger) *retryDoer {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = cfg.Timeout
	var rt http.RoundTripper = limitBodies{tr}
	if cfg.Observe != nil {
		rt = cfg.Observe(rt)
	}
	return &retryDoer{
		client:     &http.Client{Transport: rt},
		maxRetries: cfg.MaxRetries,
		secret:     cfg.APIKey,
		logger:     logger.With("component", "openai"),
		baseDelay:  500 * time.Millisecond,
		maxDelay:   8 * time.Second,
		maxWait:    60 * time.Second,
	}
}
