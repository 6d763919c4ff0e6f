package discordtest

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
)

// Limit is N requests per window of Per.
type Limit struct {
	N   int
	Per time.Duration
}

// RateLimits are Discord's rate limits as the fake applies them. Discord
// does not publish per-route numbers ("don't hard code them"); the defaults
// are the ones its headers show.
type RateLimits struct {
	// Route limits each route per major parameter (channel, guild); default
	// 5 per 5 s, as for channel messages.
	Route Limit
	// Token limits each interaction token: its callback, and its webhook
	// (edits, follow-ups, deletes) together; default 5 per 2 s, as for
	// webhooks. All tokens get the same X-RateLimit-Bucket hash, as on
	// Discord, so a client must key its buckets by token too.
	Token Limit
	// Global limits the requests made with the bot token; default 50 per
	// second. Interaction routes are exempt, as on Discord.
	Global Limit
}

func (l *RateLimits) setDefaults() {
	if l.Route.N == 0 {
		l.Route = Limit{N: 5, Per: 5 * time.Second}
	}
	if l.Token.N == 0 {
		l.Token = Limit{N: 5, Per: 2 * time.Second}
	}
	if l.Global.N == 0 {
		l.Global = Limit{N: 50, Per: time.Second}
	}
}

// window is one fixed rate-limit window.
type window struct {
	start time.Time
	used  int
}

// limiter holds the windows; the Server's mu guards it.
type limiter struct {
	conf    RateLimits
	windows map[string]*window // bucket hash + ":" + major parameter
	global  window
}

// RateLimited is the body of a 429, as Discord sends it.
type RateLimited struct {
	Message    string  `json:"message"`
	RetryAfter float64 `json:"retry_after"`
	Global     bool    `json:"global"`
	Code       int     `json:"code,omitempty"`
}

// bucketOf names a request's bucket: an opaque hash shared by every major
// parameter (as X-RateLimit-Bucket is on Discord), the major parameter, and
// whether it is an interaction route (exempt from the global limit).
func bucketOf(method, path string) (hash, major string, interaction bool) {
	p := strings.Split(path, "/")
	route := method
	switch {
	case p[0] == "interactions" && len(p) >= 3:
		return hashOf("interaction callback"), p[2], true
	case p[0] == "webhooks" && len(p) >= 3:
		return hashOf("interaction webhook"), p[2], true
	case p[0] == "channels" && len(p) >= 2:
		major = p[1]
		p = p[2:]
		route += " channels/{id}"
	case p[0] == "applications" && len(p) >= 4 && p[2] == "guilds":
		major = p[3]
		p = p[4:]
		route += " applications/{app}/guilds/{id}"
	}
	for _, seg := range p {
		if seg != "" && strings.Trim(seg, "0123456789") == "" {
			seg = "{id}"
		}
		route += "/" + seg
	}
	return hashOf(route), major, false
}

func hashOf(route string) string {
	h := sha1.Sum([]byte(route))
	return hex.EncodeToString(h[:8])
}

// rateLimit counts the request against its bucket and the global limit and
// writes Discord's headers. It returns the 429 body when a limit is
// exceeded, else nil.
func (s *Server) rateLimit(req Request, bot bool, h http.Header) *RateLimited {
	hash, major, interaction := bucketOf(req.Method, req.Path)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	l := &s.limits
	if bot && !interaction {
		if wait := l.global.take(now, l.conf.Global); wait > 0 {
			h.Set("X-RateLimit-Global", "true")
			h.Set("X-RateLimit-Scope", "global")
			h.Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
			return &RateLimited{Message: "You are being rate limited.", RetryAfter: wait.Seconds(), Global: true}
		}
	}
	conf := l.conf.Route
	if interaction {
		conf = l.conf.Token
	}
	key := hash + ":" + major
	w := l.windows[key]
	if w == nil {
		w = &window{}
		l.windows[key] = w
	}
	wait := w.take(now, conf)
	reset := w.start.Add(conf.Per)
	h.Set("X-RateLimit-Bucket", hash)
	h.Set("X-RateLimit-Limit", fmt.Sprint(conf.N))
	h.Set("X-RateLimit-Remaining", fmt.Sprint(max(conf.N-w.used, 0)))
	h.Set("X-RateLimit-Reset", fmt.Sprintf("%.3f", float64(reset.UnixMilli())/1000))
	h.Set("X-RateLimit-Reset-After", fmt.Sprintf("%.3f", reset.Sub(now).Seconds()))
	if wait == 0 {
		return nil
	}
	h.Set("X-RateLimit-Scope", "user")
	h.Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
	return &RateLimited{Message: "You are being rate limited.", RetryAfter: wait.Seconds()}
}

// take counts one request in the window; when the window is full it
// returns how long until it resets (and counts nothing).
func (w *window) take(now time.Time, l Limit) time.Duration {
	if w.start.IsZero() || !now.Before(w.start.Add(l.Per)) {
		w.start, w.used = now, 0
	}
	if w.used >= l.N {
		return w.start.Add(l.Per).Sub(now)
	}
	w.used++
	return 0
}

// Throttle uses up the rate limit of an interaction token's webhook for d,
// as Discord does when it limits a token for its own reasons: the next
// edit or follow-up gets 429 with retry_after d although the last headers
// promised room.
func (s *Server) Throttle(in Interaction, d time.Duration) {
	hash, major, _ := bucketOf("PATCH", "webhooks/"+s.opts.AppID+"/"+in.Token+"/messages/@original")
	s.mu.Lock()
	defer s.mu.Unlock()
	conf := s.limits.conf.Token
	// A window that started Per-d ago and is full resets in d.
	s.limits.windows[hash+":"+major] = &window{start: s.nowLocked().Add(d - conf.Per), used: conf.N}
}
