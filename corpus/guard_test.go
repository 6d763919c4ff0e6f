package corpus

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// TestBlockedKind checks the address rule alone. These addresses are only
// classified, never dialled: tests send packets to 127.0.0.0/8 and ::1 only.
func TestBlockedKind(t *testing.T) {
	tests := []struct {
		addr string
		want string
	}{
		{"127.0.0.1", "loopback"},
		{"127.8.9.10", "loopback"},
		{"::1", "loopback"},
		{"::ffff:127.0.0.1", "loopback"},
		{"10.0.0.1", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.254", "private"},
		{"192.168.1.1", "private"},
		{"::ffff:10.0.0.1", "private"},
		{"::ffff:192.168.0.10", "private"},
		{"fc00::1", "private"},
		{"fd12:3456:789a::1", "private"},
		{"169.254.169.254", "link-local"},
		{"::ffff:169.254.169.254", "link-local"},
		{"fe80::1", "link-local"},
		{"0.0.0.0", "unspecified"},
		{"::", "unspecified"},
		{"0.1.2.3", "unspecified"},
		{"224.0.0.1", "link-local"}, // link-local multicast
		{"239.1.2.3", "multicast"},
		{"ff05::1", "multicast"},
		{"100.64.0.1", "carrier-grade NAT (shared private)"},
		{"100.127.255.254", "carrier-grade NAT (shared private)"},
		{"255.255.255.255", "reserved"},
		{"64:ff9b::10.0.0.1", "private"}, // NAT64 form of 10.0.0.1
		{"2002:a00:1::1", "private"},     // 6to4 form of 10.0.0.1
		{"::10.0.0.1", "private"},        // IPv4-compatible form
		{"64:ff9b::5db8:d822", ""},       // NAT64 form of a public address
		{"93.184.216.34", ""},            // public
		{"8.8.8.8", ""},                  // public
		{"100.128.0.1", ""},              // just past CGNAT
		{"172.32.0.1", ""},               // just past 172.16/12
		{"2606:4700::1", ""},             // public IPv6
		{"2a00:1450:4001:80b::200e", ""}, // public IPv6
		{"::ffff:93.184.216.34", ""},     // mapped public
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			if got := blockedKind(netip.MustParseAddr(tc.addr)); got != tc.want {
				t.Errorf("blockedKind(%s) = %q, want %q", tc.addr, got, tc.want)
			}
		})
	}
}

func TestGuardCheckAllowPrivate(t *testing.T) {
	ap := netip.MustParseAddrPort("10.0.0.1:80")
	if err := (&guard{allowPrivate: true}).check(ap); err != nil {
		t.Errorf("allowPrivate guard refused %s: %v", ap, err)
	}
	err := (&guard{}).check(ap)
	checkFetchErr(t, err, ErrBlockedAddress, []string{"leads to a private address", "refuses private and loopback addresses"})
	if d := LogDetail(err); !strings.Contains(d, "resolved to 10.0.0.1 (private)") {
		t.Errorf("LogDetail = %q, want the address", d)
	}
}

// guardedFetcher is a production Fetcher (AllowPrivate false) in which only
// the given test servers' ports on loopback are let through, so that they
// can play "a public site" while every other address, including other
// loopback ports, goes through the real checks.
func guardedFetcher(t *testing.T, allowed ...*httptest.Server) *Fetcher {
	t.Helper()
	ports := map[uint16]bool{}
	for _, s := range allowed {
		u, _ := url.Parse(s.URL)
		p, _ := strconv.Atoi(u.Port())
		ports[uint16(p)] = true
	}
	f := NewFetcher(FetchConfig{})
	f.guard.exempt = func(ap netip.AddrPort) bool { return ap.Addr().IsLoopback() && ports[ap.Port()] }
	return f
}

