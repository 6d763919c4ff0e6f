package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cli runs briefbot in-process with args against data directory dir.
func cli(t *testing.T, dir, stdin string, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	return cliCtx(context.Background(), dir, stdin, withStore(t, dir, env), args...)
}

func cliCtx(ctx context.Context, dir, stdin string, env map[string]string, args ...string) (string, string, error) {
	var out, errw bytes.Buffer
	getenv := func(k string) string {
		if k == "BRIEFBOT_DATA" {
			return dir
		}
		return env[k]
	}
	err := run(ctx, args, getenv, stdio{in: strings.NewReader(stdin), out: &out, err: &errw})
	return out.String(), errw.String(), err
}

func TestAskSampleFreshDataDir(t *testing.T) {
	dir := t.TempDir()
	out, _, err := cli(t, dir, "", nil, "ask", "Which hacker groups did the EU denounce?")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"APT40 and APT31", "[1]", "Sources:", "US, EU, Nato Condemn China’s ‘Malicious’ Cyber Activity", "2022-06-25", "briefbot sample"} {
		if !strings.Contains(out, want) {
			t.Errorf("answer lacks %q:\n%s", want, out)
		}
	}
	out, _, err = cli(t, dir, "", nil, "ask", "What is the capital of Peru?")
	if err != nil || strings.TrimSpace(out) != "The briefings don't cover this." {
		t.Errorf("Peru: got %q, %v; want the refusal sentence alone", out, err)
	}
}

