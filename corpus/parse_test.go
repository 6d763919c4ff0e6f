package corpus

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func utcDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// wantArticle is what a parser test checks; Hash is always checked against
// ContentHash of the parsed title and body.
type wantArticle struct {
	ID, Title, Source, URL string
	Published              time.Time
	Body                   string
}

func checkArticle(t *testing.T, got Article, want wantArticle) {
	t.Helper()
	gotW := wantArticle{ID: got.ID, Title: got.Title, Source: got.Source, URL: got.URL, Published: got.Published, Body: got.Body}
	if diff := cmp.Diff(want, gotW); diff != "" {
		t.Errorf("article mismatch (-want +got):\n%s", diff)
	}
	if h := ContentHash(got.Title, got.Body); got.Hash != h {
		t.Errorf("Hash = %q, want ContentHash(title, body) = %q", got.Hash, h)
	}
	if got.Scope != "" || got.AddedBy != "" || !got.AddedAt.IsZero() || got.DateGuessed {
		t.Errorf("parser set caller fields: Scope %q AddedBy %q AddedAt %v DateGuessed %v", got.Scope, got.AddedBy, got.AddedAt, got.DateGuessed)
	}
}

// checkErr checks err against the wanted sentinel and message fragments.
func checkErr(t *testing.T, err, wantIs error, wantMsg []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", wantMsg)
	}
	if wantIs != nil && !errors.Is(err, wantIs) {
		t.Errorf("error %q is not %v", err, wantIs)
	}
	for _, m := range wantMsg {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("error %q does not contain %q", err, m)
		}
	}
}

func TestParseTextSample(t *testing.T) {
	data, err := os.ReadFile("samples/eu-china-cyber.txt")
	if err != nil {
		t.Fatal(err)
	}
	a, err := ParseText("000_74678849ffcb6c59.txt", data)
	if err != nil {
		t.Fatalf("ParseText: %v", err)
	}
	text := string(data)
	start := strings.Index(text, "Washington and its allies")
	checkArticle(t, a, wantArticle{
		ID:        "000-74678849ffcb6c59",
		Title:     "US, EU, Nato Condemn China’s ‘Malicious’ Cyber Activity",
		Published: utcDay(2022, 6, 25),
		Body:      strings.TrimRight(text[start:], " \n"),
	})
	if !strings.Contains(a.Body, "\n\nFour Chinese hackers indicted\n\n") {
		t.Errorf("body lost the sub-heading paragraph")
	}
}

func TestParseText(t *testing.T) {
	tests := []struct {
		name, file, in string
		want           wantArticle
	}{
		{"CRLF", "crlf.txt", "June 25, 2022\r\n\r\nA Title\r\n\r\nPara one.\r\n\r\nPara two.\r\n",
			wantArticle{ID: "crlf", Title: "A Title", Published: utcDay(2022, 6, 25), Body: "Para one.\n\nPara two."}},
		{"BOM and no date line", "My Brief.TXT", "\uFEFFBig News Today\n\nIt happened.\n",
			wantArticle{ID: "my-brief", Title: "Big News Today", Body: "It happened."}},
		{"weekday date, blank lines, indentation kept; folder in the ID", "dir/x.txt", "\n\nMonday, July 19, 2021\n\n\n  Title  \n\n\n   Indented first.\n  \nSecond.  \n\n\n",
			wantArticle{ID: "dir-x", Title: "Title", Published: utcDay(2021, 7, 19), Body: "   Indented first.\n  \nSecond."}},
		{"ISO date, no blank line after title", "b.text", "2022-06-25\nTitle\nBody line.",
			wantArticle{ID: "b", Title: "Title", Published: utcDay(2022, 6, 25), Body: "Body line."}},
		{"ambiguous numeric date is the title", "c.txt", "25/06/2022\n\nBody.",
			wantArticle{ID: "c", Title: "25/06/2022", Body: "Body."}},
		{"stdin name uses title slug", "-", "Nato’s New Plan: 2030!\n\nText.",
			wantArticle{ID: "nato-s-new-plan-2030", Title: "Nato’s New Plan: 2030!", Body: "Text."}},
		{"single line is the body", "", "Prices rose 3.5 percent in May. Analysts were surprised.",
			wantArticle{ID: "prices-rose-3-5-percent-in-may", Title: "Prices rose 3.5 percent in May.", Body: "Prices rose 3.5 percent in May. Analysts were surprised."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseText(tc.file, []byte(tc.in))
			if err != nil {
				t.Fatalf("ParseText: %v", err)
			}
			checkArticle(t, a, tc.want)
		})
	}
}

