package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// ParseError is bad input at a line of a named file. Its message is written
// for the person who supplied the file: it names the file, the line and what
// to change. Line is 0 when the problem is not tied to one line.
type ParseError struct {
	Name string
	Line int
	Err  error
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.Name, e.Err)
	}
	return fmt.Sprintf("%s line %d: %v", e.Name, e.Line, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// ParseText parses a plain-text briefing: an optional date line (see
// ParseDateLine), a title line, then paragraphs separated by blank lines.
// Sub-headings stay in the body. Body is the text after the title line with
// line endings normalised to "\n" and surrounding blank lines removed, and
// otherwise exactly as given, because quotes are byte ranges of it. A file
// holding a single line is taken as the body, titled by its first sentence.
// Errors: ErrEmpty (wrapped in a *ParseError) for blank input, *ParseError
// for text that is not UTF-8.
func ParseText(name string, data []byte) (Article, error) {
	text, err := normalise(name, data)
	if err != nil {
		return Article{}, err
	}
	first, rest := nextLine(text)
	if first == "" {
		return Article{}, emptyError(name, "the file is empty; give an optional date line, a title line, then the text")
	}
	var a Article
	if day, ok := ParseDateLine(first); ok {
		a.Published = day
		if first, rest = nextLine(rest); first == "" {
			return Article{}, emptyError(name, "there is only a date line; add a title line and the text after it")
		}
	}
	a.Title, a.Body = first, trimBody(rest)
	if a.Body == "" {
		a.Body, a.Title = a.Title, titleFromBody(a.Title)
	}
	finish(&a, name)
	return a, nil
}

// normalise checks that data is UTF-8 text and returns it without a byte
// order mark and with CRLF line endings turned into LF, so that offsets are
// the same whichever system wrote the file.
func normalise(name string, data []byte) (string, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:firstInvalid(data)], []byte("\n"))
		return "", &ParseError{Name: name, Line: line, Err: errors.New("the text is not UTF-8; save the file as UTF-8 and try again")}
	}
	return strings.ReplaceAll(string(data), "\r\n", "\n"), nil
}

func firstInvalid(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}

// nextLine returns the first non-blank line of text, trimmed, and the text
// after it; line is "" when there is none.
func nextLine(text string) (line, rest string) {
	for text != "" {
		line, rest, _ = strings.Cut(text, "\n")
		if line = strings.TrimSpace(line); line != "" {
			return line, rest
		}
		text = rest
	}
	return "", ""
}

// trimBody removes leading blank lines and trailing whitespace, keeping the
// indentation of the first line.
func trimBody(s string) string {
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	first := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsSpace(r) })
	if first < 0 {
		return ""
	}
	return s[strings.LastIndexByte(s[:first], '\n')+1:]
}

func emptyError(name, what string) error {
	return &ParseError{Name: name, Err: fmt.Errorf("%w: %s", ErrEmpty, what)}
}

// finish fills the fields every parser derives the same way: the content
// hash and, when the source gave none, the ID.
func finish(a *Article, name string) {
	a.Hash = ContentHash(a.Title, a.Body)
	if a.ID != "" {
		return
	}
	if name != "-" {
		a.ID = FileID(name)
	}
	if a.ID == "" {
		a.ID = Slug(a.Title)
	}
	if a.ID == "" {
		a.ID = "article-" + a.Hash[:12]
	}
}

// FileID is the ID of an article read from the file at the slash- or
// backslash-separated path name: the path without its extension, slugged.
// Callers pass the path relative to the folder being read, so that
// monday/briefing.txt and tuesday/briefing.txt are two articles.
// A path too long for a slug keeps its base name and gets a short hash of
// the whole path instead, so that cutting it cannot make two IDs equal.
func FileID(name string) string {
	name = strings.TrimLeft(strings.ReplaceAll(name, "\\", "/"), "/")
	stem := strings.TrimSuffix(name, path.Ext(name))
	if full := slugAll(stem); len(full) <= maxSlug || !strings.Contains(stem, "/") {
		return Slug(stem)
	}
	base := Slug(path.Base(stem))
	if len(base) > maxSlug-9 {
		base = strings.TrimRight(base[:maxSlug-9], "-")
	}
	return base + "-" + TextHash(name)[:8]
}

// maxSlug bounds slugs so that IDs stay readable in citations.
const maxSlug = 60

// Slug turns s into an ID-friendly form: lower-case ASCII letters and digits
// with single hyphens between runs, at most 60 bytes, cut at a hyphen when
// possible. Letters outside ASCII become separators, so a title written
// wholly in another script gives "".
func Slug(s string) string {
	out := slugAll(s)
	if len(out) > maxSlug {
		out = out[:maxSlug]
		if i := strings.LastIndexByte(out, '-'); i > maxSlug/2 {
			out = out[:i]
		}
	}
	return strings.TrimRight(out, "-")
}

// slugAll is Slug without the length bound.
func slugAll(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	return b.String()
}

// maxDerivedTitle bounds titles made from a body's first sentence.
const maxDerivedTitle = 80

