package corpus

import (
	"bytes"
	"fmt"
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
	for i := 1; i <= n; i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		paras = append(paras, pdfParagraphs(pdfLines(p.Content().Text))...)
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
