package discordtest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// result is one raw REST answer of the fake.
type result struct {
	status int
	header http.Header
	body   map[string]any
}

// call sends one REST request, with the bot token when bot is true.
func call(t *testing.T, fake *discordtest.Server, bot bool, method, path string, body any) result {
	t.Helper()
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, fake.APIBase()+"/"+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if bot {
		req.Header.Set("Authorization", "Bot "+fake.Token())
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := result{status: resp.StatusCode, header: resp.Header}
	json.NewDecoder(resp.Body).Decode(&out.body)
	return out
}

func msg(content string) map[string]any { return map[string]any{"content": content} }

func TestRouteRateLimitPerMajorParameter(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	var last result
	for i := 0; i < 5; i++ {
		last = call(t, fake, true, "POST", "channels/10/messages", msg("hi"))
		if last.status != 200 {
			t.Fatalf("message %d: status %d %v", i+1, last.status, last.body)
		}
	}
	h := last.header
	if h.Get("X-RateLimit-Limit") != "5" || h.Get("X-RateLimit-Remaining") != "0" || h.Get("X-RateLimit-Bucket") == "" {
		t.Errorf("headers after 5 messages: %v", h)
	}
	if ra, err := strconv.ParseFloat(h.Get("X-RateLimit-Reset-After"), 64); err != nil || ra <= 0 || ra > 5 {
		t.Errorf("X-RateLimit-Reset-After = %q, want (0, 5]", h.Get("X-RateLimit-Reset-After"))
	}
	over := call(t, fake, true, "POST", "channels/10/messages", msg("hi"))
	retry, _ := over.body["retry_after"].(float64)
	if over.status != 429 || retry <= 0 || over.body["global"] != false || over.header.Get("X-RateLimit-Scope") != "user" || over.header.Get("Retry-After") == "" {
		t.Errorf("6th message: %d %v %v, want 429 with retry_after, global false, scope user", over.status, over.body, over.header)
	}
	other := call(t, fake, true, "POST", "channels/11/messages", msg("hi"))
	if other.status != 200 {
		t.Errorf("another channel: status %d, want 200 (its own bucket)", other.status)
	}
	if other.header.Get("X-RateLimit-Bucket") != h.Get("X-RateLimit-Bucket") {
		t.Errorf("bucket hash differs between channels; Discord shares it and keys by the major parameter")
	}
	fake.Advance(5 * time.Second)
	if again := call(t, fake, true, "POST", "channels/10/messages", msg("hi")); again.status != 200 {
		t.Errorf("after the window: status %d, want 200", again.status)
	}
	if n := fake.InvalidRequests(); n != 1 {
		t.Errorf("InvalidRequests = %d, want 1 (the 429)", n)
	}
}

func TestGlobalRateLimit(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{Limits: discordtest.RateLimits{Global: discordtest.Limit{N: 3, Per: time.Minute}}})
	for i := 0; i < 3; i++ {
		if r := call(t, fake, true, "GET", "channels/"+strconv.Itoa(20+i), nil); r.status != 200 {
			t.Fatalf("request %d: %d", i, r.status)
		}
	}
	r := call(t, fake, true, "GET", "channels/30", nil)
	if r.status != 429 || r.body["global"] != true || r.header.Get("X-RateLimit-Global") != "true" || r.header.Get("X-RateLimit-Scope") != "global" {
		t.Errorf("4th request: %d %v %v, want a global 429", r.status, r.body, r.header)
	}
}

// open connects a real discordgo session to the fake and collects its
// interactions.
func openSession(t *testing.T, fake *discordtest.Server, intents discordgo.Intent) (*discordgo.Session, chan *discordgo.InteractionCreate, error) {
	t.Helper()
	s, err := discordgo.New("Bot " + fake.Token())
	if err != nil {
		t.Fatal(err)
	}
	s.Client = &http.Client{Transport: rewrite{fake.APIBase()}}
	s.Identify.Intents = intents
	s.ShouldReconnectOnError = false
	got := make(chan *discordgo.InteractionCreate, 10)
	s.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { got <- i })
	err = s.Open()
	if err == nil {
		t.Cleanup(func() { s.Close() })
	}
	return s, got, err
}

