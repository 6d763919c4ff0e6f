package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/briefbot/briefbot/corpus"
)

// dir ingests every file below root that has a format's extension, in
// path order. Each article's ID comes from the file's path relative to
// root, so monday/briefing.txt and tuesday/briefing.txt do not collide.
// Files of other types and links to folders get a "skipped" line saying
// why; hidden files and folders (.git, .DS_Store) are passed over quietly.
// A folder holding nothing to read is a failure.
func (in *ingester) dir(ctx context.Context, root string) error {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
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
			ext := strings.ToLower(filepath.Ext(p))
			if ext == "" {
				in.skip(p, "no extension, so its format is unknown; use one of "+corpus.Extensions())
			} else {
				in.skip(p, fmt.Sprintf("%q files are not read; use one of %s", ext, corpus.Extensions()))
			}
			return nil
		}
		files = append(files, p)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read directory %s: %w", root, err)
	}
	if len(files) == 0 {
		in.fail(root, errors.New("no file here that briefbot reads ("+corpus.Extensions()+")"))
		return nil
	}
	for _, p := range files {
		if ctx.Err() != nil {
			return nil
		}
		f, _ := corpus.FormatOf(p)
		rel, err := filepath.Rel(root, p)
		if err != nil {
			rel = filepath.Base(p)
		}
		if err := in.file(ctx, p, filepath.ToSlash(rel), &f); err != nil {
			return err
		}
	}
	return nil
}

// skip reports a file found in a folder that is not read.
func (in *ingester) skip(p, why string) {
	in.skipped++
	in.line("skipped %s: %s", p, why)
}
