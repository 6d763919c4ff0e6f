package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/rag"
)

// store is what the commands need of the durable store: corpus.Store, an
// SQLite file in the data directory (the default), or corpus.PGStore when
// BRIEFBOT_DATABASE_URL names a PostgreSQL database. Both pass the same
// conformance suite, so every command behaves alike on either.
type store interface {
	rag.Store
	IsEmpty(ctx context.Context) (bool, error)
	Ping(ctx context.Context) error
	MarkSeeded(ctx context.Context) error
	ScopesOf(ctx context.Context, id string) ([]string, error)
	AddFeed(ctx context.Context, f corpus.Feed) (corpus.Feed, error)
	Feeds(ctx context.Context, scopes []string) ([]corpus.Feed, error)
	RemoveFeed(ctx context.Context, scopes []string, id int64) error
	UpdateFeed(ctx context.Context, f corpus.Feed) error
	SeenItem(ctx context.Context, feedID int64, itemURL string) (bool, error)
	MarkItemSeen(ctx context.Context, feedID int64, itemURL string) error
	ItemFailure(ctx context.Context, feedID int64, itemURL string) (corpus.ItemFailure, error)
	RecordItemFailure(ctx context.Context, feedID int64, itemURL string, f corpus.ItemFailure) error
	bot.Ledger // questions, votes and per-server settings
	Close() error
}

// dialStore opens the configured store: PostgreSQL when a database URL is
// set (no SQLite file is written then), else SQLite in the data directory.
func dialStore(ctx context.Context, cfg Config) (store, error) {
	if cfg.DatabaseURL != "" {
		s, err := corpus.OpenPG(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	s, err := corpus.Open(ctx, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// checkDatabaseURL accepts "" (SQLite) or a postgres:// address.
func checkDatabaseURL(u string) error {
	if u == "" || strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://") {
		return nil
	}
	return fmt.Errorf("BRIEFBOT_DATABASE_URL must start with postgres:// (for example " +
		"postgres://briefbot:secret@db.internal/briefbot); leave it unset to use SQLite in the data directory")
}
