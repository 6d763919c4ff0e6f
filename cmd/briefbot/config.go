package main

import (
	"fmt"
	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/rag"
	"log/slog"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of .env.example, read once from the environment.
// Packages receive the parts they need; nothing else reads the environment.
type Config struct {
	DataDir     string
	DatabaseURL string // postgres://…: PostgreSQL instead of SQLite in DataDir
	HTTPAddr    string // host:port of serve's /healthz, /readyz and /metrics; "" for none
	Shards      []int  // the Discord shards serve runs; nil: all, as Discord recommends
	ShardCount  int    // the total across processes; 0: as Discord recommends
	LogLevel    slog.Level

	Embedder   string // "local" or "openai"
	LocalDims  int
	EmbedModel string

	OpenAIKey     string
	OpenAIBaseURL string
	ChatModel     string
	// MaxAnswerTokens is the max_tokens of every chat request.
	MaxAnswerTokens int

	DiscordToken string
	DiscordAppID string
	GuildID      string
	DiscordAPI   string
	AdminRoles   []string
	AdminUsers   []string
	AsksPerMin   int
	// MessageContent requests Discord's privileged message content intent.
	MessageContent bool

	AllowPrivateURLs bool
	FeedInterval     time.Duration // how often serve polls every feed
	FeedWorkers      int           // feeds polled at once
	MaxItemsPerPoll  int           // new items tried per feed per poll
	MaxFeedsPerGuild int           // feeds one Discord server may follow
	AddsPerHour      int           // /briefing add url:|file: per admin per hour
}

// LLMConfigured reports whether answers go through an LLM: a key, or a base
// URL (local servers such as Ollama need no key).
func (c Config) LLMConfigured() bool { return c.OpenAIKey != "" || c.OpenAIBaseURL != "" }

// OpenAI is the LLM API configuration for package rag.
func (c Config) OpenAI() rag.OpenAIConfig {
	return rag.OpenAIConfig{APIKey: c.OpenAIKey, BaseURL: c.OpenAIBaseURL, ChatModel: c.ChatModel, EmbedModel: c.EmbedModel}.WithDefaults()
}

func loadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		DataDir:       envOr(getenv, "BRIEFBOT_DATA", defaultDataDir(getenv)),
		DatabaseURL:   strings.TrimSpace(getenv("BRIEFBOT_DATABASE_URL")),
		HTTPAddr:      strings.TrimSpace(getenv("BRIEFBOT_HTTP_ADDR")),
		Embedder:      envOr(getenv, "BRIEFBOT_EMBEDDER", "local"),
		EmbedModel:    envOr(getenv, "BRIEFBOT_EMBED_MODEL", rag.DefaultEmbedModel),
		OpenAIKey:     strings.TrimSpace(getenv("OPENAI_API_KEY")),
		OpenAIBaseURL: strings.TrimSpace(getenv("OPENAI_BASE_URL")),
		ChatModel:     envOr(getenv, "BRIEFBOT_CHAT_MODEL", rag.DefaultChatModel),
		DiscordToken:  strings.TrimSpace(getenv("DISCORD_TOKEN")),
		DiscordAppID:  strings.TrimSpace(getenv("DISCORD_APP_ID")),
		GuildID:       strings.TrimSpace(getenv("DISCORD_GUILD_ID")),
		DiscordAPI:    strings.TrimSpace(getenv("DISCORD_API_URL")),
		AdminRoles:    splitList(getenv("BRIEFBOT_ADMIN_ROLE_IDS")),
		AdminUsers:    splitList(getenv("BRIEFBOT_ADMIN_USER_IDS")),
	}
	for _, read := range []func(func(string) string) error{c.checkIDs, c.readScale, c.readNumbers, c.readSwitches, c.checkModels} {
		if err := read(getenv); err != nil {
			return c, err
		}
	}
	return c, nil
}

