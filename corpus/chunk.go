package corpus

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Passage sizes in words. Around 200 words a passage holds one idea with its
// context: small enough for the embedding to stay specific, large enough for
// an answer to quote a whole sentence with what it refers to.
const (
	targetWords     = 200 // packing stops once a passage reaches this
	maxWords        = 250 // a passage normally stays at or below this
	hardMaxWords    = 300 // ceiling for short-passage fills, tail merges and uncut sentences
	minWords        = 100 // a passage below this tries to borrow sentences
	tailWords       = 60  // a section's last passage below this joins the one before
	maxHeadingWords = 12  // a plain-text heading is at most this long
)

// span is a candidate passage: body[start:end] holding words words.
type span struct{ start, end, words int }

// section is the run of paragraphs under one heading ("" before the first).
type section struct {
	heading string
	paras   []block
}

// Split cuts an article body into passages for retrieval. Passages are built
// from whole paragraphs, packed greedily toward 200 words and normally at
// most 250; a paragraph longer than 250 words is split into whole sentences,
// and a passage under 100 words borrows leading sentences of the next
// paragraph. A section's tail under 60 words joins the passage before it when
// that stays within 300 words. A passage never crosses a heading (a Markdown
// "#" line, or a short plain-text line without final punctuation followed by
// a paragraph): the heading sets Passage.Heading and lies outside every
// passage, with consecutive headings joined by " › ". Passages never end
// mid-sentence, except that a single sentence longer than 300 words is cut
// at word boundaries into pieces of at most 250 words. So a passage is
// shorter than 100 words only when its section is, when it is a section's
// tail that could not merge, or when the next sentence is too long to share
// it. An article of fewer than 100 words is one passage spanning the whole
// body, headings included. A paragraph with no letter or digit (a
// separator line such as "=====") is never a passage of its own, and a
// body without a letter or digit gives no passages.
func Split(a Article) []Passage {
	var spans []span
	var headings []string
	if n := len(strings.Fields(a.Body)); n > 0 && n < minWords {
		if bs := wordBlocks(a.Body, blocks(a.Body)); len(bs) > 0 {
			first, last := bs[0].start, bs[len(bs)-1].end
			spans, headings = []span{{first, last, countWords(a.Body[first:last])}}, []string{""}
		}
	} else {
		for _, sec := range sections(a.Body) {
			for _, sp := range packSection(a.Body, sec.paras) {
				spans = append(spans, sp)
				headings = append(headings, sec.heading)
			}
		}
	}
	out := make([]Passage, len(spans))
	for i, sp := range spans {
		out[i] = Passage{
			ID: a.ID + "#" + strconv.Itoa(i), ArticleID: a.ID, Seq: i, Heading: headings[i],
			Start: sp.start, End: sp.end, Text: a.Body[sp.start:sp.end],
		}
	}
	return out
}

// sections groups the paragraphs of body under their headings.
func sections(body string) []section {
	bs := blocks(body)
	isHead := headings(body, bs)
	var secs []section
	var heads []string
	for i, b := range bs {
		if isHead[i] {
			heads = append(heads, headingText(body[b.start:b.end]))
			continue
		}
		if heads != nil || len(secs) == 0 {
			secs = append(secs, section{heading: strings.Join(heads, " › ")})
			heads = nil
		}
		secs[len(secs)-1].paras = append(secs[len(secs)-1].paras, b)
	}
	return secs
}

// headings marks which blocks are headings. A Markdown heading counts only
// if some paragraph follows before the end: a trailing heading would own no
// text, and its words would be lost, so it stays text. A plain-text heading
// must be followed directly by prose (a paragraph that could not itself be a
// heading), so that short list lines ("A. 30", "B. 40") and bylines stay text.
func headings(body string, bs []block) []bool {
	isHead := make([]bool, len(bs))
	textAfter := false
	for i := len(bs) - 1; i >= 0; i-- {
		b := bs[i]
		switch {
		case b.heading && textAfter:
			isHead[i] = true
		case !b.heading && i+1 < len(bs) && isProse(body, bs[i+1]) && isPlainHeading(body[b.start:b.end]):
			isHead[i] = true
		default:
			textAfter = true
		}
	}
	return isHead
}

// isProse reports whether b is a paragraph that cannot be a heading.
func isProse(body string, b block) bool {
	return !b.heading && !isPlainHeading(body[b.start:b.end])
}

