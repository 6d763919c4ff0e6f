package bot

import (
	"fmt"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/rag"
	"github.com/google/go-cmp/cmp"
)

// botReplies returns the bot's messages in a channel.
func (e *env) botReplies(channel string) []discordtest.Message { return e.fake.BotMessages(channel) }

// mention posts a message mentioning the bot and waits for the finished
// reply to it.
func (e *env) mention(by discordtest.Invoker, question string) discordtest.Message {
	e.t.Helper()
	id := e.fake.PostMessage(by, question, e.fake.BotID())
	return e.fake.AwaitReply(by.ChannelID, id, "reply to "+question, answered)
}

func TestMentionGetsAReply(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.seed(corpus0, "EU chips act agreed", chipsBody, "https://news.example/chips")
	by := member(guildA, channelA, "501")
	m := e.mention(by, "what did the EU agree on chips? @everyone")
	want := "> what did the EU agree on chips? @everyone\nAccording to EU chips act agreed: The EU agreed a 43 billion euro chips act on Tuesday. [1]"
	if m.Content != want {
		t.Errorf("reply = %q, want %q", m.Content, want)
	}
	if m.MessageReference.ChannelID != channelA || len(m.Embeds) != 1 || !strings.Contains(m.Embeds[0].Description, "news.example/chips") {
		t.Errorf("reply reference %+v embeds %+v", m.MessageReference, m.Embeds)
	}
	// Messages not mentioning the bot, and the bot's own, get no answer.
	e.fake.PostMessage(by, "chips chat among humans")
	e.mention(by, "second chips question?")
	if n := len(e.botReplies(channelA)); n != 2 {
		t.Errorf("bot sent %d messages, want 2", n)
	}
}

// TestMentionSurvivesAnEngineError is issue 17 item 5 for @mentions: an
// answer that fails or panics is caught by the pipeline slash commands go
// through: the user gets the apology as a reply, the failure is logged
// once, and the bot serves the next mention.
func TestMentionSurvivesAnEngineError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		breakIt func(*keywordAnswerer)
		logged  string
	}{
		{"error", func(a *keywordAnswerer) { a.err = errEngine }, "engine exploded"},
		{"panic", func(a *keywordAnswerer) { a.panics = true }, "panic in handler"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := start(t, func(_ *Config, a *keywordAnswerer) { tc.breakIt(a) })
			e.seed(corpus0, "EU chips act agreed", chipsBody, "")
			by := member(guildA, channelA, "501")
			id := e.fake.PostMessage(by, "what did the EU agree on chips?", e.fake.BotID())
			m := e.fake.AwaitReply(channelA, id, "apology", hasText("Sorry, something went wrong"))
			if m.MessageReference == nil || m.MessageReference.MessageID != id {
				t.Errorf("apology %+v is not a reply to the mention %s", m, id)
			}
			if logs := e.logs.String(); strings.Count(logs, tc.logged) != 1 {
				t.Errorf("%q logged %d times, want once:\n%s", tc.logged, strings.Count(logs, tc.logged), logs)
			}
			// The bot lives on: the next mention is served (and fails) too.
			again := e.fake.PostMessage(by, "and the chips act, once more?", e.fake.BotID())
			e.fake.AwaitReply(channelA, again, "second apology", hasText("Sorry, something went wrong"))
		})
	}
}

