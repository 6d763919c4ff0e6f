package corpus

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// Sentinel errors of fetching, besides ErrEmpty, ErrUnsupportedSource and
// ErrBlockedAddress.
var (
	// ErrFetch: the site did not give us the page (HTTP error status,
	// timeout, connection failure, too many redirects).
	ErrFetch = errors.New("the page could not be fetched")
	// ErrTooLarge: the response is over FetchConfig.MaxBytes.
	ErrTooLarge = errors.New("too large")
)

// FetchConfig bounds what one fetch may cost. The zero value of each field
// means its default.
type FetchConfig struct {
	Timeout      time.Duration // whole request including the body; default 20s
	MaxBytes     int64         // response body cap; default 10 MB
	MaxRedirects int           // default 5
	UserAgent    string        // default "briefbot/1.0 (+self-hosted news briefing bot)"
	// AllowPrivate lets URLs reach loopback and private addresses
	// (BRIEFBOT_ALLOW_PRIVATE_URLS=1). Off by default: see ErrBlockedAddress.
	AllowPrivate bool
	// ReadPDF extracts a downloaded PDF; serve and the CLI pass
	// (*Sandbox).ExtractPDF so that a hostile PDF can only end a child
	// process. Nil reads it in this process, under the same caps.
	ReadPDF func(ctx context.Context, data []byte) (Article, error)

	// Feed polling (see PollFeeds).
	MaxItemsPerPoll int              // new items tried per feed per poll; default 20
	ItemTimeout     time.Duration    // per item: fetch, read and store; default 45s
	HostGap         time.Duration    // between two poll requests to one host; default 500ms
	Now             func() time.Time // the clock failed items wait by; default time.Now
}

const (
	defaultTimeout      = 20 * time.Second
	defaultMaxBytes     = 10 << 20
	defaultMaxRedirects = 5
	defaultUserAgent    = "briefbot/1.0 (+self-hosted news briefing bot)"
	defaultItemTimeout  = 45 * time.Second
	defaultHostGap      = 500 * time.Millisecond
	// DefaultMaxItemsPerPoll is how many new items of one feed a poll
	// tries (BRIEFBOT_MAX_ITEMS_PER_POLL).
	DefaultMaxItemsPerPoll = 20
)

// Fetcher downloads articles and feeds. One Fetcher holds one HTTP client
// whose every connection goes through the address guard. It is safe for
// concurrent use.
type Fetcher struct {
	cfg    FetchConfig
	guard  *guard
	hosts  *hostGate
	client *http.Client
}

// NewFetcher returns a Fetcher with cfg's zero fields set to their defaults.
// Proxy environment variables are ignored: a proxy would make the dial-time
// address check see the proxy's address instead of the site's.
func NewFetcher(cfg FetchConfig) *Fetcher {
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = defaultMaxBytes
	}
	if cfg.MaxRedirects <= 0 {
		cfg.MaxRedirects = defaultMaxRedirects
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = defaultUserAgent
	}
	if cfg.MaxItemsPerPoll <= 0 {
		cfg.MaxItemsPerPoll = DefaultMaxItemsPerPoll
	}
	if cfg.ItemTimeout <= 0 {
		cfg.ItemTimeout = defaultItemTimeout
	}
	if cfg.HostGap <= 0 {
		cfg.HostGap = defaultHostGap
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	f := &Fetcher{cfg: cfg, guard: &guard{allowPrivate: cfg.AllowPrivate}, hosts: newHostGate(cfg.HostGap)}
	transport := &http.Transport{
		Proxy:                  nil,
		DialContext:            f.guard.newDialer(cfg.Timeout).DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    cfg.Timeout,
		ResponseHeaderTimeout:  cfg.Timeout,
		MaxResponseHeaderBytes: 1 << 20,
		MaxIdleConns:           10,
		IdleConnTimeout:        90 * time.Second,
	}
	f.client = &http.Client{Transport: transport, Timeout: cfg.Timeout, CheckRedirect: f.checkRedirect}
	return f
}

// Fetch downloads rawURL and extracts its article: HTML pages through
// readability (navigation, ads and footers dropped), plain text and Markdown
// through ParseText and ParseMarkdown, PDFs through their text layer.
// URL is the page's canonical URL when it declares one, else the URL after
// redirects; Source is the site name, else the host; ID is a slug of host
// and path. Errors wrap ErrFetch, ErrTooLarge, ErrBlockedAddress,
// ErrUnsupportedSource or ErrEmpty.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (Article, error) {
	a, err := f.fetch(ctx, rawURL)
	if err != nil {
		return Article{}, &LinkError{URL: rawURL, Err: err}
	}
	return a, nil
}

