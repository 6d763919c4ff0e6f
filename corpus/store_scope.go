package corpus

import (
	"context"
	"fmt"
	"strings"
)

// ScopesOf returns every scope that holds an article id (GlobalScope first,
// then server IDs in order), none when no scope does. The command line uses
// it to say which --guild reaches an article it could not find in the scope
// it was given; Discord never calls it, so one server cannot learn what
// another holds.
func (s *Store) ScopesOf(ctx context.Context, id string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT scope FROM articles WHERE id = ? ORDER BY scope`, id)
	if err != nil {
		return nil, fmt.Errorf("scopes of %s: %w", id, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var sc string
		if err := rows.Scan(&sc); err != nil {
			return nil, fmt.Errorf("scopes of %s: %w", id, err)
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// visibleScopes is what an article in scope can see: itself and global.
func visibleScopes(scope string) []string {
	if scope == GlobalScope {
		return []string{GlobalScope}
	}
	return []string{GlobalScope, scope}
}

// inScopes fills the %s of query with one placeholder per scope and
// returns the arguments: first, then the scopes.
func inScopes(query string, scopes []string, first ...any) (string, []any) {
	if len(scopes) == 0 {
		scopes = []string{GlobalScope}
	}
	args := append([]any{}, first...)
	marks := make([]string, len(scopes))
	for i, sc := range scopes {
		marks[i] = "?"
		args = append(args, sc)
	}
	return fmt.Sprintf(query, strings.Join(marks, ",")), args
}
