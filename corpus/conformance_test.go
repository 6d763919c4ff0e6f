package corpus

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/corpus/pgtest"
)

// conformStore is every method both stores provide; the conformance suite
// runs the same checks against each.
type conformStore interface {
	Add(ctx context.Context, a Article, ps []Passage, vecs Vectors, opts AddOptions) (bool, error)
	Remove(ctx context.Context, scopes []string, id string) (Article, error)
	Get(ctx context.Context, scopes []string, id string) (Article, error)
	List(ctx context.Context, scopes []string) ([]Listed, error)
	ScopesOf(ctx context.Context, id string) ([]string, error)
	Each(ctx context.Context, embedder string, fn func(Loaded) error) error
	FindContent(ctx context.Context, scope, hash string) (string, bool, error)
	CachedVectors(ctx context.Context, embedder string, hashes []string) (map[string][]float32, error)
	PutVectors(ctx context.Context, vecs Vectors) error
	VectorDims(ctx context.Context, embedder string) (int, error)
	IsEmpty(ctx context.Context) (bool, error)
	MarkSeeded(ctx context.Context) error
	AddFeed(ctx context.Context, f Feed) (Feed, error)
	Feeds(ctx context.Context, scopes []string) ([]Feed, error)
	RemoveFeed(ctx context.Context, scopes []string, id int64) error
	UpdateFeed(ctx context.Context, f Feed) error
	SeenItem(ctx context.Context, feedID int64, itemURL string) (bool, error)
	MarkItemSeen(ctx context.Context, feedID int64, itemURL string) error
	ItemFailure(ctx context.Context, feedID int64, itemURL string) (ItemFailure, error)
	RecordItemFailure(ctx context.Context, feedID int64, itemURL string, f ItemFailure) error
	RecordVote(ctx context.Context, v Vote) error
	Votes(ctx context.Context) ([]Vote, error)
	Close() error
}

var (
	_ conformStore = (*Store)(nil)
	_ conformStore = (*PGStore)(nil)
)

// backend is one store implementation: where a store lives (a data
// directory, a database URL), how to open it there, and raw SQL access to
// damage it as a crash or a bad disk would.
type backend struct {
	name   string
	newLoc func(t *testing.T) string
	open   func(ctx context.Context, loc string) (conformStore, error)
	// exec runs query (with ? placeholders) directly on the database at
	// loc and returns the rows it changed.
	exec func(t *testing.T, loc, query string, args ...any) int64
}

func backends() []backend {
	return []backend{
		{name: "sqlite", newLoc: func(t *testing.T) string { return t.TempDir() },
			open: func(ctx context.Context, dir string) (conformStore, error) { return Open(ctx, dir) },
			exec: sqliteExec},
		{name: "postgres", newLoc: func(t *testing.T) string { return pgtest.URL(t) },
			open: func(ctx context.Context, url string) (conformStore, error) { return OpenPG(ctx, url) },
			exec: pgExec},
	}
}

func sqliteExec(t *testing.T, dir, query string, args ...any) int64 {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	n, _ := res.RowsAffected()
	return n
}

func pgExec(t *testing.T, url, query string, args ...any) int64 {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for i := 1; strings.Contains(query, "?"); i++ {
		query = strings.Replace(query, "?", fmt.Sprintf("$%d", i), 1)
	}
	tag, err := conn.Exec(ctx, query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return tag.RowsAffected()
}

// forEachBackend runs fn as a subtest per backend with a fresh store.
func forEachBackend(t *testing.T, fn func(t *testing.T, b backend, loc string, s conformStore)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			loc := b.newLoc(t)
			s, err := b.open(context.Background(), loc)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			t.Cleanup(func() { s.Close() })
			fn(t, b, loc, s)
		})
	}
}

// conformAdd adds a with a vector per passage ([1 0] unless vec is given).
func conformAdd(s conformStore, a Article, opts AddOptions, vec ...float32) error {
	if len(vec) == 0 {
		vec = []float32{1, 0}
	}
	ps := Split(a)
	vecs := Vectors{Embedder: "test", ByHash: map[string][]float32{}}
	for _, p := range ps {
		vecs.ByHash[TextHash(p.Text)] = vec
	}
	_, err := s.Add(context.Background(), a, ps, vecs, opts)
	return err
}

