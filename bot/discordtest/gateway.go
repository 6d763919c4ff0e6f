package discordtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// gateway is the fake gateway's session: one live connection at a time,
// and a log of dispatched events so a RESUME can replay what was missed.
type gateway struct {
	mu         sync.Mutex // guards everything below and every write on conn
	conn       *websocket.Conn
	ready      bool // conn has identified or resumed
	sessionID  string
	seq        int64
	log        []event
	identifies int // every shard's, on shard 0's session
	resumes    int // every shard's, on shard 0's session
	intents    int64
	// shardIdentifies and shardResumes are this shard's own.
	shardIdentifies, shardResumes int
	// count and others are the sharded sessions (shards.go): this gateway
	// is shard 0's (or the unsharded session), others hold shards 1..n-1.
	count  int
	others map[int]*gateway
}

type event struct {
	Op   int             `json:"op"`
	Seq  int64           `json:"s,omitempty"`
	Type string          `json:"t,omitempty"`
	Data json.RawMessage `json:"d"`
}

func (g *gateway) closeAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, t := range g.allLocked() {
		if t.conn != nil {
			t.conn.Close()
			t.conn = nil
		}
	}
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// serveGateway runs one gateway connection: HELLO, then IDENTIFY or RESUME,
// then heartbeats until the client or Drop closes it.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	if s.gatewayDown.Load() {
		http.Error(w, "gateway unavailable", http.StatusServiceUnavailable)
		return
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	g := &s.gw
	g.mu.Lock() // the connection is bound to its shard's session by IDENTIFY or RESUME
	hello := fmt.Sprintf(`{"heartbeat_interval":%d}`, s.opts.Heartbeat.Milliseconds())
	conn.WriteJSON(event{Op: 10, Data: json.RawMessage(hello)})
	g.mu.Unlock()
	defer s.detach(conn)
	if v := r.URL.Query().Get("v"); v != "" && v != "9" && v != "10" {
		closeWith(conn, CloseInvalidAPIVersion)
		return
	}
	for {
		var in struct {
			Op   int             `json:"op"`
			Data json.RawMessage `json:"d"`
		}
		if err := conn.ReadJSON(&in); err != nil {
			return
		}
		switch in.Op {
		case 1:
			g.mu.Lock()
			conn.WriteJSON(event{Op: 11, Data: json.RawMessage("null")})
			g.mu.Unlock()
		case 2:
			if !s.identify(conn, in.Data) {
				return
			}
		case 6:
			if !s.resume(conn, in.Data) {
				return
			}
		}
		s.mu.Lock()
		s.notifyLocked()
		s.mu.Unlock()
	}
}

func (s *Server) detach(conn *websocket.Conn) {
	conn.Close()
	s.gw.mu.Lock()
	for _, t := range s.gw.allLocked() {
		if t.conn == conn {
			t.conn, t.ready = nil, false
		}
	}
	s.gw.mu.Unlock()
	s.mu.Lock()
	s.notifyLocked()
	s.mu.Unlock()
}

// Gateway close codes Discord uses for problems a reconnect cannot fix.
const (
	CloseAuthenticationFailed = 4004
	CloseInvalidShard         = 4010
	CloseShardingRequired     = 4011
	CloseInvalidAPIVersion    = 4012
	CloseInvalidIntents       = 4013
	CloseDisallowedIntents    = 4014
)

var closeReasons = map[int]string{
	CloseAuthenticationFailed: "Authentication failed.",
	CloseInvalidShard:         "Invalid shard.",
	CloseShardingRequired:     "Sharding required.",
	CloseInvalidAPIVersion:    "Invalid API version.",
	CloseInvalidIntents:       "Invalid intent(s).",
	CloseDisallowedIntents:    "Disallowed intent(s).",
}

// knownIntents are the intent bits Discord defines (up to DIRECT_MESSAGE_POLLS).
const knownIntents = 1<<26 - 1

// closeWith sends a close frame with Discord's reason for code.
func closeWith(conn *websocket.Conn, code int) {
	msg := websocket.FormatCloseMessage(code, closeReasons[code])
	conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
}

// identify starts a new session with READY. Events dispatched while no
// session listened are not replayed: as on Discord, only RESUME does that.
// An IDENTIFY Discord would refuse is closed with its close code.
func (s *Server) identify(conn *websocket.Conn, data json.RawMessage) bool {
	var id struct {
		Token   string  `json:"token"`
		Intents int64   `json:"intents"`
		Shard   *[2]int `json:"shard"`
	}
	json.Unmarshal(data, &id)
	if code := s.refuseIdentify(id.Token, id.Intents, id.Shard); code != 0 {
		g := &s.gw
		g.mu.Lock()
		closeWith(conn, code)
		g.mu.Unlock()
		return false
	}
	g := &s.gw
	g.mu.Lock()
	defer g.mu.Unlock()
	g.identifies++
	g.intents = id.Intents
	t := g.bindShardLocked(conn, id.Shard)
	t.shardIdentifies++
	t.sessionID = fmt.Sprintf("session-%d", g.identifies)
	ready, _ := json.Marshal(map[string]any{
		"v": 10, "session_id": t.sessionID, "resume_gateway_url": s.GatewayURL(),
		"user": s.botUser(), "guilds": []any{}, "private_channels": []any{},
		"application": map[string]any{"id": s.opts.AppID, "flags": 0}, "shard": id.Shard,
	})
	t.writeLocked("READY", ready)
	s.guildCreatesLocked()
	return true
}

