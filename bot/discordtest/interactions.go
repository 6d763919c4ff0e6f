package discordtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Interaction identifies a dispatched interaction.
type Interaction struct {
	ID, Token string
}

// Invoker is who acts, and where. An empty GuildID means a DM.
type Invoker struct {
	UserID, Username   string
	GuildID, ChannelID string
	// Permissions is the member's permission bit set in the channel
	// (e.g. 1<<5 Manage Server); Roles are the member's role IDs.
	Permissions int64
	Roles       []string
}

// Option is a slash command option as Discord sends it. Type is Discord's
// option type: 1 sub-command, 3 string, 4 integer, 5 boolean, 11 attachment.
type Option struct {
	Name    string
	Type    int
	Value   any
	Focused bool
	Options []Option // for sub-commands
	File    *File    // for attachments (Type 11)
}

// File is an uploaded attachment served by the fake CDN.
type File struct {
	ID, Name, URL, ContentType string
	Size                       int
}

// Sub returns a sub-command option.
func Sub(name string, opts ...Option) Option { return Option{Name: name, Type: 1, Options: opts} }

// Group returns a sub-command group option holding one sub-command
// (/briefing feed add: Group("feed", Sub("add", ...))).
func Group(name string, sub Option) Option {
	return Option{Name: name, Type: 2, Options: []Option{sub}}
}

// Int returns an integer option.
func Int(name string, v int64) Option { return Option{Name: name, Type: 4, Value: v} }

// Str returns a string option.
func Str(name, v string) Option { return Option{Name: name, Type: 3, Value: v} }

// Bool returns a boolean option.
func Bool(name string, v bool) Option { return Option{Name: name, Type: 5, Value: v} }

// Focused returns the string option being typed, for autocomplete.
func Focused(name, typed string) Option {
	return Option{Name: name, Type: 3, Value: typed, Focused: true}
}

// Attach uploads data to the fake CDN and returns the attachment option.
func (s *Server) Attach(option, filename, contentType string, data []byte) Option {
	f := &File{ID: s.NewID(), Name: filename, ContentType: contentType, Size: len(data)}
	f.URL = s.AddFile(f.ID+"/"+filename, data)
	return Option{Name: option, Type: 11, Value: f.ID, File: f}
}

// SlashCommand dispatches an APPLICATION_COMMAND interaction.
func (s *Server) SlashCommand(by Invoker, command string, opts ...Option) Interaction {
	if !s.mayInvoke(by, command) {
		return Interaction{}
	}
	return s.dispatchInteraction(by, 2, s.commandData(command, opts), nil)
}

// Autocomplete dispatches an APPLICATION_COMMAND_AUTOCOMPLETE interaction;
// one option (possibly inside a sub-command) should be Focused.
func (s *Server) Autocomplete(by Invoker, command string, opts ...Option) Interaction {
	if !s.mayInvoke(by, command) {
		return Interaction{}
	}
	return s.dispatchInteraction(by, 4, s.commandData(command, opts), nil)
}

// Click dispatches a MESSAGE_COMPONENT interaction for a button with
// customID on a stored message.
func (s *Server) Click(by Invoker, messageID, customID string) Interaction {
	s.mu.Lock()
	// A copy: the stored message may be edited while the event is encoded.
	msg := copyMap(s.messages[messageID])
	s.mu.Unlock()
	if !toMessage(msg).HasButton(customID) {
		s.t.Errorf("click on %q: message %s has no such button (Discord sends only the custom_id of a button shown)", customID, messageID)
		return Interaction{}
	}
	data := map[string]any{"custom_id": customID, "component_type": 2}
	return s.dispatchInteraction(by, 3, data, msg)
}

func (s *Server) commandData(command string, opts []Option) map[string]any {
	resolved := map[string]any{}
	data := map[string]any{"id": s.NewID(), "name": command, "type": 1, "options": encodeOptions(opts, resolved)}
	if len(resolved) > 0 {
		data["resolved"] = map[string]any{"attachments": resolved}
	}
	return data
}

