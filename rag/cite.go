package rag

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Citation checking. A model's answer is only shown after these rules:
//
//   - A marker [n] (or [n, m]) must name a passage given to the model,
//     numbered 1..len(hits); other numbers are removed.
//   - A quote is text between quote marks of any common style (see
//     quoteMarks in cite_quotes.go: "…", “…”, „…“, ‘…’, '…', ‚…‘, «…», »…«,
//     ‹…›, ＂…＂, 「…」, 『…』, ｢…｣, ﹁…﹂, ❝…❞, ❛…❜ and more) or a Markdown
//     block-quote line "> …". It
//     belongs to the first marker after it on the same line, at most
//     quoteReach bytes on and with no other quote in between.
//   - A quote is verified when it is found in a given passage, tolerant of
//     case, white space and line breaks, quote-mark style and dashes, and
//     punctuation at its edges. It is looked for first in the passages its
//     marker names, then in all others in rank order; a quote found in
//     another passage moves the citation there.
//   - An ellipsis ("...", "…", "[…]", "(...)") inside a quote splits it into
//     pieces. A spliced quote is verified only when every piece has at least
//     minSpliceWords words and all pieces appear, in order, within ONE
//     sentence of one passage: "…" may skip words inside a sentence, never
//     a sentence boundary, a paragraph, or a list item or table row (see
//     splitItems). Otherwise the whole quote is
//     unverified (its pieces are not checked one by one: two true pieces
//     joined across sentences still misquote).
//   - A verified quote is shown as our stored text in “curly quotes”
//     (pieces joined by " … "). Its Citation.Quote is the stored text from
//     the first piece to the last, article.Body[Start:End], and
//     Citation.Spans holds each piece's byte range: never the model's copy.
//   - A quote found nowhere loses its quote marks (its words stay). Then
//     every quote mark left outside a verified quote is removed: marks that
//     are never apostrophes always, ’ and ' where they follow no letter or
//     digit, and ">" opening a line. No unchecked text is ever shown as a quote.
//   - A marker without a verified quote cites its passage unverified:
//     Verified=false, Quote empty (Start == End == the passage start).
//   - A verified quote with no marker gets one right after it.
//
// Citations are numbered in the order they appear in the final text; the
// same stored span cited twice keeps one number. Checking is linear in the
// answer's length (for a bounded set of passages).

// quoteReach is how far after a quote its marker may be.
const quoteReach = 160

// minSpliceWords is the fewest words each piece of a spliced quote ("a b c
// … d e f") must have: a one- or two-word piece can be found almost
// anywhere and would let "…" join unrelated words.
const minSpliceWords = 3

var markerRE = regexp.MustCompile(`\[\s*(\d{1,4}(?:\s*[,;]\s*\d{1,4})*)\s*\]`)

// Span is a byte range [Start, End) of an article body.
type Span struct{ Start, End int }

// quote is a quoted span of the answer: its opening mark at open, the
// quoted text answer[innerStart:innerEnd], closeEnd just past the closing
// mark. A block quote ("> text") has no closing mark (innerEnd ==
// closeEnd).
type quote struct {
	open, innerStart, innerEnd, closeEnd int
}

type marker struct {
	start, end int
	ns         []int
}

// citeRef identifies a citation: a hit and a body span (start == end for
// an unverified passage citation); pieces lists the spans of a spliced
// quote ("s-e,s-e"), so that two splices are never merged.
type citeRef struct {
	hit        int
	start, end int
	verified   bool
	pieces     string
}

// edit replaces answer[start:end] with text followed by rendered refs.
type edit struct {
	start, end int
	text       string
	refs       []citeRef
	isMarker   bool
	verified   bool // text is a verified quote as shown
}

// citeChecker holds the given passages folded once.
type citeChecker struct {
	hits     []Hit
	passages []passageIndex // empty when the hit is unusable
	spansOf  map[citeRef][]Span
}

func newCiteChecker(hits []Hit) *citeChecker {
	c := &citeChecker{hits: hits, passages: make([]passageIndex, len(hits)), spansOf: map[citeRef][]Span{}}
	for i, h := range hits {
		if a, p := h.Article, h.Passage; a != nil && 0 <= p.Start && p.Start <= p.End && p.End <= len(a.Body) {
			c.passages[i] = indexPassage(a.Body[p.Start:p.End])
		}
	}
	return c
}

