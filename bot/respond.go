package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/briefbot/briefbot/corpus"
	"github.com/bwmarrin/discordgo"
)

// response is what a handler returns; the repliers below send it.
type response struct {
	ephemeral bool
	msgs      []outMsg
	update    bool // a button click: replace the clicked message
	choices   []*discordgo.ApplicationCommandOptionChoice
}

// outMsg is one Discord message, already within Discord's limits.
type outMsg struct {
	content    string
	embeds     []*discordgo.MessageEmbed
	components []discordgo.MessageComponent
	files      []*discordgo.File // uploaded with the message (interactions only)
}

// private is a response of one message only the asker sees (ephemeral
// for interactions).
func private(format string, a ...any) response {
	return response{ephemeral: true, msgs: []outMsg{{content: fmt.Sprintf(format, a...)}}}
}

// public is a response of one message the whole channel sees.
func public(format string, a ...any) response {
	return response{msgs: []outMsg{{content: fmt.Sprintf(format, a...)}}}
}

// noMentions is sent with every message and edit: an empty parse list (not
// null) so no text can ping @everyone, a role or a user.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// inputError is a problem with what the user gave; its text is shown to
// them as is.
type inputError struct{ msg string }

func (e *inputError) Error() string { return e.msg }

func inputErrorf(format string, a ...any) error {
	return &inputError{msg: fmt.Sprintf(format, a...)}
}

// errPanic stands for a recovered panic.
var errPanic = errors.New("handler panicked")

// userMessage is the one place errors become text a user sees. Known
// errors get a specific, friendly message; anything else is logged here,
// once, and shown as a generic apology.
func userMessage(err error, log *slog.Logger) string {
	var in *inputError
	var conflict *corpus.ConflictError
	switch {
	case errors.As(err, &in):
		return in.msg
	case errors.Is(err, corpus.ErrNotFound):
		return "I couldn't find that briefing here. Check the ID with `/briefings list`."
	case errors.Is(err, corpus.ErrDuplicate):
		return "That briefing is already stored (same title and text), so nothing was added."
	case errors.As(err, &conflict):
		return conflictMessage(conflict)
	case errors.Is(err, corpus.ErrEmpty):
		return "I found no article text in that source, so nothing was added."
	case errors.Is(err, corpus.ErrBlockedAddress):
		// The fetcher's text names the URL and the kind of address; the
		// address it resolved to is for the log only.
		log.Info("link refused", "err", err, "detail", corpus.LogDetail(err))
		return "I won't fetch that link: " + inert(truncate(err.Error(), 1500)) + ". The bot's operator can allow such links by setting BRIEFBOT_ALLOW_PRIVATE_URLS=1, " +
			"which is risky unless everyone who can use the bot is trusted."
	case errors.Is(err, corpus.ErrFetch), errors.Is(err, corpus.ErrTooLarge):
		if d := corpus.LogDetail(err); d != "" {
			log.Info("fetch failed", "err", err, "detail", d)
		}
		return "I couldn't get that page: " + inert(truncate(err.Error(), 1500))
	case errors.Is(err, corpus.ErrUnsupportedSource):
		return "I can't read that source. Use a web page URL, pasted text with a title, or a file: " + corpus.Extensions() + "."
	case errors.Is(err, context.DeadlineExceeded):
		log.Warn("timed out", "err", redact(err.Error()))
		return "That took too long and was stopped. Please try again, perhaps with a narrower question."
	}
	log.Error("request failed", "err", redact(err.Error()))
	return "Sorry, something went wrong on my side. Please try again in a moment."
}

// conflictMessage never suggests removing a briefing unless it is an
// earlier version of the same page or file.
func conflictMessage(c *corpus.ConflictError) string {
	title := escapeMarkdown(truncate(oneLine(c.Stored.Title), 150))
	if c.SameOrigin {
		return fmt.Sprintf("An earlier version of this is stored as %s (**%s**). To replace it, remove it with "+
			"%s and add this again.", codeID(c.ID), title, codeID("/briefing remove id:"+c.ID))
	}
	return fmt.Sprintf("Another briefing, **%s**, already uses the ID %s, so nothing was added. "+
		"Rename the file or give the text another title.", title, codeID(c.ID))
}

// replier sends one request's answer, wherever it came from.
type replier interface {
	// progress shows partial text while an answer is being written.
	progress(ctx context.Context, content string) error
	send(ctx context.Context, r response) error
	// fail tells the user what went wrong; it logs through userMessage.
	fail(ctx context.Context, err error)
	// refuse turns a request away before any work was done.
	refuse(ctx context.Context, r refusal) error
}

