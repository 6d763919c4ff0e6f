package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/rag"
)

// maxK bounds -k: more passages than this make answers slow and long
// without finding more (the prompt budget would drop them anyway).
const maxK = 50

func runAsk(ctx context.Context, cfg Config, args []string, std stdio) error {
	fs := newFlags("ask", &cfg, std)
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	k := fs.Int("k", 5, fmt.Sprintf("passages to retrieve, 1 to %d", maxK))
	questions := fs.String("questions", "", "answer each {\"id\",\"question\"} line of a JSON Lines `FILE`, "+
		"checked whole first: any bad line is reported and nothing is answered")
	date := fs.String("date", "", "the day the question is asked (YYYY-MM-DD; default today)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	question := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if (*questions == "") == (question == "") {
		return usageError{"ask: give a QUESTION or --questions FILE (not both); run briefbot ask --help"}
	}
	if *k < 1 || *k > maxK {
		return usageError{fmt.Sprintf("ask: -k %d: give a number of passages from 1 to %d", *k, maxK)}
	}
	asked, err := parseDay(*date)
	if err != nil {
		return err
	}
	var qs []fileQuestion
	if *questions != "" {
		if qs, err = readAskFile(*questions); err != nil {
			return err
		}
	}
	a, err := openApp(ctx, cfg, std)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.hintIfEmpty(ctx, cfg, std); err != nil {
		return err
	}
	if *questions != "" {
		return askAll(ctx, a, qs, *k, std.out)
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

// hintIfEmpty tells, on stderr, that the store holds no briefings (all
// were removed, or --data names another store than the user thinks) and
// how to add some; the refusal that follows would otherwise leave them
// guessing.
func (a *app) hintIfEmpty(ctx context.Context, cfg Config, std stdio) error {
	arts, err := a.store.List(ctx, []string{corpus.GlobalScope})
	if err != nil || len(arts) > 0 {
		return err
	}
	fmt.Fprintf(std.err, "The store %s holds no briefings. Add some with `briefbot ingest FILE|FOLDER|URL`, "+
		"or pass --data to use another store.\n", storeName(cfg))
	return nil
}

// parseDay reads a YYYY-MM-DD day of asking; empty means today where the
// user is: a reader in Sydney asking on the morning of the 3rd means the
// 3rd, though it is still the 2nd in UTC, and articles dated the 3rd are
// not from the future for them.
func parseDay(s string) (time.Time, error) {
	if s == "" {
		now := time.Now()
		return time.Date(now.Year(), now.Month(), now.Day(), 12, 0, 0, 0, time.UTC), nil
	}
	t, err := time.Parse("2006-01-02", s)
	var pe *time.ParseError
	switch {
	case errors.As(err, &pe) && strings.Contains(pe.Message, "out of range"):
		return t, usageError{fmt.Sprintf("--date %q: there is no such day", s)}
	case err != nil:
		return t, usageError{fmt.Sprintf("--date %q: want YYYY-MM-DD", s)}
	}
	return t, nil
}

// fileQuestion is one line of a --questions file.
type fileQuestion struct {
	ID    any // kept as given: a string or a number
	Text  string
	Asked time.Time
}

// readAskFile reads and checks a whole --questions file before any
// question is answered, so that a mistake on line 900 does not surface
// after 899 paid answers. Every bad line is reported (not only the first),
// as are an id given twice and a file without questions.
func readAskFile(path string) ([]fileQuestion, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	var out []fileQuestion
	var bad []string
	seen := map[string]int{}
	for n, raw := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		q, err := parseQuestion(raw, seen, n+1)
		if err != nil {
			bad = append(bad, fmt.Sprintf("  line %d: %v", n+1, err))
			continue
		}
		out = append(out, q)
	}
	switch {
	case len(bad) > 0:
		return nil, usageError{fmt.Sprintf("%s: %s; fix them and run again (nothing was answered):\n%s",
			path, plural(len(bad), "bad line"), strings.Join(bad, "\n"))}
	case len(out) == 0:
		return nil, usageError{fmt.Sprintf("%s holds no questions; write one JSON object per line, such as "+
			`{"id": "q1", "question": "What did the EU denounce?"}`, path)}
	}
	return out, nil
}

// parseQuestion checks one line: a JSON object with an id (string or
// number) not used before and a non-empty question.
func parseQuestion(raw string, seen map[string]int, line int) (fileQuestion, error) {
	var q struct {
		ID           any    `json:"id"`
		Question     any    `json:"question"`
		QuestionDate string `json:"question_date"`
	}
	if err := json.Unmarshal([]byte(raw), &q); err != nil {
		return fileQuestion{}, fmt.Errorf("not a JSON object with \"id\" and \"question\" (%s)", jsonReason(err))
	}
	key := ""
	switch id := q.ID.(type) {
	case string:
		key = strings.TrimSpace(id)
	case float64:
		key = strconv.FormatFloat(id, 'f', -1, 64)
	case nil:
	default:
		return fileQuestion{}, errors.New(`"id" must be a string or a number`)
	}
	text, _ := q.Question.(string)
	switch {
	case key == "":
		return fileQuestion{}, errors.New(`missing "id"; give every question an id of its own`)
	case seen[key] != 0:
		return fileQuestion{}, fmt.Errorf("id %s is already used on line %d", key, seen[key])
	case strings.TrimSpace(text) == "":
		return fileQuestion{}, errors.New(`missing "question" text`)
	}
	seen[key] = line
	asked, err := parseDay(q.QuestionDate)
	if err != nil {
		return fileQuestion{}, fmt.Errorf(`"question_date" %q: want YYYY-MM-DD`, q.QuestionDate)
	}
	return fileQuestion{ID: q.ID, Text: text, Asked: asked}, nil
}

// jsonReason words a JSON error without Go's type names.
func jsonReason(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at character %d", syn.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("%q has the wrong type", typ.Field)
	case errors.As(err, &typ):
		return "the line is not an object"
	}
	return "invalid JSON"
}

// askAll answers every question, one JSON line each, in file order.
func askAll(ctx context.Context, a *app, qs []fileQuestion, k int, out io.Writer) error {
	enc := json.NewEncoder(out)
	for _, q := range qs {
		ans, err := a.engine.Answer(ctx, rag.Question{Text: q.Text, K: k, Asked: q.Asked})
		if err != nil {
			return fmt.Errorf("question %v: %w", q.ID, err)
		}
		if err := enc.Encode(toJSON(q.ID, ans)); err != nil {
			return err
		}
	}
	return nil
}
