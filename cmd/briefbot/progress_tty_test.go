//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY returns both ends of a new pseudo-terminal (Linux /dev/ptmx).
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("open /dev/ptmx: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("ptsname: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open pts: %v", err)
	}
	return m, s
}

// TestIngestProgressOnTerminal is issue 14 item 4's progress output: with
// stderr a real terminal, ingest draws a progress line with articles,
// passages and a rate (and the report still goes to stdout).
func TestIngestProgressOnTerminal(t *testing.T) {
	master, tty := openPTY(t)
	defer master.Close()
	got := make(chan string)
	go func() {
		var b bytes.Buffer
		io.Copy(&b, master) // ends with EIO once the terminal side is closed
		got <- b.String()
	}()
	dir := t.TempDir()
	getenv := func(k string) string {
		if k == "BRIEFBOT_DATA" {
			return dir
		}
		return ""
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"ingest", genJSONL(t, 300)}, getenv, stdio{in: strings.NewReader(""), out: &out, err: tty})
	tty.Close()
	screen := <-got
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if !strings.Contains(out.String(), "300 added") {
		t.Errorf("report:\n%s", tail(out.String()))
	}
	if !strings.Contains(screen, "ingesting: ") || !strings.Contains(screen, " passages (") || !strings.Contains(screen, " articles/") {
		t.Errorf("terminal shows no progress with articles, passages and rate:\n%q", tail(screen))
	}
}