// titleFromBody makes a readable title for an article that has none: its
// first sentence, on one line, cut at a word boundary with "…" when long.
func titleFromBody(body string) string {
	first := body
	if s := Sentences(body); len(s) > 0 {
		first = body[s[0][0]:s[0][1]]
	}
	words := strings.Fields(first)
	title := strings.Join(words, " ")
	if utf8.RuneCountInString(title) <= maxDerivedTitle {
		return title
	}
	title = ""
	for _, w := range words {
		if utf8.RuneCountInString(title)+1+utf8.RuneCountInString(w) > maxDerivedTitle-1 {
			break
		}
		title = strings.TrimSpace(title + " " + w)
	}
	if title == "" { // a single enormous word
		title = string([]rune(words[0])[:maxDerivedTitle-1])
	}
	return strings.TrimRight(title, ",;:-–— ") + "…"
}

// jsonArticle is one line of a JSON Lines file; other fields are ignored.
// Null strings decode as "".
type jsonArticle struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Source    string `json:"source"`
	Published string `json:"published"`
	URL       string `json:"url"`
	Body      string `json:"body"`
}

// ParseJSONL reads one JSON object per line ({"id", "title", "source",
// "published", "url", "body"}) and passes each article to fn in order. The
// id is kept, because evaluation answers refer to it. Lines may be of any
// length; blank lines are skipped. The whole file is checked before fn is
// called at all: a malformed line, or an id used twice (the error names both
// lines), gives a *ParseError and no article. An error fn returns stops the
// rest and is annotated with the line. A file without any article gives
// ErrEmpty.
func ParseJSONL(name string, r io.Reader, fn func(Article) error) error {
	type lineArticle struct {
		n int
		a Article
	}
	var arts []lineArticle
	seen := make(map[string]int) // id → first line
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, readErr := br.ReadBytes('\n')
		if n == 1 {
			line = bytes.TrimPrefix(line, []byte("\uFEFF"))
		}
		if len(bytes.TrimSpace(line)) > 0 {
			a, err := parseJSONLine(name, n, line)
			if err != nil {
				return err
			}
			if first, dup := seen[a.ID]; dup {
				return &ParseError{Name: name, Line: n, Err: fmt.Errorf(
					"id %q is already used on line %d; give every article its own id", a.ID, first)}
			}
			seen[a.ID] = n
			arts = append(arts, lineArticle{n, a})
		}
		if readErr == io.EOF {
			break
		}
		if readErr != nil {
			return fmt.Errorf("read %s: %w", name, readErr)
		}
	}
	if len(arts) == 0 {
		return emptyError(name, "no JSON lines found; put one article object per line")
	}
	for _, la := range arts {
		if err := fn(la.a); err != nil {
			return fmt.Errorf("%s line %d: %w", name, la.n, err)
		}
	}
	return nil
}

// parseJSONLine decodes and checks line n of a JSON Lines file.
func parseJSONLine(name string, n int, line []byte) (Article, error) {
	bad := func(format string, args ...any) error {
		return &ParseError{Name: name, Line: n, Err: fmt.Errorf(format, args...)}
	}
	if !utf8.Valid(line) {
		return Article{}, bad("the text is not UTF-8; save the file as UTF-8")
	}
	var j jsonArticle
	if err := json.Unmarshal(line, &j); err != nil {
		return Article{}, bad("%s; each line must be one object such as {\"id\": \"a1\", \"title\": \"…\", \"body\": \"…\"}", jsonProblem(err))
	}
	if strings.TrimSpace(j.ID) == "" {
		return Article{}, bad("missing \"id\"; give every article a unique id")
	}
	if strings.TrimSpace(j.Body) == "" {
		return Article{}, bad("%w: \"body\" of %q is empty", ErrEmpty, j.ID)
	}
	a := Article{ID: j.ID, Title: strings.TrimSpace(j.Title), Source: j.Source, URL: j.URL, Body: j.Body}
	if j.Published != "" {
		day, ok := ParseDate(j.Published)
		if !ok {
			return Article{}, bad("\"published\" %q is not a date; write it as 2022-06-25 or in RFC 3339", j.Published)
		}
		a.Published = day
	}
	if a.Title == "" {
		a.Title = titleFromBody(a.Body)
	}
	finish(&a, name)
	return a, nil
}

// jsonProblem words a JSON decoding error for the person who wrote the
// line, without Go's type names ("jsonArticle.id of type string").
func jsonProblem(err error) string {
	var typ *json.UnmarshalTypeError
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("%q must be %s, not %s", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.As(err, &typ):
		return fmt.Sprintf("the line is %s, not an object", article(typ.Value))
	case errors.As(err, &syn):
		return fmt.Sprintf("not valid JSON at character %d (%s)", syn.Offset, strings.TrimPrefix(syn.Error(), "invalid character "))
	}
	return "not valid JSON (" + err.Error() + ")"
}

// jsonKind names a Go kind the way JSON does.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	case "bool":
		return "true or false"
	}
	return "a number"
}

