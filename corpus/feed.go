package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
)

// ErrNotFeed: the URL answered, but not with RSS or Atom.
var ErrNotFeed = errors.New("not an RSS or Atom feed")

// Feed is a subscription: its articles are added to Scope on every poll.
type Feed struct {
	ID           int64
	URL          string
	Title        string
	Scope        string
	ETag         string // from the last 200 answer, sent back as If-None-Match
	LastModified string // from the last 200 answer, sent back as If-Modified-Since
	LastPolled   time.Time
	ItemsAdded   int    // articles the last poll added
	LastError    string // what went wrong on the last poll, "" when it went well
	ItemsWaiting int    // items that failed and will be tried again later
	ItemsGivenUp int    // items that failed every try and are no longer tried
}

// FeedStore is what PollFeed needs from storage. The item URL is the feed's
// own link for the item, which can differ from the article's canonical URL,
// so the store remembers it separately to skip the item on later polls
// without fetching its page.
type FeedStore interface {
	// SeenItem reports whether itemURL was stored or marked seen for feedID.
	SeenItem(ctx context.Context, feedID int64, itemURL string) (bool, error)
	// AddFeedItem stores a and remembers itemURL as seen for feedID. It
	// returns an error wrapping ErrDuplicate, storing nothing, when an
	// article with the same content hash is already stored (a repost, or
	// the same story in two feeds).
	AddFeedItem(ctx context.Context, feedID int64, itemURL string, a Article) error
	// MarkItemSeen remembers itemURL for feedID without storing an article:
	// its content is already stored. It forgets the item's failures.
	MarkItemSeen(ctx context.Context, feedID int64, itemURL string) error
	// ItemFailure returns how itemURL of feedID failed before (the zero
	// value when it never did); RecordItemFailure saves it.
	ItemFailure(ctx context.Context, feedID int64, itemURL string) (ItemFailure, error)
	RecordItemFailure(ctx context.Context, feedID int64, itemURL string, f ItemFailure) error
	// UpdateFeed saves the poll state (Title, ETag, LastModified,
	// LastPolled, ItemsAdded, LastError) of f, found by f.ID.
	UpdateFeed(ctx context.Context, f Feed) error
}

const feedAccept = "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.5"

// PollFeed fetches f with a conditional GET (nothing to do on 304), and adds
// every item not seen before: the item's page through Fetch, or, when the
// page cannot be fetched or has no text, the item's own content with its
// title, date and link. Articles get f.Scope. The poll state is saved with
// st.UpdateFeed whatever happens. added counts the articles stored, and is
// meaningful even when err is not nil (some items failed). Errors wrap
// ErrFetch, ErrNotFeed, ErrBlockedAddress, ErrTooLarge or a storage error.
func (f *Fetcher) PollFeed(ctx context.Context, fd Feed, st FeedStore) (added int, err error) {
	added, err = f.poll(ctx, &fd, st)
	fd.LastPolled, fd.ItemsAdded, fd.LastError = time.Now().UTC(), added, ""
	if err != nil {
		err = fmt.Errorf("poll feed %s: %w", fd.URL, err)
		fd.LastError = err.Error()
	}
	if uerr := st.UpdateFeed(ctx, fd); uerr != nil {
		return added, errors.Join(err, fmt.Errorf("save feed %d state: %w", fd.ID, uerr))
	}
	return added, err
}

func (f *Fetcher) poll(ctx context.Context, fd *Feed, st FeedStore) (int, error) {
	u, err := url.Parse(strings.TrimSpace(fd.URL))
	if err != nil {
		return 0, fmt.Errorf("not a valid link (%v): %w", err, ErrUnsupportedSource)
	}
	hdr := http.Header{}
	if fd.ETag != "" {
		hdr.Set("If-None-Match", fd.ETag)
	}
	if fd.LastModified != "" {
		hdr.Set("If-Modified-Since", fd.LastModified)
	}
	release, err := f.hosts.acquire(ctx, u.Hostname())
	if err != nil {
		return 0, fmt.Errorf("stopped: %w", err)
	}
	resp, body, err := f.get(ctx, u, feedAccept, hdr)
	release()
	if err != nil {
		return 0, err
	}
	if resp.StatusCode == http.StatusNotModified {
		return 0, nil
	}
	parsed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("the link serves %s (%v); give the feed's own address, often ending in /feed, /rss or .xml: %w",
			orUnknown(resp.Header.Get("Content-Type")), err, ErrNotFeed)
	}
	fd.ETag, fd.LastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if fd.Title == "" {
		fd.Title = strings.TrimSpace(parsed.Title)
	}
	return f.addItems(ctx, *fd, resp.Request.URL, parsed.Items, st)
}

