package rag

import (
	"errors"
	"strings"
	"testing"
)

// TestNoteHidesModelServer: the fallback note users see says why the LLM
// failed without the model server's host or port.
func TestNoteHidesModelServer(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"HTTP error", &serverError{Host: "10.1.2.3:11434", Status: 503, Attempts: 3}, "its server answered HTTP 503"},
		{"unreachable", &serverError{Host: "llm.corp.internal:8000", Err: errors.New("dial tcp 10.1.2.3:8000: connection refused")},
			"its server could not be reached"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := shortReason(tc.err)
			if got != tc.want || strings.Contains(got, "10.1.2.3") || strings.Contains(got, "corp.internal") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
