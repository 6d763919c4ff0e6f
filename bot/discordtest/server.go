// Package discordtest is a fake Discord for tests: one httptest server on
// 127.0.0.1 serving the REST API under APIBase() and the gateway websocket
// the REST API points at. It speaks the wire protocol the real discordgo
// session speaks, keeps the messages the bot sends so tests can read what a
// user would see, and records every REST request with the time it arrived.
//
// Like Discord, it rejects what Discord rejects: a wrong bot token, a second
// acknowledgement of one interaction, an acknowledgement later than the
// deadline, a webhook call with an interaction token older than 15 minutes,
// messages, embeds, components and command definitions over Discord's
// documented limits, replies referencing a message of another channel or
// an unknown one (unless fail_if_not_exists is false), and requests over
// its rate limits (per route and major parameter, per interaction token,
// and the global limit), with Discord's X-RateLimit-* headers and 429
// bodies. In a known guild's channels it checks the bot's permissions, and
// drops the embeds of channel messages where the bot lacks Embed Links, as
// Discord does (interaction responses keep theirs). Its gateway closes with Discord's
// fatal close codes (4004, 4010-4014) for a bad token, missing sharding,
// a bad API version, invalid intents and privileged intents the portal has
// not enabled, and replays missed events only on RESUME.
package discordtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Request is one REST call the fake received.
type Request struct {
	Method   string
	Path     string // relative to APIBase, without query, e.g. "channels/1/messages"
	Query    string
	Body     json.RawMessage
	Received time.Time
	Done     time.Time // when the answer was ready, after the latency
	Status   int       // the status the fake answered with
	Unknown  bool      // no route matched: the bot called an endpoint the fake does not know
}

// Decode unmarshals the request body into v.
func (r Request) Decode(v any) error { return json.Unmarshal(r.Body, v) }

// Options configure a Server.
type Options struct {
	Token     string        // the bot token, without "Bot "; default "test-token"
	AppID     string        // default "900000000000000001"
	BotID     string        // the bot user's ID; default "900000000000000002"
	BotName   string        // default "briefbot"
	Heartbeat time.Duration // gateway heartbeat interval; default 41.25 s
	// AckDeadline is how long after dispatch an interaction may be
	// acknowledged; default 3 s, as on Discord.
	AckDeadline time.Duration
	// TokenLifetime is how long an interaction token may be used for
	// edits and follow-ups; default 15 min, as on Discord.
	TokenLifetime time.Duration
	// Latency delays every REST answer, as a distant API would.
	Latency time.Duration
	// Limits are the rate limits; zero fields take Discord's values.
	Limits RateLimits
	// PrivilegedIntents are the privileged intents enabled in the
	// developer portal (GUILD_MEMBERS 1<<1, GUILD_PRESENCES 1<<8,
	// MESSAGE_CONTENT 1<<15); an IDENTIFY asking for others is closed with
	// 4014, as on Discord. Default none, as in a new application.
	PrivilegedIntents int64
	// WaitTimeout bounds AwaitResponse and AwaitReply; default 15 s.
	WaitTimeout time.Duration
	// Shards is how many shards Discord requires (bots in 2,500+ servers);
	// an IDENTIFY with fewer is closed with 4011. Default 1.
	Shards int
}

// Server is the fake Discord. Its zero value is not usable; call New.
type Server struct {
	opts Options
	http *httptest.Server
	t    testing.TB

	mu       sync.Mutex
	token    string        // the accepted bot token; ResetToken changes it
	offset   time.Duration // Advance moves the fake's clock
	limits   limiter
	invalid  int           // 401, 403 and 429 answers, which Discord counts toward a ban
	changed  chan struct{} // closed and replaced on every change
	requests []Request
	nextID   int64
	commands map[string]json.RawMessage // "global" or guild ID -> last bulk overwrite
	messages map[string]map[string]any  // message ID -> message object
	order    []string                   // message IDs in creation order
	channels map[string]Channel
	inters   map[string]*interaction // by token
	files    map[string][]byte       // fake CDN: name -> bytes

	gw  gateway
	acc access

	gatewayDown atomic.Bool // RefuseGateway
}

