package bot

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"unicode"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/rag"
	"github.com/bwmarrin/discordgo"
)

// maxTurns is how many earlier questions and answers of a thread go with a
// follow-up; older ones rarely matter and cost prompt space.
const maxTurns = 6

// onMessage answers a message addressed to the bot: one that mentions it,
// a reply to one of its messages, any message in a DM, and (when the
// bot may read message content) any message in a thread it answers in.
// Everything else is ignored. The answer is a reply to the message.
func (b *Bot) onMessage(ctx context.Context, m *discordgo.Message) {
	self := b.self()
	if m.Author == nil || m.Author.Bot || self == "" {
		return
	}
	mentioned, ref := mentions(m, self), repliedTo(m, self)
	if m.GuildID != "" && !mentioned && ref == nil && !b.inAnswerThread(m.ChannelID) {
		return
	}
	log := b.log.With("message", m.ID, "guild", m.GuildID, "user", m.Author.ID, "command", "mention")
	if !b.mayAnswer(m.ChannelID, log) {
		return
	}
	rep := &msgReply{s: b.s, channelID: m.ChannelID, ref: m.SoftReference(), message: m.ID,
		user: m.Author.ID, notices: b.notices, canReact: b.can(m.ChannelID, permReact),
		canEmbed: b.can(m.ChannelID, discordgo.PermissionEmbedLinks), log: log}
	t := task{log: log, rep: rep, user: m.Author.ID, limited: true}
	question := stripMention(m.Content, self)
	switch {
	case question == "" && !mentioned:
		// Without the message content intent, a reply that doesn't ping
		// the bot arrives empty: there is nothing to answer.
		return
	case question == "":
		t.refusal = &refusal{text: "Ask me a question after the mention, e.g. @briefbot what did the EU decide on chips?", emoji: "❓"}
	default:
		if emoji, ok := smallTalk(question); ok {
			t.refusal = &refusal{emoji: emoji}
		}
	}
	t.start = func(ctx context.Context) error {
		if ref == nil && !b.isThread(ctx, m.ChannelID, log) && b.answersInThreads(ctx, m.GuildID) {
			b.startAnswerThread(ctx, m, question, rep)
		}
		if err := b.s.ChannelTyping(rep.channelID, discordgo.WithContext(ctx)); err != nil {
			log.Debug("typing indicator", "err", redact(err.Error()))
		}
		return nil
	}
	t.run = func(ctx context.Context) (response, error) {
		q := rag.Question{Text: question, Scopes: scopes(m.GuildID), Asked: askedAt(m.ID, m.Timestamp)}
		q.History = b.threadHistory(ctx, m.ChannelID, m.ID, log)
		if ref != nil {
			q.History = withTurn(q.History, b.turnOf(ctx, ref, log))
		}
		msgs, err := b.answer(ctx, question, q, rep, corpus.Asked{Scope: m.GuildID, UserID: m.Author.ID})
		return response{msgs: msgs}, err
	}
	b.perform(ctx, t)
}

// repliedTo returns the bot's message that m replies to, or nil.
func repliedTo(m *discordgo.Message, self string) *discordgo.Message {
	r := m.ReferencedMessage
	if m.Type != discordgo.MessageTypeReply || r == nil || r.Author == nil || r.Author.ID != self {
		return nil
	}
	return r
}

// turnOf is the question and answer of the bot's message a reply refers
// to: quoted in the message, else (a later part of a long answer) the
// recorded question its vote buttons carry. The zero Turn when neither.
func (b *Bot) turnOf(ctx context.Context, ref *discordgo.Message, log *slog.Logger) rag.Turn {
	if q, a, ok := splitQuestion(ref.Content); ok && a != "" {
		return rag.Turn{Question: q, Answer: a}
	}
	if asked, ok := b.askedOn(ctx, ref, log); ok && asked.Question != "" && asked.Answer != "" {
		return rag.Turn{Question: asked.Question, Answer: asked.Answer}
	}
	return rag.Turn{}
}

// withTurn makes the answer a reply refers to the latest turn of the
// history: "and in March?" under an answer follows up that answer's
// question, wherever it sits in a thread.
func withTurn(history []rag.Turn, turn rag.Turn) []rag.Turn {
	if turn == (rag.Turn{}) {
		return history
	}
	out := slices.DeleteFunc(slices.Clone(history), func(t rag.Turn) bool { return t == turn })
	out = append(out, turn)
	if len(out) > maxTurns {
		out = out[len(out)-maxTurns:]
	}
	return out
}

// inAnswerThread reports whether a channel is a thread the bot started to
// answer in, where every message is for the bot. Only with the message
// content intent does Discord deliver their text; without it such
// messages arrive empty and are ignored by onMessage.
func (b *Bot) inAnswerThread(channelID string) bool {
	if !b.cfg.MessageContent {
		return false
	}
	ch, err := b.s.State.Channel(channelID)
	return err == nil && ch.IsThread() && ch.OwnerID == b.self()
}

