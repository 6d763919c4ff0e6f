package bot

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/briefbot/briefbot/corpus"
	"github.com/bwmarrin/discordgo"
)

// Ledger is what the bot keeps besides the briefings (corpus.Store): the
// questions asked with their answers, the votes on the answers, and each
// server's settings.
type Ledger interface {
	// RecordAsked returns the record's ID.
	RecordAsked(ctx context.Context, a corpus.Asked) (int64, error)
	// Asked returns an error wrapping corpus.ErrNotFound for an unknown ID.
	Asked(ctx context.Context, id int64) (corpus.Asked, error)
	RecordVote(ctx context.Context, v corpus.Vote) error
	Report(ctx context.Context, q corpus.ReportQuery) (corpus.Report, error)
	// Setting returns "" for a setting never set.
	Setting(ctx context.Context, scope, key string) (string, error)
	SetSetting(ctx context.Context, scope, key, value string) error
}

// recordAsked keeps an answered question for /briefing stats and for the
// votes on its answer; ok is false when there is no ledger or it failed
// (logged: the answer is still worth sending).
func (b *Bot) recordAsked(ctx context.Context, a corpus.Asked) (int64, bool) {
	if b.cfg.Ledger == nil {
		return 0, false
	}
	a.At = time.Now()
	id, err := b.cfg.Ledger.RecordAsked(ctx, a)
	if err != nil {
		b.log.Warn("record question", "err", redact(err.Error()))
		return 0, false
	}
	return id, true
}

// tagVotes puts the question's ID into the custom IDs of the answer's vote
// buttons ("vote:up:42").
func tagVotes(msgs []outMsg, id int64) {
	for _, m := range msgs {
		for _, row := range m.components {
			r, ok := row.(discordgo.ActionsRow)
			if !ok {
				continue
			}
			for j, c := range r.Components {
				if btn, ok := c.(discordgo.Button); ok && (btn.CustomID == voteUp || btn.CustomID == voteDown) {
					btn.CustomID += ":" + strconv.FormatInt(id, 10)
					r.Components[j] = btn
				}
			}
		}
	}
}

// votedQuestion is the question ID in a vote button's custom ID.
func votedQuestion(customID string) (int64, bool) {
	i := strings.LastIndexByte(customID, ':')
	id, err := strconv.ParseInt(customID[i+1:], 10, 64)
	return id, i > 0 && err == nil && strings.Count(customID, ":") == 2
}

// askedOn returns the recorded question whose ID a message of the bot's
// carries in its vote buttons ("vote:up:42"). A long answer is split over
// messages and only the first quotes the question, while the buttons sit
// on the last one, the message people reply to.
func (b *Bot) askedOn(ctx context.Context, m *discordgo.Message, log *slog.Logger) (corpus.Asked, bool) {
	if b.cfg.Ledger == nil {
		return corpus.Asked{}, false
	}
	for _, c := range m.Components {
		row, ok := c.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, c := range row.Components {
			btn, ok := c.(*discordgo.Button)
			if !ok || !strings.HasPrefix(btn.CustomID, voteUp) && !strings.HasPrefix(btn.CustomID, voteDown) {
				continue
			}
			id, ok := votedQuestion(btn.CustomID)
			if !ok {
				return corpus.Asked{}, false
			}
			a, err := b.cfg.Ledger.Asked(ctx, id)
			if err != nil {
				log.Debug("question of the answer replied to", "err", redact(err.Error()))
				return corpus.Asked{}, false
			}
			return a, true
		}
	}
	return corpus.Asked{}, false
}
