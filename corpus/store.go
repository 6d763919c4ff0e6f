package corpus

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
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
	db       *sql.DB
	dir      string
	readOnly bool
	pin      *sql.Conn // keeps a scratch store's in-memory database alive (OpenScratch)
}

// DataDirError is a data directory that cannot be used: Problem says why in
// words for the user ("is a file, not a folder"); Err is the cause.
type DataDirError struct {
	Dir     string
	Problem string
	Err     error
}

func (e *DataDirError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("data directory %s %s", e.Dir, e.Problem)
	}
	return fmt.Sprintf("data directory %s %s: %v", e.Dir, e.Problem, e.Err)
}

func (e *DataDirError) Unwrap() error { return e.Err }

// ErrNoDataDir is Open's error for an empty directory name.
var ErrNoDataDir = errors.New("no data directory given")

// Open opens (creating if needed) the store in dir. A store the user may
// not write (a read-only folder or file) is opened read-only, so that
// listing and asking still work: ReadOnly reports it, and every write then
// fails with ErrReadOnly.
func Open(ctx context.Context, dir string) (*Store, error) {
	if dir == "" {
		return nil, ErrNoDataDir
	}
	path := filepath.Join(dir, DBFile)
	readOnly, err := prepareDir(dir, path)
	if err != nil {
		return nil, err
	}
	// synchronous(FULL): a commit reported to the user survives power loss,
	// not only a killed process. _txlock=immediate avoids upgrade deadlocks
	// between concurrent writers.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=foreign_keys(ON)&_pragma=busy_timeout(10000)&_txlock=immediate"
	var db *sql.DB
	if readOnly {
		db, err = openReadOnly(readOnlyDSN(dir, path))
	} else {
		db, err = sql.Open("sqlite", dsn)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db, dir: dir, readOnly: readOnly}
	if readOnly {
		err = whenFree(ctx, s.check)
	} else {
		err = whenFree(ctx, s.migrate)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, s.explain(err))
	}
	return s, nil
}

// prepareDir creates dir when missing and tells whether the store must be
// opened read-only: the database exists but the folder or the file may
// not be written.
func prepareDir(dir, path string) (readOnly bool, err error) {
	st, err := os.Stat(dir)
	switch {
	case err == nil && !st.IsDir():
		return false, &DataDirError{Dir: dir, Problem: "is a file, not a folder"}
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return false, &DataDirError{Dir: dir, Problem: "cannot be created", Err: err}
		}
		return false, nil
	case err != nil:
		return false, &DataDirError{Dir: dir, Problem: "cannot be read", Err: err}
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if !writable(dir) {
			return false, &DataDirError{Dir: dir, Problem: "is read-only and holds no store yet", Err: fs.ErrPermission}
		}
		return false, nil
	}
	return !writable(dir) || !writable(path), nil
}

// writable reports whether this process may write path (a file or folder).
// It asks the kernel (access(2) through unix.Access on the real IDs would
// need x/sys), by trying: a folder by creating and removing a temporary
// file, a file by opening it for writing.
func writable(path string) bool {
	st, err := os.Stat(path)
	if err != nil {
		return false
	}
	if st.IsDir() {
		f, err := os.CreateTemp(path, ".briefbot-write-check-*")
		if err != nil {
			return false
		}
		f.Close()
		os.Remove(f.Name())
		return true
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// readOnlyDSN opens the database for reading only. When the folder may be
// written, SQLite can still use the WAL index and sees what other processes
// commit; when it may not, immutable=1 reads the file as it is, without
// the -shm and -wal files SQLite would otherwise need to create.
func readOnlyDSN(dir, path string) string {
	dsn := "file:" + path + "?mode=ro&_pragma=busy_timeout(10000)"
	if !writable(dir) {
		dsn += "&immutable=1"
	}
	return dsn
}

// ReadOnly reports whether the store was opened read-only.
func (s *Store) ReadOnly() bool { return s.readOnly }

// ErrReadOnly is returned by every write to a store opened read-only.
var ErrReadOnly = errors.New("the store is read-only")

func (s *Store) errReadOnly() error {
	return fmt.Errorf("%w: %s may not be written", ErrReadOnly, filepath.Join(s.dir, DBFile))
}

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
	case 8: // SQLITE_READONLY: the file or its folder became read-only
		return fmt.Errorf("%w (%w): %s may not be written", ErrReadOnly, err, path)
	case 13: // SQLITE_FULL
		return fmt.Errorf("%w (%w): no space left for %s; free some space on that disk and retry "+
			"(what was stored before is intact)", ErrDiskFull, err, path)
	}
	return err
}

// Dir is the data directory the store lives in.
func (s *Store) Dir() string { return s.dir }

// Close closes the database.
func (s *Store) Close() error {
	if s.pin != nil {
		s.pin.Close()
	}
	return s.db.Close()
}

// whenFree runs step (migrate or check), retrying while another process
// (or store) opening the same file at the same moment holds it. SQLite
// returns SQLITE_BUSY without waiting for the busy timeout when waiting
// could deadlock, which happens while a brand-new file is switched to WAL
// mode by a neighbour; both steps are idempotent, so trying again is safe.
func whenFree(ctx context.Context, step func(context.Context) error) error {
	deadline := time.Now().Add(openBusyWait)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err := step(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// openBusyWait bounds how long Open keeps retrying a busy database, as
// the busy_timeout pragma bounds every other wait.
const openBusyWait = 10 * time.Second

// isBusy reports whether err is SQLite's SQLITE_BUSY or SQLITE_LOCKED.
func isBusy(err error) bool {
	var c interface{ Code() int } // *sqlite.Error
	if !errors.As(err, &c) {
		return false
	}
	code := c.Code() & 0xff
	return code == 5 || code == 6
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
