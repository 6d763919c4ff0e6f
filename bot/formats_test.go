package bot

import (
	"os"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/corpus"
)

// formatSamples holds one small document per format name. A format added
// to corpus's registry without a sample here fails the test, which is the
// point: every format is accepted by every entry point.
func formatSamples(t *testing.T) map[string][]byte {
	pdf, err := os.ReadFile("testdata/survey.pdf")
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"txt":   []byte("Harbour traffic\n\nHarbour traffic rose by a tenth in May."),
		"md":    []byte("# Harbour traffic\n\nHarbour traffic rose by a tenth in May."),
		"html":  []byte("<html><head><title>Harbour traffic</title></head><body><article><p>Harbour traffic rose by a tenth in May, the port authority said on Monday.</p></article></body></html>"),
		"jsonl": []byte(`{"id":"h1","title":"Harbour traffic","body":"Harbour traffic rose by a tenth in May."}`),
		"pdf":   pdf,
	}
}

// TestUploadAcceptsEveryRegisteredFormat is issue 17 item 1 for the bot:
// every extension of corpus's format registry can be uploaded with
// /briefing add file: (the upload allow-list used to miss .text and
// .ndjson, which the command line accepted), and the refusal of other
// files lists every one of them.
func TestUploadAcceptsEveryRegisteredFormat(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *Config, _ *keywordAnswerer) { c.Parse = corpus.ParseFile })
	samples := formatSamples(t)
	for _, f := range corpus.Formats() {
		data, ok := samples[f.Name]
		if !ok {
			t.Errorf("format %q has no sample in this test; add one", f.Name)
			continue
		}
		for _, ext := range f.Extensions {
			t.Run(ext, func(t *testing.T) {
				// Each upload is new content, so none is skipped as a duplicate.
				if f.Name == "txt" || f.Name == "md" {
					data = append(append([]byte{}, data...), []byte(" Upload "+ext+".")...)
				}
				file := e.fake.Attach("file", "brief"+strings.ToUpper(ext), f.MediaTypes[0], data)
				in := e.fake.SlashCommand(admin(guildA, channelA, "501"), "briefing", discordtest.Sub("add", file))
				m := e.reply(in, "add "+ext, func(m discordtest.Message) bool {
					return strings.Contains(m.Content, "Added") || strings.Contains(m.Content, "already") ||
						strings.Contains(m.Content, "can't") || strings.Contains(m.Content, "Sorry")
				})[0]
				if !strings.Contains(m.Content, "Added") && !strings.Contains(m.Content, "already stored") {
					t.Errorf("upload of a %s file refused: %q", ext, m.Content)
				}
			})
		}
	}
	in := e.fake.SlashCommand(admin(guildA, channelA, "501"), "briefing",
		discordtest.Sub("add", e.fake.Attach("file", "notes.docx", "application/octet-stream", []byte("PK"))))
	m := e.reply(in, "docx refusal", hasText("I can't read that source"))[0]
	for _, f := range corpus.Formats() {
		for _, ext := range f.Extensions {
			if !strings.Contains(m.Content, ext) {
				t.Errorf("refusal %q does not list %s", m.Content, ext)
			}
		}
	}
}
