package main

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/briefbot/briefbot/corpus"
)

// describe is the one place the command line words an error for its user.
// Package corpus returns typed errors without flags or settings in them;
// what to type to fix them (--replace, --data, BRIEFBOT_ALLOW_PRIVATE_URLS,
// BRIEFBOT_DATABASE_URL) is added here. Errors it does not know are shown as they are.
func describe(err error) string {
	var (
		conflict *corpus.ConflictError
		dataDir  *corpus.DataDirError
		link     *corpus.LinkError
		path     *fs.PathError
	)
	switch {
	case errors.As(err, &link):
		return describe(link.Err) // the report line names the link already
	case errors.As(err, &conflict):
		return conflictText(conflict)
	case errors.Is(err, corpus.ErrBlockedAddress):
		return err.Error() + "; set BRIEFBOT_ALLOW_PRIVATE_URLS=1 to allow them, which is risky unless everyone who can use briefbot is trusted"
	case errors.Is(err, corpus.ErrNoDataDir):
		return "no data directory: pass --data DIR or set BRIEFBOT_DATA"
	case errors.As(err, &dataDir):
		return dataDirText(dataDir)
	case errors.Is(err, corpus.ErrReadOnly):
		return err.Error() + "; list and ask work on it, but to add or remove articles run briefbot as a user who may " +
			"write that folder, or copy the folder and pass --data COPY"
	case errors.Is(err, corpus.ErrNotPostgresURL):
		return "BRIEFBOT_DATABASE_URL: " + err.Error() + "; fix it, or leave it unset to use SQLite in the data directory"
	case errors.Is(err, corpus.ErrUnreachable):
		return err.Error() + "; check BRIEFBOT_DATABASE_URL and that the server is running"
	case errors.As(err, &path) && errors.Is(err, fs.ErrNotExist):
		return "no such file or folder; check the path"
	case errors.As(err, &path):
		return path.Err.Error()
	}
	return err.Error()
}

// conflictText advises replacing only when the stored article was read from
// the same file or link, so following the advice never deletes another
// article.
func conflictText(c *corpus.ConflictError) string {
	if c.SameOrigin {
		return fmt.Sprintf("%s holds an earlier version of this (%q, added %s); pass --replace to replace it",
			c.ID, c.Stored.Title, c.Stored.AddedAt.Format("2006-01-02"))
	}
	where := ""
	if c.Stored.Source != "" {
		where = " from " + c.Stored.Source
	}
	return fmt.Sprintf("the ID %s is already used by another article, %q%s; nothing was changed. "+
		"Rename the file, or give the article an ID of its own (Markdown front matter \"id:\", a JSONL \"id\")",
		c.ID, c.Stored.Title, where)
}

func dataDirText(e *corpus.DataDirError) string {
	switch {
	case errors.Is(e.Err, fs.ErrPermission):
		return e.Error() + "; pass --data DIR (or set BRIEFBOT_DATA) to a folder you may write"
	case e.Err == nil:
		return e.Error() + "; pass --data DIR (or set BRIEFBOT_DATA) to a folder, for example the one that file is in"
	}
	return e.Error() + "; pass --data DIR (or set BRIEFBOT_DATA) to another folder"
}
