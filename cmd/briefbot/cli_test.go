package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestIngestSizeCap is issue 14 item 4: files and standard input have the
// fetcher's 10 MiB cap, with --max-size to change it.
func TestIngestSizeCap(t *testing.T) {
	dir := t.TempDir()
	para := strings.Repeat("Harbour traffic rose by a tenth in May, the port said. ", 20) + "\n\n"
	text := "Harbour report\n\n" + strings.Repeat(para, 1300) // about 1.4 MB
	big := writeFile(t, filepath.Join(t.TempDir(), "big.txt"), text)
	huge := filepath.Join(t.TempDir(), "huge.txt")
	if err := os.WriteFile(huge, bytes.Repeat([]byte("word "), 2_200_000), 0o644); err != nil { // 11 MB
		t.Fatal(err)
	}
	tests := []struct {
		name, stdin string
		args        []string
		want        string
		ok          bool
	}{
		{"default cap, file", "", []string{"ingest", huge}, "the file is 10.5 MiB, over the 10 MiB limit; pass --max-size 11MiB to read it", false},
		{"default cap, stdin", strings.Repeat("word ", 2_200_000), []string{"ingest", "-"}, "standard input is over the 10 MiB limit; pass --max-size", false},
		{"lower cap, file", "", []string{"ingest", "--max-size", "1MiB", big}, "the file is 1.4 MiB, over the 1 MiB limit", false},
		{"lower cap, stdin", text, []string{"ingest", "--max-size", "1MiB", "-"}, "standard input is over the 1 MiB limit", false},
		{"raised cap", "", []string{"ingest", "--max-size", "2MiB", big}, "1 added", true},
		{"bad size", "", []string{"ingest", "--max-size", "lots", big}, "--max-size \"lots\"", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := cli(t, dir, tc.stdin, nil, tc.args...)
			if (err == nil) != tc.ok {
				t.Errorf("err = %v, want ok %v\n%s", err, tc.ok, out)
			}
			if got := out + fmt.Sprint(err); !strings.Contains(got, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, got)
			}
		})
	}
}

// TestProgressQuietOffTerminal: with stderr not a terminal (a pipe, a
// log, a buffer) ingest prints no progress; the display itself shows
// articles, passages and a rate.
func TestProgressQuietOffTerminal(t *testing.T) {
	dir := t.TempDir()
	_, stderr, err := cli(t, dir, "", nil, "ingest", genJSONL(t, 40))
	if err != nil {
		t.Fatal(err)
	}
	if stderr != "" {
		t.Errorf("ingest wrote to a non-terminal stderr:\n%s", stderr)
	}
	if p := newProgress(&bytes.Buffer{}); p != nil {
		t.Error("progress shown on a buffer")
	}
	var buf bytes.Buffer
	p := newProgressOn(&buf, 0)
	for range 3 {
		p.add(1, 4)
	}
	if s := buf.String(); !strings.Contains(s, "ingesting: 12 passages (3/-, ") || !strings.Contains(s, " articles/") {
		t.Errorf("progress display = %q, want articles, passages and a rate in articles per unit of time", s)
	}
}

// TestDataDirIsAFile is issue 14 item 5: --data naming a file says what to do.
func TestDataDirIsAFile(t *testing.T) {
	f := writeFile(t, filepath.Join(t.TempDir(), "notes.txt"), "x")
	_, _, err := cli(t, f, "", nil, "list")
	if err == nil || !strings.Contains(describe(err), "is a file, not a folder; pass --data DIR (or set BRIEFBOT_DATA) to a folder") {
		t.Errorf("list --data FILE: %v", err)
	}
}