func TestInteractionTokensHaveTheirOwnBucketsAndExpire(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	_, got, err := openSession(t, fake, discordgo.IntentsGuilds)
	if err != nil {
		t.Fatal(err)
	}
	by := discordtest.Invoker{UserID: "7", GuildID: "1", ChannelID: "2"}
	a, b := fake.SlashCommand(by, "ask"), fake.SlashCommand(by, "ask")
	recv(t, got)
	recv(t, got)
	for _, in := range []discordtest.Interaction{a, b} {
		if r := call(t, fake, false, "POST", "interactions/"+in.ID+"/"+in.Token+"/callback", map[string]any{"type": 5}); r.status != 204 {
			t.Fatalf("defer: %d %v", r.status, r.body)
		}
	}
	edit := func(in discordtest.Interaction) result {
		return call(t, fake, false, "PATCH", "webhooks/"+fake.AppID()+"/"+in.Token+"/messages/@original", msg("x"))
	}
	var last result
	for i := 0; i < 5; i++ {
		last = edit(a)
	}
	if last.status != 200 || last.header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("5th edit: %d remaining %q", last.status, last.header.Get("X-RateLimit-Remaining"))
	}
	if r := edit(a); r.status != 429 {
		t.Errorf("6th edit of one token: %d, want 429", r.status)
	}
	r := edit(b)
	if r.status != 200 || r.header.Get("X-RateLimit-Bucket") != last.header.Get("X-RateLimit-Bucket") {
		t.Errorf("other token: %d bucket %q, want 200 in a bucket with the same hash", r.status, r.header.Get("X-RateLimit-Bucket"))
	}
	fake.Throttle(b, 7*time.Second)
	if r := edit(b); r.status != 429 || r.body["retry_after"].(float64) < 6.9 {
		t.Errorf("throttled token: %d %v, want 429 retry_after 7", r.status, r.body)
	}
	fake.Advance(15*time.Minute + time.Second)
	r = edit(a)
	if r.status != 401 || r.body["code"] != float64(50027) {
		t.Errorf("edit after 15 min: %d %v, want 401 Invalid Webhook Token (50027)", r.status, r.body)
	}
}

func TestLatency(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{Latency: 150 * time.Millisecond})
	start := time.Now()
	call(t, fake, true, "GET", "users/@me", nil)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("request took %v, want at least the 150 ms latency", d)
	}
}

func TestFollowUpRightAfterDeferralEditsTheLoadingMessage(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	_, got, err := openSession(t, fake, discordgo.IntentsGuilds)
	if err != nil {
		t.Fatal(err)
	}
	by := discordtest.Invoker{UserID: "7", GuildID: "1", ChannelID: "2"}
	in := fake.SlashCommand(by, "ask")
	recv(t, got)
	call(t, fake, false, "POST", "interactions/"+in.ID+"/"+in.Token+"/callback", map[string]any{"type": 5})
	hook := "webhooks/" + fake.AppID() + "/" + in.Token
	r := call(t, fake, false, "POST", hook, map[string]any{"content": "oops", "flags": 64})
	orig, _ := fake.Original(in)
	if r.status != 200 || orig.Content != "oops" || orig.Ephemeral() || len(fake.Followups(in)) != 0 {
		t.Errorf("follow-up after a public deferral: %d, original %+v, %d follow-ups; want the public loading message edited, no new message",
			r.status, orig, len(fake.Followups(in)))
	}
	r = call(t, fake, false, "POST", hook, map[string]any{"content": "second", "flags": 64})
	if fu := fake.Followups(in); r.status != 200 || len(fu) != 1 || !fu[0].Ephemeral() {
		t.Errorf("second follow-up: %d %+v, want a new ephemeral message", r.status, fu)
	}
	// Deleting the loading message first leaves nothing for the follow-up
	// to edit: Discord answers Unknown Message.
	in2 := fake.SlashCommand(by, "ask")
	recv(t, got)
	call(t, fake, false, "POST", "interactions/"+in2.ID+"/"+in2.Token+"/callback", map[string]any{"type": 5})
	hook2 := "webhooks/" + fake.AppID() + "/" + in2.Token
	call(t, fake, false, "DELETE", hook2+"/messages/@original", nil)
	if r := call(t, fake, false, "POST", hook2, map[string]any{"content": "oops", "flags": 64}); r.status != 404 || r.body["code"] != float64(10008) {
		t.Errorf("follow-up after deleting the loading message: %d %v, want 404 Unknown Message", r.status, r.body)
	}
}

