package bot

import (
	"log/slog"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// Permissions the bot needs in a channel.
const (
	// permAnswer is what replying to a message needs: seeing the channel,
	// sending, and reading history (a reply references an older message).
	permAnswer = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionReadMessageHistory
	// permAnswerThread is the same inside a thread.
	permAnswerThread = discordgo.PermissionViewChannel | discordgo.PermissionSendMessagesInThreads | discordgo.PermissionReadMessageHistory
	permReadHistory  = discordgo.PermissionViewChannel | discordgo.PermissionReadMessageHistory
	permReact        = discordgo.PermissionAddReactions | discordgo.PermissionReadMessageHistory
	permStartThread  = discordgo.PermissionCreatePublicThreads | discordgo.PermissionSendMessagesInThreads
)

// channelPerms computes the bot's permissions in a channel from the
// gateway state (the guild's roles, the bot's roles and the channel's
// overwrites; a thread takes its parent's), without a REST call. known is
// false when the state cannot tell (a DM, a channel not yet seen); the
// caller then tries and handles Discord's answer.
func (b *Bot) channelPerms(channelID string) (perms int64, thread, known bool) {
	st := b.s.State
	ch, err := st.Channel(channelID)
	if err != nil || ch.GuildID == "" {
		return 0, false, false
	}
	of := channelID
	if ch.IsThread() {
		of, thread = ch.ParentID, true
	}
	perms, err = st.UserChannelPermissions(b.self(), of)
	if err != nil {
		return 0, thread, false
	}
	return perms, thread, true
}

// can reports whether the bot holds every permission in need in a
// channel; when the state cannot tell, it assumes so.
func (b *Bot) can(channelID string, need int64) bool {
	perms, _, known := b.channelPerms(channelID)
	return !known || perms&need == need
}

// mayAnswer reports whether the bot can reply in a channel. When it
// cannot, the message is left alone before any work is done (no answer is
// computed, no request made that Discord would refuse: refused requests
// count toward Discord's invalid-request ban), and that is logged once per
// channel until the permissions come back.
func (b *Bot) mayAnswer(channelID string, log *slog.Logger) bool {
	perms, thread, known := b.channelPerms(channelID)
	need := int64(permAnswer)
	if thread {
		need = permAnswerThread
	}
	if !known || perms&need == need {
		b.denied.Delete(channelID)
		return true
	}
	if _, logged := b.denied.LoadOrStore(channelID, true); !logged {
		log.Warn("not answering in this channel: the bot lacks permissions there; grant them to its role or in the channel's settings",
			"channel", channelID, "missing", permNames(need&^perms))
	}
	return false
}

// permNames spells out permission bits for the log.
func permNames(bits int64) string {
	names := []struct {
		bit  int64
		name string
	}{
		{discordgo.PermissionViewChannel, "View Channel"},
		{discordgo.PermissionSendMessages, "Send Messages"},
		{discordgo.PermissionSendMessagesInThreads, "Send Messages in Threads"},
		{discordgo.PermissionReadMessageHistory, "Read Message History"},
		{discordgo.PermissionAddReactions, "Add Reactions"},
		{discordgo.PermissionCreatePublicThreads, "Create Public Threads"},
	}
	var out []string
	for _, n := range names {
		if bits&n.bit != 0 {
			out = append(out, n.name)
		}
	}
	return strings.Join(out, ", ")
}
