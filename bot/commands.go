package bot

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/briefbot/briefbot/corpus"
	"github.com/bwmarrin/discordgo"
)

// command is one slash command: its definition and how it is served.
type command struct {
	def      *discordgo.ApplicationCommand
	admin    bool // checked on our side too, not only by Discord's defaults
	limited  bool // per-user rate limit and the answering pool
	deferred bool // acknowledge at once, answer by editing
	private  func(c *call) bool
	run      func(ctx context.Context, c *call) (response, error)
	complete func(ctx context.Context, c *call, typed string) ([]*discordgo.ApplicationCommandOptionChoice, error)
}

// call is one invocation of a command, with its options flattened.
type call struct {
	i     *discordgo.Interaction
	user  string
	guild string
	group string // sub-command group name, if any ("feed" in /briefing feed add)
	sub   string // sub-command name, if any
	opts  map[string]*discordgo.ApplicationCommandInteractionDataOption
	reply *ixReply
	log   *slog.Logger
}

func (c *call) str(name string) string {
	if o, ok := c.opts[name]; ok {
		if s, ok := o.Value.(string); ok {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// integer is an integer option's value (JSON numbers decode as float64),
// or 0.
func (c *call) integer(name string) int64 {
	if o, ok := c.opts[name]; ok {
		if v, ok := o.Value.(float64); ok {
			return int64(v)
		}
	}
	return 0
}

func (c *call) boolean(name string) bool {
	if o, ok := c.opts[name]; ok {
		v, _ := o.Value.(bool)
		return v
	}
	return false
}

func newCall(i *discordgo.Interaction, r *ixReply, log *slog.Logger) *call {
	c := &call{i: i, user: userID(i), guild: i.GuildID, reply: r, log: log,
		opts: map[string]*discordgo.ApplicationCommandInteractionDataOption{}}
	opts := i.ApplicationCommandData().Options
	if len(opts) == 1 && opts[0].Type == discordgo.ApplicationCommandOptionSubCommandGroup {
		c.group, opts = opts[0].Name, opts[0].Options
	}
	if len(opts) == 1 && opts[0].Type == discordgo.ApplicationCommandOptionSubCommand {
		c.sub, opts = opts[0].Name, opts[0].Options
	}
	for _, o := range opts {
		c.opts[o.Name] = o
	}
	return c
}

func userID(i *discordgo.Interaction) string {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User.ID
	}
	if i.User != nil {
		return i.User.ID
	}
	return ""
}

func always(v bool) func(*call) bool { return func(*call) bool { return v } }

func (b *Bot) commandTable() map[string]*command {
	manageServer := int64(discordgo.PermissionManageGuild)
	guildOnly := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	cmds := []*command{
		{def: &discordgo.ApplicationCommand{Name: "ask", Description: "Ask a question about the briefings",
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "question", Description: "Your question", Required: true, MaxLength: 1000},
				{Type: discordgo.ApplicationCommandOptionBoolean, Name: "private", Description: "Only you see the answer"},
			}},
			limited: true, deferred: true, private: func(c *call) bool { return c.boolean("private") }, run: b.runAsk},
		{def: &discordgo.ApplicationCommand{Name: "briefings", Description: "Browse the briefings",
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "list", Description: "List briefings",
					Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionString, Name: "query", Description: "Words in the title"}}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "show", Description: "Show one briefing",
					Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionString, Name: "id", Description: "Briefing", Required: true, Autocomplete: true}}},
			}},
			deferred: true, private: always(true), run: b.runBriefings, complete: b.completeVisible},
		{def: &discordgo.ApplicationCommand{Name: "briefing", Description: "Add or remove briefings (admins)",
			DefaultMemberPermissions: &manageServer, Contexts: &guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "add", Description: "Add a briefing from a URL, text or a file",
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "Web page of the article"},
						{Type: discordgo.ApplicationCommandOptionString, Name: "text", Description: "Article text (give a title too)"},
						{Type: discordgo.ApplicationCommandOptionString, Name: "title", Description: "Title for text:"},
						{Type: discordgo.ApplicationCommandOptionAttachment, Name: "file", Description: corpus.Extensions()},
					}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "remove", Description: "Remove a briefing",
					Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionString, Name: "id", Description: "Briefing", Required: true, Autocomplete: true}}},
				feedCommands(),
			}},
			admin: true, deferred: true, private: always(true), run: b.runBriefing, complete: b.completeOwn},
		{def: &discordgo.ApplicationCommand{Name: "help", Description: "How to use briefbot"},
			private: always(true), run: b.runHelp},
	}
	if _, ok := b.ans.(timeliner); ok {
		cmds = append(cmds, timelineCommand(b))
	}
	table := map[string]*command{}
	for _, c := range cmds {
		table[c.def.Name] = c
	}
	return table
}

// definitions are the commands for the bulk overwrite, in a stable order.
func (b *Bot) definitions() []*discordgo.ApplicationCommand {
	var defs []*discordgo.ApplicationCommand
	for _, c := range b.commands {
		defs = append(defs, c.def)
	}
	slices.SortFunc(defs, func(a, b *discordgo.ApplicationCommand) int { return strings.Compare(a.Name, b.Name) })
	return defs
}

