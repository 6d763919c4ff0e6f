package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discordtest"
)

// TestServeStopsOnFatalGatewayClose: when Discord refuses the bot for good
// (sharding required, close 4011; a privileged intent off, close 4014), serve
// exits non-zero with what to fix instead of staying up without answering.
func TestServeStopsOnFatalGatewayClose(t *testing.T) {
	tests := []struct {
		name string
		opts discordtest.Options
		env  map[string]string
		want string
	}{
		// Unset, serve runs the shards Discord recommends; an operator who
		// sets fewer than Discord requires is told.
		{"sharding required", discordtest.Options{Shards: 2}, map[string]string{"BRIEFBOT_SHARD_COUNT": "1"}, "sharding required"},
		{"message content off in the portal", discordtest.Options{}, map[string]string{"BRIEFBOT_MESSAGE_CONTENT": "1"}, "Privileged Gateway Intents"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := discordtest.New(t, tc.opts)
			env := map[string]string{"DISCORD_TOKEN": fake.Token(), "DISCORD_API_URL": fake.APIBase(), "BRIEFBOT_LOG_LEVEL": "warn"}
			for k, v := range tc.env {
				env[k] = v
			}
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			start := time.Now()
			_, _, err := cliCtx(ctx, t.TempDir(), "", env, "serve")
			if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), tc.want) || exitCode(err) == 0 {
				t.Fatalf("serve after %v: %v (exit %d), want it to stop at once naming %q", time.Since(start), err, exitCode(err), tc.want)
			}
		})
	}
}
