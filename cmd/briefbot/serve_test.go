package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discordtest"
)

const (
	guildA   = "111111111111111111"
	guildB   = "222222222222222222"
	channelA = "311111111111111111"
	channelB = "322222222222222222"
	wait     = 20 * time.Second
)

// serveEnv runs `briefbot serve` in-process, with the real engine and store
// on disk, against a fake Discord reached through DISCORD_API_URL.
type serveEnv struct {
	t    *testing.T
	fake *discordtest.Server
	dir  string
}

// startServe starts serve with extra settings (key, value pairs) on top
// of the fake Discord's.
func startServe(t *testing.T, settings ...string) *serveEnv {
	t.Helper()
	fake := discordtest.New(t, discordtest.Options{WaitTimeout: wait})
	dir := t.TempDir()
	env := map[string]string{"DISCORD_TOKEN": fake.Token(), "DISCORD_API_URL": fake.APIBase(), "BRIEFBOT_LOG_LEVEL": "warn"}
	for i := 0; i+1 < len(settings); i += 2 {
		env[settings[i]] = settings[i+1]
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := cliCtx(ctx, dir, "", withStore(t, dir, env), "serve")
		done <- err
	}()
	t.Cleanup(func() { checkNoMentions(t, fake) })
	t.Cleanup(func() {
		cancel() // as SIGTERM does: in-flight answers finish, then the gateway closes
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(wait):
			t.Errorf("serve did not stop after cancel")
		}
	})
	fake.Wait(wait, "command registration", func() bool { return fake.Commands("global") != nil })
	return &serveEnv{t: t, fake: fake, dir: dir}
}

// reply waits for the message of an interaction's response that satisfies
// pred (discordtest.Server.AwaitResponse) and returns it.
func (e *serveEnv) reply(in discordtest.Interaction, what string, pred func(discordtest.Message) bool) discordtest.Message {
	e.t.Helper()
	msgs := e.fake.AwaitResponse(in, what, pred)
	return msgs[slices.IndexFunc(msgs, pred)]
}

func finished(m discordtest.Message) bool { return len(m.Components) > 0 }

func contains(s string) func(discordtest.Message) bool {
	return func(m discordtest.Message) bool { return strings.Contains(m.Content, s) }
}

func who(guild, channel, user string, perms int64) discordtest.Invoker {
	return discordtest.Invoker{UserID: user, GuildID: guild, ChannelID: channel, Permissions: perms}
}

// TestServeScenario is a new user's scenario end to end: /ask answers from
// the sample with a verified citation and vote buttons; a non-admin's add
// is refused; an admin's add in server A is answered from at once in A and
// is invisible in server B.
func TestServeScenario(t *testing.T) {
	e := startServe(t)
	member := who(guildA, channelA, "501", 0)
	in := e.fake.SlashCommand(member, "ask", discordtest.Str("question", "Which hacker groups did the EU denounce?"))
	m := e.reply(in, "answer", finished)
	t.Logf("answer:\n%s\nsources: %s", m.Content, m.Embeds[0].Description)
	if !strings.Contains(m.Content, "APT40 and APT31") || len(m.Embeds) == 0 ||
		!strings.Contains(m.Embeds[0].Description, "US, EU, Nato Condemn") {
		t.Fatalf("/ask answer: %q embeds %+v", m.Content, m.Embeds)
	}
	add := func(by discordtest.Invoker) discordtest.Interaction {
		return e.fake.SlashCommand(by, "briefing", discordtest.Sub("add",
			discordtest.Str("title", "Lithium slump"),
			discordtest.Str("text", "Lithium prices fell by a third in March as Chilean mines raised output.")))
	}
	e.fake.OverrideCommand(guildA, "briefing") // an Integrations override shows /briefing to all; we still check
	refused := e.reply(add(member), "non-admin refusal", func(m discordtest.Message) bool { return m.Content != "" })
	if !refused.Ephemeral() || strings.Contains(refused.Content, "Added") {
		t.Fatalf("non-admin add: %q", refused.Content)
	}
	ok := e.reply(add(who(guildA, channelA, "502", 1<<5)), "admin add", contains("Added **Lithium slump**"))
	if !ok.Ephemeral() {
		t.Errorf("add reply should be private")
	}
	ask := func(by discordtest.Invoker) string {
		in := e.fake.SlashCommand(by, "ask", discordtest.Str("question", "Why did lithium prices fall?"))
		return e.reply(in, "lithium answer", finished).Content
	}
	if got := ask(who(guildA, channelA, "503", 0)); !strings.Contains(got, "Chilean mines raised output") {
		t.Errorf("in server A: %q, want the new article quoted", got)
	}
	if got := ask(who(guildB, channelB, "504", 0)); strings.Contains(got, "Chilean") || !strings.Contains(got, "don't cover") {
		t.Errorf("in server B: %q, want a refusal", got)
	}
	out, _, err := cli(t, e.dir, "", nil, "list", "--json", "--guild", guildA)
	if err != nil || !strings.Contains(out, `"scope": "`+guildA+`"`) {
		t.Errorf("list --json --guild A: %v\n%s", err, out)
	}
}

