package corpus

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func openTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testArticle(id, scope, title, body string) Article {
	return Article{ID: id, Scope: scope, Title: title, Body: body, Hash: ContentHash(title, body),
		Published: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), AddedAt: time.Now()}
}

func addArticle(t *testing.T, s *Store, a Article, opts AddOptions) error {
	t.Helper()
	ps := Split(a)
	vecs := Vectors{Embedder: "test", ByHash: map[string][]float32{}}
	for _, p := range ps {
		vecs.ByHash[TextHash(p.Text)] = []float32{1, 0}
	}
	_, err := s.Add(context.Background(), a, ps, vecs, opts)
	return err
}

func TestStoreAddRules(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	orig := testArticle("a1", GlobalScope, "Floods", "Rivers rose across the region on Monday.")
	if err := addArticle(t, s, orig, AddOptions{}); err != nil {
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
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := addArticle(t, s, tc.a, tc.opts)
			if !errors.Is(err, tc.wantErr) && !(tc.wantErr == nil && err == nil) {
				t.Fatalf("Add: got %v, want %v", err, tc.wantErr)
			}
		})
	}
	got, err := s.Get(ctx, nil, "a1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Body != "Rivers fell on Tuesday." {
		t.Errorf("after replace: body %q, want the new one", got.Body)
	}
	list, _ := s.List(ctx, nil)
	if len(list) != 1 {
		t.Errorf("List: got %d articles, want 1 (no failed add may leave anything)", len(list))
	}
}

