package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/corpus"
)

// startWithFeeds runs the bot with a real store on disk as its feed list.
func startWithFeeds(t *testing.T) (*env, *corpus.Store) {
	t.Helper()
	st, err := corpus.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := start(t, func(c *Config, _ *keywordAnswerer) { c.Feeds = st; c.AdminRoleIDs = []string{"900"} })
	return e, st
}

func feedCmd(sub string, opts ...discordtest.Option) discordtest.Option {
	return discordtest.Group("feed", discordtest.Sub(sub, opts...))
}

func TestFeedCommandsAreAdminOnly(t *testing.T) {
	t.Parallel()
	e, st := startWithFeeds(t)
	own, err := st.AddFeed(context.Background(), corpus.Feed{URL: "https://news.example/rss", Scope: guildA})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		opt  discordtest.Option
	}{
		{"add", feedCmd("add", discordtest.Str("url", "https://other.example/feed"))},
		{"list", feedCmd("list")},
		{"remove", feedCmd("remove", discordtest.Int("id", own.ID))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			by := member(guildA, channelA, "501")
			by.Roles = []string{"123"} // not the admin role
			in := e.fake.SlashCommand(by, "briefing", tc.opt)
			m := e.reply(in, "refusal", hasText("Only server managers"))[0]
			if !m.Ephemeral() {
				t.Error("refusal is public")
			}
			if strings.Contains(m.Content, "news.example") {
				t.Errorf("refusal shows the server's feeds: %q", m.Content)
			}
		})
	}
	if fs, _ := st.Feeds(context.Background(), nil); len(fs) != 1 || fs[0].ID != own.ID {
		t.Errorf("feeds after refused commands = %+v, want the one feed unchanged", fs)
	}
}

// TestFeedsPerServer: each server adds, lists and removes only its own
// feeds; mistakes get a private, specific message and change nothing.
func TestFeedsPerServer(t *testing.T) {
	t.Parallel()
	e, st := startWithFeeds(t)
	run := func(by discordtest.Invoker, opt discordtest.Option, want string) discordtest.Message {
		t.Helper()
		in := e.fake.SlashCommand(by, "briefing", opt)
		m := e.reply(in, want, hasText(want))[0]
		if !m.Ephemeral() {
			t.Errorf("reply %q is public", m.Content)
		}
		return m
	}
	adminA, adminB := admin(guildA, channelA, "501"), admin(guildB, channelB, "502")
	run(adminA, feedCmd("add", discordtest.Str("url", "https://news.example/rss")), "Following feed `1`: <https://news.example/rss>")
	run(adminB, feedCmd("add", discordtest.Str("url", "https://news.example/rss")), "Following feed `2`")
	run(adminB, feedCmd("add", discordtest.Str("url", "https://b.example/atom.xml")), "Following feed `3`")

	cases := []struct {
		name string
		by   discordtest.Invoker
		opt  discordtest.Option
		want string
	}{
		{"duplicate in the same server", adminA, feedCmd("add", discordtest.Str("url", "https://news.example/rss")), "already follows that feed"},
		{"not a link", adminA, feedCmd("add", discordtest.Str("url", "news.example/rss")), "starting with https://"},
		{"other server's feed", adminA, feedCmd("remove", discordtest.Int("id", 3)), "follows no feed with ID `3`"},
		{"unknown feed", adminA, feedCmd("remove", discordtest.Int("id", 99)), "follows no feed with ID `99`"},
		// Not in DMs: /briefing's contexts are guild-only, so Discord does
		// not offer it there (the fake refuses to dispatch it).
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { run(tc.by, tc.opt, tc.want) })
	}
	if fs, _ := st.Feeds(context.Background(), nil); len(fs) != 3 {
		t.Fatalf("%d feeds stored, want 3 (the mistakes changed nothing)", len(fs))
	}

	// The poller's state shows in the list: time, items added, last error.
	f := corpus.Feed{ID: 3, URL: "https://b.example/atom.xml", Scope: guildB, Title: "B *News*",
		LastPolled: time.Unix(1741078800, 0), ItemsAdded: 4, LastError: "poll feed https://b.example/atom.xml: the server answered 503"}
	if err := st.UpdateFeed(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	listA := run(adminA, feedCmd("list"), "news.example").Content
	if strings.Contains(listA, "b.example") || !strings.Contains(listA, "`1` <https://news.example/rss>") || !strings.Contains(listA, "not polled yet") {
		t.Errorf("list in A = %q, want only A's feed, not polled yet", listA)
	}
	listB := run(adminB, feedCmd("list"), "b.example").Content
	for _, want := range []string{"`2` <https://news.example/rss>", "`3` **B \\*News\\*** <https://b.example/atom.xml>",
		"last poll <t:1741078800:R>: 4 added", "⚠ poll feed <https://b.example/atom.xml>: the server answered 503"} {
		if !strings.Contains(listB, want) {
			t.Errorf("list in B lacks %q:\n%s", want, listB)
		}
	}

	run(adminB, feedCmd("remove", discordtest.Int("id", 3)), "Stopped following feed `3`")
	run(adminB, feedCmd("remove", discordtest.Int("id", 2)), "Stopped following feed `2`")
	run(adminB, feedCmd("list"), "This server follows no feeds")
	if fs, _ := st.Feeds(context.Background(), nil); len(fs) != 1 || fs[0].Scope != guildA {
		t.Errorf("feeds after B removed its own = %+v, want A's only", fs)
	}
	if strings.Contains(e.logs.String(), "level=ERROR") {
		t.Errorf("expected mistakes were logged as failures:\n%s", e.logs.String())
	}
}