// TestDatabaseURLUnusable: a BRIEFBOT_DATABASE_URL that cannot be parsed,
// or where no server answers, is named in the message with what to do,
// without its password, and nothing is written to the data directory.
func TestDatabaseURLUnusable(t *testing.T) {
	for _, tc := range []struct{ name, url, says, advice string }{
		{"not an address", "postgres://briefbot:s3cret@localhost:99999999/briefbot",
			"BRIEFBOT_DATABASE_URL: open store: not a PostgreSQL address such as postgres://user:password@host/briefbot: " +
				"cannot parse `postgres://briefbot:xxxxx@localhost:99999999/briefbot`: invalid port",
			"; fix it, or leave it unset to use SQLite in the data directory"},
		{"no server", "postgres://briefbot:s3cret@/briefbot?host=/nonexistent-briefbot-socket-dir",
			`open store: cannot reach PostgreSQL (database "briefbot" on /nonexistent-briefbot-socket-dir): `,
			"; check BRIEFBOT_DATABASE_URL and that the server is running"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			_, _, err := cliCtx(context.Background(), dir, "", map[string]string{"BRIEFBOT_DATABASE_URL": tc.url}, "list")
			if err == nil {
				t.Fatal("list succeeded")
			}
			msg := describe(err)
			if !strings.HasPrefix(msg, tc.says) || !strings.HasSuffix(msg, tc.advice) || strings.Contains(msg, "s3cret") {
				t.Errorf("message %q\nwant it to start %q and end %q, without the password", msg, tc.says, tc.advice)
			}
			if files, _ := os.ReadDir(dir); len(files) != 0 {
				t.Errorf("the data directory holds %v", files)
			}
		})
	}
}

// TestAskQuestionsFileChecked is issue 14 item 6: the whole --questions
// file is checked first; every bad line is reported, nothing is answered;
// an empty file is an error.
func TestAskQuestionsFileChecked(t *testing.T) {
	dir := t.TempDir()
	q := writeFile(t, filepath.Join(t.TempDir(), "q.jsonl"), strings.Join([]string{
		`{"id":"q1","question":"Which hacker groups did the EU denounce?"}`,
		`{"question":"No id here"}`,
		`{"id":"q1","question":"Same id again"}`,
		`{"id":"q3","question":""}`,
		`not json`,
		`{"id":"q5","question":"When?","question_date":"June 5"}`,
		`{"id":"q6","question":"What did NATO say?"}`,
	}, "\n"))
	out, _, err := cli(t, dir, "", nil, "ask", "--json", "--questions", q)
	if err == nil || exitCode(err) != 2 || out != "" {
		t.Fatalf("bad file: err %v, output %q; want exit 2 and no answers", err, out)
	}
	for _, want := range []string{"5 bad lines", "line 2: missing \"id\"", "line 3: id q1 is already used on line 1",
		"line 4: missing \"question\"", "line 5: not a JSON object", "line 6: \"question_date\" \"June 5\""} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	empty := writeFile(t, filepath.Join(t.TempDir(), "empty.jsonl"), "\n  \n")
	if _, _, err := cli(t, dir, "", nil, "ask", "--json", "--questions", empty); err == nil || !strings.Contains(err.Error(), "holds no questions") {
		t.Errorf("empty file: %v", err)
	}
}

// TestDefaultDataDir is issue 14 item 8: without BRIEFBOT_DATA or --data
// the store is the per-user data directory, whatever the current
// directory; list says which store it read; an empty store's refusal says
// how to add briefings.
func TestDefaultDataDir(t *testing.T) {
	xdg, home := t.TempDir(), t.TempDir()
	env := map[string]string{"XDG_DATA_HOME": xdg, "HOME": home}
	getenv := func(k string) string { return env[k] }
	var out, errw bytes.Buffer
	if err := run(context.Background(), []string{"list"}, getenv, stdio{in: strings.NewReader(""), out: &out, err: &errw}); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(xdg, "briefbot")
	if _, err := os.Stat(filepath.Join(want, "briefbot.db")); err != nil {
		t.Errorf("no store in %s: %v", want, err)
	}
	if !strings.Contains(out.String(), "1 article in "+want) {
		t.Errorf("list does not name the store:\n%s", out.String())
	}
	for _, tc := range []struct {
		goos string
		env  map[string]string
		want string
	}{
		{"linux", map[string]string{"HOME": "/home/u"}, "/home/u/.local/share/briefbot"},
		{"linux", map[string]string{"HOME": "/home/u", "XDG_DATA_HOME": "relative"}, "/home/u/.local/share/briefbot"},
		{"darwin", map[string]string{"HOME": "/Users/u"}, "/Users/u/Library/Application Support/briefbot"},
		{"windows", map[string]string{"LocalAppData": `C:\Users\u\AppData\Local`}, filepath.Join(`C:\Users\u\AppData\Local`, "briefbot")},
		{"linux", map[string]string{}, "data"},
	} {
		if got := dataDirFor(tc.goos, func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("dataDirFor(%s, %v) = %q, want %q", tc.goos, tc.env, got, tc.want)
		}
	}
	dir := t.TempDir()
	cli(t, dir, "", nil, "remove", "eu-china-cyber")
	_, stderr, err := cli(t, dir, "", nil, "ask", "Which hacker groups did the EU denounce?")
	if err != nil || !strings.Contains(stderr, "holds no briefings. Add some with `briefbot ingest") {
		t.Errorf("ask on an empty store: %v\n%s", err, stderr)
	}
}

