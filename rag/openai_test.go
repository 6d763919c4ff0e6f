package rag

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

const testKey = "sk-test-0123456789abcdef"

// fakeAPI is an OpenAI-compatible server on 127.0.0.1 that records the
// requests it gets; handle answers the n-th (0-based) request.
type fakeAPI struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []recorded
	handle func(n int, r recorded, w http.ResponseWriter)
}

type recorded struct {
	Path string
	Auth string
	Body map[string]any
	Raw  []byte
	At   time.Time
}

func newFakeAPI(t *testing.T, handle func(n int, r recorded, w http.ResponseWriter)) *fakeAPI {
	t.Helper()
	f := &fakeAPI{handle: handle}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		rec := recorded{Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Raw: raw, At: time.Now()}
		_ = json.Unmarshal(raw, &rec.Body)
		f.mu.Lock()
		n := len(f.reqs)
		f.reqs = append(f.reqs, rec)
		f.mu.Unlock()
		f.handle(n, rec, w)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeAPI) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func (f *fakeAPI) client(t *testing.T, cfg OpenAIConfig) *openai.Client {
	t.Helper()
	cfg.BaseURL = f.URL + "/v1"
	if cfg.APIKey == "" {
		cfg.APIKey = testKey
	}
	return NewOpenAIClient(cfg, nil)
}

func (f *fakeAPI) host() string { return strings.TrimPrefix(f.URL, "http://") }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": "server_error"}})
}

// embeddingsOK answers an embeddings request with one 3-d vector per
// input: (length, 1, number of spaces), unnormalised.
func embeddingsOK(w http.ResponseWriter, r recorded) {
	var data []map[string]any
	for i, in := range r.Body["input"].([]any) {
		data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": testVector(in.(string))})
	}
	writeJSON(w, 200, map[string]any{"object": "list", "data": data, "model": r.Body["model"]})
}

func testVector(s string) []float32 {
	return []float32{float32(len(s)), 1, float32(strings.Count(s, " "))}
}

func TestClientRetries(t *testing.T) {
	tests := []struct {
		name     string
		cfg      OpenAIConfig
		handle   func(n int, r recorded, w http.ResponseWriter)
		timeout  time.Duration
		wantReqs int
		wantErr  []string // substrings of the error; nil means success
	}{
		{
			name: "503 then success, no Retry-After",
			cfg:  OpenAIConfig{MaxRetries: 1},
			handle: func(n int, r recorded, w http.ResponseWriter) {
				if n == 0 {
					apiError(w, 503, "overloaded")
					return
				}
				embeddingsOK(w, r)
			},
			wantReqs: 2,
		},
		{
			name: "500 every time",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				w.Header().Set("Retry-After", "0")
				apiError(w, 500, "The server had an error")
			},
			wantReqs: 4,
			wantErr:  []string{"OpenAI-compatible API at 127.0.0.1:", "HTTP 500", "after 4 attempts", "The server had an error", "check that it is running"},
		},
		{
			name: "401 is not retried and the echoed key is redacted",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				apiError(w, 401, "Incorrect API key provided: "+testKey+". You can find your API key at ...")
			},
			wantReqs: 1,
			wantErr:  []string{"HTTP 401", "check the API key", "[redacted]"},
		},
		{
			name: "404 unknown model, Ollama-style error",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				writeJSON(w, 404, map[string]any{"error": `model "nomic-embed" not found, try pulling it first`})
			},
			wantReqs: 1,
			wantErr:  []string{"HTTP 404", `model "nomic-embed" not found`, "check the model name"},
		},
		{
			name: "Retry-After past the deadline gives up at once",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				w.Header().Set("Retry-After", "30")
				apiError(w, 429, "slow down")
			},
			timeout:  5 * time.Second,
			wantReqs: 1,
			wantErr:  []string{"HTTP 429", "would pass the deadline", "rate limiting"},
		},
		{
			name: "slow first attempt times out and is retried",
			cfg:  OpenAIConfig{Timeout: 200 * time.Millisecond, MaxRetries: 1},
			handle: func(n int, r recorded, w http.ResponseWriter) {
				if n == 0 {
					time.Sleep(time.Second)
				}
				embeddingsOK(w, r)
			},
			wantReqs: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t, tc.handle)
			emb := NewOpenAIEmbedder(api.client(t, tc.cfg), "text-embedding-3-small")
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			vecs, err := emb.Embed(ctx, []string{"the quick brown fox"})
			reqs := api.requests()
			if len(reqs) != tc.wantReqs {
				t.Errorf("server got %d requests, want %d", len(reqs), tc.wantReqs)
			}
			for i, r := range reqs {
				if string(r.Raw) != string(reqs[0].Raw) {
					t.Errorf("request %d body = %s, want the first body replayed: %s", i, r.Raw, reqs[0].Raw)
				}
			}
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("Embed: %v", err)
				}
				if want := normalize(testVector("the quick brown fox")); !equalVec(vecs[0], want) {
					t.Errorf("vector = %v, want %v", vecs[0], want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Embed succeeded, want an error containing %q", tc.wantErr)
			}
			for _, s := range tc.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if strings.Contains(err.Error(), testKey) || strings.Contains(err.Error(), testKey[len(testKey)-6:]) {
				t.Errorf("error %q reveals the API key", err)
			}
			var se *serverError
			if !errors.As(err, &se) || se.Host != api.host() {
				t.Errorf("error %v is not a *serverError naming host %s", err, api.host())
			}
		})
	}
}

