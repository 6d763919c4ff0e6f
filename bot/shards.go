package bot

import (
	"fmt"

	"github.com/bwmarrin/discordgo"
)

// sessions are the bot's gateway connections, one per shard it runs: the
// primary session (which also carries every REST call) first.
func (b *Bot) sessions() []*discordgo.Session {
	b.shardMu.RLock()
	defer b.shardMu.RUnlock()
	return append([]*discordgo.Session{b.s}, b.extra...)
}

// planShards prepares one session per shard of this process. With no
// shard count configured, the process runs every shard of the count
// Discord recommends (GET /gateway/bot), which is 1 below 2,500 servers.
func (b *Bot) planShards() error {
	shards, count := b.cfg.Shards, b.cfg.ShardCount
	if count == 0 {
		count = 1
		if gb, err := b.s.GatewayBot(); err == nil {
			count = max(gb.Shards, 1)
		} else { // connecting will say what is wrong (a bad token: 4004)
			b.log.Warn("no recommended shard count from Discord; running 1 shard", "err", redact(err.Error()))
		}
		shards = nil
	}
	if len(shards) == 0 {
		for i := range count {
			shards = append(shards, i)
		}
	}
	b.s.ShardID, b.s.ShardCount = shards[0], count
	var extra []*discordgo.Session
	for _, id := range shards[1:] {
		s, err := discordgo.New(b.s.Token)
		if err != nil {
			return fmt.Errorf("discord session for shard %d: %w", id, err)
		}
		s.Client, s.Identify.Intents = b.s.Client, b.s.Identify.Intents
		// One state for all shards: a guild's channels and roles are
		// found whichever shard brought them (State locks itself).
		s.State = b.s.State
		s.ShardID, s.ShardCount = id, count
		extra = append(extra, s)
	}
	b.shardMu.Lock()
	b.extra = extra
	b.shardMu.Unlock()
	if count > 1 {
		b.log.Info("sharding", "shards", shards, "of", count)
	}
	return nil
}

// addHandler adds h to every session and returns what removes it again.
func (b *Bot) addHandler(h any) (remove func()) {
	var removes []func()
	for _, s := range b.sessions() {
		removes = append(removes, s.AddHandler(h))
	}
	return func() {
		for _, r := range removes {
			r()
		}
	}
}

// close disconnects every session; the first error is returned.
func (b *Bot) close() error {
	var first error
	for _, s := range b.sessions() {
		if err := s.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