// refuseIdentify returns the close code Discord answers an IDENTIFY with,
// or 0.
func (s *Server) refuseIdentify(token string, intents int64, shard *[2]int) int {
	switch {
	case token != "Bot "+s.Token():
		return CloseAuthenticationFailed
	case shard != nil && (shard[1] < 1 || shard[0] < 0 || shard[0] >= shard[1]):
		return CloseInvalidShard
	case s.opts.Shards > 1 && (shard == nil || shard[1] < s.opts.Shards):
		return CloseShardingRequired
	case intents&^knownIntents != 0 || intents < 0:
		return CloseInvalidIntents
	case s.disallowedIntents(intents):
		return CloseDisallowedIntents
	}
	return 0
}

// resume replays the events after the client's sequence number, then
// RESUMED; an unknown session gets INVALID_SESSION (op 9), and a token
// that is no longer valid is closed with 4004, as on Discord.
func (s *Server) resume(conn *websocket.Conn, data json.RawMessage) bool {
	var r struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	json.Unmarshal(data, &r)
	valid := r.Token == "Bot "+s.Token()
	g := &s.gw
	g.mu.Lock()
	defer g.mu.Unlock()
	if !valid {
		closeWith(conn, CloseAuthenticationFailed)
		return false
	}
	t := g.bySessionLocked(r.SessionID)
	if t == nil {
		conn.WriteJSON(event{Op: 9, Data: json.RawMessage("false")})
		return true
	}
	g.resumes++
	t.shardResumes++
	if t.conn != nil && t.conn != conn {
		t.conn.Close()
	}
	t.conn, t.ready = conn, true
	for _, e := range t.log {
		if e.Seq > r.Seq {
			conn.WriteJSON(e)
		}
	}
	t.writeLocked("RESUMED", json.RawMessage("{}"))
	return true
}

// writeLocked logs a new dispatch event and sends it if a session is
// listening; g.mu must be held.
func (g *gateway) writeLocked(typ string, data json.RawMessage) {
	if t := g.routeLocked(typ, data); t != g {
		t.writeLocked(typ, data)
		return
	}
	g.seq++
	e := event{Op: 0, Seq: g.seq, Type: typ, Data: data}
	g.log = append(g.log, e)
	if g.conn != nil && g.ready {
		g.conn.WriteJSON(e)
	}
}

// Dispatch sends a gateway event (op 0) with the given type and payload. If
// no session is connected it is kept and delivered on RESUME only; a new
// IDENTIFY starts after it, as on Discord.
func (s *Server) Dispatch(typ string, payload any) {
	data, err := json.Marshal(payload)
	if err != nil {
		s.t.Fatalf("dispatch %s: %v", typ, err)
	}
	s.gw.mu.Lock()
	s.gw.writeLocked(typ, data)
	s.gw.mu.Unlock()
}

// Drop closes every shard's gateway connection abruptly, without a close
// frame, as a network failure would; the client is expected to reconnect
// and RESUME. DropShard closes one shard's.
func (s *Server) Drop() {
	s.eachShard(-1, func(t *gateway) {
		t.conn.UnderlyingConn().Close()
		t.conn, t.ready = nil, false
	})
}

// RefuseGateway makes the gateway answer new connections 503, as during a
// Discord outage, until the returned function is called: a shard dropped
// meanwhile stays down while the client retries.
func (s *Server) RefuseGateway() (restore func()) {
	s.gatewayDown.Store(true)
	return func() { s.gatewayDown.Store(false) }
}

// DropShard is Drop for shard n's connection only (0 when unsharded).
func (s *Server) DropShard(n int) {
	s.eachShard(n, func(t *gateway) {
		t.conn.UnderlyingConn().Close()
		t.conn, t.ready = nil, false
	})
}

// CloseGateway closes every shard's gateway connection with a close code,
// as Discord does, e.g. 4004 when the token was reset while the bot ran.
// CloseShard closes one shard's.
func (s *Server) CloseGateway(code int) { s.CloseShard(-1, code) }

// CloseShard is CloseGateway for shard n's connection only (n -1: every
// shard's).
func (s *Server) CloseShard(n, code int) {
	s.eachShard(n, func(t *gateway) {
		closeWith(t.conn, code)
		t.conn.Close()
		t.conn, t.ready = nil, false
	})
}

// eachShard calls fn, under the gateway lock, with the session of shard n
// (n -1: of every shard) if it has a connection.
func (s *Server) eachShard(n int, fn func(t *gateway)) {
	g := &s.gw
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, t := range g.shardsLocked() {
		if (n < 0 || n == i) && t != nil && t.conn != nil {
			fn(t)
		}
	}
}

// GatewayStats reports how many sessions were identified and resumed on
// every shard, the intents of the last IDENTIFY, and whether every shard
// that identified is connected now. ShardStats reports one shard.
func (s *Server) GatewayStats() (identifies, resumes int, intents int64, connected bool) {
	g := &s.gw
	g.mu.Lock()
	defer g.mu.Unlock()
	connected = g.conn != nil && g.ready
	for _, t := range g.shardsLocked() {
		if t != nil && t.sessionID != "" && (t.conn == nil || !t.ready) {
			connected = false
		}
	}
	return g.identifies, g.resumes, g.intents, connected
}

// ShardStats is one shard's session as the fake sees it.
type ShardStats struct {
	Identifies, Resumes int    // IDENTIFYs and RESUMEs for this shard
	Session             string // the session ID of its last IDENTIFY
	Connected           bool   // identified or resumed on a live connection
}

// ShardStats reports shard n's session (0 when unsharded).
func (s *Server) ShardStats(n int) ShardStats {
	g := &s.gw
	g.mu.Lock()
	defer g.mu.Unlock()
	shards := g.shardsLocked()
	if n < 0 || n >= len(shards) || shards[n] == nil {
		return ShardStats{}
	}
	t := shards[n]
	return ShardStats{Identifies: t.shardIdentifies, Resumes: t.shardResumes, Session: t.sessionID,
		Connected: t.conn != nil && t.ready}
}
