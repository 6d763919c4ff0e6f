package corpus

import (
	"context"
	"database/sql"
	"fmt"
)

// OpenScratch opens an empty store that lives in memory and is gone when
// closed: the same SQLite schema and rules as Open, without a file. It is
// for throwaway corpora, such as the documents `briefbot eval --docs`
// ingests, in a deployment whose source of truth is PostgreSQL, where no
// SQLite file may be written. A scratch corpus does not belong in the
// shared database either: its adds would be announced to the running
// processes and take the shared add lock, and a crash would leave it behind.
//
// It uses SQLite's memdb VFS, which, unlike ":memory:", is one database
// shared by every connection of the pool, with SQLite's usual locking. The
// database lives while a connection to it is open: the store pins one.
func OpenScratch(ctx context.Context) (*Store, error) {
	dsn := "file:/briefbot-scratch-" + newOrigin() + "?vfs=memdb" +
		"&_pragma=foreign_keys(ON)&_pragma=busy_timeout(10000)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open scratch store: %w", err)
	}
	pin, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open scratch store: %w", err)
	}
	s := &Store{db: db, pin: pin}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open scratch store: %w", err)
	}
	return s, nil
}
