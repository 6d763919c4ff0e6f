package rag

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/corpus"
)

// Benchmarks of issue 7 (figures and commands in the README):
//
//	go test ./rag -run '^$' -bench 'Retrieve' -benchmem -benchtime 5x
//	go test ./rag -run '^$' -bench 'Ingest|ColdStart' -benchmem -benchtime 3x
//
// The corpora are synthetic and deterministic: news-like passages of about
// 200 words drawn from a Zipf distribution over a fixed vocabulary, so the
// BM25 posting lists of common words are as long as in real news.

// benchVocab is a deterministic vocabulary: frequent news words first (the
// Zipf head), then made-up words of two to four syllables.
func benchVocab() []string {
	head := strings.Fields(`said government minister president year people new police court election
		state country report officials million percent week city company market prices war military
		health public national party law bank economy attack security vote trade energy workers
		campaign leader talks deal crisis forces border agency minister climate oil gas union`)
	syll := strings.Fields("ba ko ri tan mel vor sa lin dra pe gu zo ner fa chi lo men tis ar ul")
	r := rand.New(rand.NewPCG(7, 7))
	seen := map[string]bool{}
	out := append([]string(nil), head...)
	for _, w := range head {
		seen[w] = true
	}
	for len(out) < 30000 {
		var sb strings.Builder
		for range 2 + r.IntN(3) {
			sb.WriteString(syll[r.IntN(len(syll))])
		}
		if w := sb.String(); !seen[w] && !stopwords[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// synth generates articles of paras paragraphs of about 200 words each;
// corpus.Split makes one passage of each paragraph.
type synth struct {
	vocab []string
	r     *rand.Rand
	zipf  *rand.Zipf
}

func newSynth(seed uint64) *synth {
	v := benchVocab()
	r := rand.New(rand.NewPCG(seed, 1))
	return &synth{vocab: v, r: r, zipf: rand.NewZipf(r, 1.05, 2, uint64(len(v)-1))}
}

func (s *synth) word() string { return s.vocab[s.zipf.Uint64()] }

func (s *synth) sentence(sb *strings.Builder, n int) {
	for i := range n {
		w := s.word()
		if i == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		} else {
			sb.WriteByte(' ')
			if s.r.IntN(3) == 0 { // stopwords, as in prose
				sb.WriteString([]string{"the", "of", "and", "in", "to", "a"}[s.r.IntN(6)] + " ")
			}
		}
		sb.WriteString(w)
	}
	sb.WriteString(". ")
}

func (s *synth) article(i, paras int) corpus.Article {
	var title, body strings.Builder
	s.sentence(&title, 6)
	for p := range paras {
		if p > 0 {
			body.WriteString("\n\n")
		}
		for range 10 {
			s.sentence(&body, 14+s.r.IntN(4))
		}
	}
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%700)
	return corpus.Article{
		ID: fmt.Sprintf("a%06d", i), Title: strings.TrimSpace(title.String()), Source: fmt.Sprintf("Source %d", i%20),
		Published: day, AddedAt: day, Body: strings.TrimSpace(body.String()),
	}
}

// question draws a few words of a passage: a question the corpus covers.
func (s *synth) question(text string) string {
	ws := strings.Fields(text)
	parts := make([]string, 0, 8)
	for range 8 {
		parts = append(parts, strings.Trim(ws[s.r.IntN(len(ws))], ".,"))
	}
	return "What happened with " + strings.Join(parts, " ") + "?"
}

// randEmbedder returns deterministic unit vectors of dims dimensions seeded
// by the text: the size and cost of a neural embedding's vectors, for the
// vector side of retrieval.
type randEmbedder struct{ dims int }

func (e randEmbedder) Name() string { return fmt.Sprintf("bench-rand-%d", e.dims) }

func (e randEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		h := fnv.New64a()
		h.Write([]byte(t))
		r := rand.New(rand.NewPCG(h.Sum64(), 3))
		v := make([]float32, e.dims)
		for j := range v {
			v[j] = float32(r.NormFloat64())
		}
		out[i] = normalize(v)
	}
	return out, nil
}

// benchIndex is an engine whose in-memory index holds n synthetic passages
// embedded by emb, added through the same index.add as a start-up load;
// the store is not involved in retrieval. heap is the live heap it added.
type benchIndex struct {
	e         *Engine
	questions []string
	heap      uint64
}