func listIDs(t *testing.T, s conformStore, scopes []string) []string {
	t.Helper()
	list, err := s.List(context.Background(), scopes)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, l := range list {
		ids = append(ids, l.ID)
	}
	return ids
}

func TestConformAddRules(t *testing.T) {
	forEachBackend(t, func(t *testing.T, _ backend, _ string, s conformStore) {
		ctx := context.Background()
		orig := testArticle("a1", GlobalScope, "Floods", "Rivers rose across the region on Monday.")
		if err := conformAdd(s, orig, AddOptions{}); err != nil {
			t.Fatalf("first add: %v", err)
		}
		tests := []struct {
			name    string
			a       Article
			opts    AddOptions
			wantErr error
		}{
			{"same content, other id", testArticle("a2", GlobalScope, "Floods", orig.Body), AddOptions{}, ErrDuplicate},
			{"same content in a guild sees global", testArticle("g1", "guildA", "Floods", orig.Body), AddOptions{}, ErrDuplicate},
			{"same id, other content", testArticle("a1", GlobalScope, "Floods", "Rivers fell."), AddOptions{}, ErrConflict},
			{"guild may not shadow a global id", testArticle("a1", "guildA", "Other", "Something else entirely."), AddOptions{}, ErrConflict},
			{"empty body", testArticle("e1", GlobalScope, "Empty", "   "), AddOptions{}, ErrEmpty},
			{"replace", testArticle("a1", GlobalScope, "Floods", "Rivers fell on Tuesday."), AddOptions{Replace: true}, nil},
			{"replace keeps dedupe", testArticle("a9", GlobalScope, "Floods", "Rivers fell on Tuesday."), AddOptions{Replace: true}, ErrDuplicate},
		}
		for _, tc := range tests {
			err := conformAdd(s, tc.a, tc.opts)
			if !errors.Is(err, tc.wantErr) && !(tc.wantErr == nil && err == nil) {
				t.Errorf("%s: Add: got %v, want %v", tc.name, err, tc.wantErr)
			}
		}
		got, err := s.Get(ctx, nil, "a1")
		if err != nil || got.Body != "Rivers fell on Tuesday." {
			t.Errorf("after replace: %q, %v; want the new body", got.Body, err)
		}
		if id, found, err := s.FindContent(ctx, "guildA", ContentHash("Floods", "Rivers fell on Tuesday.")); err != nil || !found || id != "a1" {
			t.Errorf("FindContent from a guild: %q %v %v, want the global a1", id, found, err)
		}
		if ids := listIDs(t, s, nil); len(ids) != 1 {
			t.Errorf("List: %v, want only a1 (no failed add may leave anything)", ids)
		}
	})
}

// TestConformOneTransaction: an add that fails after its article row is
// written (two passages with one sequence number break the passages' key)
// leaves nothing: no article, no passage, no vector.
func TestConformOneTransaction(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, loc string, s conformStore) {
		ctx := context.Background()
		a := testArticle("tx", GlobalScope, "Harbour", "The harbour reopened.\n\nShips queued at the gate for a day.")
		ps := Split(a)
		if len(ps) < 2 {
			ps = append(ps, ps[0])
		}
		ps[1].Seq = ps[0].Seq
		vecs := Vectors{Embedder: "test", ByHash: map[string][]float32{"x": {1, 2}}}
		if _, err := s.Add(ctx, a, ps, vecs, AddOptions{}); err == nil {
			t.Fatal("Add with a repeated passage number succeeded")
		}
		if _, err := s.Get(ctx, nil, "tx"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get after the failed add: %v, want ErrNotFound", err)
		}
		if n := b.exec(t, loc, `DELETE FROM embeddings WHERE hash = ?`, "x"); n != 0 {
			t.Errorf("the failed add left its vector behind")
		}
		if empty, err := s.IsEmpty(ctx); err != nil || !empty {
			t.Errorf("IsEmpty after the failed add: %v, %v; want true", empty, err)
		}
		if err := conformAdd(s, a, AddOptions{}); err != nil {
			t.Errorf("the same article, well formed, after the failure: %v", err)
		}
	})
}

