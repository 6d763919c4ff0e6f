// Package bot is briefbot's Discord front end: slash commands (/ask,
// /briefings, /briefing, /help), @mentions and thread follow-ups, rendered
// from the structured answers of the rag engine. It is the only package that
// imports discordgo; the engine and the article store are reached through the
// small answerer and library interfaces declared here.
//
// Every message the bot sends carries allowed_mentions with an empty parse
// list, so neither article text nor model output can ping anyone.
package bot
