package corpus

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"time"
)

// questionsSQL creates the tables of this file; like schema.sql it only
// adds what is missing, so stores made before them open unchanged.
//
//go:embed questions.sql
var questionsSQL string

// Asked is one question put to the bot and what it answered. The bot
// records it before sending the answer and puts its ID in the answer's
// vote buttons, so a vote finds the question and the whole answer even
// when the buttons sit on the last of several messages.
type Asked struct {
	ID       int64     `json:"id"`
	Scope    string    `json:"scope"` // the guild; "" in DMs
	UserID   string    `json:"user_id"`
	Question string    `json:"question"`
	Answer   string    `json:"answer"`
	Refused  bool      `json:"refused"` // the briefings did not cover it
	At       time.Time `json:"at"`
}

// RecordAsked stores a question and its answer and returns its ID, by
// which votes on the answer find it (see Asked).
func (s *Store) RecordAsked(ctx context.Context, a Asked) (int64, error) {
	if s.readOnly {
		return 0, s.errReadOnly()
	}
	if a.At.IsZero() {
		a.At = time.Now()
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO questions (scope, user_id, question, answer, refused, at)
		VALUES (?, ?, ?, ?, ?, ?)`, a.Scope, a.UserID, a.Question, a.Answer, a.Refused, stamp(a.At))
	if err != nil {
		return 0, fmt.Errorf("record question: %w", s.explain(err))
	}
	return res.LastInsertId()
}

// Asked returns a recorded question by ID, or an error wrapping
// ErrNotFound.
func (s *Store) Asked(ctx context.Context, id int64) (Asked, error) {
	a := Asked{ID: id}
	err := s.db.QueryRowContext(ctx, `SELECT scope, user_id, question, answer, refused, at FROM questions WHERE id = ?`, id).
		Scan(&a.Scope, &a.UserID, &a.Question, &a.Answer, &a.Refused, timeScanner{&a.At})
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("question %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("question %d: %w", id, err)
	}
	return a, nil
}

// Setting returns a server's setting, or "" when it was never set.
func (s *Store) Setting(ctx context.Context, scope, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM guild_settings WHERE scope = ? AND key = ?`, scope, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read setting %s: %w", key, err)
	}
	return v, nil
}

