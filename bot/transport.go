package bot

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// apiRewrite sends discordgo's requests for Discord's API base
// (discordgo.EndpointAPI) to another base instead. discordgo builds every
// REST URL from package-level Endpoint* variables; rewriting in the
// transport leaves those untouched, so two bots in one process (or tests
// running in parallel) can point at different servers.
//
// Session.Open learns the gateway address from GET {EndpointAPI}gateway
// through Session.Client (discordgo v0.29.0 wsapi.go Open -> restapi.go
// Gateway), so the same rewrite moves the gateway too.
type apiRewrite struct {
	from string   // discordgo.EndpointAPI, with trailing slash
	to   *url.URL // the configured base
	next http.RoundTripper
}

func (t apiRewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	rest, ok := strings.CutPrefix(r.URL.String(), t.from)
	if !ok {
		return t.next.RoundTrip(r)
	}
	u, err := url.Parse(strings.TrimSuffix(t.to.String(), "/") + "/" + rest)
	if err != nil {
		return nil, fmt.Errorf("rewrite discord url: %w", err)
	}
	r2 := r.Clone(r.Context())
	r2.URL, r2.Host = u, u.Host
	return t.next.RoundTrip(r2)
}

// newHTTPClient returns the client for every Discord REST call, over next
// (nil: http.DefaultTransport). An empty apiURL keeps Discord's own API.
func newHTTPClient(apiURL string, next http.RoundTripper) (*http.Client, error) {
	if next == nil {
		next = http.DefaultTransport
	}
	c := &http.Client{Timeout: 30 * time.Second, Transport: next}
	apiURL = strings.TrimSpace(apiURL)
	if apiURL == "" || strings.TrimSuffix(apiURL, "/")+"/" == discordgo.EndpointAPI {
		return c, nil
	}
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("discord API URL %q is not an http(s) URL; use e.g. http://127.0.0.1:8080/api/v10 or leave it empty", apiURL)
	}
	c.Transport = apiRewrite{from: discordgo.EndpointAPI, to: u, next: next}
	return c, nil
}

// secretInPath matches the interaction and webhook tokens that sit in REST
// paths; net/http puts the whole URL in its errors.
var secretInPath = regexp.MustCompile(`(webhooks|interactions)/(\d+)/[^/\s"?]+`)

// redact removes interaction tokens from text bound for a log.
func redact(s string) string {
	return secretInPath.ReplaceAllString(s, "$1/$2/[redacted]")
}
