package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// GlobalScope is the scope of articles every Discord server and the command
// line can see: the bundled sample and anything ingested from the CLI without
// --guild.
const GlobalScope = ""

// Article is one briefing as stored. Body is the exact text every passage and
// every quote is a byte range of: it is never rewritten after ingest.
type Article struct {
	ID     string
	Scope  string // GlobalScope, or the Discord guild ID that owns it
	Title  string
	Source string // publisher or origin ("Reuters", "sample", a file name)
	URL    string
	// Published is the article's own date; zero when unknown.
	Published time.Time
	// DateGuessed is true when Published was not stated by the article but
	// taken from the day it was added.
	DateGuessed bool
	Body        string
	AddedAt     time.Time
	AddedBy     string
	// Hash identifies the content (title and body); the same content added
	// twice is skipped.
	Hash string
	// Origin is where the article was read from (a file's absolute path, a
	// URL); "" when unknown. It is kept to tell a newer version of the same
	// file from another article that happens to get the same ID.
	Origin string
}

// Passage is a retrievable piece of an article body: Text == Body[Start:End].
type Passage struct {
	ID        string // ArticleID + "#" + Seq
	ArticleID string
	Seq       int
	Heading   string // the sub-heading the passage sits under, if any
	Start     int    // byte offset in the article body
	End       int
	Text      string
}

// Sentinel errors callers map to user-facing messages.
var (
	ErrNotFound          = errors.New("article not found")
	ErrDuplicate         = errors.New("same content already stored")
	ErrConflict          = errors.New("another article with this ID is stored")
	ErrEmpty             = errors.New("no article text found")
	ErrUnsupportedSource = errors.New("unsupported source")
)

// LinkError is a link that could not be fetched or read: Err says why and
// wraps ErrFetch, ErrTooLarge, ErrBlockedAddress, ErrUnsupportedSource or
// ErrEmpty.
type LinkError struct {
	URL string
	Err error
}

func (e *LinkError) Error() string { return "fetch " + e.URL + ": " + e.Err.Error() }

func (e *LinkError) Unwrap() error { return e.Err }

// ContentHash is the hex SHA-256 of an article's title and body, the key for
// spotting the same content added twice.
func ContentHash(title, body string) string {
	h := sha256.New()
	h.Write([]byte(title))
	h.Write([]byte{0})
	h.Write([]byte(body))
	return hex.EncodeToString(h.Sum(nil))
}

// TextHash is the hex SHA-256 of a passage text: embeddings are cached under
// it so that identical text is embedded once.
func TextHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}
