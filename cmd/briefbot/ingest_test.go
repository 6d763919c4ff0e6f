package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/corpus"
)

func writeFile(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func listJSON(t *testing.T, dir string) string {
	t.Helper()
	out, _, err := cli(t, dir, "", nil, "list", "--json")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestIngestSameNamedFiles is issue 14 item 1: files of the same name in
// different folders get different IDs; a changed file is replaced only
// with --replace and reported as "replaced"; a clash with another file's
// article never advises the step that would delete it.
func TestIngestSameNamedFiles(t *testing.T) {
	dir, src := t.TempDir(), t.TempDir()
	mon := writeFile(t, filepath.Join(src, "samename", "monday", "briefing.txt"), "Monday briefing\n\nFerries ran late on Monday because of fog.\n")
	writeFile(t, filepath.Join(src, "samename", "tuesday", "briefing.txt"), "Tuesday briefing\n\nThe tram strike ended on Tuesday.\n")
	out, _, err := cli(t, dir, "", nil, "ingest", filepath.Join(src, "samename"))
	if err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	for _, want := range []string{"monday-briefing \"Monday briefing\"", "tuesday-briefing \"Tuesday briefing\"", "2 added, 0 skipped, 0 failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("ingest report lacks %q:\n%s", want, out)
		}
	}

	// A newer version of the same file: --replace is the right advice.
	writeFile(t, mon, "Monday briefing\n\nFerries ran late on Monday because of thick fog.\n")
	out, _, err = cli(t, dir, "", nil, "ingest", filepath.Join(src, "samename"))
	if err == nil || !strings.Contains(out, "monday-briefing holds an earlier version") || !strings.Contains(out, "pass --replace") {
		t.Errorf("changed file without --replace: %v\n%s", err, out)
	}
	out, _, err = cli(t, dir, "", nil, "ingest", "--replace", filepath.Join(src, "samename"))
	if err != nil || !strings.Contains(out, "replaced "+mon+": monday-briefing") || !strings.Contains(out, "0 added, 1 replaced, 1 skipped, 0 failed") {
		t.Errorf("--replace: %v\n%s", err, out)
	}

	// Two different files named on their own both want the ID "briefing":
	// the second is refused without advice that would delete the first.
	one := writeFile(t, filepath.Join(src, "a", "briefing.txt"), "Harbour news\n\nThe harbour dredging finished in March.\n")
	two := writeFile(t, filepath.Join(src, "b", "briefing.txt"), "Rail news\n\nThe rail bridge reopened in April.\n")
	if out, _, err := cli(t, dir, "", nil, "ingest", one); err != nil {
		t.Fatalf("ingest %s: %v\n%s", one, err, out)
	}
	before := listJSON(t, dir)
	out, _, err = cli(t, dir, "", nil, "ingest", two)
	if err == nil || !strings.Contains(out, `the ID briefing is already used by another article, "Harbour news"`) || strings.Contains(out, "--replace") {
		t.Errorf("clash with another file: %v\n%s", err, out)
	}
	if after := listJSON(t, dir); after != before {
		t.Errorf("a refused ingest changed the store")
	}
}

// TestIngestFolderIDsUnique: issue 14 item 1 promises IDs unique across a
// folder. IDs drop the extension and case, so notes.md, notes.txt and
// NOTES.txt, or a/b-c.txt and a-b/c.txt, all in one folder, are five
// articles, not two added and three refused.
func TestIngestFolderIDsUnique(t *testing.T) {
	dir, src := t.TempDir(), t.TempDir()
	files := map[string]string{
		"NOTES.txt": "Harbour notes\n\nThe harbour dredging finished in March.\n",
		"notes.md":  "# School notes\n\nThe school meals budget rose by a tenth.\n",
		"notes.txt": "Rail notes\n\nThe rail bridge reopened in April.\n",
		"a/b-c.txt": "Ferry notes\n\nFerries ran late on Monday because of fog.\n",
		"a-b/c.txt": "Tram notes\n\nThe tram strike ended on Tuesday.\n",
	}
	for name, text := range files {
		writeFile(t, filepath.Join(src, "week", filepath.FromSlash(name)), text)
	}
	out, _, err := cli(t, dir, "", nil, "ingest", filepath.Join(src, "week"))
	if err != nil || !strings.Contains(out, "5 added, 0 skipped, 0 failed") {
		t.Fatalf("ingest of a folder whose file names differ only by extension, case or slash: %v\n%s", err, out)
	}
	for _, want := range []string{`notes "Harbour notes"`, `notes-md "School notes"`, `notes-txt "Rail notes"`,
		`a-b-c "Ferry notes"`, `a-b-c-txt "Tram notes"`} {
		if !strings.Contains(out, want) {
			t.Errorf("ingest report lacks %q:\n%s", want, out)
		}
	}
	out, _, err = cli(t, dir, "", nil, "ingest", filepath.Join(src, "week"))
	if err != nil || !strings.Contains(out, "0 added, 5 skipped, 0 failed") {
		t.Errorf("the same folder again: %v\n%s", err, out)
	}
}

// TestIngestJSONLRepeatedID is issue 14 item 2: a JSON Lines file with an
// id used twice adds nothing, and the error names both lines.
func TestIngestJSONLRepeatedID(t *testing.T) {
	dir := t.TempDir()
	cli(t, dir, "", nil, "list")
	before := listJSON(t, dir)
	f := writeFile(t, filepath.Join(t.TempDir(), "docs.jsonl"), `{"id":"a","title":"A","body":"Ferries ran late."}`+"\n"+
		`{"id":"b","title":"B","body":"Trams ran on time."}`+"\n"+`{"id":"a","title":"A again","body":"Buses were cancelled."}`+"\n")
	out, _, err := cli(t, dir, "", nil, "ingest", f)
	if err == nil || !strings.Contains(out, `line 3: id "a" is already used on line 1`) || !strings.Contains(out, "0 added, 0 skipped, 1 failed") {
		t.Errorf("repeated id: %v\n%s", err, out)
	}
	if after := listJSON(t, dir); after != before {
		t.Errorf("a file with a repeated id added articles:\n%s", after)
	}
}

// TestEveryFormatAcceptedByIngest is issue 17 item 1 for the command line:
// every format of corpus's registry is taken from a folder by its
// extensions, read from standard input with --format NAME, and listed in
// the refusal of other files. A format added to the registry without a
// sample here fails the test.
func TestEveryFormatAcceptedByIngest(t *testing.T) {
	pdf, err := os.ReadFile("../../bot/testdata/survey.pdf")
	if err != nil {
		t.Fatal(err)
	}
	samples := map[string]func(n int) string{
		"txt": func(n int) string {
			return fmt.Sprintf("Harbour traffic %d\n\nHarbour traffic rose by %d percent in May.", n, n)
		},
		"md": func(n int) string {
			return fmt.Sprintf("# Harbour traffic %d\n\nHarbour traffic rose by %d percent in May.", n, n)
		},
		"html": func(n int) string {
			return fmt.Sprintf("<html><head><title>Harbour %d</title></head><body><article><p>Harbour traffic rose by %d percent in May, the port authority said on Monday.</p></article></body></html>", n, n)
		},
		"jsonl": func(n int) string {
			return fmt.Sprintf(`{"id":"j%d","title":"Harbour %d","body":"Traffic rose by %d percent."}`, n, n, n)
		},
		"pdf": func(int) string { return string(pdf) },
	}
	dir, src := t.TempDir(), t.TempDir()
	n, files := 0, 0
	for _, f := range corpus.Formats() {
		sample, ok := samples[f.Name]
		if !ok {
			t.Errorf("format %q has no sample in this test; add one", f.Name)
			continue
		}
		for _, ext := range f.Extensions {
			n++
			files++
			writeFile(t, filepath.Join(src, fmt.Sprintf("doc%d%s", n, strings.ToUpper(ext))), sample(n))
		}
		n++
		out, _, err := cli(t, dir, sample(n), nil, "ingest", "--format", f.Name, "-")
		if err != nil && !strings.Contains(out, "already stored") {
			t.Errorf("--format %s on stdin: %v\n%s", f.Name, err, out)
		}
	}
	writeFile(t, filepath.Join(src, "notes.docx"), "PK")
	out, _, _ := cli(t, dir, "", nil, "ingest", src)
	if strings.Count(out, "added  ")+strings.Count(out, "already stored") != files {
		t.Errorf("not every registered extension was read from the folder (%d files):\n%s", files, out)
	}
	for _, f := range corpus.Formats() {
		for _, ext := range f.Extensions {
			if !strings.Contains(out, "notes.docx: \".docx\" files are not read; use one of") || !strings.Contains(out, ext) {
				t.Errorf("the refusal of notes.docx does not list %s:\n%s", ext, out)
			}
		}
	}
	_, _, err = cli(t, dir, "x", nil, "ingest", "--format", "docx", "-")
	if err == nil || !strings.Contains(err.Error(), corpus.FormatNames()) {
		t.Errorf("--format docx: %v, want the list %s", err, corpus.FormatNames())
	}
}

// TestIngestFileClashAddsNothing is issue 14 item 2 for an ID taken by an
// article stored from another file (or an earlier version of this one):
// the file is refused whole, naming the article, and the store is left as
// it was; --replace then replaces this file's own earlier version.
func TestIngestFileClashAddsNothing(t *testing.T) {
	dir := t.TempDir()
	src := t.TempDir()
	first := writeFile(t, filepath.Join(src, "first.jsonl"), `{"id":"x1","title":"X","body":"Ferries ran late on the coast."}`+"\n")
	if out, _, err := cli(t, dir, "", nil, "ingest", first); err != nil {
		t.Fatalf("first file: %v\n%s", err, out)
	}
	before := listJSON(t, dir)

	second := writeFile(t, filepath.Join(src, "second.jsonl"), `{"id":"y1","title":"Y","body":"Trams ran on time."}`+"\n"+
		`{"id":"x1","title":"X2","body":"Buses were cancelled in town."}`+"\n")
	out, _, err := cli(t, dir, "", nil, "ingest", second)
	if err == nil || !strings.Contains(out, "article 2 of 2: the ID x1 is already used by another article") ||
		!strings.Contains(out, "0 added, 0 skipped, 1 failed") || strings.Contains(out, "--replace") {
		t.Errorf("a file clashing with another file's article: %v\n%s", err, out)
	}
	if after := listJSON(t, dir); after != before {
		t.Errorf("the clashing file was added in part:\n%s", after)
	}

	writeFile(t, first, `{"id":"x1","title":"X","body":"Ferries ran late on the coast, again."}`+"\n"+
		`{"id":"w1","title":"W","body":"Wind closed the harbour."}`+"\n")
	out, _, err = cli(t, dir, "", nil, "ingest", first)
	if err == nil || !strings.Contains(out, "article 1 of 2: x1 holds an earlier version of this") ||
		!strings.Contains(out, "pass --replace") {
		t.Errorf("an edited file without --replace: %v\n%s", err, out)
	}
	if after := listJSON(t, dir); after != before {
		t.Errorf("the edited file was added in part:\n%s", after)
	}
	out, _, err = cli(t, dir, "", nil, "ingest", "--replace", first)
	if err != nil || !strings.Contains(out, "1 added, 1 replaced, 0 skipped, 0 failed") {
		t.Errorf("--replace of the file's own earlier version: %v\n%s", err, out)
	}
}
