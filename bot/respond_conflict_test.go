package bot

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/corpus"
)

// TestConflictMessageNeverAdvisesDeletingAnother is issue 14 item 1 and
// issue 17 item 6 for the bot: corpus's typed conflict is worded here;
// removing the stored briefing is suggested only when it is an earlier
// version of the same page.
func TestConflictMessageNeverAdvisesDeletingAnother(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.DiscardHandler)
	other := &corpus.ConflictError{ID: "briefing", Stored: corpus.Article{Title: "Monday briefing"}}
	msg := userMessage(fmt.Errorf("add: %w", other), log)
	if !strings.Contains(msg, "**Monday briefing**") || strings.Contains(msg, "remove") {
		t.Errorf("conflict with another briefing: %q", msg)
	}
	same := &corpus.ConflictError{ID: "news-example-a", Stored: corpus.Article{Title: "Old"}, SameOrigin: true}
	if msg := userMessage(same, log); !strings.Contains(msg, "earlier version") || !strings.Contains(msg, "/briefing remove id:news-example-a") {
		t.Errorf("conflict with an earlier version: %q", msg)
	}
}
