package rag

import (
	"slices"
	"strings"
	"sync"

	"github.com/briefbot/briefbot/corpus"
)

// titles is an in-memory list of the indexed articles' titles per scope,
// newest first, for autocomplete: Discord asks on every keystroke, and
// reading the store for each took 0.4 s at 30,000 articles. It has its own
// lock so that a long index write doesn't stall typing.
type titles struct {
	mu      sync.RWMutex
	byScope map[string]*titleList
}

// titleList is one scope's articles; sorted newest first unless dirty
// (adds append, and the next lookup sorts once: sorting on every add made
// the start-up load of a large store quadratic). text holds every
// article's lower-cased ID and title, one line each in list order, so a
// lookup is one strings.Index pass over a single buffer instead of a call
// per title: 30,000 titles are about 2 MB.
type titleList struct {
	items  []*corpus.Article // shared with the index, never changed
	ids    map[string]bool
	dirty  bool
	text   string
	starts []int // offset of each item's line in text
}

func newer(x, y *corpus.Article) int {
	if c := y.Published.Compare(x.Published); c != 0 {
		return c
	}
	if c := y.AddedAt.Compare(x.AddedAt); c != 0 {
		return c
	}
	return strings.Compare(x.ID, y.ID)
}

// add inserts or replaces an article.
func (t *titles) add(a *corpus.Article) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byScope == nil {
		t.byScope = map[string]*titleList{}
	}
	l := t.byScope[a.Scope]
	if l == nil {
		l = &titleList{ids: map[string]bool{}}
		t.byScope[a.Scope] = l
	}
	if l.ids[a.ID] {
		l.items = slices.DeleteFunc(l.items, func(e *corpus.Article) bool { return e.ID == a.ID })
	}
	l.ids[a.ID] = true
	l.items = append(l.items, a)
	l.dirty = true
}

func (t *titles) remove(scope, id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if l := t.byScope[scope]; l != nil && l.ids[id] {
		l.items = slices.DeleteFunc(l.items, func(e *corpus.Article) bool { return e.ID == id })
		delete(l.ids, id)
		l.dirty = true
	}
}

// sorted brings every dirty list of scopes into order and rebuilds its text.
func (t *titles) sorted(scopes []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, sc := range scopes {
		l := t.byScope[sc]
		if l == nil || !l.dirty {
			continue
		}
		slices.SortFunc(l.items, newer)
		var b strings.Builder
		l.starts = l.starts[:0]
		for _, a := range l.items {
			l.starts = append(l.starts, b.Len())
			b.WriteString(strings.ToLower(oneLineID(a.ID) + "\x00" + oneLineID(a.Title)))
			b.WriteByte('\n')
		}
		l.text, l.dirty = b.String(), false
	}
}

// oneLineID keeps a line break out of the text, where it separates items.
func oneLineID(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// matches returns up to limit of the list's items whose line contains q.
func (l *titleList) matches(q string, limit int) []*corpus.Article {
	if q == "" {
		return l.items[:min(limit, len(l.items))]
	}
	var out []*corpus.Article
	for pos := 0; len(out) < limit; {
		i := strings.Index(l.text[pos:], q)
		if i < 0 {
			break
		}
		k, found := slices.BinarySearch(l.starts, pos+i)
		if !found {
			k--
		}
		out = append(out, l.items[k])
		if k+1 == len(l.starts) {
			break
		}
		pos = l.starts[k+1]
	}
	return out
}

// find returns up to limit articles visible from scopes whose ID or title
// contains query (case-insensitive), newest first.
func (t *titles) find(scopes []string, query string, limit int) []corpus.Article {
	scopes = slices.Compact(slices.Sorted(slices.Values(scopes)))
	t.sorted(scopes)
	q := strings.ToLower(oneLineID(strings.TrimSpace(query)))
	t.mu.RLock()
	defer t.mu.RUnlock()
	var hits []*corpus.Article
	for _, sc := range scopes {
		if l := t.byScope[sc]; l != nil {
			hits = append(hits, l.matches(q, limit)...)
		}
	}
	slices.SortFunc(hits, newer)
	out := make([]corpus.Article, 0, min(len(hits), limit))
	for _, a := range hits[:min(len(hits), limit)] {
		out = append(out, corpus.Article{ID: a.ID, Scope: a.Scope, Title: a.Title, Published: a.Published,
			DateGuessed: a.DateGuessed, AddedAt: a.AddedAt})
	}
	return out
}

// Titles returns up to limit articles visible from exactly scopes whose ID
// or title contains query (case-insensitive), newest first, from memory:
// for autocomplete. The articles carry ID, Scope, Title and dates only.
func (e *Engine) Titles(scopes []string, query string, limit int) []corpus.Article {
	return e.index.titles.find(scopes, query, limit)
}
