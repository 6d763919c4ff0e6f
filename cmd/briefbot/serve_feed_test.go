package main

import (
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot/discordtest"
)

// TestServePollsFeeds: while serve runs, an admin follows a feed with
// /briefing feed add; the poller (every 200 ms here) adds its items to that
// server's briefings through the engine, so /ask answers from them at once
// in that server, and not in another.
func TestServePollsFeeds(t *testing.T) {
	site := startNewsSite(t)
	e := startServe(t, "BRIEFBOT_ALLOW_PRIVATE_URLS", "1", "BRIEFBOT_FEED_INTERVAL", "200ms")
	fake, dir := e.fake, e.dir

	add := fake.SlashCommand(who(guildA, channelA, "502", 1<<5), "briefing",
		discordtest.Group("feed", discordtest.Sub("add", discordtest.Str("url", site.URL+"/rss.xml"))))
	if m := e.reply(add, "feed add", contains("Following feed `1`")); !m.Ephemeral() {
		t.Error("feed add reply is public")
	}
	fake.Wait(wait, "the poller to add the feed's 3 items", func() bool {
		out, _, err := cli(t, dir, "", nil, "list", "--json", "--guild", guildA)
		return err == nil && strings.Count(out, `"added_by": "feed:1"`) == 3 && strings.Count(out, `"scope": "`+guildA+`"`) == 3
	})
	ask := func(by discordtest.Invoker) discordtest.Message {
		in := fake.SlashCommand(by, "ask", discordtest.Str("question", "How many steps did Arne Lund climb at the north lighthouse?"))
		return e.reply(in, "lighthouse answer", finished)
	}
	m := ask(who(guildA, channelA, "503", 0))
	if !strings.Contains(m.Content, "143 steps") || len(m.Embeds) == 0 ||
		!strings.Contains(m.Embeds[0].Description, "Lighthouse keeper retires after forty years") ||
		!strings.Contains(m.Embeds[0].Description, site.URL+"/gone/lighthouse") {
		t.Errorf("in server A: %q, sources %+v; want the feed item quoted and cited with its link", m.Content, m.Embeds)
	}
	if got := ask(who(guildB, channelB, "504", 0)).Content; strings.Contains(got, "143") || !strings.Contains(got, "don't cover") {
		t.Errorf("in server B: %q, want a refusal (the feed is server A's)", got)
	}
	// Items become visible as they are added; the feed's poll record is
	// written when the whole poll ends.
	fake.Wait(wait, "the first poll to be recorded", func() bool {
		out, _, err := cli(t, dir, "", nil, "feed", "list", "--json")
		return err == nil && !strings.Contains(out, `"last_polled": ""`)
	})
	list := fake.SlashCommand(who(guildA, channelA, "502", 1<<5), "briefing", discordtest.Group("feed", discordtest.Sub("list")))
	if m := e.reply(list, "feed list", contains("last poll <t:")); !strings.Contains(m.Content, "**Northcoast Ledger: Local**") {
		t.Errorf("feed list = %q, want the feed's title", m.Content)
	}
}
