-- Where an article was read from (a file's absolute path, a URL), to tell
-- a newer version of the same file from another article that happens to
-- get the same ID; '' when unknown.
ALTER TABLE articles ADD COLUMN origin text NOT NULL DEFAULT '';

-- remove deletes the vectors no passage uses any more: it looks passages
-- up by hash. PostgreSQL's autovacuum gives the space back.
CREATE INDEX passages_hash ON passages (hash);

-- Vectors left behind by removals before they were pruned.
DELETE FROM embeddings e WHERE NOT EXISTS (SELECT 1 FROM passages p WHERE p.hash = e.hash);
