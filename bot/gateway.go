package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// fatalCloses are Discord's gateway close codes that no reconnect can fix,
// with what the operator has to do. discordgo v0.29.0 retries after them
// forever (wsapi.go reconnect), leaving a process that runs but never
// answers, so the bot reconnects by itself and stops on these.
var fatalCloses = map[int]string{
	4004: "Discord rejected the bot token (gateway close 4004, authentication failed): " +
		"copy the token from https://discord.com/developers/applications → your application → Bot (Reset Token if it was lost) and set DISCORD_TOKEN to it",
	4010: "Discord rejected the shard settings (gateway close 4010, invalid shard): every shard of BRIEFBOT_SHARDS must be below BRIEFBOT_SHARD_COUNT",
	4011: "Discord requires this bot to connect in shards (gateway close 4011, sharding required): it is in 2,500 or more servers; " +
		"raise BRIEFBOT_SHARD_COUNT, or unset it and BRIEFBOT_SHARDS to run the count Discord recommends (README: Running at scale)",
	4012: "Discord refused the gateway API version (gateway close 4012): upgrade briefbot",
	4013: "Discord refused the requested gateway intents as invalid (gateway close 4013): this is a briefbot bug; please report it",
	4014: "Discord refused a privileged intent (gateway close 4014, disallowed intents): switch on Message Content Intent at " +
		"https://discord.com/developers/applications → your application → Bot → Privileged Gateway Intents, or unset BRIEFBOT_MESSAGE_CONTENT",
}

// FatalGatewayError is a gateway failure a reconnect cannot fix; Run
// returns it and the message says what to change.
type FatalGatewayError struct {
	Code int // Discord's close code; 4004 also for a token REST refuses (401)
	msg  string
}

func (e *FatalGatewayError) Error() string { return e.msg }

// fatalGateway returns the FatalGatewayError err stands for, or nil.
func fatalGateway(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		if msg, ok := fatalCloses[ce.Code]; ok {
			return &FatalGatewayError{Code: ce.Code, msg: msg}
		}
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
		return &FatalGatewayError{Code: 4004, msg: fatalCloses[4004]}
	}
	return nil
}

// connect opens the gateway; a fatal refusal comes back as a
// FatalGatewayError.
func (b *Bot) connect() error {
	for _, s := range b.sessions() { // every shard; those still open stay as they are
		err := s.Open()
		if err == nil || errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			continue
		}
		if f := fatalGateway(err); f != nil {
			return f
		}
		return fmt.Errorf("connect to Discord gateway (shard %d of %d): %s", s.ShardID, max(s.ShardCount, 1), redact(err.Error()))
	}
	return nil
}

// keepConnected reconnects each time the gateway connection drops (RESUME,
// as discordgo would, with backoff) until ctx is done, and returns a
// FatalGatewayError when Discord refuses for good.
func (b *Bot) keepConnected(ctx context.Context, dropped <-chan struct{}) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-dropped:
		}
		if err := b.reconnect(ctx); err != nil {
			return err
		}
	}
}

// reconnect opens the gateway again, retrying with backoff; it returns nil
// once connected or when ctx is done, else the fatal refusal.
func (b *Bot) reconnect(ctx context.Context) error {
	wait := time.Second
	for {
		err := b.connect()
		var fatal *FatalGatewayError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &fatal):
			b.log.Error("gateway refused the bot", "code", fatal.Code, "err", err.Error())
			return err
		}
		b.log.Warn("reconnect to gateway", "err", err.Error(), "retry_in", wait)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Minute)
	}
}
