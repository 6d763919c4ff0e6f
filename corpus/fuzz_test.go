package corpus

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkPassages asserts the splitter's contract on any article: every
// passage is the exact byte range of the body it claims, in order, without
// overlaps, and no passage is blank.
func checkSplitContract(t *testing.T, a Article) {
	t.Helper()
	prev := 0
	for i, p := range Split(a) {
		if p.Start < prev || p.End > len(a.Body) || p.Start > p.End {
			t.Fatalf("passage %d range [%d,%d) out of order or bounds (body %d bytes)", i, p.Start, p.End, len(a.Body))
		}
		if a.Body[p.Start:p.End] != p.Text {
			t.Fatalf("passage %d text is not body[%d:%d]", i, p.Start, p.End)
		}
		if strings.TrimSpace(p.Text) == "" || p.Seq != i {
			t.Fatalf("passage %d blank or misnumbered (seq %d)", i, p.Seq)
		}
		prev = p.End
	}
}

func FuzzParseText(f *testing.F) {
	f.Add([]byte("June 25, 2022\n\nTitle\n\nFirst paragraph. Second sentence.\n\nA heading\n\nMore text here."))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseText("f.txt", data)
		if err != nil {
			return
		}
		if !utf8.ValidString(a.Body) || a.Hash != ContentHash(a.Title, a.Body) {
			t.Fatalf("invalid body or hash")
		}
		checkSplitContract(t, a)
	})
}

func FuzzParseMarkdown(f *testing.F) {
	f.Add([]byte("---\ntitle: T\npublished: 2024-01-02\n---\n# Head\n\nBody text.\n\n## Sub\n\nMore."))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseMarkdown("f.md", data)
		if err != nil {
			return
		}
		checkSplitContract(t, a)
	})
}

func FuzzParseJSONL(f *testing.F) {
	f.Add([]byte(`{"id":"a","title":"T","body":"Body one. Two.","published":"2022-01-02","url":null}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = ParseJSONL("f.jsonl", bytes.NewReader(data), func(a Article) error {
			if a.ID == "" {
				t.Fatalf("article without ID passed on")
			}
			checkSplitContract(t, a)
			return nil
		})
	})
}

func FuzzExtractHTML(f *testing.F) {
	f.Add([]byte(`<html><head><title>T</title></head><body><nav>Menu</nav><article><h1>T</h1><p>Story text that is long enough to be kept by readability as the main content of this page.</p></article></body></html>`))
	page, _ := url.Parse("https://news.example/story")
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := extractHTML(data, "text/html; charset=utf-8", page)
		if err != nil {
			return
		}
		checkSplitContract(t, a)
	})
}

func FuzzSplit(f *testing.F) {
	f.Add("One sentence. Two sentences!\n\nHeading\n\nThird paragraph, with Dr. Who and 3.5 percent.")
	f.Fuzz(func(t *testing.T, body string) {
		if !utf8.ValidString(body) {
			return
		}
		checkSplitContract(t, Article{ID: "f", Title: "t", Body: body})
	})
}

func FuzzSentences(f *testing.F) {
	f.Add("He said “no.” Then he left… U.S. officials agreed.")
	f.Fuzz(func(t *testing.T, text string) {
		prev := 0
		for _, r := range Sentences(text) {
			if r[0] < prev || r[1] > len(text) || r[0] >= r[1] {
				t.Fatalf("sentence range %v out of order or bounds", r)
			}
			prev = r[1]
		}
	})
}
