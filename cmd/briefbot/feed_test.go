package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// allowLoopback lets the fetcher reach the test site on 127.0.0.1.
var allowLoopback = map[string]string{"BRIEFBOT_ALLOW_PRIVATE_URLS": "1"}

// newsSite serves the corpus fetch test pages on 127.0.0.1: /story.html is
// a news page with navigation, ads and a footer; /report.pdf a PDF;
// /rss.xml an RSS feed (with ETag, answering 304 to a matching
// If-None-Match) whose items are /news.html, a 404 page and /jsonld.html.
type newsSite struct {
	*httptest.Server
	mu       sync.Mutex
	notMod   int // 304 answers given
	requests int
}

func startNewsSite(t *testing.T) *newsSite {
	t.Helper()
	s := &newsSite{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *newsSite) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	files := map[string]struct{ file, ctype string }{
		"/story.html":  {"news.html", "text/html; charset=utf-8"},
		"/news.html":   {"news.html", "text/html; charset=utf-8"},
		"/jsonld.html": {"jsonld.html", "text/html; charset=utf-8"},
		"/report.pdf":  {"report.pdf", "application/pdf"},
		"/rss.xml":     {"rss.xml", "application/rss+xml"},
	}
	switch {
	case r.URL.Path == "/redirect":
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
		return
	case r.URL.Path == "/rss.xml" && r.Header.Get("If-None-Match") == `"rss-1"`:
		s.mu.Lock()
		s.notMod++
		s.mu.Unlock()
		w.WriteHeader(http.StatusNotModified)
		return
	}
	f, ok := files[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	data, err := os.ReadFile(filepath.Join("..", "..", "corpus", "testdata", "fetch", f.file))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if r.URL.Path == "/rss.xml" {
		data = []byte(strings.ReplaceAll(string(data), "{{BASE}}", "http://"+r.Host))
		w.Header().Set("ETag", `"rss-1"`)
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Write(data)
}

func (s *newsSite) counts() (requests, notModified int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, s.notMod
}

// askJSON asks one question and decodes the JSON answer.
// pageFurniture is text of the news page that is not the story.
var pageFurniture = []string{"Subscribe today", "garden furniture", "cheap flights", "Copyright", "Privacy policy",
	"Cookie settings", "Related stories", "Storm damages pier"}

// TestIngestURLThenAsk: a news page and a PDF ingested by URL answer
// questions with the page's real title, date and (canonical) URL, and no
// navigation, ad or footer text was stored.
func TestIngestURLThenAsk(t *testing.T) {
	site := startNewsSite(t)
	dir := t.TempDir()
	out, _, err := cli(t, dir, "", allowLoopback, "ingest", site.URL+"/story.html", site.URL+"/report.pdf")
	if err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	for _, want := range []string{
		`added   ` + site.URL + `/story.html: 127-0-0-1-story-html "Harbour council approves tidal barrier" (2025-03-04, `,
		`added   ` + site.URL + `/report.pdf: 127-0-0-1-report-pdf "Coastal erosion survey 2024" (2024-08-15, `,
		"2 added, 0 skipped, 0 failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("ingest report lacks %q:\n%s", want, out)
		}
	}
	tests := []struct {
		name, question, quote, title, date, url string
	}{
		{"news page", "How much will the tidal barrier cost?", "48 million euros",
			"Harbour council approves tidal barrier", "2025-03-04", site.URL + "/news/2025/harbour-barrier"},
		{"pdf", "How far did the cliff edge move back on average?", "half a metre",
			"Coastal erosion survey 2024", "2024-08-15", site.URL + "/report.pdf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ans := askJSON(t, dir, nil, tc.question)
			if ans.Refused || len(ans.Citations) == 0 || !strings.Contains(ans.Answer, tc.quote) {
				t.Fatalf("answer = %q (refused %v), want it to quote %q", ans.Answer, ans.Refused, tc.quote)
			}
			c := ans.Citations[0]
			if c.Title != tc.title || c.Published != tc.date || c.URL != tc.url || !c.Verified {
				t.Errorf("citation = %q, %s, %s (verified %v); want %q, %s, %s", c.Title, c.Published, c.URL, c.Verified, tc.title, tc.date, tc.url)
			}
			for _, junk := range pageFurniture {
				for _, p := range ans.Passages {
					if strings.Contains(p.Text, junk) {
						t.Errorf("passage %s holds page furniture %q", p.PassageID, junk)
					}
				}
				if strings.Contains(ans.Answer, junk) {
					t.Errorf("answer holds page furniture %q", junk)
				}
			}
		})
	}
	if ans := askJSON(t, dir, nil, "Where can I buy discount garden furniture?"); !ans.Refused {
		t.Errorf("a question about the page's ad was answered: %q; the ad should not be stored", ans.Answer)
	}
	// The plain answer shows the URL in its source line.
	out, _, err = cli(t, dir, "", nil, "ask", "How much will the tidal barrier cost?")
	if err != nil || !strings.Contains(out, "Harbour council approves tidal barrier — 2025-03-04") || !strings.Contains(out, site.URL+"/news/2025/harbour-barrier") {
		t.Errorf("ask: %v\n%s", err, out)
	}
}