// checkCitations checks the markers and quotes of a model's answer
// against hits, the passages the model was given (numbered 1..len(hits)),
// by the rules above. It returns the text to show, with markers
// renumbered to match cites.
func checkCitations(answer string, hits []Hit) (text string, cites []Citation) {
	return newCiteChecker(hits).check(answer)
}

func (c *citeChecker) check(answer string) (string, []Citation) {
	markers := findMarkers(answer)
	quotes := findQuotes(answer, 0, len(answer), markers)
	owner := attach(answer, quotes, markers)
	byMarker := make([][]int, len(markers))
	var edits []edit
	for qi, mi := range owner {
		if mi >= 0 {
			byMarker[mi] = append(byMarker[mi], qi)
			continue
		}
		es, ref, ok := c.resolveQuote(answer, quotes[qi], nil)
		if ok {
			es[0].refs = []citeRef{ref}
		}
		edits = append(edits, es...)
	}
	for mi, m := range markers {
		edits = append(edits, c.resolveMarker(answer, m, quotes, byMarker[mi])...)
	}
	return c.render(answer, edits)
}

// findMarkers returns the [n] markers in order.
func findMarkers(s string) []marker {
	var out []marker
	for _, m := range markerRE.FindAllStringSubmatchIndex(s, -1) {
		mk := marker{start: m[0], end: m[1]}
		for _, f := range strings.FieldsFunc(s[m[2]:m[3]], func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
			n, _ := strconv.Atoi(f)
			mk.ns = append(mk.ns, n)
		}
		out = append(out, mk)
	}
	return out
}

// attach returns for each quote the index of the marker it supports, or
// -1 when no marker claims it. Quotes and markers are both in text order,
// so one pass suffices.
func attach(s string, quotes []quote, markers []marker) []int {
	owner := make([]int, len(quotes))
	mi := 0
	for qi, q := range quotes {
		owner[qi] = -1
		for mi < len(markers) && markers[mi].start < q.closeEnd {
			mi++
		}
		if mi == len(markers) {
			continue
		}
		m := markers[mi]
		gap := s[q.closeEnd:m.start]
		nextOpens := qi+1 < len(quotes) && quotes[qi+1].open < m.start
		if len(gap) <= quoteReach && !strings.Contains(gap, "\n") && !nextOpens {
			owner[qi] = mi
		}
	}
	return owner
}

// resolveMarker checks the quotes a marker supports (mine, in order) and
// decides what the marker becomes: the last verified quote's citation,
// then the passages it names that no verified quote accounts for,
// unverified. Earlier verified quotes get their own marker right after
// them.
func (c *citeChecker) resolveMarker(answer string, m marker, quotes []quote, mine []int) []edit {
	var valid []int // hit indexes named by the marker
	for _, n := range m.ns {
		if n >= 1 && n <= len(c.hits) && !containsInt(valid, n-1) {
			valid = append(valid, n-1)
		}
	}
	var edits []edit
	var verified []citeRef
	var at []int // index in edits of each verified quote
	for _, qi := range mine {
		es, ref, ok := c.resolveQuote(answer, quotes[qi], valid)
		if ok {
			verified, at = append(verified, ref), append(at, len(edits))
		}
		edits = append(edits, es...)
	}
	me := edit{start: m.start, end: m.end, isMarker: true}
	if n := len(verified); n > 0 {
		me.refs = append(me.refs, verified[n-1])
		for i := range n - 1 {
			edits[at[i]].refs = []citeRef{verified[i]}
		}
	}
	consumed := map[int]bool{}
	for _, ref := range verified {
		if containsInt(valid, ref.hit) {
			consumed[ref.hit] = true
			continue
		}
		for _, h := range valid { // a moved quote takes the marker's first free number
			if !consumed[h] {
				consumed[h] = true
				break
			}
		}
	}
	for _, h := range valid {
		if !consumed[h] {
			p := c.hits[h].Passage
			me.refs = append(me.refs, citeRef{hit: h, start: p.Start, end: p.Start})
		}
	}
	return append(edits, me)
}

