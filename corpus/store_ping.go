package corpus

import (
	"context"
	"fmt"
)

// Ping reports whether the database can be read (the readiness check of
// `briefbot serve`).
func (s *Store) Ping(ctx context.Context) error {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM meta`).Scan(&n); err != nil {
		return fmt.Errorf("store: %w", s.explain(err))
	}
	return nil
}