func TestAskJSON(t *testing.T) {
	dir := t.TempDir()
	out, _, err := cli(t, dir, "", nil, "ask", "--json", "Which hacker groups did the EU denounce?")
	if err != nil {
		t.Fatal(err)
	}
	var ans jsonAnswer
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if ans.Mode != "extractive" || ans.Refused || len(ans.Citations) == 0 || len(ans.Passages) == 0 {
		t.Fatalf("got %+v", ans)
	}
	body := sampleBody(t)
	for _, c := range ans.Citations {
		if body[c.Start:c.End] != c.Quote || c.Published != "2022-06-25" || !c.Verified || c.N < 1 {
			t.Errorf("citation %+v: quote must be body[start:end] with date and n", c)
		}
		if len(c.Spans) != 1 || c.Spans[0].Start != c.Start || c.Spans[0].End != c.End {
			t.Errorf("citation %d spans %+v, want the one span %d:%d a whole verified quote shows", c.N, c.Spans, c.Start, c.End)
		}
	}
	q := filepath.Join(t.TempDir(), "q.jsonl")
	os.WriteFile(q, []byte(`{"id":"x1","question":"Which hacker groups did the EU denounce?"}`+"\n"+`{"id":7,"question":"What is the capital of Peru?","question_date":"2022-06-30"}`+"\n"), 0o600)
	out, _, err = cli(t, dir, "", nil, "ask", "--json", "--questions", q)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"id":"x1"`) || !strings.Contains(lines[1], `"id":7`) || !strings.Contains(lines[1], `"refused":true`) {
		t.Errorf("--questions output:\n%s", out)
	}
}

func sampleBody(t *testing.T) string {
	data, err := os.ReadFile("../../corpus/samples/eu-china-cyber.txt")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i := strings.Index(s, "Washington and its allies")
	return strings.TrimSpace(s[i:])
}

func TestIngestListRemove(t *testing.T) {
	dir := t.TempDir()
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "tram.md"), []byte("---\ntitle: Lisbon approves tram line\nurl: https://example.org/tram\npublished: 2024-05-02\n---\n\nThe council of Lisbon approved a tram line to Algés. It will cost 120 million euros.\n"), 0o600)
	os.MkdirAll(filepath.Join(src, "sub"), 0o700)
	os.WriteFile(filepath.Join(src, "sub", "port.txt"), []byte("May 3, 2024\n\nPorto port expands\n\nThe port of Leixões will add a cruise terminal for 50 ships a year.\n"), 0o600)
	os.WriteFile(filepath.Join(src, "notes.docx"), []byte("PK"), 0o600) // not a supported extension: reported, not read

	out, _, err := cli(t, dir, "", nil, "ingest", src)
	if err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	if !strings.Contains(out, "2 added, 1 skipped, 0 failed") || !strings.Contains(out, `notes.docx: ".docx" files are not read; use one of .txt`) {
		t.Errorf("ingest report:\n%s", out)
	}
	out, _, _ = cli(t, dir, "", nil, "ingest", src)
	if !strings.Contains(out, "0 added, 3 skipped") {
		t.Errorf("second ingest should skip the same content:\n%s", out)
	}
	out, _, _ = cli(t, dir, "", nil, "list")
	for _, want := range []string{"tram", "port", "eu-china-cyber", "3 articles", "2024-05-02"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	out, _, _ = cli(t, dir, "", nil, "ask", "How much will the Lisbon tram cost?")
	if !strings.Contains(out, "120 million euros") || !strings.Contains(out, "https://example.org/tram") {
		t.Errorf("ask after ingest:\n%s", out)
	}
	if out, _, err = cli(t, dir, "", nil, "remove", "tram"); err != nil || !strings.Contains(out, "removed tram") {
		t.Fatalf("remove: %v\n%s", err, out)
	}
	out, _, _ = cli(t, dir, "", nil, "ask", "How much will the Lisbon tram cost?")
	if !strings.Contains(out, "don't cover") {
		t.Errorf("ask after remove:\n%s", out)
	}
	if _, _, err = cli(t, dir, "", nil, "remove", "tram"); err == nil || exitCode(err) != 1 {
		t.Errorf("removing a missing ID: got %v, want exit 1", err)
	}
}

func TestIngestBadInputLeavesStore(t *testing.T) {
	dir := t.TempDir()
	cli(t, dir, "", nil, "list") // creates the store with the sample
	before, _, _ := cli(t, dir, "", nil, "list", "--json")
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(bad, []byte(`{"id":"ok1","title":"Fine","body":"A fine article about rain."}`+"\n{not json\n"), 0o600)
	tests := []struct {
		name, stdin string
		args        []string
		wantOut     string
		wantCode    int
	}{
		{"missing file", "", []string{"ingest", "/nonexistent/file.txt"}, "check the path", 1},
		{"malformed jsonl line", "", []string{"ingest", bad}, "line 2", 1},
		{"unsupported stdin format", "x", []string{"ingest", "--format", "docx", "-"}, "docx", 2},
		{"empty stdin", "   \n", []string{"ingest", "-"}, "failed", 1},
		{"no paths", "", []string{"ingest"}, "", 2},
		{"unknown flag", "", []string{"ingest", "--nope"}, "", 2},
		{"unknown command", "", []string{"frobnicate"}, "", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := cli(t, dir, tc.stdin, nil, tc.args...)
			if err == nil || exitCode(err) != tc.wantCode {
				t.Fatalf("got err %v (code %d), want exit %d", err, exitCode(err), tc.wantCode)
			}
			if !strings.Contains(out+err.Error(), tc.wantOut) {
				t.Errorf("output %q / error %q lacks %q", out, err, tc.wantOut)
			}
		})
	}
	after, _, _ := cli(t, dir, "", nil, "list", "--json")
	if before != after {
		t.Errorf("bad input changed the store:\nbefore %s\nafter %s", before, after)
	}
}

func TestTimelineCommand(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(t.TempDir(), "strike.jsonl")
	os.WriteFile(src, []byte(`{"id":"s1","title":"Dockers strike in Rotterdam","published":"2024-03-04","body":"Dockers in Rotterdam began a strike over pay on Monday."}
{"id":"s3","title":"Rotterdam dockers end strike","published":"2024-03-20","body":"The Rotterdam dockers strike ended after the union accepted a pay rise."}
{"id":"s2","title":"Rotterdam strike talks stall","published":"2024-03-12","body":"Talks to end the Rotterdam dockers strike stalled, the union said."}
`), 0o600)
	if _, _, err := cli(t, dir, "", nil, "ingest", src); err != nil {
		t.Fatal(err)
	}
	out, _, err := cli(t, dir, "", nil, "timeline", "Rotterdam dockers strike")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{"2024-03-04", "2024-03-12", "2024-03-20"}
	if len(lines) != len(want) {
		t.Fatalf("timeline:\n%s\nwant %d lines", out, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) || !strings.Contains(lines[i], "“") {
			t.Errorf("line %d %q, want it to start with %s and quote the article", i, lines[i], w)
		}
	}
	out, _, _ = cli(t, dir, "", nil, "timeline", "--date", "2024-03-13", "Rotterdam dockers strike")
	if strings.Contains(out, "2024-03-20") {
		t.Errorf("asked on 2024-03-13, the timeline shows a later article:\n%s", out)
	}
	out, _, err = cli(t, dir, "", nil, "timeline", "--json", "Rotterdam dockers strike")
	for i, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var c jsonCitation
		if err := json.Unmarshal([]byte(line), &c); err != nil || !c.Verified || len(c.Spans) != 1 {
			t.Errorf("timeline --json line %d %q: %v, want a verified citation with its span", i, line, err)
		}
	}
	out, errOut, err := cli(t, dir, "", nil, "timeline", "--json", "xyzzy")
	if err != nil || out != "" || !strings.Contains(errOut, "no dated quotes") {
		t.Errorf("timeline --json with nothing: stdout %q, stderr %q, %v; want no JSON line and the note on stderr", out, errOut, err)
	}
}

func TestDotEnvFallback(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	os.WriteFile(path, []byte("BRIEFBOT_TEST_ONLY_A=from-file\nBRIEFBOT_TEST_ONLY_B=from-file\n"), 0o600)
	t.Setenv("BRIEFBOT_TEST_ONLY_B", "from-env")
	getenv, err := envWithDotEnv(path)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := getenv("BRIEFBOT_TEST_ONLY_A"), getenv("BRIEFBOT_TEST_ONLY_B"); a != "from-file" || b != "from-env" {
		t.Errorf("got A=%q B=%q; want the file's A and the environment's B", a, b)
	}
	if _, err := envWithDotEnv(filepath.Join(t.TempDir(), "missing")); err != nil {
		t.Errorf("a missing .env: %v", err)
	}
}

func TestFlagsAfterArguments(t *testing.T) {
	dir := t.TempDir()
	out, _, err := cli(t, dir, "", nil, "ask", "Which hacker groups did the EU denounce?", "--json", "-k", "3")
	if err != nil {
		t.Fatal(err)
	}
	var ans jsonAnswer
	if err := json.Unmarshal([]byte(out), &ans); err != nil || len(ans.Passages) > 3 || ans.Question != "Which hacker groups did the EU denounce?" {
		t.Errorf("flags after the question were not read as flags: %v\n%s", err, out)
	}
	if _, _, err := cli(t, dir, "", nil, "ask", "question", "--nope"); exitCode(err) != 2 {
		t.Errorf("an unknown flag after the question: got %v, want exit 2", err)
	}
}
