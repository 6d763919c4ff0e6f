package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/briefbot/briefbot/rag"
)

// evalModes are the retrieval rankings compared in one run: the shared
// tool's plain BM25 over our passages, our BM25 (plain words and stems), vectors alone,
// and the hybrid that answers.
var evalModes = []string{rag.RetrievePlainBM25, rag.RetrieveBM25, rag.RetrieveVectors, rag.RetrieveHybrid}

type retrievalMetrics struct {
	Mode    string  `json:"mode"`
	Recall1 float64 `json:"recall@1"`
	RecallK float64 `json:"recall@k"`
	MRR10   float64 `json:"mrr@10"`
}

type evalReport struct {
	Questions    string             `json:"questions"`
	Docs         string             `json:"docs,omitempty"`
	N            int                `json:"n_questions"`
	NAnswerable  int                `json:"n_answerable"`
	Retrieval    []retrievalMetrics `json:"retrieval"`
	AnswerHit    float64            `json:"answer_hit"`
	Verbatim     float64            `json:"quote_verbatim"`
	NQuotes      int                `json:"n_quotes"`
	Refusal      float64            `json:"refusal"`
	FalseRefusal float64            `json:"false_refusal"`
	// Sweep is the trade-off curve: refusal and false-refusal rates at
	// other MinCoverage thresholds (the default is rag.DefaultMinCoverage).
	Sweep []sweepPoint `json:"sweep"`
}

type sweepPoint struct {
	MinCoverage  float64 `json:"min_coverage"`
	Refusal      float64 `json:"refusal"`
	FalseRefusal float64 `json:"false_refusal"`
}

func evaluate(ctx context.Context, e *rag.Engine, qs []evalQuestion, k int, bodies map[string]string) (evalReport, error) {
	rep := evalReport{N: len(qs)}
	for _, mode := range evalModes {
		m, err := rankMetrics(ctx, e, qs, k, mode, false)
		if err != nil {
			return rep, err
		}
		rep.Retrieval = append(rep.Retrieval, m)
	}
	if hasDates(qs) {
		m, err := rankMetrics(ctx, e, qs, k, rag.RetrieveHybrid, true)
		if err != nil {
			return rep, err
		}
		rep.Retrieval = append(rep.Retrieval, m)
	}
	var hits, answerable, refusedAns, unans, refusedUnans, verbatim int
	var confAns, confUnans []float64
	for _, q := range qs {
		asked, _ := time.Parse("2006-01-02", q.QuestionDate)
		ans, err := e.Answer(ctx, rag.Question{Text: q.Question, K: k, Asked: asked})
		if err != nil {
			return rep, fmt.Errorf("question %v: %w", q.ID, err)
		}
		for _, c := range ans.Citations {
			rep.NQuotes++
			if b, ok := bodies[c.ArticleID]; ok && c.End <= len(b) && b[c.Start:c.End] == c.Quote && c.Quote != "" {
				verbatim++
			}
		}
		if !q.Answerable {
			unans++
			confUnans = append(confUnans, ans.Confidence)
			refusedUnans += b2i(ans.Refused)
			continue
		}
		answerable++
		confAns = append(confAns, ans.Confidence)
		refusedAns += b2i(ans.Refused)
		texts := []string{ans.Text}
		for _, c := range ans.Citations {
			texts = append(texts, c.Quote)
		}
		hits += b2i(!ans.Refused && anyHasAnswer(texts, q.Answers))
	}
	rep.NAnswerable = answerable
	rep.AnswerHit, rep.FalseRefusal = ratio(hits, answerable), ratio(refusedAns, answerable)
	rep.Refusal, rep.Verbatim = ratio(refusedUnans, unans), ratio(verbatim, rep.NQuotes)
	for _, th := range []float64{0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5} {
		rep.Sweep = append(rep.Sweep, sweepPoint{th, below(confUnans, th), below(confAns, th)})
	}
	return rep, nil
}

// hasDates reports whether any question says when it was asked.
func hasDates(qs []evalQuestion) bool {
	for _, q := range qs {
		if q.QuestionDate != "" {
			return true
		}
	}
	return false
}

