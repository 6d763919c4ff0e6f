package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/rag"
	"github.com/bwmarrin/discordgo"
	"golang.org/x/sync/singleflight"
)

// answerer answers a question from the briefings; onWriting is called when
// an LLM starts writing the answer (never with unchecked text: the bot
// shows a status until the checked answer is returned).
type answerer interface {
	Answer(ctx context.Context, q rag.Question, onWriting func(string)) (rag.Answer, error)
}

// library is the article store as the bot needs it. Every read takes the
// scopes the asker may see; an article outside them is corpus.ErrNotFound.
type library interface {
	// Add stores a (a.Scope set by the bot) and returns it as stored with
	// its number of passages.
	Add(ctx context.Context, a corpus.Article) (corpus.Article, int, error)
	// AddMany stores several articles with one batched embedding (see
	// rag.Engine.AddMany); each result says how its article fared.
	AddMany(ctx context.Context, arts []corpus.Article) []rag.Added
	Remove(ctx context.Context, scopes []string, id string) error
	List(ctx context.Context, scopes []string, query string) ([]corpus.Article, error)
	Get(ctx context.Context, scopes []string, id string) (corpus.Article, error)
}

// FetchFunc fetches an article from a URL (corpus's fetcher).
type FetchFunc func(ctx context.Context, url string) (corpus.Article, error)

// ParseFunc parses an uploaded file (any corpus.Formats extension) and
// calls each for every article in it (corpus's parser).
type ParseFunc func(name string, data []byte, each func(corpus.Article) error) error

// Config is everything the bot needs; cmd/briefbot fills it from the
// environment.
type Config struct {
	Token   string // bot token, with or without the "Bot " prefix
	AppID   string // optional: else taken from the gateway's READY
	GuildID string // optional: register commands in this server only (instant updates)
	// APIURL is the base of every REST call, e.g. a REST proxy or a test
	// server; empty means Discord's own API. The gateway address is learned
	// from GET gateway on this base, so REST and gateway move together.
	APIURL       string
	AdminRoleIDs []string
	AdminUserIDs []string

	AsksPerMinute   int           // per-user limit on questions; default 5
	Workers         int           // questions answered at once; default 4
	AnswerTimeout   time.Duration // per question; default 3 min
	EditInterval    time.Duration // minimum gap between edits of a streamed answer; default 1 s
	ShutdownTimeout time.Duration // how long in-flight answers may finish on shutdown; default 20 s
	MaxFileBytes    int64         // largest accepted attachment; default 8 MiB
	AddsPerHour     int           // /briefing add per admin per hour; default 20
	MaxFeeds        int           // feeds one server may follow; default 20
	// MessageContent requests Discord's privileged message content intent
	// (it must also be switched on in the developer portal). Without it
	// the bot still reads mentions, replies that ping it and DMs, which
	// Discord delivers in full; with it, it also answers every message in
	// the threads it answers in, mention or not.
	MessageContent bool

	Fetch FetchFunc // nil: /briefing add url: is refused
	Parse ParseFunc // nil: /briefing add file: is refused
	// Download fetches an attachment from Discord's CDN (https, through the
	// address guard and the URL size cap); nil: attachments are read only
	// from APIURL's host.
	Download func(ctx context.Context, rawURL string) ([]byte, error)
	Feeds    FeedList // nil: /briefing feed is refused
	// Ledger keeps the questions asked, the votes and per-server settings;
	// nil: votes, /briefing stats and /briefing threads are refused.
	Ledger Ledger

	// Transport carries every REST call (nil: http.DefaultTransport); serve
	// wraps it to count Discord's 429 answers for /metrics.
	Transport http.RoundTripper

	// Shards are the Discord shards this process runs, of ShardCount in
	// all processes. ShardCount 0: every shard of the count Discord
	// recommends.
	Shards     []int
	ShardCount int
}

// ErrNoToken is returned by New when Config.Token is empty.
var ErrNoToken = errors.New("no Discord bot token: create an application at https://discord.com/developers/applications, " +
	"open Bot, press Reset Token, and set DISCORD_TOKEN to it")

func (c *Config) setDefaults() {
	if c.AsksPerMinute <= 0 {
		c.AsksPerMinute = 5
	}
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.AnswerTimeout <= 0 {
		c.AnswerTimeout = 3 * time.Minute
	}
	if c.EditInterval <= 0 {
		c.EditInterval = time.Second
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 20 * time.Second
	}
	if c.MaxFileBytes <= 0 {
		c.MaxFileBytes = 8 << 20
	}
	if c.AddsPerHour <= 0 {
		c.AddsPerHour = 20
	}
	if c.MaxFeeds <= 0 {
		c.MaxFeeds = 20
	}
}

// Bot is a connected-or-connectable Discord bot. Create it with New and
// serve with Run.
type Bot struct {
	cfg      Config
	ans      answerer
	lib      library
	log      *slog.Logger
	s        *discordgo.Session   // the first shard's; carries every REST call
	extra    []*discordgo.Session // the other shards' of this process; set by Run
	shardMu  sync.RWMutex         // guards extra
	http     *http.Client
	ix       *ixClient // interaction callbacks, edits and follow-ups
	limits   *userLimits
	notices  *noticeLimits
	pool     chan struct{}
	adds     *addLimits
	commands map[string]*command

	mu       sync.Mutex // guards closing and the wg.Add that follows the check
	closing  bool
	inflight sync.WaitGroup

	threads        sync.Map // channel ID -> is it a thread (bool)
	channelLookups singleflight.Group
	denied         sync.Map // channel ID -> true once "cannot answer there" was logged
	// threadMode is guild ID -> answer @mentions in threads (bool).
	threadMode sync.Map

	idMu  sync.RWMutex
	appID string
	botID string
}

