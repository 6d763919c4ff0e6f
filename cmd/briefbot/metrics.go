package main

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/rag"
)

// metrics are what `briefbot serve` exposes on /metrics, in a registry of
// its own (no global state): counted where serve wires the parts
// together, so the packages that do the work need no Prometheus code.
type metrics struct {
	reg         *prometheus.Registry
	questions   prometheus.Counter
	refusals    prometheus.Counter
	latency     prometheus.Histogram
	embedCalls  prometheus.Counter
	embedErrors prometheus.Counter
	llmCalls    *prometheus.CounterVec
	llmErrors   *prometheus.CounterVec
	discord429  prometheus.Counter
	feedPolls   *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		questions: prometheus.NewCounter(prometheus.CounterOpts{Name: "briefbot_questions_total",
			Help: "Questions answered (Discord /ask, mentions and DMs)."}),
		refusals: prometheus.NewCounter(prometheus.CounterOpts{Name: "briefbot_refusals_total",
			Help: "Questions answered with \"the briefings don't cover this\"."}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "briefbot_answer_seconds",
			Help:    "Time to answer a question, from the question to the whole answer.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 45, 90}}),
		embedCalls: prometheus.NewCounter(prometheus.CounterOpts{Name: "briefbot_embedding_calls_total",
			Help: "Calls to the embedder (each may carry many texts)."}),
		embedErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "briefbot_embedding_errors_total",
			Help: "Calls to the embedder that failed."}),
		llmCalls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "briefbot_llm_requests_total",
			Help: "HTTP requests to the OpenAI-compatible API, retries included, by endpoint."}, []string{"endpoint"}),
		llmErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "briefbot_llm_errors_total",
			Help: "Requests to the OpenAI-compatible API that failed (no answer, or status 4xx/5xx), by endpoint."}, []string{"endpoint"}),
		discord429: prometheus.NewCounter(prometheus.CounterOpts{Name: "briefbot_discord_rate_limited_total",
			Help: "Discord REST answers with status 429 (rate limited)."}),
		feedPolls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "briefbot_feed_polls_total",
			Help: "Feed polls by outcome (ok, error)."}, []string{"outcome"}),
	}
	m.reg.MustRegister(m.questions, m.refusals, m.latency, m.embedCalls, m.embedErrors, m.llmCalls, m.llmErrors,
		m.discord429, m.feedPolls,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// watchPassages reports count's passages per scope on every scrape.
func (m *metrics) watchPassages(count func() map[string]int) {
	m.reg.MustRegister(passageCollector{count})
}

var passagesDesc = prometheus.NewDesc("briefbot_passages", "Passages in this process's index, by scope (global or a Discord server ID).",
	[]string{"scope"}, nil)

// passageCollector reports the passages per scope when scraped.
type passageCollector struct{ count func() map[string]int }

func (c passageCollector) Describe(ch chan<- *prometheus.Desc) { ch <- passagesDesc }

func (c passageCollector) Collect(ch chan<- prometheus.Metric) {
	for scope, n := range c.count() {
		if scope == corpus.GlobalScope {
			scope = "global"
		}
		ch <- prometheus.MustNewConstMetric(passagesDesc, prometheus.GaugeValue, float64(n), scope)
	}
}

// observeAnswer counts one answered question.
func (m *metrics) observeAnswer(took time.Duration, ans rag.Answer, err error) {
	m.questions.Inc()
	m.latency.Observe(took.Seconds())
	if err == nil && ans.Refused {
		m.refusals.Inc()
	}
}

// countEmbeds wraps emb to count its Embed calls and their failures. The
// local embedder keeps its own type inside the wrapper, so that the engine
// still sees its query-side method (EmbedQuery).
func (m *metrics) countEmbeds(emb rag.Embedder) rag.Embedder {
	if local, ok := emb.(*rag.LocalEmbedder); ok {
		return countedLocal{LocalEmbedder: local, m: m}
	}
	return countedEmbedder{Embedder: emb, m: m}
}

func (m *metrics) countEmbed(out [][]float32, err error) ([][]float32, error) {
	m.embedCalls.Inc()
	if err != nil {
		m.embedErrors.Inc()
	}
	return out, err
}

// countedEmbedder counts the calls to an API embedder and their failures.
type countedEmbedder struct {
	rag.Embedder
	m *metrics
}

func (e countedEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	return e.m.countEmbed(e.Embedder.Embed(ctx, texts))
}

// countedLocal is countedEmbedder for the local embedder.
type countedLocal struct {
	*rag.LocalEmbedder
	m *metrics
}

func (e countedLocal) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	return e.m.countEmbed(e.LocalEmbedder.Embed(ctx, texts))
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// observeLLM wraps the OpenAI client's transport: every attempt counts,
// by endpoint (the last element of the path: completions, embeddings).
func (m *metrics) observeLLM(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		endpoint := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		m.llmCalls.WithLabelValues(endpoint).Inc()
		resp, err := next.RoundTrip(r)
		if err != nil || resp.StatusCode >= 400 {
			m.llmErrors.WithLabelValues(endpoint).Inc()
		}
		return resp, err
	})
}

// observeDiscord wraps the transport of Discord REST calls to count 429s.
func (m *metrics) observeDiscord(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		if err == nil && resp.StatusCode == http.StatusTooManyRequests {
			m.discord429.Inc()
		}
		return resp, err
	})
}

// countedPolls counts each feed poll as it is saved: a poll ends by
// saving the feed's state, with its error if it failed.
type countedPolls struct {
	corpus.FeedStore
	m *metrics
}

func (c countedPolls) UpdateFeed(ctx context.Context, f corpus.Feed) error {
	outcome := "ok"
	if f.LastError != "" {
		outcome = "error"
	}
	c.m.feedPolls.WithLabelValues(outcome).Inc()
	return c.FeedStore.UpdateFeed(ctx, f)
}
