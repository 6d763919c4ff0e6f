package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/corpus/rawhttptest"
)

// testSite is a fake news site on 127.0.0.1 serving testdata/fetch and a few
// generated answers (errors, redirects, slow and huge bodies, PDFs).
type testSite struct {
	*httptest.Server
	mu          sync.Mutex
	hits        map[string]int // requests per path
	conditional []string       // If-None-Match and If-Modified-Since of each conditional feed request
	etag        string         // ETag the feeds answer with; "" turns conditional GET off
	hugeWritten atomic.Int64   // bytes the /huge handler managed to write
	inward      string         // what {{INWARD}} in a feed becomes
}

const (
	feedLastModified = "Wed, 05 Mar 2025 10:00:00 GMT"
	hugeTotal        = 64 << 20
)

func newTestSite(t *testing.T) *testSite {
	t.Helper()
	s := &testSite{hits: map[string]int{}, etag: `"feed-v1"`}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *testSite) hitCount(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *testSite) totalHits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.hits {
		n += v
	}
	return n
}

func (s *testSite) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	s.mu.Unlock()
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/status/"):
		code, _ := strconv.Atoi(strings.TrimPrefix(p, "/status/"))
		http.Error(w, "error page", code)
	case p == "/loop/a":
		http.Redirect(w, r, "/loop/b", http.StatusFound)
	case p == "/loop/b":
		http.Redirect(w, r, "/loop/a", http.StatusMovedPermanently)
	case strings.HasPrefix(p, "/chain/"):
		n, _ := strconv.Atoi(strings.TrimPrefix(p, "/chain/"))
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n+1), http.StatusFound)
	case p == "/redirect":
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	case p == "/drip":
		s.drip(w, r)
	case p == "/huge":
		s.huge(w, r.URL.Query().Get("length") == "declared")
	case p == "/binary.html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(pngBytes)
	case p == "/photo":
		w.Header().Set("Content-Type", "image/png")
		w.Write(pngBytes)
	case p == "/report.pdf":
		w.Header().Set("Content-Type", "application/pdf")
		w.Write(testPDF())
	case p == "/broken.pdf":
		w.Header().Set("Content-Type", "application/pdf")
		w.Write([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\nthis file was cut short"))
	case p == "/latin1.html":
		s.file(w, r, "latin1.html", "text/html; charset=ISO-8859-1")
	case strings.HasSuffix(p, ".xml"):
		s.feed(w, r, strings.TrimPrefix(p, "/"))
	case strings.HasSuffix(p, ".txt"):
		s.file(w, r, strings.TrimPrefix(p, "/"), "text/plain; charset=utf-8")
	case strings.HasSuffix(p, ".md"):
		s.file(w, r, strings.TrimPrefix(p, "/"), "text/markdown")
	default:
		s.file(w, r, strings.TrimPrefix(p, "/"), "text/html")
	}
}

func (s *testSite) file(w http.ResponseWriter, _ *http.Request, name, contentType string) {
	data, err := os.ReadFile(filepath.Join("testdata", "fetch", filepath.Base(name)))
	if err != nil {
		http.NotFound(w, nil)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Write(data)
}

// feed serves an XML file with {{BASE}} replaced by the site's URL, and
// answers 304 to a request that carries the current ETag or Last-Modified.
func (s *testSite) feed(w http.ResponseWriter, r *http.Request, name string) {
	data, err := os.ReadFile(filepath.Join("testdata", "fetch", filepath.Base(name)))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	etag := s.etag
	if r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "" {
		s.conditional = append(s.conditional, r.Header.Get("If-None-Match")+" | "+r.Header.Get("If-Modified-Since"))
	}
	s.mu.Unlock()
	if etag != "" {
		if r.Header.Get("If-None-Match") == etag || r.Header.Get("If-Modified-Since") == feedLastModified {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", feedLastModified)
	}
	data = bytes.ReplaceAll(data, []byte("{{BASE}}"), []byte(s.URL))
	data = bytes.ReplaceAll(data, []byte("{{INWARD}}"), []byte(s.inward))
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Write(data)
}

// drip sends the start of a page, then a byte every 20ms until the client
// gives up (bounded, so a broken client cannot keep the test running).
func (s *testSite) drip(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html")
	w.Write([]byte("<html><body><p>"))
	flusher := w.(http.Flusher)
	for i := 0; i < 500; i++ {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(20 * time.Millisecond):
		}
		if _, err := w.Write([]byte("x")); err != nil {
			return
		}
		flusher.Flush()
	}
}

// huge streams hugeTotal bytes of valid HTML, counting what it could write
// before the client stopped reading.
func (s *testSite) huge(w http.ResponseWriter, declared bool) {
	w.Header().Set("Content-Type", "text/html")
	if declared {
		w.Header().Set("Content-Length", strconv.Itoa(hugeTotal))
	}
	chunk := bytes.Repeat([]byte("<p>All work and no play makes a very long page.</p>\n"), 1024)
	for s.hugeWritten.Load() < hugeTotal {
		n, err := w.Write(chunk[:min(len(chunk), int(hugeTotal-s.hugeWritten.Load()))])
		s.hugeWritten.Add(int64(n))
		if err != nil {
			return
		}
	}
}

// pngBytes is the start of a PNG image: binary, whatever the server claims.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"),
	bytes.Repeat([]byte{0, 1, 2, 3, 0xff, 0xfe}, 200)...)

