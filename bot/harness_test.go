package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/corpus"
)

const (
	guildA   = "111111111111111111"
	guildB   = "222222222222222222"
	channelA = "311111111111111111"
	channelB = "322222222222222222"
	waitLong = 15 * time.Second
)

// syncBuffer collects log output from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is a real Bot connected to a fake Discord through DISCORD_API_URL.
type env struct {
	t      testing.TB
	fake   *discordtest.Server
	lib    *memLibrary
	ledger *corpus.Store // a real store on disk
	ans    *keywordAnswerer
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

func start(t testing.TB, configure ...func(*Config, *keywordAnswerer)) *env {
	t.Helper()
	return startFake(t, discordtest.Options{}, configure...)
}

// startFake is start with a fake Discord configured by opts.
func startFake(t testing.TB, opts discordtest.Options, configure ...func(*Config, *keywordAnswerer)) *env {
	t.Helper()
	if opts.WaitTimeout == 0 {
		opts.WaitTimeout = waitLong
	}
	fake := discordtest.New(t, opts)
	lib := &memLibrary{}
	ans := &keywordAnswerer{lib: lib}
	ledger, err := corpus.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ledger.Close() })
	cfg := Config{
		Token: fake.Token(), APIURL: fake.APIBase(), EditInterval: 20 * time.Millisecond,
		Fetch: fetchFromMap(nil), Parse: parseLines, AsksPerMinute: 100, Ledger: ledger,
	}
	for _, f := range configure {
		f(&cfg, ans)
	}
	logs := &syncBuffer{}
	b, err := New(cfg, ans, lib, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &env{t: t, fake: fake, lib: lib, ledger: ledger, ans: ans, logs: logs, cancel: cancel, done: make(chan error, 1)}
	go func() { e.done <- b.Run(ctx) }()
	scope := "global"
	if cfg.GuildID != "" {
		scope = cfg.GuildID
	}
	fake.Wait(waitLong, "command registration", func() bool { return fake.Commands(scope) != nil })
	t.Cleanup(e.finish)
	return e
}

// stop shuts the bot down and returns Run's error.
func (e *env) stop() error {
	e.cancel()
	select {
	case err := <-e.done:
		e.done <- err
		return err
	case <-time.After(waitLong):
		e.t.Fatal("Run did not return after cancel")
		return nil
	}
}

// finish checks what must hold in every test: every message carried an
// empty allowed_mentions parse list, every reply referenced a message of
// the channel it was sent to, the bot called no endpoint the fake doesn't
// know, and no token reached the logs.
func (e *env) finish() {
	e.stop()
	for _, r := range e.fake.Requests() {
		if r.Unknown {
			e.t.Errorf("bot called unknown endpoint %s %s", r.Method, r.Path)
		}
		if why := e.crossChannelReply(r); why != "" {
			e.t.Errorf("%s %s: %s", r.Method, r.Path, why)
		}
		if msg := messageBody(r); msg != nil {
			am, _ := msg["allowed_mentions"].(map[string]any)
			parse, isList := am["parse"].([]any)
			if am == nil || !isList || len(parse) != 0 {
				e.t.Errorf("%s %s: allowed_mentions = %v, want {parse: []}", r.Method, r.Path, msg["allowed_mentions"])
			}
		}
	}
	logs := e.logs.String()
	if strings.Contains(logs, e.fake.Token()) || strings.Contains(logs, "itok-") {
		e.t.Errorf("a token reached the logs:\n%s", logs)
	}
}

// crossChannelReply says what is wrong when a message the bot sent is a
// reply to a message of another channel (a thread is a channel of its
// own), which Discord refuses; "" when it is not.
func (e *env) crossChannelReply(r discordtest.Request) string {
	p := strings.Split(r.Path, "/")
	if r.Method != "POST" || len(p) != 3 || p[0] != "channels" || p[2] != "messages" {
		return ""
	}
	var body struct {
		Ref *discordtest.MessageReference `json:"message_reference"`
	}
	if r.Decode(&body) != nil || body.Ref == nil {
		return ""
	}
	if body.Ref.ChannelID != "" && body.Ref.ChannelID != p[1] {
		return "reply names channel " + body.Ref.ChannelID
	}
	if m, ok := e.fake.Message(body.Ref.MessageID); ok && m.ChannelID != p[1] {
		return "reply to message " + m.ID + " of channel " + m.ChannelID
	}
	return ""
}

// messageBody returns the message a request creates or edits, or nil.
func messageBody(r discordtest.Request) map[string]any {
	var body map[string]any
	if r.Method == "GET" || r.Method == "DELETE" || r.Body == nil || r.Decode(&body) != nil {
		return nil
	}
	switch {
	case strings.HasPrefix(r.Path, "interactions/"):
		if body["type"] == float64(8) { // autocomplete choices are not a message
			return nil
		}
		data, _ := body["data"].(map[string]any)
		return data
	case strings.HasSuffix(r.Path, "/threads"): // a thread's name, not a message
		return nil
	case strings.HasPrefix(r.Path, "webhooks/"), strings.HasPrefix(r.Path, "channels/") && strings.Contains(r.Path, "/messages"):
		return body
	}
	return nil
}

func member(guild, channel, user string) discordtest.Invoker {
	return discordtest.Invoker{UserID: user, GuildID: guild, ChannelID: channel}
}

func admin(guild, channel, user string) discordtest.Invoker {
	in := member(guild, channel, user)
	in.Permissions = 1 << 5 // Manage Server
	return in
}

// reply waits for an interaction's response to be complete (pred true) and
// returns it with its follow-ups (discordtest.Server.AwaitResponse).
func (e *env) reply(in discordtest.Interaction, what string, pred func(discordtest.Message) bool) []discordtest.Message {
	e.t.Helper()
	return e.fake.AwaitResponse(in, what, pred)
}

// answered reports whether a message is a finished answer: it carries the
// vote buttons.
func answered(m discordtest.Message) bool { return voteButton(m, voteUp) != "" }

// voteButton is the custom ID of a message's vote button (voteUp or
// voteDown, tagged with the question's record), or "".
func voteButton(m discordtest.Message, vote string) string {
	for _, row := range m.Components {
		for _, c := range row.Components {
			if strings.HasPrefix(c.CustomID, vote) {
				return c.CustomID
			}
		}
	}
	return ""
}

var hasText = discordtest.HasText

func hasButton(m discordtest.Message, customID string) bool { return m.HasButton(customID) }

func (e *env) ask(by discordtest.Invoker, question string) []discordtest.Message {
	e.t.Helper()
	in := e.fake.SlashCommand(by, "ask", discordtest.Str("question", question))
	return e.reply(in, "answer to "+question, answered)
}

func (e *env) seed(scope, title, body, url string) corpus.Article {
	e.t.Helper()
	a, _, err := e.lib.Add(context.Background(), corpus.Article{Scope: scope, Title: title, Body: body, URL: url,
		Source: "Reuters", Published: time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func allText(ms []discordtest.Message) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.Content + "\n")
		for _, em := range m.Embeds {
			b.WriteString(em.Title + "\n" + em.Description + "\n")
			for _, f := range em.Fields {
				b.WriteString(f.Name + ": " + f.Value + "\n")
			}
		}
	}
	return b.String()
}

func decodeJSON(t testing.TB, raw json.RawMessage, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
}

// corpus0 is the global scope, spelled for test tables.
const corpus0 = corpus.GlobalScope

func itoa(i int) string { return strconv.Itoa(i) }
