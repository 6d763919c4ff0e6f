package bot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

func TestInlineEmbeds(t *testing.T) {
	buttons := voteButtons()
	cases := []struct {
		name      string
		in        []outMsg
		wantParts int
		wantText  []string
	}{
		{"no embeds: unchanged", []outMsg{{content: "hello", components: buttons}}, 1, []string{"hello"}},
		{"embed after the text", []outMsg{{content: "> q?\nanswer [1]", components: buttons,
			embeds: []*discordgo.MessageEmbed{{Title: "Sources", Description: "**[1]** **T** · 14 Mar 2025\n<https://x.example/a>"}}}},
			1, []string{"> q?\nanswer [1]\n\n**Sources**\n**[1]** **T** · 14 Mar 2025\n<https://x.example/a>"}},
		{"a title is inert", []outMsg{{content: "a", embeds: []*discordgo.MessageEmbed{{Title: "*bold* <@1>", Description: "d"}}}},
			1, []string{`**\*bold\* \<@1\>**`}},
		{"long sources split, buttons last", []outMsg{{content: "answer", components: buttons,
			embeds: []*discordgo.MessageEmbed{{Title: "Sources", Description: strings.Repeat("**[1]** a source line\n\n", 150)}}}},
			2, []string{"answer\n\n**Sources**\n**[1]**"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := inlineEmbeds(tc.in)
			if len(got) != tc.wantParts {
				t.Fatalf("got %d messages, want %d", len(got), tc.wantParts)
			}
			var all strings.Builder
			for i, m := range got {
				all.WriteString(m.content)
				if n := utf8.RuneCountInString(m.content); n > maxContent || len(m.embeds) != 0 {
					t.Errorf("message %d: %d characters, %d embeds", i, n, len(m.embeds))
				}
				if last := i == len(got)-1; (len(m.components) != 0) != (last && len(tc.in[0].components) != 0) {
					t.Errorf("message %d: components %v, want them on the last message only", i, m.components)
				}
			}
			for _, want := range tc.wantText {
				if !strings.Contains(all.String(), want) {
					t.Errorf("text %q lacks %q", all.String(), want)
				}
			}
		})
	}
}