// mention posts a message mentioning the bot and waits for the finished
// reply that references it.
func (e *serveEnv) mention(by discordtest.Invoker, text string) discordtest.Message {
	e.t.Helper()
	id := e.fake.PostMessage(by, text, e.fake.BotID())
	return e.fake.AwaitReply(by.ChannelID, id, "reply to "+text, finished)
}

// TestServeMentionAndThreadFollowUp: a mention gets a reply to the message;
// in a thread, a short follow-up is answered in the context of the first
// question, from the real engine.
func TestServeMentionAndThreadFollowUp(t *testing.T) {
	e := startServe(t)
	const thread = "411111111111111111"
	e.fake.AddChannel(discordtest.Channel{ID: thread, GuildID: guildA, Type: 11, ParentID: channelA})
	by := who(guildA, thread, "501", 0)
	first := e.mention(by, "Which hacker groups did the EU denounce?")
	if !strings.Contains(first.Content, "APT40 and APT31") {
		t.Fatalf("mention reply: %q", first.Content)
	}
	follow := e.mention(by, "and what did NATO do?")
	if !strings.Contains(follow.Content, "took note") {
		t.Errorf("thread follow-up: %q, want NATO's statement", follow.Content)
	}
}

// TestServeScopesListAutocompleteRemove: server B cannot see server A's
// article in /briefings list, autocomplete or /briefing remove.
func TestServeScopesListAutocompleteRemove(t *testing.T) {
	e := startServe(t)
	adminA, adminB := who(guildA, channelA, "502", 1<<5), who(guildB, channelB, "602", 1<<5)
	in := e.fake.SlashCommand(adminA, "briefing", discordtest.Sub("add",
		discordtest.Str("title", "Lithium slump"), discordtest.Str("text", "Lithium prices fell by a third in March.")))
	e.reply(in, "add in A", contains("Added **Lithium slump**"))
	list := func(by discordtest.Invoker) string {
		in := e.fake.SlashCommand(by, "briefings", discordtest.Sub("list"))
		m := e.reply(in, "list", func(m discordtest.Message) bool { return len(m.Embeds) > 0 })
		return m.Embeds[0].Description
	}
	if l := list(adminA); !strings.Contains(l, "Lithium slump") || !strings.Contains(l, "Nato Condemn") {
		t.Errorf("list in A: %q, want both articles", l)
	}
	if l := list(adminB); strings.Contains(l, "Lithium") || !strings.Contains(l, "Nato Condemn") {
		t.Errorf("list in B: %q, want only the global sample", l)
	}
	ac := e.fake.Autocomplete(adminB, "briefings", discordtest.Sub("show", discordtest.Focused("id", "lith")))
	e.fake.Wait(wait, "autocomplete", func() bool { return e.fake.Acked(ac) == 8 })
	for _, r := range e.fake.Requests() {
		if strings.Contains(r.Path, ac.ID) && strings.Contains(string(r.Body), "lithium") {
			t.Errorf("autocomplete in B offers A's article: %s", r.Body)
		}
	}
	out, _, _ := cli(t, e.dir, "", nil, "list", "--json", "--guild", guildA)
	id := "lithium" + between(out, `"id": "lithium`, `"`)
	if id == "lithium" {
		t.Fatalf("no lithium article in server A's list:\n%s", out)
	}
	rm := e.fake.SlashCommand(adminB, "briefing", discordtest.Sub("remove", discordtest.Str("id", id)))
	if m := e.reply(rm, "remove in B", func(m discordtest.Message) bool { return m.Content != "" }); !strings.Contains(m.Content, "find") {
		t.Errorf("remove from B: %q, want not found", m.Content)
	}
	if out2, _, _ := cli(t, e.dir, "", nil, "list", "--json", "--guild", guildA); out2 != out {
		t.Errorf("remove from B changed the store")
	}
}