func TestGuardRefusesLoopback(t *testing.T) {
	site := newTestSite(t)
	port := strings.TrimPrefix(site.URL, "http://127.0.0.1:")
	tests := []struct {
		name string
		url  string
		msg  []string
	}{
		{"literal 127.0.0.1", "http://127.0.0.1:" + port + "/news.html",
			[]string{"http://127.0.0.1:" + port + "/news.html leads to a loopback address"}},
		{"other loopback literal", "http://127.1.2.3:" + port + "/news.html", []string{"127.1.2.3:" + port + "/news.html leads to a loopback address"}},
		{"mapped IPv6 literal", "http://[::ffff:127.0.0.1]:" + port + "/", []string{"leads to a loopback address"}},
		{"localhost, resolved at dial time", "http://localhost:" + port + "/news.html",
			[]string{"http://localhost:" + port + "/news.html leads to a loopback address"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := site.totalHits()
			_, err := NewFetcher(FetchConfig{}).Fetch(context.Background(), tc.url)
			checkFetchErr(t, err, ErrBlockedAddress, append(tc.msg, "private and loopback addresses", "cloud metadata"))
			if strings.Contains(err.Error(), "BRIEFBOT_") || strings.Contains(err.Error(), "--") {
				t.Errorf("corpus error %q names a setting or flag; the CLI and the bot word that", err)
			}
			if got := site.totalHits() - before; got != 0 {
				t.Errorf("the site got %d requests; a refused URL must not be contacted", got)
			}
		})
	}
}

func TestGuardRefusesIPv6Loopback(t *testing.T) {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("IPv6 loopback unavailable: %v", err)
	}
	var hits atomic.Int32
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte("<p>inside</p>"))
	})}}
	srv.Start()
	defer srv.Close()
	_, err = NewFetcher(FetchConfig{}).Fetch(context.Background(), srv.URL+"/")
	checkFetchErr(t, err, ErrBlockedAddress, []string{"leads to a loopback address"})
	if got := hits.Load(); got != 0 {
		t.Errorf("the [::1] server got %d requests, want 0", got)
	}
}

// TestGuardRefusesRedirectInward: an allowed site redirects to a loopback
// address; the redirect is refused, by URL check for a literal IP and at
// dial time for a name, and the inner server never sees a request.
func TestGuardRefusesRedirectInward(t *testing.T) {
	outside := newTestSite(t)
	inside := newTestSite(t)
	insidePort := strings.TrimPrefix(inside.URL, "http://127.0.0.1:")
	f := guardedFetcher(t, outside.Server)

	// The exemption lets the outside site through, so a refusal below is
	// about the redirect target and not the first hop.
	if _, err := f.Fetch(context.Background(), outside.URL+"/news.html"); err != nil {
		t.Fatalf("fetch from the allowed site: %v", err)
	}
	tests := []struct {
		name, target, msg string
	}{
		{"to a loopback IP", inside.URL + "/news.html", inside.URL + "/news.html leads to a loopback address"},
		{"to localhost", "http://localhost:" + insidePort + "/news.html", "http://localhost:" + insidePort + "/news.html leads to a loopback address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.Fetch(context.Background(), outside.URL+"/redirect?to="+url.QueryEscape(tc.target))
			checkFetchErr(t, err, ErrBlockedAddress, []string{tc.msg, "private and loopback addresses"})
			if got := inside.totalHits(); got != 0 {
				t.Errorf("the inside server got %d requests, want 0", got)
			}
		})
	}
}

// TestFetcherIgnoresProxyEnv: a proxy would be dialled instead of the site,
// so the dial-time check would judge the proxy's address. Go's environment
// proxy skips loopback targets, so no request in these tests could show a
// bypass; the transport's setting is checked directly instead.
func TestFetcherIgnoresProxyEnv(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:9")
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:9")
	tr, ok := NewFetcher(FetchConfig{}).client.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("transport is %T, want *http.Transport", NewFetcher(FetchConfig{}).client.Transport)
	}
	if tr.Proxy != nil {
		req, _ := http.NewRequest(http.MethodGet, "http://news.example/", nil) // not sent
		if p, _ := tr.Proxy(req); p != nil {
			t.Errorf("transport would send requests through proxy %s", p)
		}
	}
}