// testFetcher allows loopback addresses, since every test site is on
// 127.0.0.1; the guard tests use guardedFetcher instead.
func testFetcher(cfg FetchConfig) *Fetcher {
	cfg.AllowPrivate = true
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	return NewFetcher(cfg)
}

func TestFetchNewsPage(t *testing.T) {
	site := newTestSite(t)
	a, err := testFetcher(FetchConfig{}).Fetch(context.Background(), site.URL+"/news.html")
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if want := "Harbour council approves tidal barrier"; a.Title != want {
		t.Errorf("Title = %q, want %q", a.Title, want)
	}
	if want := site.URL + "/news/2025/harbour-barrier"; a.URL != want {
		t.Errorf("URL = %q, want the canonical %q", a.URL, want)
	}
	if want := "Northcoast Ledger"; a.Source != want {
		t.Errorf("Source = %q, want %q", a.Source, want)
	}
	if want := time.Date(2025, 3, 4, 8, 30, 0, 0, time.UTC); !a.Published.Equal(want) {
		t.Errorf("Published = %v, want %v", a.Published, want)
	}
	if want := "127-0-0-1-news-html"; a.ID != want {
		t.Errorf("ID = %q, want %q", a.ID, want)
	}
	if want := ContentHash(a.Title, a.Body); a.Hash != want {
		t.Errorf("Hash = %q, want ContentHash(title, body) %q", a.Hash, want)
	}
	for _, want := range []string{
		"The harbour council voted seven to two on Tuesday evening",
		"\n\nCost and funding\n\nThe project is expected to cost 48 million euros.",
		"\n\nWhat happens next\n\n",
		"the inner basin may close for several weeks.",
	} {
		if !strings.Contains(a.Body, want) {
			t.Errorf("Body lacks %q; body:\n%s", want, a.Body)
		}
	}
	for _, unwanted := range []string{"Subscribe today", "garden furniture", "Sponsored", "Copyright", "Privacy policy", "Cookie settings", "window.tracking"} {
		if strings.Contains(a.Body, unwanted) {
			t.Errorf("Body contains site furniture %q; body:\n%s", unwanted, a.Body)
		}
	}
	if strings.Contains(a.Body, "\n\n\n") || strings.Contains(a.Body, "  ") {
		t.Errorf("Body has stray blank lines or double spaces:\n%q", a.Body)
	}
}

func TestFetchPublishedDate(t *testing.T) {
	site := newTestSite(t)
	f := testFetcher(FetchConfig{})
	tests := []struct {
		name, path string
		want       time.Time
	}{
		{"JSON-LD datePublished in @graph", "/jsonld.html", time.Date(2024, 6, 17, 4, 0, 0, 0, time.UTC)},
		{"time element", "/timetag.html", time.Date(2023, 11, 2, 0, 0, 0, 0, time.UTC)},
		{"date line in the text", "/dateline.html", time.Date(2022, 5, 9, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := f.Fetch(context.Background(), site.URL+tc.path)
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if !a.Published.Equal(tc.want) {
				t.Errorf("Published = %v, want %v", a.Published, tc.want)
			}
			if a.Source != "127.0.0.1" {
				t.Errorf("Source = %q, want the host 127.0.0.1 (no og:site_name)", a.Source)
			}
		})
	}
}

