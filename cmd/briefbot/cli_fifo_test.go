//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestIngestSizeCapOnPipes: a named pipe (or a device such as /dev/zero)
// has no size to check beforehand; it is held to --max-size as it is read,
// not read whole into memory.
func TestIngestSizeCapOnPipes(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(t.TempDir(), "feed.txt")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	wrote := make(chan error, 1)
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			wrote <- err
			return
		}
		defer f.Close()
		para := strings.Repeat("Harbour traffic rose by a tenth in May, the port said. ", 20) + "\n\n"
		for range 3000 { // about 3.3 MB; the reader may stop early
			if _, err := f.WriteString(para); err != nil {
				break
			}
		}
		wrote <- nil
	}()
	out, _, err := cli(t, dir, "", nil, "ingest", "--max-size", "1MiB", fifo)
	if err == nil || !strings.Contains(out, "over the 1 MiB limit; pass --max-size") {
		t.Errorf("ingest of a 3 MB named pipe with --max-size 1MiB: %v\n%s", err, out)
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
}
