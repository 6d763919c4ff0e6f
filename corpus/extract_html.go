package corpus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// pageMeta is what the page says about itself, read from the whole document
// before readability strips everything but the story.
type pageMeta struct {
	title     string // <title>, the fallback when readability finds none
	siteName  string // og:site_name
	canonical string // <link rel="canonical">, resolved against the page URL
	published string // article:published_time, JSON-LD datePublished, <time datetime>, in that order
}

// ParseHTML reads an uploaded HTML file the way Fetch reads a page: the
// story's text through readability, with the title, site name, canonical
// URL (when absolute) and published date the page declares. The character
// set comes from the file's <meta charset>. ID is the file's name, as for
// the other formats. Errors:
// ErrEmpty when the page has no readable text; ErrUnsupportedSource when
// the file is binary.
func ParseHTML(name string, data []byte) (Article, error) {
	if bt := binaryType(data); bt != "" {
		return Article{}, fmt.Errorf("%s: the file is binary (%s), not HTML: %w", name, bt, ErrUnsupportedSource)
	}
	a, err := extractHTML(data, "", &url.URL{})
	if err != nil {
		return Article{}, fmt.Errorf("%s: %w", name, err)
	}
	finish(&a, name)
	return a, nil
}

// extractHTML turns an HTML page (already checked to be text) into an
// Article with Title, URL, Source, Published and Body set. Errors: ErrEmpty
// when the page has no readable text.
func extractHTML(body []byte, contentType string, page *url.URL) (Article, error) {
	text, err := toUTF8(body, contentType)
	if err != nil {
		return Article{}, err
	}
	doc, err := html.Parse(bytes.NewReader(text))
	if err != nil {
		return Article{}, fmt.Errorf("read HTML: %w", err)
	}
	meta := readMeta(doc, page)
	parser := readability.NewParser()
	ra, err := parser.ParseAndMutate(doc, page)
	if err != nil {
		return Article{}, fmt.Errorf("find the article text: %w", err)
	}
	var a Article
	if ra.Node != nil {
		a.Body = paragraphs(ra.Node)
	}
	if a.Body == "" {
		return Article{}, fmt.Errorf("%w: the page shows no text without JavaScript, which briefbot does not run; "+
			"paste the text or upload the file instead", ErrEmpty)
	}
	a.Title = firstNonEmpty(ra.Title(), meta.title)
	a.Source = firstNonEmpty(meta.siteName, ra.SiteName())
	a.URL = meta.canonical
	if t, err := ra.PublishedTime(); err == nil {
		a.Published = t
	} else if t, ok := parseMetaDate(meta.published); ok {
		a.Published = t
	} else if t, ok := dateLine(a.Body); ok {
		a.Published = t
	}
	return a, nil
}

// readMeta walks the document once for the metadata readability does not
// report (the canonical link, <time datetime>) or reports only for some
// JSON-LD types.
func readMeta(doc *html.Node, page *url.URL) pageMeta {
	var m pageMeta
	var metaDate, ldDate, timeDate string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Title:
				if m.title == "" {
					m.title = strings.Join(strings.Fields(textOf(n)), " ")
				}
			case atom.Meta:
				key := firstNonEmpty(attr(n, "property"), attr(n, "name"))
				switch strings.ToLower(key) {
				case "og:site_name":
					m.siteName = strings.TrimSpace(attr(n, "content"))
				case "article:published_time":
					metaDate = attr(n, "content")
				}
			case atom.Link:
				if strings.EqualFold(attr(n, "rel"), "canonical") && m.canonical == "" {
					m.canonical = resolveHTTP(page, attr(n, "href"))
				}
			case atom.Script:
				if attr(n, "type") == "application/ld+json" && ldDate == "" {
					ldDate = jsonLDDate([]byte(textOf(n)))
				}
			case atom.Time:
				if timeDate == "" {
					timeDate = attr(n, "datetime")
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	m.published = firstNonEmpty(metaDate, ldDate, timeDate)
	return m
}

// jsonLDDate finds the first datePublished in a JSON-LD block, whatever the
// @type and however deeply nested (@graph, arrays), because sites label
// their stories NewsArticle, Article, BlogPosting, WebPage and more.
func jsonLDDate(data []byte) string {
	var v any
	if json.Unmarshal(bytes.TrimSpace(data), &v) != nil {
		return ""
	}
	var find func(any) string
	find = func(v any) string {
		switch x := v.(type) {
		case map[string]any:
			if s, ok := x["datePublished"].(string); ok && s != "" {
				return s
			}
			for _, k := range []string{"@graph", "mainEntity", "mainEntityOfPage"} {
				if s := find(x[k]); s != "" {
					return s
				}
			}
		case []any:
			for _, e := range x {
				if s := find(e); s != "" {
					return s
				}
			}
		}
		return ""
	}
	return find(v)
}

// parseMetaDate reads the machine dates pages put in metadata: RFC 3339 with
// or without seconds or zone, or a plain day.
func parseMetaDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return ParseDate(s)
}

// dateLine looks for a date stated on a line of its own near the top of the
// text ("Published 3 March 2025", "March 3, 2025"), the way many pages show
// it without any markup.
func dateLine(body string) (time.Time, bool) {
	paras := strings.SplitN(body, "\n\n", 8)
	for _, p := range paras[:min(len(paras), 6)] {
		if t, ok := ParseDateLine(p); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

// resolveHTTP resolves href against base and keeps it only when it is an
// http(s) URL.
func resolveHTTP(base *url.URL, href string) string {
	ref, err := url.Parse(strings.TrimSpace(href))
	if err != nil || href == "" {
		return ""
	}
	u := base.ResolveReference(ref)
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	u.Fragment = ""
	return u.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// blockTags end the paragraph before them and start a new one after them.
var blockTags = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.Main: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Ul: true, atom.Ol: true, atom.Li: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
	atom.Blockquote: true, atom.Pre: true, atom.Figure: true, atom.Figcaption: true,
	atom.Table: true, atom.Tr: true, atom.Caption: true, atom.Hr: true, atom.Br: true,
	atom.Header: true, atom.Footer: true, atom.Aside: true, atom.Address: true,
	atom.Details: true, atom.Summary: true,
}

// skipTags hold no reader-facing text.
var skipTags = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Svg: true, atom.Math: true, atom.Button: true, atom.Select: true,
}

// paragraphs renders an HTML fragment as plain text: one paragraph per block
// (a sub-heading is a paragraph of its own), paragraphs separated by a blank
// line, runs of white space inside a paragraph collapsed to one space. That
// is the body format the chunker and the quote checker expect.
func paragraphs(n *html.Node) string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if p := strings.Join(strings.Fields(cur.String()), " "); p != "" {
			out = append(out, p)
		}
		cur.Reset()
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			cur.WriteString(n.Data)
			return
		case html.ElementNode:
			if skipTags[n.DataAtom] {
				return
			}
			if n.DataAtom == atom.Td || n.DataAtom == atom.Th {
				cur.WriteByte(' ')
			}
		}
		block := n.Type == html.ElementNode && blockTags[n.DataAtom]
		if block {
			flush()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			flush()
		}
	}
	walk(n)
	flush()
	return strings.Join(out, "\n\n")
}