// Channel is a channel the fake knows; unknown channels are plain text
// channels.
type Channel struct {
	ID       string `json:"id"`
	GuildID  string `json:"guild_id,omitempty"`
	Type     int    `json:"type"` // 0 text, 11 public thread, 1 DM
	ParentID string `json:"parent_id,omitempty"`
	Name     string `json:"name,omitempty"`
	OwnerID  string `json:"owner_id,omitempty"` // a thread's creator
	// Overwrites are the channel's permission overwrites (see AddGuild).
	Overwrites []Overwrite `json:"permission_overwrites,omitempty"`
}

// New starts a fake Discord closed at the end of the test.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Token == "" {
		opts.Token = "test-token"
	}
	if opts.AppID == "" {
		opts.AppID = "900000000000000001"
	}
	if opts.BotID == "" {
		opts.BotID = "900000000000000002"
	}
	if opts.BotName == "" {
		opts.BotName = "briefbot"
	}
	if opts.Heartbeat == 0 {
		opts.Heartbeat = 41250 * time.Millisecond
	}
	if opts.AckDeadline == 0 {
		opts.AckDeadline = 3 * time.Second
	}
	if opts.TokenLifetime == 0 {
		opts.TokenLifetime = 15 * time.Minute
	}
	if opts.WaitTimeout == 0 {
		opts.WaitTimeout = 15 * time.Second
	}
	if opts.Shards == 0 {
		opts.Shards = 1
	}
	opts.Limits.setDefaults()
	s := &Server{
		opts:     opts,
		token:    opts.Token,
		limits:   limiter{windows: map[string]*window{}, conf: opts.Limits},
		t:        t,
		changed:  make(chan struct{}),
		nextID:   1000000000000000000,
		commands: map[string]json.RawMessage{},
		messages: map[string]map[string]any{},
		channels: map[string]Channel{},
		inters:   map[string]*interaction{},
		files:    map[string][]byte{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v10/", s.serveREST)
	mux.HandleFunc("/gateway", s.serveGateway)
	mux.HandleFunc("/gateway/", s.serveGateway) // discordgo appends a slash
	mux.HandleFunc("/attachments/", s.serveFile)
	s.http = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// Close stops the server and drops the gateway connection.
func (s *Server) Close() {
	s.gw.closeAll()
	s.http.Close()
}

// APIBase is the REST base URL, the value for DISCORD_API_URL.
func (s *Server) APIBase() string { return s.http.URL + "/api/v10" }

// GatewayURL is the websocket URL GET gateway returns.
func (s *Server) GatewayURL() string {
	return "ws" + strings.TrimPrefix(s.http.URL, "http") + "/gateway"
}

// Token is the bot token the fake accepts (without "Bot ").
func (s *Server) Token() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// ResetToken makes the fake accept only token from now on, as pressing
// Reset Token in the developer portal does: REST calls with the old token
// get 401 and the gateway closes with 4004 on the next IDENTIFY or RESUME.
func (s *Server) ResetToken(token string) {
	s.mu.Lock()
	s.token = token
	s.mu.Unlock()
}

// now is the fake's clock: real time moved on by Advance.
func (s *Server) now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Server) nowLocked() time.Time { return time.Now().Add(s.offset) }

// Advance moves the fake's clock forward, e.g. past an interaction token's
// 15 minutes, or past a rate-limit window.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	s.offset += d
	s.mu.Unlock()
}

// InvalidRequests is how many requests were answered 401, 403 or 429
// (except 429s of the shared scope). Discord bans an IP for an hour after
// 10,000 of them in 10 minutes.
func (s *Server) InvalidRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.invalid
}

// AppID is the application ID announced in READY.
func (s *Server) AppID() string { return s.opts.AppID }

