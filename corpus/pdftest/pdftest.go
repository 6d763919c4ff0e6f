// Package pdftest writes small PDFs for tests, including decompression
// bombs, so that no large file is committed: a few kilobytes of
// zlib-compressed content stream that inflate to megabytes.
package pdftest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
)

// Build writes a valid one-page PDF 1.4 whose page shows content (a
// content stream), FlateDecode-compressed when compress is set.
func Build(title string, content []byte, compress bool) []byte {
	return BuildInfo(fmt.Sprintf("/Title (%s) /Producer (briefbot test)", title), content, compress)
}

// BuildInfo is Build with the whole information dictionary given (title,
// creation date, …), for tests of the metadata a PDF carries.
func BuildInfo(info string, content []byte, compress bool) []byte {
	stream, filter := content, ""
	if compress {
		var z bytes.Buffer
		w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
		w.Write(content)
		w.Close()
		stream, filter = z.Bytes(), " /Filter /FlateDecode"
	}
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d%s >>\nstream\n%s\nendstream", len(stream), filter, stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< " + info + " >>",
	}
	var out bytes.Buffer
	out.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, obj := range objects {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, obj)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return out.Bytes()
}

// Text is a compressed PDF showing text in one line.
func Text(title, text string) []byte {
	esc := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(text)
	return Build(title, []byte("BT /F1 11 Tf 72 700 Td ("+esc+") Tj ET\n"), true)
}

// TextBomb is a PDF of about 20 KB for n = 20 MB: one text operator showing
// n letters, which inflate to n bytes of text.
func TextBomb(n int) []byte {
	var c bytes.Buffer
	c.Grow(n + 64)
	c.WriteString("BT /F1 11 Tf 72 700 Td (")
	c.Write(bytes.Repeat([]byte("A"), n))
	c.WriteString(") Tj ET\n")
	return Build("Text bomb", c.Bytes(), true)
}

// OperatorBomb is a PDF with n text-showing operators of one glyph each
// (about 30 KB for 3 million).
func OperatorBomb(n int) []byte {
	var c bytes.Buffer
	c.Grow(7*n + 64)
	c.WriteString("BT /F1 11 Tf 72 700 Td\n")
	for range n {
		c.WriteString("(a) Tj\n")
	}
	c.WriteString("ET\n")
	return Build("Operator bomb", c.Bytes(), true)
}
