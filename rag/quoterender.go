package rag

// This file formats an extractive answer's quotes: their numbers, date
// labels and order, and the citations that point into the stored text.

import (
	"sort"
	"strings"
	"time"

	"github.com/briefbot/briefbot/corpus"
)

// renderQuotes numbers and formats the chosen quotes. When they come from
// articles of different dates, each is labelled with its date, the newest
// marked, and when every article quoted matches the question about as well
// as the best (see successive), they are ordered oldest first, so that a
// reader sees which report updates which; otherwise the best stays first.
// A date that was only guessed (the day the article was added) orders
// nothing: its quotes come last, labelled "added …".
func renderQuotes(r retrieval, chosen []sentence) (string, []Citation) {
	known := func(s sentence) (time.Time, bool) {
		a := r.hits[s.hit].Article
		return a.Published, !a.DateGuessed && !a.Published.IsZero()
	}
	dated := distinctDates(r, chosen) > 1
	if dated && successive(r, chosen) {
		sort.SliceStable(chosen, func(i, j int) bool {
			di, oki := known(chosen[i])
			dj, okj := known(chosen[j])
			return oki && (!okj || di.Before(dj))
		})
	}
	newest := -1
	for i, s := range chosen {
		if d, ok := known(s); ok && dated && (newest < 0 || d.After(r.hits[chosen[newest].hit].Article.Published)) {
			newest = i
		}
	}
	var b strings.Builder
	var cites []Citation
	for i, s := range chosen {
		c := quoteOf(r.hits[s.hit].Article, s.start, s.end)
		c.N = i + 1
		cites = append(cites, c)
		if i > 0 {
			b.WriteString("\n")
		}
		if dated {
			b.WriteString(dateLabel(c))
			if i == newest {
				b.WriteString(" (newest)")
			}
			b.WriteString(": ")
		}
		b.WriteString("“" + c.Quote + "” [" + itoa(c.N) + "]")
	}
	return b.String(), cites
}

// dateLabel is how a quote's date reads in front of it.
func dateLabel(c Citation) string {
	switch {
	case c.Published.IsZero():
		return "undated"
	case c.DateGuessed:
		return "added " + c.Published.Format("2006-01-02")
	}
	return c.Published.Format("2006-01-02")
}

// successive reports whether the articles quoted read as successive
// reports on one topic, to be ordered by date: each has a quote holding
// all but one of the words the best quote holds, and two at least (when
// the best holds two). A match on one word ("Harry Potter series" for
// "Who won the World Series?") would otherwise come first for being older.
func successive(r retrieval, chosen []sentence) bool {
	most := map[*corpus.Article]int{}
	top := 0
	for _, s := range chosen {
		a := r.hits[s.hit].Article
		most[a] = max(most[a], s.words)
		top = max(top, s.words)
	}
	for _, n := range most {
		if n < top-1 || n < min(2, top) {
			return false
		}
	}
	return true
}

func distinctDates(r retrieval, chosen []sentence) int {
	days := map[time.Time]bool{}
	for _, s := range chosen {
		days[r.hits[s.hit].Article.Published] = true
	}
	return len(days)
}

// quoteOf cites body[start:end] of a as an extractive quote: our stored
// text, so verified, shown whole (one span).
func quoteOf(a *corpus.Article, start, end int) Citation {
	c := citationFor(a, start, end)
	c.Verified, c.Spans = true, []Span{{Start: start, End: end}}
	return c
}

// citationFor cites body[start:end] of a; the quote is our stored text.
func citationFor(a *corpus.Article, start, end int) Citation {
	return Citation{
		ArticleID: a.ID, Title: a.Title, URL: a.URL, Source: a.Source,
		Published: a.Published, DateGuessed: a.DateGuessed,
		Quote: a.Body[start:end], Start: start, End: end,
	}
}