// article puts "a" or "an" before a JSON value kind ("number", "array").
func article(kind string) string {
	if strings.IndexByte("aeiou", kind[0]) >= 0 {
		return "an " + kind
	}
	return "a " + kind
}

// frontMatter holds the keys ParseMarkdown reads from YAML front matter,
// with the file line of each for error messages.
type frontMatter struct {
	values map[string]string
	lines  map[string]int
}

// frontMatterKeys are the keys read; "date" is a synonym of "published".
var frontMatterKeys = map[string]string{
	"id": "id", "title": "title", "url": "url", "source": "source",
	"published": "published", "date": "published",
}

// ParseMarkdown parses a Markdown briefing with optional YAML front matter
// between "---" lines (keys id, title, url, source, published or date; others
// are ignored). The title is the front matter's, else a "# " heading opening
// the document (then removed from the body), else the first line, which then
// stays in the body. The body stays Markdown: "## " sub-headings remain and
// become passage headings. Errors: ErrEmpty (in a *ParseError) when there is
// no text, *ParseError naming the line for bad front matter.
func ParseMarkdown(name string, data []byte) (Article, error) {
	text, err := normalise(name, data)
	if err != nil {
		return Article{}, err
	}
	fm, body, err := splitFrontMatter(name, text)
	if err != nil {
		return Article{}, err
	}
	a := Article{ID: fm.values["id"], Title: fm.values["title"], URL: fm.values["url"], Source: fm.values["source"]}
	if p := fm.values["published"]; p != "" {
		day, ok := ParseDate(p)
		if !ok {
			return Article{}, &ParseError{Name: name, Line: fm.lines["published"],
				Err: fmt.Errorf("published date %q is not a date; write it as 2022-06-25", p)}
		}
		a.Published = day
	}
	if first, after := nextLine(strings.TrimLeft(body, "\n")); a.Published.IsZero() && first != "" {
		if day, ok := ParseDateLine(first); ok { // a date line above the title, as in a text briefing
			a.Published, body = day, strings.TrimLeft(after, "\n")
		}
	}
	if a.Title == "" {
		a.Title, body = markdownTitle(body)
	}
	if a.Body = trimBody(body); a.Body == "" {
		return Article{}, emptyError(name, "no text after the title; add the article's paragraphs")
	}
	finish(&a, name)
	return a, nil
}

// markdownTitle takes the title from a "# " heading opening body (removing
// it), or else from the first line, which is kept.
func markdownTitle(body string) (title, rest string) {
	first, after := nextLine(body)
	if strings.HasPrefix(first, "# ") {
		return headingText(first), after
	}
	return titleFromBody(strings.TrimLeft(first, "#>*-+ \t")), body
}

// headingText is the text of a Markdown heading line without its '#' marks
// (leading and closing) or emphasis around it.
func headingText(line string) string {
	s := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "#"))
	if t := strings.TrimRight(s, "#"); strings.HasSuffix(t, " ") || t == "" {
		s = strings.TrimSpace(t)
	}
	for len(s) > 2 && (s[0] == '*' || s[0] == '_') && s[len(s)-1] == s[0] {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// splitFrontMatter separates YAML front matter from the Markdown after it.
// Text that does not open with a "---" line has none.
func splitFrontMatter(name, text string) (frontMatter, string, error) {
	fm := frontMatter{values: map[string]string{}, lines: map[string]int{}}
	first, rest, _ := strings.Cut(text, "\n")
	if strings.TrimSpace(first) != "---" {
		return fm, text, nil
	}
	var yamlText strings.Builder
	for n := 2; rest != ""; n++ {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		if t := strings.TrimSpace(line); t == "---" || t == "..." {
			err := decodeFrontMatter(name, yamlText.String(), fm)
			return fm, rest, err
		}
		yamlText.WriteString(line + "\n")
	}
	return fm, "", &ParseError{Name: name, Line: 1,
		Err: errors.New("front matter opened with --- is never closed; add a --- line after it")}
}

// yamlLine finds the line number in a yaml.v3 error message.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// decodeFrontMatter reads the known keys of the YAML src into fm. Lines in
// errors are file lines: the YAML starts on the file's second line.
func decodeFrontMatter(name, src string, fm frontMatter) error {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		line, msg := 0, err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			line, msg = n+1, msg[len(m[0]):]
		}
		msg = strings.TrimPrefix(msg, "yaml: ")
		return &ParseError{Name: name, Line: line,
			Err: fmt.Errorf("front matter is not valid YAML (%s); fix it or remove the --- block", msg)}
	}
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return &ParseError{Name: name, Line: root.Line + 1,
			Err: errors.New("front matter must be \"key: value\" lines such as \"title: …\"")}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		field, known := frontMatterKeys[strings.ToLower(key.Value)]
		if !known || val.Tag == "!!null" {
			continue
		}
		if val.Kind != yaml.ScalarNode {
			return &ParseError{Name: name, Line: val.Line + 1,
				Err: fmt.Errorf("front matter %q must be a single value, not a list or map", key.Value)}
		}
		fm.values[field] = strings.TrimSpace(val.Value)
		fm.lines[field] = key.Line + 1
	}
	return nil
}