// cancelWriter cancels when the output first shows an added article, as a
// user pressing Ctrl-C during an ingest does.
type cancelWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	cancel context.CancelFunc
}

func (w *cancelWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if bytes.Contains(p, []byte("added ")) {
		w.cancel()
	}
	return w.buf.Write(p)
}

// TestIngestInterrupted is issue 14 item 9's first point: SIGINT (the
// context main cancels) during an ingest prints one line, not a failure
// per article, exits 130, and a second run adds the rest.
func TestIngestInterrupted(t *testing.T) {
	dir := t.TempDir()
	src := genJSONL(t, 700)
	ctx, cancel := context.WithCancel(context.Background())
	w := &cancelWriter{cancel: cancel}
	getenv := func(k string) string {
		if k == "BRIEFBOT_DATA" {
			return dir
		}
		return ""
	}
	err := run(ctx, []string{"ingest", src}, getenv, stdio{in: strings.NewReader(""), out: w, err: &bytes.Buffer{}})
	out := w.buf.String()
	if err == nil || exitCode(err) != 130 || !strings.Contains(err.Error(), "run the same command again to add the rest") {
		t.Fatalf("interrupted ingest: %v (code %d)", err, exitCode(err))
	}
	if strings.Contains(out, "failed") && !strings.Contains(out, ", 0 failed") || strings.Contains(out, "context canceled") {
		t.Errorf("interruption reported as failures:\n%s", tail(out))
	}
	out, _, err = cli(t, dir, "", nil, "ingest", src)
	if err != nil {
		t.Fatalf("second ingest: %v\n%s", err, tail(out))
	}
	list, _, _ := cli(t, dir, "", nil, "list")
	if !strings.Contains(list, "701 articles") { // 700 and the sample
		t.Errorf("after the second run: %s", tail(list))
	}
}