// isPlainHeading reports whether a plain-text paragraph looks like a
// sub-heading ("Four Chinese hackers indicted"): one line of at most 12
// words, with a letter, not ending in sentence punctuation, a closing quote
// or a dash (a dateline such as "CNN —"), and not a list item.
func isPlainHeading(p string) bool {
	if strings.Contains(p, "\n") || len(strings.Fields(p)) > maxHeadingWords || !strings.ContainsFunc(p, unicode.IsLetter) {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(p)
	first, _ := utf8.DecodeRuneInString(p)
	return !strings.ContainsRune(".!?:;,\"'’”-–—", last) && !strings.ContainsRune("•·*-–—>+", first)
}

// packSection packs the paragraphs of one section into passages.
func packSection(body string, paras []block) []span {
	var units []span
	for _, p := range wordBlocks(body, paras) {
		u := span{p.start, p.end, countWords(body[p.start:p.end])}
		if u.words <= maxWords {
			units = append(units, u)
			continue
		}
		for _, s := range sentencesIn(body, p.start, p.end) {
			units = append(units, sentenceUnits(body, s)...)
		}
	}
	return mergeTail(pack(body, units))
}

// pack joins units greedily. When a passage under minWords cannot take the
// next unit whole, it takes the unit's leading sentences instead, and the
// rest of the unit starts the next passage.
func pack(body string, units []span) []span {
	var out []span
	var cur span
	for _, u := range units {
		if cur.words > 0 && !fits(cur.words, u.words) {
			if cur.words < minWords {
				if head, rest, ok := splitUnit(body, u, maxWords-cur.words); ok {
					cur, u = join(cur, head), rest
				}
			}
			out = append(out, cur)
			cur = span{}
		}
		cur = join(cur, u)
	}
	if cur.words > 0 {
		out = append(out, cur)
	}
	return out
}

// fits reports whether a passage of cur words should take a unit of u words.
func fits(cur, u int) bool {
	if cur >= targetWords {
		return false
	}
	if cur < minWords {
		return cur+u <= hardMaxWords
	}
	return cur+u <= maxWords
}

func join(cur, u span) span {
	if cur.words == 0 {
		return u
	}
	return span{cur.start, u.end, cur.words + u.words}
}

// splitUnit splits unit u after its leading sentences that hold at most room
// words; ok is false when not even the first sentence fits or nothing would
// be left.
func splitUnit(body string, u span, room int) (head, rest span, ok bool) {
	sents := sentencesIn(body, u.start, u.end)
	words := 0
	for i, s := range sents[:len(sents)-1] {
		w := countWords(body[s[0]:s[1]])
		if words+w > room {
			break
		}
		words += w
		head = span{u.start, s[1], words}
		rest = span{sents[i+1][0], u.end, u.words - words}
	}
	return head, rest, words > 0
}

// sentenceUnits returns sentence s as one unit, or, when it is longer than
// hardMaxWords, as near-equal pieces of at most maxWords cut between words.
func sentenceUnits(body string, s [2]int) []span {
	words := wordSpans(body, s[0], s[1])
	if len(words) <= hardMaxWords {
		return []span{{s[0], s[1], len(words)}}
	}
	n := (len(words) + maxWords - 1) / maxWords
	per := (len(words) + n - 1) / n
	var out []span
	for i := 0; i < len(words); i += per {
		j := min(i+per, len(words))
		out = append(out, span{words[i][0], words[j-1][1], j - i})
	}
	return out
}

// mergeTail joins a short last passage to the one before when the result
// stays within hardMaxWords: a 20-word scrap retrieves poorly on its own.
func mergeTail(ps []span) []span {
	n := len(ps)
	if n >= 2 && ps[n-1].words < tailWords && ps[n-2].words+ps[n-1].words <= hardMaxWords {
		ps[n-2] = join(ps[n-2], ps[n-1])
		return ps[:n-1]
	}
	return ps
}

// countWords counts whitespace-separated words.
// wordBlocks drops the paragraphs without a letter or digit: a separator
// line ("=====", "* * *") says nothing, and as a passage of its own it
// would have no word to rank or embed.
func wordBlocks(body string, bs []block) []block {
	var out []block
	for _, b := range bs {
		if strings.ContainsFunc(body[b.start:b.end], isWordRune) {
			out = append(out, b)
		}
	}
	return out
}

func countWords(s string) int { return len(strings.Fields(s)) }

// wordSpans returns the byte ranges of the whitespace-separated words of
// text[start:end].
func wordSpans(text string, start, end int) [][2]int {
	var out [][2]int
	inWord := false
	for i, r := range text[start:end] {
		switch space := unicode.IsSpace(r); {
		case !space && !inWord:
			out = append(out, [2]int{start + i, 0})
			inWord = true
		case space && inWord:
			out[len(out)-1][1] = start + i
			inWord = false
		}
	}
	if inWord {
		out[len(out)-1][1] = end
	}
	return out
}
