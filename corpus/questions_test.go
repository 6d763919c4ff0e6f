package corpus

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestQuestionsTableAddedToAnOldStore: a store made before the questions
// table opens with its articles intact and gains the table.
func TestQuestionsTableAddedToAnOldStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := addArticle(t, s, testArticle("a1", GlobalScope, "Floods", "Rivers rose on Monday."), AddOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `DROP TABLE questions; DROP TABLE guild_settings`); err != nil {
		t.Fatal(err) // now shaped like a store of the previous release
	}
	s.Close()
	s, err = Open(ctx, dir)
	if err != nil {
		t.Fatalf("reopen old store: %v", err)
	}
	defer s.Close()
	if _, err := s.Get(ctx, []string{GlobalScope}, "a1"); err != nil {
		t.Errorf("article lost: %v", err)
	}
	id, err := s.RecordAsked(ctx, Asked{Scope: "g1", Question: "q?", Answer: "a"})
	if err != nil {
		t.Fatalf("record in migrated store: %v", err)
	}
	if got, err := s.Asked(ctx, id); err != nil || got.Question != "q?" {
		t.Errorf("Asked(%d) = %+v, %v", id, got, err)
	}
}

// questionStore is what both stores provide for questions and reports.
type questionStore interface {
	RecordAsked(ctx context.Context, a Asked) (int64, error)
	Asked(ctx context.Context, id int64) (Asked, error)
	RecordVote(ctx context.Context, v Vote) error
	Report(ctx context.Context, q ReportQuery) (Report, error)
	Setting(ctx context.Context, scope, key string) (string, error)
	SetSetting(ctx context.Context, scope, key, value string) error
}

var (
	_ questionStore = (*Store)(nil)
	_ questionStore = (*PGStore)(nil)
)

func TestConformReport(t *testing.T) {
	forEachBackend(t, func(t *testing.T, _ backend, _ string, cs conformStore) {
		testReport(t, cs.(questionStore))
	})
}

func testReport(t *testing.T, s questionStore) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	old := now.AddDate(0, 0, -40)
	asked := []Asked{
		{Scope: "g1", Question: "What about lithium?", Answer: "The briefings don't cover that.", Refused: true, At: now},
		{Scope: "g1", Question: "what about lithium? ", Answer: "The briefings don't cover that.", Refused: true, At: now},
		{Scope: "g1", Question: "Who won the vote?", Answer: "Nobody.", Refused: true, At: now},
		{Scope: "g1", Question: "What did NATO pledge?", Answer: "Air defence [1]", At: now},
		{Scope: "g1", Question: "Old question?", Answer: "x", Refused: true, At: old},
		{Scope: "g2", Question: "Other server?", Answer: "x", Refused: true, At: now},
	}
	for _, a := range asked {
		if _, err := s.RecordAsked(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	votes := []Vote{
		{AnswerID: "m1", UserID: "u1", Scope: "g1", Up: false, Question: "What did NATO pledge?", Answer: "Air defence [1]", At: now},
		{AnswerID: "m1", UserID: "u2", Scope: "g1", Up: false, Question: "What did NATO pledge?", Answer: "Air defence [1]", At: now},
		{AnswerID: "m2", UserID: "u1", Scope: "g1", Up: true, Question: "q", Answer: "a", At: now},
		{AnswerID: "m3", UserID: "u1", Scope: "g2", Up: false, Question: "q2", Answer: "a2", At: now},
	}
	for _, v := range votes {
		if err := s.RecordVote(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Report(ctx, ReportQuery{Scopes: []string{"g1"}, Since: now.AddDate(0, 0, -30)})
	if err != nil {
		t.Fatal(err)
	}
	want := Report{Since: now.AddDate(0, 0, -30), Asked: 4, Refused: 3,
		TopRefused: []Refusal{{Question: "What about lithium?", Times: 2}, {Question: "Who won the vote?", Times: 1}},
		Up:         1, Down: 2,
		DownVoted: []DownVoted{{Question: "What did NATO pledge?", Answer: "Air defence [1]", Votes: 2, At: now}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	all, err := s.Report(ctx, ReportQuery{})
	if err != nil || all.Asked != 6 || all.Down != 3 {
		t.Errorf("report over everything: asked %d, down %d, %v; want 6 and 3", all.Asked, all.Down, err)
	}
}

func TestConformSettings(t *testing.T) {
	forEachBackend(t, func(t *testing.T, _ backend, _ string, cs conformStore) {
		ctx := context.Background()
		s := cs.(questionStore)
		if v, err := s.Setting(ctx, "g1", "answer_threads"); v != "" || err != nil {
			t.Errorf("unset setting = %q, %v", v, err)
		}
		for _, v := range []string{"on", "off"} {
			if err := s.SetSetting(ctx, "g1", "answer_threads", v); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Setting(ctx, "g1", "answer_threads"); got != v || err != nil {
				t.Errorf("setting = %q, %v; want %q", got, err, v)
			}
		}
		if got, _ := s.Setting(ctx, "g2", "answer_threads"); got != "" {
			t.Errorf("another server's setting = %q", got)
		}
		if _, err := s.Asked(ctx, 999); !errors.Is(err, ErrNotFound) {
			t.Errorf("Asked(unknown) = %v, want ErrNotFound", err)
		}
	})
}