// TestIngestCommandLine covers the rest of issue 14 item 9.
func TestIngestCommandLine(t *testing.T) {
	dir := t.TempDir()
	src := t.TempDir()
	md := writeFile(t, filepath.Join(src, "notes.txt"), "# Tram line approved\n\nThe council approved the tram line to Algés on Monday.\n")
	pdf, err := os.ReadFile("../../bot/testdata/survey.pdf")
	if err != nil {
		t.Fatal(err)
	}
	skipped := filepath.Join(src, "skipped")
	writeFile(t, filepath.Join(skipped, "photo.png"), "png")
	writeFile(t, filepath.Join(skipped, "README"), "readme")
	os.Symlink(src, filepath.Join(skipped, "loop"))
	tests := []struct {
		name, stdin string
		args        []string
		code        int
		want        []string
	}{
		{"file link", "", []string{"ingest", "file:///etc/hosts"}, 1, []string{"only http:// and https:// links are fetched"}},
		{"ftp link", "", []string{"ingest", "ftp://example.org/a.txt"}, 1, []string{"only http:// and https:// links"}},
		{"gopher link", "", []string{"ingest", "gopher://example.org/1"}, 1, []string{"only http:// and https:// links"}},
		{"javascript", "", []string{"ingest", "javascript:alert(1)"}, 1, []string{"only http:// and https:// links"}},
		{"--format applies to a path", "", []string{"ingest", "--format", "md", md}, 0, []string{`notes "Tram line approved"`}},
		{"--format pdf on stdin", string(pdf), []string{"ingest", "--format", "pdf", "-"}, 0, []string{`"Coastal erosion survey 2024"`}},
		{"folder of nothing readable", "", []string{"ingest", skipped}, 1, []string{
			`photo.png: ".png" files are not read; use one of .txt`, "README: no extension",
			"loop: a link to a folder, which is not followed", "no file here that briefbot reads"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := cli(t, dir, tc.stdin, nil, tc.args...)
			if exitCode(err) != tc.code && !(err == nil && tc.code == 0) {
				t.Errorf("exit %d (%v), want %d\n%s", exitCode(err), err, tc.code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out+fmt.Sprint(err), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, "no such file") {
				t.Errorf("a link was taken for a path:\n%s", out)
			}
		})
	}
}

// TestHelpAndVersion: every command's --help exits 0 and shows its
// arguments; version names the build.
func TestHelpAndVersion(t *testing.T) {
	dir := t.TempDir()
	for cmd, want := range map[string]string{
		"ask": "QUESTION", "ingest": "PATH|URL|-", "list": "--json", "remove": "ID...", "eval": "--questions FILE",
		"timeline": "TOPIC", "serve": "briefbot serve",
	} {
		out, _, err := cli(t, dir, "", nil, cmd, "--help")
		if err != nil || !strings.Contains(out, "Usage:") || !strings.Contains(out, want) || !strings.Contains(out, "-data") {
			t.Errorf("%s --help: %v\n%s", cmd, err, out)
		}
	}
	for _, h := range []string{"--help", "-h"} {
		out, _, err := cli(t, dir, "", nil, "feed", h)
		if err != nil || !strings.Contains(out, "Usage:") || !strings.Contains(out, "feed remove ID...") {
			t.Errorf("feed %s: %v\n%s", h, err, out)
		}
	}
	out, _, err := cli(t, dir, "", nil, "feed", "add", "-h")
	if err != nil || !strings.Contains(out, "feed add [--guild ID] URL") {
		t.Errorf("feed add -h: %v\n%s", err, out)
	}
	out, _, err = cli(t, dir, "", nil, "version")
	if err != nil || !strings.HasPrefix(out, "briefbot ") || !strings.Contains(out, "go1.") {
		t.Errorf("version: %v %q", err, out)
	}
	// A mistyped flag is an error, not a request for help: stdout (often a
	// pipe of JSON) stays empty.
	for _, args := range [][]string{{"ask", "--json", "--bogus", "q"}, {"list", "--json", "--guild", "abc"}, {"feed", "list", "--jsn"}} {
		out, _, err := cli(t, dir, "", nil, args...)
		if exitCode(err) != 2 || out != "" {
			t.Errorf("%v: exit %d, stdout %q; want exit 2 and nothing on stdout", args, exitCode(err), out)
		}
	}
}

// TestAskKBounds: -k outside 1..50 is a usage error.
func TestAskKBounds(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []string{"0", "-1", "100000"} {
		if _, _, err := cli(t, dir, "", nil, "ask", "-k", k, "What did the EU denounce?"); err == nil || exitCode(err) != 2 ||
			!strings.Contains(err.Error(), "from 1 to 50") {
			t.Errorf("-k %s: %v", k, err)
		}
	}
	if out, _, err := cli(t, dir, "", nil, "ask", "-k", "50", "Which hacker groups did the EU denounce?"); err != nil || !strings.Contains(out, "APT40") {
		t.Errorf("-k 50: %v\n%s", err, out)
	}
}

// TestIngestSIGINT sends a real SIGINT to a briefbot ingest process.
func TestIngestSIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	cmd := exec.Command(bin, "ingest", "--data", dir, genJSONL(t, 3000))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	var out strings.Builder
	for !strings.Contains(out.String(), "added ") {
		line, err := r.ReadString('\n')
		out.WriteString(line)
		if err != nil {
			t.Fatalf("ingest ended before adding anything: %v\n%s%s", err, out.String(), stderr.String())
		}
	}
	cmd.Process.Signal(os.Interrupt)
	rest, _ := io.ReadAll(r)
	out.Write(rest)
	err = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit code %d (%v), want 130", code, err)
	}
	if !strings.Contains(stderr.String(), "interrupted after") || !strings.Contains(stderr.String(), "run the same command again to add the rest") {
		t.Errorf("stderr = %q", stderr.String())
	}
	if strings.Contains(out.String(), "context canceled") || strings.Contains(out.String(), "failed  ") {
		t.Errorf("the interruption was reported as failures:\n%s", tail(out.String()))
	}
}
