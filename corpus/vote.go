package corpus

import (
	"context"
	"fmt"
	"time"
)

// Vote is a reader's 👍 or 👎 on an answer.
type Vote struct {
	AnswerID string
	UserID   string
	Scope    string
	Up       bool
	Question string
	Answer   string
	At       time.Time
}

// RecordVote stores a vote; a user's second vote on an answer replaces the
// first.
func (s *Store) RecordVote(ctx context.Context, v Vote) error {
	if v.At.IsZero() {
		v.At = time.Now()
	}
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO votes
		(answer_id, user_id, scope, up, question, answer, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		v.AnswerID, v.UserID, v.Scope, v.Up, v.Question, v.Answer, v.At.UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("record vote: %w", err)
	}
	return nil
}

// Votes returns the votes on answers, oldest first.
func (s *Store) Votes(ctx context.Context) ([]Vote, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT answer_id, user_id, scope, up, question, answer, at FROM votes ORDER BY at`)
	if err != nil {
		return nil, fmt.Errorf("votes: %w", err)
	}
	defer rows.Close()
	var out []Vote
	for rows.Next() {
		var v Vote
		if err := rows.Scan(&v.AnswerID, &v.UserID, &v.Scope, &v.Up, &v.Question, &v.Answer, timeScanner{&v.At}); err != nil {
			return nil, fmt.Errorf("votes: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
