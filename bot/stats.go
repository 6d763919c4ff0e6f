package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/briefbot/briefbot/corpus"
	"github.com/bwmarrin/discordgo"
)

// settingThreads is the per-server setting that answers each @mention in a
// new thread started from the question.
const settingThreads = "answer_threads"

// statsCommand is /briefing stats [days:].
func statsCommand() *discordgo.ApplicationCommandOption {
	minDays, maxDays := 1.0, 3650.0
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "stats",
		Description: "Questions asked, refused and voted on in this server",
		Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionInteger, Name: "days",
			Description: "How many days back (default 30)", MinValue: &minDays, MaxValue: maxDays}}}
}

// threadsCommand is /briefing threads on:.
func threadsCommand() *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "threads",
		Description: "Answer each @mention in a new thread started from the question",
		Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionBoolean, Name: "on",
			Description: "True: answer in threads; False: reply in the channel", Required: true}}}
}

// runStats shows the server's report: what was asked, what the briefings
// did not cover, and the answers readers voted down.
func (b *Bot) runStats(ctx context.Context, c *call) (response, error) {
	if b.cfg.Ledger == nil {
		return response{}, inputErrorf("Questions are not recorded on this bot.")
	}
	days := c.integer("days")
	if days <= 0 {
		days = 30
	}
	since := time.Now().UTC().AddDate(0, 0, -int(days))
	r, err := b.cfg.Ledger.Report(ctx, corpus.ReportQuery{Scopes: []string{c.guild}, Since: since})
	if err != nil {
		return response{}, err
	}
	var msgs []outMsg
	for _, part := range splitText(statsText(r, int(days)), maxContent) {
		msgs = append(msgs, outMsg{content: part})
	}
	return response{ephemeral: true, msgs: msgs}, nil
}

func statsText(r corpus.Report, days int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**Last %s in this server:** %s asked, %d refused (%.0f%%).\n",
		plural(days, "day"), plural(r.Asked, "question"), r.Refused, 100*r.RefusedShare())
	if len(r.TopRefused) > 0 {
		b.WriteString("**Most frequent refused questions** (what the briefings don't cover):\n")
		for i, q := range r.TopRefused {
			fmt.Fprintf(&b, "%d. “%s” ×%d\n", i+1, escapeMarkdown(truncate(oneLine(q.Question), 200)), q.Times)
		}
	}
	fmt.Fprintf(&b, "**Votes:** %d 👍 · %d 👎\n", r.Up, r.Down)
	if len(r.DownVoted) > 0 {
		b.WriteString("**Answers voted 👎:**\n")
		for _, d := range r.DownVoted {
			fmt.Fprintf(&b, "• “%s” ×%d\n  → %s\n", escapeMarkdown(truncate(oneLine(d.Question), 150)), d.Votes,
				escapeMarkdown(truncate(oneLine(d.Answer), 300)))
		}
	}
	return strings.TrimSpace(b.String())
}

// runThreads turns answer threads on or off for the server.
func (b *Bot) runThreads(ctx context.Context, c *call) (response, error) {
	if b.cfg.Ledger == nil {
		return response{}, inputErrorf("Settings are not kept on this bot.")
	}
	on := c.boolean("on")
	value := "off"
	if on {
		value = "on"
	}
	if err := b.cfg.Ledger.SetSetting(ctx, c.guild, settingThreads, value); err != nil {
		return response{}, err
	}
	b.threadMode.Store(c.guild, on)
	if on {
		return private("From now on I answer each @mention in a new thread started from the question; replies in that thread are follow-ups. " +
			"I need Create Public Threads and Send Messages in Threads where I answer, else I reply in the channel."), nil
	}
	return private("From now on I reply to @mentions in the channel."), nil
}

// answersInThreads reports whether a server wants answer threads; the
// setting is read from the ledger once and remembered.
func (b *Bot) answersInThreads(ctx context.Context, guild string) bool {
	if guild == "" || b.cfg.Ledger == nil {
		return false
	}
	if v, ok := b.threadMode.Load(guild); ok {
		return v.(bool)
	}
	v, err := b.cfg.Ledger.Setting(ctx, guild, settingThreads)
	if err != nil {
		b.log.Warn("read setting", "guild", guild, "err", redact(err.Error()))
		return false
	}
	b.threadMode.Store(guild, v == "on")
	return v == "on"
}

// startAnswerThread opens a thread from the question's message and points
// the reply there (a reply cannot reference a message in another channel).
// When it cannot, the answer stays a reply in the channel.
func (b *Bot) startAnswerThread(ctx context.Context, m *discordgo.Message, question string, rep *msgReply) {
	if !b.can(m.ChannelID, permStartThread) {
		rep.log.Debug("answer thread: missing permissions; replying in the channel")
		return
	}
	th, err := b.s.MessageThreadStartComplex(m.ChannelID, m.ID, &discordgo.ThreadStart{
		Name: truncate(oneLine(question), 100), AutoArchiveDuration: 1440,
	}, discordgo.WithContext(ctx))
	if err != nil {
		rep.log.Warn("start answer thread", "err", redact(err.Error()))
		return
	}
	b.threads.Store(th.ID, true)
	rep.channelID, rep.ref = th.ID, nil
}
