package bot

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/rag"
	"github.com/google/go-cmp/cmp"
)

const natoBody = "NATO leaders pledged more air defence for Ukraine. Talks ran late."

// answerTo waits for the bot's finished reply to message id in channel.
func (e *env) answerTo(channel, id string) discordtest.Message {
	e.t.Helper()
	var got discordtest.Message
	e.fake.Wait(waitLong, "reply to "+id, func() bool {
		for _, m := range e.botReplies(channel) {
			if m.MessageReference != nil && m.MessageReference.MessageID == id && answered(m) {
				got = m
				return true
			}
		}
		return false
	})
	return got
}

// TestMentionsRepliesAndDMsWithoutMessageContent: the bot does not ask for
// the privileged message content intent (the fake's portal has it off, so
// asking would close the gateway with 4014), and still answers what
// Discord delivers in full: mentions, replies that ping it, and DMs.
func TestMentionsRepliesAndDMsWithoutMessageContent(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.seed(corpus0, "EU chips act agreed", chipsBody, "")
	e.seed(corpus0, "NATO summit ends", natoBody, "")
	e.seed(guildA, "Server A's own NATO notes", "NATO air defence notes for server A only.", "")
	by := member(guildA, channelA, "501")

	first := e.mention(by, "what did the EU agree on chips?")
	firstQ, firstA, _ := splitQuestion(first.Content)
	reply := e.fake.Reply(by, first.ID, "and what did NATO pledge?", true)
	if m := e.answerTo(channelA, reply); !strings.Contains(m.Content, "NATO leaders pledged") {
		t.Errorf("follow-up answer = %q", m.Content)
	}
	// A reply that does not ping the bot arrives without its text: nothing
	// to answer. A message that neither mentions nor replies is not for us.
	e.fake.Reply(by, first.ID, "chips again?", false)
	e.fake.PostMessage(by, "what did NATO pledge? (humans talking)")

	dm := discordtest.Invoker{UserID: "501", ChannelID: "399"}
	id := e.fake.PostMessage(dm, "what did NATO pledge on air defence?")
	m := e.answerTo("399", id)
	if !strings.Contains(m.Content, "NATO leaders pledged") || !strings.Contains(m.Content, dmNote) {
		t.Errorf("DM answer = %q, want the shared NATO briefing and a note that DMs search only shared briefings", m.Content)
	}

	qs := e.ans.asked()
	if len(qs) != 3 {
		t.Fatalf("engine asked %d times, want 3 (mention, reply, DM): %+v", len(qs), qs)
	}
	want := []rag.Turn{{Question: firstQ, Answer: firstA}}
	if diff := cmp.Diff(want, qs[1].History); diff != "" {
		t.Errorf("reply's history (-want +got):\n%s", diff)
	}
	if !slices.Equal(qs[2].Scopes, []string{corpus0}) {
		t.Errorf("DM scopes = %v, want only the shared briefings", qs[2].Scopes)
	}
	_, _, intents, _ := e.fake.GatewayStats()
	if intents&discordtest.IntentMessageContent != 0 {
		t.Errorf("intents %b include MESSAGE_CONTENT", intents)
	}

	help := e.fake.SlashCommand(dm, "help")
	if h := e.reply(help, "help in DM", hasText("/ask"))[0]; !strings.Contains(h.Content, "in DMs I search only the shared briefings") ||
		strings.Contains(h.Content, "this server") {
		t.Errorf("/help in a DM = %q, want it to say DMs search the shared briefings", h.Content)
	}
}

// answerThread sets up guild A with a thread the bot started under
// channel A, known to the bot through the gateway.
func answerThread(e *env) string {
	const thread = "411111111111111111"
	e.fake.AddGuild(discordtest.Guild{ID: guildA, Roles: []discordtest.Role{{ID: guildA, Permissions: discordtest.PermAnswer}}})
	e.fake.AddChannel(discordtest.Channel{ID: channelA, GuildID: guildA})
	e.fake.AddChannel(discordtest.Channel{ID: thread, GuildID: guildA, Type: 11, ParentID: channelA, OwnerID: e.fake.BotID()})
	return thread
}

// TestThreadFollowUpsWithoutMention: in a thread the bot answers in, a
// follow-up without a mention is answered only when the operator opted in
// to the message content intent (and the portal allows it); without it
// Discord delivers the message empty and the bot stays silent.
func TestThreadFollowUpsWithoutMention(t *testing.T) {
	t.Parallel()
	for _, optIn := range []bool{false, true} {
		t.Run(map[bool]string{false: "default", true: "BRIEFBOT_MESSAGE_CONTENT"}[optIn], func(t *testing.T) {
			var opts discordtest.Options
			if optIn {
				opts.PrivilegedIntents = discordtest.IntentMessageContent
			}
			e := startFake(t, opts, func(c *Config, _ *keywordAnswerer) { c.MessageContent = optIn })
			e.seed(corpus0, "NATO summit ends", natoBody, "")
			thread := answerThread(e)
			by := member(guildA, thread, "501")
			e.mention(by, "what did NATO pledge?")
			id := e.fake.PostMessage(by, "and on air defence?")
			if optIn {
				e.answerTo(thread, id)
			}
			e.mention(by, "anything else from NATO?") // a mention is always answered
			if got, want := len(e.ans.asked()), map[bool]int{false: 2, true: 3}[optIn]; got != want {
				t.Errorf("engine asked %d times, want %d", got, want)
			}
		})
	}
}

