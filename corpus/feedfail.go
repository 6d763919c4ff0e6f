package corpus

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ItemFailure is a feed item that could not be added: how many tries
// failed, when it may be tried again (zero once given up) and why.
type ItemFailure struct {
	Attempts  int
	NextTry   time.Time
	LastError string
}

// itemBackoff is the wait after the 1st, 2nd and 3rd failure of an item;
// after the 4th it is given up.
var itemBackoff = []time.Duration{time.Hour, 6 * time.Hour, 24 * time.Hour}

// Failed returns f after one more failure at now with err: the next try
// is due after the next wait of 1 h, 6 h, 24 h, or never (given up).
func (f ItemFailure) Failed(now time.Time, err error) ItemFailure {
	f.Attempts++
	f.LastError = err.Error()
	f.NextTry = time.Time{}
	if f.Attempts <= len(itemBackoff) {
		f.NextTry = now.Add(itemBackoff[f.Attempts-1]).UTC()
	}
	return f
}

// Due reports whether the item may be tried at now: it never failed, or its
// wait is over and it was not given up.
func (f ItemFailure) Due(now time.Time) bool {
	return f.Attempts == 0 || (!f.NextTry.IsZero() && !now.Before(f.NextTry))
}

func formatNextTry(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func parseNextTry(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339, s)
}

// ItemFailure returns the failures of itemURL in feedID, the zero value
// when it never failed.
func (s *Store) ItemFailure(ctx context.Context, feedID int64, itemURL string) (ItemFailure, error) {
	var f ItemFailure
	var next string
	err := s.db.QueryRowContext(ctx, `SELECT attempts, next_try, last_error FROM feed_failures WHERE feed_id = ? AND url = ?`,
		feedID, itemURL).Scan(&f.Attempts, &next, &f.LastError)
	if errors.Is(err, sql.ErrNoRows) {
		return ItemFailure{}, nil
	}
	if err == nil {
		f.NextTry, err = parseNextTry(next)
	}
	if err != nil {
		return ItemFailure{}, fmt.Errorf("feed %d item %s: %w", feedID, itemURL, err)
	}
	return f, nil
}

// RecordItemFailure saves f for itemURL of feedID (nothing when the feed
// was removed meanwhile).
func (s *Store) RecordItemFailure(ctx context.Context, feedID int64, itemURL string, f ItemFailure) error {
	if s.readOnly {
		return s.errReadOnly()
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO feed_failures (feed_id, url, attempts, next_try, last_error)
		SELECT id, ?, ?, ?, ? FROM feeds WHERE id = ?
		ON CONFLICT (feed_id, url) DO UPDATE SET attempts = excluded.attempts, next_try = excluded.next_try,
		last_error = excluded.last_error`, itemURL, f.Attempts, formatNextTry(f.NextTry), f.LastError, feedID)
	if err != nil {
		return fmt.Errorf("feed %d item %s: %w", feedID, itemURL, err)
	}
	return nil
}

// ItemFailure returns the failures of itemURL in feedID (see
// Store.ItemFailure).
func (s *PGStore) ItemFailure(ctx context.Context, feedID int64, itemURL string) (ItemFailure, error) {
	var f ItemFailure
	var next string
	err := s.pool.QueryRow(ctx, `SELECT attempts, next_try, last_error FROM feed_failures WHERE feed_id = $1 AND url = $2`,
		feedID, itemURL).Scan(&f.Attempts, &next, &f.LastError)
	if errors.Is(err, pgx.ErrNoRows) {
		return ItemFailure{}, nil
	}
	if err == nil {
		f.NextTry, err = parseNextTry(next)
	}
	if err != nil {
		return ItemFailure{}, fmt.Errorf("feed %d item %s: %w", feedID, itemURL, s.explain(err))
	}
	return f, nil
}

// RecordItemFailure saves f for itemURL of feedID (see
// Store.RecordItemFailure).
func (s *PGStore) RecordItemFailure(ctx context.Context, feedID int64, itemURL string, f ItemFailure) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO feed_failures (feed_id, url, attempts, next_try, last_error)
		SELECT id, $1, $2, $3, $4 FROM feeds WHERE id = $5
		ON CONFLICT (feed_id, url) DO UPDATE SET attempts = excluded.attempts, next_try = excluded.next_try,
		last_error = excluded.last_error`, itemURL, f.Attempts, formatNextTry(f.NextTry), f.LastError, feedID)
	if err != nil {
		return fmt.Errorf("feed %d item %s: %w", feedID, itemURL, s.explain(err))
	}
	return nil
}
