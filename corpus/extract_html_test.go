package corpus

import (
	"net/url"
	"os"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestParagraphs(t *testing.T) {
	tests := []struct {
		name, html, want string
	}{
		{"paragraphs and a sub-heading", "<p>One  two\nthree.</p><h2>Heading</h2><p>Four <b>five</b>.</p>", "One two three.\n\nHeading\n\nFour five."},
		{"list items and line breaks", "<ul><li>First</li><li>Second</li></ul><p>a<br>b</p>", "First\n\nSecond\n\na\n\nb"},
		{"scripts, styles and noscript dropped", "<p>Kept</p><script>var x = 1;</script><style>p{}</style><noscript>Enable JS</noscript>", "Kept"},
		{"table cells keep a space", "<table><tr><td>Ada</td><td>36</td></tr></table>", "Ada 36"},
		{"empty", "<div> </div>", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := html.Parse(strings.NewReader(tc.html))
			if err != nil {
				t.Fatal(err)
			}
			if got := paragraphs(doc); got != tc.want {
				t.Errorf("paragraphs(%q) = %q, want %q", tc.html, got, tc.want)
			}
		})
	}
}

func TestJSONLDDate(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"top level", `{"@type":"NewsArticle","datePublished":"2024-01-02"}`, "2024-01-02"},
		{"in @graph", `{"@graph":[{"@type":"WebSite"},{"@type":"BlogPosting","datePublished":"2024-03-04T05:06:07Z"}]}`, "2024-03-04T05:06:07Z"},
		{"array", `[{"@type":"Organization"},{"@type":"Article","datePublished":"2023-12-31"}]`, "2023-12-31"},
		{"none", `{"@type":"WebPage","name":"x"}`, ""},
		{"not JSON", `{oops`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := jsonLDDate([]byte(tc.json)); got != tc.want {
				t.Errorf("jsonLDDate(%s) = %q, want %q", tc.json, got, tc.want)
			}
		})
	}
}

// BenchmarkExtractHTML measures extraction of the test news page, the
// per-page CPU cost on top of the download.
func BenchmarkExtractHTML(b *testing.B) {
	data, err := os.ReadFile("testdata/fetch/news.html")
	if err != nil {
		b.Fatal(err)
	}
	u, _ := url.Parse("http://127.0.0.1/news.html")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := extractHTML(data, "text/html; charset=utf-8", u); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExtractPDF measures text extraction from the one-page test PDF.
func BenchmarkExtractPDF(b *testing.B) {
	data := testPDF()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := extractPDF(data); err != nil {
			b.Fatal(err)
		}
	}
}
