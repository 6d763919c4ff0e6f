package main

import (
	"errors"
	"flag"
	"strconv"
)

// guildFlag defines --guild on fs: a Discord server ID, or def when the
// flag is not given. The ID is checked while the flags are parsed, so a
// mistyped one (a server's name, a pasted mention) is a usage error before
// any store is opened or URL fetched, instead of an empty scope that
// silently matches nothing or files articles where no server sees them.
func guildFlag(fs *flag.FlagSet, def, usage string) *string {
	id := def
	fs.Func("guild", usage, func(v string) error {
		if !isSnowflake(v) {
			return errNotGuildID
		}
		id = v
		return nil
	})
	return &id
}

// errNotGuildID completes the flag package's `invalid value "x" for flag
// -guild:` with what to give instead.
var errNotGuildID = errors.New("want a Discord server ID, a number of 1 to 20 digits " +
	"(in Discord, with Developer Mode on, right-click the server and choose Copy Server ID)")

// isSnowflake reports whether s is a Discord ID: a decimal number that
// fits in 64 bits (17 to 20 digits today; any 1 to 20 are taken).
// strconv.ParseUint in base 10 takes only ASCII digits, no sign, no
// underscores.
func isSnowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}
