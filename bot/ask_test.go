package bot

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discordtest"
)

const chipsBody = "The EU agreed a 43 billion euro chips act on Tuesday. Member states will fund new fabs.\n\nCritics said the sum is small."

func TestAskAcknowledgesThenAnswersWithSources(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	e := start(t, func(_ *Config, a *keywordAnswerer) { a.gate = gate })
	e.seed(corpus0, "EU chips act agreed", chipsBody, "https://news.example/eu-chips?id=1")

	in := e.fake.SlashCommand(member(guildA, channelA, "501"), "ask", discordtest.Str("question", "What did the EU agree on chips?"))
	e.fake.Wait(waitLong, "acknowledgement", func() bool { return e.fake.Acked(in) != 0 })
	if got := e.fake.Acked(in); got != 5 {
		t.Fatalf("acknowledged with callback type %d, want 5 (deferred) while the answer is still being written", got)
	}
	var ack discordtest.Request
	e.fake.Wait(waitLong, "acknowledgement recorded", func() bool {
		for _, r := range e.fake.Requests() {
			if strings.HasSuffix(r.Path, "/callback") {
				ack = r
			}
		}
		return ack.Status != 0
	})
	// The dispatch happened just before SlashCommand returned; the fake
	// itself rejects acknowledgements later than Discord's 3 s.
	if ack.Status != 204 {
		t.Fatalf("acknowledgement answered %d, want 204", ack.Status)
	}
	close(gate)
	msgs := e.reply(in, "final answer", answered)
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.Ephemeral() {
		t.Error("public /ask answer is ephemeral")
	}
	wantStart := "> What did the EU agree on chips?\nAccording to EU chips act agreed: The EU agreed a 43 billion euro chips act on Tuesday. [1]"
	if !strings.HasPrefix(m.Content, wantStart) {
		t.Errorf("content = %q, want prefix %q", m.Content, wantStart)
	}
	if len(m.Embeds) != 1 || m.Embeds[0].Title != "Sources" {
		t.Fatalf("embeds = %+v, want one Sources embed", m.Embeds)
	}
	desc := m.Embeds[0].Description
	// The link shows where it goes: no masked link, and no embed preview.
	wantLink := "\n<https://news.example/eu-chips?id=1#:~:text=The%20EU%20agreed%20a%2043,euro%20chips%20act%20on%20Tuesday.>\n"
	for _, want := range []string{"**[1]** **EU chips act agreed**", wantLink, "Reuters", "14 Mar 2025", "> The EU agreed a 43 billion euro chips act on Tuesday."} {
		if !strings.Contains(desc, want) {
			t.Errorf("sources embed %q lacks %q", desc, want)
		}
	}
	if voteButton(m, voteUp) == "" || voteButton(m, voteDown) == "" {
		t.Errorf("components = %+v, want 👍 and 👎 buttons", m.Components)
	}
	// While the answer streams the message shows one "writing…" status
	// and none of the unchecked text, however many pieces arrive.
	var progress []string
	for _, r := range e.fake.Requests() {
		if r.Method == "PATCH" && strings.HasSuffix(r.Path, "/messages/@original") && !strings.Contains(string(r.Body), "Sources") {
			progress = append(progress, string(r.Body))
		}
	}
	if len(progress) != 1 || !strings.Contains(progress[0], "Writing the answer") || strings.Contains(progress[0], "According to") {
		t.Errorf("edits before the final answer = %q, want one writing status without answer text", progress)
	}
}

func TestAskPrivate(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.seed(corpus0, "EU chips act agreed", chipsBody, "")
	in := e.fake.SlashCommand(member(guildA, channelA, "501"), "ask",
		discordtest.Str("question", "chips act?"), discordtest.Bool("private", true))
	msgs := e.reply(in, "private answer", answered)
	if !msgs[0].Ephemeral() {
		t.Errorf("answer flags = %d, want ephemeral", msgs[0].Flags)
	}
	// Without a URL the title is bold, not a link.
	if d := msgs[0].Embeds[0].Description; !strings.Contains(d, "**EU chips act agreed**") || strings.Contains(d, "](") {
		t.Errorf("sources embed = %q, want an unlinked bold title", d)
	}
}

