// Package corpus owns the team's articles: parsing what users paste or upload
// (plain-text briefings, Markdown, JSON Lines), splitting bodies into passages
// that know their exact byte range, and the durable SQLite store that is the
// single source of truth for everything a user added.
//
// corpus imports no other package of this module: rag and bot build on it.
package corpus
