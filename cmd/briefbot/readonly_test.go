package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadOnlyStore is issue 14 item 5: on a data directory the user may
// not write, list and ask work (the store is opened read-only, nothing is
// seeded) and ingest says why it cannot add. Permission bits do not bind
// root, so as root the binary runs as the unprivileged user 65534.
func TestReadOnlyStore(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the binary")
	}
	root, err := os.MkdirTemp("", "briefbot-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		filepath.Walk(root, func(p string, _ os.FileInfo, _ error) error { return os.Chmod(p, 0o755) })
		os.RemoveAll(root)
	})
	os.Chmod(root, 0o755)
	dir := filepath.Join(root, "data")
	if out, _, err := cli(t, dir, "", nil, "ingest", writeFile(t, filepath.Join(root, "src", "harbour.txt"),
		"Harbour report\n\nHarbour traffic rose by a tenth in May, the port said.\n")); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	bin := filepath.Join(root, "briefbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	os.Chmod(bin, 0o755)
	os.Chmod(filepath.Join(dir, "briefbot.db"), 0o444)
	os.Chmod(dir, 0o555)
	before, _ := os.ReadFile(filepath.Join(dir, "briefbot.db"))
	briefbot := func(args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = root
		cmd.Env = []string{"PATH=/usr/bin:/bin"}
		if os.Geteuid() == 0 {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := briefbot("list", "--data", dir)
	if err != nil || !strings.Contains(out, "harbour") || !strings.Contains(out, "2 articles") {
		t.Errorf("list on a read-only store: %v\n%s", err, out)
	}
	out, err = briefbot("ask", "--data", dir, "How much did harbour traffic rise?")
	if err != nil || !strings.Contains(out, "rose by a tenth") {
		t.Errorf("ask on a read-only store: %v\n%s", err, out)
	}
	out, err = briefbot("ingest", "--data", dir, writeFile(t, filepath.Join(root, "src", "rail.txt"), "Rail\n\nThe bridge reopened.\n"))
	if err == nil || !strings.Contains(out, "read-only") || !strings.Contains(out, "list and ask work") {
		t.Errorf("ingest into a read-only store: %v\n%s", err, out)
	}
	out, err = briefbot("feed", "add", "--data", dir, "https://example.org/rss.xml")
	if err == nil || !strings.Contains(out, "read-only") || !strings.Contains(out, "list and ask work") {
		t.Errorf("feed add on a read-only store: %v\n%s", err, out)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "briefbot.db")); string(after) != string(before) {
		t.Error("the read-only store file changed")
	}
	out, err = briefbot("list", "--data", filepath.Join(root, "src", "harbour.txt"))
	if err == nil || !strings.Contains(out, "is a file, not a folder") {
		t.Errorf("--data naming a file: %v\n%s", err, out)
	}
}
