package bot

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/corpus"
)

// TestVoteOnSplitAnswerRecordsQuestion: the vote buttons sit on the last
// message of a long answer, which has no question line; the vote still
// records the question and the answer, for /ask and for mentions.
func TestVoteOnSplitAnswerRecordsQuestion(t *testing.T) {
	t.Parallel()
	e := start(t, func(_ *Config, a *keywordAnswerer) { a.long = true })
	e.seed(corpus0, "EU chips act agreed", chipsBody, "")
	by := member(guildA, channelA, "501")
	msgs := e.ask(by, "What did the EU agree on chips?")
	last := msgs[len(msgs)-1]
	if len(msgs) < 2 || !answered(last) || strings.HasPrefix(last.Content, "> ") {
		t.Fatalf("want a split answer with the buttons on a later message; got %d messages", len(msgs))
	}
	click := e.fake.Click(member(guildA, channelA, "777"), last.ID, voteButton(last, voteDown))
	e.reply(click, "vote thanks", hasText("👎"))

	e.fake.PostMessage(member(guildA, channelB, "501"), "And what is in the chips act?", e.fake.BotID())
	var tail discordtest.Message
	e.fake.Wait(waitLong, "split mention answer", func() bool {
		for _, m := range e.botReplies(channelB) {
			if answered(m) {
				tail = m
			}
		}
		return tail.ID != ""
	})
	if strings.HasPrefix(tail.Content, "> ") {
		t.Fatalf("mention answer not split: buttons on %q", tail.Content)
	}
	click = e.fake.Click(member(guildA, channelB, "778"), tail.ID, voteButton(tail, voteUp))
	e.reply(click, "vote thanks", hasText("👍"))

	votes, err := e.ledger.Votes(context.Background())
	if err != nil || len(votes) != 2 {
		t.Fatalf("votes = %+v, %v; want 2", votes, err)
	}
	for i, q := range []string{"What did the EU agree on chips?", "And what is in the chips act?"} {
		v := votes[i]
		if v.Question != q || !strings.HasPrefix(v.Answer, "This sentence is part of a long answer") || v.Scope != guildA {
			t.Errorf("vote %d = question %q answer %.40q scope %q; want %q and its answer", i, v.Question, v.Answer, v.Scope, q)
		}
	}
}

// TestBriefingStats: admins see questions asked, the share refused, the
// most frequent refused questions and the answers voted down.
func TestBriefingStats(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.seed(corpus0, "EU chips act agreed", chipsBody, "")
	by := member(guildA, channelA, "501")
	good := e.ask(by, "What did the EU agree on chips?")[0]
	e.ask(by, "What about lithium prices?")
	e.ask(by, "what about lithium prices? ")
	e.ask(member(guildB, channelB, "601"), "What about zinc?") // another server
	click := e.fake.Click(member(guildA, channelA, "777"), good.ID, voteButton(good, voteDown))
	e.reply(click, "vote thanks", hasText("👎"))

	e.fake.OverrideCommand(guildA, "briefing") // Discord shows it to everyone; our own check still refuses
	refused := e.fake.SlashCommand(by, "briefing", discordtest.Sub("stats"))
	if m := e.reply(refused, "refusal", hasText("Only server managers"))[0]; !m.Ephemeral() {
		t.Error("non-admin refusal is public")
	}
	in := e.fake.SlashCommand(admin(guildA, channelA, "502"), "briefing", discordtest.Sub("stats"))
	m := e.reply(in, "stats", hasText("Last 30 days"))[0]
	for _, want := range []string{"3 questions asked, 2 refused (67%)", "1. “What about lithium prices?” ×2", "0 👍 · 1 👎",
		"“What did the EU agree on chips?” ×1\n  → According to EU chips act agreed"} {
		if !strings.Contains(m.Content, want) {
			t.Errorf("stats lack %q:\n%s", want, m.Content)
		}
	}
	if strings.Contains(m.Content, "zinc") || !m.Ephemeral() {
		t.Errorf("stats show another server's question or are public:\n%s", m.Content)
	}
}