func TestConformScopesAndRemove(t *testing.T) {
	forEachBackend(t, func(t *testing.T, _ backend, _ string, s conformStore) {
		ctx := context.Background()
		for _, a := range []Article{
			testArticle("g", GlobalScope, "Global", "Everyone can read this."),
			testArticle("a", "guildA", "Team A", "Only team A can read this."),
			testArticle("b", "guildB", "Team B", "Only team B can read this."),
			testArticle("same", "guildA", "Same A", "Guild A's own article with a shared ID."),
			testArticle("same", "guildB", "Same B", "Guild B's own article with a shared ID."),
		} {
			if err := conformAdd(s, a, AddOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			scopes []string
			want   []string
		}{
			{nil, []string{"g"}},
			{[]string{GlobalScope, "guildA"}, []string{"a", "g", "same"}},
			{[]string{GlobalScope, "guildB"}, []string{"b", "g", "same"}},
		} {
			if got := listIDs(t, s, tc.scopes); !sameSet(got, tc.want) {
				t.Errorf("List(%q): %v, want %v", tc.scopes, got, tc.want)
			}
		}
		if got, err := s.Get(ctx, []string{GlobalScope, "guildB"}, "same"); err != nil || got.Title != "Same B" {
			t.Errorf("Get same from guild B: %q, %v", got.Title, err)
		}
		if got, err := s.ScopesOf(ctx, "same"); err != nil || !cmp.Equal(got, []string{"guildA", "guildB"}) {
			t.Errorf("ScopesOf(same): %v, %v", got, err)
		}
		if _, err := s.Remove(ctx, []string{GlobalScope, "guildB"}, "a"); !errors.Is(err, ErrNotFound) {
			t.Errorf("guild B removing guild A's article: %v, want ErrNotFound", err)
		}
		got, err := s.Remove(ctx, []string{GlobalScope, "guildA"}, "same")
		if err != nil || got.Scope != "guildA" || got.Body != "Guild A's own article with a shared ID." {
			t.Fatalf("guild A removing its own: %+v, %v", got, err)
		}
		if got := listIDs(t, s, []string{GlobalScope, "guildB"}); !sameSet(got, []string{"b", "g", "same"}) {
			t.Errorf("guild B after guild A's remove: %v", got)
		}
		var passages int
		s.Each(ctx, "test", func(l Loaded) error { passages += len(l.Passages); return nil })
		if passages != 4 {
			t.Errorf("%d passages stored after the remove, want 4 (one per remaining article)", passages)
		}
		if empty, _ := s.IsEmpty(ctx); empty {
			t.Error("IsEmpty: true after articles were added")
		}
	})
}

// TestConformRoundTrip: what Each and Get return after a reopen is what
// was added, field by field, in the order added, with the cached vectors.
func TestConformRoundTrip(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			loc := b.newLoc(t)
			s, err := b.open(ctx, loc)
			if err != nil {
				t.Fatal(err)
			}
			added := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
			arts := []Article{
				{ID: "z-first", Scope: "guildA", Title: "Zed", Source: "Wire", URL: "https://example.com/z",
					Published: time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC), DateGuessed: true, AddedAt: added, AddedBy: "u1",
					Body: "## Port\n\nThe port reopened on Friday.\n\n## Rail\n\nTrains ran late all week."},
				{ID: "a-second", Title: "Ay", Body: "Plain text without a date.", AddedAt: added.Add(time.Hour)},
			}
			for i, a := range arts {
				arts[i].Hash = ContentHash(a.Title, a.Body)
				if err := conformAdd(s, arts[i], AddOptions{}, float32(i), 0.5); err != nil {
					t.Fatal(err)
				}
			}
			s.Close()
			if s, err = b.open(ctx, loc); err != nil {
				t.Fatalf("reopen: %v", err)
			}
			defer s.Close()
			var loaded []Loaded
			if err := s.Each(ctx, "test", func(l Loaded) error { loaded = append(loaded, l); return nil }); err != nil {
				t.Fatal(err)
			}
			if len(loaded) != 2 {
				t.Fatalf("Each: %d articles, want 2", len(loaded))
			}
			for i, l := range loaded {
				if diff := cmp.Diff(arts[i], l.Article); diff != "" {
					t.Errorf("article %d differs (-added +loaded):\n%s", i, diff)
				}
				if diff := cmp.Diff(Split(arts[i]), l.Passages); diff != "" {
					t.Errorf("passages of %s differ (-split +loaded):\n%s", arts[i].ID, diff)
				}
				for _, v := range l.Vectors {
					if len(v) != 2 || v[0] != float32(i) || v[1] != 0.5 {
						t.Errorf("vector of %s: %v", arts[i].ID, v)
					}
				}
			}
			s.Each(ctx, "other-embedder", func(l Loaded) error {
				if l.Vectors[0] != nil {
					t.Errorf("a vector of embedder test was returned for another embedder")
				}
				return nil
			})
			if got, err := s.Get(ctx, []string{GlobalScope, "guildA"}, "z-first"); err != nil || !cmp.Equal(got, arts[0]) {
				t.Errorf("Get: %v\n%s", err, cmp.Diff(arts[0], got))
			}
			list, _ := s.List(ctx, []string{GlobalScope, "guildA"})
			if len(list) != 2 || list[0].ID != "z-first" || list[0].Passages != len(Split(arts[0])) || list[1].ID != "a-second" {
				t.Errorf("List: %+v; want z-first (published) with its passage count, then a-second (undated)", list)
			}
		})
	}
}

