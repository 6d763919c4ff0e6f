package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discordtest"
)

// TestServeFeedAndAddLimits: a server may follow BRIEFBOT_MAX_FEEDS_PER_SERVER
// feeds; /briefing add runs one add at a time per admin, other admins'
// adds go on meanwhile, and each admin has BRIEFBOT_ADDS_PER_HOUR adds.
func TestServeFeedAndAddLimits(t *testing.T) {
	release, arrived := make(chan struct{}), make(chan struct{}, 1)
	var once sync.Once
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow.txt" {
			arrived <- struct{}{}
			<-release
		}
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "Slow news %s\n\nThe ferry timetable changes in May.\n", r.URL.Path)
	}))
	defer site.Close()
	defer once.Do(func() { close(release) })
	e := startServe(t, "BRIEFBOT_ALLOW_PRIVATE_URLS", "1", "BRIEFBOT_MAX_FEEDS_PER_SERVER", "2",
		"BRIEFBOT_ADDS_PER_HOUR", "2", "BRIEFBOT_FEED_INTERVAL", "1h")
	adminA, otherA, adminB := who(guildA, channelA, "502", 1<<5), who(guildA, channelA, "503", 1<<5), who(guildB, channelB, "602", 1<<5)
	anyReply := func(m discordtest.Message) bool { return m.Content != "" }
	feedAdd := func(by discordtest.Invoker, path string) string {
		in := e.fake.SlashCommand(by, "briefing", discordtest.Group("feed", discordtest.Sub("add", discordtest.Str("url", site.URL+path))))
		return e.reply(in, "feed add "+path, anyReply).Content
	}
	for _, p := range []string{"/a.xml", "/b.xml"} {
		if got := feedAdd(adminA, p); !strings.Contains(got, "Following feed") {
			t.Fatalf("feed add %s: %q", p, got)
		}
	}
	if got := feedAdd(adminA, "/c.xml"); !strings.Contains(got, "follows 2 feeds, the most this bot allows") {
		t.Errorf("third feed in server A: %q, want the limit", got)
	}
	if got := feedAdd(adminB, "/c.xml"); !strings.Contains(got, "Following feed") {
		t.Errorf("server B's first feed: %q (the limit is per server)", got)
	}

	addText := func(by discordtest.Invoker, title string) string {
		in := e.fake.SlashCommand(by, "briefing", discordtest.Sub("add", discordtest.Str("title", title),
			discordtest.Str("text", title+": the harbour ferry changes its timetable in May.")))
		return e.reply(in, "add "+title, anyReply).Content
	}
	slow := e.fake.SlashCommand(adminA, "briefing", discordtest.Sub("add", discordtest.Str("url", site.URL+"/slow.txt")))
	select { // the slow add is fetching its page: it is in flight
	case <-arrived:
	case <-time.After(wait):
		t.Fatal("the slow add never fetched its page")
	}
	if got := addText(adminA, "Second while the first runs"); !strings.Contains(got, "previous add is still running") {
		t.Errorf("a second add by the same admin meanwhile: %q", got)
	}
	if got := addText(otherA, "Another admin"); !strings.Contains(got, "Added **Another admin**") {
		t.Errorf("another admin's add while the slow one runs: %q", got)
	}
	once.Do(func() { close(release) })
	if got := e.reply(slow, "slow add", anyReply).Content; !strings.Contains(got, "Added") {
		t.Errorf("the slow add: %q", got)
	}
	if got := addText(adminA, "Second of the hour"); !strings.Contains(got, "Added") {
		t.Errorf("second add of the hour: %q", got)
	}
	if got := addText(adminA, "Third of the hour"); !strings.Contains(got, "You have added 2 briefings in the last hour") {
		t.Errorf("third add of the hour: %q, want the per-admin limit", got)
	}
}
