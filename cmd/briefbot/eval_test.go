package main

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// evalSet writes a small evaluation set: three articles, two questions
// they answer and one they don't. It returns the docs and questions files.
func evalSet(t *testing.T) (docs, questions string) {
	t.Helper()
	dir := t.TempDir()
	docs, questions = filepath.Join(dir, "docs.jsonl"), filepath.Join(dir, "questions.jsonl")
	write := func(path string, lines ...string) {
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(docs,
		`{"id": "ferry", "title": "Harbour ferry returns", "source": "Port Gazette", "published": "2024-03-01", "body": "The harbour ferry resumes service on Monday after repairs to its hull. Crossings run every twenty minutes."}`,
		`{"id": "tram", "title": "Airport tram approved", "source": "City Desk", "published": "2024-03-02", "body": "The council approved a tram line to the airport costing 120 million euros. Building starts next spring."}`,
		`{"id": "library", "title": "Library hours extended", "source": "City Desk", "published": "2024-03-03", "body": "The central library now opens until ten at night on weekdays, the council said."}`)
	write(questions,
		`{"id": 1, "question": "When does the harbour ferry resume service?", "answers": ["Monday"], "evidence_doc_ids": ["ferry"], "answerable": true}`,
		`{"id": 2, "question": "How much will the airport tram line cost?", "answers": ["120 million euros"], "evidence_doc_ids": ["tram"], "answerable": true}`,
		`{"id": 3, "question": "Who won the chess olympiad in Budapest?", "answers": [], "evidence_doc_ids": [], "answerable": false}`)
	return docs, questions
}

// evalJSON runs `briefbot eval --docs … --json` against data directory dir
// with env and returns its report.
func evalJSON(t *testing.T, dir string, env map[string]string, docs, questions string) (evalReport, string) {
	t.Helper()
	out, stderr, err := cliCtx(context.Background(), dir, "", env, "eval", "--docs", docs, "--questions", questions, "--json")
	if err != nil {
		t.Fatalf("eval: %v\n%s", err, stderr)
	}
	var rep evalReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("eval --json printed no report: %v\n%s", err, out)
	}
	return rep, out
}

// TestEvalDocs: eval scores a set it ingests into a throwaway store: both
// answerable questions find their article first and are answered, the
// other is refused, and the user's data directory is left without a store.
func TestEvalDocs(t *testing.T) {
	docs, questions := evalSet(t)
	dir := t.TempDir()
	rep, out := evalJSON(t, dir, nil, docs, questions)
	if rep.N != 3 || rep.NAnswerable != 2 || rep.AnswerHit != 1 || rep.Refusal != 1 || rep.FalseRefusal != 0 {
		t.Errorf("report %s\nwant 3 questions, 2 answerable, both answered, the third refused", out)
	}
	for _, m := range rep.Retrieval {
		if m.Recall1 != 1 {
			t.Errorf("%s recall@1 = %v, want 1: each question's article is the obvious first", m.Mode, m.Recall1)
		}
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("eval --docs wrote %v into the data directory", files)
	}
}

// TestEvalDocsOnPostgres: with BRIEFBOT_DATABASE_URL set, eval --docs
// prints the very report the SQLite run prints, writes no file at all (its
// temporary folder is made unusable: an SQLite scratch file there would
// fail the run) and leaves the PostgreSQL store untouched.
func TestEvalDocsOnPostgres(t *testing.T) {
	docs, questions := evalSet(t)
	_, want := evalJSON(t, t.TempDir(), nil, docs, questions)
	onPostgres(t, func(t *testing.T) {
		blocker := filepath.Join(t.TempDir(), "a-file")
		if err := os.WriteFile(blocker, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("TMPDIR", filepath.Join(blocker, "tmp")) // below a file: nothing can be created there
		dir := t.TempDir()
		_, got := evalJSON(t, dir, withStore(t, dir, nil), docs, questions)
		if got != want {
			t.Errorf("on PostgreSQL eval printed\n%s\nwith SQLite\n%s", got, want)
		}
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				t.Errorf("eval --docs wrote %s", path)
			}
			return nil
		})
		s := openTestStore(t, dir)
		defer s.Close()
		if empty, err := s.IsEmpty(context.Background()); err != nil || !empty {
			t.Errorf("the PostgreSQL store after eval --docs: empty %v (%v), want untouched", empty, err)
		}
	})
}
