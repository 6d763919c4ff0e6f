package main

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discordtest"
)

// BenchmarkServeAsk measures `briefbot serve` with the real engine and
// store on disk, through the fake Discord: the time from dispatching /ask
// on the gateway to the deferred acknowledgement reaching the REST API
// (Discord allows 3 s), and to the finished answer (with its vote
// buttons). Answers are extractive: no LLM time is included.
//
//	go test ./cmd/briefbot -run '^$' -bench ServeAsk -benchtime 20x
func BenchmarkServeAsk(b *testing.B) {
	b.Run("store=sample", func(b *testing.B) {
		benchServeAsk(b, "", "Which hacker groups did the EU denounce?")
	})
	b.Run("store=realtimeqa", func(b *testing.B) {
		docs := realtimeQADocs
		if _, err := os.Stat(docs); err != nil {
			b.Skipf("evaluation data absent: %v", err)
		}
		benchServeAsk(b, docs, "What country announced a crackdown on rainbow-colored toys this week?")
	})
}

func benchServeAsk(b *testing.B, docs, question string) {
	dir := b.TempDir()
	if docs != "" {
		if _, stderr, err := cliCtx(context.Background(), dir, "", nil, "ingest", "--format", "jsonl", docs); err != nil {
			b.Fatalf("ingest: %v\n%s", err, stderr)
		}
	}
	fake := discordtest.New(b, discordtest.Options{})
	env := map[string]string{"DISCORD_TOKEN": fake.Token(), "DISCORD_API_URL": fake.APIBase(),
		"BRIEFBOT_LOG_LEVEL": "warn", "BRIEFBOT_ASKS_PER_MINUTE": "1000000"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := cliCtx(ctx, dir, "", env, "serve")
		done <- err
	}()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("serve: %v", err)
		}
	})
	fake.Wait(wait, "command registration", func() bool { return fake.Commands("global") != nil })
	var ack, total time.Duration
	for i := 0; b.Loop(); i++ {
		by := discordtest.Invoker{UserID: strconv.Itoa(700 + i), GuildID: guildA, ChannelID: channelA}
		sent := time.Now()
		in := fake.SlashCommand(by, "ask", discordtest.Str("question", question))
		fake.Wait(wait, "answer", func() bool {
			m, ok := fake.Original(in)
			return ok && len(m.Components) > 0
		})
		total += time.Since(sent)
		for _, r := range fake.Requests() {
			if strings.HasPrefix(r.Path, "interactions/"+in.ID+"/") {
				ack += r.Received.Sub(sent)
			}
		}
	}
	b.ReportMetric(float64(ack.Microseconds())/float64(b.N)/1000, "ms/ack")
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/answer")
}