// ixReply answers an interaction: an immediate callback, or a deferred
// acknowledgement followed by edits of the original and follow-ups, all
// through the per-token rate limits of ixClient.
type ixReply struct {
	c         *ixClient
	i         *discordgo.Interaction
	log       *slog.Logger
	acked     bool
	ephemeral bool // the acknowledgement was ephemeral
}

func flags(ephemeral bool) discordgo.MessageFlags {
	if ephemeral {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

// deferReply acknowledges at once; the answer follows by edits.
func (r *ixReply) deferReply(ctx context.Context, ephemeral bool) error {
	err := r.c.callback(ctx, r.i, discordgo.InteractionResponseDeferredChannelMessageWithSource,
		message{Flags: flags(ephemeral), AllowedMentions: noMentions()})
	if err != nil {
		return fmt.Errorf("acknowledge interaction: %w", err)
	}
	r.acked, r.ephemeral = true, ephemeral
	return nil
}

func (r *ixReply) progress(ctx context.Context, content string) error {
	return r.c.editOriginal(ctx, r.i, message{Content: &content, AllowedMentions: noMentions()})
}

func (r *ixReply) send(ctx context.Context, resp response) error {
	if resp.choices != nil {
		return r.autocomplete(ctx, resp.choices)
	}
	if len(resp.msgs) == 0 {
		return nil
	}
	first, rest := resp.msgs[0], resp.msgs[1:]
	if err := r.sendFirst(ctx, resp, first); err != nil {
		return err
	}
	for _, m := range rest {
		if err := r.followup(ctx, m, resp.ephemeral || r.ephemeral); err != nil {
			return err
		}
	}
	return nil
}

func (r *ixReply) sendFirst(ctx context.Context, resp response, m outMsg) error {
	if r.acked {
		if err := r.c.editOriginal(ctx, r.i, fullMessage(m, 0)); err != nil {
			return fmt.Errorf("edit response: %w", err)
		}
		return nil
	}
	typ := discordgo.InteractionResponseChannelMessageWithSource
	if resp.update {
		typ = discordgo.InteractionResponseUpdateMessage
	}
	if err := r.c.callback(ctx, r.i, typ, fullMessage(m, flags(resp.ephemeral))); err != nil {
		return fmt.Errorf("respond: %w", err)
	}
	r.acked, r.ephemeral = true, resp.ephemeral
	return nil
}

// nonNil returns empty (not nil) slices so an edit clears what was there.
func nonNil(m outMsg) ([]*discordgo.MessageEmbed, []discordgo.MessageComponent) {
	embeds, comps := m.embeds, m.components
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	if comps == nil {
		comps = []discordgo.MessageComponent{}
	}
	return embeds, comps
}

// fail tells the user what went wrong: privately when nothing public was
// sent yet, else in place of the public "thinking…" message. Discord
// documents that a follow-up sent right after a deferral edits that
// message and keeps it public (the ephemeral flag is ignored), and fails
// with Unknown Message once it was deleted, so an error after a public
// deferral cannot be made private; it replaces the placeholder instead.
func (r *ixReply) fail(ctx context.Context, err error) {
	msg := userMessage(err, r.log)
	// Sending must work even when ctx is what failed.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if serr := r.send(ctx, private("%s", msg)); serr != nil {
		r.log.Warn("send error message", "err", redact(serr.Error()))
	}
}

// refuse answers privately: only the user who asked sees a refusal.
func (r *ixReply) refuse(ctx context.Context, rf refusal) error {
	return r.send(ctx, private("%s", rf.text))
}

func (r *ixReply) followup(ctx context.Context, m outMsg, ephemeral bool) error {
	if err := r.c.followup(ctx, r.i, fullMessage(m, flags(ephemeral))); err != nil {
		return fmt.Errorf("send follow-up: %w", err)
	}
	return nil
}

// autocomplete sends choices. Discord requires the choices list even when
// it is empty.
func (r *ixReply) autocomplete(ctx context.Context, choices []*discordgo.ApplicationCommandOptionChoice) error {
	data := struct {
		Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
	}{choices}
	if err := r.c.callback(ctx, r.i, discordgo.InteractionApplicationCommandAutocompleteResult, data); err != nil {
		return fmt.Errorf("send choices: %w", err)
	}
	r.acked = true
	return nil
}
