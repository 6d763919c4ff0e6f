package bot

// Test-only doubles of the rag engine and the corpus store. They are
// deliberately simple; the real ones are tested in rag/ and corpus/.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/rag"
)

// memLibrary keeps articles in memory and honours scopes like the real store.
type memLibrary struct {
	mu      sync.Mutex
	arts    []corpus.Article
	next    int
	batches []int // sizes of the AddMany calls

}

func visible(a corpus.Article, scopes []string) bool { return slices.Contains(scopes, a.Scope) }

func (l *memLibrary) Add(_ context.Context, a corpus.Article) (corpus.Article, int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if strings.TrimSpace(a.Body) == "" {
		return corpus.Article{}, 0, fmt.Errorf("add %q: %w", a.Title, corpus.ErrEmpty)
	}
	a.Hash = corpus.ContentHash(a.Title, a.Body)
	for _, o := range l.arts {
		if o.Hash == a.Hash && o.Scope == a.Scope {
			return corpus.Article{}, 0, fmt.Errorf("add %q: %w", a.Title, corpus.ErrDuplicate)
		}
	}
	if a.ID == "" {
		l.next++
		a.ID = fmt.Sprintf("art-%d", l.next)
	}
	l.arts = append(l.arts, a)
	return a, len(strings.Split(strings.TrimSpace(a.Body), "\n\n")), nil
}

// AddMany adds each article, counting the batches it was given.
func (l *memLibrary) AddMany(ctx context.Context, arts []corpus.Article) []rag.Added {
	l.mu.Lock()
	l.batches = append(l.batches, len(arts))
	l.mu.Unlock()
	out := make([]rag.Added, len(arts))
	for i, a := range arts {
		out[i].Article, out[i].Passages, out[i].Err = l.Add(ctx, a)
		if out[i].Err != nil {
			out[i].Article = a
		}
	}
	return out
}

func (l *memLibrary) Remove(_ context.Context, scopes []string, id string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, a := range l.arts {
		if a.ID == id && visible(a, scopes) {
			l.arts = slices.Delete(l.arts, i, i+1)
			return nil
		}
	}
	return fmt.Errorf("remove %s: %w", id, corpus.ErrNotFound)
}

func (l *memLibrary) List(_ context.Context, scopes []string, query string) ([]corpus.Article, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []corpus.Article
	for _, a := range l.arts {
		if visible(a, scopes) && strings.Contains(strings.ToLower(a.Title), strings.ToLower(query)) {
			out = append(out, a)
		}
	}
	return out, nil
}

func (l *memLibrary) Get(_ context.Context, scopes []string, id string) (corpus.Article, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, a := range l.arts {
		if a.ID == id && visible(a, scopes) {
			return a, nil
		}
	}
	return corpus.Article{}, fmt.Errorf("get %s: %w", id, corpus.ErrNotFound)
}

func (l *memLibrary) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.arts)
}

// keywordAnswerer answers from the library: the visible article sharing the
// most words (of 4+ letters) with the question, quoting its first sentence.
// It streams its text word by word. Its other behaviours are set by each
// test on the fields below, never triggered by what a question says.
type keywordAnswerer struct {
	lib *memLibrary
	// gate, when set, holds every answer until it is closed.
	gate chan struct{}
	// err, when set, is every answer's error, as when the engine fails.
	err error
	// panics, when set, makes every answer panic, as a bug in the engine
	// would.
	panics bool
	// long, when set, makes every answer longer than two Discord messages
	// hold: 100 sentences citing 40 passages with long quotes.
	long bool
	// late, when set, makes every answer come only after ctx's deadline,
	// without an error, as the real engine's fallback does.
	late bool
	// modelTime, when set, is how long streaming an answer takes, as an
	// LLM's would; else 1 ms a word.
	modelTime time.Duration

	mu        sync.Mutex
	questions []rag.Question
}

var errEngine = errors.New("engine exploded")

func (k *keywordAnswerer) Answer(ctx context.Context, q rag.Question, onDelta func(string)) (rag.Answer, error) {
	k.mu.Lock()
	k.questions = append(k.questions, q)
	k.mu.Unlock()
	if k.late {
		<-ctx.Done()
	}
	if k.gate != nil {
		select {
		case <-k.gate:
		case <-ctx.Done():
			return rag.Answer{}, fmt.Errorf("answer: %w", ctx.Err())
		}
	}
	if k.err != nil {
		return rag.Answer{}, fmt.Errorf("answer: %w", k.err)
	}
	if k.panics {
		panic("keywordAnswerer was set to panic")
	}
	arts, _ := k.lib.List(ctx, q.Scopes, "")
	best, score := corpus.Article{}, 0
	for _, a := range arts {
		if s := overlap(q.Text, a.Title+" "+a.Body); s > score {
			best, score = a, s
		}
	}
	if score == 0 {
		return rag.Answer{Question: q.Text, Text: "The briefings don't cover that.", Refused: true, Mode: rag.ModeExtractive}, nil
	}
	quote, _, _ := strings.Cut(best.Body, ".")
	quote += "."
	cite := rag.Citation{N: 1, ArticleID: best.ID, Title: best.Title, URL: best.URL, Source: best.Source,
		Published: best.Published, Quote: quote, Start: 0, End: len(quote), Verified: true}
	a := rag.Answer{Question: q.Text, Mode: rag.ModeLLM, Text: "According to " + best.Title + ": " + quote + " [1]",
		Citations: []rag.Citation{cite}}
	if k.long {
		var long strings.Builder
		for i := range 100 {
			fmt.Fprintf(&long, "This sentence is part of a long answer that goes on [%d]. ", i%40+1)
		}
		a.Text = long.String()
		for n := 2; n <= 40; n++ {
			c := cite
			c.N, c.Quote = n, strings.Repeat(fmt.Sprintf("quote %d ", n), 40)
			a.Citations = append(a.Citations, c)
		}
	}
	var so strings.Builder
	words := strings.Fields(a.Text)
	pause := time.Millisecond
	if k.modelTime > 0 {
		pause = k.modelTime / time.Duration(len(words))
	}
	for _, w := range words {
		so.WriteString(w + " ")
		onDelta(so.String())
		time.Sleep(pause)
	}
	return a, nil
}

func overlap(q, text string) int {
	text = strings.ToLower(text)
	n := 0
	for _, w := range strings.Fields(strings.ToLower(q)) {
		w = strings.Trim(w, "?.,!")
		if len(w) >= 4 && strings.Contains(text, w) {
			n++
		}
	}
	return n
}

func (k *keywordAnswerer) asked() []rag.Question {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]rag.Question(nil), k.questions...)
}

// fetchFromMap is a test-only FetchFunc: known URLs give articles, others
// are unsupported.
func fetchFromMap(pages map[string]corpus.Article) FetchFunc {
	return func(_ context.Context, u string) (corpus.Article, error) {
		if a, ok := pages[u]; ok {
			return a, nil
		}
		return corpus.Article{}, fmt.Errorf("fetch %s: %w", u, corpus.ErrUnsupportedSource)
	}
}

// parseLines is a test-only ParseFunc: one article per file, the first
// line its title.
func parseLines(name string, data []byte, each func(corpus.Article) error) error {
	title, body, _ := strings.Cut(strings.TrimSpace(string(data)), "\n")
	return each(corpus.Article{Title: strings.TrimLeft(title, "# "), Body: strings.TrimSpace(body), Source: name})
}

func (l *memLibrary) last() corpus.Article {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.arts[len(l.arts)-1]
}
