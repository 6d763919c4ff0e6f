package corpus

// Stand-ins for parse.go, which another helper is writing: REPLACED ON MERGE
// (the lead deletes this file). They do just enough for fetch.go to compile
// and its tests to run; the real versions keep the same signatures.

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ParseText stand-in: optional date line, title line, body.
func ParseText(name string, data []byte) (Article, error) {
	if !utf8.Valid(data) {
		return Article{}, fmt.Errorf("%s: the text is not UTF-8", name)
	}
	text := strings.TrimSpace(strings.ReplaceAll(string(bytes.TrimPrefix(data, []byte("\uFEFF"))), "\r\n", "\n"))
	if text == "" {
		return Article{}, fmt.Errorf("%s: %w", name, ErrEmpty)
	}
	var a Article
	first, rest, _ := strings.Cut(text, "\n")
	if d, ok := ParseDate(first); ok {
		a.Published = d
		first, rest, _ = strings.Cut(strings.TrimSpace(rest), "\n")
	}
	a.Title, a.Body = strings.TrimSpace(first), strings.TrimSpace(rest)
	if a.Body == "" {
		a.Body = a.Title
	}
	a.Hash = ContentHash(a.Title, a.Body)
	a.ID = Slug(name)
	return a, nil
}

// ParseMarkdown stand-in: a "# Title" line, then the body.
func ParseMarkdown(name string, data []byte) (Article, error) {
	a, err := ParseText(name, data)
	if err != nil {
		return a, err
	}
	a.Title = strings.TrimSpace(strings.TrimLeft(a.Title, "#"))
	a.Hash = ContentHash(a.Title, a.Body)
	if a.Title == "" {
		return Article{}, errors.New("no title")
	}
	return a, nil
}

// ParseDate stand-in: ISO dates, RFC 3339, and "January 2, 2006" / "2 January 2006".
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339, "2006-01-02", "January 2, 2006", "2 January 2006", "Jan 2, 2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// Slug stand-in: lower-case ASCII letters and digits joined by hyphens, at most 60 bytes.
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	out := b.String()
	if len(out) > 60 {
		out = out[:60]
		if i := strings.LastIndexByte(out, '-'); i > 30 {
			out = out[:i]
		}
	}
	return strings.TrimRight(out, "-")
}