func (f *Fetcher) fetch(ctx context.Context, rawURL string) (Article, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return Article{}, fmt.Errorf("not a valid link (%v): %w", err, ErrUnsupportedSource)
	}
	resp, body, err := f.get(ctx, u, "text/html,application/xhtml+xml,text/plain,text/markdown,application/pdf;q=0.9,*/*;q=0.5", nil)
	if err != nil {
		return Article{}, err
	}
	final := resp.Request.URL
	a, err := f.extract(ctx, body, resp.Header.Get("Content-Type"), final)
	if err != nil {
		return Article{}, err
	}
	if err := CheckText(a); err != nil {
		return Article{}, err
	}
	if a.URL == "" {
		a.URL = final.String()
	}
	if a.Source == "" {
		a.Source = final.Hostname()
	}
	a.ID = urlID(final)
	a.Hash = ContentHash(a.Title, a.Body)
	return a, nil
}

// Download returns the body at rawURL through the address guard, under
// the size cap (ErrTooLarge) and the timeout; the bot reads Discord
// attachments with it. Errors wrap ErrFetch, ErrTooLarge,
// ErrBlockedAddress or ErrUnsupportedSource.
func (f *Fetcher) Download(ctx context.Context, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("not a valid link (%v): %w", err, ErrUnsupportedSource)
	}
	_, body, err := f.get(ctx, u, "*/*", nil)
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", u.Redacted(), err)
	}
	return body, nil
}

// extract dispatches on the media type, sniffing when the server sent
// none, through the format registry (format.go). Plain text whose path
// names another text format (notes.md served as text/plain) is read as
// that format.
func (f *Fetcher) extract(ctx context.Context, body []byte, contentType string, u *url.URL) (Article, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "" || mt == "application/octet-stream" {
		mt, _, _ = mime.ParseMediaType(http.DetectContentType(body))
	}
	name := path.Base(u.Path)
	fm, known := FormatOfMediaType(mt)
	if byName, ok := FormatOf(name); known && fm.Name == "txt" && ok && byName.Name == "md" {
		fm = byName
	}
	if known && fm.Name != "pdf" {
		if bt := binaryType(body); bt != "" {
			return Article{}, fmt.Errorf("served as %s but the content is binary (%s): %w", mt, bt, ErrUnsupportedSource)
		}
	}
	switch {
	case !known && (mt == "application/rss+xml" || mt == "application/atom+xml" || mt == "application/xml" || mt == "text/xml"):
		return Article{}, fmt.Errorf("this is %s, probably a news feed, not an article page; add it as a feed instead: %w",
			mt, ErrUnsupportedSource)
	case !known:
		return Article{}, fmt.Errorf("content type %q is not supported; a link must be served as one of %s: %w",
			mt, linkTypes(), ErrUnsupportedSource)
	case fm.Name == "html":
		return extractHTML(body, contentType, u)
	case fm.Name == "pdf" && f.cfg.ReadPDF != nil:
		return f.cfg.ReadPDF(ctx, body)
	case fm.Name == "pdf":
		return extractPDF(body)
	case fm.Name == "jsonl":
		return Article{}, fmt.Errorf("this is a JSON Lines file of several articles, not an article page; "+
			"download it and add it as a file: %w", ErrUnsupportedSource)
	}
	text, err := toUTF8(body, contentType)
	if err != nil {
		return Article{}, err
	}
	var a Article
	err = fm.Parse(name, text, func(got Article) error { a = got; return nil })
	return a, err
}

// linkTypes lists, for the refusal of other content types, the content
// type of every registered format a link may be: all but jsonl, a file of
// several articles, which extract refuses with its own advice.
func linkTypes() string {
	var types []string
	for _, f := range formats() {
		if f.Name != "jsonl" {
			types = append(types, f.MediaTypes[0])
		}
	}
	return orList(types)
}

