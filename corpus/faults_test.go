package corpus

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenDamagedFile: a store file that is not SQLite, or was cut short,
// fails Open with ErrDamaged, naming the file and what to do.
func TestOpenDamagedFile(t *testing.T) {
	ctx := context.Background()
	good := t.TempDir()
	s, err := Open(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	a := Article{ID: "a", Title: "T", Body: "Harbour traffic rose by a tenth in May.", Hash: "h"}
	if _, err := s.Add(ctx, a, Split(a), Vectors{}, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	whole, err := os.ReadFile(filepath.Join(good, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"text file": []byte(strings.Repeat("notes\n", 1000)),
		"cut short": whole[:len(whole)/3],
		"no header": append(make([]byte, 100), whole[100:]...),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, DBFile)
			os.WriteFile(path, data, 0o600)
			s, err := Open(ctx, dir)
			if err == nil {
				s.Close()
				t.Fatalf("Open succeeded on a damaged file")
			}
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "backup") {
				t.Errorf("error %q: want ErrDamaged naming %s and what to do", err, path)
			}
		})
	}
}

// TestPutVectorsReplacesDamaged: re-caching a vector overwrites a damaged
// one, so the repair sticks; Add still keeps what is cached.
func TestPutVectorsReplacesDamaged(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db, err := sql.Open("sqlite", filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO embeddings(embedder, hash, vector) VALUES ('e', 'h1', x'010203')`); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.CachedVectors(ctx, "e", []string{"h1"}); got["h1"] != nil {
		t.Fatalf("a 3-byte blob decoded as %v", got["h1"])
	}
	if err := s.PutVectors(ctx, Vectors{Embedder: "e", ByHash: map[string][]float32{"h1": {1, 0}}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.CachedVectors(ctx, "e", []string{"h1"})
	if err != nil || len(got["h1"]) != 2 || got["h1"][0] != 1 {
		t.Errorf("after PutVectors: %v, %v; want the new vector [1 0]", got, err)
	}
}
