package main

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/briefbot/briefbot/corpus"
)

// TestReadOnlyStore is issue 14 item 5: on a data directory the user may
// not write, list and ask work (the store is opened read-only, nothing is
// seeded) and ingest says why it cannot add.
func TestReadOnlyStore(t *testing.T) {
	root := readOnlyRoot(t)
	dir := filepath.Join(root, "data")
	if out, _, err := cli(t, dir, "", nil, "ingest", writeFile(t, filepath.Join(root, "src", "harbour.txt"),
		"Harbour report\n\nHarbour traffic rose by a tenth in May, the port said.\n")); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	briefbot := asReader(t, root)
	os.Chmod(filepath.Join(dir, "briefbot.db"), 0o444)
	os.Chmod(dir, 0o555)
	before, _ := os.ReadFile(filepath.Join(dir, "briefbot.db"))
	out, err := briefbot("list", "--data", dir)
	if err != nil || !strings.Contains(out, "harbour") || !strings.Contains(out, "2 articles") {
		t.Errorf("list on a read-only store: %v\n%s", err, out)
	}
	out, err = briefbot("ask", "--data", dir, "How much did harbour traffic rise?")
	if err != nil || !strings.Contains(out, "rose by a tenth") {
		t.Errorf("ask on a read-only store: %v\n%s", err, out)
	}
	out, err = briefbot("ingest", "--data", dir, writeFile(t, filepath.Join(root, "src", "rail.txt"), "Rail\n\nThe bridge reopened.\n"))
	if err == nil || !strings.Contains(out, "read-only") || !strings.Contains(out, "list and ask work") {
		t.Errorf("ingest into a read-only store: %v\n%s", err, out)
	}
	out, err = briefbot("feed", "add", "--data", dir, "https://example.org/rss.xml")
	if err == nil || !strings.Contains(out, "read-only") || !strings.Contains(out, "list and ask work") {
		t.Errorf("feed add on a read-only store: %v\n%s", err, out)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "briefbot.db")); string(after) != string(before) {
		t.Error("the read-only store file changed")
	}
	out, err = briefbot("list", "--data", filepath.Join(root, "src", "harbour.txt"))
	if err == nil || !strings.Contains(out, "is a file, not a folder") {
		t.Errorf("--data naming a file: %v\n%s", err, out)
	}
}

// readOnlyRoot is a folder for a read-only test that any user may enter;
// its cleanup gives write access back before removing it.
func readOnlyRoot(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: builds the binary")
	}
	root, err := os.MkdirTemp("", "briefbot-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		filepath.Walk(root, func(p string, _ os.FileInfo, _ error) error { return os.Chmod(p, 0o755) })
		os.RemoveAll(root)
	})
	os.Chmod(root, 0o755)
	return root
}

// asReader builds briefbot into root and returns a runner of it as a user
// bound by permission bits: they do not bind root, so as root the binary
// runs as the unprivileged user 65534.
func asReader(t *testing.T, root string) func(args ...string) (string, error) {
	t.Helper()
	bin := filepath.Join(root, "briefbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	os.Chmod(bin, 0o755)
	return func(args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = root
		cmd.Env = []string{"PATH=/usr/bin:/bin"}
		if os.Geteuid() == 0 {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
}

// TestReadOnlyOldStore: a store made by an older briefbot (before the
// feed_failures, questions and guild_settings tables), which the user may
// not write and so cannot be upgraded, lists its feed with no failed
// items and reports no questions yet (its votes still counted), instead
// of an SQL error; the file is left exactly as it was.
func TestReadOnlyOldStore(t *testing.T) {
	root := readOnlyRoot(t)
	dir := filepath.Join(root, "data")
	ctx := context.Background()
	s, err := corpus.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddFeed(ctx, corpus.Feed{URL: "https://example.org/rss.xml"}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordVote(ctx, corpus.Vote{AnswerID: "a1", UserID: "u1", Up: true, Question: "q", Answer: "a", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", filepath.Join(dir, corpus.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"feed_failures", "questions", "guild_settings"} { // as an older briefbot made it
		if _, err := db.Exec("DROP TABLE " + table); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	briefbot := asReader(t, root)
	os.Chmod(filepath.Join(dir, corpus.DBFile), 0o444)
	os.Chmod(dir, 0o555)
	before, _ := os.ReadFile(filepath.Join(dir, corpus.DBFile))
	out, err := briefbot("feed", "list", "--data", dir)
	if err != nil || !strings.Contains(out, "https://example.org/rss.xml") || !strings.Contains(out, "1 feed") {
		t.Errorf("feed list on an older read-only store: %v\n%s", err, out)
	}
	out, err = briefbot("report", "--data", dir)
	if err != nil || !strings.Contains(out, "Questions asked: 0\nRefused: 0 (0%)") || !strings.Contains(out, "Votes: 1 👍, 0 👎") {
		t.Errorf("report on an older read-only store: %v\n%s", err, out)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, corpus.DBFile)); string(after) != string(before) {
		t.Error("the read-only store file changed")
	}
}
