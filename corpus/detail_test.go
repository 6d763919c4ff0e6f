package corpus

import (
	"context"
	"errors"
	"net"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestMessagesHideInternalAddresses: what users see of a refused or failed
// link names the kind of address or the failure, never the address a name
// resolved to, the DNS resolver or the dialled address; LogDetail keeps
// those for the logs.
func TestMessagesHideInternalAddresses(t *testing.T) {
	site := newTestSite(t)
	port := strings.TrimPrefix(site.URL, "http://127.0.0.1:")
	_, err := NewFetcher(FetchConfig{}).Fetch(context.Background(), "http://localhost:"+port+"/news.html")
	if !errors.Is(err, ErrBlockedAddress) || strings.Contains(err.Error(), "127.0.0.1") || strings.Contains(err.Error(), "::1") ||
		!strings.Contains(err.Error(), "a loopback address") {
		t.Errorf("refused name: %q, want the kind of address and not the address", err)
	}
	if d := LogDetail(err); !strings.Contains(d, "localhost:"+port+"/news.html resolved to") {
		t.Errorf("LogDetail = %q, want the resolved address", d)
	}

	// A failed lookup, as net reports it (a real one would ask a resolver).
	dns := &url.Error{Op: "Get", URL: "http://db.corp.internal/", Err: &net.OpError{Op: "dial", Net: "tcp",
		Err: &net.DNSError{Err: "no such host", Name: "db.corp.internal", Server: "10.20.30.53:53", IsNotFound: true}}}
	err = NewFetcher(FetchConfig{}).transportError(context.Background(), dns)
	if !errors.Is(err, ErrFetch) || strings.Contains(err.Error(), "10.20.30.53") || !strings.Contains(err.Error(), "db.corp.internal does not exist") {
		t.Errorf("failed lookup: %q, want the name without the resolver", err)
	}
	if d := LogDetail(err); !strings.Contains(d, "10.20.30.53:53") {
		t.Errorf("LogDetail = %q, want the resolver", d)
	}

	closed := httptest.NewServer(nil)
	addr := closed.Listener.Addr().String()
	closed.Close()
	_, err = testFetcher(FetchConfig{}).Fetch(context.Background(), "http://localhost:"+strings.Split(addr, ":")[1]+"/")
	if !errors.Is(err, ErrFetch) || strings.Contains(err.Error(), "127.0.0.1") || strings.Contains(err.Error(), "dial tcp") ||
		!strings.Contains(err.Error(), "refused the connection") {
		t.Errorf("refused connection: %q, want the reason without the dialled address", err)
	}
}

// TestDownloadGuardedAndCapped: Download (the bot's attachment reader for
// Discord's CDN) goes through the address guard and the size cap.
func TestDownloadGuardedAndCapped(t *testing.T) {
	site := newTestSite(t)
	if _, err := NewFetcher(FetchConfig{}).Download(context.Background(), site.URL+"/news.html"); !errors.Is(err, ErrBlockedAddress) {
		t.Errorf("loopback download: %v, want ErrBlockedAddress", err)
	}
	if _, err := testFetcher(FetchConfig{MaxBytes: 100}).Download(context.Background(), site.URL+"/news.html"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("download over the cap: %v, want ErrTooLarge", err)
	}
	if b, err := testFetcher(FetchConfig{}).Download(context.Background(), site.URL+"/news.html"); err != nil || len(b) == 0 {
		t.Errorf("allowed download: %d bytes, %v", len(b), err)
	}
}