// rankMetrics computes doc-level recall@1, recall@k and MRR@10 over the
// answerable questions, as the shared ragscore tool defines them. With
// dated, each question is asked on its question_date ("+date" rows);
// otherwise the ranking is date-blind.
func rankMetrics(ctx context.Context, e *rag.Engine, qs []evalQuestion, k int, mode string, dated bool) (retrievalMetrics, error) {
	m := retrievalMetrics{Mode: mode}
	if dated {
		m.Mode += "+date"
	}
	n := 0
	for _, q := range qs {
		if !q.Answerable {
			continue
		}
		rq := rag.Question{Text: q.Question, K: max(10, k)}
		if dated {
			rq.Asked, _ = time.Parse("2006-01-02", q.QuestionDate)
		}
		hits, err := e.Rank(ctx, rq, mode)
		if err != nil {
			return m, err
		}
		gold := map[string]bool{}
		for _, id := range q.Evidence {
			gold[id] = true
		}
		n++
		for r, h := range hits {
			if !gold[h.Passage.ArticleID] {
				continue
			}
			if r == 0 {
				m.Recall1++
			}
			if r < k {
				m.RecallK++
			}
			if r < 10 {
				m.MRR10 += 1 / float64(r+1)
			}
			break
		}
	}
	if n > 0 {
		m.Recall1, m.RecallK, m.MRR10 = m.Recall1/float64(n), m.RecallK/float64(n), m.MRR10/float64(n)
	}
	return m, nil
}

func below(xs []float64, th float64) float64 {
	n := 0
	for _, x := range xs {
		n += b2i(x < th)
	}
	return ratio(n, len(xs))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (rep evalReport) print(w io.Writer, k int) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s: %d questions (%d answerable)\n", rep.Questions, rep.N, rep.NAnswerable)
	fmt.Fprintf(tw, "retrieval\trecall@1\trecall@%d\tMRR@10\n", k)
	for _, m := range rep.Retrieval {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\n", m.Mode, m.Recall1, m.RecallK, m.MRR10)
	}
	fmt.Fprintf(tw, "answers (hybrid, extractive)\n")
	fmt.Fprintf(tw, "answer hit\t%.3f\nquote verbatim\t%.3f (%d quotes)\n", rep.AnswerHit, rep.Verbatim, rep.NQuotes)
	fmt.Fprintf(tw, "refusal (unanswerable)\t%.3f\nfalse refusal (answerable)\t%.3f\n", rep.Refusal, rep.FalseRefusal)
	fmt.Fprintf(tw, "min coverage sweep (default %.2f)\trefusal\tfalse refusal\n", rag.DefaultMinCoverage)
	for _, s := range rep.Sweep {
		fmt.Fprintf(tw, "%.2f\t%.3f\t%.3f\n", s.MinCoverage, s.Refusal, s.FalseRefusal)
	}
	return tw.Flush()
}

// anyHasAnswer reports whether a gold answer occurs in any text, with the
// shared tool's matching: NFKC, lower case, straight quotes, collapsed
// spaces, word boundaries, an optional plural/demonym suffix.
func anyHasAnswer(texts, answers []string) bool {
	for _, t := range texts {
		nt := normAnswer(t)
		for _, a := range answers {
			if hasAnswer(nt, strings.Trim(normAnswer(a), " \"'.,;:!?")) {
				return true
			}
		}
	}
	return false
}

var quoteFold = strings.NewReplacer("\u2018", "'", "\u2019", "'", "\u201a", "'", "\u201b", "'", "\u2032", "'",
	"\u201c", `"`, "\u201d", `"`, "\u201e", `"`, "\u201f", `"`, "\u2033", `"`)

func normAnswer(s string) string {
	s = quoteFold.Replace(strings.ToLower(norm.NFKC.String(s)))
	return strings.Join(strings.Fields(s), " ")
}

func hasAnswer(text, a string) bool {
	if a == "" {
		return false
	}
	last, _ := lastRune(a)
	for off := 0; ; {
		i := strings.Index(text[off:], a)
		if i < 0 {
			return false
		}
		start, end := off+i, off+i+len(a)
		off = start + 1
		if r, ok := lastRune(text[:start]); ok && isWord(r) {
			continue
		}
		rest := text[end:]
		if unicode.IsLetter(last) {
			for _, suf := range []string{"ian", "an", "es", "s", "n"} {
				if strings.HasPrefix(rest, suf) && !startsWord(rest[len(suf):]) {
					return true
				}
			}
		}
		if !startsWord(rest) {
			return true
		}
	}
}

func lastRune(s string) (rune, bool) {
	r := []rune(s)
	if len(r) == 0 {
		return 0, false
	}
	return r[len(r)-1], true
}

func startsWord(s string) bool {
	for _, r := range s {
		return isWord(r)
	}
	return false
}

func isWord(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }
