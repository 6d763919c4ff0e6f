package corpus

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Vectors are embeddings computed for passages, keyed by passage text hash
// (TextHash), all made by one embedder.
type Vectors struct {
	Embedder string
	ByHash   map[string][]float32
}

// AddOptions tune Add.
type AddOptions struct {
	// Replace allows an article with the same ID (in the same scope) and
	// other content to be replaced.
	Replace bool
}

// Add stores an article, its passages and their embeddings in one
// transaction, and reports whether it replaced an article of the same ID.
// It returns ErrDuplicate (wrapped, naming the stored ID) when the same
// content is already visible in the article's scope, and a *ConflictError
// (wrapping ErrConflict) when the ID is taken by other content and
// opts.Replace is false.
func (s *Store) Add(ctx context.Context, a Article, ps []Passage, vecs Vectors, opts AddOptions) (replaced bool, err error) {
	if s.readOnly {
		return false, s.errReadOnly()
	}
	replaced, err = s.add(ctx, a, ps, vecs, opts)
	if err != nil {
		return false, s.explain(err)
	}
	if replaced {
		s.vacuum(ctx)
	}
	return replaced, nil
}

func (s *Store) add(ctx context.Context, a Article, ps []Passage, vecs Vectors, opts AddOptions) (bool, error) {
	if err := validate(a, ps); err != nil {
		return false, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("add %s: begin: %w", a.ID, err)
	}
	defer tx.Rollback()
	old, err := checkAddable(ctx, tx, a, opts)
	if err != nil {
		return false, err
	}
	if err := insertArticle(ctx, tx, a, ps); err != nil {
		return false, fmt.Errorf("add %s: %w", a.ID, err)
	}
	if err := putVectors(ctx, tx, vecs, "IGNORE"); err != nil {
		return false, fmt.Errorf("add %s: %w", a.ID, err)
	}
	if err := pruneVectors(ctx, tx, old); err != nil {
		return false, fmt.Errorf("add %s: %w", a.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta(key, value) VALUES ('seeded', '1')`); err != nil {
		return false, fmt.Errorf("add %s: %w", a.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("add %s: commit: %w", a.ID, err)
	}
	return old != nil, nil
}

func validate(a Article, ps []Passage) error {
	switch {
	case strings.TrimSpace(a.ID) == "":
		return errors.New("article has no ID")
	case strings.TrimSpace(a.Body) == "" || len(ps) == 0:
		return fmt.Errorf("%s: %w", a.ID, ErrEmpty)
	}
	for _, p := range ps {
		if p.Start < 0 || p.End > len(a.Body) || p.Start > p.End || a.Body[p.Start:p.End] != p.Text {
			return fmt.Errorf("%s: passage %d does not match the body (bug)", a.ID, p.Seq)
		}
	}
	return nil
}

// ConflictError is an article whose ID is already taken by other content.
// Stored is the article holding the ID (without its body); SameOrigin is
// true when both were read from the same place (Article.Origin), so the new
// one is likely a newer version of it. Callers word their advice from
// these: replacing is only a fix when the origins match.
type ConflictError struct {
	ID         string
	Stored     Article
	SameOrigin bool
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%q: %v (%q)", e.ID, ErrConflict, e.Stored.Title)
}

func (e *ConflictError) Unwrap() error { return ErrConflict }

// checkAddable enforces the duplicate and ID rules inside the transaction
// and, when opts.Replace allows it, deletes the article being replaced,
// returning the text hashes of its passages (nil when nothing was
// replaced). A guild article may not reuse the ID of a global one, so that
// within any scope an ID names one article.
func checkAddable(ctx context.Context, tx *sql.Tx, a Article, opts AddOptions) ([]string, error) {
	dup, found, err := findContent(ctx, tx, a.Scope, a.Hash)
	if err != nil {
		return nil, err
	}
	if found { // even with Replace: the same content needs no replacing
		return nil, fmt.Errorf("%w as %q", ErrDuplicate, dup)
	}
	q, args := inScopes(`SELECT pk, `+articleCols+`, origin FROM articles WHERE id = ? AND scope IN (%s)
		ORDER BY scope DESC LIMIT 1`, visibleScopes(a.Scope), a.ID)
	var old Article
	var pk int64
	err = tx.QueryRowContext(ctx, q, args...).Scan(append(append([]any{&pk}, articleFields(&old)...), &old.Origin)...)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("check id: %w", err)
	case !opts.Replace || old.Scope != a.Scope:
		return nil, &ConflictError{ID: a.ID, Stored: old, SameOrigin: old.Origin != "" && old.Origin == a.Origin && old.Scope == a.Scope}
	}
	hashes, err := passageHashes(ctx, tx, pk)
	if err != nil {
		return nil, fmt.Errorf("replace %s: %w", a.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE pk = ?`, pk); err != nil {
		return nil, fmt.Errorf("replace %s: %w", a.ID, err)
	}
	return hashes, nil
}

func insertArticle(ctx context.Context, tx *sql.Tx, a Article, ps []Passage) error {
	added := a.AddedAt
	if added.IsZero() {
		added = time.Now()
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO articles
		(id, scope, title, source, url, published, date_guessed, body, added_at, added_by, hash, origin)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Scope, a.Title, a.Source, a.URL, formatDate(a.Published), a.DateGuessed,
		a.Body, added.UTC().Format(time.RFC3339), a.AddedBy, a.Hash, a.Origin)
	if err != nil {
		return fmt.Errorf("insert article: %w", err)
	}
	pk, err := res.LastInsertId()
	if err != nil {
		return fmt.Errorf("insert article: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO passages
		(article_pk, seq, heading, start, end, hash) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("insert passages: %w", err)
	}
	defer stmt.Close()
	for _, p := range ps {
		if _, err := stmt.ExecContext(ctx, pk, p.Seq, p.Heading, p.Start, p.End, TextHash(p.Text)); err != nil {
			return fmt.Errorf("insert passage %d: %w", p.Seq, err)
		}
	}
	return nil
}

// PutVectors caches embeddings outside of an article's transaction (used
// when re-embedding after a change of embedder or a damaged cache). It
// replaces what is cached under the same key: a damaged vector is
// overwritten, not kept.
func (s *Store) PutVectors(ctx context.Context, vecs Vectors) error {
	if s.readOnly {
		return s.errReadOnly()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("put vectors: %w", err)
	}
	defer tx.Rollback()
	if err := putVectors(ctx, tx, vecs, "REPLACE"); err != nil {
		return s.explain(err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("put vectors: %w", s.explain(err))
	}
	return nil
}

// putVectors inserts vecs; onConflict is IGNORE (keep the cached vector)
// or REPLACE (overwrite it).
func putVectors(ctx context.Context, tx *sql.Tx, vecs Vectors, onConflict string) error {
	if len(vecs.ByHash) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT OR `+onConflict+` INTO embeddings(embedder, hash, vector) VALUES (?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("insert embeddings: %w", err)
	}
	defer stmt.Close()
	for h, v := range vecs.ByHash {
		if _, err := stmt.ExecContext(ctx, vecs.Embedder, h, encodeVector(v)); err != nil {
			return fmt.Errorf("insert embedding: %w", err)
		}
	}
	return nil
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}