func TestThreadFollowUpUsesEarlierTurns(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.seed(corpus0, "EU chips act agreed", chipsBody, "")
	e.seed(corpus0, "NATO summit ends", "NATO leaders pledged more air defence for Ukraine. Talks ran late.", "")
	const thread = "411111111111111111"
	e.fake.AddChannel(discordtest.Channel{ID: thread, GuildID: guildA, Type: 11, ParentID: channelA})
	by := member(guildA, thread, "501")

	first := e.mention(by, "what did the EU agree on chips?")
	firstAnswer, _, _ := strings.Cut(strings.SplitN(first.Content, "\n", 2)[1], "\n")
	e.mention(by, "and what did NATO pledge?")
	in := e.fake.SlashCommand(by, "ask", discordtest.Str("question", "and NATO on air defence?"))
	e.reply(in, "third answer", answered)

	qs := e.ans.asked()
	if len(qs) != 3 {
		t.Fatalf("engine asked %d times, want 3", len(qs))
	}
	if qs[0].History != nil {
		t.Errorf("first question history = %v, want none", qs[0].History)
	}
	want := []rag.Turn{{Question: "what did the EU agree on chips?", Answer: firstAnswer}}
	if diff := cmp.Diff(want, qs[1].History); diff != "" {
		t.Errorf("follow-up history (-want +got):\n%s", diff)
	}
	if len(qs[2].History) != 2 || qs[2].History[1].Question != "and what did NATO pledge?" {
		t.Errorf("/ask in thread history = %+v, want both earlier turns", qs[2].History)
	}
	// Outside a thread, channel history is not used.
	e.mention(member(guildA, channelA, "501"), "chips again?")
	if h := e.ans.asked()[3].History; h != nil {
		t.Errorf("history outside a thread = %v, want none", h)
	}
}

func TestBriefingsListPagesAndShow(t *testing.T) {
	t.Parallel()
	e := start(t)
	for i := range 23 {
		e.seed(corpus0, fmt.Sprintf("Briefing number %02d", i), "Text.", "")
	}
	e.seed(guildA, "Local *bold* briefing", "Own text.", "https://news.example/local")
	by := member(guildA, channelA, "501")
	in := e.fake.SlashCommand(by, "briefings", discordtest.Sub("list"))
	m := e.reply(in, "list", func(m discordtest.Message) bool { return len(m.Embeds) == 1 })[0]
	if got := m.Embeds[0].Footer.Text; got != "Page 1 of 3 · 24 briefings" {
		t.Errorf("footer = %q", got)
	}
	if n := strings.Count(m.Embeds[0].Description, "\n") + 1; n != pageSize {
		t.Errorf("page shows %d lines, want %d", n, pageSize)
	}
	next := "page:1:"
	if !hasButton(m, next) || !m.Ephemeral() {
		t.Fatalf("components %+v, ephemeral %v: want a Next button on a private list", m.Components, m.Ephemeral())
	}
	click := e.fake.Click(by, m.ID, next)
	e.fake.Wait(waitLong, "page 2", func() bool {
		got, _ := e.fake.Message(m.ID)
		return len(got.Embeds) == 1 && got.Embeds[0].Footer != nil && got.Embeds[0].Footer.Text == "Page 2 of 3 · 24 briefings"
	})
	if e.fake.Acked(click) != 7 {
		t.Errorf("page click acked with %d, want 7 (update message)", e.fake.Acked(click))
	}

	q := e.fake.SlashCommand(by, "briefings", discordtest.Sub("list", discordtest.Str("query", "local")))
	l := e.reply(q, "query list", func(m discordtest.Message) bool { return len(m.Embeds) == 1 })[0]
	if d := l.Embeds[0].Description; !strings.Contains(d, `**Local \*bold\* briefing**`) || !strings.Contains(d, "this server") {
		t.Errorf("filtered list = %q, want the escaped local title marked as this server's", d)
	}
	id := e.lib.last().ID
	show := e.fake.SlashCommand(by, "briefings", discordtest.Sub("show", discordtest.Str("id", id)))
	s := e.reply(show, "show", func(m discordtest.Message) bool { return len(m.Embeds) == 1 })[0]
	if s.Embeds[0].Title != `Local \*bold\* briefing` || s.Embeds[0].Description != "Own text." {
		t.Errorf("show embed = %+v", s.Embeds[0])
	}
	// The link shows where it goes: never the title's own link (a masked link).
	shown := false
	for _, f := range s.Embeds[0].Fields {
		shown = shown || f.Value == "<https://news.example/local>"
	}
	if em := s.Embeds[0]; em.URL != "" || !shown {
		t.Errorf("show embed URL %q, fields %+v: want the link shown as <https://news.example/local>, the title unlinked", em.URL, em.Fields)
	}
}