func TestAskLongAnswerIsCutToTwoMessages(t *testing.T) {
	t.Parallel()
	e := start(t, func(_ *Config, a *keywordAnswerer) { a.long = true })
	e.seed(corpus0, "EU chips act agreed", chipsBody, "https://news.example/a")
	msgs := e.ask(member(guildA, channelA, "501"), "What did the EU agree on chips?")
	var text []discordtest.Message
	for _, m := range msgs {
		if m.Content != "" {
			text = append(text, m)
		}
	}
	if len(text) != 2 {
		t.Fatalf("answer text fills %d messages, want it cut to 2", len(text))
	}
	shown := allText(text)
	if n := strings.Count(shown, "This sentence is part of a long answer"); n < 40 || n >= 100 {
		t.Errorf("answer sentences shown = %d, want as many whole sentences as two messages hold", n)
	}
	if !strings.HasSuffix(strings.TrimSpace(text[1].Content), "]. …") {
		t.Errorf("second message ends %q, want the last whole sentence and …", text[1].Content[max(0, len(text[1].Content)-40):])
	}
	all := allText(msgs)
	for n := 1; n <= 40; n++ {
		if !strings.Contains(all, "**["+itoa(n)+"]**") {
			t.Errorf("source [%d] missing", n)
		}
	}
	for i, m := range msgs {
		if got, want := answered(m), i == len(msgs)-1; got != want {
			t.Errorf("message %d has vote buttons = %v, want %v", i, got, want)
		}
	}
	// Discord (and the fake) reject oversize messages: every write succeeded.
	for _, r := range e.fake.Requests() {
		if r.Status >= 400 {
			t.Errorf("%s %s answered %d: %s", r.Method, r.Path, r.Status, r.Body)
		}
	}
}

func TestAskRefusedWhenNotCovered(t *testing.T) {
	t.Parallel()
	e := start(t)
	msgs := e.ask(member(guildA, channelA, "501"), "What about penguins?")
	if !strings.Contains(msgs[0].Content, "The briefings don't cover that.") || len(msgs[0].Embeds) != 0 {
		t.Errorf("got %q with %d embeds, want the refusal without sources", msgs[0].Content, len(msgs[0].Embeds))
	}
}

func TestVoteStoredWithQuestionAndAnswer(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.seed(corpus0, "EU chips act agreed", chipsBody, "")
	m := e.ask(member(guildA, channelA, "501"), "What did the EU agree on chips?")[0]
	click := e.fake.Click(member(guildA, channelA, "777"), m.ID, voteButton(m, voteDown))
	got := e.reply(click, "vote thanks", hasText("👎"))
	if !got[0].Ephemeral() {
		t.Error("vote acknowledgement is public")
	}
	votes, err := e.ledger.Votes(context.Background())
	if err != nil || len(votes) != 1 {
		t.Fatalf("votes = %d, want 1", len(votes))
	}
	v := votes[0]
	if v.Up || v.UserID != "777" || v.AnswerID != m.ID || v.Question != "What did the EU agree on chips?" ||
		!strings.HasPrefix(v.Answer, "According to EU chips act agreed") {
		t.Errorf("vote = %+v", v)
	}
}

func TestConcurrentAsksAllAnswered(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *Config, _ *keywordAnswerer) { c.Workers = 4 })
	e.seed(corpus0, "EU chips act agreed", chipsBody, "")
	const n = 20
	ins := make([]discordtest.Interaction, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ins[i] = e.fake.SlashCommand(member(guildA, channelA, itoa(600+i)), "ask", discordtest.Str("question", "chips act number "+itoa(i)+"?"))
		}()
	}
	wg.Wait()
	for i, in := range ins {
		m := e.reply(in, "answer "+itoa(i), answered)[0]
		if !strings.HasPrefix(m.Content, "> chips act number "+itoa(i)+"?\n") {
			t.Errorf("answer %d content = %q", i, m.Content)
		}
	}
}

func TestRateLimitPerUser(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *Config, _ *keywordAnswerer) { c.AsksPerMinute = 2 })
	by := member(guildA, channelA, "501")
	e.ask(by, "one?")
	e.ask(by, "two?")
	in := e.fake.SlashCommand(by, "ask", discordtest.Str("question", "three?"))
	m := e.reply(in, "rate limit message", hasText("try again in"))[0]
	if !m.Ephemeral() || !strings.Contains(m.Content, "try again in 30 s") {
		t.Errorf("got %q (flags %d), want a private 'try again in 30 s'", m.Content, m.Flags)
	}
	e.ask(member(guildA, channelA, "502"), "another user is not limited?")
}

