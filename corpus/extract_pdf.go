package corpus

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/ledongthuc/pdf"
)

// PDF text comes from github.com/ledongthuc/pdf, a maintained fork of
// rsc.io/pdf: pure Go (no cgo, no pdfium binary to ship), it returns every
// glyph with its position and font size, which is what paragraph and heading
// detection need, and its parsers turn most malformed input into errors. The
// alternative, github.com/dslipak/pdf v0.0.2, is an older fork of the same
// code with fewer fixes. Neither reads scanned (image-only) PDFs; those come
// out empty and are refused with ErrEmpty.

// errBadPDF is the user-facing reason a PDF cannot be read.
const errBadPDF = "the PDF could not be read (%v); it may be damaged, encrypted or not a PDF — " +
	"open it, save or export it again, or paste its text instead: %w"

// extractPDF returns the Title, Published and Body of a PDF. Title comes
// from the document information, else the first short paragraph. Errors:
// ErrUnsupportedSource for a PDF that cannot be parsed, ErrEmpty for one
// without a text layer.
func extractPDF(data []byte) (a Article, err error) {
	// The parser indexes into untrusted bytes; a panic there must become an
	// error for this one document, not take the bot down.
	defer func() {
		if r := recover(); r != nil {
			a, err = Article{}, fmt.Errorf(errBadPDF, r, ErrUnsupportedSource)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return Article{}, fmt.Errorf(errBadPDF, err, ErrUnsupportedSource)
	}
	n := r.NumPage()
	if n == 0 {
		return Article{}, fmt.Errorf(errBadPDF, "no pages", ErrUnsupportedSource)
	}
	var paras []string
	var budget pdfBudget
	for i := 1; i <= n; i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		// Measure the page before the library reads it: it keeps every
		// glyph of a page in memory at once.
		if err := budget.scan(p.V.Key("Contents")); err != nil {
			return Article{}, err
		}
		for _, para := range pdfParagraphs(pdfLines(p.Content().Text)) {
			if budget.text += len(para) + 2; budget.text > MaxTextBytes {
				return Article{}, fmt.Errorf("the PDF holds more than %d MB of text; split it or paste the part you need: %w",
					MaxTextBytes>>20, ErrTooLarge)
			}
			paras = append(paras, para)
		}
	}
	if len(paras) == 0 {
		return Article{}, fmt.Errorf("%w: the PDF has no text layer (a scan?); paste its text instead", ErrEmpty)
	}
	info := r.Trailer().Key("Info")
	a.Title = strings.TrimSpace(info.Key("Title").Text())
	if a.Title == "" && len(paras[0]) <= maxDerivedPDFTitle {
		a.Title = paras[0]
	}
	a.Body = strings.Join(paras, "\n\n")
	if t, ok := pdfDate(info.Key("CreationDate").Text()); ok {
		a.Published = t
	} else if t, ok := dateLine(a.Body); ok {
		a.Published = t
	}
	return a, nil
}

const maxDerivedPDFTitle = 120

// pdfLine is one line of glyphs sharing a baseline.
type pdfLine struct {
	y, size float64
	text    string
}

// pdfLines groups glyphs, in content-stream order, into lines: a glyph whose
// baseline moves by more than half its size starts a new line, and a
// horizontal gap wider than a quarter of the font size is a space (many
// PDFs position words instead of writing spaces).
func pdfLines(glyphs []pdf.Text) []pdfLine {
	var lines []pdfLine
	var cur strings.Builder
	var prev pdf.Text
	flush := func() {
		if s := strings.Join(strings.Fields(cur.String()), " "); s != "" {
			lines = append(lines, pdfLine{y: prev.Y, size: prev.FontSize, text: s})
		}
		cur.Reset()
	}
	for i, g := range glyphs {
		if i > 0 {
			size := math.Max(g.FontSize, 1)
			switch {
			case math.Abs(g.Y-prev.Y) > size/2:
				flush()
			case prev.W > 0 && g.X-(prev.X+prev.W) > size/4:
				cur.WriteByte(' ')
			}
		}
		cur.WriteString(g.S)
		prev = g
	}
	flush()
	return lines
}

