package corpus

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// DBFile is the name of the SQLite database inside the data directory.
const DBFile = "briefbot.db"

//go:embed schema.sql
var schemaSQL string

// Store is the durable source of truth: articles, their passages and cached
// embeddings in one SQLite file (WAL mode). Every change is one transaction,
// so after a crash an article is fully present or absent. The vector and
// keyword indexes in package rag are rebuilt from it.
type Store struct {
	db  *sql.DB
	dir string
}

// Open opens (creating if needed) the store in dir.
func Open(ctx context.Context, dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("open store: empty data directory; set --data or BRIEFBOT_DATA")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("open store: create data directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, DBFile)
	// synchronous(FULL): a commit reported to the user survives power loss,
	// not only a killed process. _txlock=immediate avoids upgrade deadlocks
	// between concurrent writers.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=foreign_keys(ON)&_pragma=busy_timeout(10000)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db, dir: dir}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, s.explain(err))
	}
	return s, nil
}

// ErrDamaged means the database file is damaged or is not a briefbot
// database; ErrDiskFull that the disk holding it is full. Both come
// wrapped with what to do.
var (
	ErrDamaged  = errors.New("the store is damaged")
	ErrDiskFull = errors.New("the disk is full")
)

// explain adds what to do to SQLite's errors about the file itself, which
// the user can act on: a damaged file, a full disk. Others pass unchanged.
func (s *Store) explain(err error) error {
	var c interface{ Code() int } // *sqlite.Error
	if !errors.As(err, &c) {
		return err
	}
	path := filepath.Join(s.dir, DBFile)
	switch c.Code() & 0xff { // the primary result code
	case 11, 26: // SQLITE_CORRUPT, SQLITE_NOTADB
		return fmt.Errorf("%w (%w): %s cannot be read; restore it from a backup, "+
			"or move it aside to start an empty store and ingest the briefings again", ErrDamaged, err, path)
	case 13: // SQLITE_FULL
		return fmt.Errorf("%w (%w): no space left for %s; free some space on that disk and retry "+
			"(what was stored before is intact)", ErrDiskFull, err, path)
	}
	return err
}

// Dir is the data directory the store lives in.
func (s *Store) Dir() string { return s.dir }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, schemaSQL); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, questionsSQL); err != nil {
		return fmt.Errorf("create schema: %w", err)
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
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO meta(key, value) VALUES ('seeded', '1')`)
	if err != nil {
		return fmt.Errorf("mark seeded: %w", s.explain(err))
	}
	return nil
}

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
// transaction. It returns ErrDuplicate (wrapped, naming the stored ID) when
// the same content is already visible in the article's scope, and
// ErrConflict when the ID is taken by other content and opts.Replace is
// false.
func (s *Store) Add(ctx context.Context, a Article, ps []Passage, vecs Vectors, opts AddOptions) error {
	return s.explain(s.add(ctx, a, ps, vecs, opts))
}

func (s *Store) add(ctx context.Context, a Article, ps []Passage, vecs Vectors, opts AddOptions) error {
	if err := validate(a, ps); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("add %s: begin: %w", a.ID, err)
	}
	defer tx.Rollback()
	if err := checkAddable(ctx, tx, a, opts); err != nil {
		return err
	}
	if err := insertArticle(ctx, tx, a, ps); err != nil {
		return fmt.Errorf("add %s: %w", a.ID, err)
	}
	if err := putVectors(ctx, tx, vecs, "IGNORE"); err != nil {
		return fmt.Errorf("add %s: %w", a.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta(key, value) VALUES ('seeded', '1')`); err != nil {
		return fmt.Errorf("add %s: %w", a.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("add %s: commit: %w", a.ID, err)
	}
	return nil
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

// checkAddable enforces the duplicate and ID rules inside the transaction.
// A guild article may not reuse the ID of a global one, so that within any
// scope an ID names one article.
func checkAddable(ctx context.Context, tx *sql.Tx, a Article, opts AddOptions) error {
	scopes := visibleScopes(a.Scope)
	dup, found, err := findContent(ctx, tx, a.Scope, a.Hash)
	if err != nil {
		return err
	}
	if found { // even with Replace: the same content needs no replacing
		return fmt.Errorf("%w as %q", ErrDuplicate, dup)
	}
	q, args := inScopes(`SELECT scope FROM articles WHERE id = ? AND scope IN (%s)`, scopes, a.ID)
	var scope string
	err = tx.QueryRowContext(ctx, q, args...).Scan(&scope)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("check id: %w", err)
	case !opts.Replace || scope != a.Scope:
		return fmt.Errorf("%q: %w", a.ID, ErrConflict)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE id = ? AND scope = ?`, a.ID, a.Scope); err != nil {
		return fmt.Errorf("replace %s: %w", a.ID, err)
	}
	return nil
}

func insertArticle(ctx context.Context, tx *sql.Tx, a Article, ps []Passage) error {
	added := a.AddedAt
	if added.IsZero() {
		added = time.Now()
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO articles
		(id, scope, title, source, url, published, date_guessed, body, added_at, added_by, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Scope, a.Title, a.Source, a.URL, formatDate(a.Published), a.DateGuessed,
		a.Body, added.UTC().Format(time.RFC3339), a.AddedBy, a.Hash)
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

// Remove deletes the article id visible from scopes, with its passages.
// It returns ErrNotFound when no such article is visible: an article of
// another scope is "not found", never "forbidden".
func (s *Store) Remove(ctx context.Context, scopes []string, id string) (Article, error) {
	a, err := s.Get(ctx, scopes, id)
	if err != nil {
		return Article{}, err
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM articles WHERE id = ? AND scope = ?`, a.ID, a.Scope)
	if err != nil {
		return Article{}, fmt.Errorf("remove %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Article{}, fmt.Errorf("remove %q: %w", id, ErrNotFound)
	}
	return a, nil
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

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}
