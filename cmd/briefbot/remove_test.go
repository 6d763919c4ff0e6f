package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRemoveScoped: remove reaches exactly one scope. --guild X never
// removes a shared article, a plain remove never removes a server's, and
// the refusal names the flag that reaches the article.
func TestRemoveScoped(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(t.TempDir(), "local.jsonl")
	os.WriteFile(src, []byte(`{"id":"local1","title":"Lithium slump","body":"Lithium prices fell by a third in March."}`+"\n"), 0o600)
	if _, _, err := cli(t, dir, "", nil, "ingest", "--guild", "123", src); err != nil {
		t.Fatalf("ingest --guild 123: %v", err)
	}
	listAll := func() string {
		out, _, _ := cli(t, dir, "", nil, "list", "--json", "--guild", "123")
		return out
	}
	tests := []struct {
		name      string
		args      []string
		want      string
		wantExit  int
		wantGone  string // ID that must be gone from the store afterwards
		wantStays bool   // the store must be exactly as before
	}{
		{"guild cannot remove a shared article", []string{"remove", "--guild", "999", "eu-china-cyber"},
			"eu-china-cyber is a shared article; remove it with `briefbot remove eu-china-cyber`", 1, "", true},
		{"plain remove does not reach a server's article", []string{"remove", "local1"},
			"local1 is in server 123: use --guild 123", 1, "", true},
		{"another server does not reach it either", []string{"remove", "--guild", "999", "local1"},
			"not found local1 in server 999: local1 is in server 123: use --guild 123", 1, "", true},
		{"unknown ID", []string{"remove", "--guild", "123", "nope"}, "no such article in server 123", 1, "", true},
		{"the server's own article", []string{"remove", "--guild", "123", "local1"}, `removed local1 "Lithium slump"`, 0, "local1", false},
		{"plain remove removes a shared article", []string{"remove", "eu-china-cyber"}, "removed eu-china-cyber", 0, "eu-china-cyber", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := listAll()
			out, _, err := cli(t, dir, "", nil, tc.args...)
			got := 0
			if err != nil {
				got = exitCode(err)
			}
			if got != tc.wantExit {
				t.Errorf("exit = %d (%v), want %d", got, err, tc.wantExit)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("got %q, want it to contain %q", out, tc.want)
			}
			after := listAll()
			if tc.wantStays && after != before {
				t.Errorf("the store changed:\nbefore %s\nafter %s", before, after)
			}
			if tc.wantGone != "" && strings.Contains(after, `"id": "`+tc.wantGone+`"`) {
				t.Errorf("%s is still listed:\n%s", tc.wantGone, after)
			}
		})
	}
}
