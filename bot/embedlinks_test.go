package bot

import (
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot/discordtest"
)

// noEmbedLinks makes guild A's channel A one where the bot may answer but
// not embed: Discord drops the embeds of its channel messages there.
func noEmbedLinks(e *env) {
	e.fake.AddGuild(discordtest.Guild{ID: guildA, Roles: []discordtest.Role{
		{ID: guildA, Permissions: discordtest.PermAnswer &^ discordtest.PermEmbedLinks}}})
	e.fake.AddChannel(discordtest.Channel{ID: channelA, GuildID: guildA})
}

// TestSourcesShownWithoutEmbedLinks: where the bot lacks Embed Links, an
// answer to an @mention still shows its sources (title, publisher, date,
// link, quote) as text, since Discord would drop an embed; a follow-up
// reply takes the answer without them. /ask answers are interaction
// responses, which Discord lets the bot embed anywhere.
func TestSourcesShownWithoutEmbedLinks(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.seed(corpus0, "EU chips act agreed", chipsBody, "https://news.example/eu-chips?id=1")
	noEmbedLinks(e)
	by := member(guildA, channelA, "501")
	wantSources := []string{"**[1]** **EU chips act agreed**", "Reuters", "14 Mar 2025",
		"<https://news.example/eu-chips?id=1#:~:text=The%20EU%20agreed%20a%2043,euro%20chips%20act%20on%20Tuesday.>",
		"> The EU agreed a 43 billion euro chips act on Tuesday."}

	m := e.mention(by, "what did the EU agree on chips?")
	for _, want := range append([]string{"**Sources**"}, wantSources...) {
		if !strings.Contains(m.Content, want) {
			t.Errorf("mention answer %q lacks %q", m.Content, want)
		}
	}
	if len(m.Embeds) != 0 {
		t.Errorf("mention answer has %d embeds where the bot may not embed", len(m.Embeds))
	}

	follow := e.fake.Reply(by, m.ID, "and when does it apply?", true)
	e.answerTo(channelA, follow)
	qs := e.ans.asked()
	if h := qs[len(qs)-1].History; len(h) != 1 || strings.Contains(h[0].Answer, "Sources") || !strings.Contains(h[0].Answer, "43 billion") {
		t.Errorf("follow-up history = %+v, want the answer without its sources", h)
	}

	msgs := e.ask(by, "What did the EU agree on chips?")
	if len(msgs) != 1 || len(msgs[0].Embeds) != 1 {
		t.Fatalf("/ask answer = %+v, want one message with its sources embed", msgs)
	}
	for _, want := range wantSources {
		if !strings.Contains(allText(msgs), want) {
			t.Errorf("/ask answer lacks %q:\n%s", want, allText(msgs))
		}
	}
}

// TestLongSourcesWithoutEmbedLinks: forty sources shown as text fill
// further messages within Discord's limits, every article listed, and the
// vote buttons stay on the last message.
func TestLongSourcesWithoutEmbedLinks(t *testing.T) {
	t.Parallel()
	e := start(t, func(_ *Config, a *keywordAnswerer) { a.long = true })
	e.seed(corpus0, "EU chips act agreed", chipsBody, "https://news.example/eu-chips")
	noEmbedLinks(e)
	e.fake.PostMessage(member(guildA, channelA, "501"), "What did the EU agree on chips?", e.fake.BotID())
	var msgs []discordtest.Message
	e.fake.Wait(waitLong, "long answer", func() bool {
		msgs = e.botReplies(channelA)
		return len(msgs) > 0 && answered(msgs[len(msgs)-1])
	})
	text := allText(msgs)
	for _, want := range []string{"[40]** **EU chips act agreed**", "quote 2 quote 2", "quote 40 quote 40"} {
		if !strings.Contains(text, want) {
			t.Errorf("answer lacks %q", want)
		}
	}
	for i, m := range msgs {
		if len(m.Embeds) != 0 || answered(m) != (i == len(msgs)-1) {
			t.Errorf("message %d: %d embeds, buttons %v; want none, and buttons only on the last", i, len(m.Embeds), answered(m))
		}
	}
}

// TestEmbedLinksRevokedWhileAnswering: when Discord drops the sources
// embed although the bot expected to embed (Embed Links was taken away
// while the answer was written, or the state did not know the channel),
// the reply is corrected to show the sources as text.
func TestEmbedLinksRevokedWhileAnswering(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	e := start(t, func(_ *Config, a *keywordAnswerer) { a.gate = gate })
	e.seed(corpus0, "EU chips act agreed", chipsBody, "https://news.example/eu-chips")
	e.fake.AddGuild(discordtest.Guild{ID: guildA, Roles: []discordtest.Role{{ID: guildA, Permissions: discordtest.PermAnswer}}})
	e.fake.AddChannel(discordtest.Channel{ID: channelA, GuildID: guildA})
	by := member(guildA, channelA, "501")
	q := e.fake.PostMessage(by, "what did the EU agree on chips?", e.fake.BotID())
	e.fake.Wait(waitLong, "question asked", func() bool { return len(e.ans.asked()) == 1 })
	e.fake.AddChannel(discordtest.Channel{ID: channelA, GuildID: guildA,
		Overwrites: []discordtest.Overwrite{{ID: guildA, Type: 0, Deny: discordtest.PermEmbedLinks}}})
	close(gate)
	m := e.fake.AwaitReply(channelA, q, "answer with its sources", func(m discordtest.Message) bool {
		return answered(m) && strings.Contains(m.Content, "**Sources**")
	})
	for _, want := range []string{"**[1]** **EU chips act agreed**", "14 Mar 2025", "<https://news.example/eu-chips#:~:text="} {
		if !strings.Contains(m.Content, want) {
			t.Errorf("answer %q lacks %q", m.Content, want)
		}
	}
}