func TestFetchCharsets(t *testing.T) {
	site := newTestSite(t)
	f := testFetcher(FetchConfig{})
	tests := []struct {
		name, path string
		want       []string
	}{
		{"ISO-8859-1 in Content-Type", "/latin1.html", []string{"café", "naïve", "«It isn't a naïve idea,»"}},
		{"windows-1252 in meta charset", "/cp1252.html", []string{"café", "naïve", "“It isn’t a naïve idea,”", "two euros — the same", "The owner’s plan"}},
		{"ISO-8859-1 in http-equiv, Windows-1252 bytes", "/latin1-equiv.html", []string{"café", "“It isn’t a naïve idea,”"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := f.Fetch(context.Background(), site.URL+tc.path)
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if want := "A café at the station"; a.Title != want {
				t.Errorf("Title = %q, want %q", a.Title, want)
			}
			for _, w := range tc.want {
				if !strings.Contains(a.Body, w) {
					t.Errorf("Body lacks %q; body:\n%s", w, a.Body)
				}
			}
		})
	}
}

func TestFetchTextAndMarkdown(t *testing.T) {
	site := newTestSite(t)
	f := testFetcher(FetchConfig{})
	tests := []struct {
		name, path, title, bodyStart string
	}{
		{"plain text", "/story.txt", "Night buses return to the coast road", "The night bus between the harbour"},
		{"markdown", "/story.md", "Volunteers clean the north beach", "About ninety volunteers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := f.Fetch(context.Background(), site.URL+tc.path)
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if a.Title != tc.title {
				t.Errorf("Title = %q, want %q", a.Title, tc.title)
			}
			if !strings.HasPrefix(a.Body, tc.bodyStart) {
				t.Errorf("Body starts %q, want %q", a.Body[:min(len(a.Body), 40)], tc.bodyStart)
			}
			if want := site.URL + tc.path; a.URL != want {
				t.Errorf("URL = %q, want %q", a.URL, want)
			}
			if a.Source != "127.0.0.1" {
				t.Errorf("Source = %q, want 127.0.0.1", a.Source)
			}
		})
	}
}

func TestFetchErrors(t *testing.T) {
	site := newTestSite(t)
	tests := []struct {
		name string
		path string // or a full URL
		cfg  FetchConfig
		is   error
		msg  []string
	}{
		{"404", "/status/404", FetchConfig{}, ErrFetch, []string{"404 Not Found", "check the link"}},
		{"500", "/status/500", FetchConfig{}, ErrFetch, []string{"500 Internal Server Error", "try again later"}},
		{"timeout on a slow drip", "/drip", FetchConfig{Timeout: 300 * time.Millisecond}, ErrFetch, []string{"no complete answer within 300ms"}},
		{"redirect loop", "/loop/a", FetchConfig{}, ErrFetch, []string{"redirect loop", "/loop/a"}},
		{"too many redirects", "/chain/0", FetchConfig{}, ErrFetch, []string{"stopped after 5 redirects"}},
		{"script-only page", "/script-only.html", FetchConfig{}, ErrEmpty, []string{"JavaScript"}},
		{"binary served as HTML", "/binary.html", FetchConfig{}, ErrUnsupportedSource, []string{"served as text/html but the content is binary (image/png)"}},
		{"image", "/photo", FetchConfig{}, ErrUnsupportedSource, []string{`content type "image/png" is not supported`}},
		{"malformed PDF", "/broken.pdf", FetchConfig{}, ErrUnsupportedSource, []string{"the PDF could not be read"}},
		{"feed given as a page", "/rss.xml", FetchConfig{}, ErrUnsupportedSource, []string{"feed", "add it as a feed"}},
		{"not http", "ftp://127.0.0.1/file.txt", FetchConfig{}, ErrUnsupportedSource, []string{`"ftp" links cannot be fetched`}},
		{"file URL", "file:///etc/passwd", FetchConfig{}, ErrUnsupportedSource, []string{"only http and https"}},
		{"no host", "http:///path", FetchConfig{}, ErrUnsupportedSource, []string{"no host name"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := tc.path
			if strings.HasPrefix(u, "/") {
				u = site.URL + u
			}
			_, err := testFetcher(tc.cfg).Fetch(context.Background(), u)
			checkFetchErr(t, err, tc.is, append([]string{"fetch " + u + ": "}, tc.msg...))
		})
	}
}

