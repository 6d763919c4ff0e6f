package corpus

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// feedNotFoundError is ErrNotFound for a feed, with a message that speaks of
// feeds rather than articles.
type feedNotFoundError struct{ id int64 }

func (e feedNotFoundError) Error() string {
	return fmt.Sprintf("no feed with ID %d here; the feed list shows the IDs", e.id)
}

func (e feedNotFoundError) Unwrap() error { return ErrNotFound }

// CheckFeedURL returns rawURL trimmed when it is an absolute http(s) link,
// and otherwise an error wrapping ErrUnsupportedSource that says what a
// feed address looks like. Whether the address may be reached (the address
// guard) and whether it serves a feed is learned when it is polled.
func CheckFeedURL(rawURL string) (string, error) {
	s := strings.TrimSpace(rawURL)
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "", fmt.Errorf("%q is not a valid link (%v): %w", s, err, ErrUnsupportedSource)
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("%q: give the feed's full http:// or https:// address: %w", s, ErrUnsupportedSource)
	case u.Host == "":
		return "", fmt.Errorf("%q has no host name: %w", s, ErrUnsupportedSource)
	}
	return s, nil
}

// AddFeed subscribes f.Scope to the feed at f.URL and returns it with its
// ID. Errors: ErrUnsupportedSource (wrapped) for a URL that is not an
// absolute http(s) link; ErrDuplicate (wrapped, naming the existing feed's
// ID) when the scope already follows that URL.
func (s *Store) AddFeed(ctx context.Context, f Feed) (Feed, error) {
	if s.readOnly {
		return Feed{}, s.errReadOnly()
	}
	u, err := CheckFeedURL(f.URL)
	if err != nil {
		return Feed{}, err
	}
	f.URL = u
	var id int64
	err = s.db.QueryRowContext(ctx, `SELECT id FROM feeds WHERE scope = ? AND url = ?`, f.Scope, f.URL).Scan(&id)
	if err == nil {
		return Feed{}, fmt.Errorf("feed %s: %w as feed %d", f.URL, ErrDuplicate, id)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Feed{}, fmt.Errorf("add feed %s: %w", f.URL, err)
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO feeds (url, scope, title) VALUES (?, ?, ?)`, f.URL, f.Scope, f.Title)
	if err != nil {
		return Feed{}, fmt.Errorf("add feed %s: %w", f.URL, err)
	}
	if f.ID, err = res.LastInsertId(); err != nil {
		return Feed{}, fmt.Errorf("add feed %s: %w", f.URL, err)
	}
	return f, nil
}

const feedCols = `id, url, scope, title, etag, last_modified, last_polled, items_added, last_error,
	(SELECT count(*) FROM feed_failures x WHERE x.feed_id = feeds.id AND x.next_try <> ''),
	(SELECT count(*) FROM feed_failures x WHERE x.feed_id = feeds.id AND x.next_try = '')`

// Feeds returns the feeds of the given scopes in the order they were added.
// A nil scopes means every feed (the poller's view).
func (s *Store) Feeds(ctx context.Context, scopes []string) ([]Feed, error) {
	q, args := feedQuery(`SELECT `+feedCols+` FROM feeds WHERE %s ORDER BY id`, scopes)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list feeds: %w", err)
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
// any scope, for the operator's command line); the articles it added stay. Errors: ErrNotFound (wrapped) when no such feed
// is visible, so another server's feed is "not found", never "forbidden".
func (s *Store) RemoveFeed(ctx context.Context, scopes []string, id int64) error {
	if s.readOnly {
		return s.errReadOnly()
	}
	q, args := feedQuery(`DELETE FROM feeds WHERE id = ? AND %s`, scopes, id)
	res, err := s.db.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("remove feed %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return feedNotFoundError{id}
	}
	return nil
}

// feedQuery fills the %s of query with the scope condition: true for nil
// scopes, else scope IN (...).
func feedQuery(query string, scopes []string, first ...any) (string, []any) {
	if scopes == nil {
		return fmt.Sprintf(query, "1"), first
	}
	return inScopes(strings.Replace(query, "%s", "scope IN (%s)", 1), scopes, first...)
}

// UpdateFeed saves the poll state of f (found by f.ID): Title, ETag,
// LastModified, LastPolled, ItemsAdded and LastError. A feed removed while
// it was being polled is not an error.
func (s *Store) UpdateFeed(ctx context.Context, f Feed) error {
	polled := ""
	if !f.LastPolled.IsZero() {
		polled = f.LastPolled.UTC().Format(time.RFC3339)
	}
	_, err := s.db.ExecContext(ctx, `UPDATE feeds SET title = ?, etag = ?, last_modified = ?, last_polled = ?,
		items_added = ?, last_error = ? WHERE id = ?`,
		f.Title, f.ETag, f.LastModified, polled, f.ItemsAdded, f.LastError, f.ID)
	if err != nil {
		return fmt.Errorf("update feed %d: %w", f.ID, err)
	}
	return nil
}

// SeenItem reports whether itemURL was handled before for feedID.
func (s *Store) SeenItem(ctx context.Context, feedID int64, itemURL string) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM feed_items WHERE feed_id = ? AND url = ?`, feedID, itemURL).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("feed %d item %s: %w", feedID, itemURL, err)
	}
	return true, nil
}

// MarkItemSeen remembers itemURL for feedID; marking it twice is harmless,
// and so is marking an item of a feed removed meanwhile.
func (s *Store) MarkItemSeen(ctx context.Context, feedID int64, itemURL string) error {
	_, err := s.db.ExecContext(ctx, `INSERT OR IGNORE INTO feed_items (feed_id, url)
		SELECT id, ? FROM feeds WHERE id = ?`, itemURL, feedID)
	if err == nil {
		_, err = s.db.ExecContext(ctx, `DELETE FROM feed_failures WHERE feed_id = ? AND url = ?`, feedID, itemURL)
	}
	if err != nil {
		return fmt.Errorf("feed %d item %s: %w", feedID, itemURL, err)
	}
	return nil
}