// New checks cfg and prepares a session without connecting.
// Errors: ErrNoToken; a malformed APIURL.
func New(cfg Config, ans answerer, lib library, logger *slog.Logger) (*Bot, error) {
	cfg.setDefaults()
	token := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(cfg.Token), "Bot "))
	if token == "" {
		return nil, ErrNoToken
	}
	client, err := newHTTPClient(cfg.APIURL, cfg.Transport)
	if err != nil {
		return nil, err
	}
	s, err := discordgo.New("Bot " + token)
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	s.Client = client
	s.ShouldReconnectOnError = false // Run reconnects, and stops on fatal close codes
	s.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages
	if cfg.MessageContent {
		s.Identify.Intents |= discordgo.IntentsMessageContent
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	b := &Bot{
		cfg: cfg, ans: ans, lib: lib, s: s, http: client, ix: newIXClient(client),
		log:     logger.With("component", "bot"),
		limits:  newUserLimits(cfg.AsksPerMinute),
		notices: newNoticeLimits(time.Minute),
		pool:    make(chan struct{}, cfg.Workers),
		adds:    newAddLimits(cfg.AddsPerHour),
		appID:   cfg.AppID,
	}
	b.commands = b.commandTable()
	return b, nil
}

// Run connects to the gateway, registers the commands with one bulk
// overwrite, and serves until ctx is done, reconnecting when the
// connection drops. Then it stops taking new work, lets in-flight answers
// finish for up to ShutdownTimeout, cancels the rest and closes the
// gateway. When Discord refuses the bot for good (a bad token, sharding,
// intents) it stops the same way and returns a *FatalGatewayError.
func (b *Bot) Run(ctx context.Context) error {
	// Handlers outlive ctx by the shutdown grace period, so they run on a
	// context that is cancelled only when that period ends.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	if err := b.planShards(); err != nil {
		return err
	}
	removeI := b.addHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) {
		b.spawn(func() { b.onInteraction(work, i.Interaction) }, func() { b.refuseClosing(work, i.Interaction) })
	})
	removeM := b.addHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) {
		b.spawn(func() { b.onMessage(work, m.Message) }, func() {})
	})
	dropped := make(chan struct{}, 1)
	removeD := b.addHandler(func(*discordgo.Session, *discordgo.Disconnect) {
		select {
		case dropped <- struct{}{}:
		default:
		}
	})
	defer removeI()
	defer removeM()
	defer removeD()
	if err := b.connect(); err != nil {
		b.close() // the shards that did connect
		return err
	}
	b.learnIDs()
	switch err := b.registerCommands(ctx); {
	case err != nil && ctx.Err() == nil:
		b.close()
		return err
	case err == nil:
		b.log.Info("connected", "app", b.app(), "guild", b.cfg.GuildID)
	} // stopped while registering: shut down as usual, letting in-flight answers finish
	err := b.keepConnected(ctx, dropped)
	b.shutdown(cancelWork)
	return err
}

// shutdown waits for in-flight work, bounded, then closes the gateway.
func (b *Bot) shutdown(cancelWork context.CancelFunc) {
	b.mu.Lock()
	b.closing = true
	b.mu.Unlock()
	done := make(chan struct{})
	go func() { b.inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(b.cfg.ShutdownTimeout):
		b.log.Warn("shutdown: cancelling unfinished answers", "after", b.cfg.ShutdownTimeout)
		cancelWork()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
	}
	if err := b.close(); err != nil {
		b.log.Warn("close gateway", "err", redact(err.Error()))
	}
}

// spawn runs fn as tracked in-flight work unless the bot is shutting down,
// in which case it runs refuse instead.
func (b *Bot) spawn(fn, refuse func()) {
	b.mu.Lock()
	if b.closing {
		b.mu.Unlock()
		refuse()
		return
	}
	b.inflight.Add(1)
	b.mu.Unlock()
	defer b.inflight.Done()
	fn()
}

func (b *Bot) learnIDs() {
	b.idMu.Lock()
	defer b.idMu.Unlock()
	if st := b.s.State; st != nil {
		if b.appID == "" && st.Application != nil {
			b.appID = st.Application.ID
		}
		if st.User != nil {
			b.botID = st.User.ID
		}
	}
}

func (b *Bot) app() string {
	b.idMu.RLock()
	defer b.idMu.RUnlock()
	return b.appID
}

func (b *Bot) self() string {
	b.idMu.RLock()
	defer b.idMu.RUnlock()
	return b.botID
}

// registerCommands replaces the application's commands with ours in one
// call, in the configured guild or globally.
func (b *Bot) registerCommands(ctx context.Context) error {
	app := b.app()
	if app == "" {
		return errors.New("no application ID: READY did not carry one; set DISCORD_APP_ID")
	}
	_, err := b.s.ApplicationCommandBulkOverwrite(app, b.cfg.GuildID, b.definitions(), discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("register commands: %s", redact(err.Error()))
	}
	return nil
}
