package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/rag"
)

// app is what every command works with: the store and the engine over it.
type app struct {
	store   store
	engine  *rag.Engine
	logger  *slog.Logger
	metrics *metrics // nil except in serve
}

func (a *app) Close() error { return a.store.Close() }

// newLogger writes text records to w, with the API key and bot token
// removed from every record.
func newLogger(cfg Config, w io.Writer) *slog.Logger {
	h := slog.NewTextHandler(w, &slog.HandlerOptions{Level: cfg.LogLevel})
	s := secretsOf(func(k string) string {
		return map[string]string{"OPENAI_API_KEY": cfg.OpenAIKey, "DISCORD_TOKEN": cfg.DiscordToken}[k]
	})
	return slog.New(redactingHandler{next: h, s: s})
}

// newFlags returns a flag set for a subcommand with the shared --data flag.
// Its --help prints the command's lines of the usage text and its flags to
// standard output.
func newFlags(name string, cfg *Config, std stdio) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// Errors are returned, and reported once by main. The flag package
	// calls Usage for -h and after printing a parse error to Output: the
	// help goes to standard output only when asked for, so that a mistyped
	// flag leaves stdout (often a pipe of JSON) empty.
	failed := &flagError{}
	fs.SetOutput(failed)
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "`DIR` holding the store (env BRIEFBOT_DATA)")
	fs.Usage = func() {
		if !failed.printed {
			writeHelp(std.out, fs)
		}
		failed.printed = false
	}
	return fs
}

// flagError is a FlagSet's output: it discards the error text the flag
// package prints, noting that it did.
type flagError struct{ printed bool }

func (f *flagError) Write(p []byte) (int, error) {
	f.printed = true
	return len(p), nil
}

// writeHelp prints a subcommand's synopsis, taken from the usage text so
// that the two cannot disagree, and its flags.
func writeHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(w, "Usage:")
	for _, line := range strings.Split(usage, "\n") {
		if strings.HasPrefix(line, "  briefbot "+fs.Name()+" ") || line == "  briefbot "+fs.Name() ||
			strings.HasPrefix(fs.Name(), "feed ") && strings.HasPrefix(line, "  briefbot feed ") {
			fmt.Fprintln(w, line)
		}
	}
	fmt.Fprintln(w, "\nFlags:")
	out := fs.Output()
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(out)
}

// parseFlags parses args, turning flag errors into usage errors. -h and
// --help print the help and return flag.ErrHelp, which run turns into a
// zero exit.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(flagsFirst(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{fmt.Sprintf("%s: %v; run briefbot %s --help", fs.Name(), err, fs.Name())}
	}
	return nil
}

// flagsFirst moves flags given after the positional arguments in front of
// them, so `briefbot ask "question" --json` works as well as `ask --json
// "question"`; everything after "--" stays positional.
func flagsFirst(fs *flag.FlagSet, args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			rest = append(rest, a)
			continue
		}
		flags = append(flags, a)
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if f := fs.Lookup(name); f == nil || hasValue || isBool(f) {
			continue // unknown flags are reported by Parse
		}
		if i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	return append(append(flags, "--"), rest...)
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// openApp opens the store (adding the bundled sample to a brand-new one)
// and loads the engine. Progress of a re-embedding goes to stderr.
func openApp(ctx context.Context, cfg Config, std stdio) (*app, error) {
	cfg.Shards, cfg.ShardCount = nil, 0 // shards are serve's: a command sees every scope
	return openAppObserved(ctx, cfg, std, nil)
}

// openAppObserved is openApp counting embedding and LLM calls in m (nil:
// not counted), for serve's /metrics.
func openAppObserved(ctx context.Context, cfg Config, std stdio, m *metrics) (*app, error) {
	logger := newLogger(cfg, std.err)
	store, err := dialStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	emb, chat := newModels(cfg, logger, m)
	rcfg := rag.Config{Progress: progressPrinter(std.err, "embedding stored passages"), Chat: chat, Keep: cfg.keepScope()}
	engine, err := rag.New(ctx, store, emb, rcfg, logger.With("component", "rag"))
	if err != nil {
		store.Close()
		return nil, err
	}
	a := &app{store: store, engine: engine, logger: logger, metrics: m}
	if err := a.seed(ctx); err != nil {
		store.Close()
		return nil, err
	}
	return a, nil
}

// newModels returns the embedder and, when an LLM API is configured, the
// chat model; both share one HTTP client with retries. With m, calls and
// errors are counted.
func newModels(cfg Config, logger *slog.Logger, m *metrics) (rag.Embedder, *rag.Chat) {
	emb, chat := newModelsOf(cfg, logger, m)
	if m != nil {
		emb = m.countEmbeds(emb)
	}
	return emb, chat
}

func newModelsOf(cfg Config, logger *slog.Logger, m *metrics) (rag.Embedder, *rag.Chat) {
	if !cfg.LLMConfigured() {
		return rag.NewLocalEmbedder(cfg.LocalDims), nil
	}
	oc := cfg.OpenAI()
	if m != nil {
		oc.Observe = m.observeLLM
	}
	client := rag.NewOpenAIClient(oc, logger.With("component", "openai"))
	chat := rag.NewChat(client, oc.ChatModel, cfg.MaxAnswerTokens)
	if cfg.Embedder == "openai" {
		return rag.NewOpenAIEmbedder(client, oc.EmbedModel), chat
	}
	return rag.NewLocalEmbedder(cfg.LocalDims), chat
}

// openStore opens only the store, for commands that read or change it
// without answering (list, remove, feed add|list|remove): loading the
// indexes would cost seconds on a large corpus, and the next command that
// answers loads them from the store anyway. A brand-new data directory
// still gets its sample, through openApp.
func openStore(ctx context.Context, cfg Config, std stdio) (store, func() error, error) {
	store, err := dialStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	empty, err := store.IsEmpty(ctx)
	if err != nil || !empty || store.ReadOnly() {
		return store, store.Close, err
	}
	store.Close()
	a, err := openApp(ctx, cfg, std)
	if err != nil {
		return nil, nil, err
	}
	return a.store, a.Close, nil
}

// seed adds the bundled sample briefing to a new, empty data directory
// (not to a read-only one, which stays as it is).
func (a *app) seed(ctx context.Context) error {
	if a.store.ReadOnly() {
		return nil
	}
	empty, err := a.store.IsEmpty(ctx)
	if err != nil || !empty {
		return err
	}
	samples, err := corpus.Samples()
	if err != nil {
		return err
	}
	for _, s := range samples {
		if _, _, err := a.engine.Add(ctx, s, corpus.AddOptions{}); err != nil && !errors.Is(err, corpus.ErrDuplicate) {
			return fmt.Errorf("add sample %s: %w", s.ID, err)
		}
	}
	return a.store.MarkSeeded(ctx)
}

// progressPrinter reports progress on w when it is a terminal, and nothing
// otherwise (logs and pipes stay clean), with the same progress-bar
// library as ingest.
func progressPrinter(w io.Writer, what string) func(done, total int) {
	f, ok := w.(*os.File)
	if !ok || !isTerminal(f) {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total int) {
		if bar == nil {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(f), progressbar.OptionSetDescription(what),
				progressbar.OptionShowCount(), progressbar.OptionSetItsString("passages"), progressbar.OptionShowIts(),
				progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
		}
		_ = bar.Set(done)
		if done >= total {
			_ = bar.Finish()
		}
	}
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
