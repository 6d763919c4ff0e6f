package bot

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/corpus"
)

func TestCommandsRegisteredWithOneBulkOverwrite(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *Config, _ *keywordAnswerer) { c.GuildID = guildA })
	var puts []string
	for _, r := range e.fake.Requests() {
		if r.Method == "PUT" {
			puts = append(puts, r.Path)
		}
	}
	want := "applications/" + e.fake.AppID() + "/guilds/" + guildA + "/commands"
	if len(puts) != 1 || puts[0] != want {
		t.Fatalf("PUT requests = %v, want one to %s (app ID learned from READY)", puts, want)
	}
	var cmds []struct {
		Name        string  `json:"name"`
		DefaultPerm *string `json:"default_member_permissions"`
	}
	decodeJSON(t, e.fake.Commands(guildA), &cmds)
	perms := map[string]string{}
	for _, c := range cmds {
		perms[c.Name] = "<nil>"
		if c.DefaultPerm != nil {
			perms[c.Name] = *c.DefaultPerm
		}
	}
	want2 := map[string]string{"ask": "<nil>", "briefing": "32", "briefings": "<nil>", "help": "<nil>"}
	if len(perms) != len(want2) {
		t.Errorf("commands = %v, want %v", perms, want2)
	}
	for name, p := range want2 {
		if perms[name] != p {
			t.Errorf("%s default_member_permissions = %s, want %s", name, perms[name], p)
		}
	}
	_, _, intents, _ := e.fake.GatewayStats()
	if intents&discordtest.IntentMessageContent != 0 || intents&discordtest.IntentGuildMessages == 0 || intents&discordtest.IntentDirectMessages == 0 {
		t.Errorf("identify intents = %b, want GUILD_MESSAGES and DIRECT_MESSAGES without the privileged MESSAGE_CONTENT", intents)
	}
}

func TestNonAdminIsRefusedAndNothingChanges(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *Config, _ *keywordAnswerer) { c.AdminRoleIDs = []string{"900"} })
	a := e.seed(guildA, "Own article", "Some text.", "")
	cases := []struct {
		name string
		opts []discordtest.Option
	}{
		{"add", []discordtest.Option{discordtest.Sub("add", discordtest.Str("text", "New text."), discordtest.Str("title", "New"))}},
		{"remove", []discordtest.Option{discordtest.Sub("remove", discordtest.Str("id", a.ID))}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			by := member(guildA, channelA, "501")
			by.Roles = []string{"123"} // not the admin role
			in := e.fake.SlashCommand(by, "briefing", tc.opts...)
			m := e.reply(in, "refusal", hasText("Only server managers"))[0]
			if !m.Ephemeral() {
				t.Error("refusal is public")
			}
			if got := e.lib.count(); got != 1 {
				t.Errorf("library holds %d articles, want 1 (unchanged)", got)
			}
		})
	}
	// The configured role makes a member an admin.
	by := member(guildA, channelA, "502")
	by.Roles = []string{"900"}
	in := e.fake.SlashCommand(by, "briefing", discordtest.Sub("remove", discordtest.Str("id", a.ID)))
	e.reply(in, "removal by role admin", hasText("Removed **Own article**"))
}

// addedLine is the count of passages and the ID in an add reply.
var addedLine = regexp.MustCompile("\\d+ passages? · ID `art-")

func TestAdminAddThenAskFindsIt(t *testing.T) {
	t.Parallel()
	pages := map[string]corpus.Article{"https://news.example/nato": {Title: "NATO summit ends", Body: "NATO leaders pledged more air defence for Ukraine. Talks ran late."}}
	e := start(t, func(c *Config, _ *keywordAnswerer) { c.Fetch = fetchFromMap(pages) })
	file := e.fake.Attach("file", "grain.md", "text/markdown", []byte("# Grain deal renewed\nThe grain corridor deal was renewed for 120 days.\n\nShips resumed."))
	cases := []struct {
		name, want, question, cites string
		opts                        []discordtest.Option
	}{
		{"text", "Added **Semiconductor subsidies** (", "what about semiconductor subsidies?", "Semiconductor subsidies",
			[]discordtest.Option{discordtest.Str("text", "Japan approved semiconductor subsidies worth 3.9 trillion yen."), discordtest.Str("title", "Semiconductor subsidies")}},
		{"url", "Added **NATO summit ends** (", "what did NATO pledge on defence?", "NATO summit ends",
			[]discordtest.Option{discordtest.Str("url", "https://news.example/nato")}},
		{"file", "Added **Grain deal renewed** (", "was the grain corridor renewed?", "Grain deal renewed", []discordtest.Option{file}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := e.fake.SlashCommand(admin(guildA, channelA, "501"), "briefing", discordtest.Sub("add", tc.opts...))
			m := e.reply(in, "add result", hasText("Added"))[0]
			if !m.Ephemeral() || !strings.Contains(m.Content, tc.want) || !addedLine.MatchString(m.Content) {
				t.Errorf("add reply = %q (flags %d), want private %q with passages and ID", m.Content, m.Flags, tc.want)
			}
			ans := e.ask(member(guildA, channelA, "601"), tc.question)
			if !strings.Contains(ans[0].Embeds[0].Description, tc.cites) {
				t.Errorf("answer sources %q do not cite %q", ans[0].Embeds[0].Description, tc.cites)
			}
		})
	}
}