// get sends a GET for u with the given extra headers and reads the body up
// to the size cap. A 304 answer is returned with a nil body; any other
// status outside 2xx is an error.
func (f *Fetcher) get(ctx context.Context, u *url.URL, accept string, hdr http.Header) (*http.Response, []byte, error) {
	if err := f.guard.checkURL(u); err != nil {
		return nil, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("not a valid link (%v): %w", err, ErrUnsupportedSource)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	req.Header.Set("Accept", accept)
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, nil, f.transportError(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return resp, nil, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// The status code and its standard text, never the server's own
		// reason phrase: it is the site's text, and may hold terminal
		// escape codes or Markdown.
		status := strings.TrimSpace(fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode)))
		return nil, nil, fmt.Errorf("the server answered %s%s: %w", status, statusHint(resp.StatusCode), ErrFetch)
	}
	if resp.ContentLength > f.cfg.MaxBytes {
		return nil, nil, f.tooLarge()
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.cfg.MaxBytes+1))
	if err != nil {
		return nil, nil, f.transportError(ctx, err)
	}
	if int64(len(body)) > f.cfg.MaxBytes {
		return nil, nil, f.tooLarge()
	}
	return resp, body, nil
}

func (f *Fetcher) tooLarge() error {
	return fmt.Errorf("over the %d MB limit; download it and upload the text instead: %w",
		(f.cfg.MaxBytes+(1<<20)-1)>>20, ErrTooLarge)
}

func statusHint(code int) string {
	switch {
	case code == http.StatusNotFound || code == http.StatusGone:
		return "; check the link"
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return "; the page needs a login or blocks bots, paste its text instead"
	case code >= 500:
		return "; the site has a problem, try again later"
	}
	return ""
}

// checkRedirect bounds redirects, names loops, and applies the URL checks to
// every hop (the dialer checks the resolved address of every hop too).
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	for _, v := range via {
		if v.URL.String() == req.URL.String() {
			return fmt.Errorf("redirect loop: the redirects lead back to %s: %w", req.URL.Redacted(), ErrFetch)
		}
	}
	if len(via) > f.cfg.MaxRedirects {
		return fmt.Errorf("stopped after %d redirects: %w", f.cfg.MaxRedirects, ErrFetch)
	}
	return f.guard.checkURL(req.URL)
}

// transportError turns what http.Client returns into one clear error: the
// guard's refusal with the URL that was refused, a timeout, or the
// connection failure, without the client's repeated `Get "url":` prefix.
func (f *Fetcher) transportError(ctx context.Context, err error) error {
	var ue *url.Error
	inner := err
	if errors.As(err, &ue) {
		inner = ue.Err
	}
	var be *blockedError
	if errors.As(err, &be) {
		if be.URL == "" && ue != nil {
			be.URL = ue.URL
		}
		return be
	}
	if errors.Is(err, ErrFetch) || errors.Is(err, ErrUnsupportedSource) {
		return inner
	}
	if ctx.Err() != nil {
		return fmt.Errorf("stopped: %w", ctx.Err())
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		if ce := connectError(err); ce != nil && errors.As(err, new(*net.DNSError)) {
			return ce
		}
		return fmt.Errorf("no complete answer within %s; the site is slow or down, try again later: %w", f.cfg.Timeout, ErrFetch)
	}
	if ce := connectError(err); ce != nil {
		return ce
	}
	return fmt.Errorf("%v: %w", inner, ErrFetch)
}

// maxIDSlug leaves room for the hash suffix within the ~80-byte ID budget.
const maxIDSlug = 70

// urlID is a short, stable article ID made from the host and path (and
// query, which tells apart pages such as article.php?id=1 and ?id=2):
// "example-com-news-story-123". When the slug had to be shortened, an
// 8-hex-digit hash of the full address keeps long URLs apart.
func urlID(u *url.URL) string {
	src := strings.TrimPrefix(u.Hostname(), "www.") + "/" + u.Path
	if u.RawQuery != "" {
		src += "?" + u.RawQuery
	}
	s := Slug(src)
	if len(s) > maxIDSlug {
		s = strings.TrimRight(s[:maxIDSlug], "-")
	}
	if alnumCount(s) < alnumCount(strings.ToLower(src)) {
		sum := sha256.Sum256([]byte(src))
		s = strings.TrimRight(s, "-") + "-" + hex.EncodeToString(sum[:4])
	}
	return s
}

// alnumCount counts the ASCII letters and digits Slug keeps.
func alnumCount(s string) int {
	n := 0
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}
