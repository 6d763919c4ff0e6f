package bot

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discordtest"
)

// BenchmarkConcurrentAsks: 20 /ask at once, each answer streamed over
// modelTime, every REST call taking 150 ms in the fake Discord, and one of
// the 20 interaction tokens answered 429 (retry_after 3 s) on its first
// edit. It reports the time from dispatching an interaction to the fake
// finishing the edit that shows the final answer (p50, p99 over the 19
// unthrottled answers, and the throttled one), and the most interaction
// edits in flight at once.
func BenchmarkConcurrentAsks(b *testing.B) {
	const n, modelTime, throttle = 20, 2 * time.Second, 3 * time.Second
	e := startFake(b, discordtest.Options{Latency: 150 * time.Millisecond}, func(c *Config, a *keywordAnswerer) {
		c.AsksPerMinute, c.Workers, c.EditInterval = 1<<20, n, time.Second // production edit interval
		a.modelTime = modelTime
	})
	e.seed(corpus0, "EU chips act agreed", chipsBody, "")
	var lat []time.Duration
	var throttled []time.Duration
	peak := 0
	for round := 0; b.Loop(); round++ {
		from := len(e.fake.Requests())
		ins := make([]discordtest.Interaction, n)
		sent := make([]time.Time, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				sent[i] = time.Now()
				by := member(guildA, channelA[:17]+itoa(i%4), itoa(1000+round*n+i))
				ins[i] = e.fake.SlashCommand(by, "ask", discordtest.Str("question", "What did the EU agree on chips, "+itoa(i)+"?"))
			})
		}
		wg.Wait()
		e.fake.Throttle(ins[0], throttle)
		for _, in := range ins {
			e.reply(in, "answer", answered)
		}
		reqs := e.fake.Requests()[from:]
		for i, in := range ins {
			d := finalEdit(reqs, in).Sub(sent[i])
			if i == 0 {
				throttled = append(throttled, d)
			} else {
				lat = append(lat, d)
			}
		}
		peak = max(peak, maxInFlight(reqs, "webhooks/"))
	}
	slices.Sort(lat)
	b.ReportMetric(ms(lat[len(lat)/2]), "p50_ms")
	b.ReportMetric(ms(lat[(len(lat)*99-1)/100]), "p99_ms")
	b.ReportMetric(ms(modelTime), "model_ms")
	b.ReportMetric(ms(slices.Max(throttled)), "throttled_ms")
	b.ReportMetric(float64(peak), "max_edits_in_flight")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// finalEdit is when the fake finished the edit that carried the vote
// buttons of an interaction's answer.
func finalEdit(reqs []discordtest.Request, in discordtest.Interaction) time.Time {
	for _, r := range reqs {
		if r.Status == 200 && strings.Contains(r.Path, in.Token) && strings.Contains(string(r.Body), voteUp) {
			return r.Done
		}
	}
	return time.Time{}
}
