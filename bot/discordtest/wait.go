package discordtest

import "strings"

// The helpers below wait for what a user would see: an interaction's
// response, or the bot's reply to a message. They fail the test after the
// Options.WaitTimeout.

// AwaitResponse waits until a message of an interaction's response (the
// original, then the follow-ups in order) satisfies done, and returns them
// all.
func (s *Server) AwaitResponse(in Interaction, what string, done func(Message) bool) []Message {
	s.t.Helper()
	var all []Message
	s.Wait(s.opts.WaitTimeout, what, func() bool {
		m, ok := s.Original(in)
		if !ok {
			return false
		}
		all = append([]Message{m}, s.Followups(in)...)
		for _, m := range all {
			if done(m) {
				return true
			}
		}
		return false
	})
	return all
}

// AwaitReply waits for the bot's reply to a message (one referencing it)
// that satisfies done, and returns it.
func (s *Server) AwaitReply(channelID, messageID, what string, done func(Message) bool) Message {
	s.t.Helper()
	var got Message
	s.Wait(s.opts.WaitTimeout, what, func() bool {
		for _, m := range s.BotMessages(channelID) {
			if m.MessageReference != nil && m.MessageReference.MessageID == messageID && done(m) {
				got = m
				return true
			}
		}
		return false
	})
	return got
}

// BotMessages returns the bot's visible messages in a channel, oldest first.
func (s *Server) BotMessages(channelID string) []Message {
	var out []Message
	for _, m := range s.ChannelMessages(channelID) {
		if m.Author.ID == s.opts.BotID {
			out = append(out, m)
		}
	}
	return out
}

// HasText is a condition for the Await helpers: the content contains sub.
func HasText(sub string) func(Message) bool {
	return func(m Message) bool { return strings.Contains(m.Content, sub) }
}

// HasButton reports whether the message carries a button with customID.
func (m Message) HasButton(customID string) bool {
	for _, row := range m.Components {
		for _, c := range row.Components {
			if c.CustomID == customID {
				return true
			}
		}
	}
	return false
}
