package corpus

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestSchemaTablesAreAllTables: the stand-ins for a read-only store know
// every table the current schema creates.
func TestSchemaTablesAreAllTables(t *testing.T) {
	s := openTestStore(t)
	rows, err := s.db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var created []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		created = append(created, n)
	}
	var known []string
	for n := range schemaTables() {
		known = append(known, n)
	}
	slices.Sort(known)
	if !slices.Equal(created, known) {
		t.Errorf("schemaTables knows %v, the schema creates %v", known, created)
	}
}

// TestReadOnlyOldStoreReadsNoneYet: a store made before the feed_failures,
// questions and guild_settings tables, opened read-only (it cannot be
// upgraded), lists its feeds with no failed items, reports no questions
// yet while still counting its votes, and has no server settings; it
// still refuses writes. (The permission side, as a user who may not
// write, is cmd/briefbot's TestReadOnlyOldStore; here the store is opened
// as Open does for such a file.)
func TestReadOnlyOldStoreReadsNoneYet(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddFeed(ctx, Feed{URL: "https://example.org/rss.xml", Scope: "g1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordVote(ctx, Vote{AnswerID: "a1", UserID: "u1", Scope: "g1", Up: true, Question: "q", Answer: "a", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"feed_failures", "questions", "guild_settings"} {
		if _, err := s.db.Exec(`DROP TABLE ` + table); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	path := filepath.Join(dir, DBFile)
	db, err := openReadOnly(readOnlyDSN(dir, path))
	if err != nil {
		t.Fatal(err)
	}
	ro := &Store{db: db, dir: dir, readOnly: true}
	defer ro.Close()
	if err := ro.check(ctx); err != nil {
		t.Fatal(err)
	}
	feeds, err := ro.Feeds(ctx, []string{"g1"})
	if err != nil || len(feeds) != 1 || feeds[0].ItemsWaiting != 0 || feeds[0].ItemsGivenUp != 0 {
		t.Errorf("Feeds = %+v, %v; want the one feed, no failed items", feeds, err)
	}
	if f, err := ro.ItemFailure(ctx, feeds[0].ID, "https://example.org/a"); err != nil || f.Attempts != 0 {
		t.Errorf("ItemFailure = %+v, %v; want none", f, err)
	}
	r, err := ro.Report(ctx, ReportQuery{Since: time.Now().Add(-time.Hour), Top: 5})
	if err != nil || r.Asked != 0 || len(r.TopRefused) != 0 || r.Up != 1 {
		t.Errorf("Report = %+v, %v; want no questions yet and the stored 👍", r, err)
	}
	if v, err := ro.Setting(ctx, "g1", "threads"); err != nil || v != "" {
		t.Errorf("Setting = %q, %v; want none", v, err)
	}
	if _, err := ro.RecordAsked(ctx, Asked{Scope: "g1", Question: "q", Answer: "a", At: time.Now()}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("RecordAsked on a read-only store: %v, want ErrReadOnly", err)
	}
	if _, err := ro.db.ExecContext(ctx, `INSERT INTO questions (question, answer, at) VALUES ('q', 'a', '')`); err == nil {
		t.Error("a stand-in for a missing table took a write")
	}
}
