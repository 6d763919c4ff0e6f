package discordtest

import (
	"encoding/json"
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
	Attachments      []Attachment      `json:"attachments"`
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
