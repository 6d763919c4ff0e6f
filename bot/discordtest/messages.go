package discordtest

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Message is what a user sees of a message the bot sent.
type Message struct {
	ID               string            `json:"id"`
	ChannelID        string            `json:"channel_id"`
	GuildID          string            `json:"guild_id"`
	Author           User              `json:"author"`
	Content          string            `json:"content"`
	Embeds           []Embed           `json:"embeds"`
	Components       []Component       `json:"components"`
	Flags            int               `json:"flags"`
	AllowedMentions  *AllowedMentions  `json:"allowed_mentions"`
	MessageReference *MessageReference `json:"message_reference"`
	Edited           string            `json:"edited_timestamp"`
}

// Ephemeral reports whether only the invoking user sees the message.
func (m Message) Ephemeral() bool { return m.Flags&ephemeralFlag != 0 }

// User is a Discord user.
type User struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Bot      bool   `json:"bot,omitempty"`
}

// Embed is the part of an embed tests look at.
type Embed struct {
	Title       string       `json:"title"`
	Description string       `json:"description"`
	URL         string       `json:"url"`
	Fields      []EmbedField `json:"fields"`
	Footer      *struct {
		Text string `json:"text"`
	} `json:"footer"`
}

// EmbedField is one embed field.
type EmbedField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Component is an action row (Type 1) or a button (Type 2) inside one.
type Component struct {
	Type       int         `json:"type"`
	Style      int         `json:"style"`
	Label      string      `json:"label"`
	CustomID   string      `json:"custom_id"`
	URL        string      `json:"url"`
	Disabled   bool        `json:"disabled"`
	Emoji      *Emoji      `json:"emoji"`
	Components []Component `json:"components"`
}

// Emoji is a button's emoji.
type Emoji struct {
	Name string `json:"name"`
}

// AllowedMentions is the mention policy sent with a message. Parse is a
// pointer so that an absent or null list can be told from an empty one.
type AllowedMentions struct {
	Parse       *[]string `json:"parse"`
	Users       []string  `json:"users"`
	Roles       []string  `json:"roles"`
	RepliedUser bool      `json:"replied_user"`
}

// MessageReference points a reply at the message it answers.
type MessageReference struct {
	MessageID string `json:"message_id"`
	ChannelID string `json:"channel_id"`
	GuildID   string `json:"guild_id"`
}

func toMessage(m map[string]any) Message {
	raw, _ := json.Marshal(m)
	var out Message
	json.Unmarshal(raw, &out)
	return out
}

// Message returns a stored message by ID.
func (s *Server) Message(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	if !ok {
		return Message{}, false
	}
	return toMessage(m), true
}

// Original returns the response message of an interaction, if it has one.
func (s *Server) Original(in Interaction) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.inters[in.Token]
	if !ok || rec.original == "" {
		return Message{}, false
	}
	m, ok := s.messages[rec.original]
	if !ok {
		return Message{}, false
	}
	return toMessage(m), true
}

// Followups returns the follow-up messages of an interaction in order.
func (s *Server) Followups(in Interaction) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	if rec, ok := s.inters[in.Token]; ok {
		for _, id := range rec.followups {
			if m, ok := s.messages[id]; ok {
				out = append(out, toMessage(m))
			}
		}
	}
	return out
}

// Acked returns the callback type an interaction was acknowledged with
// (4 message, 5 deferred, 6 deferred update, 7 update, 8 autocomplete), or 0.
func (s *Server) Acked(in Interaction) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec, ok := s.inters[in.Token]; ok {
		return rec.ackType
	}
	return 0
}

// ChannelMessages returns the visible messages of a channel, oldest first,
// those users posted (MessageCreate) as well as the bot's.
func (s *Server) ChannelMessages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, id := range s.order {
		m, ok := s.messages[id]
		if ok && m["channel_id"] == channelID && flagsOf(m)&ephemeralFlag == 0 {
			out = append(out, toMessage(m))
		}
	}
	return out
}

// Discord's message limits.
const (
	maxContent     = 2000
	maxEmbeds      = 10
	maxDescription = 4096
	maxEmbedTitle  = 256
	maxEmbedTotal  = 6000
	maxRows        = 5
	maxRowButtons  = 5
	maxChoices     = 25
)

// validate rejects a message body Discord would reject, with Discord's
// "Invalid Form Body" error naming the field.
func validate(d map[string]any) (int, any) {
	bad := func(format string, a ...any) (int, any) {
		return 400, errBody(50035, "Invalid Form Body: "+fmt.Sprintf(format, a...))
	}
	if c, _ := d["content"].(string); utf8.RuneCountInString(c) > maxContent {
		return bad("content: must be %d or fewer in length", maxContent)
	}
	embeds, _ := d["embeds"].([]any)
	if len(embeds) > maxEmbeds {
		return bad("embeds: must be %d or fewer in length", maxEmbeds)
	}
	total := 0
	for i, e := range embeds {
		em, _ := e.(map[string]any)
		desc, _ := em["description"].(string)
		title, _ := em["title"].(string)
		if utf8.RuneCountInString(desc) > maxDescription {
			return bad("embeds.%d.description: must be %d or fewer in length", i, maxDescription)
		}
		if utf8.RuneCountInString(title) > maxEmbedTitle {
			return bad("embeds.%d.title: must be %d or fewer in length", i, maxEmbedTitle)
		}
		total += utf8.RuneCountInString(desc) + utf8.RuneCountInString(title)
		fields, _ := em["fields"].([]any)
		for _, f := range fields {
			fm, _ := f.(map[string]any)
			n, _ := fm["name"].(string)
			v, _ := fm["value"].(string)
			total += utf8.RuneCountInString(n) + utf8.RuneCountInString(v)
		}
		if ft, ok := em["footer"].(map[string]any); ok {
			t, _ := ft["text"].(string)
			total += utf8.RuneCountInString(t)
		}
	}
	if total > maxEmbedTotal {
		return bad("embeds: total size %d exceeds %d", total, maxEmbedTotal)
	}
	rows, _ := d["components"].([]any)
	if len(rows) > maxRows {
		return bad("components: must be %d or fewer in length", maxRows)
	}
	for i, r := range rows {
		rm, _ := r.(map[string]any)
		if cs, _ := rm["components"].([]any); len(cs) > maxRowButtons || len(cs) == 0 {
			return bad("components.%d.components: must be 1 to %d in length", i, maxRowButtons)
		}
	}
	if ch, _ := d["choices"].([]any); len(ch) > maxChoices {
		return bad("choices: must be %d or fewer in length", maxChoices)
	}
	return 0, nil
}
