package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/rag"
)

// genJSONL writes n generated articles (ids gen-0..gen-n-1), each with
// three paragraphs and a word ("marker<i>") found in no other article.
func genJSONL(t *testing.T, n int) string {
	t.Helper()
	words := strings.Fields("harbour ship cargo minister council budget river bridge tram election vote court " +
		"judge strike union wage price grain oil gas power grid wind solar port rail road school hospital")
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for i := range n {
		var paras []string
		for p := range 3 {
			var s []string
			for k := range 4 {
				ws := make([]string, 10)
				for j := range ws {
					ws[j] = words[r.IntN(len(words))]
				}
				s = append(s, strings.ToUpper(ws[0][:1])+ws[0][1:]+" "+strings.Join(ws[1:], " ")+fmt.Sprintf(" marker%dx%dx%d.", i, p, k))
			}
			paras = append(paras, strings.Join(s, " "))
		}
		line, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("gen-%d", i), "title": fmt.Sprintf("Report %d", i),
			"published": "2024-01-02", "body": strings.Join(paras, "\n\n")})
		b.Write(line)
		b.WriteByte('\n')
	}
	path := filepath.Join(t.TempDir(), "gen.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// addedIDs returns the article IDs of the "added" lines of ingest output.
func addedIDs(lines []string) []string {
	var ids []string
	for _, l := range lines {
		if !strings.HasPrefix(l, "added ") {
			continue
		}
		_, rest, _ := strings.Cut(l, ": ")
		if id, _, ok := strings.Cut(rest, " "); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// checkStoreWhole opens the store in dir and checks that every article in
// it is whole (all its passages, each with a cached vector of the local
// embedder), that every ID in mustHave is among them, and that the engine
// loads without re-embedding anything. It returns the number of articles.
func checkStoreWhole(t *testing.T, dir string, mustHave []string) int {
	t.Helper()
	ctx := context.Background()
	store, err := corpus.Open(ctx, dir)
	if err != nil {
		t.Fatalf("store does not open: %v", err)
	}
	defer store.Close()
	present := map[string]bool{}
	emb := rag.NewLocalEmbedder(0)
	err = store.Each(ctx, emb.Name(), func(l corpus.Loaded) error {
		present[l.Article.ID] = true
		want := corpus.Split(l.Article)
		if len(l.Passages) != len(want) {
			return fmt.Errorf("%s is partly present: %d of %d passages", l.Article.ID, len(l.Passages), len(want))
		}
		for i, v := range l.Vectors {
			if v == nil {
				return fmt.Errorf("%s: passage %d has no cached vector", l.Article.ID, i)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range mustHave {
		if !present[id] {
			t.Errorf("%s was reported added before the kill but is not in the store", id)
		}
	}
	var reembedded int
	if _, err := rag.New(ctx, store, emb, rag.Config{Progress: func(d, _ int) { reembedded = d }}, nil); err != nil {
		t.Fatalf("engine does not load: %v", err)
	}
	if reembedded != 0 {
		t.Errorf("loading re-embedded %d passages; a committed article has all its vectors", reembedded)
	}
	return len(present)
}

// TestKillDuringIngestNothingCommittedLost kills `briefbot ingest` with
// SIGKILL at a random moment, 20 times. Every time the store opens, every
// article in it is whole, and every article the ingest reported as added
// on stdout before it died is there.
func TestKillDuringIngestNothingCommittedLost(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bin := buildBinary(t)
	src := genJSONL(t, 2000)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	var reported, stored int
	for round := range 20 {
		dir := t.TempDir()
		cmd := exec.Command(bin, "ingest", "--data", dir, src)
		cmd.Env = append(os.Environ(), "BRIEFBOT_LOG_LEVEL=error")
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan []string, 1)
		go func() {
			var ls []string
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				ls = append(ls, sc.Text())
			}
			lines <- ls
		}()
		delay := time.Duration(50+r.IntN(2500)) * time.Millisecond
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		ls := <-lines // EOF: everything written before the kill has been read
		state, _ := cmd.Process.Wait()
		ids := addedIDs(ls)
		n := checkStoreWhole(t, dir, ids)
		reported += len(ids)
		stored += n
		t.Logf("round %2d: killed after %v (%v): %d reported added, %d articles stored", round, delay, state, len(ids), n)
		if t.Failed() {
			t.FailNow()
		}
	}
	if reported == 0 {
		t.Errorf("no round reported an added article before the kill: the kills came too early to test anything")
	}
}

// TestDamagedEmbeddingCacheRebuilt deletes cached vectors and corrupts
// others (a blob of the wrong length); the next start re-embeds exactly
// those passages, says so in the log, and answers as before.
func TestDamagedEmbeddingCacheRebuilt(t *testing.T) {
	dir := t.TempDir()
	src := genJSONL(t, 40)
	if out, _, err := cli(t, dir, "", nil, "ingest", src); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	const q = "Which report mentions marker17x1x2?"
	before := askJSON(t, dir, nil, q)
	if len(before.Citations) == 0 || before.Citations[0].ArticleID != "gen-17" {
		t.Fatalf("before damage: %+v", before)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, corpus.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.Exec(`DELETE FROM embeddings WHERE hash IN (SELECT hash FROM embeddings ORDER BY hash LIMIT 10)`)
	if err != nil {
		t.Fatal(err)
	}
	deleted, _ := res.RowsAffected()
	// Three blobs whose length is no whole number of floats, two of the
	// wrong dimension (two floats instead of 512).
	res, err = db.Exec(`UPDATE embeddings SET vector = x'0102030405' WHERE hash IN (SELECT hash FROM embeddings ORDER BY hash DESC LIMIT 3)`)
	if err != nil {
		t.Fatal(err)
	}
	corrupted, _ := res.RowsAffected()
	res, err = db.Exec(`UPDATE embeddings SET vector = x'0000803f0000803f' WHERE hash IN (SELECT hash FROM embeddings ORDER BY hash DESC LIMIT 2 OFFSET 3)`)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := res.RowsAffected()
	corrupted += n
	db.Close()
	if deleted != 10 || corrupted != 5 {
		t.Fatalf("damaged %d+%d rows, want 10+5", deleted, corrupted)
	}

	out, logs, err := cli(t, dir, "", map[string]string{"BRIEFBOT_LOG_LEVEL": "info"}, "ask", "--json", q)
	if err != nil {
		t.Fatalf("ask after damage: %v\n%s", err, logs)
	}
	if !strings.Contains(logs, "embedding stored passages") || !strings.Contains(logs, "passages=15") {
		t.Errorf("log does not report re-embedding the 15 damaged vectors:\n%s", logs)
	}
	var after jsonAnswer
	if err := json.Unmarshal([]byte(out), &after); err != nil {
		t.Fatal(err)
	}
	if after.Answer != before.Answer || len(after.Passages) != len(before.Passages) {
		t.Errorf("answer changed after the rebuild:\nbefore %q\nafter  %q", before.Answer, after.Answer)
	}
	for i := range after.Passages {
		if after.Passages[i].PassageID != before.Passages[i].PassageID {
			t.Errorf("rank %d: %s, before the damage %s", i, after.Passages[i].PassageID, before.Passages[i].PassageID)
		}
	}
	_, logs, _ = cli(t, dir, "", map[string]string{"BRIEFBOT_LOG_LEVEL": "info"}, "list")
	if strings.Contains(logs, "embedding stored passages") {
		t.Errorf("the repaired cache was not kept; the next start re-embedded again:\n%s", logs)
	}
}

// TestDamagedDatabaseFile: a store file that is not a database, or is cut
// short, gives an error naming the file and what to do, for every command,
// and no panic.
func TestDamagedDatabaseFile(t *testing.T) {
	good := t.TempDir()
	if out, _, err := cli(t, good, "", nil, "ingest", genJSONL(t, 200)); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	whole, err := os.ReadFile(filepath.Join(good, corpus.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"garbage", []byte(strings.Repeat("not a database at all ", 400))},
		{"truncated to half", whole[:len(whole)/2]},
		{"header only", whole[:100]},
		{"zeroed header", append(make([]byte, 100), whole[100:]...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, corpus.DBFile)
			if err := os.WriteFile(path, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"list"}, {"ask", "Which report mentions marker17x1x2?"}} {
				_, _, err := cli(t, dir, "", nil, args...)
				if err == nil {
					t.Fatalf("%s on a damaged store succeeded", args[0])
				}
				msg := err.Error()
				if !strings.Contains(msg, path) || !strings.Contains(msg, "backup") {
					t.Errorf("%s: error %q should name %s and say what to do", args[0], msg, path)
				}
			}
		})
	}
}

// tmpfs mounts a size-limited tmpfs for the test, or skips with why.
func tmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a %s tmpfs to fill (needs root or CAP_SYS_ADMIN): %v %s", size, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// TestIngestIntoFullDisk fills the disk during an ingest: the ingest exits
// non-zero naming the full disk and what to do; on the full disk the store
// still opens, every article added before is whole and answers as before;
// once space is freed, the same ingest run again adds the rest.
func TestIngestIntoFullDisk(t *testing.T) {
	mnt := tmpfs(t, "8m") // room for the WAL (up to 4 MB before a checkpoint) and the store
	dir := filepath.Join(mnt, "data")
	src := genJSONL(t, 300) // ~1 MB in the store with its vectors
	first := filepath.Join(t.TempDir(), "first.jsonl")
	data, _ := os.ReadFile(src)
	lines := strings.SplitAfter(string(data), "\n")
	os.WriteFile(first, []byte(strings.Join(lines[:30], "")), 0o600)
	if out, _, err := cli(t, dir, "", nil, "ingest", first); err != nil {
		t.Fatalf("first ingest: %v\n%s", err, out)
	}
	var ids []string
	for i := range 30 {
		ids = append(ids, fmt.Sprintf("gen-%d", i))
	}
	const q = "Which report mentions marker17x1x2?"
	before := askJSON(t, dir, nil, q)

	filler := filepath.Join(mnt, "filler")
	var st syscall.Statfs_t
	if err := syscall.Statfs(mnt, &st); err != nil {
		t.Fatal(err)
	}
	free := int(st.Bavail) * int(st.Bsize)
	if err := os.WriteFile(filler, make([]byte, max(0, free-300<<10)), 0o600); err != nil {
		t.Fatal(err)
	}
	quiet := map[string]string{"BRIEFBOT_LOG_LEVEL": "error"}
	out, _, err := cli(t, dir, "", quiet, "ingest", src)
	if err == nil || exitCode(err) == 0 {
		t.Fatalf("ingest into a full disk succeeded:\n%s", tail(out))
	}
	if !strings.Contains(out, "no space left") || !strings.Contains(out, "free some space") {
		t.Errorf("ingest output does not name the full disk and what to do: %v\n%s", err, tail(out))
	}
	t.Logf("ingest into a full disk: %v\n%s", err, tail(out))
	added := addedIDs(strings.Split(out, "\n"))

	n := checkStoreWhole(t, dir, append(ids, added...))
	t.Logf("disk full: %d articles stored (%d before, %d reported added)", n, len(ids), len(added))
	if n != len(ids)+len(added)+1 { // +1: the sample
		t.Errorf("%d articles stored, want %d: the ones before, those reported added, and the sample", n, len(ids)+len(added)+1)
	}
	if got := askJSON(t, dir, nil, q); got.Answer != before.Answer {
		t.Errorf("answer on the full disk: %q, before %q", got.Answer, before.Answer)
	}

	os.Remove(filler)
	out, _, err = cli(t, dir, "", quiet, "ingest", src)
	if err != nil {
		t.Fatalf("retry after freeing space: %v\n%s", err, tail(out))
	}
	if want := fmt.Sprintf("%d added, %d skipped, 0 failed", 300-n+1, n-1); !strings.Contains(out, want) {
		t.Errorf("retry: want %q\n%s", want, tail(out))
	}
	if n := checkStoreWhole(t, dir, nil); n != 301 {
		t.Errorf("after the retry %d articles, want 301", n)
	}
}

func tail(s string) string { return s[max(0, len(s)-600):] }
