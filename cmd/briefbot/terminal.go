package main

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text from articles and models is printed to terminals, where control
// characters are commands: ESC sequences can retitle the window, clear the
// screen or hide what follows, and bidirectional overrides reorder it.
// Text output shows them escaped instead (\x1b, \u202e); JSON output is
// left exact (its encoder escapes them for its own readers).

// termText makes s safe to print: control characters other than newline
// and tab, and bidirectional controls, are shown escaped; invalid UTF-8
// becomes U+FFFD.
func termText(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r) || isBidiControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// termLine is termText on one line of at most n characters: line breaks
// and tabs become single spaces, and a longer text is cut with "…".
func termLine(s string, n int) string {
	s = termText(strings.Join(strings.Fields(s), " "))
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " ") + "…"
}

func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// isBidiControl reports the Unicode bidirectional formatting characters
// (embeddings, overrides, isolates and marks).
func isBidiControl(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
}

// clip is s on one line of at most n characters, cut with "…"; for text
// that %q then escapes.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimRight(string([]rune(s)[:n-1]), " ") + "…"
}
