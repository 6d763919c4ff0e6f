package corpus

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// DBFile is the name of the SQLite database inside the data directory.
const DBFile = "briefbot.db"

// Store is the durable source of truth: articles, their passages and cached
// embeddings in one SQLite file (WAL mode). Every change is one transaction,
// so after a crash an article is fully present or absent. The vector and
// keyword indexes in package rag are rebuilt from it.
type Store struct {
	db       *sql.DB
	dir      string
	readOnly bool
	pin      *sql.Conn // keeps a scratch store's in-memory database alive (OpenScratch)
}

// DataDirError is a data directory that cannot be used: Problem says why in
// words for the user ("is a file, not a folder"); Err is the cause.
type DataDirError struct {
	Dir     string
	Problem string
	Err     error
}

func (e *DataDirError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("data directory %s %s", e.Dir, e.Problem)
	}
	return fmt.Sprintf("data directory %s %s: %v", e.Dir, e.Problem, e.Err)
}

func (e *DataDirError) Unwrap() error { return e.Err }

// ErrNoDataDir is Open's error for an empty directory name.
var ErrNoDataDir = errors.New("no data directory given")

// Open opens (creating if needed) the store in dir. A store the user may
// not write (a read-only folder or file) is opened read-only, so that
// listing and asking still work: ReadOnly reports it, and every write then
// fails with ErrReadOnly.
func Open(ctx context.Context, dir string) (*Store, error) {
	if dir == "" {
		return nil, ErrNoDataDir
	}
	path := filepath.Join(dir, DBFile)
	readOnly, err := prepareDir(dir, path)
	if err != nil {
		return nil, err
	}
	// synchronous(FULL): a commit reported to the user survives power loss,
	// not only a killed process. _txlock=immediate avoids upgrade deadlocks
	// between concurrent writers.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=foreign_keys(ON)&_pragma=busy_timeout(10000)&_txlock=immediate"
	var db *sql.DB
	if readOnly {
		db, err = openReadOnly(readOnlyDSN(dir, path))
	} else {
		db, err = sql.Open("sqlite", dsn)
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db, dir: dir, readOnly: readOnly}
	if readOnly {
		err = whenFree(ctx, s.check)
	} else {
		err = whenFree(ctx, s.migrate)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, s.explain(err))
	}
	return s, nil
}

// prepareDir creates dir when missing and tells whether the store must be
// opened read-only: the database exists but the folder or the file may
// not be written.
func prepareDir(dir, path string) (readOnly bool, err error) {
	st, err := os.Stat(dir)
	switch {
	case err == nil && !st.IsDir():
		return false, &DataDirError{Dir: dir, Problem: "is a file, not a folder"}
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return false, &DataDirError{Dir: dir, Problem: "cannot be created", Err: err}
		}
		return false, nil
	case err != nil:
		return false, &DataDirError{Dir: dir, Problem: "cannot be read", Err: err}
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		if !writable(dir) {
			return false, &DataDirError{Dir: dir, Problem: "is read-only and holds no store yet", Err: fs.ErrPermission}
		}
		return false, nil
	}
	return !writable(dir) || !writable(path), nil
}

// writable reports whether this process may write path (a file or folder).
// It asks the kernel (access(2) through unix.Access on the real IDs would
// need x/sys), by trying: a folder by creating and removing a temporary
// file, a file by opening it for writing.
func writable(path string) bool {
	st, err := os.Stat(path)
	if err != nil {
		return false
	}
	if st.IsDir() {
		f, err := os.CreateTemp(path, ".briefbot-write-check-*")
		if err != nil {
			return false
		}
		f.Close()
		os.Remove(f.Name())
		return true
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// readOnlyDSN opens the database for reading only. When the folder may be
// written, SQLite can still use the WAL index and sees what other processes
// commit; when it may not, immutable=1 reads the file as it is, without
// the -shm and -wal files SQLite would otherwise need to create.
func readOnlyDSN(dir, path string) string {
	dsn := "file:" + path + "?mode=ro&_pragma=busy_timeout(10000)"
	if !writable(dir) {
		dsn += "&immutable=1"
	}
	return dsn
}

// ReadOnly reports whether the store was opened read-only.
func (s *Store) ReadOnly() bool { return s.readOnly }

// ErrReadOnly is returned by every write to a store opened read-only.
var ErrReadOnly = errors.New("the store is read-only")

func (s *Store) errReadOnly() error {
	return fmt.Errorf("%w: %s may not be written", ErrReadOnly, filepath.Join(s.dir, DBFile))
}

// Dir is the data directory the store lives in.
func (s *Store) Dir() string { return s.dir }

// Close closes the database.
func (s *Store) Close() error {
	if s.pin != nil {
		s.pin.Close()
	}
	return s.db.Close()
}

// whenFree runs step (migrate or check), retrying while another process
// (or store) opening the same file at the same moment holds it. SQLite
// returns SQLITE_BUSY without waiting for the busy timeout when waiting
// could deadlock, which happens while a brand-new file is switched to WAL
// mode by a neighbour; both steps are idempotent, so trying again is safe.
func whenFree(ctx context.Context, step func(context.Context) error) error {
	deadline := time.Now().Add(openBusyWait)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err := step(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// openBusyWait bounds how long Open keeps retrying a busy database, as
// the busy_timeout pragma bounds every other wait.
const openBusyWait = 10 * time.Second
