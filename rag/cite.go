package rag

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Citation checking. A model's answer is only shown after these rules:
//
//   - A marker [n] (or [n, m]) must name a passage given to the model,
//     numbered 1..len(hits); other numbers are removed.
//   - A quote is text in double quotes (straight, curly or „) or in
//     curly single quotes ‘…’. The quote belongs to the first marker after
//     it on the same line, at most quoteReach bytes on and with no other
//     quote in between.
//   - A quote is verified when it is found in a given passage, tolerant of
//     case, white space and line breaks, curly vs straight quotes and
//     dashes, and punctuation at its edges; "..." or "…" splits it into
//     pieces that must appear in that order. It is looked for first in
//     the passages its marker names, then in all others in rank order; a
//     quote found in another passage moves the citation there.
//   - A verified quote is shown as our stored text in “curly quotes”
//     (pieces joined by " … "), and its Citation.Quote is the stored span
//     from the first piece to the last: always article.Body[Start:End],
//     never the model's copy. (One citation per piece would put several
//     markers inside one quote; the span keeps one quote, one source.)
//   - A quote found nowhere loses its quote marks (its words stay), and so
//     does every quote mark not part of a verified quote: no unchecked text
//     is ever shown as a quote.
//   - A marker without a verified quote cites its passage unverified:
//     Verified=false, Quote empty (Start == End == the passage start). We
//     do not pick a "best sentence" for it, because the model did not
//     quote one.
//   - A verified quote with no marker gets one right after it.
//
// Citations are numbered in the order they appear in the final text; the
// same passage span cited twice keeps one number.

// quoteReach is how far after a quote its marker may be.
const quoteReach = 160

var markerRE = regexp.MustCompile(`\[\s*(\d{1,4}(?:\s*[,;]\s*\d{1,4})*)\s*\]`)

// quote is a quoted span of the answer: marks at open and close
// (closeEnd is just past the closing mark).
type quote struct {
	open, innerStart, innerEnd, closeEnd int
	inner                                string
}

type marker struct {
	start, end int
	ns         []int
}

// citeRef identifies a citation: a hit and a body span (start == end for
// an unverified passage citation).
type citeRef struct {
	hit        int
	start, end int
	verified   bool
}

// edit replaces answer[start:end] with text followed by rendered refs.
type edit struct {
	start, end int
	text       string
	refs       []citeRef
	isMarker   bool
}

// citeChecker holds the given passages folded once, so that the streamed
// answer can be re-checked after every delta.
type citeChecker struct {
	hits   []Hit
	folded []folded // of each hit's body span; empty when the hit is unusable
}

func newCiteChecker(hits []Hit) *citeChecker {
	c := &citeChecker{hits: hits, folded: make([]folded, len(hits))}
	for i, h := range hits {
		if a, p := h.Article, h.Passage; a != nil && 0 <= p.Start && p.Start <= p.End && p.End <= len(a.Body) {
			c.folded[i] = fold(a.Body[p.Start:p.End])
		}
	}
	return c
}

// CheckCitations checks the markers and quotes of a model's answer
// against hits, the passages the model was given (numbered 1..len(hits)),
// by the rules above. It returns the text to show, with markers
// renumbered to match cites.
func CheckCitations(answer string, hits []Hit) (text string, cites []Citation) {
	return newCiteChecker(hits).check(answer)
}

