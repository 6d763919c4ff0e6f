package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/briefbot/briefbot/rag"
)

func runAsk(ctx context.Context, cfg Config, args []string, std stdio) error {
	fs := newFlags("ask", &cfg, std)
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	k := fs.Int("k", 5, "passages to retrieve")
	questions := fs.String("questions", "", "answer each {\"id\",\"question\"} line of a JSON Lines file")
	date := fs.String("date", "", "the day the question is asked (YYYY-MM-DD; default today)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	question := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if (*questions == "") == (question == "") {
		return usageError{"ask: give a QUESTION or --questions FILE (not both); run briefbot --help"}
	}
	asked, err := parseDay(*date)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, std)
	if err != nil {
		return err
	}
	defer a.Close()
	if *questions != "" {
		return askFile(ctx, a, *questions, *k, std.out)
	}
	ans, err := a.engine.Answer(ctx, rag.Question{Text: question, K: *k, Asked: asked})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(std.out).Encode(toJSON("", ans))
	}
	_, err = io.WriteString(std.out, renderText(ans))
	return err
}

// parseDay reads a YYYY-MM-DD day of asking; empty means now.
func parseDay(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC(), nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return t, usageError{fmt.Sprintf("--date %q: want YYYY-MM-DD", s)}
	}
	return t, nil
}

// askFile answers every question line of path, one JSON line each.
func askFile(ctx context.Context, a *app, path string, k int, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("questions: %w", err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	enc := json.NewEncoder(out)
	for line := 1; ; line++ {
		raw, readErr := r.ReadBytes('\n')
		if len(strings.TrimSpace(string(raw))) > 0 {
			var q struct {
				ID           any    `json:"id"`
				Question     string `json:"question"`
				QuestionDate string `json:"question_date"`
			}
			if err := json.Unmarshal(raw, &q); err != nil {
				return fmt.Errorf("%s line %d: %v; each line must be a JSON object with id and question", path, line, err)
			}
			asked, err := parseDay(q.QuestionDate)
			if err != nil {
				return fmt.Errorf("%s line %d: question_date: %w", path, line, err)
			}
			ans, err := a.engine.Answer(ctx, rag.Question{Text: q.Question, K: k, Asked: asked})
			if err != nil {
				return fmt.Errorf("%s line %d: %w", path, line, err)
			}
			if err := enc.Encode(toJSON(q.ID, ans)); err != nil {
				return err
			}
		}
		if readErr == io.EOF {
			return nil
		}
		if readErr != nil {
			return fmt.Errorf("questions: %w", readErr)
		}
	}
}
