package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot/discordtest"
)

func voteID(m discordtest.Message, prefix string) string {
	for _, row := range m.Components {
		for _, c := range row.Components {
			if strings.HasPrefix(c.CustomID, prefix) {
				return c.CustomID
			}
		}
	}
	return ""
}

// TestServeReport: questions asked through Discord, answered by the real
// engine from the real store, and a 👎, show up in `briefbot report`.
func TestServeReport(t *testing.T) {
	e := startServe(t)
	by := who(guildA, channelA, "501", 0)
	ask := func(by discordtest.Invoker, q string) discordtest.Message {
		in := e.fake.SlashCommand(by, "ask", discordtest.Str("question", q))
		return e.reply(in, "answer to "+q, finished)
	}
	good := ask(by, "Which hacker groups did the EU denounce?")
	ask(by, "What did the lithium market do in Chile?")
	ask(by, "what did the lithium market do in Chile?")
	ask(who(guildB, channelB, "601", 0), "What did the zinc market do?")
	click := e.fake.Click(who(guildA, channelA, "777", 0), good.ID, voteID(good, "vote:down"))
	e.reply(click, "vote thanks", contains("👎"))

	out, _, err := cli(t, e.dir, "", nil, "report", "--json", "--guild", guildA, "--since", "7d")
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	var r struct {
		Asked, Refused, Up, Down int
		RefusedShare             float64 `json:"refused_share"`
		TopRefused               []struct {
			Question string
			Times    int
		} `json:"top_refused"`
		DownVoted []struct{ Question, Answer string } `json:"down_voted"`
	}
	decodeOrFail(t, out, &r)
	if r.Asked != 3 || r.Refused != 2 || r.Down != 1 || r.Up != 0 || len(r.TopRefused) != 1 || r.TopRefused[0].Times != 2 ||
		!strings.Contains(strings.ToLower(r.TopRefused[0].Question), "lithium") {
		t.Errorf("report = %+v\n%s", r, out)
	}
	if len(r.DownVoted) != 1 || r.DownVoted[0].Question != "Which hacker groups did the EU denounce?" ||
		!strings.Contains(r.DownVoted[0].Answer, "APT40") {
		t.Errorf("down-voted = %+v", r.DownVoted)
	}
	text, _, err := cli(t, e.dir, "", nil, "report")
	if err != nil || !strings.Contains(text, "Questions asked: 4") || !strings.Contains(text, "Refused: 3 (75%)") ||
		!strings.Contains(text, "Votes: 0 👍, 1 👎") {
		t.Errorf("report (all servers): %v\n%s", err, text)
	}
	if _, _, err := cli(t, e.dir, "", nil, "report", "--since", "a while"); err == nil || exitCode(err) != 2 {
		t.Errorf("bad --since: %v, want a usage error", err)
	}
}

func decodeOrFail(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
}

// TestServeDMAndReplyFollowUp: through the real engine and store, a DM is
// answered from the shared briefings only (a server's own article stays
// in that server) and says so; a reply to an answer follows it up.
func TestServeDMAndReplyFollowUp(t *testing.T) {
	e := startServe(t)
	add := e.fake.SlashCommand(who(guildA, channelA, "502", 1<<5), "briefing", discordtest.Sub("add",
		discordtest.Str("title", "Lithium slump"),
		discordtest.Str("text", "Lithium prices fell by a third in March as Chilean mines raised output.")))
	e.reply(add, "admin add", contains("Added **Lithium slump**"))

	dm := discordtest.Invoker{UserID: "501", ChannelID: "399"}
	reply := func(channel, id string) discordtest.Message {
		var got discordtest.Message
		e.fake.Wait(wait, "answer to "+id, func() bool {
			for _, m := range e.fake.ChannelMessages(channel) {
				if m.Author.ID == e.fake.BotID() && m.MessageReference != nil && m.MessageReference.MessageID == id && finished(m) {
					got = m
					return true
				}
			}
			return false
		})
		return got
	}
	m := reply("399", e.fake.PostMessage(dm, "Why did lithium prices fall?"))
	if strings.Contains(m.Content, "Chilean") || !strings.Contains(m.Content, "In DMs I search only the shared briefings") {
		t.Errorf("DM answer: %q, want no server article and the DM note", m.Content)
	}
	m = reply("399", e.fake.PostMessage(dm, "Which hacker groups did the EU denounce?"))
	if !strings.Contains(m.Content, "APT40 and APT31") {
		t.Fatalf("DM answer from the shared sample: %q", m.Content)
	}
	follow := reply("399", e.fake.Reply(dm, m.ID, "and what did NATO do?", true))
	if !strings.Contains(follow.Content, "took note") {
		t.Errorf("reply follow-up: %q, want NATO's statement from the same briefing", follow.Content)
	}
}
