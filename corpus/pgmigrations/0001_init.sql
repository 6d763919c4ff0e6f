-- The PostgreSQL store: the same tables as schema.sql (SQLite), so that
-- every command behaves alike on both. Text that is sorted on is COLLATE
-- "C": byte order, as SQLite sorts, whatever the database's locale.
CREATE TABLE articles (
    pk           bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           text    COLLATE "C" NOT NULL,
    scope        text    COLLATE "C" NOT NULL DEFAULT '',
    title        text    NOT NULL DEFAULT '',
    source       text    NOT NULL DEFAULT '',
    url          text    NOT NULL DEFAULT '',
    published    text    COLLATE "C" NOT NULL DEFAULT '',  -- YYYY-MM-DD or ''
    date_guessed boolean NOT NULL DEFAULT false,
    body         text    NOT NULL,
    added_at     text    COLLATE "C" NOT NULL,             -- RFC 3339, UTC
    added_by     text    NOT NULL DEFAULT '',
    hash         text    NOT NULL,
    UNIQUE (scope, id)
);
CREATE INDEX articles_hash ON articles (hash);

-- Passages are byte ranges of their article's body; hash = sha256 of the
-- passage text, the key of its embedding.
CREATE TABLE passages (
    article_pk bigint  NOT NULL REFERENCES articles (pk) ON DELETE CASCADE,
    seq        integer NOT NULL,
    heading    text    NOT NULL DEFAULT '',
    start_at   integer NOT NULL,
    end_at     integer NOT NULL,
    hash       text    NOT NULL,
    PRIMARY KEY (article_pk, seq)
);

-- Embeddings, keyed by embedder and passage text hash: little-endian
-- float32, as in SQLite. A pgvector column would sit beside this one.
CREATE TABLE embeddings (
    embedder text  NOT NULL,
    hash     text  NOT NULL,
    vector   bytea NOT NULL,
    PRIMARY KEY (embedder, hash)
);

CREATE TABLE meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE votes (
    answer_id text    NOT NULL,
    user_id   text    NOT NULL,
    scope     text    NOT NULL DEFAULT '',
    up        boolean NOT NULL,
    question  text    NOT NULL,
    answer    text    NOT NULL,
    at        text    COLLATE "C" NOT NULL,
    PRIMARY KEY (answer_id, user_id)
);

CREATE TABLE feeds (
    id            bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url           text    NOT NULL,
    scope         text    NOT NULL DEFAULT '',
    title         text    NOT NULL DEFAULT '',
    etag          text    NOT NULL DEFAULT '',
    last_modified text    NOT NULL DEFAULT '',
    last_polled   text    NOT NULL DEFAULT '',
    items_added   integer NOT NULL DEFAULT 0,
    last_error    text    NOT NULL DEFAULT '',
    UNIQUE (scope, url)
);

CREATE TABLE feed_items (
    feed_id bigint NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    url     text   NOT NULL,
    PRIMARY KEY (feed_id, url)
);
