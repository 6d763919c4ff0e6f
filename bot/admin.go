package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/rag"
	"github.com/bwmarrin/discordgo"
)

// isAdmin checks on our side what default_member_permissions only suggests
// to Discord clients: Manage Server (or Administrator), or a configured
// admin role or user.
func (b *Bot) isAdmin(i *discordgo.Interaction) bool {
	if slices.Contains(b.cfg.AdminUserIDs, userID(i)) {
		return true
	}
	if i.Member == nil {
		return false
	}
	if i.Member.Permissions&(discordgo.PermissionManageGuild|discordgo.PermissionAdministrator) != 0 {
		return true
	}
	for _, r := range i.Member.Roles {
		if slices.Contains(b.cfg.AdminRoleIDs, r) {
			return true
		}
	}
	return false
}

func (b *Bot) runBriefing(ctx context.Context, c *call) (response, error) {
	if c.guild == "" {
		return response{}, inputErrorf("Briefings are added and removed from a server, not in DMs.")
	}
	if c.group == "feed" {
		return b.runFeed(ctx, c)
	}
	switch c.sub {
	case "add":
		return b.add(ctx, c)
	case "remove":
		return b.remove(ctx, c)
	case "stats":
		return b.runStats(ctx, c)
	case "threads":
		return b.runThreads(ctx, c)
	}
	return response{}, inputErrorf("Use `/briefing add` or `/briefing remove`.")
}

// add stores the articles from one source in the server's scope and says
// what was added, or why not. A file of many articles is added in one
// batch (one embedding pass) and answered with one summary, the details
// attached as a text file when they don't fit in a few lines.
func (b *Bot) add(ctx context.Context, c *call) (response, error) {
	done, refusal, err := b.adds.start(ctx, c.user, time.Now())
	if refusal != "" {
		return response{}, inputErrorf("%s", refusal)
	}
	if err != nil {
		return response{}, err
	}
	defer done()
	arts, err := b.sources(ctx, c)
	if err != nil {
		return response{}, err
	}
	for i := range arts {
		arts[i].Scope, arts[i].AddedBy = c.guild, c.user
		if arts[i].AddedAt.IsZero() {
			arts[i].AddedAt = time.Now().UTC()
		}
	}
	results := b.lib.AddMany(ctx, arts)
	if len(results) == 1 && results[0].Err != nil {
		return response{}, results[0].Err
	}
	return addReport(results, c), nil
}

// maxAddLines is how many per-article lines an add reply shows inline;
// beyond that they go into an attached file.
const maxAddLines = 10

func addReport(results []rag.Added, c *call) response {
	var lines, plain []string // plain: the attached file's text, without Markdown
	added, passages := 0, 0
	for _, r := range results {
		title := truncate(oneLine(r.Article.Title), 150)
		if r.Err != nil {
			why := userMessage(r.Err, c.log)
			lines = append(lines, fmt.Sprintf("✗ **%s**: %s", escapeMarkdown(title), why))
			plain = append(plain, fmt.Sprintf("✗ %s: %s", title, why))
			continue
		}
		added++
		passages += r.Passages
		date := formatDate(r.Article.Published, r.Article.DateGuessed)
		lines = append(lines, fmt.Sprintf("✓ Added **%s** (%s): %s · ID %s", escapeMarkdown(title), date,
			plural(r.Passages, "passage"), codeID(r.Article.ID)))
		plain = append(plain, fmt.Sprintf("✓ Added %s (%s): %s · ID %s", title, date, plural(r.Passages, "passage"), r.Article.ID))
	}
	if len(lines) <= maxAddLines {
		return response{ephemeral: true, msgs: []outMsg{{content: truncate(strings.Join(lines, "\n"), maxContent)}}}
	}
	summary := fmt.Sprintf("Added %d of %s (%s).", added, plural(len(results), "briefing"), plural(passages, "passage"))
	if failed := len(results) - added; failed > 0 {
		summary += fmt.Sprintf(" %d not added; see the attached list for why.", failed)
	} else {
		summary += " The attached list has each one's ID."
	}
	report := strings.Join(plain, "\n") + "\n"
	return response{ephemeral: true, msgs: []outMsg{{content: summary, files: []*discordgo.File{
		{Name: "briefbot-added.txt", ContentType: "text/plain; charset=utf-8", Reader: strings.NewReader(report)},
	}}}}
}

// sources reads the one source the admin gave: url:, text: with title:, or
// file:.
func (b *Bot) sources(ctx context.Context, c *call) ([]corpus.Article, error) {
	link, body, title := c.str("url"), c.str("text"), c.str("title")
	file, hasFile := c.opts["file"]
	given := 0
	for _, ok := range []bool{link != "", body != "", hasFile} {
		if ok {
			given++
		}
	}
	switch {
	case given != 1:
		return nil, inputErrorf("Give exactly one source: `url:`, `text:` with `title:`, or `file:`.")
	case link != "":
		if b.cfg.Fetch == nil {
			return nil, inputErrorf("Adding from a URL is not enabled on this bot; paste the text or upload a file.")
		}
		a, err := b.cfg.Fetch(ctx, link)
		if err != nil {
			return nil, err
		}
		a.Origin = a.URL // a changed page is a newer version of the same article
		return []corpus.Article{a}, nil
	case body != "":
		if title == "" {
			return nil, inputErrorf("Give a `title:` for the text.")
		}
		return []corpus.Article{{Title: title, Body: body, Source: "Discord"}}, nil
	}
	id, _ := file.Value.(string)
	res := c.i.ApplicationCommandData().Resolved
	if res == nil || res.Attachments[id] == nil {
		return nil, inputErrorf("I didn't receive the file; please attach it again.")
	}
	return b.readAttachment(ctx, res.Attachments[id])
}