// TestIngestURLErrors: bad links are refused with a reason, the command
// exits non-zero, and the store keeps only what it had.
func TestIngestURLErrors(t *testing.T) {
	site := startNewsSite(t)
	tests := []struct {
		name string
		env  map[string]string
		url  string
		want []string
	}{
		{"loopback refused by default", nil, site.URL + "/story.html",
			[]string{"briefbot refuses private and loopback addresses", "BRIEFBOT_ALLOW_PRIVATE_URLS=1", "127.0.0.1"}},
		{"IPv6 loopback refused", nil, "http://[::1]:9/story.html", []string{"briefbot refuses private and loopback addresses", "::1"}},
		{"cloud metadata refused", nil, "http://169.254.169.254/latest/meta-data", []string{"briefbot refuses private", "169.254.169.254"}},
		{"404", allowLoopback, site.URL + "/nothing-here", []string{"404 Not Found", "check the link"}},
		{"feed is not an article", allowLoopback, site.URL + "/rss.xml", []string{"news feed", "add it as a feed instead"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			before, _, err := cli(t, dir, "", nil, "list", "--json")
			if err != nil {
				t.Fatal(err)
			}
			out, _, err := cli(t, dir, "", tc.env, "ingest", tc.url)
			if err == nil || exitCode(err) == 0 {
				t.Errorf("ingest %s succeeded; want a non-zero exit\n%s", tc.url, out)
			}
			if !strings.Contains(out, "failed  "+tc.url+": ") || !strings.Contains(out, "0 added, 0 skipped, 1 failed") {
				t.Errorf("report does not name the failed URL:\n%s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("report lacks %q:\n%s", w, out)
				}
			}
			after, _, _ := cli(t, dir, "", nil, "list", "--json")
			if after != before {
				t.Errorf("store changed:\nbefore %s\nafter %s", before, after)
			}
		})
	}
}

func feedList(t *testing.T, dir string) []jsonFeed {
	t.Helper()
	out, _, err := cli(t, dir, "", nil, "feed", "list", "--json")
	if err != nil {
		t.Fatalf("feed list --json: %v", err)
	}
	var fs []jsonFeed
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatalf("feed list --json: %v\n%s", err, out)
	}
	return fs
}