// TestFetchRefusalListsRegisteredFormats is issue 17 item 1 for links:
// the refusal of a content type no format reads lists the content types of
// every format of the registry a link may be (all but jsonl, a file of
// several articles, which is refused as a link with its own advice), so a
// format added to the registry is named without editing the message.
func TestFetchRefusalListsRegisteredFormats(t *testing.T) {
	site := newTestSite(t)
	_, err := testFetcher(FetchConfig{}).Fetch(context.Background(), site.URL+"/photo")
	var want []string
	for _, f := range Formats() {
		if f.Name != "jsonl" {
			want = append(want, f.MediaTypes[0])
		}
	}
	checkFetchErr(t, err, ErrUnsupportedSource, want)
	if strings.Contains(err.Error(), "jsonl") {
		t.Errorf("refusal %q offers JSON Lines, which a link may not be", err)
	}
}

func checkFetchErr(t *testing.T, err, is error, msg []string) {
	t.Helper()
	if !errors.Is(err, is) {
		t.Fatalf("error = %v, want one wrapping %q", err, is)
	}
	for _, m := range msg {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("error %q does not say %q", err, m)
		}
	}
}

// TestFetchStopsAtSizeCap checks both a declared and an undeclared length:
// the fetch fails with ErrTooLarge, and the server could not push the
// whole body, so the client stopped reading.
func TestFetchStopsAtSizeCap(t *testing.T) {
	for _, mode := range []string{"declared", "streamed"} {
		t.Run(mode, func(t *testing.T) {
			site := newTestSite(t)
			f := testFetcher(FetchConfig{MaxBytes: 1 << 20})
			_, err := f.Fetch(context.Background(), site.URL+"/huge?length="+mode)
			checkFetchErr(t, err, ErrTooLarge, []string{"over the 1 MB limit"})
			site.Close() // waits for the handler to return
			if got := site.hugeWritten.Load(); got >= hugeTotal {
				t.Errorf("server wrote all %d bytes; the client should stop reading at the cap", got)
			}
		})
	}
}

func TestURLID(t *testing.T) {
	long := "https://example.com/" + strings.Repeat("very-long-section-name/", 8) + "story-123"
	tests := []struct {
		name, url, want string
	}{
		{"host and path", "https://www.example.com/news/story-123", "example-com-news-story-123"},
		{"query kept", "http://example.com/article.php?id=42", "example-com-article-php-id-42"},
		{"root", "http://example.com/", "example-com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := url.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			if got := urlID(u); got != tc.want {
				t.Errorf("urlID(%q) = %q, want %q", tc.url, got, tc.want)
			}
		})
	}
	a, _ := url.Parse(long)
	b, _ := url.Parse(long + "4")
	idA, idB := urlID(a), urlID(b)
	if !strings.HasPrefix(idA, "example-com-very-long-section-name-") || !regexp.MustCompile(`-[0-9a-f]{8}$`).MatchString(idA) || len(idA) > 80 {
		t.Errorf("urlID(long) = %q, want the slug start, a hash suffix and at most 80 bytes", idA)
	}
	if idA == idB {
		t.Errorf("two long URLs that differ at the end got the same ID %q", idA)
	}
}

// hostileStatusServer answers every request with status 500 and a reason
// phrase holding terminal escape codes and Markdown.
func hostileStatusServer(t *testing.T) string {
	t.Helper()
	return rawhttptest.Serve(t, func(_, _ string) string {
		return "HTTP/1.1 500 \x1b]0;PWNED\x07\x1b[2J[Gone](https://evil.example)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
	})
}

// TestFetchErrorShowsNoReasonPhrase: a failed fetch names the status by
// its code and standard text, never the server's own reason phrase, which
// could hold escape codes for the operator's terminal or Markdown for
// Discord.
func TestFetchErrorShowsNoReasonPhrase(t *testing.T) {
	_, err := testFetcher(FetchConfig{}).Fetch(context.Background(), hostileStatusServer(t)+"/page")
	if !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "500 Internal Server Error") ||
		strings.ContainsAny(err.Error(), "\x1b\x07") || strings.Contains(err.Error(), "evil.example") {
		t.Errorf("err = %q, want the status as 500 Internal Server Error and nothing of the server's text", err)
	}
}
