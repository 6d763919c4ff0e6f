package discordtest

// Discord's answers to a reply whose message_reference it refuses
// (discord-api-docs resources/message.mdx, Create Message: "The referenced
// message must exist"; Replies: "The channel_id and guild_id will be the
// same as the reply"). The error codes are those of Discord's Invalid Form
// Body answers as bots receive them.
const (
	refOtherChannel = "REPLIES_CANNOT_REFERENCE_OTHER_CHANNEL"
	refUnknown      = "MESSAGE_REFERENCE_UNKNOWN_MESSAGE"
)

// checkReferenceLocked applies Discord's rules to the message_reference of
// a message the bot creates in channelID; s.mu must be held. A reply
// (reference type 0 or unset) must point at a message of the same channel
// (a thread is a channel of its own): naming another channel is refused
// with 400 50035 "Cannot reply to a message in a different channel"; a
// message_id the channel does not hold (deleted, in another channel,
// ephemeral, or never sent) is refused with 400 50035 "Unknown message",
// unless fail_if_not_exists is false (it defaults to true), in which case
// the message is sent as a normal message without the reference. Forwards
// (type 1) are not modelled and pass as they are.
func (s *Server) checkReferenceLocked(channelID string, data map[string]any) (int, any) {
	ref, ok := data["message_reference"].(map[string]any)
	if !ok {
		return 0, nil
	}
	if t, _ := ref["type"].(float64); t == 1 {
		return 0, nil
	}
	if ch, _ := ref["channel_id"].(string); ch != "" && ch != channelID {
		return referenceError(refOtherChannel, "Cannot reply to a message in a different channel")
	}
	id, _ := ref["message_id"].(string)
	if msg, found := s.messages[id]; found && msg["channel_id"] == channelID && flagsOf(msg)&ephemeralFlag == 0 {
		ref["channel_id"] = channelID // always present in what Discord returns
		return 0, nil
	}
	if fail, set := ref["fail_if_not_exists"].(bool); set && !fail {
		delete(data, "message_reference")
		return 0, nil
	}
	return referenceError(refUnknown, "Unknown message")
}

// referenceError is Discord's 400 Invalid Form Body naming
// message_reference.
func referenceError(code, msg string) (int, any) {
	e := errBody(50035, "Invalid Form Body")
	e.Errors = map[string]any{"message_reference": map[string]any{
		"_errors": []any{map[string]any{"code": code, "message": msg}},
	}}
	return 400, e
}

// DeleteMessage deletes a message as its author would, and tells the bot
// with MESSAGE_DELETE. A reply to it is then refused as Unknown message,
// unless the reply's fail_if_not_exists is false.
func (s *Server) DeleteMessage(id string) {
	s.mu.Lock()
	msg, ok := s.messages[id]
	if !ok {
		s.mu.Unlock()
		s.t.Fatalf("delete unknown message %s", id)
	}
	delete(s.messages, id)
	s.notifyLocked()
	event := map[string]any{"id": id, "channel_id": msg["channel_id"]}
	if g, ok := msg["guild_id"]; ok {
		event["guild_id"] = g
	}
	s.mu.Unlock()
	s.Dispatch("MESSAGE_DELETE", event)
}
