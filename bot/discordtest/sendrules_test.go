package discordtest_test

import (
	"fmt"
	"testing"

	"github.com/briefbot/briefbot/bot/discordtest"
)

// noEmbedGuild is a guild whose bot may answer but not embed in channel
// "10" and its thread "12"; in channel "11" an overwrite allows the bot's
// role to embed.
func noEmbedGuild(t *testing.T) *discordtest.Server {
	t.Helper()
	fake := discordtest.New(t, discordtest.Options{})
	const guild, role = "1", "7"
	fake.AddGuild(discordtest.Guild{ID: guild, BotRoles: []string{role}, Roles: []discordtest.Role{
		{ID: guild, Permissions: discordtest.PermAnswer &^ discordtest.PermEmbedLinks},
	}})
	fake.AddChannel(discordtest.Channel{ID: "10", GuildID: guild})
	fake.AddChannel(discordtest.Channel{ID: "11", GuildID: guild, Overwrites: []discordtest.Overwrite{
		{ID: role, Type: 0, Allow: discordtest.PermEmbedLinks}}})
	fake.AddChannel(discordtest.Channel{ID: "12", GuildID: guild, Type: 11, ParentID: "10"})
	return fake
}

// TestEmbedsDroppedWithoutEmbedLinks: where the bot lacks Embed Links,
// Discord drops the embeds of its channel messages (creates and edits)
// and keeps the rest; a message left with nothing is refused as empty.
// Interaction responses and follow-ups are webhooks and keep theirs.
func TestEmbedsDroppedWithoutEmbedLinks(t *testing.T) {
	fake := noEmbedGuild(t)
	sources := []any{map[string]any{"title": "Sources", "description": "[1] EU chips act agreed"}}
	withEmbed := map[string]any{"content": "answer [1]", "embeds": sources}
	cases := []struct {
		name       string
		channel    string
		body       map[string]any
		wantStatus int
		wantEmbeds int
	}{
		{"no Embed Links: embeds dropped, content kept", "10", withEmbed, 200, 0},
		{"no Embed Links, embeds only: empty", "10", map[string]any{"embeds": sources}, 400, 0},
		{"thread of a channel without Embed Links", "12", withEmbed, 200, 0},
		{"overwrite allows Embed Links", "11", withEmbed, 200, 1},
		{"channel of no known guild", "99", withEmbed, 200, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, fake, true, "POST", "channels/"+tc.channel+"/messages", tc.body)
			if r.status != tc.wantStatus {
				t.Fatalf("status %d %v, want %d", r.status, r.body, tc.wantStatus)
			}
			if r.status == 400 {
				if r.body["code"] != float64(50006) {
					t.Errorf("body %v, want code 50006 (Cannot send an empty message)", r.body)
				}
				return
			}
			m, _ := fake.Message(r.body["id"].(string))
			if len(m.Embeds) != tc.wantEmbeds || m.Content != "answer [1]" {
				t.Errorf("stored %d embeds, content %q; want %d embeds and the content", len(m.Embeds), m.Content, tc.wantEmbeds)
			}
		})
	}

	t.Run("edits", func(t *testing.T) {
		r := call(t, fake, true, "POST", "channels/10/messages", msg("writing…"))
		path := "channels/10/messages/" + r.body["id"].(string)
		if r := call(t, fake, true, "PATCH", path, withEmbed); r.status != 200 {
			t.Fatalf("edit with content and embeds: %d %v", r.status, r.body)
		}
		if m, _ := fake.Message(r.body["id"].(string)); len(m.Embeds) != 0 || m.Content != "answer [1]" {
			t.Errorf("after the edit: %d embeds, content %q; want the content only", len(m.Embeds), m.Content)
		}
		r = call(t, fake, true, "PATCH", path, map[string]any{"content": "", "embeds": sources})
		if r.status != 400 || r.body["code"] != float64(50006) {
			t.Errorf("edit to embeds only: %d %v, want 400 50006", r.status, r.body)
		}
	})

	t.Run("interaction responses keep their embeds", func(t *testing.T) {
		in := fake.SlashCommand(discordtest.Invoker{UserID: "501", GuildID: "1", ChannelID: "10"}, "ask")
		call(t, fake, false, "POST", "interactions/"+in.ID+"/"+in.Token+"/callback", map[string]any{"type": 4, "data": withEmbed})
		call(t, fake, false, "POST", "webhooks/"+fake.AppID()+"/"+in.Token, withEmbed)
		orig, _ := fake.Original(in)
		fu := fake.Followups(in)
		if len(orig.Embeds) != 1 || len(fu) != 1 || len(fu[0].Embeds) != 1 {
			t.Errorf("response embeds %d, follow-ups %+v; want the embeds kept", len(orig.Embeds), fu)
		}
	})
}

