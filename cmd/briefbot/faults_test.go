package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
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
		firstAdded := make(chan struct{})
		go func() {
			var ls []string
			seen := false
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if !seen && strings.HasPrefix(sc.Text(), "added ") {
					seen = true
					close(firstAdded)
				}
				ls = append(ls, sc.Text())
			}
			lines <- ls
		}()
		// Even rounds kill at a random moment from the start; odd rounds
		// kill a random moment after the first article is reported, so
		// that some kills land mid-ingest however slow a busy machine is
		// to start.
		delay := time.Duration(50+r.IntN(2500)) * time.Millisecond
		if round%2 == 1 {
			select {
			case <-firstAdded:
			case <-time.After(60 * time.Second):
			}
			delay = time.Duration(r.IntN(1000)) * time.Millisecond
		}
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

// brokenOpenAI is an OpenAI-compatible server on 127.0.0.1 that fails on
// purpose: embeddings fail (503) after failAfter requests when failAfter
// > 0, and chat answers are broken the way chat says.
type brokenOpenAI struct {
	*fakeOpenAI
	failAfter atomic.Int64
	chat      atomic.Value // string: "garbage json", "truncated", "html"
}

func newBrokenOpenAI(t *testing.T) *brokenOpenAI {
	b := &brokenOpenAI{fakeOpenAI: newFakeOpenAI(t)}
	b.chat.Store("")
	next := b.srv.Config.Handler
	b.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/embeddings"):
			if n := b.failAfter.Load(); n > 0 && b.embeddings.Load() >= n {
				w.Header().Set("Retry-After", "0") // retries come at once: the test stays fast
				http.Error(w, `{"error":{"message":"overloaded","type":"server_error"}}`, http.StatusServiceUnavailable)
				return
			}
		case strings.HasSuffix(r.URL.Path, "/chat/completions") && b.chat.Load() != "":
			b.chats.Add(1)
			brokenChat(w, b.chat.Load().(string))
			return
		}
		next.ServeHTTP(w, r)
	})
	return b
}

func brokenChat(w http.ResponseWriter, how string) {
	switch how {
	case "html":
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>502 Bad Gateway</body></html>")
	case "garbage json":
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"The EU \"}}]}\n\n")
		fmt.Fprint(w, "data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\n\n")
		fmt.Fprint(w, "data: [DONE]\n\n")
	case "truncated":
		// Half an answer, then the connection drops: no [DONE].
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"The EU named \\\"a group of hackers\"}}]}\n\n")
		w.(http.Flusher).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}
}

// TestLLMBrokenAnswersFallBack: a garbage JSON stream, a stream cut off
// half-way and an HTML error page with status 200 all give the user the
// verified extractive answer with a note, never the broken text.
func TestLLMBrokenAnswersFallBack(t *testing.T) {
	b := newBrokenOpenAI(t)
	dir := t.TempDir()
	body := sampleBody(t)
	for _, how := range []string{"garbage json", "truncated", "html"} {
		t.Run(how, func(t *testing.T) {
			b.chat.Store(how)
			before := b.chats.Load()
			ans := askJSON(t, dir, b.env(), "Which hacker groups did the EU denounce?")
			if b.chats.Load() == before {
				t.Fatalf("the LLM was not asked")
			}
			if ans.Mode != "extractive" || !strings.Contains(ans.Note, "could not answer") || !strings.Contains(ans.Answer, "APT40 and APT31") {
				t.Fatalf("mode %q note %q answer %q; want the extractive answer with a note", ans.Mode, ans.Note, ans.Answer)
			}
			for _, c := range ans.Citations {
				if !c.Verified || body[c.Start:c.End] != c.Quote {
					t.Errorf("citation %+v is not verified stored text", c)
				}
			}
			t.Logf("note: %s", ans.Note)
		})
	}
}

// TestEmbeddingAPIFailsDuringIngest: the embedding API starts failing
// half-way through an ingest. The ingest exits non-zero with an error
// naming the server and what to check; no article is half-added; the same
// ingest run later, with the API back, adds the rest and nothing twice.
func TestEmbeddingAPIFailsDuringIngest(t *testing.T) {
	b := newBrokenOpenAI(t)
	env := b.env()
	env["BRIEFBOT_EMBEDDER"] = "openai"
	dir := t.TempDir()
	cli(t, dir, "", env, "list") // the sample
	src := genJSONL(t, 1000)
	b.failAfter.Store(b.embeddings.Load() + 2)
	out, _, err := cli(t, dir, "", env, "ingest", src)
	if err == nil {
		t.Fatalf("ingest succeeded with a failing API:\n%s", tail(out))
	}
	if !strings.Contains(out, "HTTP 503") || !strings.Contains(out, "check that it is running") {
		t.Errorf("ingest output does not say the API failed and what to check:\n%s", tail(out))
	}
	added := addedIDs(strings.Split(out, "\n"))
	if len(added) == 0 || len(added) == 1000 {
		t.Fatalf("%d articles added; the API should fail half-way", len(added))
	}
	t.Logf("API failing after 2 requests: %d added; %s", len(added), tail(out)[max(0, len(tail(out))-200):])

	ctx := context.Background()
	store, err := corpus.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	stored := 0
	err = store.Each(ctx, "openai:"+rag.DefaultEmbedModel, func(l corpus.Loaded) error {
		stored++
		if countMissing(l.Vectors) > 0 || len(l.Passages) != len(corpus.Split(l.Article)) {
			return fmt.Errorf("%s is half-added: %d passages, %d without a vector", l.Article.ID, len(l.Passages), countMissing(l.Vectors))
		}
		return nil
	})
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	if stored != len(added)+1 {
		t.Errorf("%d articles stored, want the %d reported added and the sample", stored, len(added))
	}

	b.failAfter.Store(0)
	out, _, err = cli(t, dir, "", env, "ingest", src)
	if want := fmt.Sprintf("%d added, %d skipped, 0 failed", 1000-len(added), len(added)); err != nil || !strings.Contains(out, want) {
		t.Fatalf("retry: %v, want %q\n%s", err, want, tail(out))
	}
	if ans := askJSON(t, dir, env, "Which report mentions marker999x1x2?"); len(ans.Citations) == 0 || ans.Citations[0].ArticleID != "gen-999" {
		t.Errorf("after the retry: %+v", ans)
	}
}

func countMissing(vs [][]float32) int {
	n := 0
	for _, v := range vs {
		if v == nil {
			n++
		}
	}
	return n
}