// readAttachment downloads an uploaded file from Discord's CDN and parses it.
func (b *Bot) readAttachment(ctx context.Context, att *discordgo.MessageAttachment) ([]corpus.Article, error) {
	if _, ok := corpus.FormatOf(att.Filename); !ok { // the one list of formats
		return nil, &corpus.UnsupportedError{Name: att.Filename, Ext: strings.ToLower(path.Ext(att.Filename))}
	}
	if b.cfg.Parse == nil {
		return nil, inputErrorf("Adding from files is not enabled on this bot; paste the text instead.")
	}
	if int64(att.Size) > b.cfg.MaxFileBytes {
		return nil, inputErrorf("%s is %.1f MB; the limit is %.1f MB.", inert(truncate(oneLine(att.Filename), 100)), float64(att.Size)/(1<<20), float64(b.cfg.MaxFileBytes)/(1<<20))
	}
	data, err := b.download(ctx, att)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > b.cfg.MaxFileBytes {
		return nil, inputErrorf("%s is larger than the %.1f MB limit.", inert(truncate(oneLine(att.Filename), 100)), float64(b.cfg.MaxFileBytes)/(1<<20))
	}
	var arts []corpus.Article
	err = b.cfg.Parse(att.Filename, data, func(a corpus.Article) error {
		arts = append(arts, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(arts) == 0 {
		return nil, fmt.Errorf("file %q: %w", att.Filename, corpus.ErrEmpty)
	}
	return arts, nil
}

// attachmentHosts are where Discord serves uploaded files from.
var attachmentHosts = []string{"cdn.discordapp.com", "media.discordapp.net"}

// download fetches an attachment, only from Discord: https from its CDN,
// through Config.Download (the address guard and the size cap of URL
// fetches), or from the configured API URL's own host (a REST proxy, or
// the fake Discord of the tests), which the operator chose. An attachment
// URL is data from the gateway; anything else is refused before any
// request or DNS lookup.
func (b *Bot) download(ctx context.Context, att *discordgo.MessageAttachment) ([]byte, error) {
	u, err := url.Parse(att.URL)
	if err != nil {
		return nil, inputErrorf("I didn't receive the file; please attach it again.")
	}
	api, _ := url.Parse(b.cfg.APIURL)
	switch {
	case u.Scheme == "https" && u.Port() == "" && slices.Contains(attachmentHosts, strings.ToLower(u.Hostname())):
		if b.cfg.Download == nil {
			return nil, inputErrorf("Adding from files is not enabled on this bot; paste the text instead.")
		}
		return b.cfg.Download(ctx, att.URL)
	case b.cfg.APIURL != "" && api != nil && u.Scheme == api.Scheme && strings.EqualFold(u.Host, api.Host):
		return b.downloadFromAPIHost(ctx, att)
	}
	b.log.Warn("attachment refused: not on Discord's CDN", "url", redact(att.URL))
	return nil, inputErrorf("I only download files from Discord's own servers; attach the file again.")
}

func (b *Bot) downloadFromAPIHost(ctx context.Context, att *discordgo.MessageAttachment) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, att.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("download attachment: %w", err)
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download attachment: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download attachment %s: HTTP %d", att.Filename, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, b.cfg.MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("download attachment: %w", err)
	}
	return data, nil
}

// remove deletes one of the server's own briefings. Shared (global)
// briefings are visible to every server, so no single server may remove
// them; another server's briefings are simply not found.
func (b *Bot) remove(ctx context.Context, c *call) (response, error) {
	id := c.str("id")
	if id == "" {
		return response{}, inputErrorf("Give the briefing's ID; start typing its title to pick it.")
	}
	own := []string{c.guild}
	a, err := b.lib.Get(ctx, own, id)
	if errors.Is(err, corpus.ErrNotFound) {
		if g, gerr := b.lib.Get(ctx, []string{corpus.GlobalScope}, id); gerr == nil {
			return response{}, inputErrorf("**%s** is shared by every server, so it can't be removed from here; "+
				"the bot's operator can remove it with %s.", escapeMarkdown(truncate(oneLine(g.Title), 150)), codeID("briefbot remove "+g.ID))
		}
	}
	if err != nil {
		return response{}, err
	}
	if err := b.lib.Remove(ctx, own, id); err != nil {
		return response{}, err
	}
	return private("Removed **%s** (%s). It is no longer used in answers.", escapeMarkdown(truncate(oneLine(a.Title), 150)), codeID(a.ID)), nil
}
