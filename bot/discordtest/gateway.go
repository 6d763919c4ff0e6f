package discordtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

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
	delivered  int64 // highest seq written to a ready connection
	identifies int
	resumes    int
	intents    int64
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
	if g.conn != nil {
		g.conn.Close()
		g.conn = nil
	}
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// serveGateway runs one gateway connection: HELLO, then IDENTIFY or RESUME,
// then heartbeats until the client or Drop closes it.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	g := &s.gw
	g.mu.Lock()
	if g.conn != nil {
		g.conn.Close()
	}
	g.conn, g.ready = conn, false
	hello := fmt.Sprintf(`{"heartbeat_interval":%d}`, s.opts.Heartbeat.Milliseconds())
	conn.WriteJSON(event{Op: 10, Data: json.RawMessage(hello)})
	g.mu.Unlock()
	defer s.detach(conn)
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
			s.resume(conn, in.Data)
		}
		s.mu.Lock()
		s.notifyLocked()
		s.mu.Unlock()
	}
}

func (s *Server) detach(conn *websocket.Conn) {
	conn.Close()
	s.gw.mu.Lock()
	if s.gw.conn == conn {
		s.gw.conn, s.gw.ready = nil, false
	}
	s.gw.mu.Unlock()
	s.mu.Lock()
	s.notifyLocked()
	s.mu.Unlock()
}

// identify starts a new session: READY, then any events dispatched while
// no session was listening.
func (s *Server) identify(conn *websocket.Conn, data json.RawMessage) bool {
	var id struct {
		Token   string `json:"token"`
		Intents int64  `json:"intents"`
	}
	json.Unmarshal(data, &id)
	g := &s.gw
	g.mu.Lock()
	defer g.mu.Unlock()
	if id.Token != "Bot "+s.opts.Token {
		conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."))
		return false
	}
	if s.disallowedIntents(id.Intents) {
		conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4014, "Disallowed intent(s)."))
		return false
	}
	g.identifies++
	g.intents = id.Intents
	g.sessionID = fmt.Sprintf("session-%d", g.identifies)
	var pending []event
	for _, e := range g.log {
		if e.Seq > g.delivered {
			pending = append(pending, e)
		}
	}
	ready, _ := json.Marshal(map[string]any{
		"v": 10, "session_id": g.sessionID, "resume_gateway_url": s.GatewayURL(),
		"user": s.botUser(), "guilds": []any{}, "private_channels": []any{},
		"application": map[string]any{"id": s.opts.AppID, "flags": 0},
	})
	g.conn, g.ready = conn, true
	g.writeLocked("READY", ready)
	s.guildCreatesLocked()
	for _, e := range pending {
		g.writeLocked(e.Type, e.Data)
	}
	return true
}

// resume replays the events after the client's sequence number, then
// RESUMED; an unknown session gets INVALID_SESSION (op 9), as on Discord.
func (s *Server) resume(conn *websocket.Conn, data json.RawMessage) {
	var r struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	json.Unmarshal(data, &r)
	g := &s.gw
	g.mu.Lock()
	defer g.mu.Unlock()
	if r.Token != "Bot "+s.opts.Token || r.SessionID != g.sessionID {
		conn.WriteJSON(event{Op: 9, Data: json.RawMessage("false")})
		return
	}
	g.resumes++
	g.conn, g.ready = conn, true
	for _, e := range g.log {
		if e.Seq > r.Seq {
			conn.WriteJSON(e)
			g.delivered = e.Seq
		}
	}
	g.writeLocked("RESUMED", json.RawMessage("{}"))
}

// writeLocked logs a new dispatch event and sends it if a session is
// listening; g.mu must be held.
func (g *gateway) writeLocked(typ string, data json.RawMessage) {
	g.seq++
	e := event{Op: 0, Seq: g.seq, Type: typ, Data: data}
	g.log = append(g.log, e)
	if g.conn != nil && g.ready && g.conn.WriteJSON(e) == nil {
		g.delivered = e.Seq
	}
}

// Dispatch sends a gateway event (op 0) with the given type and payload. If
// no session is connected it is kept and delivered on RESUME or IDENTIFY.
func (s *Server) Dispatch(typ string, payload any) {
	data, err := json.Marshal(payload)
	if err != nil {
		s.t.Fatalf("dispatch %s: %v", typ, err)
	}
	s.gw.mu.Lock()
	s.gw.writeLocked(typ, data)
	s.gw.mu.Unlock()
}

// Drop closes the gateway connection abruptly, without a close frame, as a
// network failure would; the client is expected to reconnect and RESUME.
func (s *Server) Drop() {
	g := &s.gw
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conn != nil {
		g.conn.UnderlyingConn().Close()
		g.conn, g.ready = nil, false
	}
}

// GatewayStats reports how many sessions were identified and resumed, the
// intents of the last IDENTIFY, and whether a session is connected now.
func (s *Server) GatewayStats() (identifies, resumes int, intents int64, connected bool) {
	g := &s.gw
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.identifies, g.resumes, g.intents, g.conn != nil && g.ready
}
