package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows how an ingest is going on a terminal: articles and
// passages added, and articles per second. It uses
// github.com/schollz/progressbar (maintained, no cgo, throttled redraws,
// rate computed for us) instead of hand-written "\r" output. A nil
// *progress, as when stderr is not a terminal, does nothing, so pipes and
// logs stay clean.
type progress struct {
	bar      *progressbar.ProgressBar
	passages int
}

// newProgress returns a progress display on w when w is a terminal, nil
// otherwise.
func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	if !ok || !isTerminal(f) {
		return nil
	}
	return newProgressOn(w, 100*time.Millisecond)
}

// newProgressOn draws on w whatever it is (tests pass a buffer), at most
// once per throttle.
func newProgressOn(w io.Writer, throttle time.Duration) *progress {
	return &progress{bar: progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("ingesting: 0 passages"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("articles"),
		progressbar.OptionThrottle(throttle),
		progressbar.OptionSpinnerType(14),
		// Zero: the spinner turns at each redraw. Any other interval
		// starts a ticker goroutine that reads the bar's state without its
		// lock (a data race in v3.19.1, seen by go test -race) and lives
		// until Finish.
		progressbar.OptionSetSpinnerChangeInterval(0),
		progressbar.OptionClearOnFinish(),
	)}
}

// add counts articles and their passages.
func (p *progress) add(articles, passages int) {
	if p == nil {
		return
	}
	p.passages += passages
	_ = p.bar.Add(articles)
	p.bar.Describe(fmt.Sprintf("ingesting: %s", plural(p.passages, "passage")))
}

// clear wipes the bar so that a report line can be printed; it is drawn
// again at the next add.
func (p *progress) clear() {
	if p != nil {
		_ = p.bar.Clear()
	}
}

func (p *progress) done() {
	if p != nil {
		_ = p.bar.Finish()
	}
}
