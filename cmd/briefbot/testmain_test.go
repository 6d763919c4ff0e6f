package main

import (
	"os"
	"testing"

	"github.com/briefbot/briefbot/corpus"
)

// TestMain lets the test binary be serve's PDF reader child, as the
// briefbot binary is: the fetcher re-executes os.Executable() with
// corpus.SandboxArg.
func TestMain(m *testing.M) {
	if len(os.Args) == 2 && os.Args[1] == corpus.SandboxArg {
		os.Exit(corpus.RunSandboxChild(os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}
