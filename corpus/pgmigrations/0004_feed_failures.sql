-- Feed items that could not be added (see the SQLite schema): tried again
-- after 1 h, 6 h and 24 h, then given up (next_try '').
CREATE TABLE feed_failures (
    feed_id    bigint  NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    url        text    NOT NULL,
    attempts   integer NOT NULL,
    next_try   text    NOT NULL DEFAULT '',
    last_error text    NOT NULL DEFAULT '',
    PRIMARY KEY (feed_id, url)
);
