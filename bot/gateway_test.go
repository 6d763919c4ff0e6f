package bot

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discordtest"
)

// runUntilError runs a bot against fake and returns Run's error, failing
// the test if Run keeps running.
func runUntilError(t *testing.T, fake *discordtest.Server, cfg Config) error {
	t.Helper()
	cfg.Token, cfg.APIURL = "test-token", fake.APIBase()
	b, err := New(cfg, &keywordAnswerer{lib: &memLibrary{}}, &memLibrary{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	select {
	case err := <-done:
		return err
	case <-time.After(waitLong):
		cancel()
		<-done
		t.Fatal("Run kept running; want it to stop with an error saying what to fix")
		return nil
	}
}

func TestFatalGatewayRefusalStopsRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		opts  discordtest.Options
		cfg   Config
		token string // the token the fake accepts, if not the bot's
		code  int
		want  string
	}{
		{"bad token", discordtest.Options{}, Config{}, "another-token", 4004, "DISCORD_TOKEN"},
		// Unset, the bot runs the shards Discord recommends; forced to 1
		// (BRIEFBOT_SHARD_COUNT=1) it identifies without sharding.
		{"sharding required", discordtest.Options{Shards: 2}, Config{Shards: []int{0}, ShardCount: 1}, "", 4011, "shards"},
		{"message content not enabled in the portal", discordtest.Options{}, Config{MessageContent: true}, "", 4014, "Message Content Intent"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := discordtest.New(t, tc.opts)
			if tc.token != "" {
				fake.ResetToken(tc.token)
			}
			err := runUntilError(t, fake, tc.cfg)
			var fatal *FatalGatewayError
			if !errors.As(err, &fatal) || fatal.Code != tc.code || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Run = %v, want a fatal gateway error %d naming %q", err, tc.code, tc.want)
			}
		})
	}
}

// TestTokenResetWhileRunningStopsRun: the token is reset in the portal
// while the bot runs; the next RESUME is closed with 4004 and Run returns
// instead of retrying forever.
func TestTokenResetWhileRunningStopsRun(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.fake.ResetToken("a-new-token")
	e.fake.Drop()
	select {
	case err := <-e.done:
		e.done <- err
		var fatal *FatalGatewayError
		if !errors.As(err, &fatal) || fatal.Code != 4004 || !strings.Contains(err.Error(), "DISCORD_TOKEN") {
			t.Errorf("Run = %v, want the fatal 4004 error naming DISCORD_TOKEN", err)
		}
	case <-time.After(waitLong):
		t.Fatal("Run kept running after the token was refused")
	}
	e.fake.ResetToken("test-token") // for the checks at the end of the test
}

// TestReconnectAfterClose: a close code a reconnect fixes (4000, unknown
// error) is followed by a RESUME, and questions are answered again.
func TestReconnectAfterClose(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.seed(corpus0, "EU chips act agreed", chipsBody, "")
	e.fake.CloseGateway(4000)
	e.ask(member(guildA, channelA, "501"), "chips after reconnect?")
	if _, resumes, _, _ := e.fake.GatewayStats(); resumes < 1 {
		t.Errorf("resumes = %d, want the session resumed", resumes)
	}
}