// BotID is the bot user's ID.
func (s *Server) BotID() string { return s.opts.BotID }

// AddChannel makes a channel known, e.g. a thread (Type 11). A channel of
// a known guild (AddGuild) is announced to a connected bot.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	s.channels[c.ID] = c
	s.mu.Unlock()
	s.announceChannel(c)
}

// AddFile serves data at the returned URL, as Discord's CDN serves attachments.
func (s *Server) AddFile(name string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[name] = data
	return s.http.URL + "/attachments/" + name
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	data, ok := s.files[strings.TrimPrefix(r.URL.Path, "/attachments/")]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Write(data)
}

// Requests returns a copy of every REST request received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Commands returns the body of the last bulk overwrite for scope ("global"
// or a guild ID).
func (s *Server) Commands(scope string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commands[scope]
}

// Wait blocks until cond returns true, checking after every change the fake
// sees, and fails the test after timeout. cond runs without the fake's lock
// held, so it may call any method.
func (s *Server) Wait(timeout time.Duration, what string, cond func() bool) {
	s.t.Helper()
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			s.t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
	}
}

// notifyLocked wakes Wait callers; s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) newIDLocked() string {
	s.nextID++
	return fmt.Sprint(s.nextID)
}

// NewID returns a fresh snowflake-like ID.
func (s *Server) NewID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newIDLocked()
}

// serveREST waits the configured latency, applies the rate limits, routes
// the request and records it with the status it got.
func (s *Server) serveREST(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := Request{
		Method:   r.Method,
		Path:     strings.TrimPrefix(r.URL.Path, "/api/v10/"),
		Query:    r.URL.RawQuery,
		Body:     json.RawMessage(body),
		Received: time.Now(),
	}
	if len(body) == 0 {
		req.Body = nil
	}
	payload, isMultipart, badStatus, badBody := s.unpackMultipart(r, body)
	if isMultipart {
		req.Body = payload
	}
	if s.opts.Latency > 0 {
		select {
		case <-time.After(s.opts.Latency):
		case <-r.Context().Done():
			return
		}
	}
	var status int
	var resp any
	bot := r.Header.Get("Authorization") != ""
	if lim := s.rateLimit(req, bot, w.Header()); lim != nil {
		status, resp = http.StatusTooManyRequests, lim
	} else if badStatus != 0 {
		status, resp = badStatus, badBody
	} else {
		status, resp = s.route(r, req)
	}
	s.mu.Lock()
	req.Done = time.Now()
	req.Status = status
	req.Unknown = status == http.StatusNotFound && isUnknownRoute(resp)
	if status == 401 || status == 403 || status == 429 && w.Header().Get("X-RateLimit-Scope") != "shared" {
		s.invalid++
	}
	s.requests = append(s.requests, req)
	s.notifyLocked()
	// Encoded under the lock: resp may be a stored message that another
	// request edits.
	out, _ := json.Marshal(resp)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if status != http.StatusNoContent {
		w.Write(out)
	}
}

// apiError is Discord's JSON error body.
type apiError struct {
	Message string `json:"message"`
	Code    int    `json:"code"`
	// Errors details an "Invalid Form Body" (50035) by field, as Discord
	// does: {"field": {"_errors": [{"code", "message"}]}}.
	Errors map[string]any `json:"errors,omitempty"`
	route  bool
}

func isUnknownRoute(resp any) bool {
	e, ok := resp.(apiError)
	return ok && e.route
}

func errBody(code int, msg string) apiError { return apiError{Message: msg, Code: code} }

// authorized reports whether a request carries the bot token. Interaction
// webhooks and callbacks are authorized by their token in the path instead,
// as on Discord.
func (s *Server) authorized(r *http.Request, path string) bool {
	if strings.HasPrefix(path, "webhooks/") || strings.HasPrefix(path, "interactions/") {
		return true
	}
	return r.Header.Get("Authorization") == "Bot "+s.Token()
}
