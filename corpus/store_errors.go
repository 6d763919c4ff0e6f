package corpus

import (
	"errors"
	"fmt"
	"path/filepath"
)

// ErrDamaged means the database file is damaged or is not a briefbot
// database; ErrDiskFull that the disk holding it is full. Both come
// wrapped with what to do.
var (
	ErrDamaged  = errors.New("the store is damaged")
	ErrDiskFull = errors.New("the disk is full")
)

// explain adds what to do to SQLite's errors about the file itself, which
// the user can act on: a damaged file, a full disk. Others pass unchanged.
func (s *Store) explain(err error) error {
	var c interface{ Code() int } // *sqlite.Error
	if !errors.As(err, &c) {
		return err
	}
	path := filepath.Join(s.dir, DBFile)
	switch c.Code() & 0xff { // the primary result code
	case 11, 26: // SQLITE_CORRUPT, SQLITE_NOTADB
		return fmt.Errorf("%w (%w): %s cannot be read; restore it from a backup, "+
			"or move it aside to start an empty store and ingest the briefings again", ErrDamaged, err, path)
	case 8: // SQLITE_READONLY: the file or its folder became read-only
		return fmt.Errorf("%w (%w): %s may not be written", ErrReadOnly, err, path)
	case 13: // SQLITE_FULL
		return fmt.Errorf("%w (%w): no space left for %s; free some space on that disk and retry "+
			"(what was stored before is intact)", ErrDiskFull, err, path)
	}
	return err
}

// isBusy reports whether err is SQLite's SQLITE_BUSY or SQLITE_LOCKED.
func isBusy(err error) bool {
	var c interface{ Code() int } // *sqlite.Error
	if !errors.As(err, &c) {
		return false
	}
	code := c.Code() & 0xff
	return code == 5 || code == 6
}
