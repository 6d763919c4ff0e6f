package corpus

import (
	"bytes"
	"fmt"
	"path"
	"strings"
)

// Format is one kind of document briefbot reads. The list of formats below
// is the only place a format is declared: the command line's directory
// filter and --format, the bot's upload allow-list and every message that
// lists what is supported derive from it, so a new format is one entry here
// plus its parser.
type Format struct {
	// Name is what --format takes ("txt").
	Name string
	// Extensions are the file name endings, lower case with the dot; the
	// first one is the usual one.
	Extensions []string
	// MediaTypes are the content types the format is served or uploaded as.
	MediaTypes []string
	parse      func(name string, data []byte, fn func(Article) error) error
}

// formats returns the registry, in the order messages list it.
func formats() []Format {
	one := func(p func(string, []byte) (Article, error)) func(string, []byte, func(Article) error) error {
		return func(name string, data []byte, fn func(Article) error) error {
			a, err := p(name, data)
			if err != nil {
				return err
			}
			return fn(a)
		}
	}
	return []Format{
		{Name: "txt", Extensions: []string{".txt", ".text"}, MediaTypes: []string{"text/plain"}, parse: one(ParseText)},
		{Name: "md", Extensions: []string{".md", ".markdown"}, MediaTypes: []string{"text/markdown", "text/x-markdown"},
			parse: one(ParseMarkdown)},
		{Name: "html", Extensions: []string{".html", ".htm"}, MediaTypes: []string{"text/html", "application/xhtml+xml"},
			parse: one(ParseHTML)},
		{Name: "jsonl", Extensions: []string{".jsonl", ".ndjson"},
			MediaTypes: []string{"application/jsonl", "application/x-ndjson", "application/x-jsonlines"},
			parse: func(name string, data []byte, fn func(Article) error) error {
				return ParseJSONL(name, bytes.NewReader(data), fn)
			}},
		{Name: "pdf", Extensions: []string{".pdf"}, MediaTypes: []string{"application/pdf"}, parse: one(ParsePDF)},
	}
}

// Formats returns every format briefbot reads.
func Formats() []Format { return formats() }

// FormatNamed returns the format called name ("md"; a leading dot and any
// of its extensions are accepted too, so "markdown" and ".ndjson" work).
func FormatNamed(name string) (Format, bool) {
	n := "." + strings.TrimPrefix(strings.ToLower(strings.TrimSpace(name)), ".")
	for _, f := range formats() {
		if "."+f.Name == n || contains(f.Extensions, n) {
			return f, true
		}
	}
	return Format{}, false
}

// FormatOf returns the format of a file by its name's extension.
func FormatOf(filename string) (Format, bool) {
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(filename, "\\", "/")))
	if ext == "" {
		return Format{}, false
	}
	return FormatNamed(ext)
}

// FormatOfMediaType returns the format a content type (parameters allowed)
// is read as.
func FormatOfMediaType(mediaType string) (Format, bool) {
	mt, _, _ := strings.Cut(strings.ToLower(mediaType), ";")
	mt = strings.TrimSpace(mt)
	for _, f := range formats() {
		if contains(f.MediaTypes, mt) {
			return f, true
		}
	}
	return Format{}, false
}

// FormatNames lists the formats' names for messages: "txt, md, html,
// jsonl, pdf".
func FormatNames() string {
	var names []string
	for _, f := range formats() {
		names = append(names, f.Name)
	}
	return orList(names)
}

// Extensions lists every extension read, for messages: ".txt, .text, …,
// .pdf".
func Extensions() string {
	var exts []string
	for _, f := range formats() {
		exts = append(exts, f.Extensions...)
	}
	return orList(exts)
}

func orList(s []string) string { return strings.Join(s, ", ") }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Parse parses data in format f and passes every article it holds to fn,
// stopping at the first error fn returns. name is used in messages and,
// unless the document gives an ID of its own, for the article's ID: its
// path without extension, slugged ("monday/briefing.txt" gives
// "monday-briefing"), so files of the same base name in different folders
// get different IDs; "-" (standard input) makes the ID from the title.
func (f Format) Parse(name string, data []byte, fn func(Article) error) error {
	return f.parse(name, data, fn)
}

// ParseFile parses data in the format of name's extension; see
// Format.Parse. Errors: an *UnsupportedError (wrapping ErrUnsupportedSource)
// for other extensions, ErrEmpty when there is no text, *ParseError for
// malformed input.
func ParseFile(name string, data []byte, fn func(Article) error) error {
	f, ok := FormatOf(name)
	if !ok {
		return &UnsupportedError{Name: name, Ext: strings.ToLower(path.Ext(name))}
	}
	return f.Parse(name, data, fn)
}

// UnsupportedError is a file whose extension names no Format.
type UnsupportedError struct {
	Name string
	Ext  string // "" when the name has none
}

func (e *UnsupportedError) Error() string {
	if e.Ext == "" {
		return fmt.Sprintf("%s: the file name has no extension; use one of %s", e.Name, Extensions())
	}
	return fmt.Sprintf("%s: %q files cannot be read; use one of %s", e.Name, e.Ext, Extensions())
}

func (e *UnsupportedError) Unwrap() error { return ErrUnsupportedSource }

// ParsePDF reads the text layer of a PDF file; see extractPDF. Its ID comes
// from name like the other formats'.
func ParsePDF(name string, data []byte) (Article, error) {
	a, err := extractPDF(data)
	if err != nil {
		return Article{}, fmt.Errorf("%s: %w", name, err)
	}
	finish(&a, name)
	return a, nil
}
