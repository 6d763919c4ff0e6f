package corpus

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/corpus/pgtest"
)

// TestPGChangesReachOtherStores: an add or remove through one store (one
// process) is announced to a listener on another within moments, once,
// after the commit; the store's own listener hears nothing of its own, and
// a failed add announces nothing. Each listener first asks for a resync.
func TestPGChangesReachOtherStores(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := pgtest.URL(t)
	a, err := OpenPG(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := OpenPG(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	heardB, heardA := make(chan Change, 10), make(chan Change, 10)
	go b.Listen(ctx, slog.New(slog.DiscardHandler), func(c Change) { heardB <- c })
	go a.Listen(ctx, slog.New(slog.DiscardHandler), func(c Change) { heardA <- c })
	for _, heard := range []chan Change{heardA, heardB} { // both LISTEN: each says so with a resync
		select {
		case c := <-heard:
			if !c.Resync() {
				t.Fatalf("first call %+v, want the resync of a listener that starts listening", c)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no resync within 5 s of starting to listen")
		}
	}

	art := testArticle("n1", "guildA", "Notice", "The ferry resumes on Monday.")
	if err := conformAdd(a, art, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	expect := func(want Change) {
		t.Helper()
		select {
		case c := <-heardB:
			if c.Scope != want.Scope || c.ID != want.ID {
				t.Errorf("heard %+v, want %+v", c, want)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("no change heard within 2 s, want %+v", want)
		}
	}
	expect(Change{Scope: "guildA", ID: "n1"})
	l, found, err := b.Load(ctx, "test", "guildA", "n1")
	if err != nil || !found || l.Article.Body != art.Body || len(l.Passages) != 1 || len(l.Vectors[0]) != 2 {
		t.Errorf("Load of the announced article: %+v %v %v", l, found, err)
	}
	if err := conformAdd(a, art, AddOptions{}); err == nil {
		t.Fatal("a duplicate was added")
	}
	if _, err := a.Remove(ctx, []string{"guildA"}, "n1"); err != nil {
		t.Fatal(err)
	}
	expect(Change{Scope: "guildA", ID: "n1"}) // the remove; the failed add said nothing
	if _, found, _ := b.Load(ctx, "test", "guildA", "n1"); found {
		t.Error("Load after remove: found")
	}
	select {
	case c := <-heardA:
		t.Errorf("a store heard its own change %+v", c)
	case c := <-heardB:
		t.Errorf("unexpected change %+v", c)
	case <-time.After(300 * time.Millisecond):
	}
}

// TestPGFeedLease: one store at a time holds the feed lease; when it
// closes (its process dies), another takes the lease at its next try.
func TestPGFeedLease(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	a, err := OpenPG(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenPG(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for i, want := range []struct{ a, b bool }{{true, false}, {true, false}} {
		ha, err1 := a.HoldFeedLease(ctx)
		hb, err2 := b.HoldFeedLease(ctx)
		if err1 != nil || err2 != nil || ha != want.a || hb != want.b {
			t.Fatalf("try %d: a %v (%v), b %v (%v); want %v, %v", i, ha, err1, hb, err2, want.a, want.b)
		}
	}
	a.Close()
	if hb, err := b.HoldFeedLease(ctx); err != nil || !hb {
		t.Errorf("after the holder closed: b holds %v (%v), want true", hb, err)
	}
}

func TestShardOf(t *testing.T) {
	for _, tc := range []struct {
		scope string
		count int
		want  int
	}{
		{GlobalScope, 2, -1},
		{"not-a-guild", 2, -1},
		{"81384788765712384", 1, 0},
		{"81384788765712384", 2, 0}, // Discord's documented example guild
		{"111111111111111111", 2, 1},
		{"222222222222222222", 4, 3},
	} {
		if got := ShardOf(tc.scope, tc.count); got != tc.want {
			t.Errorf("ShardOf(%q, %d) = %d, want %d", tc.scope, tc.count, got, tc.want)
		}
	}
}

// TestPGLongIDAnnounced: an article whose ID or scope is too long for a
// NOTIFY payload (8000 bytes) is added on PostgreSQL as on SQLite, and the other
// processes are still told: with a resync, since the ID does not fit.
func TestPGLongIDAnnounced(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := pgtest.URL(t)
	a, err := OpenPG(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := OpenPG(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	heard := make(chan Change, 10)
	go b.Listen(ctx, slog.New(slog.DiscardHandler), func(c Change) { heard <- c })
	select {
	case <-heard: // the listener's first resync
	case <-time.After(5 * time.Second):
		t.Fatal("no resync within 5 s of starting to listen")
	}
	for _, tc := range []struct{ name, scope, id string }{
		{"long ID", "guildA", strings.Repeat("a", 9000)},
		{"long scope", strings.Repeat("9", 9000), "canal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			art := testArticle(tc.id, tc.scope, "Canal", "The canal opened in May, "+tc.name+".")
			if err := conformAdd(a, art, AddOptions{}); err != nil {
				t.Fatalf("add: %v", err)
			}
			select {
			case c := <-heard:
				if !c.Resync() || c.Origin == "" {
					t.Errorf("heard %+v, want a resync", c)
				}
			case <-time.After(2 * time.Second):
				t.Fatal("the add was not announced within 2 s")
			}
			if _, found, err := b.Load(ctx, "test", tc.scope, tc.id); err != nil || !found {
				t.Errorf("Load through the other store: found %v, %v", found, err)
			}
		})
	}
}
