package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/briefbot/briefbot/bot/discordtest"
)

// TestServeAttachmentsOnlyFromDiscord: an attachment whose URL is not
// Discord's CDN (https) nor the configured API host is refused before any
// request or lookup: another local server, plain http to the CDN's name,
// and an outside host. An attachment on the API host is read.
func TestServeAttachmentsOnlyFromDiscord(t *testing.T) {
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte("Internal note\n\nThe router password is hunter2.\n"))
	}))
	defer other.Close()
	e := startServe(t)
	admin := who(guildA, channelA, "502", 1<<5)
	upload := func(url string) string {
		f := &discordtest.File{ID: e.fake.NewID(), Name: "note.txt", URL: url, ContentType: "text/plain", Size: 40}
		in := e.fake.SlashCommand(admin, "briefing", discordtest.Sub("add", discordtest.Option{Name: "file", Type: 11, Value: f.ID, File: f}))
		return e.reply(in, "upload from "+url, func(m discordtest.Message) bool { return m.Content != "" }).Content
	}
	for _, url := range []string{other.URL + "/note.txt", "http://cdn.discordapp.com/attachments/1/2/note.txt",
		"https://attacker.example/note.txt", "https://cdn.discordapp.com.attacker.example/note.txt"} {
		if got := upload(url); !strings.Contains(got, "only download files from Discord's own servers") {
			t.Errorf("attachment at %s: %q, want a refusal", url, got)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the other server got %d requests, want none", n)
	}
	ok := e.fake.SlashCommand(admin, "briefing", discordtest.Sub("add",
		e.fake.Attach("file", "note.txt", "text/plain", []byte("Ferry timetable\n\nThe harbour ferry changes its timetable in May.\n"))))
	if got := e.reply(ok, "upload", func(m discordtest.Message) bool { return m.Content != "" }).Content; !strings.Contains(got, "Added **Ferry timetable**") {
		t.Errorf("attachment from the API host: %q", got)
	}
}
