package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGuildFlag: every command's --guild takes a Discord server ID (a
// snowflake: a decimal number that fits 64 bits) and nothing else. A bad
// one is a usage error (exit 2) naming the flag, the value and what to
// give, raised before the store is opened or anything fetched: the data
// directory is never created.
func TestGuildFlag(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		value string // the bad value the error must quote
	}{
		{"ingest, a server name", []string{"ingest", "--guild", "my-server", "notes.md"}, "my-server"},
		{"ingest, digits and a letter", []string{"ingest", "--guild=12a", "notes.md"}, "12a"},
		{"list, 21 digits", []string{"list", "--guild", "123456789012345678901"}, "123456789012345678901"},
		{"list, 20 digits past uint64", []string{"list", "--guild", "18446744073709551616"}, "18446744073709551616"},
		{"remove, negative", []string{"remove", "--guild", "-5", "a1"}, "-5"},
		{"remove, empty", []string{"remove", "--guild=", "a1"}, ""},
		{"feed add, spaces around", []string{"feed", "add", "--guild", " 123 ", "http://127.0.0.1:9/rss.xml"}, " 123 "},
		{"timeline, full-width digits", []string{"timeline", "--guild", "１２３", "hackers"}, "１２３"},
		{"report, a mention", []string{"report", "--guild", "<#123>"}, "<#123>"},
		{"report, plus sign", []string{"report", "--guild", "+123"}, "+123"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			_, _, err := cliCtx(t.Context(), dir, "", nil, tc.args...)
			if err == nil || exitCode(err) != 2 {
				t.Fatalf("got error %v (exit %d), want a usage error (exit 2)", err, exitCode(err))
			}
			msg := describe(err)
			for _, want := range []string{"-guild", `"` + tc.value + `"`, "Discord server ID", "1 to 20 digits"} {
				if !strings.Contains(msg, want) {
					t.Errorf("got %q, want it to contain %q", msg, want)
				}
			}
			if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the data directory was touched (stat: %v); the flag must be checked first", err)
			}
		})
	}
}

// TestGuildFlagAccepts: IDs of 1 to 20 digits up to the largest uint64
// are taken, as the scope the store was given them in.
func TestGuildFlagAccepts(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(t.TempDir(), "local.jsonl")
	os.WriteFile(src, []byte(`{"id":"local1","title":"Lithium slump","body":"Lithium prices fell by a third in March."}`+"\n"), 0o600)
	for _, id := range []string{"7", "111111111111111111", "18446744073709551615"} {
		t.Run(id, func(t *testing.T) {
			if _, _, err := cli(t, dir, "", nil, "ingest", "--guild", id, src); err != nil {
				t.Fatalf("ingest --guild %s: %v", id, err)
			}
			out, _, err := cli(t, dir, "", nil, "list", "--json", "--guild", id)
			if err != nil || !strings.Contains(out, `"scope": "`+id+`"`) {
				t.Errorf("list --guild %s: got %q, %v; want local1 in scope %s", id, out, err, id)
			}
			if _, _, err := cli(t, dir, "", nil, "remove", "--guild", id, "local1"); err != nil {
				t.Errorf("remove --guild %s local1: %v", id, err)
			}
		})
	}
}

// TestDiscordIDSettings: the settings that hold Discord IDs take IDs only;
// a name where an ID belongs (a server's, a role's) would register the
// commands nowhere or make nobody an admin, silently. Every command fails
// with the setting, the value and what to give, before creating the store.
func TestDiscordIDSettings(t *testing.T) {
	tests := []struct {
		key, value, bad string
	}{
		{"DISCORD_GUILD_ID", "My Server", "My Server"},
		{"DISCORD_APP_ID", "briefbot", "briefbot"},
		{"BRIEFBOT_ADMIN_ROLE_IDS", "123456789012345678, Moderators", "Moderators"},
		{"BRIEFBOT_ADMIN_USER_IDS", "@alice", "@alice"},
		{"BRIEFBOT_ADMIN_USER_IDS", "123456789012345678901", "123456789012345678901"},
	}
	for _, tc := range tests {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			_, _, err := cliCtx(t.Context(), dir, "", map[string]string{tc.key: tc.value}, "list")
			if err == nil || !strings.Contains(err.Error(), tc.key) || !strings.Contains(err.Error(), `"`+tc.bad+`"`) || !strings.Contains(err.Error(), "Copy") {
				t.Fatalf("got %v, want an error naming %s, %q and how to copy the ID", err, tc.key, tc.bad)
			}
			if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("data directory created (%v), want nothing touched", err)
			}
		})
	}
	ok := map[string]string{"DISCORD_GUILD_ID": "111111111111111111", "DISCORD_APP_ID": " 211111111111111111 ",
		"BRIEFBOT_ADMIN_ROLE_IDS": "1, 22,333", "BRIEFBOT_ADMIN_USER_IDS": ""}
	if _, err := loadConfig(func(k string) string { return ok[k] }); err != nil {
		t.Errorf("valid IDs refused: %v", err)
	}
}
