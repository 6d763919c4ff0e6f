package corpus

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed pgmigrations/*.sql
var pgMigrations embed.FS

// Advisory lock keys (any two constants no other program is likely to use).
const (
	// lockMigrate serialises migrations: processes starting together apply
	// each one once.
	lockMigrate int64 = 0x62726965_66000001
	// lockAdd serialises adds, as SQLite's single writer does: the
	// duplicate and ID checks read, then write.
	lockAdd int64 = 0x62726965_66000002
	// lockFeeds is the feed lease: the process holding it polls every feed.
	lockFeeds int64 = 0x62726965_66000003
)

// PGStore is the store in PostgreSQL: the same articles, passages, cached
// embeddings, votes and feeds as Store, with the same rules, shared by
// every process of a deployment. Every change is one transaction, so an
// article is fully present or absent after a crash.
type PGStore struct {
	pool   *pgxpool.Pool
	where  string // database and host, for messages (never the password)
	origin string // this store's name in change notifications
	lease  feedLease
}

// OpenPG's errors for an address that cannot be used; the caller names
// the setting it came from.
var (
	// ErrNotPostgresURL: the address cannot be parsed as a PostgreSQL one.
	ErrNotPostgresURL = errors.New("not a PostgreSQL address such as postgres://user:password@host/briefbot")
	// ErrUnreachable: no PostgreSQL answers at the address (the server is
	// down, the host or socket is wrong, or the login is refused).
	ErrUnreachable = errors.New("cannot reach PostgreSQL")
)

// OpenPG connects to the PostgreSQL database at url (postgres://…) and
// brings its schema up to date.
func OpenPG(ctx context.Context, url string) (*PGStore, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil { // pgconn leaves the password out of its message
		return nil, fmt.Errorf("open store: %w: %w", ErrNotPostgresURL, err)
	}
	where := fmt.Sprintf("database %q on %s", cfg.ConnConfig.Database, cfg.ConnConfig.Host)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store: %s: %w", where, err)
	}
	s := &PGStore{pool: pool, where: where, origin: newOrigin()}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store: %w (%s): %w", ErrUnreachable, where, err)
	}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store: %s: %w", where, s.explain(err))
	}
	return s, nil
}

// Close closes the connections.
func (s *PGStore) Close() error {
	s.lease.release()
	s.pool.Close()
	return nil
}

// Ping reports whether the database answers (the readiness check).
func (s *PGStore) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// migration is one embedded SQL file, NNNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	files, err := fs.Glob(pgMigrations, "pgmigrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, f := range files {
		base := path.Base(f)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", base)
		}
		b, err := pgMigrations.ReadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// migrate applies the migrations not yet applied, in one transaction under
// an advisory lock: a second process starting at the same time waits, then
// finds them applied. DDL is transactional in PostgreSQL, so a failed
// migration leaves the schema as it was.
func (s *PGStore) migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockMigrate); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		var have int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if latest := ms[len(ms)-1].version; have > latest {
			return fmt.Errorf("the database schema is at version %d, newer than this briefbot knows (%d): "+
				"run the newer briefbot, or upgrade this one", have, latest)
		}
		for _, m := range ms {
			if m.version <= have {
				continue
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
		}
		return nil
	})
}

// explain adds what to do to PostgreSQL's errors the operator can act on:
// a full disk, damaged data, a server that cannot be reached.
func (s *PGStore) explain(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "53100": // disk_full
			return fmt.Errorf("%w (%w): PostgreSQL (%s) has no space left; free some space on its disk and retry "+
				"(what was stored before is intact)", ErrDiskFull, err, s.where)
		case pe.Code == "XX001" || pe.Code == "XX002": // data_corrupted, index_corrupted
			return fmt.Errorf("%w (%w): PostgreSQL (%s) reports damaged data; restore the database from a backup",
				ErrDamaged, err, s.where)
		}
		return err
	}
	var ne net.Error
	if errors.As(err, &ne) || pgconn.SafeToRetry(err) {
		return fmt.Errorf("%w: cannot reach PostgreSQL (%s); check that the server is running", err, s.where)
	}
	return err
}

// IsEmpty reports whether the store has never held an article (see
// Store.IsEmpty).
func (s *PGStore) IsEmpty(ctx context.Context) (bool, error) {
	var seeded, articles bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'seeded'),
		EXISTS (SELECT 1 FROM articles)`).Scan(&seeded, &articles)
	if err != nil {
		return false, fmt.Errorf("read meta: %w", s.explain(err))
	}
	return !seeded && !articles, nil
}

const pgMarkSeeded = `INSERT INTO meta (key, value) VALUES ('seeded', '1') ON CONFLICT (key) DO NOTHING`

// MarkSeeded records that the store has been given its first content.
func (s *PGStore) MarkSeeded(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, pgMarkSeeded); err != nil {
		return fmt.Errorf("mark seeded: %w", s.explain(err))
	}
	return nil
}

// Add stores an article, its passages and their embeddings in one
// transaction, with the rules of Store.Add, and reports whether it
// replaced an article of the same ID.
func (s *PGStore) Add(ctx context.Context, a Article, ps []Passage, vecs Vectors, opts AddOptions) (bool, error) {
	if err := validate(a, ps); err != nil {
		return false, err
	}
	var replaced bool
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockAdd); err != nil {
			return fmt.Errorf("add %s: lock: %w", a.ID, err)
		}
		old, err := pgCheckAddable(ctx, tx, a, opts)
		if err != nil {
			return err
		}
		if err := pgInsertArticle(ctx, tx, a, ps, vecs); err != nil {
			return fmt.Errorf("add %s: %w", a.ID, err)
		}
		if err := pgPruneVectors(ctx, tx, old); err != nil {
			return fmt.Errorf("add %s: %w", a.ID, err)
		}
		replaced = old != nil
		return s.notify(ctx, tx, Change{Scope: a.Scope, ID: a.ID})
	})
	if err != nil {
		return false, s.explain(err)
	}
	return replaced, nil
}

// ReadOnly is false: a PostgreSQL store's permissions are the database's.
func (s *PGStore) ReadOnly() bool { return false }

// pgCheckAddable is checkAddable on PostgreSQL: it deletes the article
// being replaced and returns its passages' text hashes.
func pgCheckAddable(ctx context.Context, tx pgx.Tx, a Article, opts AddOptions) ([]string, error) {
	dup, found, err := pgFindContent(ctx, tx, a.Scope, a.Hash)
	if err != nil {
		return nil, err
	}
	if found {
		return nil, fmt.Errorf("%w as %q", ErrDuplicate, dup)
	}
	var old Article
	var pk int64
	err = tx.QueryRow(ctx, `SELECT pk, `+articleCols+`, origin FROM articles WHERE id = $1 AND scope = ANY($2)
		ORDER BY scope DESC LIMIT 1`, a.ID, visibleScopes(a.Scope)).
		Scan(append(append([]any{&pk}, articleFields(&old)...), &old.Origin)...)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("check id: %w", err)
	case !opts.Replace || old.Scope != a.Scope:
		return nil, &ConflictError{ID: a.ID, Stored: old, SameOrigin: old.Origin != "" && old.Origin == a.Origin && old.Scope == a.Scope}
	}
	var hashes []string
	err = tx.QueryRow(ctx, `WITH gone AS (DELETE FROM passages WHERE article_pk = $1 RETURNING hash)
		SELECT coalesce(array_agg(DISTINCT hash), '{}') FROM gone`, pk).Scan(&hashes)
	if err != nil {
		return nil, fmt.Errorf("replace %s: %w", a.ID, err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM articles WHERE pk = $1`, pk); err != nil {
		return nil, fmt.Errorf("replace %s: %w", a.ID, err)
	}
	return hashes, nil
}

// pgPruneVectors deletes the cached vectors of hashes that no passage
// uses any more (see pruneVectors).
func pgPruneVectors(ctx context.Context, tx pgx.Tx, hashes []string) error {
	if len(hashes) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `DELETE FROM embeddings e WHERE e.hash = ANY($1)
		AND NOT EXISTS (SELECT 1 FROM passages p WHERE p.hash = e.hash)`, hashes)
	if err != nil {
		return fmt.Errorf("prune vectors: %w", err)
	}
	return nil
}

// pgInsertArticle writes the article, then its passages, embeddings and
// the seeded mark in one round trip.
func pgInsertArticle(ctx context.Context, tx pgx.Tx, a Article, ps []Passage, vecs Vectors) error {
	added := a.AddedAt
	if added.IsZero() {
		added = time.Now()
	}
	var pk int64
	err := tx.QueryRow(ctx, `INSERT INTO articles
		(id, scope, title, source, url, published, date_guessed, body, added_at, added_by, hash, origin)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING pk`,
		a.ID, a.Scope, a.Title, a.Source, a.URL, formatDate(a.Published), a.DateGuessed,
		a.Body, added.UTC().Format(time.RFC3339), a.AddedBy, a.Hash, a.Origin).Scan(&pk)
	if err != nil {
		return fmt.Errorf("insert article: %w", err)
	}
	b := &pgx.Batch{}
	for _, p := range ps {
		b.Queue(`INSERT INTO passages (article_pk, seq, heading, start_at, end_at, hash) VALUES ($1, $2, $3, $4, $5, $6)`,
			pk, p.Seq, p.Heading, p.Start, p.End, TextHash(p.Text))
	}
	queueVectors(b, vecs, false)
	b.Queue(pgMarkSeeded)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("insert passages: %w", err)
	}
	return nil
}

// queueVectors queues the insertion of vecs; replace overwrites a cached
// vector (a damaged one is repaired), else the cached one is kept.
func queueVectors(b *pgx.Batch, vecs Vectors, replace bool) {
	q := `INSERT INTO embeddings (embedder, hash, vector) VALUES ($1, $2, $3) ON CONFLICT (embedder, hash) DO NOTHING`
	if replace {
		q = `INSERT INTO embeddings (embedder, hash, vector) VALUES ($1, $2, $3)
			ON CONFLICT (embedder, hash) DO UPDATE SET vector = excluded.vector`
	}
	for h, v := range vecs.ByHash {
		if v != nil {
			b.Queue(q, vecs.Embedder, h, encodeVector(v))
		}
	}
}

// PutVectors caches embeddings outside of an article's transaction,
// replacing what is cached under the same key (see Store.PutVectors).
func (s *PGStore) PutVectors(ctx context.Context, vecs Vectors) error {
	if len(vecs.ByHash) == 0 {
		return nil
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		queueVectors(b, vecs, true)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("put vectors: %w", s.explain(err))
	}
	return nil
}

// Remove deletes the article id visible from scopes (the most specific
// scope first), with its passages and the vectors no other passage uses,
// in one transaction. ErrNotFound when none is visible.
func (s *PGStore) Remove(ctx context.Context, scopes []string, id string) (Article, error) {
	var a Article
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var hashes []string
		err := tx.QueryRow(ctx, `WITH target AS (
			SELECT pk FROM articles WHERE id = $1 AND scope = ANY($2) ORDER BY scope DESC LIMIT 1),
			gone AS (DELETE FROM passages WHERE article_pk = (SELECT pk FROM target) RETURNING hash)
			SELECT coalesce(array_agg(DISTINCT hash), '{}') FROM gone`, id, pgScopes(scopes)).Scan(&hashes)
		if err != nil {
			return err
		}
		err = scanArticle(tx.QueryRow(ctx, `DELETE FROM articles WHERE pk = (
			SELECT pk FROM articles WHERE id = $1 AND scope = ANY($2) ORDER BY scope DESC LIMIT 1)
			RETURNING `+articleCols+`, body`, id, pgScopes(scopes)), &a, &a.Body)
		if err != nil {
			return err
		}
		if err := pgPruneVectors(ctx, tx, hashes); err != nil {
			return err
		}
		return s.notify(ctx, tx, Change{Scope: a.Scope, ID: a.ID})
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return Article{}, fmt.Errorf("%q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Article{}, fmt.Errorf("remove %s: %w", id, s.explain(err))
	}
	return a, nil
}

// pgScopes is scopes as a query argument; none means global only, as in
// inScopes.
func pgScopes(scopes []string) []string {
	if len(scopes) == 0 {
		return []string{GlobalScope}
	}
	return scopes
}