func TestParseTextErrors(t *testing.T) {
	tests := []struct {
		name, in string
		wantIs   error
		wantMsg  []string
	}{
		{"empty", "", ErrEmpty, []string{"brief.txt", "empty", "title line"}},
		{"whitespace only", " \r\n\t\n  ", ErrEmpty, []string{"brief.txt", "empty"}},
		{"BOM only", "\uFEFF", ErrEmpty, []string{"brief.txt"}},
		{"date only", "June 25, 2022\n\n", ErrEmpty, []string{"brief.txt", "only a date line", "add a title"}},
		{"not UTF-8", "Title\n\nCaf\xe9 au lait.", nil, []string{"brief.txt line 3", "not UTF-8", "save the file as UTF-8"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseText("brief.txt", []byte(tc.in))
			checkErr(t, err, tc.wantIs, tc.wantMsg)
		})
	}
}

func TestParseMarkdown(t *testing.T) {
	tests := []struct {
		name, file, in string
		want           wantArticle
	}{
		{"front matter", "notes/brief.md",
			"---\nid: eu-cyber\ntitle: \"EU: cyber\"\nurl: https://example.test/a\nsource: Reuters\ndate: 2022-06-25\ntags: [x, y]\n---\n\nIntro text.\n\n## Background\n\nMore text.\n",
			wantArticle{ID: "eu-cyber", Title: "EU: cyber", URL: "https://example.test/a", Source: "Reuters", Published: utcDay(2022, 6, 25),
				Body: "Intro text.\n\n## Background\n\nMore text."}},
		{"front matter published wins key name, null skipped", "p.md",
			"---\r\npublished: June 25, 2022\r\nurl: ~\r\n---\r\n# Heading Title\r\n\r\nText.\r\n",
			wantArticle{ID: "p", Title: "Heading Title", Published: utcDay(2022, 6, 25), Body: "Text."}},
		{"no front matter, H1 title removed", "h.markdown", "\uFEFF\n# The *Title* #\n\nFirst para.\n\n## Sub\n\nSecond.",
			wantArticle{ID: "h", Title: "The *Title*", Body: "First para.\n\n## Sub\n\nSecond."}},
		{"no heading: first line titles and stays", "n.md", "Markets fell sharply on Monday. Investors fled.\n\nMore.",
			wantArticle{ID: "n", Title: "Markets fell sharply on Monday.", Body: "Markets fell sharply on Monday. Investors fled.\n\nMore."}},
		{"bold heading loses emphasis", "b.md", "# **Bold**\n\nText.",
			wantArticle{ID: "b", Title: "Bold", Body: "Text."}},
		{"H2 first is not the title", "s.md", "## Section\n\nText here.",
			wantArticle{ID: "s", Title: "Section", Body: "## Section\n\nText here."}},
		{"front matter without title", "f.md", "---\nsource: AP\n---\n# Real Title\n\nBody.",
			wantArticle{ID: "f", Title: "Real Title", Source: "AP", Body: "Body."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseMarkdown(tc.file, []byte(tc.in))
			if err != nil {
				t.Fatalf("ParseMarkdown: %v", err)
			}
			checkArticle(t, a, tc.want)
		})
	}
}

func TestParseMarkdownErrors(t *testing.T) {
	tests := []struct {
		name, in string
		wantIs   error
		wantMsg  []string
	}{
		{"bad YAML", "---\ntitle: a\nsource: b\nid: c: d\n---\nBody.", nil,
			[]string{"brief.md line 4:", "not valid YAML", "mapping values"}},
		{"unclosed front matter", "---\ntitle: a\n\nBody.", nil, []string{"brief.md line 1:", "never closed"}},
		{"front matter not a mapping", "---\n- a\n- b\n---\nBody.", nil, []string{"brief.md line 2:", "key: value"}},
		{"list title", "---\nid: x\ntitle:\n  - a\n---\nBody.", nil, []string{"brief.md line 4:", "\"title\" must be a single value"}},
		{"bad date", "---\ntitle: a\ndate: next week\n---\nBody.", nil, []string{"brief.md line 3:", "\"next week\" is not a date"}},
		{"empty", "\n\n", ErrEmpty, []string{"brief.md"}},
		{"title only", "---\ntitle: Only\n---\n\n", ErrEmpty, []string{"brief.md", "no text after the title"}},
		{"heading only", "# Only a heading\n", ErrEmpty, []string{"brief.md", "no text after the title"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseMarkdown("brief.md", []byte(tc.in))
			checkErr(t, err, tc.wantIs, tc.wantMsg)
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Name != "brief.md" {
				t.Errorf("error %q is not a *ParseError naming brief.md", err)
			}
		})
	}
}

func TestSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"000_74678849ffcb6c59", "000-74678849ffcb6c59"},
		{"  Hello, World!  ", "hello-world"},
		{"US, EU, Nato Condemn China’s ‘Malicious’ Cyber Activity", "us-eu-nato-condemn-china-s-malicious-cyber-activity"},
		{"Ünïcode Straße", "n-code-stra-e"},
		{"中文标题", ""},
		{"---", ""},
		{strings.Repeat("word ", 30), strings.TrimSuffix(strings.Repeat("word-", 12), "-")},
		{strings.Repeat("x", 70), strings.Repeat("x", 60)},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := Slug(tc.in); got != tc.want {
				t.Errorf("Slug(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestTitleFromBody(t *testing.T) {
	long := "The Federal Aviation Administration grounded one hundred and seventy-one Boeing planes, in order to carry out inspections. More."
	got := titleFromBody(long)
	want := "The Federal Aviation Administration grounded one hundred and seventy-one Boeing…"
	if got != want {
		t.Errorf("titleFromBody = %q, want %q", got, want)
	}
	if n := len([]rune(got)); n > maxDerivedTitle {
		t.Errorf("title has %d runes, want at most %d", n, maxDerivedTitle)
	}
}

// collect returns a callback that appends every article it gets to *got.
func collect(got *[]Article) func(Article) error {
	return func(a Article) error {
		*got = append(*got, a)
		return nil
	}
}

func TestParseJSONL(t *testing.T) {
	bigBody := strings.Repeat("Word after word makes a long body. ", 6000) // ~210 KB on one line
	in := strings.Join([]string{
		`{"id": "rtqa-1", "title": "King Charles III", "source": "usatoday.com", "published": "2022-09-08", "url": "https://example.test/k", "authors": ["A"], "body": "After 70 years.\n\nUpon her death."}`,
		``,
		`{"id": "mh-2", "title": "NFL roundup", "source": "The Guardian", "published": "2023-12-03T22:11:26+00:00", "url": null, "body": "Hill had two touchdowns."}`,
		`   `,
		`{"id": "rgbf-0", "title": "", "source": "web search snippet (RGB)", "published": null, "url": null, "body": "Official Super Bowl LVIII Ticket Packages Now Available -- Reserve your spot in Las Vegas for Super Bowl LVIII! On Location."}`,
		`{"id": "big", "title": "Big", "body": "` + bigBody + `"}`,
	}, "\r\n")
	var got []Article
	if err := ParseJSONL("docs.jsonl", strings.NewReader("\uFEFF"+in), collect(&got)); err != nil {
		t.Fatalf("ParseJSONL: %v", err)
	}
	want := []wantArticle{
		{ID: "rtqa-1", Title: "King Charles III", Source: "usatoday.com", URL: "https://example.test/k", Published: utcDay(2022, 9, 8), Body: "After 70 years.\n\nUpon her death."},
		{ID: "mh-2", Title: "NFL roundup", Source: "The Guardian", Published: utcDay(2023, 12, 3), Body: "Hill had two touchdowns."},
		{ID: "rgbf-0", Title: "Official Super Bowl LVIII Ticket Packages Now Available -- Reserve your spot in…", Source: "web search snippet (RGB)",
			Body: "Official Super Bowl LVIII Ticket Packages Now Available -- Reserve your spot in Las Vegas for Super Bowl LVIII! On Location."},
		{ID: "big", Title: "Big", Body: bigBody},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d articles, want %d", len(got), len(want))
	}
	for i := range want {
		t.Run(want[i].ID, func(t *testing.T) { checkArticle(t, got[i], want[i]) })
	}
}

func TestParseJSONLErrors(t *testing.T) {
	good := `{"id": "a", "title": "A", "body": "Text."}`
	tests := []struct {
		name    string
		in      string
		wantIDs []string // articles passed before the error: none, the file is checked first
		wantIs  error
		wantMsg []string
	}{
		{"malformed line", good + "\n\n{\"id\": \"b\", \"body\": \"x\"\n" + good, nil, nil,
			[]string{"docs.jsonl line 3:", "not valid JSON", "one object"}},
		{"two objects on a line", good + " " + good, nil, nil, []string{"docs.jsonl line 1:", "not valid JSON"}},
		{"missing id", good + "\n" + `{"title": "B", "body": "x"}`, nil, nil,
			[]string{"docs.jsonl line 2:", `missing "id"`}},
		{"number id", `{"id": 7, "body": "x"}`, nil, nil, []string{"docs.jsonl line 1:", `"id" must be a string, not number`}},
		{"array line", `["a"]`, nil, nil, []string{"docs.jsonl line 1:", "the line is an array, not an object"}},
		{"repeated id", good + "\n" + `{"id": "b", "body": "y"}` + "\n" + `{"id": "a", "title": "A2", "body": "Other."}`, nil, nil,
			[]string{"docs.jsonl line 3:", `id "a" is already used on line 1`}},
		{"empty body", `{"id": "e", "body": " "}`, nil, ErrEmpty, []string{"docs.jsonl line 1:", `"body" of "e" is empty`}},
		{"bad date", `{"id": "d", "published": "25/06/2022", "body": "x"}`, nil, nil,
			[]string{"docs.jsonl line 1:", `"published" "25/06/2022" is not a date`}},
		{"not UTF-8", "{\"id\": \"u\", \"body\": \"caf\xe9\"}", nil, nil, []string{"docs.jsonl line 1:", "not UTF-8"}},
		{"nothing", "\n \n", nil, ErrEmpty, []string{"docs.jsonl", "no JSON lines"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []Article
			err := ParseJSONL("docs.jsonl", strings.NewReader(tc.in), collect(&got))
			checkErr(t, err, tc.wantIs, tc.wantMsg)
			if strings.Contains(err.Error(), "jsonArticle") || strings.Contains(err.Error(), "Go ") {
				t.Errorf("error %q shows Go type names", err)
			}
			var ids []string
			for _, a := range got {
				ids = append(ids, a.ID)
			}
			if diff := cmp.Diff(tc.wantIDs, ids); diff != "" {
				t.Errorf("articles passed before the error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseJSONLCallbackError(t *testing.T) {
	in := `{"id": "a", "body": "x"}` + "\n" + `{"id": "b", "body": "y"}` + "\n"
	calls := 0
	err := ParseJSONL("docs.jsonl", strings.NewReader(in), func(a Article) error {
		calls++
		return ErrConflict
	})
	checkErr(t, err, ErrConflict, []string{"docs.jsonl line 1:"})
	if calls != 1 {
		t.Errorf("callback called %d times after returning an error, want 1", calls)
	}
}

func TestParseFile(t *testing.T) {
	tests := []struct {
		name, file, in string
		wantIDs        []string
		wantIs         error
		wantMsg        []string
	}{
		{"txt", "a.txt", "Title\n\nBody.", []string{"a"}, nil, nil},
		{"text upper case", "B.TEXT", "Title\n\nBody.", []string{"b"}, nil, nil},
		{"md", "c.md", "---\nid: cc\n---\nBody.", []string{"cc"}, nil, nil},
		{"markdown", "d.markdown", "# T\n\nBody.", []string{"d"}, nil, nil},
		{"jsonl", "e.jsonl", `{"id":"e1","body":"x"}` + "\n" + `{"id":"e2","body":"y"}`, []string{"e1", "e2"}, nil, nil},
		{"ndjson", "f.ndjson", `{"id":"f1","body":"x"}`, []string{"f1"}, nil, nil},
		{"html", "Page.HTM", "<html><head><title>T</title></head><body><article><p>Body text of the page.</p></article></body></html>", []string{"page"}, nil, nil},
		{"html without text", "empty.html", "<html><body><script>x()</script></body></html>", nil, ErrEmpty, []string{"empty.html"}},
		{"pdf", "Report.PDF", string(testPDF()), []string{"report"}, nil, nil},
		{"damaged pdf", "report.pdf", "%PDF-1.4", nil, ErrUnsupportedSource, []string{"report.pdf", "could not be read"}},
		{"docx refused", "report.docx", "PK", nil, ErrUnsupportedSource, []string{"report.docx", `".docx"`, ".txt", ".md", ".html", ".jsonl", ".pdf"}},
		{"no extension", "README", "x", nil, ErrUnsupportedSource, []string{"README", "no extension", ".txt"}},
		{"parse error passes through", "g.txt", "", nil, ErrEmpty, []string{"g.txt"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []Article
			err := ParseFile(tc.file, []byte(tc.in), collect(&got))
			if tc.wantMsg != nil || tc.wantIs != nil {
				checkErr(t, err, tc.wantIs, tc.wantMsg)
			} else if err != nil {
				t.Fatalf("ParseFile: %v", err)
			}
			var ids []string
			for _, a := range got {
				ids = append(ids, a.ID)
			}
			if diff := cmp.Diff(tc.wantIDs, ids); diff != "" {
				t.Errorf("articles (-want +got):\n%s", diff)
			}
		})
	}
}
