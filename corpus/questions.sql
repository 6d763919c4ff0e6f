-- Questions put to the bot and what it answered, so that a team can see what
-- its briefings don't cover (refused questions) and review answers readers
-- voted down. An answer's vote buttons carry its question's id.
CREATE TABLE IF NOT EXISTS questions (
    id         INTEGER PRIMARY KEY,
    scope      TEXT    NOT NULL DEFAULT '',   -- guild ID; '' in DMs
    user_id    TEXT    NOT NULL DEFAULT '',
    question   TEXT    NOT NULL,
    answer     TEXT    NOT NULL,
    refused    INTEGER NOT NULL DEFAULT 0,
    at         TEXT    NOT NULL                -- RFC 3339, UTC
);
CREATE INDEX IF NOT EXISTS questions_at ON questions (scope, at);

-- Per-server settings changed by the server's admins in Discord.
CREATE TABLE IF NOT EXISTS guild_settings (
    scope TEXT NOT NULL,
    key   TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;
