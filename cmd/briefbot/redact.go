package main

import (
	"context"
	"log/slog"
	"strings"
)

// secrets are the values no log line or error message may show: the LLM
// API key and the Discord bot token. Servers echo them back (an OpenAI
// error "Incorrect API key provided: sk-…", a proxy's 401 body), so they
// are removed where text leaves the process: in the logger's handler and
// in the error main prints, whatever path the text took to get there.
type secrets []string

// minSecret keeps short test values ("x") from blanking ordinary text.
const minSecret = 8

func secretsOf(getenv func(string) string) secrets {
	var s secrets
	for _, key := range []string{"OPENAI_API_KEY", "DISCORD_TOKEN"} {
		v := strings.TrimSpace(getenv(key))
		if len(v) < minSecret {
			continue
		}
		s = append(s, v)
		// A Discord token is three dot-separated parts; any long part
		// echoed alone is still most of the secret.
		for _, part := range strings.Split(v, ".") {
			if len(part) >= 2*minSecret && part != v {
				s = append(s, part)
			}
		}
	}
	return s
}

func (s secrets) redact(text string) string {
	for _, v := range s {
		text = strings.ReplaceAll(text, v, "[redacted]")
	}
	return text
}

// redactedError is err with the secrets removed from its message; errors.Is
// and errors.As still see err.
type redactedError struct {
	err error
	msg string
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Unwrap() error { return e.err }

func (s secrets) error(err error) error {
	if err == nil || len(s) == 0 {
		return err
	}
	if msg := s.redact(err.Error()); msg != err.Error() {
		return redactedError{err: err, msg: msg}
	}
	return err
}

// redactingHandler removes the secrets from every log record's message and
// attributes (errors included, by their text).
type redactingHandler struct {
	next slog.Handler
	s    secrets
}

func (h redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.s.redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h redactingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = h.attr(a)
	}
	return redactingHandler{next: h.next.WithAttrs(clean), s: h.s}
}

func (h redactingHandler) WithGroup(name string) slog.Handler {
	return redactingHandler{next: h.next.WithGroup(name), s: h.s}
}

func (h redactingHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString, slog.KindAny:
		return slog.String(a.Key, h.s.redact(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, ga := range g {
			clean[i] = h.attr(ga)
		}
		return slog.Group(a.Key, clean...)
	}
	return a
}
