package corpus

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
)

//go:embed schema.sql
var schemaSQL string

// check makes sure a store opened read-only is a briefbot store of the
// current schema (its tables cannot be created or upgraded).
func (s *Store) check(ctx context.Context) error {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info('articles') WHERE name = 'origin'`).Scan(&n)
	if err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("%w: it was made by an older briefbot and must be opened once with write access to upgrade it", ErrReadOnly)
	}
	return nil
}

// migrate creates the schema, or brings an older store up to it: the
// origin column, and incremental auto-vacuum so that removing articles
// gives space back. Switching auto-vacuum on for a file that already has
// tables takes one VACUUM, done once here after deleting the vectors no
// passage uses (left behind by removals before vectors were pruned).
func (s *Store) migrate(ctx context.Context) error {
	var mode int
	if err := s.db.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil {
		return fmt.Errorf("read auto_vacuum: %w", err)
	}
	if mode != 2 { // 2 = INCREMENTAL
		if _, err := s.db.ExecContext(ctx, `PRAGMA auto_vacuum = INCREMENTAL`); err != nil {
			return fmt.Errorf("set auto_vacuum: %w", err)
		}
	}
	if _, err := s.db.ExecContext(ctx, schemaSQL); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, questionsSQL); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info('articles') WHERE name = 'origin'`).Scan(&n); err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	if n == 0 {
		if _, err := s.db.ExecContext(ctx, `ALTER TABLE articles ADD COLUMN origin TEXT NOT NULL DEFAULT ''`); err != nil {
			return fmt.Errorf("add origin column: %w", err)
		}
	}
	if err := s.db.QueryRowContext(ctx, `PRAGMA auto_vacuum`).Scan(&mode); err != nil {
		return fmt.Errorf("read auto_vacuum: %w", err)
	}
	if mode == 2 {
		return nil
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM embeddings WHERE hash NOT IN (SELECT hash FROM passages)`); err != nil {
		return fmt.Errorf("prune vectors: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	return nil
}

// IsEmpty reports whether the store has never held an article, so the
// bundled sample is added only to a brand-new data directory (never again
// after a user removed it).
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key='seeded'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM articles`).Scan(&n); err != nil {
			return false, fmt.Errorf("count articles: %w", err)
		}
		return n == 0, nil
	}
	if err != nil {
		return false, fmt.Errorf("read meta: %w", err)
	}
	return false, nil
}

// MarkSeeded records that the store has been given its first content.
func (s *Store) MarkSeeded(ctx context.Context) error {
	if s.readOnly {
		return s.errReadOnly()
	}
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO meta(key, value) VALUES ('seeded', '1')`)
	if err != nil {
		return fmt.Errorf("mark seeded: %w", s.explain(err))
	}
	return nil
}