func TestMessageValidation(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	embed := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	fields := func(n int, name, value string) []any {
		var out []any
		for i := 0; i < n; i++ {
			out = append(out, map[string]any{"name": name, "value": value})
		}
		return out
	}
	button := func(id string) map[string]any {
		return map[string]any{"type": 2, "style": 1, "label": "b", "custom_id": id}
	}
	row := func(bs ...any) map[string]any { return map[string]any{"type": 1, "components": bs} }
	rows := func(n int) []any {
		var out []any
		for i := 0; i < n; i++ {
			out = append(out, row(button(fmt.Sprint("b", i))))
		}
		return out
	}
	tests := []struct {
		name string
		body map[string]any
		want string // "" accepted, else a fragment of the error
	}{
		{"limits exactly", map[string]any{"content": long(2000), "embeds": []any{embed("title", long(256), "description", long(4096),
			"fields", fields(1, long(256), long(1024)), "footer", map[string]any{"text": long(100)}, "author", map[string]any{"name": long(256)})}}, ""},
		{"content", msg(long(2001)), "content"},
		{"empty", map[string]any{"content": ""}, "Cannot send an empty message"},
		{"title", map[string]any{"embeds": []any{embed("title", long(257))}}, "embeds.0.title"},
		{"description", map[string]any{"embeds": []any{embed("description", long(4097))}}, "embeds.0.description"},
		{"26 fields", map[string]any{"embeds": []any{embed("fields", fields(26, "n", "v"))}}, "embeds.0.fields"},
		{"field name", map[string]any{"embeds": []any{embed("fields", fields(1, long(257), "v"))}}, "fields.0.name"},
		{"field value", map[string]any{"embeds": []any{embed("fields", fields(1, "n", long(1025)))}}, "fields.0.value"},
		{"footer", map[string]any{"embeds": []any{embed("footer", map[string]any{"text": long(2049)})}}, "footer.text"},
		{"author", map[string]any{"embeds": []any{embed("author", map[string]any{"name": long(257)})}}, "author.name"},
		{"6001 in all", map[string]any{"embeds": []any{embed("description", long(4000)), embed("description", long(2001))}}, "6000"},
		{"custom_id", map[string]any{"components": []any{row(button(long(101)))}}, "custom_id"},
		{"6 buttons", map[string]any{"components": []any{row(button("1"), button("2"), button("3"), button("4"), button("5"), button("6"))}}, "components.0.components"},
		{"6 rows", map[string]any{"components": rows(6)}, "components"},
		{"duplicate custom_id", map[string]any{"components": []any{row(button("a"), button("a"))}}, "duplicated"},
	}
	fake := discordtest.New(t, discordtest.Options{})
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, fake, true, "POST", fmt.Sprintf("channels/%d/messages", 100+i), tc.body)
			msg, _ := r.body["message"].(string)
			switch {
			case tc.want == "" && r.status != 200:
				t.Errorf("rejected %d %q, want accepted", r.status, msg)
			case tc.want != "" && (r.status != 400 || !strings.Contains(msg, tc.want)):
				t.Errorf("got %d %q, want 400 naming %q", r.status, msg, tc.want)
			}
		})
	}
}

func TestCommandDefinitionValidation(t *testing.T) {
	opt := func(name string, required bool) map[string]any {
		return map[string]any{"type": 3, "name": name, "description": "d", "required": required}
	}
	cmd := func(name, desc string, opts ...any) map[string]any {
		return map[string]any{"name": name, "description": desc, "options": opts}
	}
	many := func(n int) []any {
		var out []any
		for i := 0; i < n; i++ {
			out = append(out, opt(fmt.Sprint("o", i), false))
		}
		return out
	}
	choices := func(n int) map[string]any {
		o := opt("pick", false)
		var cs []any
		for i := 0; i < n; i++ {
			cs = append(cs, map[string]any{"name": fmt.Sprint("c", i), "value": fmt.Sprint(i)})
		}
		o["choices"] = cs
		return o
	}
	tests := []struct {
		name string
		cmds []any
		want string
	}{
		{"valid", []any{cmd("ask", "Ask", opt("question", true), opt("private", false)), cmd("help", "Help")}, ""},
		{"upper case", []any{cmd("Ask", "Ask")}, "0.name"},
		{"space", []any{cmd("ask me", "Ask")}, "0.name"},
		{"33 characters", []any{cmd(strings.Repeat("a", 33), "Ask")}, "0.name"},
		{"no description", []any{cmd("ask", "")}, "0.description"},
		{"101-character description", []any{cmd("ask", strings.Repeat("d", 101))}, "0.description"},
		{"26 options", []any{cmd("ask", "Ask", many(26)...)}, "0.options"},
		{"26 choices", []any{cmd("ask", "Ask", choices(26))}, "choices"},
		{"required after optional", []any{cmd("ask", "Ask", opt("a", false), opt("b", true))}, "required"},
		{"duplicate", []any{cmd("ask", "Ask"), cmd("ask", "Ask again")}, "unique"},
	}
	fake := discordtest.New(t, discordtest.Options{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake.Advance(time.Minute) // a fresh rate-limit window for each case
			r := call(t, fake, true, "PUT", "applications/"+fake.AppID()+"/commands", tc.cmds)
			msg, _ := r.body["message"].(string)
			switch {
			case tc.want == "" && r.status != 200:
				t.Errorf("rejected %d %q, want accepted", r.status, msg)
			case tc.want != "" && (r.status != 400 || !strings.Contains(msg, tc.want)):
				t.Errorf("got %d %q, want 400 naming %q", r.status, msg, tc.want)
			}
		})
	}
}

