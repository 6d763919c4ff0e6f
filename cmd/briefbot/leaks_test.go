package main

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot/discordtest"
)

// TestServeRefusalHidesAddress: an admin who adds a link whose name
// resolves inward is told the kind of address, not the address.
func TestServeRefusalHidesAddress(t *testing.T) {
	site := httptest.NewServer(nil)
	defer site.Close()
	port := site.URL[strings.LastIndex(site.URL, ":")+1:]
	e := startServe(t)
	in := e.fake.SlashCommand(who(guildA, channelA, "502", 1<<5), "briefing",
		discordtest.Sub("add", discordtest.Str("url", "http://localhost:"+port+"/internal")))
	m := e.reply(in, "refusal", func(m discordtest.Message) bool { return m.Content != "" })
	if !strings.Contains(m.Content, "a loopback address") || strings.Contains(m.Content, "127.0.0.1") || strings.Contains(m.Content, "::1") {
		t.Errorf("refusal: %q, want the kind of address without the address", m.Content)
	}
}
