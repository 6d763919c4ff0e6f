package corpus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// AddFeed subscribes f.Scope to the feed at f.URL (see Store.AddFeed).
func (s *PGStore) AddFeed(ctx context.Context, f Feed) (Feed, error) {
	u, err := CheckFeedURL(f.URL)
	if err != nil {
		return Feed{}, err
	}
	f.URL = u
	// Look first, insert second, as in SQLite: an INSERT that conflicts
	// would use up a feed number, and the IDs users see would skip.
	var id int64
	err = s.pool.QueryRow(ctx, `SELECT id FROM feeds WHERE scope = $1 AND url = $2`, f.Scope, f.URL).Scan(&id)
	if err == nil {
		return Feed{}, fmt.Errorf("feed %s: %w as feed %d", f.URL, ErrDuplicate, id)
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return Feed{}, fmt.Errorf("add feed %s: %w", f.URL, s.explain(err))
	}
	err = s.pool.QueryRow(ctx, `INSERT INTO feeds (url, scope, title) VALUES ($1, $2, $3)
		ON CONFLICT (scope, url) DO NOTHING RETURNING id`, f.URL, f.Scope, f.Title).Scan(&f.ID)
	if errors.Is(err, pgx.ErrNoRows) { // added by another process meanwhile
		return s.AddFeed(ctx, f)
	}
	if err != nil {
		return Feed{}, fmt.Errorf("add feed %s: %w", f.URL, s.explain(err))
	}
	return f, nil
}

// Feeds returns the feeds of the given scopes in the order they were added;
// nil scopes means every feed.
func (s *PGStore) Feeds(ctx context.Context, scopes []string) ([]Feed, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+feedCols+` FROM feeds
		WHERE $1::text[] IS NULL OR scope = ANY($1) ORDER BY id`, scopes)
	if err != nil {
		return nil, fmt.Errorf("list feeds: %w", s.explain(err))
	}
	defer rows.Close()
	var out []Feed
	for rows.Next() {
		var f Feed
		var polled string
		if err := rows.Scan(&f.ID, &f.URL, &f.Scope, &f.Title, &f.ETag, &f.LastModified, &polled, &f.ItemsAdded, &f.LastError,
			&f.ItemsWaiting, &f.ItemsGivenUp); err != nil {
			return nil, fmt.Errorf("list feeds: %w", err)
		}
		if polled != "" {
			if f.LastPolled, err = time.Parse(time.RFC3339, polled); err != nil {
				return nil, fmt.Errorf("list feeds: feed %d: last_polled %q: %w", f.ID, polled, err)
			}
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// RemoveFeed unsubscribes the feed id if it belongs to one of scopes (nil:
// any scope); see Store.RemoveFeed.
func (s *PGStore) RemoveFeed(ctx context.Context, scopes []string, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM feeds WHERE id = $1 AND ($2::text[] IS NULL OR scope = ANY($2))`, id, scopes)
	if err != nil {
		return fmt.Errorf("remove feed %d: %w", id, s.explain(err))
	}
	if tag.RowsAffected() == 0 {
		return feedNotFoundError{id}
	}
	return nil
}

// UpdateFeed saves the poll state of f (found by f.ID).
func (s *PGStore) UpdateFeed(ctx context.Context, f Feed) error {
	polled := ""
	if !f.LastPolled.IsZero() {
		polled = f.LastPolled.UTC().Format(time.RFC3339)
	}
	_, err := s.pool.Exec(ctx, `UPDATE feeds SET title = $1, etag = $2, last_modified = $3, last_polled = $4,
		items_added = $5, last_error = $6 WHERE id = $7`,
		f.Title, f.ETag, f.LastModified, polled, f.ItemsAdded, f.LastError, f.ID)
	if err != nil {
		return fmt.Errorf("update feed %d: %w", f.ID, s.explain(err))
	}
	return nil
}

// SeenItem reports whether itemURL was handled before for feedID.
func (s *PGStore) SeenItem(ctx context.Context, feedID int64, itemURL string) (bool, error) {
	var seen bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM feed_items WHERE feed_id = $1 AND url = $2)`,
		feedID, itemURL).Scan(&seen)
	if err != nil {
		return false, fmt.Errorf("feed %d item %s: %w", feedID, itemURL, s.explain(err))
	}
	return seen, nil
}

// MarkItemSeen remembers itemURL for feedID; twice is harmless, and so is
// an item of a feed removed meanwhile.
func (s *PGStore) MarkItemSeen(ctx context.Context, feedID int64, itemURL string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO feed_items (feed_id, url) SELECT id, $1 FROM feeds WHERE id = $2
		ON CONFLICT DO NOTHING`, itemURL, feedID)
	if err == nil {
		_, err = s.pool.Exec(ctx, `DELETE FROM feed_failures WHERE feed_id = $1 AND url = $2`, feedID, itemURL)
	}
	if err != nil {
		return fmt.Errorf("feed %d item %s: %w", feedID, itemURL, s.explain(err))
	}
	return nil
}

// RecordVote stores a vote; a user's second vote on an answer replaces the
// first.
func (s *PGStore) RecordVote(ctx context.Context, v Vote) error {
	if v.At.IsZero() {
		v.At = time.Now()
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO votes (answer_id, user_id, scope, up, question, answer, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (answer_id, user_id) DO UPDATE SET
		scope = excluded.scope, up = excluded.up, question = excluded.question, answer = excluded.answer, at = excluded.at`,
		v.AnswerID, v.UserID, v.Scope, v.Up, v.Question, v.Answer, v.At.UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("record vote: %w", s.explain(err))
	}
	return nil
}

// Votes returns the votes on answers, oldest first.
func (s *PGStore) Votes(ctx context.Context) ([]Vote, error) {
	rows, err := s.pool.Query(ctx, `SELECT answer_id, user_id, scope, up, question, answer, at FROM votes ORDER BY at`)
	if err != nil {
		return nil, fmt.Errorf("votes: %w", s.explain(err))
	}
	defer rows.Close()
	var out []Vote
	for rows.Next() {
		var v Vote
		if err := rows.Scan(&v.AnswerID, &v.UserID, &v.Scope, &v.Up, &v.Question, &v.Answer, timeScanner{&v.At}); err != nil {
			return nil, fmt.Errorf("votes: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