func TestFeedCommandsDisabledWithoutFeedList(t *testing.T) {
	t.Parallel()
	e := start(t)
	// The group is registered with Discord under the admin-only /briefing.
	var cmds []struct {
		Name    string `json:"name"`
		Options []struct {
			Name    string `json:"name"`
			Type    int    `json:"type"`
			Options []struct {
				Name string `json:"name"`
			} `json:"options"`
		} `json:"options"`
	}
	decodeJSON(t, e.fake.Commands("global"), &cmds)
	var subs []string
	for _, c := range cmds {
		for _, o := range c.Options {
			if c.Name == "briefing" && o.Name == "feed" && o.Type == 2 {
				for _, s := range o.Options {
					subs = append(subs, s.Name)
				}
			}
		}
	}
	if strings.Join(subs, ",") != "add,list,remove" {
		t.Errorf("/briefing feed sub-commands = %v, want add, list, remove", subs)
	}

	in := e.fake.SlashCommand(admin(guildA, channelA, "501"), "briefing", feedCmd("list"))
	if m := e.reply(in, "refusal", hasText("Feeds are not enabled"))[0]; !m.Ephemeral() {
		t.Error("refusal is public")
	}
}

// TestAddURLRefusesPrivateAddress: with the real fetcher and default
// settings, /briefing add url: on a loopback or private address is refused
// with the guard's reason, privately, and nothing is added.
func TestAddURLRefusesPrivateAddress(t *testing.T) {
	t.Parallel()
	f := corpus.NewFetcher(corpus.FetchConfig{})
	e := start(t, func(c *Config, _ *keywordAnswerer) { c.Fetch = f.Fetch })
	for _, link := range []string{"http://127.0.0.1:9/story.html", "http://[::1]:9/", "http://10.1.2.3/admin"} {
		t.Run(link, func(t *testing.T) {
			in := e.fake.SlashCommand(admin(guildA, channelA, "501"), "briefing", discordtest.Sub("add", discordtest.Str("url", link)))
			m := e.reply(in, "refusal", hasText("I won't fetch that link"))[0]
			if !m.Ephemeral() || !strings.Contains(m.Content, "briefbot refuses private and loopback addresses") ||
				!strings.Contains(m.Content, "BRIEFBOT_ALLOW_PRIVATE_URLS=1") {
				t.Errorf("reply = %q, want a private refusal saying why", m.Content)
			}
		})
	}
	if got := e.lib.count(); got != 0 {
		t.Errorf("library holds %d articles, want 0", got)
	}
}
