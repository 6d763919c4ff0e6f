package bot

import (
	"context"
	"log/slog"
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
	// Discord offers /briefing only to members with Manage Server unless
	// the bot has admins of its own: then it is offered to everyone and
	// isAdmin alone decides, so that BRIEFBOT_ADMIN_ROLE_IDS and
	// BRIEFBOT_ADMIN_USER_IDS work without an Integrations override.
	var adminPerms *int64
	if len(b.cfg.AdminRoleIDs) == 0 && len(b.cfg.AdminUserIDs) == 0 {
		manageServer := int64(discordgo.PermissionManageGuild)
		adminPerms = &manageServer
	}
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
			DefaultMemberPermissions: adminPerms, Contexts: &guildOnly,
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
				statsCommand(),
				threadsCommand(),
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

// onInteraction routes one interaction through the pipeline.
func (b *Bot) onInteraction(ctx context.Context, i *discordgo.Interaction) {
	log := b.log.With("interaction", i.ID, "guild", i.GuildID, "user", userID(i))
	r := &ixReply{c: b.ix, i: i, log: log}
	t := task{log: log, rep: r, user: userID(i)}
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		t = b.commandTask(newCall(i, r, log), t)
	case discordgo.InteractionApplicationCommandAutocomplete:
		c := newCall(i, r, log)
		t.run = func(ctx context.Context) (response, error) { return b.autocomplete(ctx, c), nil }
	case discordgo.InteractionMessageComponent:
		t.run = func(ctx context.Context) (response, error) { return b.onComponent(ctx, i) }
	default:
		return
	}
	b.perform(ctx, t)
}

// adminOnly is the refusal of an admin command to anyone else.
const adminOnly = "Only server managers (Manage Server) or configured briefbot admins can do that."

// commandTask is the pipeline task of a slash command.
func (b *Bot) commandTask(c *call, t task) task {
	cmd, ok := b.commands[c.i.ApplicationCommandData().Name]
	if !ok {
		t.refusal = &refusal{text: "I don't know that command; try `/help`."}
		return t
	}
	t.log = t.log.With("command", cmd.def.Name)
	c.log = t.log
	c.reply.log = t.log
	if cmd.admin && !b.isAdmin(c.i) {
		t.refusal = &refusal{text: adminOnly}
		return t
	}
	t.limited = cmd.limited
	if cmd.deferred {
		t.start = func(ctx context.Context) error { return c.reply.deferReply(ctx, cmd.private(c)) }
	}
	t.run = func(ctx context.Context) (response, error) { return cmd.run(ctx, c) }
	return t
}

// autocomplete answers with at most 25 choices; on error it offers none.
func (b *Bot) autocomplete(ctx context.Context, c *call) response {
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
	return response{choices: choices}
}

func (b *Bot) runHelp(_ context.Context, c *call) (response, error) {
	if c.guild == "" {
		return private("%s", helpText+helpDM), nil
	}
	return private("%s", helpText+helpServer), nil
}

const helpText = `**briefbot** answers questions from your team's news briefings, quoting them.
• ` + "`/ask question:`" + ` — ask; add ` + "`private:True`" + ` to see the answer alone. Answers cite sources as [n]; rate them with 👍/👎.
• ` + "`/timeline topic:`" + ` — dated quotes about a topic, oldest first.
• Mention me with a question in any channel I can read, or message me directly. Reply to one of my answers to follow it up; in a thread, follow-ups use the thread's earlier questions.
• ` + "`/briefings list [query]`" + ` and ` + "`/briefings show id:`" + ` — browse what I know.
• ` + "`/briefing add`" + ` (url:, text: with title:, or file:) and ` + "`/briefing remove id:`" + ` — for server managers.
• ` + "`/briefing feed add url:`" + `, ` + "`/briefing feed list`" + ` and ` + "`/briefing feed remove id:`" + ` — follow RSS or Atom feeds (server managers).
• ` + "`/briefing stats [days:]`" + ` — questions asked, the share refused and the most frequent refused ones, 👍/👎 with the answers voted down; ` + "`/briefing threads on:`" + ` — answer each @mention in a new thread (server managers).
`

const (
	helpServer = "Briefings added in this server are seen only here, plus the shared ones. " +
		"Server managers are members with Manage Server, plus the roles and users the bot's operator configured; " +
		"who sees `/briefing` can be narrowed in Server Settings → Integrations."
	helpDM = "Here in DMs I search only the shared briefings (those added by the bot's operator); " +
		"a server's own briefings are searched when you ask in that server."
)

// refuseClosing answers an interaction that arrives during shutdown, so the
// user isn't left with "The application did not respond".
func (b *Bot) refuseClosing(ctx context.Context, i *discordgo.Interaction) {
	if i.Type != discordgo.InteractionApplicationCommand && i.Type != discordgo.InteractionMessageComponent {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	r := &ixReply{c: b.ix, i: i, log: b.log}
	if err := r.send(ctx, private("briefbot is restarting; please try again in a minute.")); err != nil {
		b.log.Warn("refuse during shutdown", "err", redact(err.Error()))
	}
}
