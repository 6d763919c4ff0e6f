package corpus

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/corpus/pdftest"
)

// pdfText is one line the test PDF shows, at a position and size.
type pdfText struct {
	size, x, y float64
	text       string
}

// buildPDF writes a minimal, valid one-page PDF 1.4: catalog, page tree,
// page, content stream, the standard Helvetica font, an information
// dictionary, and a correct cross-reference table.
func buildPDF(title, created string, lines []pdfText) []byte {
	var content bytes.Buffer
	for _, l := range lines {
		esc := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(l.text)
		fmt.Fprintf(&content, "BT /F1 %g Tf %g %g Td (%s) Tj ET\n", l.size, l.x, l.y, esc)
	}
	info := fmt.Sprintf("/Title (%s) /CreationDate (%s) /Producer (briefbot test)", title, created)
	return pdftest.BuildInfo(info, content.Bytes(), false)
}

// testPDF is a short report: a large heading, two paragraphs of body text
// (the second spread over two lines), a sub-heading and a last paragraph.
func testPDF() []byte {
	return buildPDF("Coastal erosion survey 2024", "D:20240815093000+02'00'", []pdfText{
		{20, 72, 720, "Coastal erosion survey 2024"},
		{11, 72, 690, "The survey measured the cliff edge at forty points along the north coast."},
		{11, 72, 662, "On average the edge moved back by half a metre,"},
		{11, 72, 649, "twice the rate measured ten years ago."},
		{14, 72, 620, "Recommendations"},
		{11, 72, 598, "The footpath between the two car parks should be moved inland."},
	})
}

func TestFetchPDF(t *testing.T) {
	site := newTestSite(t)
	a, err := testFetcher(FetchConfig{}).Fetch(context.Background(), site.URL+"/report.pdf")
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if want := "Coastal erosion survey 2024"; a.Title != want {
		t.Errorf("Title = %q, want %q", a.Title, want)
	}
	if want := time.Date(2024, 8, 15, 0, 0, 0, 0, time.UTC); !a.Published.Equal(want) {
		t.Errorf("Published = %v, want %v (the PDF's CreationDate)", a.Published, want)
	}
	want := strings.Join([]string{
		"Coastal erosion survey 2024",
		"The survey measured the cliff edge at forty points along the north coast.",
		"On average the edge moved back by half a metre, twice the rate measured ten years ago.",
		"Recommendations",
		"The footpath between the two car parks should be moved inland.",
	}, "\n\n")
	if a.Body != want {
		t.Errorf("Body =\n%q\nwant\n%q", a.Body, want)
	}
	if a.URL != site.URL+"/report.pdf" || a.ID != "127-0-0-1-report-pdf" || a.Source != "127.0.0.1" {
		t.Errorf("URL, ID, Source = %q, %q, %q; want the PDF's URL, 127-0-0-1-report-pdf, 127.0.0.1", a.URL, a.ID, a.Source)
	}
}

func TestExtractPDFErrors(t *testing.T) {
	valid := testPDF()
	tests := []struct {
		name string
		data []byte
		is   error
	}{
		{"not a PDF", []byte("<html>hello</html>"), ErrUnsupportedSource},
		{"truncated", valid[:len(valid)/2], ErrUnsupportedSource},
		{"cross-reference table cut off", valid[:len(valid)-30], ErrUnsupportedSource},
		{"no text layer", buildPDF("Scan", "D:20240101", nil), ErrEmpty},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := extractPDF(tc.data)
			checkFetchErr(t, err, tc.is, nil)
		})
	}
}