// onInteraction routes one interaction and makes sure the user hears back,
// even when a handler panics.
func (b *Bot) onInteraction(ctx context.Context, i *discordgo.Interaction) {
	ctx, cancel := context.WithTimeout(ctx, b.cfg.AnswerTimeout)
	defer cancel()
	log := b.log.With("interaction", i.ID, "guild", i.GuildID, "user", userID(i))
	r := &ixReply{s: b.s, i: i, log: log}
	defer func() {
		if v := recover(); v != nil {
			log.Error("panic in handler", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			r.fail(ctx, errPanic)
		}
	}()
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		b.runCommand(ctx, newCall(i, r, log))
	case discordgo.InteractionApplicationCommandAutocomplete:
		b.autocomplete(ctx, newCall(i, r, log))
	case discordgo.InteractionMessageComponent:
		b.onComponent(ctx, i, r)
	}
}

func (b *Bot) runCommand(ctx context.Context, c *call) {
	cmd, ok := b.commands[c.i.ApplicationCommandData().Name]
	if !ok {
		c.reply.fail(ctx, inputErrorf("I don't know that command; try `/help`."))
		return
	}
	c.log = c.log.With("command", cmd.def.Name)
	if cmd.admin && !b.isAdmin(c.i) {
		b.sendOrLog(ctx, c, text(true, "Only server managers (Manage Server) or configured briefbot admins can do that."))
		return
	}
	if cmd.limited {
		if ok, wait := b.limits.allow(c.user, time.Now()); !ok {
			b.sendOrLog(ctx, c, text(true, "You're asking faster than I can answer; try again in %d s.", int(wait.Seconds())))
			return
		}
	}
	if cmd.deferred {
		if err := c.reply.deferReply(ctx, cmd.private(c)); err != nil {
			c.log.Error("acknowledge", "err", redact(err.Error()))
			return
		}
	}
	if cmd.limited {
		release, err := b.acquire(ctx)
		if err != nil {
			c.reply.fail(ctx, err)
			return
		}
		defer release()
	}
	resp, err := cmd.run(ctx, c)
	if err != nil {
		c.reply.fail(ctx, err)
		return
	}
	b.sendOrLog(ctx, c, resp)
}

func (b *Bot) sendOrLog(ctx context.Context, c *call, resp response) {
	if err := c.reply.send(ctx, resp); err != nil {
		c.log.Error("send response", "err", redact(err.Error()))
	}
}

// acquire waits for a free answering slot.
func (b *Bot) acquire(ctx context.Context) (func(), error) {
	select {
	case b.pool <- struct{}{}:
		return func() { <-b.pool }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for a free answering slot: %w", ctx.Err())
	}
}

// autocomplete answers with at most 25 choices; on error it offers none.
func (b *Bot) autocomplete(ctx context.Context, c *call) {
	cmd, ok := b.commands[c.i.ApplicationCommandData().Name]
	var choices []*discordgo.ApplicationCommandOptionChoice
	if ok && cmd.complete != nil && (!cmd.admin || b.isAdmin(c.i)) {
		var typed string
		for _, o := range c.opts {
			if o.Focused {
				typed, _ = o.Value.(string)
			}
		}
		var err error
		if choices, err = cmd.complete(ctx, c, typed); err != nil {
			c.log.Warn("autocomplete", "err", redact(err.Error()))
		}
	}
	if choices == nil {
		choices = []*discordgo.ApplicationCommandOptionChoice{}
	}
	b.sendOrLog(ctx, c, response{choices: choices})
}

func (b *Bot) runHelp(context.Context, *call) (response, error) {
	return text(true, "%s", helpText), nil
}

const helpText = `**briefbot** answers questions from your team's news briefings, quoting them.
• ` + "`/ask question:`" + ` — ask; add ` + "`private:True`" + ` to see the answer alone. Answers cite sources as [n]; rate them with 👍/👎.
• ` + "`/timeline topic:`" + ` — dated quotes about a topic, oldest first.
• Mention me with a question in any channel I can read; in a thread, follow-ups use the thread's earlier questions.
• ` + "`/briefings list [query]`" + ` and ` + "`/briefings show id:`" + ` — browse what I know.
• ` + "`/briefing add`" + ` (url:, text: with title:, or file:) and ` + "`/briefing remove id:`" + ` — for server managers.
• ` + "`/briefing feed add url:`" + `, ` + "`/briefing feed list`" + ` and ` + "`/briefing feed remove id:`" + ` — follow RSS or Atom feeds (server managers).
Briefings added here are seen only in this server, plus the shared ones.`

// refuseClosing answers an interaction that arrives during shutdown, so the
// user isn't left with "The application did not respond".
func (b *Bot) refuseClosing(ctx context.Context, i *discordgo.Interaction) {
	if i.Type != discordgo.InteractionApplicationCommand && i.Type != discordgo.InteractionMessageComponent {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	r := &ixReply{s: b.s, i: i, log: b.log}
	if err := r.send(ctx, text(true, "briefbot is restarting; please try again in a minute.")); err != nil {
		b.log.Warn("refuse during shutdown", "err", redact(err.Error()))
	}
}
