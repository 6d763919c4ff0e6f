package bot

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/rag"
	"github.com/bwmarrin/discordgo"
	"golang.org/x/time/rate"
)

// scopes are the article scopes visible from a guild: the shared (global)
// articles plus the guild's own; in DMs only the shared ones.
func scopes(guildID string) []string {
	if guildID == "" {
		return []string{corpus.GlobalScope}
	}
	return []string{corpus.GlobalScope, guildID}
}

func (b *Bot) runAsk(ctx context.Context, c *call) (response, error) {
	question := c.str("question")
	if question == "" {
		return response{}, inputErrorf("Please give a question, e.g. `/ask question: What did the EU decide on chips?`")
	}
	q := rag.Question{Text: question, Scopes: scopes(c.guild), Asked: askedAt(c.i.ID, time.Time{})}
	if c.guild != "" {
		q.History = b.threadHistory(ctx, c.i.ChannelID, "", c.log)
	}
	msgs, err := b.answer(ctx, question, q, c.reply, corpus.Asked{Scope: c.guild, UserID: c.user})
	if err != nil {
		return response{}, err
	}
	return response{ephemeral: c.boolean("private"), msgs: msgs}, nil
}

// answer is the core shared by /ask and mentions: it asks the engine and
// renders the final answer. While the model writes, the message shows a
// "writing…" status and nothing of the text: the answer appears only once
// all its quotes are checked. The question (who asked where) is recorded
// with its answer, and the vote buttons carry the record's ID.
func (b *Bot) answer(ctx context.Context, question string, q rag.Question, rep replier, who corpus.Asked) ([]outMsg, error) {
	st := startStream(ctx, b.cfg.EditInterval, func(ctx context.Context, status string) error {
		return rep.progress(ctx, status)
	})
	writing := writingText(question)
	a, err := b.ans.Answer(ctx, q, func(string) { st.update(writing) })
	if perr := st.stop(); perr != nil {
		b.log.Debug("streaming edit failed", "err", redact(perr.Error()))
	}
	if err != nil {
		return nil, err
	}
	if slices.Equal(q.Scopes, scopes("")) {
		a.Note = strings.TrimSpace(a.Note + " " + dmNote)
	}
	msgs := renderAnswer(question, a)
	who.Question, who.Answer, who.Refused = question, a.Text, a.Refused
	if id, ok := b.recordAsked(ctx, who); ok {
		tagVotes(msgs, id)
	}
	return msgs, nil
}

// dmNote ends every answer given in a DM, where no server's own briefings
// are visible.
const dmNote = "In DMs I search only the shared briefings; ask in your server to include its own."

// stream shows a changing status by editing one message, no more often
// than its limiter allows; only the latest text is sent, intermediate
// texts that arrive between edits are skipped, and a text already shown is
// not sent again.
type stream struct {
	mu      sync.Mutex
	latest  string
	sent    string
	lastErr error
	wake    chan struct{}
	cancel  context.CancelFunc
	done    chan struct{}
}

func startStream(ctx context.Context, every time.Duration, edit func(context.Context, string) error) *stream {
	ctx, cancel := context.WithCancel(ctx)
	st := &stream{wake: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	lim := rate.NewLimiter(rate.Every(every), 1)
	go func() {
		defer close(st.done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-st.wake:
			}
			if lim.Wait(ctx) != nil {
				return
			}
			st.mu.Lock()
			text, same := st.latest, st.latest == st.sent
			st.sent = text
			st.mu.Unlock()
			if same {
				continue
			}
			if err := edit(ctx, text); err != nil && ctx.Err() == nil {
				st.mu.Lock()
				st.lastErr = err
				st.mu.Unlock()
			}
		}
	}()
	return st
}

// update sets the text to show; it never blocks.
func (st *stream) update(text string) {
	st.mu.Lock()
	st.latest = text
	st.mu.Unlock()
	select {
	case st.wake <- struct{}{}:
	default:
	}
}

// stop ends streaming and waits until no edit is in flight, so the final
// answer cannot be overwritten by a late partial one.
func (st *stream) stop() error {
	st.cancel()
	<-st.done
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.lastErr
}

// onComponent handles button clicks: votes and list pages.
func (b *Bot) onComponent(ctx context.Context, i *discordgo.Interaction) (response, error) {
	id := i.MessageComponentData().CustomID
	switch {
	case strings.HasPrefix(id, voteUp) || strings.HasPrefix(id, voteDown):
		return b.vote(ctx, i, strings.HasPrefix(id, voteUp))
	case strings.HasPrefix(id, pagePrefix):
		return b.page(ctx, i, id)
	}
	return response{}, inputErrorf("This button no longer works; run the command again.")
}

// vote stores a 👍/👎 with the question and the answer it is about. The
// buttons sit on the answer's last message, which for a long answer holds
// neither, so both come from the recorded question whose ID the button
// carries; buttons without one (answers sent before questions were
// recorded) are read back from the message itself.
func (b *Bot) vote(ctx context.Context, i *discordgo.Interaction, up bool) (response, error) {
	if i.Message == nil {
		return response{}, inputErrorf("I can't tell which answer this vote is for.")
	}
	if b.cfg.Ledger == nil {
		return response{}, inputErrorf("Votes are not kept on this bot.")
	}
	v := corpus.Vote{AnswerID: i.Message.ID, UserID: userID(i), Scope: i.GuildID, Up: up, At: time.Now()}
	v.Question, v.Answer, _ = splitQuestion(i.Message.Content)
	if id, ok := votedQuestion(i.MessageComponentData().CustomID); ok {
		asked, err := b.cfg.Ledger.Asked(ctx, id)
		if err != nil && !errors.Is(err, corpus.ErrNotFound) {
			return response{}, err
		}
		if err == nil {
			v.Question, v.Answer = asked.Question, asked.Answer
		}
	}
	if err := b.cfg.Ledger.RecordVote(ctx, v); err != nil {
		return response{}, err
	}
	if up {
		return private("Thanks! Your 👍 is recorded."), nil
	}
	return private("Thanks! Your 👎 is recorded; it helps us find answers to improve."), nil
}

// askedAt is the moment of asking: the message's timestamp, else the time
// in the Discord ID (snowflake) of the interaction or message, else now.
// "This week" means the week of the question, not of the answer.
func askedAt(id string, stamp time.Time) time.Time {
	if !stamp.IsZero() {
		return stamp
	}
	if t, err := discordgo.SnowflakeTimestamp(id); err == nil && t.Year() > 2015 {
		return t
	}
	return time.Now()
}
