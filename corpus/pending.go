package corpus

// Stand-ins replaced when the parse branch is merged. DELETE ON MERGE.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var paraRE = regexp.MustCompile(`\n\s*\n`)
var sentRE = regexp.MustCompile(`[.!?][’'”"]?\s+`)

func Sentences(text string) [][2]int {
	var out [][2]int
	start := 0
	for _, m := range sentRE.FindAllStringIndex(text, -1) {
		end := m[1]
		e := strings.TrimRight(text[start:end], " \n\t")
		out = append(out, [2]int{start, start + len(e)})
		start = end
	}
	if strings.TrimSpace(text[start:]) != "" {
		out = append(out, [2]int{start, len(strings.TrimRight(text, " \n\t"))})
	}
	return out
}

func Split(a Article) []Passage {
	var ps []Passage
	body := a.Body
	idx := paraRE.FindAllStringIndex(body, -1)
	starts := []int{0}
	ends := []int{}
	for _, m := range idx {
		ends = append(ends, m[0])
		starts = append(starts, m[1])
	}
	ends = append(ends, len(body))
	cs, words := -1, 0
	ce := 0
	flush := func() {
		if cs >= 0 {
			t := strings.TrimSpace(body[cs:ce])
			off := strings.Index(body[cs:ce], t)
			ps = append(ps, Passage{ID: a.ID + "#" + strconv.Itoa(len(ps)), ArticleID: a.ID, Seq: len(ps), Start: cs + off, End: cs + off + len(t), Text: t})
		}
		cs, words = -1, 0
	}
	for i := range starts {
		w := len(strings.Fields(body[starts[i]:ends[i]]))
		if w == 0 {
			continue
		}
		if cs >= 0 && words+w > 200 {
			flush()
		}
		if cs < 0 {
			cs = starts[i]
		}
		ce = ends[i]
		words += w
	}
	flush()
	return ps
}

func ParseFile(name string, data []byte, fn func(Article) error) error {
	if strings.HasSuffix(name, ".jsonl") {
		r := bufio.NewReader(bytes.NewReader(data))
		for {
			line, err := r.ReadBytes('\n')
			if len(bytes.TrimSpace(line)) > 0 {
				var d struct {
					ID, Title, Body        string
					Source, URL, Published *string
				}
				if err := json.Unmarshal(line, &d); err != nil {
					return err
				}
				a := Article{ID: d.ID, Title: d.Title, Body: d.Body}
				if d.Source != nil {
					a.Source = *d.Source
				}
				if d.URL != nil {
					a.URL = *d.URL
				}
				if d.Published != nil && len(*d.Published) >= 10 {
					a.Published, _ = time.Parse("2006-01-02", (*d.Published)[:10])
				}
				a.Hash = ContentHash(a.Title, a.Body)
				if err := fn(a); err != nil {
					return err
				}
			}
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
		}
	}
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	lines := strings.SplitN(strings.TrimSpace(s), "\n", 3)
	if len(lines) < 3 {
		return fmt.Errorf("%s: %w", name, ErrEmpty)
	}
	pub, _ := time.Parse("January 2, 2006", strings.TrimSpace(lines[0]))
	rest := strings.TrimSpace(lines[2])
	tl := strings.SplitN(rest, "\n", 2)
	a := Article{ID: strings.TrimSuffix(filepath.Base(name), filepath.Ext(name)), Title: strings.TrimSpace(tl[0]), Body: strings.TrimSpace(tl[1]), Published: pub}
	a.Hash = ContentHash(a.Title, a.Body)
	return fn(a)
}
