package corpus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// SandboxArg is the hidden first argument that makes the briefbot binary
// (or a test binary, from TestMain) run RunSandboxChild instead of a
// command.
const SandboxArg = "__extract-pdf"

// Sandbox reads untrusted PDFs in a child process: a re-exec of the running
// binary with SandboxArg, limited in address space (RLIMIT_AS, set with
// prlimit before the child receives a byte) and killed at a deadline.
// In-process caps (MaxInflatedBytes, MaxTextBytes) stop the bombs we know;
// the child stops the ones we don't, in the PDF library's object streams,
// fonts or cross-reference tables: a Go program that runs out of memory
// dies with a fatal error recover() cannot catch, and a parser loop cannot
// be interrupted, so only a separate process keeps the bot alive.
type Sandbox struct {
	Path    string        // executable to run (os.Executable())
	Timeout time.Duration // default DefaultParseTimeout
	Memory  int64         // address space the child may grow by; default DefaultParseMemory
	// slots bounds the children alive at once, each up to Memory.
	slots chan struct{}
}

// NewSandbox returns a Sandbox running path, at most two children at once.
func NewSandbox(path string) *Sandbox {
	return &Sandbox{Path: path, Timeout: DefaultParseTimeout, Memory: DefaultParseMemory, slots: make(chan struct{}, 2)}
}

// childResult is what the child writes to its stdout: the article, or the
// error's message and which sentinel it wraps.
type childResult struct {
	Article Article `json:"article"`
	Err     string  `json:"err,omitempty"`
	Kind    string  `json:"kind,omitempty"`
}

var sentinels = map[string]error{"too_large": ErrTooLarge, "empty": ErrEmpty, "unsupported": ErrUnsupportedSource}

// ExtractPDF reads data in a child process. Errors wrap ErrTooLarge (the
// child ran out of time or memory, or a cap refused the PDF),
// ErrUnsupportedSource, ErrEmpty, or ctx's error.
func (s *Sandbox) ExtractPDF(ctx context.Context, data []byte) (Article, error) {
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-ctx.Done():
		return Article{}, fmt.Errorf("stopped: %w", ctx.Err())
	}
	cctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, s.Path, SandboxArg)
	cmd.Env = []string{"GOMEMLIMIT=" + fmt.Sprint(s.Memory/2)} // no secrets in the child; GC works before the limit
	cmd.WaitDelay = time.Second
	var stdout, stderr limitedBuffer
	stdout.max, stderr.max = 4*MaxTextBytes+(64<<10), 4<<10
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return Article{}, fmt.Errorf("start PDF reader: %w", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return Article{}, fmt.Errorf("start PDF reader: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return Article{}, fmt.Errorf("start PDF reader: %w", err)
	}
	// The child says it is ready once its runtime is up, so the limit
	// counts from what the runtime reserved, before it reads a byte.
	ready := make([]byte, 1)
	if _, err := io.ReadFull(out, ready); err == nil {
		err = limitMemory(cmd.Process.Pid, s.Memory)
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			return Article{}, fmt.Errorf("limit the PDF reader's memory: %w", err)
		}
		go func() { // the child reads all of stdin before it parses
			stdin.Write(data)
			stdin.Close()
		}()
		io.Copy(&stdout, out)
	}
	waitErr := cmd.Wait()
	return s.result(ctx, cctx, waitErr, &stdout, &stderr)
}

// result turns how the child ended into the article or one clear error.
func (s *Sandbox) result(ctx, cctx context.Context, waitErr error, stdout, stderr *limitedBuffer) (Article, error) {
	switch {
	case ctx.Err() != nil:
		return Article{}, fmt.Errorf("stopped: %w", ctx.Err())
	case cctx.Err() != nil:
		return Article{}, fmt.Errorf("reading the PDF took longer than %s, so it was stopped (too complex, or built to stall a reader); "+
			"paste its text instead: %w", s.Timeout, ErrTooLarge)
	case waitErr != nil && outOfMemory(stderr.String()):
		return Article{}, fmt.Errorf("reading the PDF needed more than %d MB of memory, so it was stopped (a decompression bomb?); "+
			"paste its text instead: %w", s.Memory>>20, ErrTooLarge)
	case waitErr != nil || stdout.over:
		return Article{}, fmt.Errorf(errBadPDF, "the reader failed", ErrUnsupportedSource)
	}
	var res childResult
	if err := json.Unmarshal(bytes.TrimPrefix(stdout.Bytes(), []byte{'\n'}), &res); err != nil {
		return Article{}, fmt.Errorf(errBadPDF, "the reader's answer was unreadable", ErrUnsupportedSource)
	}
	if res.Err != "" {
		if sent, ok := sentinels[res.Kind]; ok {
			return Article{}, wrapped{msg: res.Err, sentinel: sent}
		}
		return Article{}, errors.New(res.Err)
	}
	return res.Article, nil
}

// outOfMemory tells a child that died for lack of address space: the Go
// runtime says "out of memory" (or, built with -race, "too many address
// space collisions" when an mmap fails).
func outOfMemory(stderr string) bool {
	for _, s := range []string{"out of memory", "cannot allocate memory", "too many address space collisions"} {
		if strings.Contains(stderr, s) {
			return true
		}
	}
	return false
}

// RunSandboxChild is the child's side: it says it is ready, reads one PDF
// from in, extracts it under the caps and writes a childResult to out. It
// returns the exit code.
func RunSandboxChild(in io.Reader, out io.Writer) int {
	data, err := ReadSandboxInput(in, out)
	if err != nil {
		return 1
	}
	return SandboxExtract(data, out)
}

// ReadSandboxInput tells the parent the child is ready, then reads the
// PDF. Tests call it and SandboxExtract separately, to stand in for a
// child that stalls or runs out of memory.
func ReadSandboxInput(in io.Reader, out io.Writer) ([]byte, error) {
	if _, err := out.Write([]byte{'\n'}); err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(in, defaultMaxBytes*4))
}

// SandboxExtract extracts data and writes the result to out.
func SandboxExtract(data []byte, out io.Writer) int {
	var res childResult
	var err error
	res.Article, err = extractPDF(data)
	if err != nil {
		res.Err = err.Error()
		for kind, sent := range sentinels {
			if errors.Is(err, sent) {
				res.Kind = kind
			}
		}
	}
	if err := json.NewEncoder(out).Encode(res); err != nil {
		return 1
	}
	return 0
}

// wrapped is an error from the child: its message, and the sentinel it
// wrapped there.
type wrapped struct {
	msg      string
	sentinel error
}

func (w wrapped) Error() string { return w.msg }
func (w wrapped) Unwrap() error { return w.sentinel }

// limitedBuffer keeps the first max bytes written and notes the rest.
type limitedBuffer struct {
	bytes.Buffer
	max  int
	over bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); len(p) > room {
		b.over = true
		b.Buffer.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// ParseFile is ParseFile with PDFs read by the fetcher's ReadPDF (the
// child process, in serve): an uploaded file is as untrusted as a link.
// The child has its own deadline, hence no ctx.
func (f *Fetcher) ParseFile(name string, data []byte, fn func(Article) error) error {
	if format, ok := FormatOf(name); !ok || format.Name != "pdf" || f.cfg.ReadPDF == nil {
		return ParseFile(name, data, fn)
	}
	a, err := f.cfg.ReadPDF(context.Background(), data)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	finish(&a, name)
	return fn(a)
}