// addItems ingests the new items, oldest first, at most MaxItemsPerPoll
// of them (a feed that lists more gets the rest on the next polls), and
// sums up the failures of single items into one error so that one broken
// link does not hide the others that were added. Each item has
// ItemTimeout; an item that fails waits 1 h, 6 h, then 24 h before it is
// tried again, and is given up after its fourth failure.
func (f *Fetcher) addItems(ctx context.Context, fd Feed, base *url.URL, items []*gofeed.Item, st FeedStore) (int, error) {
	added, failed, tried := 0, 0, 0
	var first error
	for i := len(items) - 1; i >= 0 && tried < f.cfg.MaxItemsPerPoll; i-- {
		link := itemLink(base, items[i])
		if link == "" {
			continue
		}
		due, prior, err := f.itemDue(ctx, fd.ID, link, st)
		if err != nil {
			return added, err
		}
		if !due {
			continue
		}
		tried++
		ok, err := f.addItemWithin(ctx, fd, link, items[i], st)
		if err != nil {
			if ctx.Err() != nil {
				return added, ctx.Err()
			}
			failed++
			if first == nil {
				first = err
			}
			if rerr := st.RecordItemFailure(ctx, fd.ID, link, prior.Failed(f.cfg.Now(), err)); rerr != nil {
				return added, rerr
			}
			continue
		}
		if ok {
			added++
		}
	}
	if failed > 0 {
		return added, fmt.Errorf("%d of %d new items could not be added, the first: %w", failed, tried, first)
	}
	return added, nil
}

// itemDue reports whether link should be tried now: not seen, and not
// waiting after a failure or given up. prior is its failures so far.
func (f *Fetcher) itemDue(ctx context.Context, feedID int64, link string, st FeedStore) (bool, ItemFailure, error) {
	seen, err := st.SeenItem(ctx, feedID, link)
	if err != nil || seen {
		return false, ItemFailure{}, err
	}
	prior, err := st.ItemFailure(ctx, feedID, link)
	if err != nil {
		return false, ItemFailure{}, err
	}
	return prior.Due(f.cfg.Now()), prior, nil
}

// addItemWithin is addItem with the per-item deadline, once the item's
// host is free (one request at a time per host).
func (f *Fetcher) addItemWithin(ctx context.Context, fd Feed, link string, it *gofeed.Item, st FeedStore) (bool, error) {
	release, err := f.hosts.acquire(ctx, mustParse(link).Hostname())
	if err != nil {
		return false, fmt.Errorf("stopped: %w", err)
	}
	defer release()
	ictx, cancel := context.WithTimeout(ctx, f.cfg.ItemTimeout)
	defer cancel()
	ok, err := f.addItem(ictx, fd, link, it, st)
	if err != nil && ictx.Err() != nil && ctx.Err() == nil {
		return false, fmt.Errorf("%s: not added within %s: %w", link, f.cfg.ItemTimeout, ErrFetch)
	}
	return ok, err
}

// addItem fetches and stores one item; ok is false when its content was
// already stored.
func (f *Fetcher) addItem(ctx context.Context, fd Feed, link string, it *gofeed.Item, st FeedStore) (ok bool, err error) {
	a, fetchErr := f.Fetch(ctx, link)
	if fetchErr != nil {
		if errors.Is(fetchErr, ErrBlockedAddress) {
			return false, fetchErr // never fall back to content that points inward
		}
		a = Article{Body: itemText(it), URL: link}
		if a.Body == "" {
			return false, fetchErr
		}
		a.ID = urlID(mustParse(link))
	}
	if a.Title == "" {
		a.Title = strings.TrimSpace(it.Title)
	}
	if a.Published.IsZero() {
		if t := itemDate(it); t != nil {
			a.Published = t.UTC()
		}
	}
	if a.Source == "" || fetchErr != nil {
		a.Source = firstNonEmpty(fd.Title, mustParse(link).Hostname())
	}
	a.Scope = fd.Scope
	a.Hash = ContentHash(a.Title, a.Body)
	if err := st.AddFeedItem(ctx, fd.ID, link, a); err != nil {
		if errors.Is(err, ErrDuplicate) {
			return false, st.MarkItemSeen(ctx, fd.ID, link)
		}
		return false, fmt.Errorf("store %s: %w", link, err)
	}
	return true, nil
}

// itemLink is the item's absolute http(s) link, else its GUID when that is
// one (RSS allows a permalink GUID without <link>).
func itemLink(base *url.URL, it *gofeed.Item) string {
	for _, s := range []string{it.Link, it.GUID} {
		if l := resolveHTTP(base, s); l != "" {
			return l
		}
	}
	return ""
}

// itemText is the item's own text (full content, else the summary) as
// plain paragraphs; feeds carry it as HTML.
func itemText(it *gofeed.Item) string {
	src := firstNonEmpty(it.Content, it.Description)
	if src == "" {
		return ""
	}
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return ""
	}
	return paragraphs(doc)
}

func itemDate(it *gofeed.Item) *time.Time {
	if it.PublishedParsed != nil {
		return it.PublishedParsed
	}
	return it.UpdatedParsed
}

// mustParse parses a URL that resolveHTTP already produced and so is valid.
func mustParse(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		return &url.URL{}
	}
	return u
}

func orUnknown(s string) string {
	if s == "" {
		return "content of unknown type"
	}
	return s
}
