package corpus

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// Get returns the article id visible from scopes (the most specific scope
// first), with its body. ErrNotFound when none is visible.
func (s *PGStore) Get(ctx context.Context, scopes []string, id string) (Article, error) {
	var a Article
	err := scanArticle(s.pool.QueryRow(ctx, `SELECT `+articleCols+`, body, origin FROM articles
		WHERE id = $1 AND scope = ANY($2) ORDER BY scope DESC LIMIT 1`, id, pgScopes(scopes)), &a, &a.Body, &a.Origin)
	if errors.Is(err, pgx.ErrNoRows) {
		return Article{}, fmt.Errorf("%q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Article{}, fmt.Errorf("get %s: %w", id, s.explain(err))
	}
	return a, nil
}

// List returns the articles visible from scopes, newest first, without
// their bodies (see Store.List).
func (s *PGStore) List(ctx context.Context, scopes []string) ([]Listed, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+articleCols+`,
		(SELECT count(*) FROM passages p WHERE p.article_pk = a.pk)
		FROM articles a WHERE scope = ANY($1)
		ORDER BY published DESC, added_at DESC, id`, pgScopes(scopes))
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", s.explain(err))
	}
	defer rows.Close()
	var out []Listed
	for rows.Next() {
		var l Listed
		if err := scanArticle(rows, &l.Article, &l.Passages); err != nil {
			return nil, fmt.Errorf("list articles: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// Each calls fn for every stored article, in the order they were added,
// with passages and the vectors cached for embedder (see Store.Each). It
// reads in one repeatable-read transaction, so what it sees is one moment
// of the store even while other processes write: two queries, the vectors
// first, then each article with its passages gathered into arrays.
func (s *PGStore) Each(ctx context.Context, embedder string, fn func(Loaded) error) error {
	return s.EachIn(ctx, embedder, nil, fn)
}

// EachIn is Each restricted to the articles of scopes (nil: every scope),
// so that a process serving some Discord shards loads only their servers
// and the global scope.
func (s *PGStore) EachIn(ctx context.Context, embedder string, scopes []string, fn func(Loaded) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("load: %w", s.explain(err))
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	vecs, err := pgVectorsOf(ctx, tx, embedder)
	if err != nil {
		return s.explain(err)
	}
	rows, err := tx.Query(ctx, pgLoadQuery+` WHERE $1::text[] IS NULL OR scope = ANY($1) ORDER BY a.pk`, scopes)
	if err != nil {
		return fmt.Errorf("load articles: %w", s.explain(err))
	}
	defer rows.Close()
	for rows.Next() {
		l, err := scanLoaded(rows, vecs)
		if err != nil {
			return fmt.Errorf("load articles: %w", err)
		}
		if err := fn(l); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load articles: %w", s.explain(err))
	}
	return nil
}

// pgLoadQuery reads articles with their passages gathered into arrays;
// scanLoaded reads its rows. Callers add the WHERE clause.
const pgLoadQuery = `SELECT ` + articleCols + `, body, p.seqs, p.headings, p.starts, p.ends, p.hashes
	FROM articles a LEFT JOIN LATERAL (SELECT array_agg(seq ORDER BY seq) seqs, array_agg(heading ORDER BY seq) headings,
		array_agg(start_at ORDER BY seq) starts, array_agg(end_at ORDER BY seq) ends, array_agg(hash ORDER BY seq) hashes
		FROM passages WHERE article_pk = a.pk) p ON true`

// scanLoaded reads one row of pgLoadQuery.
func scanLoaded(rows pgx.Rows, vecs map[string][]float32) (Loaded, error) {
	var l Loaded
	var seqs, starts, ends []int32
	var headings, hashes []string
	dst := append(articleFields(&l.Article), &l.Article.Body, &seqs, &headings, &starts, &ends, &hashes)
	if err := rows.Scan(dst...); err != nil {
		return l, err
	}
	body := l.Article.Body
	for i, seq := range seqs {
		start, end := int(starts[i]), int(ends[i])
		if start < 0 || end > len(body) || start > end {
			return l, fmt.Errorf("%s: passage %d out of range", l.Article.ID, seq)
		}
		l.Passages = append(l.Passages, Passage{
			ID: l.Article.ID + "#" + strconv.Itoa(int(seq)), ArticleID: l.Article.ID,
			Seq: int(seq), Heading: headings[i], Start: start, End: end, Text: body[start:end],
		})
		l.Vectors = append(l.Vectors, vecs[hashes[i]])
	}
	return l, nil
}

// pgVectorsOf reads every vector cached for embedder, keyed by text hash.
func pgVectorsOf(ctx context.Context, q pgx.Tx, embedder string) (map[string][]float32, error) {
	rows, err := q.Query(ctx, `SELECT hash, vector FROM embeddings WHERE embedder = $1`, embedder)
	if err != nil {
		return nil, fmt.Errorf("load vectors: %w", err)
	}
	defer rows.Close()
	out := make(map[string][]float32)
	for rows.Next() {
		raw := rows.RawValues() // hash as text, vector as bytea: both raw bytes, decoded at once
		if len(raw) != 2 {
			return nil, fmt.Errorf("load vectors: %d columns", len(raw))
		}
		if v := decodeVector(raw[1]); v != nil {
			out[string(raw[0])] = v
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load vectors: %w", err)
	}
	return out, nil
}

// pgQuerier is what pgFindContent needs of the pool or a transaction.
type pgQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// FindContent returns the ID of an article with this content hash visible
// from scope.
func (s *PGStore) FindContent(ctx context.Context, scope, hash string) (string, bool, error) {
	id, found, err := pgFindContent(ctx, s.pool, scope, hash)
	return id, found, s.explain(err)
}

func pgFindContent(ctx context.Context, q pgQuerier, scope, hash string) (string, bool, error) {
	var id string
	err := q.QueryRow(ctx, `SELECT id FROM articles WHERE hash = $1 AND scope = ANY($2) LIMIT 1`,
		hash, visibleScopes(scope)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("find content: %w", err)
	}
	return id, true, nil
}

// CachedVectors returns the vectors of embedder already stored for the
// given text hashes.
func (s *PGStore) CachedVectors(ctx context.Context, embedder string, hashes []string) (map[string][]float32, error) {
	out := make(map[string][]float32)
	if len(hashes) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT hash, vector FROM embeddings WHERE embedder = $1 AND hash = ANY($2)`, embedder, hashes)
	if err != nil {
		return nil, fmt.Errorf("cached vectors: %w", s.explain(err))
	}
	defer rows.Close()
	for rows.Next() {
		var h string
		var b []byte
		if err := rows.Scan(&h, &b); err != nil {
			return nil, fmt.Errorf("cached vectors: %w", err)
		}
		if v := decodeVector(b); v != nil {
			out[h] = v
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cached vectors: %w", s.explain(err))
	}
	return out, nil
}

// VectorDims is the most common length of the vectors cached for embedder
// (0 when there are none); see Store.VectorDims.
func (s *PGStore) VectorDims(ctx context.Context, embedder string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT octet_length(vector) n FROM embeddings WHERE embedder = $1
		GROUP BY n ORDER BY count(*) DESC, n DESC LIMIT 1`, embedder).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("vector dims: %w", s.explain(err))
	}
	return n / 4, nil
}

// ScopesOf returns every scope that holds an article id (see
// Store.ScopesOf).
func (s *PGStore) ScopesOf(ctx context.Context, id string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT scope FROM articles WHERE id = $1 ORDER BY scope`, id)
	if err != nil {
		return nil, fmt.Errorf("scopes of %s: %w", id, s.explain(err))
	}
	scopes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("scopes of %s: %w", id, s.explain(err))
	}
	return scopes, nil
}

// Digest names one stored article and its content: enough for a process
// to tell which articles it holds in memory differ from the store without
// reading any body.
type Digest struct {
	Scope, ID string
	Hash      string // Article.Hash: changes when the article is replaced
}

// Digests returns the scope, ID and content hash of every stored article,
// so that a process that may have missed changes (its LISTEN connection
// was lost) finds which articles to read again.
func (s *PGStore) Digests(ctx context.Context) ([]Digest, error) {
	rows, err := s.pool.Query(ctx, `SELECT scope, id, hash FROM articles`)
	if err != nil {
		return nil, fmt.Errorf("article digests: %w", s.explain(err))
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Digest])
	if err != nil {
		return nil, fmt.Errorf("article digests: %w", s.explain(err))
	}
	return out, nil
}