func TestNewIdentifyGetsNoMissedEvents(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	s, _, err := openSession(t, fake, discordgo.IntentsGuilds)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	by := discordtest.Invoker{UserID: "7", GuildID: "1", ChannelID: "2"}
	fake.SlashCommand(by, "missed")
	_, got, err := openSession(t, fake, discordgo.IntentsGuilds) // a new session: IDENTIFY
	if err != nil {
		t.Fatal(err)
	}
	fake.SlashCommand(by, "live")
	if name := recv(t, got).ApplicationCommandData().Name; name != "live" {
		t.Errorf("first event of the new session: %q, want live (missed events are replayed only on RESUME)", name)
	}
}

func TestFatalCloseCodes(t *testing.T) {
	tests := []struct {
		name    string
		opts    discordtest.Options
		token   string
		intents discordgo.Intent
		want    int
	}{
		{"bad token", discordtest.Options{}, "wrong", discordgo.IntentsGuilds, 4004},
		{"sharding required", discordtest.Options{Shards: 2}, "", discordgo.IntentsGuilds, 4011},
		{"invalid intents", discordtest.Options{}, "", 1 << 30, 4013},
		{"privileged intent not enabled", discordtest.Options{}, "", discordgo.IntentsGuilds | discordgo.IntentMessageContent, 4014},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := discordtest.New(t, tc.opts)
			if tc.token != "" {
				fake.ResetToken(tc.token)
				defer fake.ResetToken("test-token")
			}
			s, err := discordgo.New("Bot test-token")
			if err != nil {
				t.Fatal(err)
			}
			s.Client = &http.Client{Transport: rewrite{fake.APIBase()}}
			if tc.token != "" { // REST takes the new token, the gateway the old one
				s.Client.Transport = tokenSwap{rewrite{fake.APIBase()}, tc.token}
			}
			s.Identify.Intents = tc.intents
			s.ShouldReconnectOnError = false
			err = s.Open()
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != tc.want {
				s.Close()
				t.Fatalf("Open = %v, want close code %d", err, tc.want)
			}
		})
	}
	// The portal switch on: MESSAGE_CONTENT is accepted.
	fake := discordtest.New(t, discordtest.Options{PrivilegedIntents: discordtest.IntentMessageContent})
	if _, _, err := openSession(t, fake, discordgo.IntentsGuilds|discordgo.IntentMessageContent); err != nil {
		t.Errorf("enabled privileged intent refused: %v", err)
	}
}

// tokenSwap authorizes REST calls with another token.
type tokenSwap struct {
	next  http.RoundTripper
	token string
}

func (ts tokenSwap) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bot "+ts.token)
	return ts.next.RoundTrip(r)
}

func TestInvalidAPIVersionIsClosed(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	c, _, err := websocket.DefaultDialer.Dial(fake.GatewayURL()+"?v=6&encoding=json", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var ce *websocket.CloseError
	for err == nil {
		_, _, err = c.ReadMessage()
	}
	if !errors.As(err, &ce) || ce.Code != 4012 {
		t.Errorf("gateway v6: %v, want close 4012", err)
	}
}

func TestAutocompleteChoicesValidated(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	_, got, err := openSession(t, fake, discordgo.IntentsGuilds)
	if err != nil {
		t.Fatal(err)
	}
	by := discordtest.Invoker{UserID: "7", GuildID: "1", ChannelID: "2"}
	choices := func(n int, name string) []any {
		var out []any
		for i := 0; i < n; i++ {
			out = append(out, map[string]any{"name": name, "value": fmt.Sprint(i)})
		}
		return out
	}
	tests := []struct {
		name string
		data map[string]any
		want int
	}{
		{"no choices list", map[string]any{}, 400},
		{"26 choices", map[string]any{"choices": choices(26, "c")}, 400},
		{"101-character name", map[string]any{"choices": choices(1, strings.Repeat("n", 101))}, 400},
		{"25 choices", map[string]any{"choices": choices(25, "c")}, 204},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := fake.Autocomplete(by, "ask", discordtest.Focused("q", "x"))
			recv(t, got)
			r := call(t, fake, false, "POST", "interactions/"+in.ID+"/"+in.Token+"/callback", map[string]any{"type": 8, "data": tc.data})
			if r.status != tc.want {
				t.Errorf("status %d %v, want %d", r.status, r.body, tc.want)
			}
		})
	}
}

func TestEditingAUsersMessageIsForbidden(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	id := fake.PostMessage(discordtest.Invoker{UserID: "7", GuildID: "1", ChannelID: "2"}, "mine")
	r := call(t, fake, true, "PATCH", "channels/2/messages/"+id, msg("changed"))
	if r.status != 403 || r.body["code"] != float64(50005) {
		t.Errorf("edit of a user's message: %d %v, want 403 (50005)", r.status, r.body)
	}
	if m, _ := fake.Message(id); m.Content != "mine" {
		t.Errorf("content = %q, want it unchanged", m.Content)
	}
}
