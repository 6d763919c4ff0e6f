package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discordtest"
)

// BenchmarkAskAcknowledgement measures, through the fake Discord, the time
// from dispatching /ask on the gateway to the deferred acknowledgement
// arriving over REST (Discord allows 3 s), and to the final answer.
func BenchmarkAskAcknowledgement(b *testing.B) {
	e := start(b, func(c *Config, _ *keywordAnswerer) { c.AsksPerMinute = 1 << 20 })
	e.seed(corpus0, "EU chips act agreed", chipsBody, "")
	var ack, total time.Duration
	for i := 0; b.Loop(); i++ {
		sent := time.Now()
		in := e.fake.SlashCommand(member(guildA, channelA, itoa(1000+i)), "ask", discordtest.Str("question", "chips?"))
		e.reply(in, "answer", answered)
		total += time.Since(sent)
		for _, r := range e.fake.Requests() {
			if strings.HasPrefix(r.Path, "interactions/"+in.ID+"/") {
				ack += r.Received.Sub(sent)
			}
		}
	}
	b.ReportMetric(float64(ack.Microseconds())/float64(b.N)/1000, "ms/ack")
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/answer")
}
