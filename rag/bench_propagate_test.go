package rag

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/corpus/pgtest"
)

// BenchmarkPropagationPostgres measures how long an article added by one
// process takes to be answered by another (two stores on one PostgreSQL
// database, the second following changes as `briefbot serve` does): from
// the moment the add has committed until the following engine has read it
// back and answered a question only it answers. The bound is 2 s.
func BenchmarkPropagationPostgres(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := pgtest.URL(b)
	writer, follower := openBenchEngine(b, ctx, url), openBenchEngine(b, ctx, url)
	store := follower.store.(*corpus.PGStore)
	indexed := make(chan string, 1)
	listening := make(chan struct{})
	go func() {
		defer close(listening)
		store.Listen(ctx, discard(), func(c corpus.Change) {
			if _, err := follower.Apply(ctx, c); err != nil && ctx.Err() == nil {
				b.Errorf("apply %+v: %v", c, err)
			}
			indexed <- c.ID // "" for a resync
		})
	}()
	defer func() { cancel(); <-listening }()
	<-indexed // listening
	i := 0
	for b.Loop() {
		i++
		name := fmt.Sprintf("zephyr%dq", i)
		want := fmt.Sprintf("%d million euros", 100+i)
		b.StopTimer()
		art := corpus.Article{ID: name, Scope: corpus.GlobalScope, Title: "Project " + name,
			Body: fmt.Sprintf("The council granted project %s %s for the new harbour bridge.", name, want)}
		if _, _, err := writer.Add(ctx, art, corpus.AddOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		select {
		case id := <-indexed:
			if id != name {
				b.Fatalf("change %q heard, want %q", id, name)
			}
		case <-time.After(10 * time.Second):
			b.Fatalf("the add of %s not heard within 10 s", name)
		}
		ans, err := follower.Answer(ctx, Question{Text: "How much did the council grant project " + name + "?"})
		if err != nil || !strings.Contains(ans.Text, want) {
			b.Fatalf("the follower answered %q (%v), want %q", ans.Text, err, want)
		}
	}
}

func openBenchEngine(b *testing.B, ctx context.Context, url string) *Engine {
	st := openBenchPG(b, url)
	b.Cleanup(func() { st.Close() })
	e, err := New(ctx, st, NewLocalEmbedder(0), Config{}, discard())
	if err != nil {
		b.Fatal(err)
	}
	return e
}
