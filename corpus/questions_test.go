package corpus

import (
	"context"
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

func TestReport(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
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
