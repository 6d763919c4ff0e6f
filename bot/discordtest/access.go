package discordtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// Permission bits, as Discord numbers them.
const (
	PermAddReactions         int64 = 1 << 6
	PermAdministrator        int64 = 1 << 3
	PermManageGuild          int64 = 1 << 5
	PermViewChannel          int64 = 1 << 10
	PermSendMessages         int64 = 1 << 11
	PermEmbedLinks           int64 = 1 << 14
	PermReadMessageHistory   int64 = 1 << 16
	PermCreatePublicThreads  int64 = 1 << 35
	PermSendMessagesInThread int64 = 1 << 38

	// PermAnswer is what a bot needs to answer messages in a channel.
	PermAnswer = PermViewChannel | PermSendMessages | PermSendMessagesInThread | PermEmbedLinks |
		PermReadMessageHistory | PermAddReactions | PermCreatePublicThreads
)

// Gateway intents the fake looks at.
const (
	IntentGuildMessages  int64 = 1 << 9
	IntentDirectMessages int64 = 1 << 12
	IntentMessageContent int64 = 1 << 15
	// privilegedIntents need a switch in the developer portal: members,
	// presences, message content.
	privilegedIntents int64 = 1<<1 | 1<<8 | IntentMessageContent
)

// Guild is a server the bot is a member of, announced to the bot with
// GUILD_CREATE on every IDENTIFY (and at once when added while connected).
// Channels of the guild (AddChannel with its GuildID) come with it. Only in
// the channels of a known guild does the fake check the bot's permissions.
type Guild struct {
	ID      string
	OwnerID string
	// Roles are the guild's roles; the one whose ID is the guild's ID is
	// @everyone, the base of everyone's permissions.
	Roles []Role
	// BotRoles are the roles of the bot's member.
	BotRoles []string
}

// Role is a guild role and its permission bits.
type Role struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Permissions int64  `json:"permissions,string"`
}

// Overwrite is a channel's permission overwrite for a role (Type 0) or a
// member (Type 1).
type Overwrite struct {
	ID    string `json:"id"`
	Type  int    `json:"type"`
	Allow int64  `json:"allow,string"`
	Deny  int64  `json:"deny,string"`
}

// access is the fake's permission model.
type access struct {
	mu     sync.Mutex
	guilds map[string]Guild
	// overrides are "guild/command" pairs opened to every member
	// (guarded by Server.mu).
	overrides map[string]bool
}

// AddGuild makes a guild known, and announces it if the bot is connected.
func (s *Server) AddGuild(g Guild) {
	s.acc.mu.Lock()
	if s.acc.guilds == nil {
		s.acc.guilds = map[string]Guild{}
	}
	s.acc.guilds[g.ID] = g
	s.acc.mu.Unlock()
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	if s.gw.conn != nil && s.gw.ready {
		s.gw.writeLocked("GUILD_CREATE", s.guildCreate(g))
	}
}

// guildCreatesLocked announces every known guild after READY; s.gw.mu
// must be held.
func (s *Server) guildCreatesLocked() {
	s.acc.mu.Lock()
	guilds := make([]Guild, 0, len(s.acc.guilds))
	for _, g := range s.acc.guilds {
		guilds = append(guilds, g)
	}
	s.acc.mu.Unlock()
	for _, g := range guilds {
		s.gw.writeLocked("GUILD_CREATE", s.guildCreate(g))
	}
}

// guildCreate is a GUILD_CREATE payload: the roles, the channels and
// active threads, and the bot's own member.
func (s *Server) guildCreate(g Guild) json.RawMessage {
	var channels, threads []Channel
	s.mu.Lock()
	for _, c := range s.channels {
		if c.GuildID != g.ID {
			continue
		}
		if c.Type == 11 || c.Type == 12 {
			threads = append(threads, c)
		} else {
			channels = append(channels, c)
		}
	}
	s.mu.Unlock()
	roles := g.Roles
	if roles == nil {
		roles = []Role{}
	}
	botRoles := g.BotRoles
	if botRoles == nil {
		botRoles = []string{}
	}
	data, _ := json.Marshal(map[string]any{
		"id": g.ID, "name": "guild " + g.ID, "owner_id": g.OwnerID, "roles": roles,
		"channels": orEmpty(channels), "threads": orEmpty(threads), "unavailable": false,
		"members": []any{map[string]any{"user": s.botUser(), "roles": botRoles, "joined_at": "2024-01-01T00:00:00Z"}},
	})
	return data
}