// TestConformDamagedCache: a vector deleted, cut short or of another
// dimension reads as missing (so it is embedded again), VectorDims is the
// common length, PutVectors repairs and Add keeps what is cached.
func TestConformDamagedCache(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, loc string, s conformStore) {
		ctx := context.Background()
		para := func(w string) string { return strings.Repeat(w+" moved through the region this week. ", 30) }
		a := testArticle("d", GlobalScope, "Damage", para("Ships")+"\n\n"+para("Trains")+"\n\n"+para("Planes"))
		if err := conformAdd(s, a, AddOptions{}, 1, 0, 0); err != nil {
			t.Fatal(err)
		}
		ps := Split(a)
		if len(ps) < 3 {
			t.Fatalf("the test needs 3 passages, got %d", len(ps))
		}
		h := func(i int) string { return TextHash(ps[i].Text) }
		b.exec(t, loc, `DELETE FROM embeddings WHERE hash = ?`, h(0))
		b.exec(t, loc, `UPDATE embeddings SET vector = ? WHERE hash = ?`, []byte{1, 2, 3}, h(1))
		b.exec(t, loc, `UPDATE embeddings SET vector = ? WHERE hash = ?`, encodeVector([]float32{1, 1}), h(2))
		got, err := s.CachedVectors(ctx, "test", []string{h(0), h(1), h(2)})
		if err != nil {
			t.Fatal(err)
		}
		if got[h(0)] != nil || got[h(1)] != nil || len(got[h(2)]) != 2 {
			t.Errorf("CachedVectors after damage: %v; want deleted and cut-short missing, the short one as stored", got)
		}
		if dims, err := s.VectorDims(ctx, "test"); err != nil || dims != 2 {
			t.Errorf("VectorDims with one 2-dim vector left: %d, %v", dims, err)
		}
		if err := s.PutVectors(ctx, Vectors{Embedder: "test", ByHash: map[string][]float32{
			h(0): {0, 1, 0}, h(1): {0, 0, 1}, h(2): {1, 1, 1}}}); err != nil {
			t.Fatal(err)
		}
		var vs [][]float32
		s.Each(ctx, "test", func(l Loaded) error { vs = l.Vectors; return nil })
		want := [][]float32{{0, 1, 0}, {0, 0, 1}, {1, 1, 1}}
		if !cmp.Equal(vs[:3], want) {
			t.Errorf("after PutVectors: %v, want %v", vs, want)
		}
		if dims, _ := s.VectorDims(ctx, "test"); dims != 3 {
			t.Errorf("VectorDims after the repair: %d, want 3", dims)
		}
		// Add keeps a cached vector: identical text is embedded once.
		b2 := testArticle("d2", "guildA", "Copy", ps[0].Text)
		if err := conformAdd(s, b2, AddOptions{}, 9, 9, 9); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.CachedVectors(ctx, "test", []string{h(0)}); !cmp.Equal(got[h(0)], []float32{0, 1, 0}) {
			t.Errorf("Add overwrote a cached vector: %v", got[h(0)])
		}
	})
}

