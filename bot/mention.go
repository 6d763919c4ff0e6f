package bot

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/briefbot/briefbot/rag"
	"github.com/bwmarrin/discordgo"
)

// maxTurns is how many earlier questions and answers of a thread go with a
// follow-up; older ones rarely matter and cost prompt space.
const maxTurns = 6

// onMessage answers a message that mentions the bot, as a reply to it.
func (b *Bot) onMessage(ctx context.Context, m *discordgo.Message) {
	self := b.self()
	if m.Author == nil || m.Author.Bot || self == "" || !mentions(m, self) {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, b.cfg.AnswerTimeout)
	defer cancel()
	log := b.log.With("message", m.ID, "guild", m.GuildID, "user", m.Author.ID, "command", "mention")
	rep := &msgReply{s: b.s, channelID: m.ChannelID, ref: m.SoftReference(), log: log}
	defer func() {
		if v := recover(); v != nil {
			log.Error("panic in handler", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			rep.fail(ctx, errPanic)
		}
	}()
	question := stripMention(m.Content, self)
	if question == "" {
		b.replyOrLog(ctx, rep, text(false, "Ask me a question after the mention, e.g. @briefbot what did the EU decide on chips?"))
		return
	}
	if ok, wait := b.limits.allow(m.Author.ID, time.Now()); !ok {
		b.replyOrLog(ctx, rep, text(false, "You're asking faster than I can answer; try again in %d s.", int(wait.Seconds())))
		return
	}
	if err := b.s.ChannelTyping(m.ChannelID, discordgo.WithContext(ctx)); err != nil {
		log.Debug("typing indicator", "err", redact(err.Error()))
	}
	release, err := b.acquire(ctx)
	if err != nil {
		rep.fail(ctx, err)
		return
	}
	defer release()
	q := rag.Question{Text: question, Scopes: scopes(m.GuildID), Asked: askedAt(m.ID, m.Timestamp)}
	q.History = b.threadHistory(ctx, m.ChannelID, m.ID, log)
	msgs, err := b.answer(ctx, question, q, rep)
	if err != nil {
		rep.fail(ctx, err)
		return
	}
	b.replyOrLog(ctx, rep, response{msgs: msgs})
}

func (b *Bot) replyOrLog(ctx context.Context, rep replier, r response) {
	if err := rep.send(ctx, r); err != nil {
		b.log.Error("send reply", "err", redact(err.Error()))
	}
}

func mentions(m *discordgo.Message, id string) bool {
	for _, u := range m.Mentions {
		if u != nil && u.ID == id {
			return true
		}
	}
	return false
}

func stripMention(content, id string) string {
	content = strings.ReplaceAll(content, "<@"+id+">", " ")
	content = strings.ReplaceAll(content, "<@!"+id+">", " ")
	return strings.TrimSpace(oneLine(content))
}

// threadHistory returns the earlier questions and answers in a thread,
// oldest first, read back from the bot's own answers (each starts with the
// quoted question). Outside threads, and on any error, it returns nil: a
// question without history is still worth answering.
// isThread reports whether a channel is a thread. A channel's type never
// changes, so the answer is remembered: one REST call per channel, not per
// question.
func (b *Bot) isThread(ctx context.Context, channelID string, log *slog.Logger) bool {
	if v, ok := b.threads.Load(channelID); ok {
		return v.(bool)
	}
	ch, err := b.s.Channel(channelID, discordgo.WithContext(ctx))
	if err != nil {
		log.Warn("read channel", "err", redact(err.Error()))
		return false
	}
	b.threads.Store(channelID, ch.IsThread())
	return ch.IsThread()
}

func (b *Bot) threadHistory(ctx context.Context, channelID, before string, log *slog.Logger) []rag.Turn {
	if !b.isThread(ctx, channelID, log) {
		return nil
	}
	msgs, err := b.s.ChannelMessages(channelID, 50, before, "", "", discordgo.WithContext(ctx))
	if err != nil {
		log.Warn("read thread history", "err", redact(err.Error()))
		return nil
	}
	self := b.self()
	var turns []rag.Turn
	for i := len(msgs) - 1; i >= 0; i-- { // Discord lists newest first
		m := msgs[i]
		if m.Author == nil || m.Author.ID != self {
			continue
		}
		if q, a, ok := splitQuestion(m.Content); ok && a != "" {
			turns = append(turns, rag.Turn{Question: q, Answer: a})
		}
	}
	if len(turns) > maxTurns {
		turns = turns[len(turns)-maxTurns:]
	}
	return turns
}

// msgReply answers a channel message with a reply: the first message
// references the question, and is edited as the answer streams.
type msgReply struct {
	s         *discordgo.Session
	channelID string
	ref       *discordgo.MessageReference
	log       *slog.Logger
	primary   string // ID of our first reply, once sent
}

func (r *msgReply) progress(ctx context.Context, content string) error {
	return r.put(ctx, outMsg{content: content})
}

// put creates the primary reply or replaces its contents.
func (r *msgReply) put(ctx context.Context, m outMsg) error {
	embeds, comps := nonNil(m)
	if r.primary == "" {
		sent, err := r.s.ChannelMessageSendComplex(r.channelID, &discordgo.MessageSend{
			Content: m.content, Embeds: embeds, Components: comps, Reference: r.ref, AllowedMentions: noMentions(),
		}, discordgo.WithContext(ctx))
		if err != nil {
			return fmt.Errorf("send reply: %w", err)
		}
		r.primary = sent.ID
		return nil
	}
	_, err := r.s.ChannelMessageEditComplex(&discordgo.MessageEdit{
		ID: r.primary, Channel: r.channelID, Content: &m.content, Embeds: &embeds, Components: &comps,
		AllowedMentions: noMentions(),
	}, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("edit reply: %w", err)
	}
	return nil
}

func (r *msgReply) send(ctx context.Context, resp response) error {
	for i, m := range resp.msgs {
		if i == 0 {
			if err := r.put(ctx, m); err != nil {
				return err
			}
			continue
		}
		_, err := r.s.ChannelMessageSendComplex(r.channelID, &discordgo.MessageSend{
			Content: m.content, Embeds: m.embeds, Components: m.components, AllowedMentions: noMentions(),
		}, discordgo.WithContext(ctx))
		if err != nil {
			return fmt.Errorf("send reply part %d: %w", i+1, err)
		}
	}
	return nil
}

func (r *msgReply) fail(ctx context.Context, err error) {
	msg := userMessage(err, r.log)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if serr := r.put(ctx, outMsg{content: msg}); serr != nil {
		r.log.Warn("send error reply", "err", redact(serr.Error()))
	}
}
