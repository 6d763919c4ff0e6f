package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/briefbot/briefbot/corpus"
	"github.com/bwmarrin/discordgo"
)

// FeedList is the feed subscriptions as the bot needs them (corpus.Store).
// A server's feeds belong to its scope: it lists and removes only its own,
// and their items are added to its briefings by the poller of `serve`.
type FeedList interface {
	// AddFeed returns f with its ID; an error wrapping corpus.ErrDuplicate
	// when the scope already follows f.URL, corpus.ErrUnsupportedSource
	// when f.URL is not an http(s) link.
	AddFeed(ctx context.Context, f corpus.Feed) (corpus.Feed, error)
	Feeds(ctx context.Context, scopes []string) ([]corpus.Feed, error)
	// RemoveFeed returns an error wrapping corpus.ErrNotFound when no feed
	// id is in scopes.
	RemoveFeed(ctx context.Context, scopes []string, id int64) error
}

// feedCommands is the /briefing feed sub-command group.
func feedCommands() *discordgo.ApplicationCommandOption {
	minID := 1.0
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommandGroup, Name: "feed",
		Description: "Follow RSS or Atom feeds: new items become briefings",
		Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "add", Description: "Follow a feed",
				Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionString, Name: "url",
					Description: "Address of the RSS or Atom feed", Required: true, MaxLength: 2000}}},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "list", Description: "This server's feeds and how their last poll went"},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "remove", Description: "Stop following a feed",
				Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionInteger, Name: "id",
					Description: "Feed ID from /briefing feed list", Required: true, MinValue: &minID}}},
		},
	}
}

// runFeed serves /briefing feed add|list|remove in the caller's server.
func (b *Bot) runFeed(ctx context.Context, c *call) (response, error) {
	if b.cfg.Feeds == nil {
		return response{}, inputErrorf("Feeds are not enabled on this bot.")
	}
	switch c.sub {
	case "add":
		return b.addFeed(ctx, c)
	case "list":
		return b.listFeeds(ctx, c)
	case "remove":
		return b.removeFeed(ctx, c)
	}
	return response{}, inputErrorf("Use `/briefing feed add`, `/briefing feed list` or `/briefing feed remove`.")
}

func (b *Bot) addFeed(ctx context.Context, c *call) (response, error) {
	link := c.str("url")
	have, err := b.cfg.Feeds.Feeds(ctx, []string{c.guild})
	if err != nil {
		return response{}, err
	}
	if len(have) >= b.cfg.MaxFeeds {
		return response{}, inputErrorf("This server follows %d feeds, the most this bot allows; "+
			"stop following one with `/briefing feed remove` first.", len(have))
	}
	f, err := b.cfg.Feeds.AddFeed(ctx, corpus.Feed{URL: link, Scope: c.guild})
	switch {
	case errors.Is(err, corpus.ErrDuplicate):
		return response{}, inputErrorf("This server already follows that feed; `/briefing feed list` shows it.")
	case errors.Is(err, corpus.ErrUnsupportedSource):
		return response{}, inputErrorf("Give the feed's full address, starting with https:// (for example https://example.com/rss.xml).")
	case err != nil:
		return response{}, err
	}
	return private("Following feed `%d`: <%s>. Its new items are added to this server's briefings at every poll; "+
		"`/briefing feed list` shows how the last poll went.", f.ID, f.URL), nil
}

func (b *Bot) listFeeds(ctx context.Context, c *call) (response, error) {
	feeds, err := b.cfg.Feeds.Feeds(ctx, []string{c.guild})
	if err != nil {
		return response{}, err
	}
	if len(feeds) == 0 {
		return private("This server follows no feeds. Add one with `/briefing feed add url:`."), nil
	}
	lines := make([]string, 0, len(feeds))
	for _, f := range feeds {
		lines = append(lines, feedLine(f))
	}
	var msgs []outMsg
	for _, part := range splitText(strings.Join(lines, "\n"), maxContent) {
		msgs = append(msgs, outMsg{content: part})
	}
	return response{ephemeral: true, msgs: msgs}, nil
}

// feedLine is one feed in the list: ID, title and link, then how the last
// poll went (Discord shows <t:…:R> as "5 minutes ago" in the reader's
// language).
func feedLine(f corpus.Feed) string {
	name := "<" + f.URL + ">"
	if f.Title != "" {
		name = fmt.Sprintf("**%s** <%s>", escapeMarkdown(truncate(oneLine(f.Title), 100)), f.URL)
	}
	state := "not polled yet"
	if !f.LastPolled.IsZero() {
		state = fmt.Sprintf("last poll <t:%d:R>: %d added", f.LastPolled.Unix(), f.ItemsAdded)
	}
	if f.ItemsWaiting > 0 {
		state += fmt.Sprintf(" · %s to retry (after 1 h, 6 h, 24 h)", plural(f.ItemsWaiting, "failed item"))
	}
	if f.ItemsGivenUp > 0 {
		state += fmt.Sprintf(" · %s given up", plural(f.ItemsGivenUp, "item"))
	}
	if f.LastError != "" {
		state += " · ⚠ " + escapeMarkdown(truncate(oneLine(f.LastError), 300))
	}
	return fmt.Sprintf("`%d` %s\n   %s", f.ID, name, state)
}

func (b *Bot) removeFeed(ctx context.Context, c *call) (response, error) {
	id := c.integer("id")
	err := b.cfg.Feeds.RemoveFeed(ctx, []string{c.guild}, id)
	if errors.Is(err, corpus.ErrNotFound) {
		return response{}, inputErrorf("This server follows no feed with ID `%d`; `/briefing feed list` shows the IDs.", id)
	}
	if err != nil {
		return response{}, err
	}
	return private("Stopped following feed `%d`. The briefings it added stay; remove them with `/briefing remove`.", id), nil
}