func TestAddAndRemoveErrorsAreFriendlyAndPrivate(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.seed(guildA, "Chips", "Chip text.", "")
	shared := e.seed(corpus.GlobalScope, "Shared sample", "Sample text.", "")
	cases := []struct {
		name string
		sub  discordtest.Option
		want string
	}{
		{"no source", discordtest.Sub("add"), "Give exactly one source"},
		{"two sources", discordtest.Sub("add", discordtest.Str("url", "https://x.example/"), discordtest.Str("text", "t")), "Give exactly one source"},
		{"text without title", discordtest.Sub("add", discordtest.Str("text", "Body.")), "Give a `title:`"},
		{"duplicate", discordtest.Sub("add", discordtest.Str("text", "Chip text."), discordtest.Str("title", "Chips")), "already stored"},
		{"unsupported url", discordtest.Sub("add", discordtest.Str("url", "ftp://x.example/a")), "I can't read that source"},
		{"unsupported file", discordtest.Sub("add", e.fake.Attach("file", "a.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []byte("PK"))), "I can't read that source"},
		{"empty file", discordtest.Sub("add", e.fake.Attach("file", "a.txt", "text/plain", []byte("Title only"))), "no article text"},
		{"remove unknown", discordtest.Sub("remove", discordtest.Str("id", "nope")), "couldn't find that briefing"},
		{"remove shared", discordtest.Sub("remove", discordtest.Str("id", shared.ID)), "shared by every server"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := e.fake.SlashCommand(admin(guildA, channelA, "501"), "briefing", tc.sub)
			m := e.reply(in, tc.want, hasText(tc.want))[0]
			if !m.Ephemeral() {
				t.Errorf("reply %q is public", m.Content)
			}
		})
	}
	if got := e.lib.count(); got != 2 {
		t.Errorf("library holds %d articles, want 2 (unchanged)", got)
	}
	if strings.Contains(e.logs.String(), "level=ERROR") {
		t.Errorf("expected errors were logged as failures:\n%s", e.logs.String())
	}
}

// TestScopesSeparateServers is issue 8 end to end: an article added in
// server A is answered from in A and invisible in B.
func TestScopesSeparateServers(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.seed(corpus.GlobalScope, "Shared sample briefing", "The sample covers cyber policy.", "")
	in := e.fake.SlashCommand(admin(guildA, channelA, "501"), "briefing",
		discordtest.Sub("add", discordtest.Str("text", "Lithium prices fell sharply in March."), discordtest.Str("title", "Lithium slump")))
	e.reply(in, "add in A", hasText("Added **Lithium slump**"))
	id := e.lib.last().ID

	a := e.ask(member(guildA, channelA, "601"), "what happened to lithium prices?")
	if !strings.Contains(a[0].Content, "Lithium prices fell") {
		t.Errorf("in A: %q, want the lithium answer", a[0].Content)
	}
	b := e.ask(member(guildB, channelB, "602"), "what happened to lithium prices?")
	if !strings.Contains(b[0].Content, "don't cover") {
		t.Errorf("in B: %q, want a refusal", b[0].Content)
	}

	if dm := e.ask(member("", "399", "602"), "what happened to lithium prices?"); !strings.Contains(dm[0].Content, "don't cover") {
		t.Errorf("in a DM: %q, want a refusal (DMs see only shared articles)", dm[0].Content)
	}
	if got := e.ans.asked()[2].Scopes; len(got) != 1 || got[0] != corpus.GlobalScope {
		t.Errorf("DM question scopes = %q, want only the global scope", got)
	}

	list := func(guild, channel string) string {
		in := e.fake.SlashCommand(member(guild, channel, "603"), "briefings", discordtest.Sub("list"))
		return allText(e.reply(in, "list", func(m discordtest.Message) bool { return len(m.Embeds) > 0 }))
	}
	if l := list(guildA, channelA); !strings.Contains(l, "Lithium slump") || !strings.Contains(l, "Shared sample") {
		t.Errorf("list in A = %q, want both articles", l)
	}
	if l := list(guildB, channelB); strings.Contains(l, "Lithium") || !strings.Contains(l, "Shared sample") {
		t.Errorf("list in B = %q, want only the shared article", l)
	}

	choices := func(by discordtest.Invoker, cmd, sub string) []string {
		in := e.fake.Autocomplete(by, cmd, discordtest.Sub(sub, discordtest.Focused("id", "li")))
		return e.choices(in)
	}
	if c := choices(member(guildA, channelA, "603"), "briefings", "show"); len(c) != 1 || c[0] != id {
		t.Errorf("autocomplete in A = %v, want [%s]", c, id)
	}
	if c := choices(member(guildB, channelB, "603"), "briefings", "show"); len(c) != 0 {
		t.Errorf("autocomplete in B = %v, want none", c)
	}
	if c := choices(admin(guildB, channelB, "603"), "briefing", "remove"); len(c) != 0 {
		t.Errorf("remove autocomplete in B = %v, want none", c)
	}

	show := e.fake.SlashCommand(member(guildB, channelB, "603"), "briefings", discordtest.Sub("show", discordtest.Str("id", id)))
	e.reply(show, "show in B", hasText("couldn't find that briefing"))
	rm := e.fake.SlashCommand(admin(guildB, channelB, "604"), "briefing", discordtest.Sub("remove", discordtest.Str("id", id)))
	e.reply(rm, "remove from B", hasText("couldn't find that briefing"))
	if e.lib.count() != 2 {
		t.Fatalf("removal from B changed the library")
	}
	rm = e.fake.SlashCommand(admin(guildA, channelA, "501"), "briefing", discordtest.Sub("remove", discordtest.Str("id", id)))
	e.reply(rm, "remove from A", hasText("Removed **Lithium slump**"))
	if e.lib.count() != 1 {
		t.Errorf("library holds %d articles after removal in A, want 1", e.lib.count())
	}
}

// choices returns the values of an autocomplete answer.
func (e *env) choices(in discordtest.Interaction) []string {
	e.t.Helper()
	e.fake.Wait(waitLong, "autocomplete", func() bool { return e.fake.Acked(in) == 8 })
	for _, r := range e.fake.Requests() {
		if strings.HasPrefix(r.Path, "interactions/"+in.ID+"/") {
			var body struct {
				Data struct {
					Choices []struct {
						Name  string          `json:"name"`
						Value json.RawMessage `json:"value"`
					} `json:"choices"`
				} `json:"data"`
			}
			decodeJSON(e.t, r.Body, &body)
			var out []string
			for _, c := range body.Data.Choices {
				var v string
				decodeJSON(e.t, c.Value, &v)
				out = append(out, v)
			}
			return out
		}
	}
	return nil
}

// TestConfiguredAdminRoleAddsArticle: with BRIEFBOT_ADMIN_ROLE_IDS set,
// /briefing is registered without default_member_permissions, so Discord
// offers it to a member holding the role (and nothing else), and the bot
// lets them add; others still see it refused. Without admin settings it
// stays Manage Server only.
func TestConfiguredAdminRoleAddsArticle(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *Config, _ *keywordAnswerer) { c.AdminRoleIDs = []string{"900"} })
	var defs []map[string]any
	decodeJSON(t, e.fake.Commands("global"), &defs)
	for _, d := range defs {
		if d["name"] == "briefing" && d["default_member_permissions"] != nil {
			t.Errorf("/briefing default_member_permissions = %v, want none when admin roles are configured", d["default_member_permissions"])
		}
	}
	by := member(guildA, channelA, "502")
	by.Roles = []string{"900"}
	in := e.fake.SlashCommand(by, "briefing", discordtest.Sub("add", discordtest.Str("title", "Role admin's note"),
		discordtest.Str("text", "Added by a member with the configured role.")))
	e.reply(in, "add by role admin", hasText("Added **Role admin's note**"))
	if e.lib.count() != 1 || e.lib.last().AddedBy != "502" || e.lib.last().Scope != guildA {
		t.Errorf("library after the role admin's add: %d articles, last %+v", e.lib.count(), e.lib.last())
	}
	other := e.fake.SlashCommand(member(guildA, channelA, "503"), "briefing", discordtest.Sub("add",
		discordtest.Str("title", "Nope"), discordtest.Str("text", "Should not be added.")))
	e.reply(other, "refusal", hasText("Only server managers"))
	if e.lib.count() != 1 {
		t.Errorf("a member without the role added an article")
	}
}