func orEmpty(cs []Channel) []Channel {
	if cs == nil {
		return []Channel{}
	}
	return cs
}

// announceChannel tells a connected bot about a channel of a known guild.
func (s *Server) announceChannel(c Channel) {
	s.acc.mu.Lock()
	_, known := s.acc.guilds[c.GuildID]
	s.acc.mu.Unlock()
	if !known {
		return
	}
	typ := "CHANNEL_CREATE"
	if c.Type == 11 || c.Type == 12 {
		typ = "THREAD_CREATE"
	}
	data, _ := json.Marshal(c)
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	if s.gw.conn != nil && s.gw.ready {
		s.gw.writeLocked(typ, data)
	}
}

// BotPermissions computes the bot's permissions in a channel as Discord
// does: @everyone's and the bot's roles, then the channel's overwrites for
// @everyone, the roles and the bot (a thread takes its parent's). known is
// false outside known guilds, where the fake allows everything.
func (s *Server) BotPermissions(channelID string) (perms int64, known bool) {
	s.mu.Lock()
	ch, ok := s.channels[channelID]
	if ok && (ch.Type == 11 || ch.Type == 12) {
		ch.Overwrites = s.channels[ch.ParentID].Overwrites
	}
	s.mu.Unlock()
	s.acc.mu.Lock()
	g, gok := s.acc.guilds[ch.GuildID]
	s.acc.mu.Unlock()
	if !ok || !gok {
		return 0, false
	}
	if g.OwnerID == s.opts.BotID {
		return -1, true
	}
	for _, r := range g.Roles {
		if r.ID == g.ID || slices.Contains(g.BotRoles, r.ID) {
			perms |= r.Permissions
		}
	}
	if perms&PermAdministrator != 0 {
		return -1, true
	}
	var allow, deny int64
	for _, o := range ch.Overwrites {
		if o.ID == g.ID {
			perms = perms&^o.Deny | o.Allow
		} else if o.Type == 0 && slices.Contains(g.BotRoles, o.ID) {
			allow, deny = allow|o.Allow, deny|o.Deny
		}
	}
	perms = perms&^deny | allow
	for _, o := range ch.Overwrites {
		if o.Type == 1 && o.ID == s.opts.BotID {
			perms = perms&^o.Deny | o.Allow
		}
	}
	return perms, true
}

// checkAccess refuses a channel request the bot lacks permissions for,
// with Discord's 403s: 50001 Missing Access without View Channel, 50013
// Missing Permissions without what the action needs. It returns 0 when
// the request may go on.
func (s *Server) checkAccess(method string, p []string, req Request) (int, any) {
	perms, known := s.BotPermissions(p[1])
	if !known {
		return 0, nil
	}
	if perms&PermViewChannel == 0 {
		return http.StatusForbidden, errBody(50001, "Missing Access")
	}
	s.mu.Lock()
	thread := s.channels[p[1]].Type == 11 || s.channels[p[1]].Type == 12
	s.mu.Unlock()
	send := PermSendMessages
	if thread {
		send = PermSendMessagesInThread
	}
	var need int64
	switch {
	case method == "POST" && len(p) == 3 && (p[2] == "messages" || p[2] == "typing"):
		need = send
		if hasReference(req.Body) {
			need |= PermReadMessageHistory
		}
	case method == "GET" && len(p) == 3 && p[2] == "messages":
		need = PermReadMessageHistory
	case method == "PUT" && len(p) >= 5 && p[4] == "reactions":
		need = PermReadMessageHistory | PermAddReactions
	case method == "POST" && len(p) == 5 && p[4] == "threads":
		need = PermCreatePublicThreads
	}
	if perms&need != need {
		return http.StatusForbidden, errBody(50013, "Missing Permissions")
	}
	return 0, nil
}

