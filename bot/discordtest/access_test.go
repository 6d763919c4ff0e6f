package discordtest_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/gorilla/websocket"
)

// identify opens a raw gateway connection and identifies with intents.
func identify(t *testing.T, fake *discordtest.Server, intents int64) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial(fake.GatewayURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	var hello map[string]any
	if err := c.ReadJSON(&hello); err != nil {
		t.Fatal(err)
	}
	err = c.WriteJSON(map[string]any{"op": 2, "d": map[string]any{"token": "Bot " + fake.Token(), "intents": intents,
		"properties": map[string]string{}}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// next reads dispatch events until one of type typ.
func next(t *testing.T, c *websocket.Conn, typ string) map[string]any {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var e struct {
			T string         `json:"t"`
			D map[string]any `json:"d"`
		}
		if err := c.ReadJSON(&e); err != nil {
			t.Fatalf("waiting for %s: %v", typ, err)
		}
		if e.T == typ {
			return e.D
		}
	}
}

func TestPrivilegedIntentNotEnabledCloses4014(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	c := identify(t, fake, discordtest.IntentGuildMessages|discordtest.IntentMessageContent)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err := c.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4014 {
		t.Fatalf("read after IDENTIFY: %v, want close 4014", err)
	}
	fake2 := discordtest.New(t, discordtest.Options{PrivilegedIntents: discordtest.IntentMessageContent})
	next(t, identify(t, fake2, discordtest.IntentGuildMessages|discordtest.IntentMessageContent), "READY")
}

func TestMessageContentNeedsTheIntent(t *testing.T) {
	by := discordtest.Invoker{UserID: "501", GuildID: "1", ChannelID: "2"}
	cases := []struct {
		name     string
		intents  int64
		mention  bool
		dm       bool
		wantText bool
	}{
		{"plain message, no intent", discordtest.IntentGuildMessages, false, false, false},
		{"mention, no intent", discordtest.IntentGuildMessages, true, false, true},
		{"DM, no intent", discordtest.IntentDirectMessages, false, true, true},
		{"plain message, intent", discordtest.IntentGuildMessages | discordtest.IntentMessageContent, false, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := discordtest.New(t, discordtest.Options{PrivilegedIntents: discordtest.IntentMessageContent})
			c := identify(t, fake, tc.intents)
			next(t, c, "READY")
			in := by
			if tc.dm {
				in.GuildID = ""
			}
			var mentions []string
			if tc.mention {
				mentions = append(mentions, fake.BotID())
			}
			fake.PostMessage(in, "what did NATO pledge?", mentions...)
			got, _ := next(t, c, "MESSAGE_CREATE")["content"].(string)
			if has := strings.Contains(got, "NATO"); has != tc.wantText {
				t.Errorf("content = %q, want text delivered: %v", got, tc.wantText)
			}
		})
	}
}

func TestChannelPermissionsGive403s(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	const guild, role = "1", "7"
	fake.AddGuild(discordtest.Guild{ID: guild, BotRoles: []string{role}, Roles: []discordtest.Role{
		{ID: guild, Permissions: discordtest.PermViewChannel | discordtest.PermReadMessageHistory},
		{ID: role, Permissions: discordtest.PermSendMessages},
	}})
	fake.AddChannel(discordtest.Channel{ID: "10", GuildID: guild})
	fake.AddChannel(discordtest.Channel{ID: "11", GuildID: guild, Overwrites: []discordtest.Overwrite{{ID: role, Type: 0, Deny: discordtest.PermSendMessages}}})
	fake.AddChannel(discordtest.Channel{ID: "12", GuildID: guild, Overwrites: []discordtest.Overwrite{{ID: guild, Type: 0, Deny: discordtest.PermViewChannel}}})
	fake.AddChannel(discordtest.Channel{ID: "13", GuildID: guild, Overwrites: []discordtest.Overwrite{
		{ID: role, Type: 0, Deny: discordtest.PermSendMessages}, {ID: fake.BotID(), Type: 1, Allow: discordtest.PermSendMessages}}})
	cases := []struct {
		channel    string
		wantStatus int
		wantCode   float64
	}{
		{"10", 200, 0},     // the role allows sending
		{"11", 403, 50013}, // the channel denies the role: Missing Permissions
		{"12", 403, 50001}, // the channel hides itself from @everyone: Missing Access
		{"13", 200, 0},     // a member overwrite beats the role's
		{"99", 200, 0},     // unknown guild: not checked
	}
	for _, tc := range cases {
		req, _ := http.NewRequest("POST", fake.APIBase()+"/channels/"+tc.channel+"/messages", strings.NewReader(`{"content":"hi"}`))
		req.Header.Set("Authorization", "Bot "+fake.Token())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != tc.wantStatus || tc.wantCode != 0 && body["code"] != tc.wantCode {
			t.Errorf("channel %s: %d %v, want %d code %v", tc.channel, resp.StatusCode, body, tc.wantStatus, tc.wantCode)
		}
	}
}
