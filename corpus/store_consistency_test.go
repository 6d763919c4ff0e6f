package corpus

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// TestEachIsOneSnapshot is issue 14 item 7: while another connection (as
// another process would) adds articles with their vectors, every article
// Each returns comes with all its vectors. Reading vectors and passages in
// separate statements let an article committed in between show up without
// vectors, which made `ask` embed it again.
func TestEachIsOneSnapshot(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	reader, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	writer, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			a := testArticle(fmt.Sprintf("a%d", i), GlobalScope, fmt.Sprintf("Story %d", i),
				fmt.Sprintf("Harbour traffic rose by %d percent in May, the port said.", i))
			if err := addArticle(t, writer, a, AddOptions{}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	missing, loads := 0, 0
	for ; loads < 300 && missing == 0; loads++ {
		err := reader.Each(ctx, "test", func(l Loaded) error {
			for i, v := range l.Vectors {
				if v == nil {
					missing++
					t.Errorf("load %d: %s passage %d has no vector", loads, l.Article.ID, i)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}