func TestStoreScopes(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	for _, a := range []Article{
		testArticle("g", GlobalScope, "Global", "Everyone can read this."),
		testArticle("a", "guildA", "Team A", "Only team A can read this."),
		testArticle("b", "guildB", "Team B", "Only team B can read this."),
	} {
		if err := addArticle(t, s, a, AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		scopes []string
		want   []string
	}{
		{nil, []string{"g"}},
		{[]string{GlobalScope, "guildA"}, []string{"a", "g"}},
		{[]string{GlobalScope, "guildB"}, []string{"b", "g"}},
	}
	for _, tc := range tests {
		list, err := s.List(ctx, tc.scopes)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, l := range list {
			ids = append(ids, l.ID)
		}
		if len(ids) != len(tc.want) || !sameSet(ids, tc.want) {
			t.Errorf("List(%q): got %v, want %v", tc.scopes, ids, tc.want)
		}
	}
	if _, err := s.Remove(ctx, []string{GlobalScope, "guildB"}, "a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("guild B removing guild A's article: got %v, want ErrNotFound", err)
	}
	if _, err := s.Get(ctx, []string{GlobalScope, "guildA"}, "a"); err != nil {
		t.Errorf("guild A's article after B's attempt: %v", err)
	}
}

func TestStorePersistsAcrossReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	a := testArticle("keep", GlobalScope, "Kept", "This survives a restart of the process.")
	if err := addArticle(t, s, a, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var loaded []Loaded
	err = s.Each(ctx, "test", func(l Loaded) error { loaded = append(loaded, l); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != 1 || loaded[0].Article.Body != a.Body || len(loaded[0].Passages) != 1 {
		t.Fatalf("after reopen: got %+v", loaded)
	}
	if v := loaded[0].Vectors[0]; len(v) != 2 || v[0] != 1 {
		t.Errorf("cached vector: got %v, want [1 0]", v)
	}
	if p := loaded[0].Passages[0]; a.Body[p.Start:p.End] != p.Text {
		t.Errorf("passage text %q is not body[%d:%d]", p.Text, p.Start, p.End)
	}
	if _, err := Open(ctx, filepath.Join(dir, DBFile, "x")); err == nil {
		t.Errorf("Open inside a file: want an error")
	}
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

func countRows(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// bigArticle has about n passages of distinct text.
func bigArticle(id string, n int) Article {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "Paragraph %d says the harbour moved %d containers, a record for week %d of the year.\n\n", i, i*37, i)
	}
	return testArticle(id, GlobalScope, "Big "+id, b.String())
}

// TestRemoveDeletesVectorsAndGivesSpaceBack is issue 14 item 3: removing
// an article deletes the cached vectors no other passage uses (keeping
// shared ones) and the database file shrinks.
func TestRemoveDeletesVectorsAndGivesSpaceBack(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	small := testArticle("small", GlobalScope, "Small", "The ferry timetable changes in June.")
	big := bigArticle("big", 3000)
	for _, a := range []Article{small, big} {
		ps := Split(a)
		vecs := Vectors{Embedder: "test", ByHash: map[string][]float32{}}
		for _, p := range ps {
			vecs.ByHash[TextHash(p.Text)] = make([]float32, 256)
		}
		if _, err := s.Add(ctx, a, ps, vecs, AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	path := filepath.Join(dir, DBFile)
	full := fileSize(t, path)
	s, err = Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Remove(ctx, []string{GlobalScope}, "big"); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, "embeddings"); n != len(Split(small)) {
		t.Errorf("%d vectors left after removing big, want the %d of small", n, len(Split(small)))
	}
	s.Close()
	if after := fileSize(t, path); after > full/4 {
		t.Errorf("store file is %d bytes after removing most of its %d; the space was not given back", after, full)
	}
}

// TestOpenUpgradesOldStore: a store made before vectors were pruned (no
// origin column, no auto-vacuum, orphan vectors) is upgraded once at open.
func TestOpenUpgradesOldStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	old := strings.Replace(schemaSQL, "origin       TEXT    NOT NULL DEFAULT '',", "", 1)
	if _, err := db.Exec(old); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO embeddings VALUES ('test', 'orphan', x'0000803f')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var mode int
	s.db.QueryRow(`PRAGMA auto_vacuum`).Scan(&mode)
	if mode != 2 {
		t.Errorf("auto_vacuum = %d after open, want 2 (incremental)", mode)
	}
	if n := countRows(t, s, "embeddings"); n != 0 {
		t.Errorf("%d orphan vectors kept", n)
	}
	a := testArticle("a", GlobalScope, "A", "Text of a.")
	a.Origin = "/tmp/a.txt"
	if err := addArticle(t, s, a, AddOptions{}); err != nil {
		t.Fatalf("add to an upgraded store: %v", err)
	}
}

// TestErrorsNameNoFlags is issue 17 item 6: corpus's errors are typed and
// say what is wrong; the flags and settings that fix them (--replace,
// --data, BRIEFBOT_…) are the command line's and the bot's to name.
func TestErrorsNameNoFlags(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t)
	a := testArticle("a1", GlobalScope, "Floods", "Rivers rose across the region on Monday.")
	if err := addArticle(t, s, a, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	b := testArticle("a1", GlobalScope, "Other", "Something else entirely.")
	conflict := addArticle(t, s, b, AddOptions{})
	var ce *ConflictError
	if !errors.As(conflict, &ce) || !errors.Is(conflict, ErrConflict) || ce.Stored.Title != "Floods" || ce.SameOrigin {
		t.Errorf("conflict = %v, want a *ConflictError naming the stored article", conflict)
	}
	_, noDir := Open(ctx, "")
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, []byte("x"), 0o600)
	_, isFile := Open(ctx, file)
	var de *DataDirError
	if !errors.As(isFile, &de) || de.Problem != "is a file, not a folder" {
		t.Errorf("Open(file) = %v, want a *DataDirError", isFile)
	}
	unsupported := ParseFile("x.docx", []byte("PK"), func(Article) error { return nil })
	for _, err := range []error{conflict, noDir, isFile, unsupported, ErrBlockedAddress, ErrConflict, ErrReadOnly} {
		if err == nil {
			t.Fatal("missing error")
		}
		if msg := err.Error(); strings.Contains(msg, "--") || strings.Contains(msg, "BRIEFBOT_") {
			t.Errorf("corpus error %q names a flag or setting", msg)
		}
	}
}