func between(s, prefix, end string) string {
	_, rest, ok := strings.Cut(s, prefix)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, end)
	return v
}

func TestServeTimeline(t *testing.T) {
	e := startServe(t)
	in := e.fake.SlashCommand(who(guildA, channelA, "501", 0), "timeline", discordtest.Str("topic", "Chinese hackers"))
	m := e.reply(in, "timeline", contains("Timeline"))
	if !strings.Contains(m.Content, "25 Jun 2022") || !strings.Contains(m.Content, "criminal hackers") {
		t.Errorf("/timeline: %q, want the sample's dated quote", m.Content)
	}
}

// checkNoMentions asserts that every message the bot sent or edited carried
// allowed_mentions with an empty parse list.
func checkNoMentions(t *testing.T, fake *discordtest.Server) {
	checked := 0
	defer func() {
		if checked == 0 {
			t.Errorf("no message was checked for allowed_mentions")
		}
	}()
	for _, r := range fake.Requests() {
		if r.Method == "GET" || r.Method == "DELETE" || len(r.Body) == 0 {
			continue
		}
		var body map[string]any
		if r.Decode(&body) != nil {
			continue
		}
		msg := body
		if strings.HasPrefix(r.Path, "interactions/") {
			if body["type"] == float64(8) { // autocomplete choices are not a message
				continue
			}
			msg, _ = body["data"].(map[string]any)
		} else if !strings.HasPrefix(r.Path, "webhooks/") && !strings.Contains(r.Path, "/messages") {
			continue
		}
		checked++
		am, _ := msg["allowed_mentions"].(map[string]any)
		if parse, ok := am["parse"].([]any); !ok || len(parse) != 0 {
			t.Errorf("%s %s: allowed_mentions = %v, want {parse: []}", r.Method, r.Path, msg["allowed_mentions"])
		}
	}
}

// TestServeTimelineShowsRealLinks: a briefing's title and URL are not the
// bot's to vouch for, so /timeline shows a source's link as the URL it
// is (no masked link whose text could name another site) and the title
// inert.
func TestServeTimelineShowsRealLinks(t *testing.T) {
	e := startServe(t)
	admin := who(guildA, channelA, "502", 1<<5)
	page := `<html><head><title>[council.gov.uk flood plan](https://evil.example/x)</title>
<link rel="canonical" href="https://evil.example/phish">
<meta property="article:published_time" content="2021-03-01T10:00:00Z"></head>
<body><article><h1>Council flood plan</h1><p>The council approved a flood plan for the river district on Monday, with new barriers along the quay.</p></article></body></html>`
	add := e.fake.SlashCommand(admin, "briefing", discordtest.Sub("add", e.fake.Attach("file", "flood.html", "text/html", []byte(page))))
	if got := e.reply(add, "upload", func(m discordtest.Message) bool { return m.Content != "" }).Content; !strings.Contains(got, "Added") {
		t.Fatalf("add: %q", got)
	}
	in := e.fake.SlashCommand(who(guildA, channelA, "501", 0), "timeline", discordtest.Str("topic", "council flood plan barriers"))
	m := e.reply(in, "timeline", contains("Timeline"))
	if !strings.Contains(m.Content, "flood plan") || !strings.Contains(m.Content, "<https://evil.example/phish") {
		t.Errorf("/timeline: %q, want the flood plan's quote and its link shown as the URL it is", m.Content)
	}
	checkInert(t, m.Content, false)
}