// TestEngineErrorAndPanicReplaceThePlaceholder: after a public deferral the
// apology takes the place of the "thinking…" message. Discord turns a
// follow-up sent there into an edit of that message anyway (keeping it
// public), and refuses it once the message is deleted.
func TestEngineErrorAndPanicReplaceThePlaceholder(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		breakIt func(*keywordAnswerer)
		logged  string // what the log must say, once
	}{
		{"error", func(a *keywordAnswerer) { a.err = errEngine }, "engine exploded"},
		{"panic", func(a *keywordAnswerer) { a.panics = true }, "panic in handler"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := start(t, func(_ *Config, a *keywordAnswerer) { tc.breakIt(a) })
			e.seed(corpus0, "EU chips act agreed", chipsBody, "")
			in := e.fake.SlashCommand(member(guildA, channelA, "501"), "ask", discordtest.Str("question", "What did the EU agree on chips?"))
			m := e.reply(in, "apology", hasText("Sorry, something went wrong"))[0]
			if len(m.Embeds) != 0 || len(m.Components) != 0 || len(e.fake.Followups(in)) != 0 {
				t.Errorf("apology %+v with %d follow-ups, want the bare apology in place of the placeholder", m, len(e.fake.Followups(in)))
			}
			if logs := e.logs.String(); strings.Count(logs, tc.logged) != 1 {
				t.Errorf("%q logged %d times, want once:\n%s", tc.logged, strings.Count(logs, tc.logged), logs)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	e := start(t)
	in := e.fake.SlashCommand(member("", "399", "501"), "help")
	m := e.reply(in, "help", hasText("/ask"))[0]
	if e.fake.Acked(in) != 4 || !m.Ephemeral() {
		t.Errorf("help acked with %d, ephemeral %v; want an immediate private message", e.fake.Acked(in), m.Ephemeral())
	}
}

func TestReconnectAfterGatewayDrop(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.seed(corpus0, "EU chips act agreed", chipsBody, "")
	e.fake.Drop()
	// Dispatched while disconnected: Discord replays it on RESUME.
	missed := e.fake.SlashCommand(member(guildA, channelA, "501"), "ask", discordtest.Str("question", "chips while away?"))
	e.reply(missed, "answer to the missed question", answered)
	ids, resumes, _, _ := e.fake.GatewayStats()
	if ids != 1 || resumes != 1 {
		t.Errorf("identifies=%d resumes=%d, want 1 and 1", ids, resumes)
	}
	e.ask(member(guildA, channelA, "501"), "chips after reconnect?")
}

func TestShutdownLetsInFlightAnswersFinish(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	e := start(t, func(_ *Config, a *keywordAnswerer) { a.gate = gate })
	e.seed(corpus0, "EU chips act agreed", chipsBody, "")
	in := e.fake.SlashCommand(member(guildA, channelA, "501"), "ask", discordtest.Str("question", "chips?"))
	e.fake.Wait(waitLong, "acknowledgement", func() bool { return e.fake.Acked(in) == 5 })
	e.cancel()
	go func() { time.Sleep(200 * time.Millisecond); close(gate) }()
	if err := e.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if m, _ := e.fake.Original(in); !answered(m) {
		t.Errorf("in-flight answer not delivered before shutdown: %q", m.Content)
	}
}

func TestShutdownIsBounded(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *Config, a *keywordAnswerer) {
		a.gate = make(chan struct{}) // never opens
		c.ShutdownTimeout = 100 * time.Millisecond
	})
	in := e.fake.SlashCommand(member(guildA, channelA, "501"), "ask", discordtest.Str("question", "stuck?"))
	e.fake.Wait(waitLong, "acknowledgement", func() bool { return e.fake.Acked(in) == 5 })
	if err := e.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	m, _ := e.fake.Original(in)
	if !strings.Contains(m.Content, "try again") || len(e.fake.Followups(in)) != 0 {
		t.Fatalf("original = %q with %d follow-ups, want the placeholder replaced by a message telling the user", m.Content, len(e.fake.Followups(in)))
	}
}

// TestAnswerAfterTheDeadlineIsStillSent: the engine's fallback answer comes
// after the request's deadline without an error; the user gets it instead
// of a half-streamed message.
func TestAnswerAfterTheDeadlineIsStillSent(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *Config, a *keywordAnswerer) {
		c.AnswerTimeout = 300 * time.Millisecond
		a.late = true
	})
	e.seed(corpus0, "EU chips act agreed", chipsBody, "")
	m := e.ask(member(guildA, channelA, "501"), "What did the EU agree on chips?")[0]
	if !strings.Contains(m.Content, "43 billion euro chips act") {
		t.Errorf("answer = %q, want the late answer", m.Content)
	}
	mention := e.mention(member(guildA, channelA, "502"), "What did the EU agree on chips?")
	if !strings.Contains(mention.Content, "43 billion euro chips act") {
		t.Errorf("reply to the mention = %q, want the late answer", mention.Content)
	}
}
