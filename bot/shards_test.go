package bot

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/corpus"
)

// Guilds on shard 0 and shard 1 of 2: (guild_id >> 22) % 2.
const (
	guildShard0 = "81384788765712384"
	guildShard1 = "111111111111111111"
)

// runShardBot runs a bot with its own library over fake, on the given
// shards of count (count 0: as the fake recommends).
func runShardBot(t *testing.T, fake *discordtest.Server, shards []int, count int) *memLibrary {
	t.Helper()
	lib := &memLibrary{}
	b, err := New(Config{Token: fake.Token(), APIURL: fake.APIBase(), EditInterval: 20 * time.Millisecond,
		AsksPerMinute: 100, Shards: shards, ShardCount: count}, &keywordAnswerer{lib: lib}, lib, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	fake.Wait(waitLong, "connected", func() bool { return b.Connected() })
	return lib
}

func seedLib(t *testing.T, lib *memLibrary, scope, title, body string) {
	t.Helper()
	if _, _, err := lib.Add(context.Background(), corpus.Article{Scope: scope, Title: title, Body: body}); err != nil {
		t.Fatal(err)
	}
}

// TestShardsAcrossProcesses: two bots (two processes) on shards 0 and 1
// of 2 share the fake Discord; each server's questions reach only the bot
// running its shard, which answers from its own library.
func TestShardsAcrossProcesses(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{Shards: 2, WaitTimeout: waitLong})
	lib0 := runShardBot(t, fake, []int{0}, 2)
	lib1 := runShardBot(t, fake, []int{1}, 2)
	seedLib(t, lib0, guildShard0, "Chips act", "The EU agreed a chips act worth 43 billion euros.")
	seedLib(t, lib1, guildShard1, "Tram line", "The council approved a tram line costing 120 million euros.")
	ask := func(guild, q string) string {
		in := fake.SlashCommand(member(guild, "3"+guild[1:], "501"), "ask", discordtest.Str("question", q))
		return allText(fake.AwaitResponse(in, "answer to "+q, answered))
	}
	if got := ask(guildShard0, "What did the EU agree on chips?"); !strings.Contains(got, "43 billion euros") {
		t.Errorf("server of shard 0: %q, want the answer of the bot running shard 0", got)
	}
	if got := ask(guildShard1, "What did the council approve?"); !strings.Contains(got, "120 million euros") {
		t.Errorf("server of shard 1: %q, want the answer of the bot running shard 1", got)
	}
}

// TestShardsAsRecommended: with no shard settings the bot runs every shard
// Discord recommends, in one process, and answers in servers of each.
func TestShardsAsRecommended(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{Shards: 2, WaitTimeout: waitLong})
	lib := runShardBot(t, fake, nil, 0)
	seedLib(t, lib, corpus.GlobalScope, "Chips act", "The EU agreed a chips act worth 43 billion euros.")
	for _, guild := range []string{guildShard0, guildShard1} {
		in := fake.SlashCommand(member(guild, "3"+guild[1:], "501"), "ask", discordtest.Str("question", "What did the EU agree on chips?"))
		if got := allText(fake.AwaitResponse(in, "answer in "+guild, answered)); !strings.Contains(got, "43 billion euros") {
			t.Errorf("server %s: %q", guild, got)
		}
	}
	if ids, _, _, _ := fake.GatewayStats(); ids != 2 {
		t.Errorf("%d IDENTIFYs, want 2 (one per shard)", ids)
	}
}

// TestShardDropResumesAlone: one bot runs shards 0 and 1 of 2; shard 1's
// connection drops. A question asked in shard 1's server meanwhile is
// answered once that shard resumes its session (Discord replays it), shard
// 1 resumes rather than identifying again, and shard 0, never
// disconnected, keeps answering in its server.
func TestShardDropResumesAlone(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{Shards: 2, WaitTimeout: waitLong})
	lib := runShardBot(t, fake, []int{0, 1}, 2)
	seedLib(t, lib, corpus.GlobalScope, "Chips act", "The EU agreed a chips act worth 43 billion euros.")
	ask := func(guild string) discordtest.Interaction {
		return fake.SlashCommand(member(guild, "3"+guild[1:], "501"), "ask", discordtest.Str("question", "What did the EU agree on chips?"))
	}
	before0, before1 := fake.ShardStats(0), fake.ShardStats(1)
	fake.DropShard(1)
	missed := ask(guildShard1)
	if got := allText(fake.AwaitResponse(ask(guildShard0), "answer in shard 0's server", answered)); !strings.Contains(got, "43 billion euros") {
		t.Errorf("shard 0's server while shard 1 is down: %q", got)
	}
	if got := allText(fake.AwaitResponse(missed, "answer to the question asked while shard 1 was down", answered)); !strings.Contains(got, "43 billion euros") {
		t.Errorf("shard 1's server, asked while it was down: %q", got)
	}
	fake.Wait(waitLong, "shard 1 connected again", func() bool { return fake.ShardStats(1).Connected })
	after0, after1 := fake.ShardStats(0), fake.ShardStats(1)
	if after1.Resumes != before1.Resumes+1 || after1.Identifies != before1.Identifies || after1.Session != before1.Session {
		t.Errorf("shard 1 before the drop %+v, after %+v; want one RESUME of the same session", before1, after1)
	}
	if after0 != before0 {
		t.Errorf("shard 0 before %+v, after %+v; want it untouched by shard 1's drop", before0, after0)
	}
	if got := allText(fake.AwaitResponse(ask(guildShard1), "answer in shard 1's server after the resume", answered)); !strings.Contains(got, "43 billion euros") {
		t.Errorf("shard 1's server after the resume: %q", got)
	}
}
