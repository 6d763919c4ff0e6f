package corpus

import (
	"bytes"
	"os"
	"testing"
	"time"
)

// TestMain lets the test binary be the Sandbox's child, as the briefbot
// binary is in production. Two inputs stand in for children that go
// wrong, to test what the parent does then: "%HANG" never answers,
// "%OOM" allocates until the address-space limit kills it.
func TestMain(m *testing.M) {
	if len(os.Args) == 2 && os.Args[1] == SandboxArg {
		data, err := ReadSandboxInput(os.Stdin, os.Stdout)
		if err != nil {
			os.Exit(1)
		}
		switch {
		case bytes.HasPrefix(data, []byte("%HANG")):
			time.Sleep(time.Minute)
		case bytes.HasPrefix(data, []byte("%OOM")):
			var keep [][]byte
			for {
				b := make([]byte, 64<<20)
				for i := 0; i < len(b); i += 4096 {
					b[i] = 1
				}
				keep = append(keep, b)
			}
		}
		os.Exit(SandboxExtract(data, os.Stdout))
	}
	os.Exit(m.Run())
}
