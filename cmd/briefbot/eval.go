package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/rag"
)

// evalQuestion is one line of an evaluation set's questions.jsonl.
type evalQuestion struct {
	ID           any      `json:"id"`
	Question     string   `json:"question"`
	Answers      []string `json:"answers"`
	Evidence     []string `json:"evidence_doc_ids"`
	Answerable   bool     `json:"answerable"`
	QuestionDate string   `json:"question_date"`
}

func runEval(ctx context.Context, cfg Config, args []string, std stdio) error {
	fs := newFlags("eval", &cfg, std)
	qpath := fs.String("questions", "", "questions.jsonl of an evaluation set (required)")
	docs := fs.String("docs", "", "docs.jsonl to ingest into a fresh temporary store (default: use --data)")
	k := fs.Int("k", 5, "cut-off for recall@k")
	asJSON := fs.Bool("json", false, "print the metrics as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *qpath == "" {
		return usageError{"eval: --questions FILE is required"}
	}
	qs, err := readQuestions(*qpath)
	if err != nil {
		return err
	}
	a, cleanup, err := evalApp(ctx, cfg, *docs, std)
	if err != nil {
		return err
	}
	defer cleanup()
	rep, err := evaluate(ctx, a.engine, qs, *k, a.bodies)
	if err != nil {
		return err
	}
	rep.Questions, rep.Docs = *qpath, *docs
	if *asJSON {
		return json.NewEncoder(std.out).Encode(rep)
	}
	return rep.print(std.out, *k)
}

func readQuestions(path string) ([]evalQuestion, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	var qs []evalQuestion
	for i, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var q evalQuestion
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			return nil, fmt.Errorf("%s line %d: %v", path, i+1, err)
		}
		qs = append(qs, q)
	}
	return qs, nil
}

// evalStore is the engine under evaluation and the stored bodies, for the
// verbatim check.
type evalStore struct {
	engine *rag.Engine
	bodies map[string]string
}

// evalApp ingests docs into a scratch store (nothing of the user's data is
// touched), or opens the configured store when docs is empty.
func evalApp(ctx context.Context, cfg Config, docs string, std stdio) (evalStore, func(), error) {
	if docs == "" {
		a, err := openApp(ctx, cfg, std)
		if err != nil {
			return evalStore{}, nil, err
		}
		bodies, err := storedBodies(ctx, a.engine)
		return evalStore{engine: a.engine, bodies: bodies}, func() { a.Close() }, err
	}
	store, cleanup, err := scratchStore(ctx, cfg)
	if err != nil {
		return evalStore{}, nil, err
	}
	logger := newLogger(cfg, std.err)
	emb, chat := newModels(cfg, logger, nil)
	engine, err := rag.New(ctx, store, emb, rag.Config{Chat: chat}, logger)
	if err != nil {
		cleanup()
		return evalStore{}, nil, err
	}
	data, err := os.ReadFile(docs)
	if err != nil {
		cleanup()
		return evalStore{}, nil, fmt.Errorf("docs: %w", err)
	}
	bodies := map[string]string{}
	var arts []corpus.Article
	err = corpus.ParseFile(docs, data, func(art corpus.Article) error {
		bodies[art.ID] = art.Body
		arts = append(arts, art)
		return nil
	})
	for start := 0; err == nil && start < len(arts); start += ingestBatch {
		for _, r := range engine.AddMany(ctx, arts[start:min(start+ingestBatch, len(arts))], corpus.AddOptions{}) {
			if r.Err != nil && !isSkippable(r.Err) {
				err = r.Err
			}
		}
	}
	if err != nil {
		cleanup()
		return evalStore{}, nil, fmt.Errorf("ingest %s: %w", docs, err)
	}
	return evalStore{engine: engine, bodies: bodies}, cleanup, nil
}

// scratchStore is the throwaway store eval --docs ingests into, never the
// user's: with SQLite, a store in a temporary folder, removed afterwards,
// so the run is the SQLite store's own; with PostgreSQL, where no SQLite
// file may be written, a scratch store in memory (corpus.OpenScratch says
// why not the shared database). The figures do not depend on which: the
// engine answers from its in-memory indexes either way.
func scratchStore(ctx context.Context, cfg Config) (*corpus.Store, func(), error) {
	if cfg.DatabaseURL != "" {
		store, err := corpus.OpenScratch(ctx)
		if err != nil {
			return nil, nil, err
		}
		return store, func() { store.Close() }, nil
	}
	dir, err := os.MkdirTemp("", "briefbot-eval-")
	if err != nil {
		return nil, nil, err
	}
	store, err := corpus.Open(ctx, dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return store, func() { store.Close(); os.RemoveAll(dir) }, nil
}

func isSkippable(err error) bool {
	return errors.Is(err, corpus.ErrDuplicate) || errors.Is(err, corpus.ErrEmpty)
}

func storedBodies(ctx context.Context, e *rag.Engine) (map[string]string, error) {
	list, err := e.List(ctx, nil)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(list))
	for _, l := range list {
		a, err := e.Get(ctx, nil, l.ID)
		if err != nil {
			return nil, err
		}
		out[a.ID] = a.Body
	}
	return out, nil
}
