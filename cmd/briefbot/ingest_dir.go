package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/briefbot/briefbot/corpus"
)

// dir ingests every file below root that has a format's extension, in
// path order. Each article's ID comes from the file's path relative to
// root, so monday/briefing.txt and tuesday/briefing.txt do not collide
// (uniqueFileIDs separates names that differ only by extension or case).
// Files of other types and links to folders get a "skipped" line saying
// why; hidden files and folders (.git, .DS_Store) are passed over quietly.
// A folder holding nothing to read is a failure.
func (in *ingester) dir(ctx context.Context, root string) error {
	files, err := in.readable(root)
	if err != nil {
		return fmt.Errorf("read directory %s: %w", root, err)
	}
	if len(files) == 0 {
		in.fail(root, errors.New("no file here that briefbot reads ("+corpus.Extensions()+")"))
		return nil
	}
	names := make([]string, len(files))
	for i, p := range files {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			rel = filepath.Base(p)
		}
		names[i] = filepath.ToSlash(rel)
	}
	in.fileIDs = uniqueFileIDs(names)
	defer func() { in.fileIDs = nil }()
	for i, p := range files {
		if ctx.Err() != nil {
			return nil
		}
		f, _ := corpus.FormatOf(p)
		if err := in.file(ctx, p, names[i], &f); err != nil {
			return err
		}
	}
	return nil
}

// readable walks root and returns the files of a known format, in path
// order, reporting every other file and link it passes over (see dir).
func (in *ingester) readable(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case p == root:
			return nil
		case strings.HasPrefix(d.Name(), ".") && d.IsDir():
			return filepath.SkipDir
		case strings.HasPrefix(d.Name(), "."):
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			st, err := os.Stat(p)
			switch {
			case err != nil:
				in.skip(p, "a link to something that does not exist")
				return nil
			case st.IsDir():
				in.skip(p, "a link to a folder, which is not followed; name the folder itself to add it")
				return nil
			}
		}
		if d.IsDir() {
			return nil
		}
		if _, ok := corpus.FormatOf(p); !ok {
			in.skipUnknown(p)
			return nil
		}
		files = append(files, p)
		return nil
	})
	return files, err
}

// skipUnknown reports a file of no format briefbot reads.
func (in *ingester) skipUnknown(p string) {
	ext := strings.ToLower(filepath.Ext(p))
	if ext == "" {
		in.skip(p, "no extension, so its format is unknown; use one of "+corpus.Extensions())
		return
	}
	in.skip(p, fmt.Sprintf("%q files are not read; use one of %s", ext, corpus.Extensions()))
}

// uniqueFileIDs gives every file of a folder an ID of its own. An ID comes
// from the path without its extension (corpus.FileID), so notes.txt and
// notes.md, NOTES.txt and notes.txt, or a/b-c.txt and a-b/c.txt would
// share one and all but the first would be refused. The first in path
// order keeps it; each other gets its extension added, or when that is
// taken too, a short hash of its path. It returns, by relative path, the
// IDs that differ from corpus.FileID.
func uniqueFileIDs(names []string) map[string]string {
	count, taken := map[string]int{}, map[string]bool{}
	for _, n := range names {
		id := corpus.FileID(n)
		count[id]++
		taken[id] = true
	}
	out, kept := map[string]string{}, map[string]bool{}
	for _, n := range names {
		id := corpus.FileID(n)
		if count[id] == 1 || !kept[id] {
			kept[id] = true
			continue
		}
		alt := id + "-" + corpus.Slug(path.Ext(n))
		if taken[alt] {
			alt = id + "-" + corpus.TextHash(n)[:8]
		}
		taken[alt] = true
		out[n] = alt
	}
	return out
}

// skip reports a file found in a folder that is not read.
func (in *ingester) skip(p, why string) {
	in.skipped++
	in.line("skipped %s: %s", p, why)
}