// checkIDs checks the Discord IDs of the settings: a server's name or a
// role's name where its ID belongs would register the commands nowhere or
// make nobody an admin, silently.
func (c *Config) checkIDs(func(string) string) error {
	for _, s := range []struct {
		key, what string
		ids       []string
	}{
		{"DISCORD_APP_ID", "the application ID (Developer Portal, your app, General Information: Copy under Application ID)", nonEmpty(c.DiscordAppID)},
		{"DISCORD_GUILD_ID", "the server's ID (with Developer Mode on, right-click the server and choose Copy Server ID)", nonEmpty(c.GuildID)},
		{"BRIEFBOT_ADMIN_ROLE_IDS", "role IDs (Server Settings, Roles, right-click a role and choose Copy Role ID)", c.AdminRoles},
		{"BRIEFBOT_ADMIN_USER_IDS", "user IDs (right-click a member and choose Copy User ID)", c.AdminUsers},
	} {
		for _, id := range s.ids {
			if !isSnowflake(id) {
				return fmt.Errorf("%s: %q is not a Discord ID: give %s, numbers of 1 to 20 digits", s.key, id, s.what)
			}
		}
	}
	return nil
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// readScale reads the shared store and this process's shards, which must
// agree: running some of the shards means other processes run the rest.
func (c *Config) readScale(getenv func(string) string) error {
	if err := checkDatabaseURL(c.DatabaseURL); err != nil {
		return err
	}
	var err error
	if c.Shards, c.ShardCount, err = parseShards(getenv); err != nil {
		return err
	}
	if len(c.Shards) < c.ShardCount && c.DatabaseURL == "" {
		return fmt.Errorf("BRIEFBOT_SHARDS=%s runs some of the %d shards here, so other processes run the rest: "+
			"they need one shared store; set BRIEFBOT_DATABASE_URL (README: Running at scale)", getenv("BRIEFBOT_SHARDS"), c.ShardCount)
	}
	return nil
}

// readNumbers reads the log level, the interval and the numeric limits.
func (c *Config) readNumbers(getenv func(string) string) error {
	var err error
	if c.LogLevel, err = parseLevel(envOr(getenv, "BRIEFBOT_LOG_LEVEL", "info")); err != nil {
		return err
	}
	if c.FeedInterval, err = envDuration(getenv, "BRIEFBOT_FEED_INTERVAL", 30*time.Minute); err != nil {
		return err
	}
	for _, n := range []struct {
		dst *int
		key string
		def int
	}{
		{&c.LocalDims, "BRIEFBOT_LOCAL_DIMS", 512},
		{&c.AsksPerMin, "BRIEFBOT_ASKS_PER_MINUTE", 5},
		{&c.MaxAnswerTokens, "BRIEFBOT_MAX_ANSWER_TOKENS", rag.DefaultMaxAnswerTokens},
		{&c.FeedWorkers, "BRIEFBOT_FEED_WORKERS", corpus.DefaultFeedWorkers},
		{&c.MaxItemsPerPoll, "BRIEFBOT_MAX_ITEMS_PER_POLL", corpus.DefaultMaxItemsPerPoll},
		{&c.MaxFeedsPerGuild, "BRIEFBOT_MAX_FEEDS_PER_SERVER", 20},
		{&c.AddsPerHour, "BRIEFBOT_ADDS_PER_HOUR", 20},
	} {
		if *n.dst, err = envInt(getenv, n.key, n.def); err != nil {
			return err
		}
	}
	return nil
}

// readSwitches reads the on/off settings.
func (c *Config) readSwitches(getenv func(string) string) error {
	for _, b := range []struct {
		dst *bool
		key string
	}{
		{&c.AllowPrivateURLs, "BRIEFBOT_ALLOW_PRIVATE_URLS"},
		{&c.MessageContent, "BRIEFBOT_MESSAGE_CONTENT"},
	} {
		switch v := getenv(b.key); v {
		case "", "0", "false":
		case "1", "true":
			*b.dst = true
		default:
			return fmt.Errorf("%s=%q: use 1 or 0", b.key, v)
		}
	}
	return nil
}

// checkModels checks the embedder and the LLM settings together: an API
// embedder needs the API.
func (c *Config) checkModels(func(string) string) error {
	switch c.Embedder {
	case "local", "openai":
	default:
		return fmt.Errorf("BRIEFBOT_EMBEDDER=%q: use local or openai (see .env.example)", c.Embedder)
	}
	if c.Embedder == "openai" && !c.LLMConfigured() {
		return fmt.Errorf("BRIEFBOT_EMBEDDER=openai needs OPENAI_API_KEY or OPENAI_BASE_URL (see .env.example)")
	}
	if c.LLMConfigured() {
		if err := c.OpenAI().Validate(); err != nil {
			return fmt.Errorf("%w (see .env.example)", err)
		}
	}
	return nil
}

func envDuration(getenv func(string) string, key string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(getenv(key))
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive duration such as 30m or 2h (see .env.example)", key, v)
	}
	return d, nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := strings.TrimSpace(getenv(key)); v != "" {
		return v
	}
	return def
}

func envInt(getenv func(string) string, key string, def int) (int, error) {
	v := strings.TrimSpace(getenv(key))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive whole number (see .env.example)", key, v)
	}
	return n, nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("BRIEFBOT_LOG_LEVEL=%q: use debug, info, warn or error", s)
	}
	return l, nil
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// defaultDataDir is the platform's per-user data directory plus
// "briefbot", so that every command finds the same store whatever the
// current directory: $XDG_DATA_HOME/briefbot, else ~/.local/share/briefbot
// on Linux and BSD; ~/Library/Application Support/briefbot on macOS;
// %LocalAppData%\briefbot on Windows. Go's os package has UserConfigDir
// and UserCacheDir but no data directory, so this follows the XDG base
// directory spec and the platforms' conventions the same way. Without a
// home directory it falls back to ./data.
func defaultDataDir(getenv func(string) string) string {
	return dataDirFor(runtime.GOOS, getenv)
}

func dataDirFor(goos string, getenv func(string) string) string {
	home := getenv("HOME")
	switch goos {
	case "windows":
		if d := getenv("LocalAppData"); d != "" {
			return filepath.Join(d, "briefbot")
		}
	case "darwin", "ios":
		if home != "" {
			return filepath.Join(home, "Library", "Application Support", "briefbot")
		}
	default:
		if d := getenv("XDG_DATA_HOME"); filepath.IsAbs(d) { // the spec ignores relative values
			return filepath.Join(d, "briefbot")
		}
		if home != "" {
			return filepath.Join(home, ".local", "share", "briefbot")
		}
	}
	return "data"
}
