package rag

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/briefbot/briefbot/corpus"
)

// TestTitlesFollowAddsAndRemoves: the title list answers from memory and
// follows the engine's adds and removes, per scope, newest first.
func TestTitlesFollowAddsAndRemoves(t *testing.T) {
	ctx := context.Background()
	e, _ := newTestEngine(t, t.TempDir(), NewLocalEmbedder(64))
	day := func(d int) time.Time { return time.Date(2025, 3, d, 0, 0, 0, 0, time.UTC) }
	for _, a := range []corpus.Article{
		{ID: "g-old", Scope: corpus.GlobalScope, Title: "Grain deal renewed", Body: "The grain deal was renewed.", Published: day(1)},
		{ID: "g-new", Scope: corpus.GlobalScope, Title: "Grain prices fall", Body: "Grain prices fell sharply.", Published: day(9)},
		{ID: "a-own", Scope: "guildA", Title: "Grain in server A", Body: "Server A's grain notes.", Published: day(5)},
		{ID: "b-own", Scope: "guildB", Title: "Grain in server B", Body: "Server B's grain notes.", Published: day(6)},
	} {
		if _, _, err := e.Add(ctx, a, corpus.AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(arts []corpus.Article) []string {
		var out []string
		for _, a := range arts {
			out = append(out, a.ID)
		}
		return out
	}
	cases := []struct {
		scopes []string
		query  string
		limit  int
		want   string
	}{
		{[]string{corpus.GlobalScope, "guildA"}, "GRAIN", 25, "[g-new a-own g-old]"},
		{[]string{corpus.GlobalScope, "guildA"}, "grain", 2, "[g-new a-own]"},
		{[]string{"guildA"}, "", 25, "[a-own]"},
		{[]string{corpus.GlobalScope}, "g-ol", 25, "[g-old]"},
		{[]string{corpus.GlobalScope}, "lithium", 25, "[]"},
	}
	for _, tc := range cases {
		if got := fmt.Sprint(ids(e.Titles(tc.scopes, tc.query, tc.limit))); got != tc.want {
			t.Errorf("Titles(%v, %q, %d) = %s, want %s", tc.scopes, tc.query, tc.limit, got, tc.want)
		}
	}
	if _, err := e.Remove(ctx, []string{corpus.GlobalScope}, "g-new"); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(ids(e.Titles([]string{corpus.GlobalScope}, "grain", 25))); got != "[g-old]" {
		t.Errorf("after remove: %s, want [g-old]", got)
	}
}

// BenchmarkTitles30k is one autocomplete keystroke against 30,000 articles
// in two scopes: a query matching few titles (the whole list is scanned),
// and an empty one (the newest 25). The first lookup after adds sorts once.
func BenchmarkTitles30k(b *testing.B) {
	var ti titles
	for i := range 30000 {
		scope := corpus.GlobalScope
		if i%3 == 0 {
			scope = "guild"
		}
		ti.add(&corpus.Article{ID: fmt.Sprintf("art-%05d", i), Scope: scope,
			Title:     fmt.Sprintf("Briefing %d on markets, shipping and energy policy in region %d", i, i%97),
			Published: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%2000)})
	}
	scopes := []string{corpus.GlobalScope, "guild"}
	ti.find(scopes, "", 25)
	for _, q := range []string{"region 42", "", "no such title"} {
		b.Run(fmt.Sprintf("query=%q", q), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if got := ti.find(scopes, q, 25); q != "no such title" && len(got) != 25 {
					b.Fatalf("%d choices", len(got))
				}
			}
		})
	}
}
