package main

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/rag"
)

// runServe runs the Discord bot until SIGINT or SIGTERM.
func runServe(ctx context.Context, cfg Config, args []string, std stdio) error {
	fs := newFlags("serve", &cfg, std)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if cfg.DiscordToken == "" {
		return bot.ErrNoToken
	}
	m := newMetrics()
	a, err := openAppObserved(ctx, cfg, std, m)
	if err != nil {
		return err
	}
	defer a.Close()
	m.watchPassages(a.engine.PassagesByScope)
	lib := library{engine: a.engine, store: a.store, m: m}
	fetcher := newFetcher(cfg)
	b, err := bot.New(bot.Config{
		Token: cfg.DiscordToken, AppID: cfg.DiscordAppID, GuildID: cfg.GuildID, APIURL: cfg.DiscordAPI,
		AdminRoleIDs: cfg.AdminRoles, AdminUserIDs: cfg.AdminUsers, AsksPerMinute: cfg.AsksPerMin,
		MessageContent: cfg.MessageContent, AddsPerHour: cfg.AddsPerHour, MaxFeeds: cfg.MaxFeedsPerGuild,
		Parse: fetcher.ParseFile, Fetch: fetcher.Fetch, Download: fetcher.Download, Feeds: a.store, Ledger: a.store,
		Transport: m.observeDiscord(http.DefaultTransport),
		Shards:    cfg.Shards, ShardCount: cfg.ShardCount,
	}, lib, lib, a.logger)
	if err != nil {
		return err
	}
	if cfg.HTTPAddr != "" {
		ready := readiness{ping: a.store.Ping, connected: b.Connected}
		stop, err := startHTTP(cfg.HTTPAddr, healthHandler(m, ready, a.logger), a.logger)
		if err != nil {
			return err
		}
		defer stop()
	}
	defer followChanges(ctx, a)()              // other processes' adds and removes
	defer startPolling(ctx, cfg, fetcher, a)() // stops before the store closes
	return b.Run(ctx)
}

// library adapts the engine and store to what the bot needs.
type library struct {
	engine *rag.Engine
	store  store
	m      *metrics
}

func (l library) Answer(ctx context.Context, q rag.Question, onDelta func(string)) (rag.Answer, error) {
	start := time.Now()
	ans, err := l.engine.AnswerStream(ctx, q, onDelta)
	if l.m != nil {
		l.m.observeAnswer(time.Since(start), ans, err)
	}
	return ans, err
}

func (l library) Timeline(ctx context.Context, q rag.Question) ([]rag.Citation, error) {
	return l.engine.Timeline(ctx, q)
}

func (l library) Add(ctx context.Context, a corpus.Article) (corpus.Article, int, error) {
	if a.AddedAt.IsZero() {
		a.AddedAt = time.Now().UTC()
	}
	return l.engine.Add(ctx, a, corpus.AddOptions{})
}

func (l library) AddMany(ctx context.Context, arts []corpus.Article) []rag.Added {
	return l.engine.AddMany(ctx, arts, corpus.AddOptions{})
}

func (l library) Remove(ctx context.Context, scopes []string, id string) error {
	_, err := l.engine.Remove(ctx, scopes, id)
	return err
}

// List returns the visible articles whose ID or title contains query
// (case-insensitive), newest first.
func (l library) List(ctx context.Context, scopes []string, query string) ([]corpus.Article, error) {
	listed, err := l.engine.List(ctx, scopes)
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(strings.TrimSpace(query))
	var out []corpus.Article
	for _, a := range listed {
		if q == "" || strings.Contains(strings.ToLower(a.Title), q) || strings.Contains(strings.ToLower(a.ID), q) {
			out = append(out, a.Article)
		}
	}
	return out, nil
}

// Titles answers autocomplete from the engine's in-memory title list.
func (l library) Titles(scopes []string, query string, limit int) []corpus.Article {
	return l.engine.Titles(scopes, query, limit)
}

func (l library) Get(ctx context.Context, scopes []string, id string) (corpus.Article, error) {
	return l.engine.Get(ctx, scopes, id)
}
