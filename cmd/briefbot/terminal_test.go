package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/corpus/rawhttptest"
)

// TestTextOutputIsInert: titles, quotes and answers carrying escape
// sequences, line breaks and bidi overrides print escaped and on one
// bounded line in list, ask and timeline; JSON keeps the text exact.
func TestTextOutputIsInert(t *testing.T) {
	dir := t.TempDir()
	title := "\x1b]0;pwned\x07Harbour\nwall \u202eevil " + strings.Repeat("x", 10000)
	body := "The harbour wall \x1b[2J will be rebuilt by May, the council said. The harbour wall costs 12 million euros.\n"
	src := filepath.Join(t.TempDir(), "h.jsonl")
	line := `{"id":"h1","title":` + jsonString(title) + `,"published":"2024-03-04","body":` + jsonString(body) + "}\n"
	if err := os.WriteFile(src, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	ingested, _, err := cli(t, dir, "", nil, "ingest", src)
	if err != nil {
		t.Fatalf("ingest: %v\n%s", err, ingested)
	}
	for _, args := range [][]string{{"list"}, {"ask", "When will the harbour wall be rebuilt?"}, {"timeline", "harbour wall"}} {
		out, _, err := cli(t, dir, "", nil, args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if i := strings.IndexFunc(out, func(r rune) bool { return r != '\n' && (unicode.IsControl(r) || isBidiControl(r)) }); i >= 0 {
			t.Errorf("%v prints control character %q:\n%q", args, out[i:i+1], out)
		}
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "xxxx") && (utf8.RuneCountInString(l) > 400 || !strings.Contains(l, "Harbour wall")) {
				t.Errorf("%v: title line is %d characters, or split: %q", args, utf8.RuneCountInString(l), l[:min(len(l), 200)])
			}
		}
		if !strings.Contains(out, `\x1b]0;pwned\x07Harbour wall \u202eevil`) {
			t.Errorf("%v does not show the escaped title:\n%s", args, out[:min(len(out), 600)])
		}
	}
	out, _, _ := cli(t, dir, "", nil, "list", "--json")
	if !strings.Contains(out, `\u001b]0;pwned\u0007Harbour\nwall`) {
		t.Errorf("list --json does not keep the exact title: %s", out[:min(len(out), 300)])
	}
	removed, _, err := cli(t, dir, "", nil, "remove", "h1")
	if err != nil {
		t.Fatalf("remove: %v", err)
	}
	for what, out := range map[string]string{"ingest": ingested, "remove": removed} {
		if !strings.Contains(out, `\x1b]0;pwned\aHarbour wall \u202eevil xxx`) || strings.IndexFunc(out, func(r rune) bool { return r != '\n' && unicode.IsControl(r) }) >= 0 {
			t.Errorf("%s does not show the title escaped on one line: %.200q", what, out)
		}
		for _, l := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(l); n > 400 {
				t.Errorf("%s prints a line of %d characters: %.200q", what, n, l)
			}
		}
	}
}

// TestSourcesListEachArticleOnce: three quotes from one article give one
// Sources line with all three numbers.
func TestSourcesListEachArticleOnce(t *testing.T) {
	f := newFakeOpenAI(t)
	dir := t.TempDir()
	f.reply.Store(`The EU named "a group of hackers known as APT40 and APT31" [1]. NATO "took note" [1], and China called it "unfounded and irresponsible" [1].`)
	out, _, err := cli(t, dir, "", f.env(), "ask", "What did the EU and NATO say about the hackers?")
	if err != nil {
		t.Fatal(err)
	}
	_, sources, _ := strings.Cut(out, "Sources:\n")
	lines := strings.Split(strings.TrimSpace(sources), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "[1][2][3] US, EU, Nato Condemn") {
		t.Errorf("sources = %q, want one line for the one article, citing [1][2][3]\n%s", lines, out)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestFetchErrorsAreInert: a site that fails with a reason phrase full of
// terminal escape codes cannot reach the operator's terminal through the
// error lines of ingest and feed poll.
func TestFetchErrorsAreInert(t *testing.T) {
	base := rawhttptest.Serve(t, func(base, requestLine string) string {
		if strings.HasPrefix(requestLine, "GET /rss.xml ") {
			feed := `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>I</title><link>` + base + `/item</link></item></channel></rss>`
			return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(feed), feed)
		}
		return "HTTP/1.1 500 \x1b]0;PWNED\x07\x1b[2JGone\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
	})
	dir := t.TempDir()
	env := map[string]string{"BRIEFBOT_ALLOW_PRIVATE_URLS": "1"}
	if _, _, err := cli(t, dir, "", env, "feed", "add", base+"/rss.xml"); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"ingest", base + "/page"}, {"feed", "poll"}} {
		out, errOut, err := cli(t, dir, "", env, args...)
		all := out + errOut + fmt.Sprint(err)
		if !strings.Contains(all, "500") || strings.ContainsAny(all, "\x1b\x07") {
			t.Errorf("%v printed %q (err %v), want the failure without control characters", args, out+errOut, err)
		}
	}
}