func (c *citeChecker) check(answer string) (string, []Citation) {
	markers := findMarkers(answer)
	quotes, stray := findQuotes(answer, markers)
	var edits []edit
	for _, pos := range stray {
		edits = append(edits, edit{start: pos[0], end: pos[1]})
	}
	attached := attach(answer, quotes, markers)
	for mi, m := range markers {
		edits = append(edits, c.resolveMarker(m, quotes, attached[mi])...)
	}
	for qi, q := range quotes {
		if !attached[len(markers)][qi] {
			continue
		}
		es, ref, ok := c.resolveQuote(q, nil)
		if ok {
			es[0].refs = []citeRef{ref}
		}
		edits = append(edits, es...)
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

// findQuotes pairs quote marks. A double quote opened by “ closes only at
// ” or ", one opened by " at " or ”; curly single quotes pair ‘ with a ’
// that is not an apostrophe (not followed by a letter). A quote may not
// span a marker or a blank line. Unpaired double quote marks and ‘ are
// returned as stray, to be removed.
func findQuotes(s string, markers []marker) (quotes []quote, stray [][2]int) {
	openAt, openLen, single := -1, 0, false
	cancel := func() {
		if openAt >= 0 {
			stray = append(stray, [2]int{openAt, openAt + openLen})
		}
		openAt = -1
	}
	mi := 0
	for i, r := range s {
		for mi < len(markers) && markers[mi].end <= i {
			mi++
		}
		if mi < len(markers) && i >= markers[mi].start {
			cancel()
			continue
		}
		w := len(string(r))
		switch {
		case r == '\n' && strings.HasPrefix(strings.TrimLeft(s[i+1:], " \t\r"), "\n"):
			cancel()
		case openAt < 0 && (r == '"' || r == '“' || r == '„'):
			openAt, openLen, single = i, w, false
		case openAt < 0 && r == '‘':
			openAt, openLen, single = i, w, true
		case openAt < 0 && r == '”':
			stray = append(stray, [2]int{i, i + w})
		case openAt >= 0 && !single && (r == '"' || r == '”' || r == '“' && (s[openAt] == '"' || strings.HasPrefix(s[openAt:], "„"))):
			// “ closes a straight quote, and the German „…“.
			quotes = append(quotes, quote{open: openAt, innerStart: openAt + openLen, innerEnd: i, closeEnd: i + w, inner: s[openAt+openLen : i]})
			openAt = -1
		case openAt >= 0 && single && r == '’' && !followedByWord(s, i+w):
			quotes = append(quotes, quote{open: openAt, innerStart: openAt + openLen, innerEnd: i, closeEnd: i + w, inner: s[openAt+openLen : i]})
			openAt = -1
		case openAt >= 0 && single && (r == '"' || r == '“' || r == '”'):
			// a double quote inside ‘…’: the single quote was an
			// apostrophe-like stray; start over with the double quote.
			cancel()
			if r != '”' {
				openAt, openLen, single = i, w, false
			} else {
				stray = append(stray, [2]int{i, i + w})
			}
		}
	}
	cancel()
	return quotes, stray
}

func followedByWord(s string, i int) bool {
	return i < len(s) && strings.IndexFunc(s[i:], isWordRune) == 0
}

// attach maps each marker to the quotes it supports; the extra last row
// flags quotes no marker claims.
func attach(s string, quotes []quote, markers []marker) [][]bool {
	rows := make([][]bool, len(markers)+1)
	for i := range rows {
		rows[i] = make([]bool, len(quotes))
	}
	for qi, q := range quotes {
		owner := len(markers)
		for mi, m := range markers {
			if m.start < q.closeEnd {
				continue
			}
			gap := s[q.closeEnd:m.start]
			nextOpens := qi+1 < len(quotes) && quotes[qi+1].open < m.start
			if len(gap) <= quoteReach && !strings.Contains(gap, "\n") && !nextOpens {
				owner = mi
			}
			break
		}
		rows[owner][qi] = true
	}
	return rows
}

// resolveMarker checks the quotes a marker supports and decides what the
// marker becomes: the last verified quote's citation, then the passages it
// names that no verified quote accounts for, unverified. Earlier verified
// quotes get their own marker right after them.
func (c *citeChecker) resolveMarker(m marker, quotes []quote, mine []bool) []edit {
	var valid []int // hit indexes named by the marker
	for _, n := range m.ns {
		if n >= 1 && n <= len(c.hits) && !containsInt(valid, n-1) {
			valid = append(valid, n-1)
		}
	}
	var edits []edit
	var verified []citeRef
	var at []int // index in edits of each verified quote
	for qi, q := range quotes {
		if !mine[qi] {
			continue
		}
		es, ref, ok := c.resolveQuote(q, valid)
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
func (c *citeChecker) resolveQuote(q quote, prefer []int) ([]edit, citeRef, bool) {
	ref, display, ok := c.locate(q.inner, prefer)
	if !ok {
		return []edit{{start: q.open, end: q.innerStart}, {start: q.innerEnd, end: q.closeEnd}}, citeRef{}, false
	}
	return []edit{{start: q.open, end: q.closeEnd, text: "“" + display + "”"}}, ref, true
}

// locate finds the quote's pieces in order in one passage: the preferred
// ones first, then all in rank order.
func (c *citeChecker) locate(inner string, prefer []int) (citeRef, string, bool) {
	pieces := quotePieces(inner)
	if len(pieces) == 0 {
		return citeRef{}, "", false
	}
	order := append([]int(nil), prefer...)
	for i := range c.hits {
		if !containsInt(order, i) {
			order = append(order, i)
		}
	}
	for _, h := range order {
		if ref, display, ok := c.findIn(h, pieces); ok {
			return ref, display, true
		}
	}
	return citeRef{}, "", false
}

func (c *citeChecker) findIn(h int, pieces []string) (citeRef, string, bool) {
	f := c.folded[h]
	if f.s == "" {
		return citeRef{}, "", false
	}
	body, base := c.hits[h].Article.Body, c.hits[h].Passage.Start
	var shown []string
	first, last, from := -1, -1, 0
	for _, p := range pieces {
		i := findWords(f.s, p, from)
		if i < 0 {
			return citeRef{}, "", false
		}
		s, e := f.span(i, i+len(p))
		shown = append(shown, strings.Join(strings.Fields(body[base+s:base+e]), " "))
		if first < 0 {
			first = base + s
		}
		last, from = base+e, i+len(p)
	}
	return citeRef{hit: h, start: first, end: last, verified: true}, strings.Join(shown, " … "), true
}

// render applies the edits in order, numbering citations as they appear.
// A marker that renders empty takes the space before it along.
func (c *citeChecker) render(answer string, edits []edit) (string, []Citation) {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var out []byte
	var cites []Citation
	num := map[citeRef]int{}
	pos := 0
	for _, e := range edits {
		if e.start < pos { // overlapping edits cannot happen; be safe
			continue
		}
		out = append(out, answer[pos:e.start]...)
		pos = e.end
		out = append(out, e.text...)
		if !e.isMarker && len(e.refs) > 0 {
			out = append(out, ' ') // a marker we add after a quote
		}
		for _, r := range e.refs {
			n, ok := num[r]
			if !ok {
				h := c.hits[r.hit]
				cit := citationFor(h.Article, r.start, r.end)
				cit.N, cit.Verified = len(cites)+1, r.verified
				cites = append(cites, cit)
				n, num[r] = cit.N, cit.N
			}
			out = append(out, "["+strconv.Itoa(n)+"]"...)
		}
		if e.isMarker && e.text == "" && len(e.refs) == 0 {
			out = []byte(strings.TrimRight(string(out), " \t"))
		}
	}
	out = append(out, answer[pos:]...)
	return strings.TrimSpace(string(out)), cites
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// folded is text in the form quotes are matched in: lower case, runs of
// white space as one space, curly quotes straight, "…" as "...", dashes as
// "-", zero-width characters gone. start and end map each byte of s back
// to the source rune it came from, so a match is a byte range of the
// stored text.
type folded struct {
	s          string
	start, end []int
}

func fold(src string) folded {
	var f folded
	var b strings.Builder
	space := true // drop leading space
	emit := func(s string, i, w int) {
		b.WriteString(s)
		for range len(s) {
			f.start = append(f.start, i)
			f.end = append(f.end, i+w)
		}
	}
	for i := 0; i < len(src); {
		r, w := utf8.DecodeRuneInString(src[i:])
		switch {
		case unicode.IsSpace(r):
			if !space {
				emit(" ", i, w)
			}
			space = true
			i += w
			continue
		case r == '\u00ad' || r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff':
		case strings.ContainsRune("‘’‚‛′ʼ`", r):
			emit("'", i, w)
		case strings.ContainsRune("“”„‟″«»", r):
			emit(`"`, i, w)
		case r == '…':
			emit("...", i, w)
		case strings.ContainsRune("‐‑‒–—―", r):
			emit("-", i, w)
		default:
			emit(string(unicode.ToLower(r)), i, w)
		}
		space = false
		i += w
	}
	f.s = b.String()
	return f
}

// span maps the folded match s[i:j] back to a source byte range.
func (f folded) span(i, j int) (int, int) { return f.start[i], f.end[j-1] }

// ellipsis splits a model's quote where it skipped words.
var ellipsis = regexp.MustCompile(`\[\s*(?:\.\s*\.\s*\.|…)\s*\]|\(\s*(?:\.\s*\.\s*\.|…)\s*\)|\.\s*\.\s*\.|…`)

// quotePieces folds the pieces of a quote, edges trimmed of space and
// punctuation (models move a comma or full stop inside the quote marks).
// Pieces with no letter or digit are dropped.
func quotePieces(q string) []string {
	var out []string
	for _, p := range ellipsis.Split(q, -1) {
		p = strings.TrimFunc(p, func(r rune) bool {
			return unicode.IsSpace(r) || (unicode.IsPunct(r) && r != '%')
		})
		if strings.IndexFunc(p, isWordRune) < 0 {
			continue
		}
		out = append(out, fold(p).s)
	}
	return out
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// findWords finds needle in hay at or after from, starting and ending on
// word boundaries ("ina has" is not found in "china has"). It returns -1
// when there is no such match.
func findWords(hay, needle string, from int) int {
	for from <= len(hay)-len(needle) {
		i := strings.Index(hay[from:], needle)
		if i < 0 {
			return -1
		}
		i += from
		if boundary(hay, i, needle, true) && boundary(hay, i+len(needle), needle, false) {
			return i
		}
		from = i + 1
	}
	return -1
}

// boundary reports whether position i of hay is a word boundary for the
// needle's first (or last) rune.
func boundary(hay string, i int, needle string, atStart bool) bool {
	var edge, out rune
	if atStart {
		edge, _ = utf8.DecodeRuneInString(needle)
		if i == 0 {
			return true
		}
		out, _ = utf8.DecodeLastRuneInString(hay[:i])
	} else {
		edge, _ = utf8.DecodeLastRuneInString(needle)
		if i >= len(hay) {
			return true
		}
		out, _ = utf8.DecodeRuneInString(hay[i:])
	}
	return !isWordRune(edge) || !isWordRune(out)
}
