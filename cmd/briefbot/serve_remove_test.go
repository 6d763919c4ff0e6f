package main

import (
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot/discordtest"
)

// TestServeRemoveOnlyOwnScope goes through serve's real engine and store:
// a server's admin cannot remove the shared sample (every other server
// keeps answering from it), nor another server's or a shared feed, and
// can remove the server's own article.
func TestServeRemoveOnlyOwnScope(t *testing.T) {
	e := startServe(t)
	adminA, memberB := who(guildA, channelA, "502", 1<<5), who(guildB, channelB, "601", 0)
	for _, args := range [][]string{{"feed", "add", "--guild", guildB, "http://127.0.0.1:9/b.xml"}, {"feed", "add", "http://127.0.0.1:9/shared.xml"}} {
		if _, _, err := cli(t, e.dir, "", nil, args...); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	anyReply := func(m discordtest.Message) bool { return m.Content != "" }

	rm := e.fake.SlashCommand(adminA, "briefing", discordtest.Sub("remove", discordtest.Str("id", "eu-china-cyber")))
	if m := e.reply(rm, "remove shared", anyReply); !strings.Contains(m.Content, "shared by every server") ||
		!strings.Contains(m.Content, "briefbot remove eu-china-cyber") || !m.Ephemeral() {
		t.Errorf("remove of the shared sample from A: %q, want a private refusal naming the operator's command", m.Content)
	}
	ask := e.fake.SlashCommand(memberB, "ask", discordtest.Str("question", "Which hacker groups did the EU denounce?"))
	if got := e.reply(ask, "answer in B", finished).Content; !strings.Contains(got, "APT40 and APT31") {
		t.Errorf("server B after A's remove: %q, want the sample still answered", got)
	}
	if out, _, _ := cli(t, e.dir, "", nil, "list"); !strings.Contains(out, "eu-china-cyber") {
		t.Errorf("the shared sample left the store:\n%s", out)
	}
	for _, id := range []int64{1, 2} { // B's feed, then the shared one
		in := e.fake.SlashCommand(adminA, "briefing", discordtest.Group("feed", discordtest.Sub("remove", discordtest.Int("id", id))))
		if m := e.reply(in, "feed remove", anyReply); !strings.Contains(m.Content, "follows no feed") {
			t.Errorf("feed remove %d from A: %q, want not found", id, m.Content)
		}
	}
	if after, _, _ := cli(t, e.dir, "", nil, "feed", "list"); !strings.Contains(after, "b.xml") || !strings.Contains(after, "shared.xml") {
		t.Errorf("a feed was removed:\n%s", after)
	}

	add := e.fake.SlashCommand(adminA, "briefing", discordtest.Sub("add",
		discordtest.Str("title", "Lithium slump"), discordtest.Str("text", "Lithium prices fell by a third in March.")))
	ok := e.reply(add, "add in A", contains("Added **Lithium slump**"))
	id := between(ok.Content, "ID `", "`")
	rm = e.fake.SlashCommand(adminA, "briefing", discordtest.Sub("remove", discordtest.Str("id", id)))
	if m := e.reply(rm, "remove own", anyReply); !strings.Contains(m.Content, "Removed **Lithium slump**") {
		t.Errorf("remove of A's own article: %q", m.Content)
	}
	if out, _, _ := cli(t, e.dir, "", nil, "list", "--guild", guildA); strings.Contains(out, id) {
		t.Errorf("%s still listed after remove:\n%s", id, out)
	}
}
