package bot

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/bwmarrin/discordgo"
)

// msgReply answers a channel message with a reply: the first message
// references the question, and is edited as the answer streams.
type msgReply struct {
	s         *discordgo.Session
	channelID string
	ref       *discordgo.MessageReference
	message   string // the message answered, for reactions
	user      string // its author
	notices   *noticeLimits
	canReact  bool
	// canEmbed: Discord shows the bot's embeds in this channel (Embed
	// Links); without it the sources go in the text (inlineEmbeds).
	canEmbed bool
	log      *slog.Logger
	primary  string // ID of our first reply, once sent
}

// refuse replies with the refusal's text once per user and window, and
// reacts after that, so refusals cannot flood a channel.
func (r *msgReply) refuse(ctx context.Context, rf refusal) error {
	if rf.text != "" && r.notices.allow(r.user, time.Now()) {
		return r.put(ctx, outMsg{content: rf.text})
	}
	if rf.emoji == "" || !r.canReact {
		return nil
	}
	if err := r.s.MessageReactionAdd(r.channelID, r.message, rf.emoji, discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("react: %w", err)
	}
	return nil
}

func (r *msgReply) progress(ctx context.Context, content string) error {
	return r.put(ctx, outMsg{content: content})
}

// put creates the primary reply or replaces its contents.
func (r *msgReply) put(ctx context.Context, m outMsg) error {
	_, err := r.putMsg(ctx, m)
	return err
}

// putMsg is put, returning the message as Discord stored it.
func (r *msgReply) putMsg(ctx context.Context, m outMsg) (*discordgo.Message, error) {
	if r.primary == "" {
		embeds, comps := nonNil(m)
		sent, err := r.s.ChannelMessageSendComplex(r.channelID, &discordgo.MessageSend{
			Content: m.content, Embeds: embeds, Components: comps, Reference: r.ref, AllowedMentions: noMentions(),
		}, discordgo.WithContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("send reply: %w", err)
		}
		r.primary = sent.ID
		return sent, nil
	}
	edited, err := r.edit(ctx, r.primary, m)
	if err != nil {
		return nil, fmt.Errorf("edit reply: %w", err)
	}
	return edited, nil
}

// edit replaces the contents of one of the bot's messages.
func (r *msgReply) edit(ctx context.Context, id string, m outMsg) (*discordgo.Message, error) {
	embeds, comps := nonNil(m)
	return r.s.ChannelMessageEditComplex(&discordgo.MessageEdit{
		ID: id, Channel: r.channelID, Content: &m.content, Embeds: &embeds, Components: &comps,
		AllowedMentions: noMentions(),
	}, discordgo.WithContext(ctx))
}

// send sends the answer's messages, the first as the reply. Where the bot
// may not embed, the embeds go in the text (inlineEmbeds). When Discord
// drops the embeds of a message it accepts, the state was wrong about
// Embed Links (taken away meanwhile, or a channel the state has not
// seen): that message is edited, and the rest sent, with them as text,
// so the sources are not lost.
func (r *msgReply) send(ctx context.Context, resp response) error {
	msgs := resp.msgs
	if !r.canEmbed {
		msgs = inlineEmbeds(msgs)
	}
	for i := 0; i < len(msgs); i++ {
		sent, err := r.sendPart(ctx, i, msgs[i])
		if err != nil {
			return err
		}
		if len(msgs[i].embeds) == 0 || len(sent.Embeds) != 0 {
			continue
		}
		r.log.Info("Discord dropped the sources embed: the bot lacks Embed Links here; showing the sources as text", "channel", r.channelID)
		r.canEmbed = false
		rest := inlineEmbeds(msgs[i:])
		if _, err := r.edit(ctx, sent.ID, rest[0]); err != nil {
			return fmt.Errorf("edit reply part %d: %w", i+1, err)
		}
		msgs = append(slices.Clone(msgs[:i+1]), rest[1:]...)
	}
	return nil
}

// sendPart sends message i of an answer: the reply itself for the first.
func (r *msgReply) sendPart(ctx context.Context, i int, m outMsg) (*discordgo.Message, error) {
	if i == 0 {
		return r.putMsg(ctx, m)
	}
	sent, err := r.s.ChannelMessageSendComplex(r.channelID, &discordgo.MessageSend{
		Content: m.content, Embeds: m.embeds, Components: m.components, AllowedMentions: noMentions(),
	}, discordgo.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("send reply part %d: %w", i+1, err)
	}
	return sent, nil
}

func (r *msgReply) fail(ctx context.Context, err error) {
	msg := userMessage(err, r.log)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if serr := r.put(ctx, outMsg{content: msg}); serr != nil {
		r.log.Warn("send error reply", "err", redact(serr.Error()))
	}
}
