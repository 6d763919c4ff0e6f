package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/corpus/pdftest"
)

// TestServePDFBombs: /briefing add url: of the security review's two PDF
// bombs (20 KB inflating to 20 MB of text; 31 KB of 3 million text
// operators) is refused with the reason, serve keeps answering, and the
// store is as it was. Run under `ulimit -v 3000000` to check the memory
// claim (see README, Security).
func TestServePDFBombs(t *testing.T) {
	pdfs := map[string][]byte{
		"/text-bomb.pdf":     pdftest.TextBomb(20 << 20),
		"/operator-bomb.pdf": pdftest.OperatorBomb(3_000_000),
		"/fine.pdf":          pdftest.Text("Harbour barrier", "The harbour barrier will close in storms from 2027."),
	}
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write(pdfs[r.URL.Path])
	}))
	defer site.Close()
	e := startServe(t, "BRIEFBOT_ALLOW_PRIVATE_URLS", "1")
	admin := who(guildA, channelA, "502", 1<<5)
	before, _, _ := cli(t, e.dir, "", nil, "list", "--json", "--guild", guildA)
	add := func(path string) string {
		in := e.fake.SlashCommand(admin, "briefing", discordtest.Sub("add", discordtest.Str("url", site.URL+path)))
		return e.reply(in, "add "+path, func(m discordtest.Message) bool { return m.Content != "" }).Content
	}
	for path, want := range map[string]string{"/text-bomb.pdf": "more than 2 MB of text", "/operator-bomb.pdf": "PDF expands past 8 MB"} {
		t.Logf("%s: %d bytes", path, len(pdfs[path]))
		if got := add(path); !strings.Contains(got, want) || strings.Contains(got, "Added") {
			t.Errorf("add %s: %q, want a refusal saying %q", path, got, want)
		}
	}
	upload := e.fake.SlashCommand(admin, "briefing", discordtest.Sub("add",
		e.fake.Attach("file", "bomb.pdf", "application/pdf", pdfs["/text-bomb.pdf"])))
	if got := e.reply(upload, "upload", func(m discordtest.Message) bool { return m.Content != "" }).Content; !strings.Contains(got, "more than 2 MB of text") {
		t.Errorf("upload of the text bomb: %q, want a refusal naming the cap", got)
	}
	if after, _, _ := cli(t, e.dir, "", nil, "list", "--json", "--guild", guildA); after != before {
		t.Errorf("the store changed:\nbefore %s\nafter %s", before, after)
	}
	ask := e.fake.SlashCommand(who(guildA, channelA, "503", 0), "ask", discordtest.Str("question", "Which hacker groups did the EU denounce?"))
	if got := e.reply(ask, "answer after the bombs", finished).Content; !strings.Contains(got, "APT40 and APT31") {
		t.Errorf("answer after the bombs: %q", got)
	}
	if got := add("/fine.pdf"); !strings.Contains(got, "Added **Harbour barrier**") {
		t.Errorf("add of an ordinary PDF after the bombs: %q", got)
	}
}