var benchIndexCache struct {
	key string
	ix  *benchIndex
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// getBenchIndex builds (once per size; the previous one is dropped to
// bound memory) an index of n passages.
func getBenchIndex(b *testing.B, n int, emb Embedder) *benchIndex {
	key := fmt.Sprintf("%d/%s", n, emb.Name())
	if benchIndexCache.key == key {
		return benchIndexCache.ix
	}
	benchIndexCache.ix, benchIndexCache.key = nil, ""
	ctx := context.Background()
	start := time.Now()
	before := liveHeap()
	s := newSynth(42)
	const paras = 5
	arts := make([]corpus.Article, 0, n/paras)
	var ps [][]corpus.Passage
	var texts []string
	for i := 0; len(texts) < n; i++ {
		a := s.article(i, paras)
		p := corpus.Split(a)
		if len(texts)+len(p) > n {
			p = p[:n-len(texts)]
		}
		arts, ps = append(arts, a), append(ps, p)
		for _, x := range p {
			texts = append(texts, x.Text)
		}
	}
	vecs, err := emb.Embed(ctx, texts)
	if err != nil {
		b.Fatal(err)
	}
	texts = nil
	an := newAnalyzer()
	e := &Engine{emb: emb, an: an, index: newIndex(an), logger: discard()}
	e.cfg.defaults()
	off := 0
	for i := range arts {
		if err := e.index.add(ctx, e.an, &arts[i], ps[i], vecs[off:off+len(ps[i])]); err != nil {
			b.Fatal(err)
		}
		off += len(ps[i])
	}
	bi := &benchIndex{e: e}
	qs := newSynth(99)
	for i := range 32 {
		bi.questions = append(bi.questions, qs.question(ps[(i*7919)%len(ps)][0].Text))
	}
	vecs = nil
	bi.heap = liveHeap() - before
	b.Logf("built index of %d passages (%s) in %v", n, emb.Name(), time.Since(start).Round(time.Millisecond))
	benchIndexCache.ix, benchIndexCache.key = bi, key
	return bi
}

// BenchmarkRetrieve compares our hybrid retrieval with chromem-go's own
// QueryEmbedding for the top 5 on the same vectors and query vector, in the
// same run: x_chromem is hybrid's time over chromem's. B/passage is the
// index's live heap per passage (text, BM25, vectors); vecB/passage is the
// bare vector.
func BenchmarkRetrieve(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{1_000, 10_000, 100_000} {
		for _, dims := range []int{384, 1536} {
			b.Run(fmt.Sprintf("passages=%d/dims=%d", n, dims), func(b *testing.B) {
				var bare float64
				b.Run("chromem", func(b *testing.B) {
					bi := getBenchIndex(b, n, randEmbedder{dims})
					col := bi.e.index.cols[corpus.GlobalScope]
					qv, _ := bi.e.emb.Embed(ctx, bi.questions)
					for i := 0; b.Loop(); i++ {
						if _, err := col.QueryEmbedding(ctx, qv[i%len(qv)], 5, nil, nil); err != nil {
							b.Fatal(err)
						}
					}
					bare = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
					b.ReportMetric(float64(bi.heap)/float64(n), "B/passage")
					b.ReportMetric(float64(4*dims), "vecB/passage")
				})
				asked := time.Now() // the moment of asking is always known in use: time words are parsed
				for _, mode := range []string{RetrieveBM25, RetrieveHybrid} {
					b.Run(mode, func(b *testing.B) {
						bi := getBenchIndex(b, n, randEmbedder{dims})
						for i := 0; b.Loop(); i++ {
							r, err := bi.e.retrieve(ctx, Question{Text: bi.questions[i%len(bi.questions)], Asked: asked}, 5, mode)
							if err != nil || len(r.hits) != 5 {
								b.Fatalf("retrieve: %d hits, %v", len(r.hits), err)
							}
						}
						if bare > 0 {
							b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/bare, "x_chromem")
						}
					})
				}
			})
		}
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// openBenchStore opens a store in a new directory under dir.
func openBenchStore(b *testing.B, dir string) *corpus.Store {
	st, err := corpus.Open(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	return st
}

// ingest adds arts through Engine.AddMany in batches, as `briefbot ingest`
// of a directory does, and returns the passages added.
func ingest(b *testing.B, e *Engine, arts []corpus.Article) int {
	n := 0
	for i := 0; i < len(arts); i += 500 {
		for _, r := range e.AddMany(context.Background(), arts[i:min(i+500, len(arts))], corpus.AddOptions{}) {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
			n += r.Passages
		}
	}
	return n
}

func synthArticles(seed uint64, from, n int) []corpus.Article {
	s := newSynth(seed)
	out := make([]corpus.Article, n)
	for i := range out {
		out[i] = s.article(from+i, 5)
	}
	return out
}

// BenchmarkIngestLocal adds 1,000 passages (200 articles) with the local
// embedder to a new store on disk per op: split, embed, one transaction per
// article (synchronous=FULL), index.
func BenchmarkIngestLocal(b *testing.B) {
	arts := synthArticles(5, 0, 200)
	passages := 0
	for b.Loop() {
		b.StopTimer()
		st := openBenchStore(b, b.TempDir())
		e, err := New(context.Background(), st, NewLocalEmbedder(0), Config{}, discard())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		passages += ingest(b, e, arts)
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(passages)/b.Elapsed().Seconds(), "passages/s")
}

// slowEmbeddings is an OpenAI-compatible embeddings server on 127.0.0.1
// that answers each request after delay with dims-dimensional vectors.
func slowEmbeddings(b *testing.B, delay time.Duration, dims int) (*httptest.Server, *atomic.Int64) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		var req struct {
			Input []string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		vecs, _ := randEmbedder{dims}.Embed(r.Context(), req.Input)
		data := make([]map[string]any, len(vecs))
		for i, v := range vecs {
			data[i] = map[string]any{"object": "embedding", "index": i, "embedding": v}
		}
		time.Sleep(delay)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": "m",
			"usage": map[string]int{"prompt_tokens": 1, "total_tokens": 1}})
	}))
	b.Cleanup(srv.Close)
	return srv, &requests
}

