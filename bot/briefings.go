package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/briefbot/briefbot/corpus"
	"github.com/bwmarrin/discordgo"
)

const (
	pagePrefix  = "page:"
	pageSize    = 10
	maxChoices  = 25
	maxQueryTag = 80 // bytes of the query kept in a button's custom ID (limit 100)
)

func (b *Bot) runBriefings(ctx context.Context, c *call) (response, error) {
	switch c.sub {
	case "list":
		m, err := b.listPage(ctx, c.guild, c.str("query"), 0)
		return response{ephemeral: true, msgs: []outMsg{m}}, err
	case "show":
		return b.show(ctx, c.guild, c.str("id"))
	}
	return response{}, inputErrorf("Use `/briefings list` or `/briefings show`.")
}

// listPage renders one page of the briefings visible in guild, with
// previous/next buttons that carry the page and the query.
func (b *Bot) listPage(ctx context.Context, guild, query string, page int) (outMsg, error) {
	arts, err := b.lib.List(ctx, scopes(guild), query)
	if err != nil {
		return outMsg{}, err
	}
	if len(arts) == 0 {
		if query != "" {
			return outMsg{content: fmt.Sprintf("No briefings match “%s”.", escapeMarkdown(truncate(oneLine(query), 100)))}, nil
		}
		return outMsg{content: "No briefings yet. Server managers can add some with `/briefing add`."}, nil
	}
	pages := (len(arts) + pageSize - 1) / pageSize
	page = max(0, min(page, pages-1))
	var lines []string
	for _, a := range arts[page*pageSize : min(len(arts), (page+1)*pageSize)] {
		line := fmt.Sprintf("%s · **%s** · %s", codeID(a.ID), escapeMarkdown(truncate(oneLine(a.Title), 150)), formatDate(a.Published, a.DateGuessed))
		if a.Scope != corpus.GlobalScope {
			line += " · this server"
		}
		lines = append(lines, line)
	}
	title := "Briefings"
	if query != "" {
		title = truncate("Briefings matching “"+oneLine(query)+"”", 256)
	}
	e := &discordgo.MessageEmbed{Title: title, Description: strings.Join(lines, "\n"), Color: 0x5865F2,
		Footer: &discordgo.MessageEmbedFooter{Text: fmt.Sprintf("Page %d of %d · %s", page+1, pages, plural(len(arts), "briefing"))}}
	m := outMsg{embeds: []*discordgo.MessageEmbed{e}}
	if pages > 1 {
		tag := cutBytes(query, maxQueryTag)
		m.components = []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "Previous", Style: discordgo.SecondaryButton, CustomID: pageID(page-1, tag), Disabled: page == 0},
			discordgo.Button{Label: "Next", Style: discordgo.SecondaryButton, CustomID: pageID(page+1, tag), Disabled: page == pages-1},
		}}}
	}
	return m, nil
}

func pageID(page int, query string) string { return pagePrefix + strconv.Itoa(page) + ":" + query }

// page answers a previous/next click by replacing the list message.
func (b *Bot) page(ctx context.Context, i *discordgo.Interaction, id string) (response, error) {
	n, query, ok := strings.Cut(strings.TrimPrefix(id, pagePrefix), ":")
	p, err := strconv.Atoi(n)
	if !ok || err != nil {
		return response{}, inputErrorf("This button no longer works; run `/briefings list` again.")
	}
	m, err := b.listPage(ctx, i.GuildID, query, p)
	if err != nil {
		return response{}, err
	}
	return response{update: true, msgs: []outMsg{m}}, nil
}

func (b *Bot) show(ctx context.Context, guild, id string) (response, error) {
	if id == "" {
		return response{}, inputErrorf("Give the briefing's ID; start typing its title to pick it.")
	}
	a, err := b.lib.Get(ctx, scopes(guild), id)
	if err != nil {
		return response{}, err
	}
	e := &discordgo.MessageEmbed{
		Title:       truncate(inert(truncate(oneLine(a.Title), 200)), 256),
		Description: truncate(inert(truncate(strings.TrimSpace(a.Body), 3000)), 4000),
		Color:       0x5865F2,
		Fields: []*discordgo.MessageEmbedField{
			{Name: "Date", Value: formatDate(a.Published, a.DateGuessed), Inline: true},
			{Name: "ID", Value: codeID(a.ID), Inline: true},
		},
	}
	if a.Source != "" {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Source", Value: inert(truncate(oneLine(a.Source), 200)), Inline: true})
	}
	// The link is a field showing the URL as it is, not the embed's URL,
	// which would turn the article's title into a masked link.
	if link := passageLink(a.URL, ""); link != "" && len(link) <= maxLink {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Link", Value: "<" + link + ">"})
	}
	return response{ephemeral: true, msgs: []outMsg{{embeds: []*discordgo.MessageEmbed{e}}}}, nil
}

// completeVisible offers the briefings the user can see.
func (b *Bot) completeVisible(ctx context.Context, c *call, typed string) ([]*discordgo.ApplicationCommandOptionChoice, error) {
	return b.choices(ctx, scopes(c.guild), typed)
}

// completeOwn offers only the server's own briefings: the ones it may remove.
func (b *Bot) completeOwn(ctx context.Context, c *call, typed string) ([]*discordgo.ApplicationCommandOptionChoice, error) {
	if c.guild == "" {
		return nil, nil
	}
	return b.choices(ctx, []string{c.guild}, typed)
}

// titler answers autocomplete from memory (rag.Engine.Titles); a library
// without it is listed from the store at every keystroke.
type titler interface {
	Titles(scopes []string, query string, limit int) []corpus.Article
}

func (b *Bot) choices(ctx context.Context, sc []string, typed string) ([]*discordgo.ApplicationCommandOptionChoice, error) {
	var arts []corpus.Article
	if t, ok := b.lib.(titler); ok {
		arts = t.Titles(sc, strings.TrimSpace(typed), maxChoices)
	} else {
		var err error
		if arts, err = b.lib.List(ctx, sc, strings.TrimSpace(typed)); err != nil {
			return nil, err
		}
	}
	var out []*discordgo.ApplicationCommandOptionChoice
	for _, a := range arts {
		if len(out) == maxChoices {
			break
		}
		if a.ID == "" || utf8.RuneCountInString(a.ID) > 100 {
			continue
		}
		name := truncate(oneLine(a.Title)+" · "+formatDate(a.Published, a.DateGuessed), maxChoiceName)
		out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: name, Value: a.ID})
	}
	return out, nil
}

// cutBytes shortens s to at most n bytes without splitting a character.
func cutBytes(s string, n int) string {
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}
