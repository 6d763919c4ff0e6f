package corpus

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
)

//go:embed samples/*.txt
var samplesFS embed.FS

// SampleSource is the Source of bundled sample articles.
const SampleSource = "briefbot sample"

// Samples returns the briefings bundled in the binary, which a new, empty
// data directory starts with so that `briefbot ask` works out of the box.
func Samples() ([]Article, error) {
	names, err := fs.Glob(samplesFS, "samples/*.txt")
	if err != nil {
		return nil, fmt.Errorf("samples: %w", err)
	}
	var out []Article
	for _, name := range names {
		data, err := samplesFS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("samples: %w", err)
		}
		err = ParseFile(path.Base(name), data, func(a Article) error { // the ID is the file name
			a.Source = SampleSource
			a.AddedBy = "briefbot"
			out = append(out, a)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("samples: %w", err)
		}
	}
	return out, nil
}
