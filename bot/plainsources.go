package bot

import (
	"strings"

	"github.com/bwmarrin/discordgo"
)

// inlineEmbeds moves each message's embeds into its text, for a channel
// where the bot lacks Embed Links. Discord drops the embeds of a bot's
// channel messages there without an error (and refuses a message of
// embeds only as empty), so an answer's sources, which sit in an embed,
// would vanish. Each embed becomes its title in bold followed by its
// description, after the message's own text, as the same Markdown the
// embed showed; a message that grows past Discord's 2,000 characters is
// split at paragraph or line ends, its buttons and files staying on the
// last part. Interaction responses are webhooks, which may always embed,
// so only replies to messages need this.
func inlineEmbeds(msgs []outMsg) []outMsg {
	var out []outMsg
	for _, m := range msgs {
		if len(m.embeds) == 0 {
			out = append(out, m)
			continue
		}
		text := strings.TrimSpace(m.content)
		for _, e := range m.embeds {
			text += "\n\n" + embedText(e)
		}
		parts := splitText(strings.TrimSpace(text), maxContent)
		for i, p := range parts {
			part := outMsg{content: p}
			if i == len(parts)-1 {
				part.components, part.files = m.components, m.files
			}
			out = append(out, part)
		}
	}
	return out
}

// embedText is an embed as message text: its title in bold (inert, so a
// title taken from an article cannot add Markdown), its description and
// its fields, which the bot wrote as Markdown for the embed.
func embedText(e *discordgo.MessageEmbed) string {
	var lines []string
	if t := strings.TrimSpace(e.Title); t != "" {
		lines = append(lines, "**"+inert(oneLine(t))+"**")
	}
	if d := strings.TrimSpace(e.Description); d != "" {
		lines = append(lines, d)
	}
	for _, f := range e.Fields {
		lines = append(lines, "**"+inert(oneLine(f.Name))+"**", f.Value)
	}
	return strings.Join(lines, "\n")
}