// resolveQuote checks one quote: verified, its marks and words become
// the stored text in curly quotes; otherwise its marks are removed.
func (c *citeChecker) resolveQuote(answer string, q quote, prefer []int) ([]edit, citeRef, bool) {
	ref, display, ok := c.locate(answer[q.innerStart:q.innerEnd], prefer)
	if !ok {
		edits := []edit{{start: q.open, end: q.innerStart}, {start: q.innerEnd, end: q.closeEnd}}
		for _, n := range findQuotes(answer, q.innerStart, q.innerEnd, nil) { // quotes inside it stand alone
			es, ref, ok := c.resolveQuote(answer, n, prefer)
			if ok {
				es[0].refs = []citeRef{ref}
			}
			edits = append(edits, es...)
		}
		return edits, citeRef{}, false
	}
	return []edit{{start: q.open, end: q.closeEnd, text: "“" + display + "”", verified: true}}, ref, true
}

// locate finds the quote in one passage: the preferred ones first, then
// all in rank order.
func (c *citeChecker) locate(inner string, prefer []int) (citeRef, string, bool) {
	pieces := quotePieces(inner)
	if len(pieces) == 0 {
		return citeRef{}, "", false
	}
	if len(pieces) > 1 {
		for _, p := range pieces {
			if countWords(p) < minSpliceWords {
				return citeRef{}, "", false
			}
		}
	}
	order := append([]int(nil), prefer...)
	for i := range c.hits {
		if !containsInt(order, i) {
			order = append(order, i)
		}
	}
	for _, h := range order {
		spans, ok := c.passages[h].find(pieces)
		if !ok {
			continue
		}
		return c.refFor(h, spans)
	}
	return citeRef{}, "", false
}

// refFor turns piece spans (relative to hit h's passage) into a citation
// reference and the text to show.
func (c *citeChecker) refFor(h int, spans []Span) (citeRef, string, bool) {
	body, base := c.hits[h].Article.Body, c.hits[h].Passage.Start
	shown := make([]string, len(spans))
	keys := make([]string, len(spans))
	abs := make([]Span, len(spans))
	for i, s := range spans {
		abs[i] = Span{base + s.Start, base + s.End}
		shown[i] = strings.Join(strings.Fields(body[abs[i].Start:abs[i].End]), " ")
		keys[i] = strconv.Itoa(abs[i].Start) + "-" + strconv.Itoa(abs[i].End)
	}
	ref := citeRef{hit: h, start: abs[0].Start, end: abs[len(abs)-1].End, verified: true, pieces: strings.Join(keys, ",")}
	c.spansOf[ref] = abs
	return ref, strings.Join(shown, " … "), true
}

// render applies the edits in order, numbering citations as they appear,
// then removes every quote mark left outside a verified quote. A marker
// that renders empty takes the space before it along.
func (c *citeChecker) render(answer string, edits []edit) (string, []Citation) {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var out []byte
	var keep []Span // verified quotes in out
	var cites []Citation
	num := map[citeRef]int{}
	pos := 0
	for _, e := range edits {
		if e.start < pos { // overlapping edits cannot happen; be safe
			continue
		}
		out = append(out, answer[pos:e.start]...)
		pos = e.end
		if e.verified {
			keep = append(keep, Span{len(out), len(out) + len(e.text)})
		}
		out = append(out, e.text...)
		if !e.isMarker && len(e.refs) > 0 {
			out = append(out, ' ') // a marker we add after a quote
		}
		for _, r := range e.refs {
			n, ok := num[r]
			if !ok {
				n = len(cites) + 1
				cites = append(cites, c.citation(r, n))
				num[r] = n
			}
			out = append(out, "["+strconv.Itoa(n)+"]"...)
		}
		if e.isMarker && e.text == "" && len(e.refs) == 0 {
			out = trimRightKeeping(out, keep)
		}
	}
	out = append(out, answer[pos:]...)
	return strings.TrimSpace(scrubQuoteMarks(string(out), keep)), cites
}

func (c *citeChecker) citation(r citeRef, n int) Citation {
	cit := citationFor(c.hits[r.hit].Article, r.start, r.end)
	cit.N, cit.Verified = n, r.verified
	if r.verified {
		cit.Spans = c.spansOf[r]
	}
	return cit
}

// trimRightKeeping drops trailing blanks of out, never into a kept span.
func trimRightKeeping(out []byte, keep []Span) []byte {
	floor := 0
	if len(keep) > 0 {
		floor = keep[len(keep)-1].End
	}
	for len(out) > floor && (out[len(out)-1] == ' ' || out[len(out)-1] == '\t') {
		out = out[:len(out)-1]
	}
	return out
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}