func hasReference(body json.RawMessage) bool {
	var m struct {
		Ref *json.RawMessage `json:"message_reference"`
	}
	return json.Unmarshal(body, &m) == nil && m.Ref != nil
}

// extraChannelRoute serves reactions and threads started from a message;
// ok is false for other routes.
func (s *Server) extraChannelRoute(method string, p []string, req Request) (status int, body any, ok bool) {
	switch {
	case method == "PUT" && len(p) == 7 && p[2] == "messages" && p[4] == "reactions" && p[6] == "@me":
		emoji, err := url.PathUnescape(p[5])
		if err != nil {
			return 400, errBody(10014, "Unknown Emoji"), true
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		msg, found := s.messages[p[3]]
		if !found || msg["channel_id"] != p[1] {
			return 404, errBody(10008, "Unknown Message"), true
		}
		rs, _ := msg["reactions"].([]string)
		if !slices.Contains(rs, emoji) {
			msg["reactions"] = append(rs, emoji)
		}
		s.notifyLocked()
		return 204, nil, true
	case method == "POST" && len(p) == 5 && p[2] == "messages" && p[4] == "threads":
		st, b := s.startThread(p[1], p[3], req.Body)
		return st, b, true
	}
	return 0, nil, false
}

// startThread creates a public thread from a message; its ID is the
// message's, as on Discord, and the bot is told with THREAD_CREATE.
func (s *Server) startThread(channelID, messageID string, body json.RawMessage) (int, any) {
	var in struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return 400, errBody(50109, "The request body contains invalid JSON.")
	}
	if n := utf8.RuneCountInString(in.Name); n < 1 || n > 100 {
		return 400, errBody(50035, "Invalid Form Body: name: must be between 1 and 100 in length")
	}
	s.mu.Lock()
	msg, ok := s.messages[messageID]
	if !ok || msg["channel_id"] != channelID {
		s.mu.Unlock()
		return 404, errBody(10008, "Unknown Message")
	}
	if _, exists := s.channels[messageID]; exists {
		s.mu.Unlock()
		return 400, errBody(160004, "A thread has already been created for this message")
	}
	c := Channel{ID: messageID, GuildID: s.channels[channelID].GuildID, Type: 11, ParentID: channelID,
		Name: in.Name, OwnerID: s.opts.BotID}
	s.channels[c.ID] = c
	msg["thread"] = c
	s.notifyLocked()
	s.mu.Unlock()
	data, _ := json.Marshal(c)
	s.gw.mu.Lock()
	s.gw.writeLocked("THREAD_CREATE", data)
	s.gw.mu.Unlock()
	return 201, c
}

// Reactions returns the emoji the bot reacted with on a message.
func (s *Server) Reactions(messageID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs, _ := s.messages[messageID]["reactions"].([]string)
	return slices.Clone(rs)
}

// Channel returns a channel the fake knows, including threads the bot
// started.
func (s *Server) Channel(id string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[id]
	return c, ok
}

// disallowedIntents is the gateway's answer to an IDENTIFY asking for a
// privileged intent the portal does not enable: close code 4014.
func (s *Server) disallowedIntents(intents int64) bool {
	return intents&privilegedIntents&^s.opts.PrivilegedIntents != 0
}

// delivered is a user's message as the bot's session receives it: not at
// all without the intent for its kind (GUILD_MESSAGES, DIRECT_MESSAGES),
// and without its content, embeds, attachments and components unless the
// session has the message content intent, or the message mentions the
// bot, or is a DM, as Discord documents.
func (s *Server) delivered(msg map[string]any) (map[string]any, bool) {
	s.gw.mu.Lock()
	intents := s.gw.intents
	s.gw.mu.Unlock()
	_, inGuild := msg["guild_id"]
	if inGuild && intents&IntentGuildMessages == 0 || !inGuild && intents&IntentDirectMessages == 0 {
		return nil, false
	}
	if intents&IntentMessageContent != 0 || !inGuild || s.mentionsBot(msg) {
		return maps.Clone(msg), true
	}
	out := maps.Clone(msg)
	out["content"], out["embeds"], out["attachments"], out["components"] = "", []any{}, []any{}, []any{}
	return out, true
}

