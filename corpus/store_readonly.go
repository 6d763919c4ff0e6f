package corpus

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"modernc.org/sqlite"
)

// openReadOnly opens a store's file for reading only (dsn from
// readOnlyDSN). A file made by an older briefbot lacks the tables added
// since (feed_failures, questions, guild_settings), and without write
// access they cannot be created in it, so every connection stands in an
// empty TEMP view for each one missing: SQLite resolves a name in the temp
// schema first, so a missing table reads as "none yet" (no failed feed
// items, no questions asked) instead of failing with "no such table", and
// a write to it fails (as every write to a read-only store must) instead
// of landing in a table that vanishes with the connection. Tables the file
// has are left alone: a temp view of their name would hide them.
func openReadOnly(dsn string) (*sql.DB, error) {
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(standInConnector{Connector: base, tables: schemaTables()}), nil
}

// standInConnector is modernc's connector followed, on each new
// connection, by the stand-in tables (the wrapping its documentation
// shows: the connection itself is returned unwrapped).
type standInConnector struct {
	driver.Connector
	tables map[string]string // table name -> its columns and options
}

func (c standInConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.standIn(ctx, conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("stand in for tables of a newer schema: %w", err)
	}
	return conn, nil
}

func (c standInConnector) standIn(ctx context.Context, conn driver.Conn) error {
	ex, ok1 := conn.(driver.ExecerContext)
	q, ok2 := conn.(driver.QueryerContext)
	if !ok1 || !ok2 {
		return errors.New("the SQLite connection cannot run statements")
	}
	rows, err := q.QueryContext(ctx, `SELECT name FROM main.sqlite_master WHERE type = 'table'`, nil)
	if err != nil {
		return nil // a damaged file, or not a store: check reports it in its words
	}
	have := map[string]bool{}
	row := make([]driver.Value, 1)
	for {
		err := rows.Next(row)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rows.Close()
			return nil // as above
		}
		name, _ := row[0].(string)
		have[name] = true
	}
	rows.Close()
	if len(have) == 0 { // not a store, or an unreadable one: check reports it
		return nil
	}
	// Temp tables in memory: the folder beside the file may not be written.
	stmts := []string{`PRAGMA temp_store = MEMORY`}
	for name, def := range c.tables {
		if !have[name] { // a view: a write to it fails instead of vanishing with the connection
			stmts = append(stmts, "CREATE TEMP TABLE standin_"+name+" "+def,
				"CREATE TEMP VIEW "+name+" AS SELECT * FROM standin_"+name)
		}
	}
	for _, s := range stmts {
		if _, err := ex.ExecContext(ctx, s, nil); err != nil {
			return err
		}
	}
	return nil
}

// schemaTables returns the tables of the current schema (schema.sql and
// questions.sql), each name with the rest of its CREATE TABLE statement.
func schemaTables() map[string]string {
	re := regexp.MustCompile(`(?s)CREATE TABLE IF NOT EXISTS (\w+) (\(.*?\n\)[^;]*);`)
	out := map[string]string{}
	for _, m := range re.FindAllStringSubmatch(schemaSQL+"\n"+questionsSQL, -1) {
		out[m[1]] = strings.TrimSpace(m[2])
	}
	return out
}
