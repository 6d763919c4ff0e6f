package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/corpus"
)

// freeAddr returns a 127.0.0.1 address with a port free at the moment.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

var httpClient = &http.Client{Timeout: 5 * time.Second}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := httpClient.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// metricValue is the value of the sample named series (name with its
// labels, as exposed) in a Prometheus text page; -1 when absent.
func metricValue(page, series string) float64 {
	for _, line := range strings.Split(page, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err == nil {
				return v
			}
		}
	}
	return -1
}

// TestServeHealthAndMetrics: with BRIEFBOT_HTTP_ADDR, serve answers
// /healthz and /readyz once connected, and /metrics counts what users did:
// questions, refusals, answer times, passages per scope, embedding calls,
// LLM calls and their errors, Discord's 429s.
func TestServeHealthAndMetrics(t *testing.T) {
	llm := newFakeOpenAI(t)
	llm.status.Store(http.StatusBadRequest) // every chat fails at once: the extractive answer is given
	addr := freeAddr(t)
	e := startServe(t, "BRIEFBOT_HTTP_ADDR", addr, "OPENAI_BASE_URL", llm.srv.URL+"/v1", "BRIEFBOT_FEED_INTERVAL", "1s")
	base := "http://" + addr
	if code, body := httpGet(t, base+"/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	e.fake.Wait(wait, "/readyz 200", func() bool { code, _ := httpGet(t, base+"/readyz"); return code == 200 })

	_, page := httpGet(t, base+"/metrics")
	samples, _ := corpus.Samples()
	want := 0
	for _, s := range samples {
		want += len(corpus.Split(s))
	}
	if got := metricValue(page, `briefbot_passages{scope="global"}`); got != float64(want) {
		t.Errorf("passages of the global scope: %v, want %d (the sample)", got, want)
	}
	if got := metricValue(page, "briefbot_questions_total"); got != 0 {
		t.Errorf("questions before any: %v", got)
	}

	member := who(guildA, channelA, "501", 0)
	e.reply(e.fake.SlashCommand(member, "ask", discordtest.Str("question", "Which hacker groups did the EU denounce?")), "answer", finished)
	e.reply(e.fake.SlashCommand(member, "ask", discordtest.Str("question", "What is the capital of Peru?")), "refusal", contains("don't cover"))
	in := e.fake.SlashCommand(member, "ask", discordtest.Str("question", "Which hacker groups did the EU denounce?"))
	e.fake.Throttle(in, 300*time.Millisecond)
	e.reply(in, "answer after a 429", finished)
	e.reply(e.fake.SlashCommand(who(guildA, channelA, "502", 1<<5), "briefing", discordtest.Sub("add",
		discordtest.Str("title", "Lithium slump"),
		discordtest.Str("text", "Lithium prices fell by a third in March as Chilean mines raised output."))), "admin add", contains("Added"))

	// A feed on a loopback address: its polls fail (the address guard).
	e.reply(e.fake.SlashCommand(who(guildA, channelA, "502", 1<<5), "briefing", discordtest.Group("feed", discordtest.Sub("add",
		discordtest.Str("url", "http://127.0.0.1:9/rss.xml")))), "feed add", contains("Following feed"))
	e.fake.Wait(wait, "a failed feed poll counted", func() bool {
		_, page := httpGet(t, base+"/metrics")
		return metricValue(page, `briefbot_feed_polls_total{outcome="error"}`) >= 1
	})

	_, page = httpGet(t, base+"/metrics")
	for series, check := range map[string]func(float64) bool{
		"briefbot_questions_total":                            func(v float64) bool { return v == 3 },
		"briefbot_refusals_total":                             func(v float64) bool { return v == 1 },
		"briefbot_answer_seconds_count":                       func(v float64) bool { return v == 3 },
		`briefbot_passages{scope="` + guildA + `"}`:           func(v float64) bool { return v == 1 },
		"briefbot_embedding_calls_total":                      func(v float64) bool { return v >= 1 },
		"briefbot_embedding_errors_total":                     func(v float64) bool { return v == 0 },
		`briefbot_llm_requests_total{endpoint="completions"}`: func(v float64) bool { return v >= 2 },
		`briefbot_llm_errors_total{endpoint="completions"}`:   func(v float64) bool { return v >= 2 },
		"briefbot_discord_rate_limited_total":                 func(v float64) bool { return v >= 1 },
	} {
		if v := metricValue(page, series); !check(v) {
			t.Errorf("%s = %v", series, v)
		}
	}
}

// TestReadyzFollowsTheStore: on PostgreSQL, /readyz answers 503 while the
// database refuses connections, and 200 again once it is back, while
// /healthz stays 200 (the process is up).
func TestReadyzFollowsTheStore(t *testing.T) {
	onPostgres(t, func(t *testing.T) {
		addr := freeAddr(t)
		e := startServe(t, "BRIEFBOT_HTTP_ADDR", addr)
		base := "http://" + addr
		e.fake.Wait(wait, "/readyz 200", func() bool { code, _ := httpGet(t, base+"/readyz"); return code == 200 })
		dbURL, err := url.Parse(pgURLFor(t, e.dir))
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(dbURL.Path, "/")
		admin := *dbURL
		admin.Path = "/postgres"
		exec := func(q string) {
			t.Helper()
			conn, err := pgx.Connect(context.Background(), admin.String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			if _, err := conn.Exec(context.Background(), q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`ALTER DATABASE ` + name + ` ALLOW_CONNECTIONS false`)
		exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '` + name + `'`)
		e.fake.Wait(wait, "/readyz 503 with the database gone", func() bool {
			code, body := httpGet(t, base+"/readyz")
			return code == 503 && strings.Contains(body, "store unreachable")
		})
		if code, _ := httpGet(t, base+"/healthz"); code != 200 {
			t.Errorf("/healthz with the database gone: %d, want 200", code)
		}
		exec(`ALTER DATABASE ` + name + ` ALLOW_CONNECTIONS true`)
		e.fake.Wait(wait, "/readyz 200 with the database back", func() bool { code, _ := httpGet(t, base+"/readyz"); return code == 200 })
		in := e.fake.SlashCommand(who(guildA, channelA, "501", 0), "ask", discordtest.Str("question", "Which hacker groups did the EU denounce?"))
		if got := e.reply(in, "answer with the database back", finished).Content; !strings.Contains(got, "APT40") {
			t.Errorf("answer after the database came back: %q", got)
		}
	})
}

// TestReadyzFollowsTheShards: /readyz answers 503 while a Discord shard of
// this process is disconnected (the gateway refuses it meanwhile), and 200
// again once it has reconnected and answers, while /healthz stays 200.
func TestReadyzFollowsTheShards(t *testing.T) {
	addr := freeAddr(t)
	e := startServe(t, "BRIEFBOT_HTTP_ADDR", addr)
	base := "http://" + addr
	e.fake.Wait(wait, "/readyz 200", func() bool { code, _ := httpGet(t, base+"/readyz"); return code == 200 })
	restore := e.fake.RefuseGateway()
	e.fake.Drop()
	e.fake.Wait(wait, "/readyz 503 with the shard disconnected", func() bool {
		code, body := httpGet(t, base+"/readyz")
		return code == 503 && strings.Contains(body, "shard")
	})
	if code, _ := httpGet(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz with the shard disconnected: %d, want 200", code)
	}
	restore()
	e.fake.Wait(wait, "/readyz 200 with the shard back", func() bool { code, _ := httpGet(t, base+"/readyz"); return code == 200 })
	in := e.fake.SlashCommand(who(guildA, channelA, "501", 0), "ask", discordtest.Str("question", "Which hacker groups did the EU denounce?"))
	if got := e.reply(in, "answer with the shard back", finished).Content; !strings.Contains(got, "APT40") {
		t.Errorf("answer after the shard came back: %q", got)
	}
}
