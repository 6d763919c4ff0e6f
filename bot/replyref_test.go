package bot

import (
	"strings"
	"testing"
)

// TestRepliesReferenceTheirOwnChannel: a reply references the question in
// the channel it is sent to, a thread being a channel of its own (env's
// finish checks every reply of every test so); a question deleted before
// its answer is ready still gets the answer, as a plain message, instead
// of Discord's Unknown message.
func TestRepliesReferenceTheirOwnChannel(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	e := start(t, func(_ *Config, a *keywordAnswerer) { a.gate = gate })
	e.seed(corpus0, "NATO summit ends", natoBody, "")
	thread := answerThread(e)
	by := member(guildA, thread, "501")
	q := e.fake.PostMessage(by, "what did NATO pledge?", e.fake.BotID())
	gone := e.fake.PostMessage(member(guildA, channelA, "501"), "what did NATO leaders pledge?", e.fake.BotID())
	e.fake.Wait(waitLong, "both questions asked", func() bool { return len(e.ans.asked()) == 2 })
	e.fake.DeleteMessage(gone)
	close(gate)

	if m := e.fake.AwaitReply(thread, q, "answer in the thread", answered); m.MessageReference.ChannelID != thread {
		t.Errorf("reply in the thread references %+v, want the question in the thread", m.MessageReference)
	}
	e.fake.Wait(waitLong, "answer to the deleted question", func() bool {
		ms := e.botReplies(channelA)
		return len(ms) == 1 && answered(ms[0]) && strings.Contains(ms[0].Content, "NATO leaders pledged")
	})
}