// TestRetryAfterIsHonoured checks the client waited at least what the
// server asked before retrying.
func TestRetryAfterIsHonoured(t *testing.T) {
	api := newFakeAPI(t, func(n int, r recorded, w http.ResponseWriter) {
		if n == 0 {
			w.Header().Set("Retry-After", "1")
			apiError(w, 429, "Rate limit reached")
			return
		}
		embeddingsOK(w, r)
	})
	emb := NewOpenAIEmbedder(api.client(t, OpenAIConfig{}), "m")
	if _, err := emb.Embed(context.Background(), []string{"x"}); err != nil {
		t.Fatalf("Embed: %v", err)
	}
	reqs := api.requests()
	if len(reqs) != 2 {
		t.Fatalf("server got %d requests, want 2", len(reqs))
	}
	if gap := reqs[1].At.Sub(reqs[0].At); gap < 900*time.Millisecond {
		t.Errorf("retried after %s, want at least the 1s the server asked for", gap)
	}
}

func TestSlowServerReturnsByDeadline(t *testing.T) {
	release := make(chan struct{})
	api := newFakeAPI(t, func(n int, r recorded, w http.ResponseWriter) {
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
		embeddingsOK(w, r)
	})
	defer close(release)
	emb := NewOpenAIEmbedder(api.client(t, OpenAIConfig{}), "m")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := emb.Embed(ctx, []string{"x"})
	if err == nil {
		t.Fatal("Embed succeeded against a server that never answers")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v does not wrap context.DeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), api.host()) || !strings.Contains(err.Error(), "deadline") {
		t.Errorf("error %q should name the server and the deadline", err)
	}
	// The server holds the request for 10s; returning long before that
	// means the deadline, not the server, ended the call.
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Embed returned after %s, want about the 300ms deadline", took)
	}
}

func TestConnectionRefusedIsNotRetried(t *testing.T) {
	api := newFakeAPI(t, func(n int, r recorded, w http.ResponseWriter) {})
	client := api.client(t, OpenAIConfig{})
	host := api.host()
	api.Close()
	_, err := NewOpenAIEmbedder(client, "m").Embed(context.Background(), []string{"x"})
	var se *serverError
	if !errors.As(err, &se) {
		t.Fatalf("error %v is not a *serverError", err)
	}
	if se.Attempts != 1 || se.Host != host {
		t.Errorf("attempts = %d, host = %s; want 1 attempt at %s", se.Attempts, se.Host, host)
	}
	for _, s := range []string{"no response", "connection refused", "check the base URL"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}

func TestEmptyKeySendsNoAuthorization(t *testing.T) {
	api := newFakeAPI(t, func(n int, r recorded, w http.ResponseWriter) { embeddingsOK(w, r) })
	client := NewOpenAIClient(OpenAIConfig{BaseURL: api.URL + "/v1"}, nil)
	if _, err := NewOpenAIEmbedder(client, "nomic-embed-text").Embed(context.Background(), []string{"x"}); err != nil {
		t.Fatalf("Embed without a key: %v", err)
	}
	r := api.requests()[0]
	if r.Auth != "" || r.Path != "/v1/embeddings" {
		t.Errorf("request to %s with Authorization %q, want /v1/embeddings with none", r.Path, r.Auth)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
		wantOK bool
	}{
		{"seconds", map[string]string{"Retry-After": "7"}, 7 * time.Second, true},
		{"fractional seconds", map[string]string{"Retry-After": "1.5"}, 1500 * time.Millisecond, true},
		{"HTTP date", map[string]string{"Retry-After": now.Add(20 * time.Second).Format(http.TimeFormat)}, 20 * time.Second, true},
		{"date in the past", map[string]string{"Retry-After": now.Add(-time.Minute).Format(http.TimeFormat)}, 0, true},
		{"OpenAI milliseconds win", map[string]string{"Retry-After": "2", "Retry-After-Ms": "250"}, 250 * time.Millisecond, true},
		{"garbage", map[string]string{"Retry-After": "soon"}, 0, false},
		{"absent", nil, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			got, ok := parseRetryAfter(h, now)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("parseRetryAfter(%v) = %s, %v; want %s, %v", tc.header, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestOpenAIConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     OpenAIConfig
		wantErr string
	}{
		{"OpenAI with key", OpenAIConfig{APIKey: "k"}, ""},
		{"Ollama without key", OpenAIConfig{BaseURL: "http://localhost:11434/v1"}, ""},
		{"OpenAI without key", OpenAIConfig{}, "needs an API key"},
		{"no scheme", OpenAIConfig{BaseURL: "localhost:11434/v1"}, "not an http(s) URL"},
		{"credentials in URL", OpenAIConfig{BaseURL: "https://user:secret@example.invalid/v1"}, "carries credentials"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Validate() = %v, want an error containing %q", err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("Validate() = %v reveals the password", err)
			}
		})
	}
}

func equalVec(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if d := a[i] - b[i]; d > 1e-6 || d < -1e-6 {
			return false
		}
	}
	return true
}