func TestConformSeeded(t *testing.T) {
	forEachBackend(t, func(t *testing.T, _ backend, _ string, s conformStore) {
		ctx := context.Background()
		if empty, err := s.IsEmpty(ctx); err != nil || !empty {
			t.Fatalf("new store: IsEmpty %v, %v", empty, err)
		}
		if err := s.MarkSeeded(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkSeeded(ctx); err != nil {
			t.Fatalf("MarkSeeded twice: %v", err)
		}
		if empty, _ := s.IsEmpty(ctx); empty {
			t.Error("IsEmpty after MarkSeeded: true; the sample would come back after its removal")
		}
	})
}

func TestConformFeeds(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, loc string, s conformStore) {
		ctx := context.Background()
		f1, err := s.AddFeed(ctx, Feed{URL: " https://example.com/rss ", Scope: "guildA"})
		if err != nil || f1.ID == 0 || f1.URL != "https://example.com/rss" {
			t.Fatalf("AddFeed: %+v, %v", f1, err)
		}
		if _, err := s.AddFeed(ctx, Feed{URL: "https://example.com/rss", Scope: "guildA"}); !errors.Is(err, ErrDuplicate) ||
			!strings.Contains(err.Error(), fmt.Sprint(f1.ID)) {
			t.Errorf("same feed twice: %v, want ErrDuplicate naming feed %d", err, f1.ID)
		}
		if _, err := s.AddFeed(ctx, Feed{URL: "ftp://example.com/x"}); !errors.Is(err, ErrUnsupportedSource) {
			t.Errorf("ftp feed: %v, want ErrUnsupportedSource", err)
		}
		f2, err := s.AddFeed(ctx, Feed{URL: "https://example.com/rss", Scope: "guildB"})
		if err != nil || f2.ID == f1.ID {
			t.Fatalf("the same URL in another server: %+v, %v", f2, err)
		}
		if fs, _ := s.Feeds(ctx, []string{"guildB"}); len(fs) != 1 || fs[0].ID != f2.ID {
			t.Errorf("guild B's feeds: %+v", fs)
		}
		if err := s.RemoveFeed(ctx, []string{"guildB"}, f1.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("guild B removing guild A's feed: %v, want ErrNotFound", err)
		}
		polled := time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC)
		f1.Title, f1.ETag, f1.LastModified, f1.LastPolled, f1.ItemsAdded, f1.LastError = "News", `"e1"`, "Mon", polled, 3, "boom"
		if err := s.UpdateFeed(ctx, f1); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkItemSeen(ctx, f1.ID, "https://example.com/1"); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkItemSeen(ctx, f1.ID, "https://example.com/1"); err != nil {
			t.Errorf("marking an item twice: %v", err)
		}
		if err := s.MarkItemSeen(ctx, 999, "https://example.com/1"); err != nil {
			t.Errorf("marking an item of a removed feed: %v", err)
		}
		all, err := s.Feeds(ctx, nil)
		if err != nil || len(all) != 2 || !cmp.Equal(all[0], f1) {
			t.Errorf("Feeds(nil): %v\n%s", err, cmp.Diff(f1, all[0]))
		}
		if seen, _ := s.SeenItem(ctx, f1.ID, "https://example.com/1"); !seen {
			t.Error("SeenItem: false for a marked item")
		}
		if seen, _ := s.SeenItem(ctx, f2.ID, "https://example.com/1"); seen {
			t.Error("SeenItem: an item seen by one feed is seen by another")
		}
		if err := s.RemoveFeed(ctx, nil, f1.ID); err != nil {
			t.Fatalf("RemoveFeed from the command line: %v", err)
		}
		if n := b.exec(t, loc, `DELETE FROM feed_items WHERE feed_id = ?`, f1.ID); n != 0 {
			t.Errorf("removing a feed left %d seen items", n)
		}
		if err := s.RemoveFeed(ctx, nil, f1.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("removing it again: %v, want ErrNotFound", err)
		}
	})
}

func TestConformVotes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, _ backend, _ string, s conformStore) {
		ctx := context.Background()
		at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
		v := Vote{AnswerID: "m1", UserID: "u1", Scope: "guildA", Up: true, Question: "q?", Answer: "a.", At: at}
		for _, vv := range []Vote{v, {AnswerID: "m0", UserID: "u2", Up: false, Question: "q0", Answer: "a0", At: at.Add(-time.Hour)}} {
			if err := s.RecordVote(ctx, vv); err != nil {
				t.Fatal(err)
			}
		}
		v.Up, v.At = false, at.Add(time.Minute)
		if err := s.RecordVote(ctx, v); err != nil {
			t.Fatal(err)
		}
		votes, err := s.Votes(ctx)
		if err != nil || len(votes) != 2 {
			t.Fatalf("Votes: %+v, %v", votes, err)
		}
		if votes[0].AnswerID != "m0" || !cmp.Equal(votes[1], v) {
			t.Errorf("Votes: %+v; want m0 first, then the changed vote %+v", votes, v)
		}
	})
}