func (s *Server) mentionsBot(msg map[string]any) bool {
	ms, _ := msg["mentions"].([]any)
	for _, m := range ms {
		if u, ok := m.(map[string]any); ok && u["id"] == s.opts.BotID {
			return true
		}
	}
	return false
}

// Reply posts a user's reply to a message and dispatches MESSAGE_CREATE.
// With ping (the Discord client's default) the replied-to author is
// mentioned, which for the bot's messages means Discord delivers the
// content even without the message content intent. It returns the ID.
func (s *Server) Reply(by Invoker, to, content string, ping bool) string {
	s.mu.Lock()
	ref, ok := s.messages[to]
	if !ok {
		s.mu.Unlock()
		s.t.Fatalf("reply to unknown message %s", to)
	}
	ms := []any{}
	if author, _ := ref["author"].(map[string]any); ping && author != nil {
		ms = append(ms, author)
	}
	msg := map[string]any{
		"id": s.newIDLocked(), "channel_id": by.ChannelID, "author": by.user(),
		"content": content, "mentions": ms, "embeds": []any{}, "components": []any{},
		"timestamp": s.nowLocked().UTC().Format(time.RFC3339Nano), "type": 19,
		"message_reference":  map[string]any{"message_id": to, "channel_id": by.ChannelID},
		"referenced_message": maps.Clone(ref),
	}
	if by.GuildID != "" {
		msg["guild_id"] = by.GuildID
		msg["member"] = map[string]any{"roles": []string{}, "joined_at": "2024-01-01T00:00:00Z"}
	}
	s.storeLocked(msg)
	s.notifyLocked()
	event := copyMap(msg) // encoded after the lock is released
	s.mu.Unlock()
	if d, ok := s.delivered(event); ok {
		s.Dispatch("MESSAGE_CREATE", d)
	}
	return fmt.Sprint(event["id"])
}

// offered reports whether Discord would offer a registered command to the
// invoker, and why not: Discord shows a command only where its contexts
// allow (0 guild, 1 the bot's DM, 2 private channels), and in a guild only
// to members holding every bit of its default_member_permissions
// (Administrator holds all), unless the guild's admins added an override
// in Server Settings → Integrations (OverrideCommand).
func (s *Server) offered(by Invoker, command string) (bool, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var def map[string]any
	for _, scope := range []string{by.GuildID, "global"} {
		var cmds []map[string]any
		json.Unmarshal(s.commands[scope], &cmds)
		for _, c := range cmds {
			if c["name"] == command && def == nil {
				def = c
			}
		}
	}
	if def == nil {
		return true, "" // tests of the fake itself dispatch without registering
	}
	ctx := 1.0
	if by.GuildID != "" {
		ctx = 0
	}
	if cs, ok := def["contexts"].([]any); ok && !slices.Contains(cs, any(ctx)) {
		return false, fmt.Sprintf("/%s's contexts %v exclude this one", command, cs)
	}
	perms, ok := def["default_member_permissions"].(string)
	if !ok || by.GuildID == "" || s.acc.overrides[by.GuildID+"/"+command] {
		return true, ""
	}
	need, _ := strconv.ParseInt(perms, 10, 64)
	if by.Permissions&PermAdministrator != 0 || need != 0 && by.Permissions&need == need {
		return true, ""
	}
	return false, fmt.Sprintf("/%s needs permissions %s (default_member_permissions) and the member has %d", command, perms, by.Permissions)
}

// OverrideCommand makes a command available to every member of a guild,
// as an admin's override in Server Settings → Integrations does, whatever
// its default_member_permissions.
func (s *Server) OverrideCommand(guild, command string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.acc.overrides == nil {
		s.acc.overrides = map[string]bool{}
	}
	s.acc.overrides[guild+"/"+command] = true
}

// mayInvoke fails the test when Discord would not offer the command to
// the invoker; the interaction is then not dispatched.
func (s *Server) mayInvoke(by Invoker, command string) bool {
	if ok, why := s.offered(by, command); !ok {
		s.t.Errorf("Discord would not let user %s use /%s here: %s", by.UserID, command, why)
		return false
	}
	return true
}
