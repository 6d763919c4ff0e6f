package discordtest

import "encoding/json"

// dropEmbeds applies Discord's Embed Links rule to a message the bot
// creates or edits in a channel: where the bot lacks Embed Links, Discord
// neither refuses the request nor shows the embeds; it drops them and
// keeps the rest (content, components, files). A message left with
// nothing to show is then refused as empty (400 50006 "Cannot send an
// empty message"; channelRoute checks that). This is what bots observe
// (discord-api-docs issues 2601 and 5648: an embed-only send or edit
// without the permission is "empty"; with content, only the content
// shows), and the permission's documented meaning (topics/permissions:
// EMBED_LINKS). Interaction responses and follow-ups are webhooks and
// exempt: apps may always embed there (change-log, June 2022; issue
// 5316), so callbacks and webhooks/ keep their embeds. Outside known
// guilds (DMs, channels of no guild the fake knows) nothing is dropped.
func (s *Server) dropEmbeds(method string, p []string, body json.RawMessage) json.RawMessage {
	create := method == "POST" && len(p) == 3 && p[2] == "messages"
	edit := method == "PATCH" && len(p) == 4 && p[2] == "messages"
	if !create && !edit {
		return body
	}
	if perms, known := s.BotPermissions(p[1]); !known || perms&PermEmbedLinks != 0 {
		return body
	}
	var data map[string]any
	if json.Unmarshal(body, &data) != nil {
		return body
	}
	if embeds, _ := data["embeds"].([]any); len(embeds) == 0 {
		return body
	}
	data["embeds"] = []any{}
	out, err := json.Marshal(data)
	if err != nil {
		return body
	}
	return out
}

// emptyMessage reports whether a stored message has nothing to show.
func emptyMessage(m map[string]any) bool {
	embeds, _ := m["embeds"].([]any)
	rows, _ := m["components"].([]any)
	atts, _ := m["attachments"].([]any)
	return runes(m["content"]) == 0 && len(embeds) == 0 && len(rows) == 0 && len(atts) == 0
}