// TestSmallTalkGetsAReactionNotAnAnswer: "thanks, great!" under an answer
// is not a question.
func TestSmallTalkGetsAReactionNotAnAnswer(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.seed(corpus0, "NATO summit ends", natoBody, "")
	by := member(guildA, channelA, "501")
	first := e.mention(by, "what did NATO pledge?")
	cases := []struct{ text, emoji string }{{"thanks, great!", "👍"}, {"Thank you so much 🙏", "👍"}, {"hi", "👋"}}
	for _, tc := range cases {
		id := e.fake.Reply(by, first.ID, tc.text, true)
		e.fake.Wait(waitLong, "reaction to "+tc.text, func() bool { return slices.Contains(e.fake.Reactions(id), tc.emoji) })
	}
	if n := len(e.ans.asked()); n != 1 {
		t.Errorf("engine asked %d times, want 1", n)
	}
	if n := len(e.botReplies(channelA)); n != 1 {
		t.Errorf("bot sent %d messages, want 1 (the answer)", n)
	}
}

// TestRefusalsDoNotFlood: 12 mentions at 2 per minute give 2 answers and
// one notice; the other refusals are reactions. Empty mentions get one
// notice per user too.
func TestRefusalsDoNotFlood(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *Config, _ *keywordAnswerer) { c.AsksPerMinute = 2 })
	e.seed(corpus0, "NATO summit ends", natoBody, "")
	by := member(guildA, channelA, "501")
	e.mention(by, "what did NATO pledge?")
	e.mention(by, "what did NATO leaders pledge?")
	var ids []string
	for i := range 10 {
		ids = append(ids, e.fake.PostMessage(by, "NATO question "+itoa(i)+"?", e.fake.BotID()))
	}
	quiet := member(guildA, channelA, "502")
	for range 3 {
		ids = append(ids, e.fake.PostMessage(quiet, "", e.fake.BotID()))
	}
	e.fake.Wait(waitLong, "refusals", func() bool {
		n := 0
		for _, id := range ids {
			n += len(e.fake.Reactions(id))
		}
		return n == 9+2 && len(e.botReplies(channelA)) == 4
	})
	var notices []string
	for _, m := range e.botReplies(channelA)[2:] {
		notices = append(notices, m.Content)
	}
	if len(notices) != 2 || !strings.Contains(notices[0]+notices[1], "try again in") || !strings.Contains(notices[0]+notices[1], "Ask me a question") {
		t.Errorf("notices = %q, want one rate-limit notice and one empty-mention notice", notices)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(e.botReplies(channelA)); n != 4 {
		t.Errorf("bot sent %d messages, want 4", n)
	}
}

// TestNoWorkWhereTheBotCannotAnswer: in a channel where the bot may read but
// not write, a mention costs nothing (no answer computed, no request
// Discord would refuse) and is logged once for the channel.
func TestNoWorkWhereTheBotCannotAnswer(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.seed(corpus0, "NATO summit ends", natoBody, "")
	e.fake.AddGuild(discordtest.Guild{ID: guildA, Roles: []discordtest.Role{{ID: guildA, Permissions: discordtest.PermAnswer}}})
	e.fake.AddChannel(discordtest.Channel{ID: channelA, GuildID: guildA})
	e.fake.AddChannel(discordtest.Channel{ID: channelB, GuildID: guildA,
		Overwrites: []discordtest.Overwrite{{ID: guildA, Type: 0, Deny: discordtest.PermSendMessages}}})
	ro := member(guildA, channelB, "501")
	e.fake.PostMessage(ro, "what did NATO pledge?", e.fake.BotID())
	e.fake.PostMessage(ro, "what else did NATO pledge?", e.fake.BotID())
	e.mention(member(guildA, channelA, "501"), "what did NATO pledge?")
	time.Sleep(100 * time.Millisecond)

	if n := len(e.ans.asked()); n != 1 {
		t.Errorf("engine asked %d times, want 1 (only where the bot can answer)", n)
	}
	for _, r := range e.fake.Requests() {
		if strings.HasPrefix(r.Path, "channels/"+channelB) {
			t.Errorf("request %s %s in the read-only channel (status %d)", r.Method, r.Path, r.Status)
		}
	}
	if n := strings.Count(e.logs.String(), "not answering in this channel"); n != 1 {
		t.Errorf("logged %d times, want once per channel:\n%s", n, e.logs)
	}
}

// TestReplyToSplitAnswerFollowsItsQuestion: a long answer is split over
// messages and only the first quotes the question; a reply to the last one
// (where the sources and buttons are, the one people reply to) still
// follows up that answer's question, read back from the recorded question
// the buttons carry.
func TestReplyToSplitAnswerFollowsItsQuestion(t *testing.T) {
	t.Parallel()
	e := start(t, func(_ *Config, a *keywordAnswerer) { a.long = true })
	e.seed(corpus0, "EU chips act agreed", chipsBody, "")
	by := member(guildA, channelA, "501")
	e.fake.PostMessage(by, "What did the EU agree on chips?", e.fake.BotID())
	var tail discordtest.Message
	e.fake.Wait(waitLong, "split mention answer", func() bool {
		for _, m := range e.botReplies(channelA) {
			if answered(m) {
				tail = m
			}
		}
		return tail.ID != ""
	})
	if _, _, ok := splitQuestion(tail.Content); ok {
		t.Fatalf("answer not split: the buttons sit on the message quoting the question")
	}
	e.fake.Reply(by, tail.ID, "and when does it apply?", true)
	e.fake.Wait(waitLong, "the follow-up asked", func() bool { return len(e.ans.asked()) == 2 })
	h := e.ans.asked()[1].History
	if len(h) != 1 || h[0].Question != "What did the EU agree on chips?" ||
		!strings.HasPrefix(h[0].Answer, "This sentence is part of a long answer") {
		t.Errorf("history of a reply to the split answer's last message = %+v, want its question and answer", h)
	}
}
