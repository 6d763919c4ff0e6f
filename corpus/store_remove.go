package corpus

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Remove deletes the article id visible from scopes, with its passages and
// the cached vectors no other passage uses, and gives the space back to the
// file system. It returns ErrNotFound when no such article is visible: an
// article of another scope is "not found", never "forbidden".
func (s *Store) Remove(ctx context.Context, scopes []string, id string) (Article, error) {
	if s.readOnly {
		return Article{}, s.errReadOnly()
	}
	a, err := s.Get(ctx, scopes, id)
	if err != nil {
		return Article{}, err
	}
	if err := s.remove(ctx, a); err != nil {
		return Article{}, s.explain(err)
	}
	s.vacuum(ctx)
	return a, nil
}

func (s *Store) remove(ctx context.Context, a Article) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("remove %s: %w", a.ID, err)
	}
	defer tx.Rollback()
	var pk int64
	err = tx.QueryRowContext(ctx, `SELECT pk FROM articles WHERE id = ? AND scope = ?`, a.ID, a.Scope).Scan(&pk)
	if errors.Is(err, sql.ErrNoRows) { // removed meanwhile by another process
		return fmt.Errorf("remove %q: %w", a.ID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("remove %s: %w", a.ID, err)
	}
	hashes, err := passageHashes(ctx, tx, pk)
	if err != nil {
		return fmt.Errorf("remove %s: %w", a.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE pk = ?`, pk); err != nil {
		return fmt.Errorf("remove %s: %w", a.ID, err)
	}
	if err := pruneVectors(ctx, tx, hashes); err != nil {
		return fmt.Errorf("remove %s: %w", a.ID, err)
	}
	return tx.Commit()
}

// passageHashes returns the text hashes of an article's passages.
func passageHashes(ctx context.Context, tx *sql.Tx, pk int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT hash FROM passages WHERE article_pk = ?`, pk)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// pruneVectors deletes the cached vectors (of every embedder) of the given
// text hashes that no stored passage uses any more. Inside the writing
// transaction, so a concurrent ingest of the same text either sees its
// vector kept or writes it again.
func pruneVectors(ctx context.Context, tx *sql.Tx, hashes []string) error {
	if len(hashes) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `DELETE FROM embeddings WHERE hash = ?1
		AND NOT EXISTS (SELECT 1 FROM passages WHERE hash = ?1)`)
	if err != nil {
		return fmt.Errorf("prune vectors: %w", err)
	}
	defer stmt.Close()
	for _, h := range hashes {
		if _, err := stmt.ExecContext(ctx, h); err != nil {
			return fmt.Errorf("prune vectors: %w", err)
		}
	}
	return nil
}

// vacuum returns the pages freed by a delete to the file system (the
// store uses auto_vacuum=INCREMENTAL). It is best effort: the deletion is
// committed already, and the pages are reused by the next insert anyway.
func (s *Store) vacuum(ctx context.Context) {
	_, _ = s.db.ExecContext(ctx, `PRAGMA incremental_vacuum`)
}
