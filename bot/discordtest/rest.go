package discordtest

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// interaction is the fake's record of one dispatched interaction.
type interaction struct {
	id, token         string
	channelID         string
	guildID           string
	dispatched        time.Time
	acked             bool
	ackType           int
	original          string   // message ID of the response, once there is one
	followups         []string // message IDs
	componentMessage  string   // for button clicks: the message clicked
	originalEphemeral bool
	// loading: deferred (type 5) and the original not edited since, so a
	// follow-up edits the loading message instead of creating one.
	loading bool
}

const ephemeralFlag = 1 << 6

// route answers one REST request. It returns the status and the JSON body.
func (s *Server) route(r *http.Request, req Request) (int, any) {
	if !s.authorized(r, req.Path) {
		return http.StatusUnauthorized, errBody(0, "401: Unauthorized")
	}
	p := strings.Split(req.Path, "/")
	m := r.Method
	switch {
	case m == "GET" && (req.Path == "gateway" || req.Path == "gateway/bot"):
		return 200, map[string]any{"url": s.GatewayURL(), "shards": max(s.opts.Shards, 1),
			"session_start_limit": map[string]int{"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}}
	case m == "GET" && req.Path == "users/@me":
		return 200, s.botUser()
	case m == "PUT" && len(p) == 3 && p[0] == "applications" && p[2] == "commands":
		return s.overwriteCommands(p[1], "global", req.Body)
	case m == "PUT" && len(p) == 5 && p[0] == "applications" && p[2] == "guilds" && p[4] == "commands":
		return s.overwriteCommands(p[1], p[3], req.Body)
	case m == "POST" && len(p) == 4 && p[0] == "interactions" && p[3] == "callback":
		return s.callback(p[1], p[2], req.Body)
	case len(p) >= 3 && p[0] == "webhooks":
		return s.webhook(m, p, req.Body)
	case len(p) >= 2 && p[0] == "channels":
		if status, e := s.checkAccess(m, p, req); status != 0 {
			return status, e
		}
		req.Body = s.dropEmbeds(m, p, req.Body)
		if status, body, ok := s.extraChannelRoute(m, p, req); ok {
			return status, body
		}
		return s.channelRoute(m, p, req)
	}
	e := errBody(0, "404: Not Found")
	e.route = true
	return http.StatusNotFound, e
}

func (s *Server) botUser() map[string]any {
	return map[string]any{"id": s.opts.BotID, "username": s.opts.BotName, "discriminator": "0", "bot": true}
}

func (s *Server) overwriteCommands(app, scope string, body json.RawMessage) (int, any) {
	if app != s.opts.AppID {
		return 404, errBody(10002, "Unknown Application")
	}
	var cmds []map[string]any
	if err := json.Unmarshal(body, &cmds); err != nil {
		return 400, errBody(50109, "The request body contains invalid JSON.")
	}
	if code, e := validateCommands(cmds); code != 0 {
		return code, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands[scope] = body
	for _, c := range cmds {
		c["id"] = s.newIDLocked()
		c["application_id"] = app
		c["version"] = "1"
	}
	return 200, cmds
}

// callback handles POST interactions/{id}/{token}/callback.
func (s *Server) callback(id, token string, body json.RawMessage) (int, any) {
	var resp struct {
		Type int            `json:"type"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return 400, errBody(50109, "The request body contains invalid JSON.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.inters[token]
	if !ok || in.id != id || s.nowLocked().Sub(in.dispatched) > s.opts.AckDeadline {
		return 404, errBody(10062, "Unknown interaction")
	}
	if in.acked {
		return 400, errBody(40060, "Interaction has already been acknowledged.")
	}
	if resp.Data == nil {
		resp.Data = map[string]any{}
	}
	if code, e := s.validateCallback(resp.Type, resp.Data); code != 0 {
		return code, e
	}
	in.acked, in.ackType = true, resp.Type
	switch resp.Type {
	case 4, 5: // message, deferred message
		msg := s.newMessageLocked(in.channelID, in.guildID, resp.Data)
		if resp.Type == 5 {
			msg["content"] = ""
			in.loading = true
		}
		in.original = msg["id"].(string)
		in.originalEphemeral = flagsOf(resp.Data)&ephemeralFlag != 0
	case 7: // update the clicked message
		if msg, ok := s.messages[in.componentMessage]; ok {
			merge(msg, resp.Data)
		}
	}
	s.notifyLocked()
	return 204, nil
}

// validateCallback checks an interaction response's data for its type.
func (s *Server) validateCallback(typ int, data map[string]any) (int, any) {
	switch typ {
	case 4:
		return validate(data, true)
	case 5, 6:
		return 0, nil
	case 7:
		return validate(data, false)
	case 8:
		choices, ok := data["choices"].([]any)
		if !ok {
			return formError("data.choices: This field is required")
		}
		return validateChoices(choices)
	}
	return formError("type: Value must be one of {1, 4, 5, 6, 7, 8, 9, 10, 12}.")
}

// webhook handles the interaction webhook: PATCH/DELETE/GET messages/{id}
// (including @original) and POST for follow-ups, while the token is valid.
func (s *Server) webhook(method string, p []string, body json.RawMessage) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.inters[p[2]]
	if !ok || p[1] != s.opts.AppID {
		return 404, errBody(10015, "Unknown Webhook")
	}
	if s.nowLocked().Sub(in.dispatched) > s.opts.TokenLifetime {
		return 401, errBody(50027, "Invalid Webhook Token")
	}
	var data map[string]any
	if len(body) > 0 {
		if err := json.Unmarshal(body, &data); err != nil {
			return 400, errBody(50109, "The request body contains invalid JSON.")
		}
	}
	if method == "POST" && len(p) == 3 {
		return s.followupLocked(in, data)
	}
	if len(p) != 5 || p[3] != "messages" {
		e := errBody(0, "404: Not Found")
		e.route = true
		return 404, e
	}
	id := p[4]
	if id == "@original" {
		id = in.original
		if in.ackType == 6 || in.ackType == 7 { // the clicked message is the response
			id = in.componentMessage
			in.original = id
		}
	}
	msg, ok := s.messages[id]
	if !ok || !in.owns(id) {
		return 404, errBody(10008, "Unknown Message")
	}
	switch method {
	case "PATCH":
		if code, e := validate(data, false); code != 0 {
			return code, e
		}
		merge(msg, data)
		msg["edited_timestamp"] = s.nowLocked().UTC().Format(time.RFC3339Nano)
		if id == in.original {
			in.loading = false
		}
		s.notifyLocked()
		return 200, msg
	case "DELETE":
		delete(s.messages, id)
		s.notifyLocked()
		return 204, nil
	case "GET":
		return 200, msg
	}
	return 405, errBody(0, "405: Method Not Allowed")
}

// owns reports whether a message belongs to the interaction's webhook.
func (in *interaction) owns(id string) bool {
	return id != "" && (id == in.original || slices.Contains(in.followups, id))
}

// followupLocked creates a follow-up. Right after a deferral it edits the
// loading message instead and keeps its visibility, ignoring the
// ephemeral flag, as Discord documents for backwards compatibility
// (Create Followup Message); if that message was deleted, Discord answers
// Unknown Message.
func (s *Server) followupLocked(in *interaction, data map[string]any) (int, any) {
	if !in.acked {
		return 404, errBody(10015, "Unknown Webhook")
	}
	if in.loading {
		msg, ok := s.messages[in.original]
		if !ok {
			return 404, errBody(10008, "Unknown Message")
		}
		if code, e := validate(data, false); code != 0 {
			return code, e
		}
		flags := msg["flags"]
		merge(msg, data)
		msg["flags"] = flags
		msg["edited_timestamp"] = s.nowLocked().UTC().Format(time.RFC3339Nano)
		in.loading = false
		s.notifyLocked()
		return 200, msg
	}
	if code, e := validate(data, true); code != 0 {
		return code, e
	}
	msg := s.newMessageLocked(in.channelID, in.guildID, data)
	in.followups = append(in.followups, msg["id"].(string))
	s.notifyLocked()
	return 200, msg
}

// channelRoute handles channels/{c}, channels/{c}/messages[/{m}] and typing.
func (s *Server) channelRoute(method string, p []string, req Request) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cid := p[1]
	switch {
	case method == "GET" && len(p) == 2:
		c, ok := s.channels[cid]
		if !ok {
			c = Channel{ID: cid, Type: 0}
		}
		return 200, c
	case method == "POST" && len(p) == 3 && p[2] == "typing":
		return 204, nil
	case method == "GET" && len(p) == 3 && p[2] == "messages":
		return 200, s.historyLocked(cid, req.Query)
	case method == "POST" && len(p) == 3 && p[2] == "messages":
		var data map[string]any
		if err := json.Unmarshal(req.Body, &data); err != nil {
			return 400, errBody(50109, "The request body contains invalid JSON.")
		}
		if code, e := validate(data, true); code != 0 {
			return code, e
		}
		if code, e := s.checkReferenceLocked(cid, data); code != 0 {
			return code, e
		}
		guild := s.channels[cid].GuildID
		msg := s.newMessageLocked(cid, guild, data)
		s.notifyLocked()
		return 200, msg
	case method == "PATCH" && len(p) == 4 && p[2] == "messages":
		return s.editMessageLocked(cid, p[3], req.Body)
	}
	e := errBody(0, "404: Not Found")
	e.route = true
	return 404, e
}

// editMessageLocked applies a PATCH to one of the bot's own messages.
func (s *Server) editMessageLocked(cid, id string, body json.RawMessage) (int, any) {
	msg, ok := s.messages[id]
	if !ok || msg["channel_id"] != cid {
		return 404, errBody(10008, "Unknown Message")
	}
	if author, _ := msg["author"].(map[string]any); author["id"] != s.opts.BotID {
		return 403, errBody(50005, "Cannot edit a message authored by another user")
	}
	var data map[string]any
	if err := json.Unmarshal(body, &data); err != nil {
		return 400, errBody(50109, "The request body contains invalid JSON.")
	}
	if code, e := validate(data, false); code != 0 {
		return code, e
	}
	// An edit may not leave nothing to show, as when Embed Links
	// dropped the only embed (dropEmbeds).
	edited := maps.Clone(msg)
	merge(edited, data)
	if emptyMessage(edited) {
		return 400, errBody(50006, "Cannot send an empty message")
	}
	merge(msg, data)
	msg["edited_timestamp"] = s.nowLocked().UTC().Format(time.RFC3339Nano)
	s.notifyLocked()
	return 200, msg
}

// historyLocked returns a channel's non-ephemeral messages newest first,
// honouring limit (default 50) as Discord does.
func (s *Server) historyLocked(cid, query string) []map[string]any {
	limit := 50
	for _, kv := range strings.Split(query, "&") {
		if v, ok := strings.CutPrefix(kv, "limit="); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 && n <= 100 {
				limit = n
			}
		}
	}
	var out []map[string]any
	for i := len(s.order) - 1; i >= 0 && len(out) < limit; i-- {
		msg, ok := s.messages[s.order[i]]
		if ok && msg["channel_id"] == cid && flagsOf(msg)&ephemeralFlag == 0 {
			out = append(out, msg)
		}
	}
	return out
}

// newMessageLocked stores a message the bot sent.
func (s *Server) newMessageLocked(channelID, guildID string, data map[string]any) map[string]any {
	msg := map[string]any{
		"id": s.newIDLocked(), "channel_id": channelID, "author": s.botUser(),
		"content": "", "embeds": []any{}, "components": []any{}, "mentions": []any{},
		"timestamp": s.nowLocked().UTC().Format(time.RFC3339Nano), "type": 0,
	}
	if guildID != "" {
		msg["guild_id"] = guildID
	}
	merge(msg, data)
	if ref, ok := data["message_reference"].(map[string]any); ok {
		msg["type"] = 19 // reply
		if ref["message_id"] != nil {
			if m, ok := s.messages[ref["message_id"].(string)]; ok {
				msg["referenced_message"] = m
			}
		}
	}
	s.storeLocked(msg)
	return msg
}

func (s *Server) storeLocked(msg map[string]any) {
	id := msg["id"].(string)
	s.messages[id] = msg
	s.order = append(s.order, id)
}

// merge copies the message fields of a create or edit body into msg.
func merge(msg, data map[string]any) {
	for _, k := range []string{"content", "embeds", "components", "flags", "allowed_mentions", "message_reference", "attachments"} {
		if v, ok := data[k]; ok && v != nil {
			msg[k] = v
		}
	}
}

func flagsOf(m map[string]any) int {
	f, _ := m["flags"].(float64)
	if i, ok := m["flags"].(int); ok {
		return i
	}
	return int(f)
}
