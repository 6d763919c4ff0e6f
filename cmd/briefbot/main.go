// Command briefbot answers questions about a team's news briefings with
// cited, verbatim excerpts: from the command line, or as a Discord bot.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"regexp"
	"runtime/debug"
	"strings"
	"syscall"
	// The time zones' rules, built in: "today" is the user's day (see
	// parseDay), also where the system has no zoneinfo (a slim container).
	_ "time/tzdata"

	"github.com/briefbot/briefbot/corpus"
	"github.com/joho/godotenv"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == corpus.SandboxArg { // serve's PDF reader: reads no settings, no .env
		os.Exit(corpus.RunSandboxChild(os.Stdin, os.Stdout))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	getenv, err := envWithDotEnv(".env")
	if err == nil {
		err = run(ctx, os.Args[1:], getenv, stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr})
	}
	stop()
	if err != nil {
		if !errors.Is(err, errSilent) {
			fmt.Fprintln(os.Stderr, "briefbot:", termText(describe(err)))
		}
		os.Exit(exitCode(err))
	}
}

// envWithDotEnv reads settings from the environment, falling back to the
// file path (".env" in the working directory) for keys the environment
// does not set, so a copied .env.example works without exporting it. A
// missing file is fine; a malformed one is an error naming it.
func envWithDotEnv(path string) (func(string) string, error) {
	file, err := godotenv.Read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return os.Getenv, nil
	}
	if err != nil {
		// godotenv's message quotes the text around the fault, which may
		// be a secret's value: name the line instead.
		return nil, fmt.Errorf("read %s: %s is not in KEY=value form; fix it (see .env.example) or remove the file", path, badDotEnvLine(path))
	}
	return func(key string) string {
		if v, ok := os.LookupEnv(key); ok {
			return v
		}
		return file[key]
	}, nil
}

// badDotEnvLine names the first line of the .env file at path that does
// not parse on its own ("line 3 (OPENAI_API_KEY)"), or "a line" when none
// does alone (a quote left open across lines).
func badDotEnvLine(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "a line"
	}
	for i, line := range strings.Split(string(data), "\n") {
		if _, err := godotenv.Unmarshal(line); err != nil {
			key, _, _ := strings.Cut(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "export ")), "=")
			if f := strings.Fields(key); len(f) > 0 && settingName.MatchString(f[0]) { // never a value
				return fmt.Sprintf("line %d (%s)", i+1, f[0])
			}
			return fmt.Sprintf("line %d", i+1)
		}
	}
	return "a line"
}

// settingName is the shape of briefbot's setting names (.env.example).
var settingName = regexp.MustCompile(`^(BRIEFBOT|OPENAI|DISCORD)_[A-Z_]{2,40}$`)

// stdio are the streams a command reads and writes; tests pass buffers.
type stdio struct {
	in  io.Reader
	out io.Writer
	err io.Writer
}

// errSilent marks a failure already reported to the user (per-file ingest
// errors): main only sets the exit code.
var errSilent = errors.New("failed")

// errInterrupted marks an ingest stopped by SIGINT or SIGTERM: exit code
// 130, as shells report for an interrupted command.
var errInterrupted = errors.New("interrupted")

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var u usageError
	switch {
	case errors.As(err, &u):
		return 2
	case errors.Is(err, errInterrupted):
		return 130
	}
	return 1
}

const usage = `briefbot answers questions about your news briefings with cited, verbatim excerpts.

Usage:
  briefbot ask [--json] [-k N] [--date YYYY-MM-DD] QUESTION
  briefbot ask --json --questions FILE.jsonl
  briefbot ingest [--replace] [--guild ID] [--format FORMAT] [--max-size 10MiB] PATH|URL|- ...
  briefbot list [--json] [--guild ID]
  briefbot remove [--guild ID] ID...
  briefbot feed add [--guild ID] URL | feed list [--json] | feed remove ID... | feed poll
  briefbot eval --questions FILE [--docs FILE] [-k N] [--json]
  briefbot timeline [--json] [--date YYYY-MM-DD] [--guild ID] TOPIC
  briefbot serve
  briefbot report [--guild ID] [--since 30d] [--json]
  briefbot version

Every command takes --data DIR (default $BRIEFBOT_DATA, else the per-user data
directory, e.g. ~/.local/share/briefbot); "briefbot COMMAND --help" shows its flags.
Settings come from the environment; see .env.example.`

// run parses the subcommand and hands over to it. The error it returns
// (printed by main) never shows the API key or the bot token.
func run(ctx context.Context, args []string, getenv func(string) string, io stdio) error {
	return secretsOf(getenv).error(runCommand(ctx, args, getenv, io))
}

func runCommand(ctx context.Context, args []string, getenv func(string) string, io stdio) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(io.out, usage)
		if len(args) == 0 {
			return usageError{"no command given"}
		}
		return nil
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintln(io.out, version())
		return nil
	}
	cmds := map[string]func(context.Context, Config, []string, stdio) error{
		"ask": runAsk, "ingest": runIngest, "list": runList, "remove": runRemove,
		"eval": runEval, "serve": runServe, "timeline": runTimeline, "feed": runFeed,
		"report": runReport,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		return usageError{fmt.Sprintf("unknown command %q; run briefbot --help", args[0])}
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if err := cmd(ctx, cfg, args[1:], io); !errors.Is(err, flag.ErrHelp) {
		return err
	}
	return nil
}

// version describes this build: the module version (a tag when installed
// with go install, "(devel)" from a checkout), the commit and the Go
// version, from the build information Go embeds in every binary.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "briefbot (no build information)"
	}
	v := "briefbot " + info.Main.Version
	var rev, when, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = ", modified"
			}
		}
	}
	if rev != "" {
		v += fmt.Sprintf(" (commit %.12s, %s%s)", rev, when, dirty)
	}
	return v + " " + info.GoVersion
}