func encodeOptions(opts []Option, resolved map[string]any) []map[string]any {
	out := []map[string]any{}
	for _, o := range opts {
		m := map[string]any{"name": o.Name, "type": o.Type}
		if o.Type == 1 || o.Type == 2 {
			m["options"] = encodeOptions(o.Options, resolved)
		} else {
			m["value"] = o.Value
		}
		if o.Focused {
			m["focused"] = true
		}
		if f := o.File; f != nil {
			resolved[f.ID] = map[string]any{"id": f.ID, "filename": f.Name, "size": f.Size,
				"url": f.URL, "proxy_url": f.URL, "content_type": f.ContentType}
		}
		out = append(out, m)
	}
	return out
}

func (by Invoker) user() map[string]any {
	name := by.Username
	if name == "" {
		name = "user" + by.UserID
	}
	return map[string]any{"id": by.UserID, "username": name, "discriminator": "0"}
}

func (s *Server) dispatchInteraction(by Invoker, typ int, data map[string]any, msg map[string]any) Interaction {
	in := &interaction{id: s.NewID(), token: randomToken(), channelID: by.ChannelID, guildID: by.GuildID}
	payload := map[string]any{
		"id": in.id, "application_id": s.opts.AppID, "type": typ, "data": data,
		"channel_id": by.ChannelID, "token": in.token, "version": 1, "locale": "en-US",
		"app_permissions": "274877991936",
	}
	if by.GuildID != "" {
		roles := by.Roles
		if roles == nil {
			roles = []string{}
		}
		payload["guild_id"] = by.GuildID
		payload["member"] = map[string]any{"user": by.user(), "roles": roles,
			"permissions": strconv.FormatInt(by.Permissions, 10), "joined_at": "2024-01-01T00:00:00Z"}
	} else {
		payload["user"] = by.user()
	}
	if msg != nil {
		payload["message"] = msg
		in.componentMessage, _ = msg["id"].(string)
	}
	s.mu.Lock()
	in.dispatched = s.nowLocked()
	s.inters[in.token] = in
	s.mu.Unlock()
	s.Dispatch("INTERACTION_CREATE", payload)
	return Interaction{ID: in.id, Token: in.token}
}

// PostMessage stores a message by a user and dispatches MESSAGE_CREATE as
// the bot's intents let it see the message (see delivered).
// Each of mentions (user IDs, typically the bot's) is written as <@id> at
// the start of the content and listed in the message's mentions, as the
// Discord client does. It returns the message ID.
func (s *Server) PostMessage(by Invoker, content string, mentions ...string) string {
	var ms []any
	var prefix strings.Builder
	for _, id := range mentions {
		prefix.WriteString("<@" + id + "> ")
		u := map[string]any{"id": id, "username": "user" + id}
		if id == s.opts.BotID {
			u = s.botUser()
		}
		ms = append(ms, u)
	}
	if ms == nil {
		ms = []any{}
	}
	s.mu.Lock()
	msg := map[string]any{
		"id": s.newIDLocked(), "channel_id": by.ChannelID, "author": by.user(),
		"content": prefix.String() + content, "mentions": ms, "embeds": []any{}, "components": []any{},
		"timestamp": s.nowLocked().UTC().Format(time.RFC3339Nano), "type": 0,
	}
	if by.GuildID != "" {
		msg["guild_id"] = by.GuildID
		msg["member"] = map[string]any{"roles": []string{}, "joined_at": "2024-01-01T00:00:00Z"}
	}
	s.storeLocked(msg)
	s.notifyLocked()
	event := copyMap(msg) // encoded after the lock is released
	s.mu.Unlock()
	if d, ok := s.delivered(event); ok {
		s.Dispatch("MESSAGE_CREATE", d)
	}
	return event["id"].(string)
}

// copyMap deep-copies a stored message through JSON, so that it can be
// read without the fake's lock.
func copyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	raw, _ := json.Marshal(m)
	var out map[string]any
	json.Unmarshal(raw, &out)
	return out
}

func randomToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return "itok-" + hex.EncodeToString(b)
}
