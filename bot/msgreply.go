package bot

import (
	"context"
	"fmt"
	"log/slog"
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
	msgs := resp.msgs
	if !r.canEmbed {
		msgs = inlineEmbeds(msgs)
	}
	for i, m := range msgs {
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
