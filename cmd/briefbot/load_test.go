package main

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discordtest"
)

// TestLoadConcurrentAsks sends 50 /ask at once from 20 users to `briefbot
// serve` (real engine, store on disk, fake Discord) with a limit of 2
// questions a minute per user. Every interaction is acknowledged within
// Discord's 3 s (the fake refuses later ones); every one gets a finished
// answer or the rate-limit message, and no user gets more answers than the
// limit; the heap stays bounded; after serve stops, no goroutine is left.
func TestLoadConcurrentAsks(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	const asks, users, perMinute = 50, 20, 2
	goroutines0 := settledGoroutines(0)
	fake := discordtest.New(t, discordtest.Options{})
	dir := t.TempDir()
	if out, _, err := cli(t, dir, "", nil, "ingest", genJSONL(t, 500)); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	heap0 := heapInUse()
	env := map[string]string{"DISCORD_TOKEN": fake.Token(), "DISCORD_API_URL": fake.APIBase(),
		"BRIEFBOT_LOG_LEVEL": "warn", "BRIEFBOT_ASKS_PER_MINUTE": fmt.Sprint(perMinute)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, _, err := cliCtx(ctx, dir, "", env, "serve"); done <- err }()
	fake.Wait(wait, "command registration", func() bool { return fake.Commands("global") != nil })

	var peak atomic.Uint64
	stopSampling := sampleHeap(&peak)
	questions := []string{"Which hacker groups did the EU denounce?", "Which report mentions marker17x1x2?",
		"What did NATO say about China?", "Which report mentions marker321x0x3?", "What is the capital of Peru?"}
	type sent struct {
		in   discordtest.Interaction
		user string
		q    int
		at   time.Time
	}
	all := make([]sent, asks)
	var wg sync.WaitGroup
	for i := range asks {
		wg.Go(func() {
			user := fmt.Sprint(700 + i%users)
			at := time.Now()
			in := fake.SlashCommand(who(guildA, channelA, user, 0), "ask", discordtest.Str("question", questions[i%len(questions)]))
			all[i] = sent{in, user, i % len(questions), at}
		})
	}
	wg.Wait()
	answers, limited := map[string]int{}, 0
	for _, s := range all {
		var m discordtest.Message
		fake.Wait(wait, "reply to "+s.in.ID, func() bool {
			var ok bool
			m, ok = fake.Original(s.in)
			return ok && (finished(m) || strings.Contains(m.Content, "asking faster"))
		})
		if finished(m) {
			answers[s.user]++
			if s.q == 0 && !strings.Contains(m.Content, "APT40 and APT31") {
				t.Errorf("answer under load: %q", m.Content)
			}
		} else {
			limited++
		}
	}
	stopSampling()
	acks := ackLatencies(t, fake, len(all), func(yield func(string, time.Time) bool) {
		for _, s := range all {
			if !yield(s.in.ID, s.at) {
				return
			}
		}
	})
	for user, n := range answers {
		if n > perMinute {
			t.Errorf("user %s got %d answers, above the limit of %d a minute", user, n, perMinute)
		}
	}
	p50, p99 := acks[len(acks)/2], acks[(len(acks)*99+99)/100-1]
	t.Logf("%d asks from %d users: %d answered, %d rate-limited; ack p50 %v p99 %v max %v",
		asks, users, asks-limited, limited, p50, p99, acks[len(acks)-1])
	if p99 > 3*time.Second {
		t.Errorf("ack p99 %v, over Discord's 3 s", p99)
	}
	if limited == 0 || limited == asks {
		t.Errorf("%d of %d rate-limited; with %d a minute and 2-3 asks per user, some but not all must be", limited, asks, perMinute)
	}
	t.Logf("heap in use: %d MB before serve, peak %d MB during the asks", heap0>>20, peak.Load()>>20)
	if peak.Load() > heap0+256<<20 {
		t.Errorf("heap grew by %d MB during 50 asks", (peak.Load()-heap0)>>20)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
	fake.Close()
	if g := settledGoroutines(goroutines0); g > goroutines0 {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after serve stopped, %d before:\n%s", g, goroutines0, buf[:runtime.Stack(buf, true)])
	} else {
		t.Logf("goroutines: %d before, %d after", goroutines0, g)
	}
}

// ackLatencies returns, sorted, how long after dispatch each interaction's
// callback reached the fake, failing for one never acknowledged.
func ackLatencies(t *testing.T, fake *discordtest.Server, n int, sent func(func(string, time.Time) bool)) []time.Duration {
	t.Helper()
	acked := map[string]time.Time{}
	for _, r := range fake.Requests() {
		if strings.HasPrefix(r.Path, "interactions/") && strings.HasSuffix(r.Path, "/callback") && r.Status < 300 {
			acked[strings.Split(r.Path, "/")[1]] = r.Received
		}
	}
	var out []time.Duration
	for id, at := range sent {
		got, ok := acked[id]
		if !ok {
			t.Errorf("interaction %s was never acknowledged successfully", id)
			continue
		}
		out = append(out, got.Sub(at))
	}
	if len(out) != n {
		t.FailNow()
	}
	slices.Sort(out)
	return out
}

// settledGoroutines waits up to 5 s for the goroutine count to fall to
// want, and returns the last count.
func settledGoroutines(want int) int {
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		runtime.GC()
		if n = runtime.NumGoroutine(); want > 0 && n <= want {
			return n
		}
		time.Sleep(50 * time.Millisecond)
		if want == 0 && runtime.NumGoroutine() == n {
			return n
		}
	}
	return n
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// sampleHeap records the highest HeapInuse every 20 ms until stopped.
func sampleHeap(peak *atomic.Uint64) (stop func()) {
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-quit:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(quit); <-finished }
}

// TestServeGatewayDrop: `briefbot serve` with the real engine loses its
// gateway connection twice; it resumes, answers the question asked while
// it was away, and answers questions asked after it came back.
func TestServeGatewayDrop(t *testing.T) {
	e := startServe(t)
	user := who(guildA, channelA, "501", 0)
	ask := func(what string) {
		t.Helper()
		in := e.fake.SlashCommand(user, "ask", discordtest.Str("question", "Which hacker groups did the EU denounce?"))
		if m := e.reply(in, what, finished); !strings.Contains(m.Content, "APT40 and APT31") {
			t.Errorf("%s: %q", what, m.Content)
		}
	}
	ask("answer before the drop")
	for i := range 2 {
		e.fake.Drop()
		ask(fmt.Sprintf("answer to the question asked during drop %d", i+1))
		e.fake.Wait(wait, "reconnect", func() bool { _, _, _, up := e.fake.GatewayStats(); return up })
		ask(fmt.Sprintf("answer after reconnect %d", i+1))
	}
	ids, resumes, _, _ := e.fake.GatewayStats()
	t.Logf("identifies %d, resumes %d", ids, resumes)
	if ids+resumes < 3 {
		t.Errorf("identifies %d + resumes %d, want a new session or a resume per drop", ids, resumes)
	}
}
