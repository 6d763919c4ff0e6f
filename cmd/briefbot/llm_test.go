package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeOpenAI is an OpenAI-compatible server on 127.0.0.1: chat answers
// stream the given reply (or fail with status), embeddings return a vector
// per input; requests are counted.
type fakeOpenAI struct {
	srv        *httptest.Server
	reply      atomic.Value // string
	status     atomic.Int64 // non-zero: every chat request fails with it
	chats      atomic.Int64
	embeddings atomic.Int64
	inputs     atomic.Int64
}

func newFakeOpenAI(t *testing.T) *fakeOpenAI {
	f := &fakeOpenAI{}
	f.reply.Store("")
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		f.chats.Add(1)
		if st := f.status.Load(); st != 0 {
			http.Error(w, `{"error":{"message":"boom","type":"server_error"}}`, int(st))
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for _, piece := range strings.SplitAfter(f.reply.Load().(string), " ") {
			b, _ := json.Marshal(map[string]any{"id": "c", "object": "chat.completion.chunk",
				"choices": []map[string]any{{"index": 0, "delta": map[string]any{"content": piece}}}})
			fmt.Fprintf(w, "data: %s\n\n", b)
		}
		fmt.Fprint(w, `data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":900,"completion_tokens":40,"total_tokens":940}}`+"\n\n")
		fmt.Fprint(w, "data: [DONE]\n\n")
	})
	mux.HandleFunc("POST /v1/embeddings", func(w http.ResponseWriter, r *http.Request) {
		f.embeddings.Add(1)
		var req struct {
			Input []string `json:"input"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		f.inputs.Add(int64(len(req.Input)))
		data := make([]map[string]any, len(req.Input))
		for i, in := range req.Input {
			v := make([]float64, 8)
			for j := range v {
				v[j] = math.Sin(float64(len(in)*(j+1) + i))
			}
			data[i] = map[string]any{"object": "embedding", "index": i, "embedding": v}
		}
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": "m",
			"usage": map[string]int{"prompt_tokens": 1, "total_tokens": 1}})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeOpenAI) env() map[string]string {
	return map[string]string{"OPENAI_BASE_URL": f.srv.URL + "/v1", "BRIEFBOT_LOG_LEVEL": "error"}
}

func askJSON(t *testing.T, dir string, env map[string]string, q string) jsonAnswer {
	t.Helper()
	out, _, err := cli(t, dir, "", env, "ask", "--json", q)
	if err != nil {
		t.Fatalf("ask: %v", err)
	}
	var ans jsonAnswer
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatalf("ask output is not JSON: %v\n%s", err, out)
	}
	return ans
}

func TestAskThroughLLM(t *testing.T) {
	f := newFakeOpenAI(t)
	dir := t.TempDir()
	body := sampleBody(t)
	const q = "Which hacker groups did the EU denounce?"
	tests := []struct {
		name, reply    string
		status         int
		wantMode       string
		wantVerified   bool
		wantNote       string
		mustNotContain string
	}{
		{"verified quote", `The EU named "a group of hackers known as APT40 and APT31" [1].`, 0, "llm", true, "", ""},
		{"curly quotes and a line break", "It denounced “a group of hackers\nknown as APT40 and APT31” [1].", 0, "llm", true, "", ""},
		{"made-up quote", `The EU denounced "the Lazarus group and Fancy Bear" [1].`, 0, "extractive", true, "no quote that could be checked", "Lazarus"},
		{"citation beyond the passages", `It named "APT40 and APT31" [9].`, 0, "llm", true, "", "[9]"},
		{"server error", "", 500, "extractive", true, "HTTP 500", ""},
		{"refusal sentence", "The briefings don't cover this.", 0, "llm", false, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.reply.Store(tc.reply)
			f.status.Store(int64(tc.status))
			start := time.Now()
			ans := askJSON(t, dir, f.env(), q)
			if ans.Mode != tc.wantMode || !strings.Contains(ans.Note, tc.wantNote) {
				t.Fatalf("mode %q note %q, want %q and a note containing %q", ans.Mode, ans.Note, tc.wantMode, tc.wantNote)
			}
			if tc.mustNotContain != "" && strings.Contains(ans.Answer, tc.mustNotContain) {
				t.Errorf("answer %q shows %q", ans.Answer, tc.mustNotContain)
			}
			verified := 0
			for _, c := range ans.Citations {
				if c.Verified {
					verified++
					if body[c.Start:c.End] != c.Quote || c.Quote == "" {
						t.Errorf("verified citation %+v is not the stored text", c)
					}
				}
			}
			if (verified > 0) != tc.wantVerified {
				t.Errorf("%d verified citations in %q; want some: %v", verified, ans.Answer, tc.wantVerified)
			}
			if tc.wantMode == "llm" && (ans.Usage == nil || ans.Usage.TotalTokens != 940) {
				t.Errorf("usage %+v, want the reported 940 tokens", ans.Usage)
			}
			t.Logf("%s in %v: %q", ans.Mode, time.Since(start).Round(time.Millisecond), ans.Answer)
		})
	}
}

func TestOpenAIEmbedderBatchesIngest(t *testing.T) {
	f := newFakeOpenAI(t)
	env := f.env()
	env["BRIEFBOT_EMBEDDER"] = "openai"
	src := filepath.Join(t.TempDir(), "many.jsonl")
	var b strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&b, `{"id":"n%d","title":"Note %d","body":"Harbour report number %d says ships %d were late."}`+"\n", i, i, i, i*7)
	}
	os.WriteFile(src, []byte(b.String()), 0o600)
	dir := t.TempDir()
	cli(t, dir, "", env, "list") // the sample: one article
	before := f.embeddings.Load()
	out, _, err := cli(t, dir, "", env, "ingest", src)
	if err != nil || !strings.Contains(out, "1000 added") {
		t.Fatalf("ingest: %v\n%s", err, out[max(0, len(out)-300):])
	}
	reqs := f.embeddings.Load() - before
	t.Logf("1,000 passages: %d embedding requests", reqs)
	if reqs > 10 {
		t.Errorf("1,000 passages took %d embedding requests, want at most 10", reqs)
	}
	before = f.embeddings.Load()
	if _, _, err := cli(t, dir, "", env, "list"); err != nil {
		t.Fatal(err)
	}
	if n := f.embeddings.Load() - before; n != 0 {
		t.Errorf("a restart made %d embedding requests, want 0", n)
	}
}

// TestChangeOfEmbedderReembedsInBatches: switching a store of 300 articles
// to the API embedder re-embeds them at the next start with a request per
// few hundred passages, not one per article, and only once.
func TestChangeOfEmbedderReembedsInBatches(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(t.TempDir(), "many.jsonl")
	var b strings.Builder
	for i := range 300 {
		fmt.Fprintf(&b, `{"id":"m%d","title":"Note %d","body":"Ferry report %d says crossings %d ran late."}`+"\n", i, i, i, i*3)
	}
	os.WriteFile(src, []byte(b.String()), 0o600)
	if _, _, err := cli(t, dir, "", nil, "ingest", src); err != nil {
		t.Fatal(err)
	}
	f := newFakeOpenAI(t)
	env := f.env()
	env["BRIEFBOT_EMBEDDER"] = "openai"
	if _, _, err := cli(t, dir, "", env, "ask", "Which ferry crossings ran late?"); err != nil {
		t.Fatal(err)
	}
	first := f.embeddings.Load()
	t.Logf("re-embedding 301 articles: %d embedding requests (%d inputs)", first, f.inputs.Load())
	if first > 4 || f.inputs.Load() < 301 {
		t.Errorf("re-embedding took %d requests for %d inputs; want at most 4 requests covering every passage", first, f.inputs.Load())
	}
	cli(t, dir, "", env, "ask", "Which ferry crossings ran late?")
	if again := f.embeddings.Load() - first; again > 1 { // the question itself may be embedded once
		t.Errorf("the second start made %d embedding requests, want at most 1 (the question)", again)
	}
}