// SetSetting stores a server's setting.
func (s *Store) SetSetting(ctx context.Context, scope, key, value string) error {
	if s.readOnly {
		return s.errReadOnly()
	}
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO guild_settings (scope, key, value) VALUES (?, ?, ?)`, scope, key, value)
	if err != nil {
		return fmt.Errorf("save setting %s: %w", key, s.explain(err))
	}
	return nil
}

// ReportQuery selects what a Report covers.
type ReportQuery struct {
	Scopes []string  // nil: every server, DMs and the command line
	Since  time.Time // zero: from the start
	Top    int       // how many refused questions and 👎 answers to list; default 10
}

// Report is what the bot was asked and how its answers were rated.
type Report struct {
	Since      time.Time   `json:"since"`
	Asked      int         `json:"asked"`
	Refused    int         `json:"refused"`
	TopRefused []Refusal   `json:"top_refused"`
	Up         int         `json:"up"`
	Down       int         `json:"down"`
	DownVoted  []DownVoted `json:"down_voted"`
}

// Refusal is a question the briefings did not cover and how often it was
// asked (in one of its spellings: it is counted regardless of case and surrounding spaces).
type Refusal struct {
	Question string `json:"question"`
	Times    int    `json:"times"`
}

// DownVoted is an answer readers voted 👎, with its question.
type DownVoted struct {
	Question string    `json:"question"`
	Answer   string    `json:"answer"`
	Votes    int       `json:"votes"`
	At       time.Time `json:"at"`
}

// RefusedShare is the share of questions refused, 0 when none was asked.
func (r Report) RefusedShare() float64 {
	if r.Asked == 0 {
		return 0
	}
	return float64(r.Refused) / float64(r.Asked)
}

// Report counts the questions asked and refused, lists the most frequent
// refused questions, and counts the votes with the answers voted down.
func (s *Store) Report(ctx context.Context, q ReportQuery) (Report, error) {
	return report(ctx, q, func(ctx context.Context, query string, args ...any) (rows, func(), error) {
		r, err := s.db.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, nil, err
		}
		return r, func() { r.Close() }, nil
	}, func(int) string { return "?" })
}

// rows is what report reads of database/sql's and pgx's result rows.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// querier runs a query for report; done releases the rows.
type querier func(ctx context.Context, query string, args ...any) (r rows, done func(), err error)

// report is the Report of both stores: the SQL is the same but for the
// placeholders (ph gives the nth).
func report(ctx context.Context, q ReportQuery, query querier, ph func(n int) string) (Report, error) {
	if q.Top <= 0 {
		q.Top = 10
	}
	r := Report{Since: q.Since, TopRefused: []Refusal{}, DownVoted: []DownVoted{}}
	where, args := reportFilter(q, ph)
	limit := ph(len(args) + 1)
	err := eachRow(ctx, query, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN refused THEN 1 ELSE 0 END), 0) FROM questions WHERE `+where,
		args, func(rs rows) error { return rs.Scan(&r.Asked, &r.Refused) })
	if err != nil {
		return r, fmt.Errorf("report: %w", err)
	}
	err = eachRow(ctx, query, `SELECT MIN(question), COUNT(*) AS n FROM questions WHERE refused AND `+where+
		` GROUP BY lower(trim(question)) ORDER BY n DESC, MAX(at) DESC LIMIT `+limit, append(args, q.Top), func(rs rows) error {
		var f Refusal
		err := rs.Scan(&f.Question, &f.Times)
		r.TopRefused = append(r.TopRefused, f)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("report refused questions: %w", err)
	}
	err = eachRow(ctx, query, `SELECT COALESCE(SUM(CASE WHEN up THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN up THEN 0 ELSE 1 END), 0)
		FROM votes WHERE `+where, args, func(rs rows) error { return rs.Scan(&r.Up, &r.Down) })
	if err != nil {
		return r, fmt.Errorf("report votes: %w", err)
	}
	err = eachRow(ctx, query, `SELECT MAX(question), MAX(answer), COUNT(*) AS n, MAX(at) FROM votes WHERE NOT up AND `+where+
		` GROUP BY answer_id ORDER BY n DESC, MAX(at) DESC LIMIT `+limit, append(args, q.Top), func(rs rows) error {
		var d DownVoted
		err := rs.Scan(&d.Question, &d.Answer, &d.Votes, timeScanner{&d.At})
		r.DownVoted = append(r.DownVoted, d)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("report votes: %w", err)
	}
	return r, nil
}

// eachRow runs a query and calls fn for every row.
func eachRow(ctx context.Context, query querier, sql string, args []any, fn func(rows) error) error {
	rs, done, err := query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer done()
	for rs.Next() {
		if err := fn(rs); err != nil {
			return err
		}
	}
	return rs.Err()
}

// reportFilter is the WHERE clause shared by questions and votes (both
// have scope and at).
func reportFilter(q ReportQuery, ph func(int) string) (string, []any) {
	where, args := []string{"at >= " + ph(1)}, []any{""}
	if !q.Since.IsZero() {
		args[0] = stamp(q.Since)
	}
	if q.Scopes != nil {
		var in []string
		for _, sc := range q.Scopes {
			args = append(args, sc)
			in = append(in, ph(len(args)))
		}
		if len(in) == 0 {
			in = append(in, "NULL")
		}
		where = append(where, "scope IN ("+strings.Join(in, ", ")+")")
	}
	return strings.Join(where, " AND "), args
}

// stamp is the stored form of a time: RFC 3339 in UTC, which sorts as text.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