// TestConformConcurrentWriters: two stores on one database (two processes)
// add the same content at the same moment: exactly one adds it, the other
// is told it is a duplicate; and stores opening together all open.
func TestConformConcurrentWriters(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			loc := b.newLoc(t)
			stores := make([]conformStore, 4)
			errs := make([]error, len(stores))
			var wg sync.WaitGroup
			for i := range stores {
				wg.Go(func() { stores[i], errs[i] = b.open(ctx, loc) })
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("store %d opening alongside others: %v", i, err)
				}
				defer stores[i].Close()
			}
			for round := range 5 {
				a := testArticle(fmt.Sprintf("r%d", round), GlobalScope, "Race", fmt.Sprintf("Round %d of the race.", round))
				for i := range stores {
					wg.Go(func() {
						a := a
						a.ID += fmt.Sprintf("-%d", i)
						errs[i] = conformAdd(stores[i], a, AddOptions{})
					})
				}
				wg.Wait()
				ok, dup := 0, 0
				for _, err := range errs {
					switch {
					case err == nil:
						ok++
					case errors.Is(err, ErrDuplicate):
						dup++
					default:
						t.Errorf("round %d: %v", round, err)
					}
				}
				if ok != 1 || dup != len(stores)-1 {
					t.Errorf("round %d: %d added, %d duplicates; want 1 and %d", round, ok, dup, len(stores)-1)
				}
			}
			if ids := listIDs(t, stores[0], nil); len(ids) != 5 {
				t.Errorf("%d articles stored after 5 rounds, want 5: %v", len(ids), ids)
			}
		})
	}
}

// TestConformRemovePrunesVectors: removing or replacing an article deletes
// the cached vectors no other passage uses and keeps shared ones; a
// replacement is reported, and a clash names the stored article and
// whether it came from the same place.
func TestConformRemovePrunesVectors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, loc string, s conformStore) {
		ctx := context.Background()
		shared := "The ferry timetable changes in June, and the pier is closed."
		a := testArticle("a", GlobalScope, "A", shared)
		a.Origin = "/srv/briefings/a.txt"
		other := testArticle("b", GlobalScope, "B", shared) // same passages, other title
		for _, x := range []Article{a, other} {
			if err := conformAdd(s, x, AddOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		hashes := func(x Article) []string {
			var hs []string
			for _, p := range Split(x) {
				hs = append(hs, TextHash(p.Text))
			}
			return hs
		}
		cached := func(x Article) int {
			m, err := s.CachedVectors(ctx, "test", hashes(x))
			if err != nil {
				t.Fatal(err)
			}
			return len(m)
		}
		newer := testArticle("a", GlobalScope, "A", "A rewritten text about the pier.")
		newer.Origin = a.Origin
		_, err := s.Add(ctx, newer, Split(newer), Vectors{}, AddOptions{})
		var ce *ConflictError
		if !errors.As(err, &ce) || !ce.SameOrigin || ce.Stored.Title != "A" {
			t.Errorf("re-adding a's file: %v (%+v), want a ConflictError from the same origin", err, ce)
		}
		stranger := newer
		stranger.Origin = "/elsewhere/a.txt"
		if _, err := s.Add(ctx, stranger, Split(stranger), Vectors{}, AddOptions{}); !errors.As(err, &ce) || ce.SameOrigin {
			t.Errorf("another file with a's ID: %v, want a ConflictError not from the same origin", err)
		}
		replaced, err := s.Add(ctx, newer, Split(newer), Vectors{Embedder: "test", ByHash: map[string][]float32{
			TextHash(Split(newer)[0].Text): {1, 0}}}, AddOptions{Replace: true})
		if err != nil || !replaced {
			t.Fatalf("replace: %v, replaced %v", err, replaced)
		}
		if n := cached(a); n != len(hashes(a)) {
			t.Errorf("after replacing a, %d of its vectors are cached, want %d (b uses them)", n, len(hashes(a)))
		}
		if _, err := s.Remove(ctx, nil, "b"); err != nil {
			t.Fatal(err)
		}
		if n := cached(other); n != 0 {
			t.Errorf("after removing b, %d of its vectors are cached, want 0", n)
		}
		if n := cached(newer); n != 1 {
			t.Errorf("the replacement's vector is gone: %d cached", n)
		}
	})
}
