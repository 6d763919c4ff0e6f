package corpus

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

const articleCols = `id, scope, title, source, url, published, date_guessed, added_at, added_by, hash`

// Get returns the article id visible from scopes (the most specific scope
// first), with its body and origin. It returns ErrNotFound when none is
// visible.
func (s *Store) Get(ctx context.Context, scopes []string, id string) (Article, error) {
	q, args := inScopes(`SELECT `+articleCols+`, body, origin FROM articles
		WHERE id = ? AND scope IN (%s) ORDER BY scope DESC LIMIT 1`, scopes, id)
	var a Article
	var body string
	err := scanArticle(s.db.QueryRowContext(ctx, q, args...), &a, &body, &a.Origin)
	if errors.Is(err, sql.ErrNoRows) {
		return Article{}, fmt.Errorf("%q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Article{}, fmt.Errorf("get %s: %w", id, err)
	}
	a.Body = body
	return a, nil
}

// Listed is an article as listed: without its body, with its passage count.
type Listed struct {
	Article
	Passages int
}

// List returns the articles visible from scopes, newest first (by
// published date, then by when they were added). Bodies are left empty.
func (s *Store) List(ctx context.Context, scopes []string) ([]Listed, error) {
	q, args := inScopes(`SELECT `+articleCols+`,
		(SELECT count(*) FROM passages p WHERE p.article_pk = a.pk)
		FROM articles a WHERE scope IN (%s)
		ORDER BY published DESC, added_at DESC, id`, scopes)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
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

type scanner interface{ Scan(dest ...any) error }

func scanArticle(r scanner, a *Article, extra ...any) error {
	return r.Scan(append(articleFields(a), extra...)...)
}

// Loaded is one stored article with its passages and, for each passage, the
// cached vector of the requested embedder (nil where none is cached).
type Loaded struct {
	Article  Article
	Passages []Passage
	Vectors  [][]float32
}

// Each calls fn for every stored article, in the order they were added, with
// passages and the vectors cached for embedder. It reads with three
// sequential scans, not one query per article, because it runs at every
// start: the embedder's vectors first (in key order), then articles and
// passages side by side. Joining passages to embeddings in SQL looked each
// vector up by hash, a random page read per passage: at 100k passages
// that was most of the load time. The three scans share one read
// transaction, one snapshot of the file: an article another process adds
// meanwhile is either wholly seen, vectors included, or not at all, so it
// is never taken for passages without a cached vector and embedded again.
func (s *Store) Each(ctx context.Context, embedder string, fn func(Loaded) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return s.explain(fmt.Errorf("load: %w", err))
	}
	defer tx.Rollback()
	return s.explain(each(ctx, tx, embedder, fn))
}

func each(ctx context.Context, tx *sql.Tx, embedder string, fn func(Loaded) error) error {
	vecs, err := vectorsOf(ctx, tx, embedder)
	if err != nil {
		return err
	}
	arts, err := tx.QueryContext(ctx, `SELECT pk, `+articleCols+`, body FROM articles ORDER BY pk`)
	if err != nil {
		return fmt.Errorf("load articles: %w", err)
	}
	defer arts.Close()
	ps, err := tx.QueryContext(ctx, `SELECT article_pk, seq, heading, start, end, hash
		FROM passages ORDER BY article_pk, seq`)
	if err != nil {
		return fmt.Errorf("load passages: %w", err)
	}
	defer ps.Close()
	next := passageReader(ps, vecs)
	for arts.Next() {
		var l Loaded
		var pk int64
		if err := arts.Scan(append(append([]any{&pk}, articleFields(&l.Article)...), &l.Article.Body)...); err != nil {
			return fmt.Errorf("load articles: %w", err)
		}
		if err := next(pk, &l); err != nil {
			return fmt.Errorf("load passages of %s: %w", l.Article.ID, err)
		}
		if err := fn(l); err != nil {
			return err
		}
	}
	if err := arts.Err(); err != nil {
		return fmt.Errorf("load articles: %w", err)
	}
	return nil
}

// vectorsOf reads every vector cached for embedder, keyed by text hash.
func vectorsOf(ctx context.Context, tx *sql.Tx, embedder string) (map[string][]float32, error) {
	rows, err := tx.QueryContext(ctx, `SELECT hash, vector FROM embeddings WHERE embedder = ?`, embedder)
	if err != nil {
		return nil, fmt.Errorf("load vectors: %w", err)
	}
	defer rows.Close()
	out := make(map[string][]float32)
	for rows.Next() {
		var h string
		var b sql.RawBytes // decoded at once: no copy of the blob
		if err := rows.Scan(&h, &b); err != nil {
			return nil, fmt.Errorf("load vectors: %w", err)
		}
		if v := decodeVector(b); v != nil {
			out[h] = v
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load vectors: %w", err)
	}
	return out, nil
}

// articleFields are the scan destinations of articleCols.
func articleFields(a *Article) []any {
	return []any{&a.ID, &a.Scope, &a.Title, &a.Source, &a.URL, dateScanner{&a.Published},
		&a.DateGuessed, timeScanner{&a.AddedAt}, &a.AddedBy, &a.Hash}
}

type dateScanner struct{ t *time.Time }

func (d dateScanner) Scan(v any) error {
	if s, ok := v.(string); ok && s != "" {
		*d.t, _ = time.Parse("2006-01-02", s)
	}
	return nil
}

type timeScanner struct{ t *time.Time }

func (d timeScanner) Scan(v any) error {
	if s, ok := v.(string); ok && s != "" {
		*d.t, _ = time.Parse(time.RFC3339, s)
	}
	return nil
}

// passageReader walks the passage rows (ordered by article) alongside the
// article rows; rows of articles missing from the article query are skipped.
func passageReader(rows *sql.Rows, vecs map[string][]float32) func(pk int64, l *Loaded) error {
	var pending *int64
	var cur struct {
		pk         int64
		seq        int
		heading    string
		start, end int
		hash       string
	}
	return func(pk int64, l *Loaded) error {
		for {
			if pending == nil {
				if !rows.Next() {
					return rows.Err()
				}
				if err := rows.Scan(&cur.pk, &cur.seq, &cur.heading, &cur.start, &cur.end, &cur.hash); err != nil {
					return err
				}
				pending = &cur.pk
			}
			if cur.pk > pk {
				return nil
			}
			pending = nil
			if cur.pk < pk {
				continue
			}
			body := l.Article.Body
			if cur.start < 0 || cur.end > len(body) || cur.start > cur.end {
				return fmt.Errorf("passage %d out of range", cur.seq)
			}
			l.Passages = append(l.Passages, Passage{
				ID: l.Article.ID + "#" + strconv.Itoa(cur.seq), ArticleID: l.Article.ID,
				Seq: cur.seq, Heading: cur.heading, Start: cur.start, End: cur.end,
				Text: body[cur.start:cur.end],
			})
			l.Vectors = append(l.Vectors, vecs[cur.hash])
		}
	}
}

func encodeVector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func decodeVector(b []byte) []float32 {
	if len(b) == 0 || len(b)%4 != 0 {
		return nil
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}

// FindContent returns the ID of an article with this content hash visible
// from scope, so callers can skip a duplicate before paying to embed it.
func (s *Store) FindContent(ctx context.Context, scope, hash string) (string, bool, error) {
	return findContent(ctx, s.db, scope, hash)
}

// rowQuerier is what findContent needs of a *sql.DB or a *sql.Tx.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func findContent(ctx context.Context, db rowQuerier, scope, hash string) (string, bool, error) {
	q, args := inScopes(`SELECT id FROM articles WHERE hash = ? AND scope IN (%s) LIMIT 1`, visibleScopes(scope), hash)
	var id string
	err := db.QueryRowContext(ctx, q, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("find content: %w", err)
	}
	return id, true, nil
}

// CachedVectors returns the vectors of embedder already stored for the
// given text hashes; identical passage text is embedded once.
func (s *Store) CachedVectors(ctx context.Context, embedder string, hashes []string) (map[string][]float32, error) {
	out := make(map[string][]float32)
	for i := 0; i < len(hashes); i += 500 {
		chunk := hashes[i:min(i+500, len(hashes))]
		q, args := inScopes(`SELECT hash, vector FROM embeddings WHERE embedder = ? AND hash IN (%s)`, chunk, embedder)
		rows, err := s.db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("cached vectors: %w", err)
		}
		for rows.Next() {
			var h string
			var b []byte
			if err := rows.Scan(&h, &b); err != nil {
				rows.Close()
				return nil, fmt.Errorf("cached vectors: %w", err)
			}
			if v := decodeVector(b); v != nil {
				out[h] = v
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("cached vectors: %w", err)
		}
	}
	return out, nil
}

// VectorDims is the most common length of the vectors cached for embedder
// (0 when there are none): a vector of another length is damaged and must
// be embedded again, or every vector query would fail.
func (s *Store) VectorDims(ctx context.Context, embedder string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT length(vector) FROM embeddings WHERE embedder = ?
		GROUP BY length(vector) ORDER BY count(*) DESC, length(vector) DESC LIMIT 1`, embedder).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, s.explain(fmt.Errorf("vector dims: %w", err))
	}
	return n / 4, nil
}
