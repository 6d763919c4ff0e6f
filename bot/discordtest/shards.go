package discordtest

import (
	"encoding/json"
	"strconv"

	"github.com/gorilla/websocket"
)

// Sharding, as Discord does it: a bot identifying with shard [i, n] gets
// the events of the guilds with (guild_id >> 22) % n == i, and DMs go to
// shard 0. Each shard is a session of its own (sequence numbers, log for
// RESUME), so several processes, each running some shards, can share one
// fake. Everything is guarded by the primary gateway's mu.

// bindShardLocked makes conn the connection of the shard it identified
// for (nil: unsharded), closing the one it replaces, and returns that
// shard's session.
func (g *gateway) bindShardLocked(conn *websocket.Conn, shard *[2]int) *gateway {
	t := g
	g.count = 0
	if shard != nil && shard[1] > 1 {
		g.count = shard[1]
		t = g.shardLocked(shard[0])
	}
	if t.conn != nil && t.conn != conn {
		t.conn.Close()
	}
	t.conn, t.ready = conn, true
	return t
}

// shardLocked is shard n's session (n 0: g itself).
func (g *gateway) shardLocked(n int) *gateway {
	if n == 0 {
		return g
	}
	if g.others == nil {
		g.others = map[int]*gateway{}
	}
	t := g.others[n]
	if t == nil {
		t = &gateway{}
		g.others[n] = t
	}
	return t
}

// allLocked is every shard's session, shard 0's first.
func (g *gateway) allLocked() []*gateway {
	out := []*gateway{g}
	for _, t := range g.others {
		out = append(out, t)
	}
	return out
}

// shardsLocked is every shard's session indexed by shard number (the
// unsharded session is shard 0); a shard not identified yet is nil.
func (g *gateway) shardsLocked() []*gateway {
	out := []*gateway{g}
	for n, t := range g.others {
		for len(out) <= n {
			out = append(out, nil)
		}
		out[n] = t
	}
	return out
}

// bySessionLocked finds the shard session a RESUME names.
func (g *gateway) bySessionLocked(id string) *gateway {
	for _, t := range g.allLocked() {
		if t.sessionID != "" && t.sessionID == id {
			return t
		}
	}
	return nil
}

// routeLocked is the session an event goes to: its guild's shard when
// the bot is sharded, else g. Shard sessions route to themselves.
func (g *gateway) routeLocked(typ string, data json.RawMessage) *gateway {
	if g.count < 2 {
		return g
	}
	var p struct {
		GuildID string `json:"guild_id"`
		ID      string `json:"id"`
	}
	json.Unmarshal(data, &p)
	guild := p.GuildID
	if typ == "GUILD_CREATE" {
		guild = p.ID
	}
	id, err := strconv.ParseUint(guild, 10, 64)
	if err != nil {
		return g // DMs and events of no guild: shard 0
	}
	return g.shardLocked(int((id >> 22) % uint64(g.count)))
}