// BenchmarkIngestOpenAI adds 1,000 passages per op with the OpenAI
// embedder (1,536 dimensions) against a fake server answering in 50 ms.
func BenchmarkIngestOpenAI(b *testing.B) {
	srv, requests := slowEmbeddings(b, 50*time.Millisecond, 1536)
	client := NewOpenAIClient(OpenAIConfig{BaseURL: srv.URL + "/v1"}, discard())
	arts := synthArticles(6, 0, 200)
	passages := 0
	for b.Loop() {
		b.StopTimer()
		st := openBenchStore(b, b.TempDir())
		e, err := New(context.Background(), st, NewOpenAIEmbedder(client, "text-embedding-3-small"), Config{}, discard())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		passages += ingest(b, e, arts)
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(requests.Load())*1000/float64(passages), "requests/1k")
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(passages), "s/1k")
}

// countEmbedder counts Embed calls.
type countEmbedder struct {
	Embedder
	calls atomic.Int64
}

func (c *countEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	c.calls.Add(1)
	return c.Embedder.Embed(ctx, texts)
}

// EmbedQuery keeps the local embedder's query weighting.
func (c *countEmbedder) EmbedQuery(text string, weight func(string) float64) []float32 {
	return c.Embedder.(queryEmbedder).EmbedQuery(text, weight)
}

// BenchmarkColdStart measures, with 100,000 passages stored on disk (local
// embedder, 512 dimensions), the time from opening the store to the first
// answer. The store is built once through Engine.AddMany; the page cache
// is warm. embeds/op must be 0: a restart embeds nothing.
func BenchmarkColdStart(b *testing.B) {
	dir, err := os.MkdirTemp("", "briefbot-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	benchColdStart(b, func() benchStore { return openBenchStore(b, dir) })
}

// benchStore is a store a benchmark opens and closes again.
type benchStore interface {
	Store
	Close() error
}

// benchColdStart stores 100,000 passages through one store from open,
// then times, per op, opening another and answering a first question.
func benchColdStart(b *testing.B, open func() benchStore) {
	const n = 100_000
	ctx := context.Background()
	st := open()
	e, err := New(ctx, st, NewLocalEmbedder(0), Config{}, discard())
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	stored := ingest(b, e, synthArticles(11, 0, n/5))
	b.Logf("stored %d passages through AddMany in %v (%.0f passages/s)", stored,
		time.Since(start).Round(time.Millisecond), float64(stored)/time.Since(start).Seconds())
	st.Close()
	question := newSynth(3).question(synthArticles(11, 0, 1)[0].Body)
	var embeds int64
	for b.Loop() {
		st := open()
		emb := &countEmbedder{Embedder: NewLocalEmbedder(0)}
		e, err := New(ctx, st, emb, Config{}, discard())
		if err != nil {
			b.Fatal(err)
		}
		ans, err := e.Answer(ctx, Question{Text: question})
		if err != nil || len(ans.Passages) == 0 {
			b.Fatalf("first answer: %d passages, %v", len(ans.Passages), err)
		}
		embeds += emb.calls.Load()
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(embeds)/float64(b.N), "embeds/op")
}
