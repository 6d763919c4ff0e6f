package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/briefbot/briefbot/corpus"
)

// runReport prints what the bot was asked and how its answers were rated:
// questions asked, the share refused and the most frequent refused
// questions (what the briefings don't cover), 👍/👎 with the answers
// voted down.
func runReport(ctx context.Context, cfg Config, args []string, std stdio) error {
	fs := newFlags("report", &cfg, std)
	asJSON := fs.Bool("json", false, "print JSON")
	guild := guildFlag(fs, "", "only the Discord server with this `ID` (default: every server and DMs)")
	sinceFlag := fs.String("since", "30d", "how far back: days (30d), or a duration such as 12h")
	top := fs.Int("top", 10, "how many refused questions and 👎 answers to list")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	back, err := parseSince(*sinceFlag)
	if err != nil {
		return err
	}
	store, closeStore, err := openStore(ctx, cfg, std)
	if err != nil {
		return err
	}
	defer closeStore()
	q := corpus.ReportQuery{Since: time.Now().UTC().Add(-back), Top: *top}
	if *guild != "" {
		q.Scopes = []string{*guild}
	}
	r, err := store.Report(ctx, q)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(std.out)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			corpus.Report
			Guild        string  `json:"guild,omitempty"`
			RefusedShare float64 `json:"refused_share"`
		}{r, *guild, r.RefusedShare()})
	}
	printReport(std.out, r, *guild)
	return nil
}

// parseSince reads "30d" (days) or a Go duration ("12h", "90m").
func parseSince(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if d, err := strconv.Atoi(n); err == nil && d > 0 {
			return time.Duration(d) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, usageError{fmt.Sprintf("report: --since %q: give days such as 30d, or a duration such as 12h", s)}
}

func printReport(w io.Writer, r corpus.Report, guild string) {
	where := "all servers and DMs"
	if guild != "" {
		where = "server " + guild
	}
	fmt.Fprintf(w, "Since %s, %s\n", r.Since.Format("2006-01-02 15:04 MST"), where)
	fmt.Fprintf(w, "Questions asked: %d\nRefused: %d (%.0f%%)\n", r.Asked, r.Refused, 100*r.RefusedShare())
	if len(r.TopRefused) > 0 {
		fmt.Fprintln(w, "\nMost frequent refused questions (what the briefings don't cover):")
		for _, q := range r.TopRefused {
			fmt.Fprintf(w, "  %3d× %s\n", q.Times, termLine(q.Question, 300))
		}
	}
	fmt.Fprintf(w, "\nVotes: %d 👍, %d 👎\n", r.Up, r.Down)
	if len(r.DownVoted) > 0 {
		fmt.Fprintln(w, "\nAnswers voted 👎:")
		for _, d := range r.DownVoted {
			fmt.Fprintf(w, "  %d× Q: %s\n      A: %s\n", d.Votes, termLine(d.Question, 300), termLine(d.Answer, 300))
		}
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
