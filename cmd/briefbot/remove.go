package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/briefbot/briefbot/corpus"
)

// runRemove removes articles from exactly one scope: the global (shared)
// one by default, a server's with --guild. An ID found only in another
// scope is refused with the flag that reaches it, so `--guild X` can never
// delete a shared article and a plain remove never deletes a server's.
func runRemove(ctx context.Context, cfg Config, args []string, std stdio) error {
	fs := newFlags("remove", &cfg, std)
	guild := guildFlag(fs, corpus.GlobalScope, "Discord server `ID` whose article to remove (default: the shared, global articles)")
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
		art, err := store.Remove(ctx, []string{*guild}, id)
		if errors.Is(err, corpus.ErrNotFound) {
			failed++
			others, err := store.ScopesOf(ctx, id)
			if err != nil {
				return err
			}
			fmt.Fprintln(std.out, notInScope(id, *guild, others))
			continue
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(std.out, "removed %s %q\n", art.ID, clip(art.Title, maxTitle))
	}
	if failed > 0 {
		return fmt.Errorf("%d of the IDs were not found: %w", failed, errSilent)
	}
	return nil
}

// notInScope says that id is not in scope and, when other scopes hold it,
// the command that reaches it.
func notInScope(id, scope string, others []string) string {
	where := "the shared articles"
	if scope != corpus.GlobalScope {
		where = "server " + scope
	}
	switch {
	case len(others) == 0:
		return fmt.Sprintf("not found %s: no such article in %s; see briefbot list", id, where)
	case slices.Contains(others, corpus.GlobalScope):
		return fmt.Sprintf("not found %s in %s: %s is a shared article; remove it with `briefbot remove %s`", id, where, id, id)
	case len(others) == 1:
		return fmt.Sprintf("not found %s in %s: %s is in server %s: use --guild %s (briefbot remove --guild %s %s)",
			id, where, id, others[0], others[0], others[0], id)
	}
	return fmt.Sprintf("not found %s in %s: %s is in servers %s: use --guild with one of them",
		id, where, id, strings.Join(others, ", "))
}
