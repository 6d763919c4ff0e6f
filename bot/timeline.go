package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/rag"
)

// timeliner lists dated, verified quotes about a topic in date order. The
// engine provides it; /timeline is offered only when the answerer does.
type timeliner interface {
	Timeline(ctx context.Context, q rag.Question) ([]rag.Citation, error)
}

func timelineCommand(b *Bot) *command {
	return &command{def: &discordgo.ApplicationCommand{Name: "timeline", Description: "Dated quotes about a topic, oldest first",
		Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "topic", Description: "What to follow, e.g. Rotterdam strike", Required: true, MaxLength: 300},
		}},
		limited: true, deferred: true, private: always(false), run: b.runTimeline}
}

// runTimeline answers /timeline: one line per article, its date, the
// quote (our stored text) and a link to the passage, shown as the URL it
// is, never a masked link, and without an embed preview.
func (b *Bot) runTimeline(ctx context.Context, c *call) (response, error) {
	topic := c.str("topic")
	if topic == "" {
		return response{}, inputErrorf("Please give a topic, e.g. `/timeline topic: Rotterdam strike`")
	}
	tl, _ := b.ans.(timeliner)
	cites, err := tl.Timeline(ctx, rag.Question{Text: topic, Scopes: scopes(c.guild), Asked: askedAt(c.i.ID, time.Time{})})
	if err != nil {
		return response{}, err
	}
	head := "**Timeline: " + escapeMarkdown(truncate(oneLine(topic), 100)) + "**\n"
	if len(cites) == 0 {
		return public("%sThe briefings have no dated quotes about this.", head), nil
	}
	var lines []string
	for _, ct := range cites {
		title := escapeMarkdown(truncate(oneLine(ct.Title), 80))
		if link := passageLink(ct.URL, ct.Quote); link != "" && len(link) <= maxLink {
			title += " <" + link + ">" // the URL as it is: a masked link's text could name another site
		}
		lines = append(lines, fmt.Sprintf("`%s` “%s” — %s", formatDate(ct.Published, ct.DateGuessed),
			escapeMarkdown(truncate(oneLine(ct.Quote), 300)), title))
	}
	var resp response
	for _, part := range splitText(head+strings.Join(lines, "\n"), maxContent) {
		resp.msgs = append(resp.msgs, outMsg{content: part})
	}
	return resp, nil
}
