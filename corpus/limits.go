package corpus

import (
	"fmt"
	"time"
)

// Caps on what one document may cost to read. The download cap
// (FetchConfig.MaxBytes, 10 MB) bounds what arrives; these bound what it
// becomes, because a few kilobytes of compressed PDF can inflate to
// gigabytes and a parser can take minutes over them.
const (
	// MaxTextBytes is the most text one document (one JSONL record) may
	// hold once extracted: about 300 pages of prose, far above any
	// briefing, and small enough to split, embed and store at once.
	MaxTextBytes = 2 << 20
	// MaxInflatedBytes is the most a PDF's page content streams may
	// decompress to, summed over the pages. The PDF library keeps about
	// 64 bytes per glyph it reads, so this also bounds its memory.
	MaxInflatedBytes = 8 << 20
	// maxPDFStringBytes bounds the bytes inside the text operators' strings
	// (about one glyph each), checked before the library reads a page: the
	// library takes about 5 s per million glyphs on a busy machine, so
	// this also keeps a PDF within DefaultParseTimeout.
	maxPDFStringBytes = MaxTextBytes
	// DefaultParseTimeout is how long reading one untrusted PDF may take
	// before its child process is killed.
	DefaultParseTimeout = 10 * time.Second
	// DefaultParseMemory is the address space a PDF's child process may
	// grow by beyond what it holds at start (the Go runtime reserves about
	// 1.2 GB of address space before it reads a byte).
	DefaultParseMemory = 1 << 30
)

// CheckText refuses an article whose text is over MaxTextBytes, with an
// error wrapping ErrTooLarge that says what to do. Every way an article
// comes in (URL, file, feed item, pasted text, JSONL record) passes here.
func CheckText(a Article) error {
	if n := len(a.Title) + len(a.Body); n > MaxTextBytes {
		return fmt.Errorf("the text is %.1f MB, over the %d MB limit per document; split it into several documents: %w",
			float64(n)/(1<<20), MaxTextBytes>>20, ErrTooLarge)
	}
	return nil
}