// TestAnswerThreads: with the server's setting on, a mention is answered
// in a new thread started from it, and a reply there is a follow-up.
func TestAnswerThreads(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.seed(corpus0, "EU chips act agreed", chipsBody, "")
	e.seed(corpus0, "NATO summit ends", natoBody, "")
	set := e.fake.SlashCommand(admin(guildA, channelA, "502"), "briefing", discordtest.Sub("threads", discordtest.Bool("on", true)))
	e.reply(set, "setting", hasText("new thread"))

	by := member(guildA, channelA, "501")
	q := e.fake.PostMessage(by, "what did the EU agree on chips?", e.fake.BotID())
	var answer discordtest.Message
	e.fake.Wait(waitLong, "answer in a thread", func() bool {
		for _, m := range e.botReplies(q) { // the thread's ID is the question's
			if answered(m) {
				answer = m
				return true
			}
		}
		return false
	})
	th, ok := e.fake.Channel(q)
	if !ok || th.Type != 11 || th.ParentID != channelA || th.Name != "what did the EU agree on chips?" {
		t.Errorf("thread = %+v, %v", th, ok)
	}
	if n := len(e.botReplies(channelA)); n != 0 {
		t.Errorf("%d bot messages in the channel itself, want 0", n)
	}
	inThread := member(guildA, q, "501")
	follow := e.fake.Reply(inThread, answer.ID, "and what did NATO pledge?", true)
	e.answerTo(q, follow)
	qs := e.ans.asked()
	if h := qs[len(qs)-1].History; len(h) != 1 || h[0].Question != "what did the EU agree on chips?" {
		t.Errorf("follow-up history = %+v, want the thread's first question", h)
	}
}

// TestLargeUploadIsOneBatchAndOneSummary: a file of 30 articles is added
// in one AddMany call and answered with one message; the per-article
// details, including why 3 were not added, are an attached text file.
func TestLargeUploadIsOneBatchAndOneSummary(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *Config, _ *keywordAnswerer) { c.Parse = corpus.ParseFile })
	e.seed(guildA, "Article 7", "Body of article 7.", "") // already stored
	e.seed(guildA, "Article 8", "Body of article 8.", "")
	var jsonl strings.Builder
	for i := range 30 {
		body := fmt.Sprintf("Body of article %d.", i)
		title := fmt.Sprintf("Article %d", i)
		if i == 20 { // the same article twice in one file
			title, body = "Article 19", "Body of article 19."
		}
		fmt.Fprintf(&jsonl, `{"id": "a%02d", "title": %q, "body": %q, "published": "2025-03-14"}`+"\n", i, title, body)
	}
	file := e.fake.Attach("file", "batch.jsonl", "application/jsonl", []byte(jsonl.String()))
	in := e.fake.SlashCommand(admin(guildA, channelA, "502"), "briefing", discordtest.Sub("add", file))
	m := e.reply(in, "summary", func(m discordtest.Message) bool { return m.Content != "" })[0]
	if m.Content != "Added 27 of 30 briefings (27 passages). 3 not added; see the attached list for why." || !m.Ephemeral() {
		t.Errorf("summary = %q (ephemeral %v)", m.Content, m.Ephemeral())
	}
	if fs := e.fake.Followups(in); len(fs) != 0 {
		t.Errorf("%d follow-up messages, want none", len(fs))
	}
	e.lib.mu.Lock()
	batches := append([]int(nil), e.lib.batches...)
	e.lib.mu.Unlock()
	if fmt.Sprint(batches) != "[30]" {
		t.Errorf("AddMany batches = %v, want one of 30", batches)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "briefbot-added.txt" {
		t.Fatalf("attachments = %+v, want briefbot-added.txt", m.Attachments)
	}
	resp, err := http.Get(m.Attachments[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	report, _ := io.ReadAll(resp.Body)
	lines := strings.Split(strings.TrimSpace(string(report)), "\n")
	if len(lines) != 30 || strings.Count(string(report), "✗") != 3 || !strings.Contains(string(report), "Added Article 0") ||
		!strings.Contains(string(report), "already stored") {
		t.Errorf("attached report (%d lines):\n%s", len(lines), report)
	}
}

// TestOneIsSingular: "1 briefing" and "Last 1 day", not "1 briefings" and
// "Last 1 days" (issue 14's paper cut, in Discord).
func TestOneIsSingular(t *testing.T) {
	t.Parallel()
	if got := statsText(corpus.Report{Asked: 1}, 1); !strings.HasPrefix(got, "**Last 1 day in this server:** 1 question asked") {
		t.Errorf("stats for 1 day = %q", got)
	}
	e := start(t)
	e.seed(guildA, "Server A's note", "The ferry timetable changes in May.", "")
	in := e.fake.SlashCommand(member(guildA, channelA, "501"), "briefings", discordtest.Sub("list"))
	m := e.reply(in, "list", func(m discordtest.Message) bool { return len(m.Embeds) == 1 })[0]
	if got := m.Embeds[0].Footer.Text; got != "Page 1 of 1 · 1 briefing" {
		t.Errorf("footer = %q, want %q", got, "Page 1 of 1 · 1 briefing")
	}
}
