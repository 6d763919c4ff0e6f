package corpus

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// RecordAsked stores a question and its answer and returns its ID.
func (s *PGStore) RecordAsked(ctx context.Context, a Asked) (int64, error) {
	if a.At.IsZero() {
		a.At = time.Now()
	}
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO questions (scope, user_id, question, answer, refused, at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, a.Scope, a.UserID, a.Question, a.Answer, a.Refused, stamp(a.At)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record question: %w", s.explain(err))
	}
	return id, nil
}

// Asked returns a recorded question by ID, or an error wrapping
// ErrNotFound.
func (s *PGStore) Asked(ctx context.Context, id int64) (Asked, error) {
	a := Asked{ID: id}
	err := s.pool.QueryRow(ctx, `SELECT scope, user_id, question, answer, refused, at FROM questions WHERE id = $1`, id).
		Scan(&a.Scope, &a.UserID, &a.Question, &a.Answer, &a.Refused, timeScanner{&a.At})
	if errors.Is(err, pgx.ErrNoRows) {
		return a, fmt.Errorf("question %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("question %d: %w", id, s.explain(err))
	}
	return a, nil
}

// Setting returns a server's setting, or "" when it was never set.
func (s *PGStore) Setting(ctx context.Context, scope, key string) (string, error) {
	var v string
	err := s.pool.QueryRow(ctx, `SELECT value FROM guild_settings WHERE scope = $1 AND key = $2`, scope, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read setting %s: %w", key, s.explain(err))
	}
	return v, nil
}

// SetSetting stores a server's setting.
func (s *PGStore) SetSetting(ctx context.Context, scope, key, value string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO guild_settings (scope, key, value) VALUES ($1, $2, $3)
		ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value`, scope, key, value)
	if err != nil {
		return fmt.Errorf("save setting %s: %w", key, s.explain(err))
	}
	return nil
}

// Report is Store.Report on PostgreSQL.
func (s *PGStore) Report(ctx context.Context, q ReportQuery) (Report, error) {
	return report(ctx, q, func(ctx context.Context, query string, args ...any) (rows, func(), error) {
		r, err := s.pool.Query(ctx, query, args...)
		if err != nil {
			return nil, nil, s.explain(err)
		}
		return r, r.Close, nil
	}, func(n int) string { return "$" + strconv.Itoa(n) })
}
