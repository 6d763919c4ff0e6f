package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/briefbot/briefbot/corpus"
)

func runRemove(ctx context.Context, cfg Config, args []string, std stdio) error {
	fs := newFlags("remove", &cfg, std)
	guild := fs.String("guild", corpus.GlobalScope, "Discord server ID whose article to remove (default: global)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"remove: name at least one article ID (see briefbot list)"}
	}
	store, closeStore, err := openStore(ctx, cfg, std)
	if err != nil {
		return err
	}
	defer closeStore()
	failed := 0
	for _, id := range fs.Args() {
		art, err := store.Remove(ctx, []string{corpus.GlobalScope, *guild}, id)
		if errors.Is(err, corpus.ErrNotFound) {
			failed++
			fmt.Fprintf(std.out, "not found %s: no such article; see briefbot list\n", id)
			continue
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(std.out, "removed %s %q\n", art.ID, art.Title)
	}
	if failed > 0 {
		return fmt.Errorf("%d of the IDs were not found: %w", failed, errSilent)
	}
	return nil
}