// pdfParagraphs joins lines into paragraphs. A paragraph ends where the gap
// to the next line is wider than 1.6 times the font size (single-spaced
// text sets lines about 1.2 sizes apart; a statistic over the page's gaps
// misleads on short documents where most gaps are paragraph breaks), where
// the font size changes (a heading), or where the text jumps up (a new
// column or page area). Double-spaced text comes out one line per paragraph.
func pdfParagraphs(lines []pdfLine) []string {
	var out []string
	var cur []string
	for i, l := range lines {
		if i > 0 {
			p := lines[i-1]
			gap := p.y - l.y
			size := math.Max(p.size, l.size)
			if gap <= 0 || gap > 1.6*size || math.Abs(p.size-l.size) > 0.15*size {
				out = append(out, strings.Join(cur, " "))
				cur = nil
			}
		}
		cur = append(cur, l.text)
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, " "))
	}
	return out
}

// pdfDate reads a PDF date string ("D:20250301093000+01'00'"), keeping the
// day; the time zone part is often malformed, so only date and time are
// read, as UTC.
func pdfDate(s string) (time.Time, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "D:")
	if len(s) < 8 {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102", s[:8])
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// pdfBudget is what a PDF has cost so far: bytes its page content streams
// inflated to, bytes inside their string operands (an upper bound on the
// glyphs the library will allocate), and extracted text.
type pdfBudget struct {
	inflated, strings int64
	text              int
	inString          int  // nesting depth of ( ) strings
	inHex, escaped    bool // inside < > hex string; after a backslash
}

// scan reads the content stream (or array of streams) of one page through
// its filters, counting against the caps without keeping it.
func (b *pdfBudget) scan(contents pdf.Value) error {
	streams := []pdf.Value{contents}
	if contents.Kind() == pdf.Array {
		streams = streams[:0]
		for i := 0; i < contents.Len(); i++ {
			streams = append(streams, contents.Index(i))
		}
	}
	buf := make([]byte, 32<<10)
	for _, st := range streams {
		if st.Kind() != pdf.Stream {
			continue
		}
		rc := st.Reader()
		err := b.read(rc, buf)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *pdfBudget) read(r io.Reader, buf []byte) error {
	for {
		n, err := r.Read(buf)
		b.inflated += int64(n)
		if b.inflated > MaxInflatedBytes {
			return fmt.Errorf("the PDF expands past %d MB when decompressed, more than a document's text needs "+
				"(a decompression bomb?); save it again or paste its text instead: %w", MaxInflatedBytes>>20, ErrTooLarge)
		}
		b.countStrings(buf[:n])
		if b.strings > maxPDFStringBytes {
			return fmt.Errorf("the PDF holds more than %d MB of text; split it or paste the part you need: %w",
				MaxTextBytes>>20, ErrTooLarge)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf(errBadPDF, err, ErrUnsupportedSource)
		}
	}
}

// countStrings adds the bytes inside ( ) and < > string operands of p.
func (b *pdfBudget) countStrings(p []byte) {
	for _, c := range p {
		switch {
		case b.inString > 0:
			switch {
			case b.escaped:
				b.escaped = false
			case c == '\\':
				b.escaped = true
			case c == '(':
				b.inString++
			case c == ')':
				b.inString--
			}
			if b.inString > 0 {
				b.strings++
			}
		case b.inHex:
			if c == '>' || c == '<' { // "<<" opens a dictionary, not a string
				b.inHex = false
			} else {
				b.strings++
			}
		case c == '(':
			b.inString = 1
		case c == '<':
			b.inHex = true
		case c == '>':
			b.inHex = false
		}
	}
}
