-- The durable store. Articles are keyed by (scope, id): each Discord server
-- has its own namespace, global articles ("" scope) are seen by all.
CREATE TABLE IF NOT EXISTS articles (
    pk           INTEGER PRIMARY KEY,
    id           TEXT    NOT NULL,
    scope        TEXT    NOT NULL DEFAULT '',
    title        TEXT    NOT NULL DEFAULT '',
    source       TEXT    NOT NULL DEFAULT '',
    url          TEXT    NOT NULL DEFAULT '',
    published    TEXT    NOT NULL DEFAULT '',  -- YYYY-MM-DD or ''
    date_guessed INTEGER NOT NULL DEFAULT 0,
    body         TEXT    NOT NULL,
    added_at     TEXT    NOT NULL,             -- RFC 3339, UTC
    added_by     TEXT    NOT NULL DEFAULT '',
    hash         TEXT    NOT NULL,
    -- where the article was read from (a file's absolute path, a URL), to
    -- tell a new version of the same file from another article that
    -- happens to get the same ID; '' when unknown. Added by migrate to
    -- stores made before it existed.
    origin       TEXT    NOT NULL DEFAULT '',
    UNIQUE (scope, id)
);
CREATE INDEX IF NOT EXISTS articles_hash ON articles (hash);

-- Passages are byte ranges of their article's body; the text is not stored
-- twice. hash = sha256 of the passage text, the key of its embedding.
CREATE TABLE IF NOT EXISTS passages (
    article_pk INTEGER NOT NULL REFERENCES articles (pk) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    heading    TEXT    NOT NULL DEFAULT '',
    start      INTEGER NOT NULL,
    end        INTEGER NOT NULL,
    hash       TEXT    NOT NULL,
    PRIMARY KEY (article_pk, seq)
) WITHOUT ROWID;
-- remove looks up whether any passage still uses a vector.
CREATE INDEX IF NOT EXISTS passages_hash ON passages (hash);

-- Embeddings are a cache keyed by embedder name and passage text hash:
-- identical text is embedded once, and a change of embedder re-embeds.
CREATE TABLE IF NOT EXISTS embeddings (
    embedder TEXT NOT NULL,
    hash     TEXT NOT NULL,
    vector   BLOB NOT NULL,                    -- little-endian float32
    PRIMARY KEY (embedder, hash)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Votes on answers (👍/👎 in Discord), kept with the question and answer so
-- that bad answers can be reviewed. One vote per user and answer.
CREATE TABLE IF NOT EXISTS votes (
    answer_id TEXT    NOT NULL,
    user_id   TEXT    NOT NULL,
    scope     TEXT    NOT NULL DEFAULT '',
    up        INTEGER NOT NULL,
    question  TEXT    NOT NULL,
    answer    TEXT    NOT NULL,
    at        TEXT    NOT NULL,
    PRIMARY KEY (answer_id, user_id)
);

-- Feeds (RSS or Atom) polled while `briefbot serve` runs. A feed belongs to
-- a scope like an article does; the same URL may be followed by several
-- servers. The poll state is kept for conditional requests and `feed list`.
CREATE TABLE IF NOT EXISTS feeds (
    id            INTEGER PRIMARY KEY,
    url           TEXT    NOT NULL,
    scope         TEXT    NOT NULL DEFAULT '',
    title         TEXT    NOT NULL DEFAULT '',
    etag          TEXT    NOT NULL DEFAULT '',
    last_modified TEXT    NOT NULL DEFAULT '',
    last_polled   TEXT    NOT NULL DEFAULT '',  -- RFC 3339, UTC, or '' before the first poll
    items_added   INTEGER NOT NULL DEFAULT 0,   -- by the last poll
    last_error    TEXT    NOT NULL DEFAULT '',
    UNIQUE (scope, url)
);

-- The item links each feed has handled (stored, or skipped as already
-- stored), so later polls skip them without fetching their pages.
CREATE TABLE IF NOT EXISTS feed_items (
    feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    url     TEXT    NOT NULL,
    PRIMARY KEY (feed_id, url)
) WITHOUT ROWID;

-- Feed items that could not be added, tried again after 1 h, 6 h and 24 h
-- and then given up (next_try '') so that a broken link costs a few
-- requests, not one per poll forever. A success deletes the row.
CREATE TABLE IF NOT EXISTS feed_failures (
    feed_id    INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    url        TEXT    NOT NULL,
    attempts   INTEGER NOT NULL,
    next_try   TEXT    NOT NULL DEFAULT '',  -- RFC 3339, UTC; '' once given up
    last_error TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (feed_id, url)
) WITHOUT ROWID;