// TestFeedCommands: add, poll (items become answerable), list, poll again
// (a conditional request, nothing added), a failing feed's error in the
// list, and remove.
func TestFeedCommands(t *testing.T) {
	site := startNewsSite(t)
	dir := t.TempDir()
	out, _, err := cli(t, dir, "", nil, "feed", "add", site.URL+"/rss.xml")
	if err != nil || !strings.Contains(out, "added feed 1: "+site.URL+"/rss.xml (global)") {
		t.Fatalf("feed add: %v\n%s", err, out)
	}
	if _, _, err := cli(t, dir, "", nil, "feed", "add", site.URL+"/rss.xml"); err == nil || !strings.Contains(err.Error(), "already stored as feed 1") {
		t.Errorf("adding the same feed again: err = %v, want a duplicate error naming feed 1", err)
	}
	if _, _, err := cli(t, dir, "", nil, "feed", "add", "example.com/rss"); err == nil || !strings.Contains(err.Error(), "http:// or https://") {
		t.Errorf("feed add without scheme: err = %v", err)
	}
	if fs := feedList(t, dir); len(fs) != 1 || fs[0].LastPolled != "" {
		t.Fatalf("before polling: %+v, want one never-polled feed", fs)
	}

	out, _, err = cli(t, dir, "", allowLoopback, "feed", "poll")
	if err != nil || !strings.Contains(out, "feed 1: 3 added") {
		t.Fatalf("first poll: %v\n%s", err, out)
	}
	ans := askJSON(t, dir, nil, "How many steps did Arne Lund climb at the north lighthouse?")
	if ans.Refused || !strings.Contains(ans.Answer, "143 steps") || ans.Citations[0].Title != "Lighthouse keeper retires after forty years" ||
		ans.Citations[0].Published != "2025-03-03" || ans.Citations[0].URL != site.URL+"/gone/lighthouse" {
		t.Errorf("answer from the feed item: %+v", ans)
	}
	ans = askJSON(t, dir, nil, "How much will the tidal barrier cost?")
	if ans.Refused || ans.Citations[0].URL != site.URL+"/news/2025/harbour-barrier" {
		t.Errorf("answer from the item's page: %q %+v", ans.Answer, ans.Citations)
	}
	list, _, _ := cli(t, dir, "", nil, "list", "--json")
	if n := strings.Count(list, `"added_by": "feed:1"`); n != 3 {
		t.Errorf("%d articles added by feed:1, want 3:\n%s", n, list)
	}

	out, _, err = cli(t, dir, "", allowLoopback, "feed", "poll")
	if err != nil || !strings.Contains(out, "feed 1: 0 added") {
		t.Errorf("second poll: %v\n%s", err, out)
	}
	if _, notMod := site.counts(); notMod != 1 {
		t.Errorf("the second poll got %d 304 answers, want 1 (a conditional request)", notMod)
	}

	cli(t, dir, "", nil, "feed", "add", "--guild", "4242", site.URL+"/missing.xml")
	out, _, err = cli(t, dir, "", allowLoopback, "feed", "poll")
	if err == nil || !strings.Contains(out, "feed 2: 0 added; error: ") || !strings.Contains(out, "404 Not Found") {
		t.Errorf("poll with a broken feed: %v\n%s", err, out)
	}
	fs := feedList(t, dir)
	if len(fs) != 2 || fs[0].ItemsAdded != 0 || fs[0].LastError != "" || fs[0].LastPolled == "" || fs[0].Title != "Northcoast Ledger: Local" ||
		fs[1].Scope != "4242" || !strings.Contains(fs[1].LastError, "404 Not Found") {
		t.Errorf("feed list --json = %+v", fs)
	}
	out, _, _ = cli(t, dir, "", nil, "feed", "list")
	for _, want := range []string{"LAST POLL", "ADDED", "LAST ERROR", site.URL + "/rss.xml", "global", "4242", "404 Not Found", "2 feeds"} {
		if !strings.Contains(out, want) {
			t.Errorf("feed list lacks %q:\n%s", want, out)
		}
	}

	out, _, err = cli(t, dir, "", nil, "feed", "remove", "1")
	if err != nil || !strings.Contains(out, "removed feed 1") {
		t.Errorf("feed remove 1: %v\n%s", err, out)
	}
	out, _, err = cli(t, dir, "", nil, "feed", "remove", "1")
	if err == nil || !strings.Contains(out, "no feed with ID 1") {
		t.Errorf("removing it again: %v\n%s", err, out)
	}
	if _, _, err := cli(t, dir, "", nil, "feed", "remove", "one"); exitCode(err) != 2 {
		t.Errorf("feed remove one: %v, want a usage error", err)
	}
	if fs := feedList(t, dir); len(fs) != 1 || fs[0].ID != 2 {
		t.Errorf("after remove: %+v, want feed 2 only", fs)
	}
	if ans := askJSON(t, dir, nil, "How many steps did Arne Lund climb at the north lighthouse?"); ans.Refused {
		t.Error("removing the feed removed its articles; they should stay")
	}
}

// TestFeedPollRefusesLoopback: with the default settings a feed on a
// loopback address is not fetched; the reason is in the feed list.
func TestFeedPollRefusesLoopback(t *testing.T) {
	site := startNewsSite(t)
	dir := t.TempDir()
	cli(t, dir, "", nil, "feed", "add", site.URL+"/rss.xml")
	out, _, err := cli(t, dir, "", nil, "feed", "poll")
	if err == nil || !strings.Contains(out, "briefbot refuses private and loopback addresses") {
		t.Errorf("poll: %v\n%s", err, out)
	}
	if req, _ := site.counts(); req != 0 {
		t.Errorf("the site got %d requests, want none", req)
	}
	if fs := feedList(t, dir); len(fs) != 1 || !strings.Contains(fs[0].LastError, "refuses private and loopback addresses") {
		t.Errorf("feed list = %+v, want the guard's message as last error", fs)
	}
}

func TestFeedIntervalSetting(t *testing.T) {
	tests := []struct {
		value string
		want  string // error text, or "" for none
	}{
		{"", ""},
		{"45s", ""},
		{"soon", `BRIEFBOT_FEED_INTERVAL="soon": want a positive duration such as 30m or 2h`},
		{"-5m", `BRIEFBOT_FEED_INTERVAL="-5m": want a positive duration`},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			_, _, err := cli(t, t.TempDir(), "", map[string]string{"BRIEFBOT_FEED_INTERVAL": tc.value}, "feed", "list")
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
	out, _, _ := cli(t, t.TempDir(), "", map[string]string{"BRIEFBOT_FEED_INTERVAL": "45s"}, "feed", "add", "https://news.example/rss")
	if !strings.Contains(out, "serve every 45s") {
		t.Errorf("feed add = %q, want the interval named", out)
	}
}
