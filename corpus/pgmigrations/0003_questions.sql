-- Questions put to the bot and what it answered (see questions.sql for
-- SQLite), and per-server settings changed by admins in Discord.
CREATE TABLE questions (
    id       bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope    text    NOT NULL DEFAULT '',
    user_id  text    NOT NULL DEFAULT '',
    question text    NOT NULL,
    answer   text    NOT NULL,
    refused  boolean NOT NULL DEFAULT false,
    at       text    COLLATE "C" NOT NULL
);
CREATE INDEX questions_at ON questions (scope, at);

CREATE TABLE guild_settings (
    scope text NOT NULL,
    key   text NOT NULL,
    value text NOT NULL,
    PRIMARY KEY (scope, key)
);
