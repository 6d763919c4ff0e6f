package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"math/rand/v2"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/corpus/pgtest"
)

// pgRuns maps the name of a test running on PostgreSQL to its databases,
// one per data directory the test uses (each directory stands for one
// deployment): cli and startServe then set BRIEFBOT_DATABASE_URL, so the
// same tests check that every command behaves alike on both stores.
var pgRuns sync.Map // root test name -> *pgRun

type pgRun struct {
	t   *testing.T
	mu  sync.Mutex
	dbs map[string]string // data directory -> database URL
}

// onPostgres runs fn (an existing SQLite test) with PostgreSQL as the
// store, and checks afterwards that no SQLite file was written.
func onPostgres(t *testing.T, fn func(*testing.T)) {
	t.Helper()
	pgtest.URL(t) // skips when no test PostgreSQL is configured
	run := &pgRun{t: t, dbs: map[string]string{}}
	pgRuns.Store(t.Name(), run)
	defer pgRuns.Delete(t.Name())
	fn(t)
	run.mu.Lock()
	defer run.mu.Unlock()
	if len(run.dbs) == 0 {
		t.Error("the test ran no command: nothing was checked on PostgreSQL")
	}
	for dir := range run.dbs {
		if _, err := os.Stat(filepath.Join(dir, corpus.DBFile)); err == nil {
			t.Errorf("an SQLite file was written in %s with BRIEFBOT_DATABASE_URL set", dir)
		}
	}
}

// withStore returns env with BRIEFBOT_DATABASE_URL set when t (or the
// test it belongs to) runs on PostgreSQL; else env unchanged.
func withStore(t *testing.T, dir string, env map[string]string) map[string]string {
	url := pgURLFor(t, dir)
	if url == "" {
		return env
	}
	out := map[string]string{"BRIEFBOT_DATABASE_URL": url}
	for k, v := range env {
		out[k] = v
	}
	return out
}

func pgURLFor(t *testing.T, dir string) string {
	name := t.Name()
	for {
		if v, ok := pgRuns.Load(name); ok {
			run := v.(*pgRun)
			run.mu.Lock()
			defer run.mu.Unlock()
			if run.dbs[dir] == "" {
				run.dbs[dir] = pgtest.URL(run.t)
			}
			return run.dbs[dir]
		}
		i := strings.LastIndex(name, "/")
		if i < 0 {
			return ""
		}
		name = name[:i]
	}
}

// openTestStore opens the store the commands of t use for dir.
func openTestStore(t *testing.T, dir string) store {
	t.Helper()
	s, err := dialStore(context.Background(), Config{DataDir: dir, DatabaseURL: pgURLFor(t, dir)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCommandsOnPostgres runs the command tests with BRIEFBOT_DATABASE_URL
// set: the answers, reports, errors and exit codes are the SQLite ones.
func TestCommandsOnPostgres(t *testing.T) {
	for name, fn := range map[string]func(*testing.T){
		"AskSampleFreshDataDir":     TestAskSampleFreshDataDir,
		"AskJSON":                   TestAskJSON,
		"IngestListRemove":          TestIngestListRemove,
		"IngestBadInputLeavesStore": TestIngestBadInputLeavesStore,
		"TimelineCommand":           TestTimelineCommand,
		"IngestURLThenAsk":          TestIngestURLThenAsk,
		"FeedCommands":              TestFeedCommands,
		"RemoveScoped":              TestRemoveScoped,
		"ServeRemoveOnlyOwnScope":   TestServeRemoveOnlyOwnScope,
	} {
		t.Run(name, func(t *testing.T) { onPostgres(t, fn) })
	}
}

// TestKillDuringIngestPostgres is TestKillDuringIngest on PostgreSQL:
// `briefbot ingest` killed with SIGKILL leaves only whole articles.
func TestKillDuringIngestPostgres(t *testing.T) {
	if _, err := os.Stat(realtimeQADocs); err != nil {
		t.Skip("../shared/eval is absent")
	}
	if testing.Short() {
		t.Skip("-short")
	}
	onPostgres(t, func(t *testing.T) {
		bin := buildBinary(t)
		for round := range 2 {
			dir := t.TempDir()
			cmd := exec.Command(bin, "ingest", "--data", dir, realtimeQADocs)
			cmd.Env = append(os.Environ(), "BRIEFBOT_DATABASE_URL="+pgURLFor(t, dir))
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Duration(500+rand.IntN(1500)) * time.Millisecond)
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			n := checkWhole(t, dir)
			t.Logf("round %d: %d articles present after kill -9", round, n)
		}
	})
}