func mentions(m *discordgo.Message, id string) bool {
	for _, u := range m.Mentions {
		if u != nil && u.ID == id {
			return true
		}
	}
	return false
}

func stripMention(content, id string) string {
	content = strings.ReplaceAll(content, "<@"+id+">", " ")
	content = strings.ReplaceAll(content, "<@!"+id+">", " ")
	return strings.TrimSpace(oneLine(content))
}

// isThread reports whether a channel is a thread. A channel's type never
// changes, so the answer is remembered: one REST call per channel, not per
// question.
func (b *Bot) isThread(ctx context.Context, channelID string, log *slog.Logger) bool {
	if v, ok := b.threads.Load(channelID); ok {
		return v.(bool)
	}
	if ch, err := b.s.State.Channel(channelID); err == nil {
		return ch.IsThread()
	}
	// Questions arriving together in a new channel share one lookup: the
	// route's rate limit (5 per 5 s) would otherwise queue them.
	v, err, _ := b.channelLookups.Do(channelID, func() (any, error) {
		ch, err := b.s.Channel(channelID, discordgo.WithContext(ctx))
		if err != nil {
			return false, err
		}
		b.threads.Store(channelID, ch.IsThread())
		return ch.IsThread(), nil
	})
	if err != nil {
		log.Warn("read channel", "err", redact(err.Error()))
		return false
	}
	return v.(bool)
}

// threadHistory returns the earlier questions and answers in a thread,
// oldest first, read back from the bot's own answers (each starts with the
// quoted question). Outside threads, and on any error, it returns nil: a
// question without history is still worth answering.
func (b *Bot) threadHistory(ctx context.Context, channelID, before string, log *slog.Logger) []rag.Turn {
	if !b.isThread(ctx, channelID, log) || !b.can(channelID, permReadHistory) {
		return nil
	}
	msgs, err := b.s.ChannelMessages(channelID, 50, before, "", "", discordgo.WithContext(ctx))
	if err != nil {
		log.Warn("read thread history", "err", redact(err.Error()))
		return nil
	}
	self := b.self()
	var turns []rag.Turn
	for i := len(msgs) - 1; i >= 0; i-- { // Discord lists newest first
		m := msgs[i]
		if m.Author == nil || m.Author.ID != self {
			continue
		}
		if q, a, ok := splitQuestion(m.Content); ok && a != "" {
			turns = append(turns, rag.Turn{Question: q, Answer: a})
		}
	}
	if len(turns) > maxTurns {
		turns = turns[len(turns)-maxTurns:]
	}
	return turns
}

// smallTalk reports whether a message is only thanks, praise or a greeting,
// with no question in it, and the reaction that answers it: searching the
// briefings for "thanks, great!" helps nobody.
func smallTalk(text string) (emoji string, ok bool) {
	if strings.Contains(text, "?") {
		return "", false
	}
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return unicode.IsSpace(r) || (unicode.IsPunct(r) && r != '\'')
	})
	if len(words) == 0 || len(words) > 8 {
		return "", false
	}
	greeting := false
	for _, w := range words {
		kind, known := smallTalkWords[w]
		if !known && !onlySymbols(w) {
			return "", false
		}
		greeting = greeting || kind == "greeting"
	}
	if greeting {
		return "👋", true
	}
	return "👍", true
}

// smallTalkWords are the words thanks, praise and greetings are made of.
var smallTalkWords = map[string]string{
	"thanks": "", "thank": "", "you": "", "thx": "", "ty": "", "tysm": "", "cheers": "", "merci": "", "danke": "",
	"great": "", "cool": "", "nice": "", "perfect": "", "awesome": "", "amazing": "", "excellent": "", "brilliant": "",
	"ok": "", "okay": "", "k": "", "got": "", "it": "", "good": "", "lol": "", "wow": "", "very": "", "much": "",
	"so": "", "a": "", "lot": "", "super": "", "helpful": "", "that": "", "that's": "", "thats": "", "was": "",
	"is": "", "this": "", "makes": "", "sense": "", "understood": "", "noted": "", "yes": "", "yep": "", "sure": "",
	"alright": "", "appreciated": "", "appreciate": "", "again": "", "bot": "", "briefbot": "", "job": "", "work": "",
	"hi": "greeting", "hello": "greeting", "hey": "greeting", "morning": "greeting", "evening": "greeting", "yo": "greeting",
}

// onlySymbols reports whether w has no letters or digits: an emoji such
// as 👍 or 🙏.
func onlySymbols(w string) bool {
	for _, r := range w {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	return true
}
