package corpus

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
)

// TestScratchStore: a scratch store keeps what is added to it, with the
// store's rules, across the connections of its pool (eight writers at
// once), apart from any other scratch store; it writes no file, and is
// empty again when opened after a close.
func TestScratchStore(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Chdir(tmp)
	a, err := OpenScratch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenScratch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 5 {
				id := fmt.Sprintf("a%d-%d", w, i)
				if err := addArticle(t, a, testArticle(id, GlobalScope, id, "Ferry news number "+id+"."), AddOptions{}); err != nil {
					t.Errorf("add %s: %v", id, err)
				}
			}
		})
	}
	wg.Wait()
	if got := len(listIDs(t, a, nil)); got != 40 {
		t.Errorf("scratch store lists %d articles, want 40", got)
	}
	if err := addArticle(t, a, testArticle("dup", GlobalScope, "a0-0", "Ferry news number a0-0."), AddOptions{}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("the same content again: %v, want ErrDuplicate", err)
	}
	if got := listIDs(t, b, nil); len(got) != 0 {
		t.Errorf("another scratch store lists %v, want nothing", got)
	}
	if _, err := a.Remove(ctx, nil, "a3-3"); err != nil || slices.Contains(listIDs(t, a, nil), "a3-3") {
		t.Errorf("remove: %v", err)
	}
	a.Close()
	c, err := OpenScratch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := listIDs(t, c, nil); len(got) != 0 {
		t.Errorf("a scratch store opened after another closed lists %v, want nothing", got)
	}
	if files, _ := os.ReadDir(tmp); len(files) != 0 {
		t.Errorf("scratch stores wrote %v", files)
	}
}