// TestReplyReferencesChecked: a reply must reference a message of its own
// channel; Discord refuses another channel's, and an unknown message
// unless fail_if_not_exists is false, when it sends a plain message.
func TestReplyReferencesChecked(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	elsewhere := fake.PostMessage(discordtest.Invoker{UserID: "501", GuildID: "1", ChannelID: "21"}, "question elsewhere")
	soft := false
	cases := []struct {
		name      string
		ref       func(here, channel string) map[string]any
		wantCode  string // "" when sent
		wantReply bool
	}{
		{"same channel", func(here, ch string) map[string]any {
			return map[string]any{"message_id": here, "channel_id": ch}
		}, "", true},
		{"same channel, channel_id omitted", func(here, _ string) map[string]any {
			return map[string]any{"message_id": here}
		}, "", true},
		{"another channel", func(string, string) map[string]any {
			return map[string]any{"message_id": elsewhere, "channel_id": "21"}
		}, "REPLIES_CANNOT_REFERENCE_OTHER_CHANNEL", false},
		{"another channel, fail_if_not_exists false", func(string, string) map[string]any {
			return map[string]any{"message_id": elsewhere, "channel_id": "21", "fail_if_not_exists": soft}
		}, "REPLIES_CANNOT_REFERENCE_OTHER_CHANNEL", false},
		{"another channel's message named as this one's", func(_, ch string) map[string]any {
			return map[string]any{"message_id": elsewhere, "channel_id": ch}
		}, "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", false},
		{"unknown message", func(string, string) map[string]any {
			return map[string]any{"message_id": "424242"}
		}, "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", false},
		{"unknown message, fail_if_not_exists false: sent as a plain message", func(string, string) map[string]any {
			return map[string]any{"message_id": "424242", "fail_if_not_exists": soft}
		}, "", false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ch := fmt.Sprint(30 + i) // a channel each: the route's rate limit is per channel
			here := fake.PostMessage(discordtest.Invoker{UserID: "501", GuildID: "1", ChannelID: ch}, "question here")
			r := call(t, fake, true, "POST", "channels/"+ch+"/messages", map[string]any{"content": "answer", "message_reference": tc.ref(here, ch)})
			if tc.wantCode != "" {
				if r.status != 400 || r.body["code"] != float64(50035) || refErrorCode(r.body) != tc.wantCode {
					t.Errorf("%d %v, want 400 50035 with message_reference error %s", r.status, r.body, tc.wantCode)
				}
				return
			}
			if r.status != 200 {
				t.Fatalf("%d %v, want sent", r.status, r.body)
			}
			m, _ := fake.Message(r.body["id"].(string))
			if replied := m.MessageReference != nil; replied != tc.wantReply {
				t.Errorf("reference %+v, want a reply: %v", m.MessageReference, tc.wantReply)
			}
		})
	}
}

// refErrorCode is the code of the first message_reference error in a
// Discord Invalid Form Body answer.
func refErrorCode(body map[string]any) string {
	errs, _ := body["errors"].(map[string]any)
	ref, _ := errs["message_reference"].(map[string]any)
	list, _ := ref["_errors"].([]any)
	if len(list) == 0 {
		return ""
	}
	first, _ := list[0].(map[string]any)
	code, _ := first["code"].(string)
	return code
}
