-- Issue 16 item 1: files are stored content-addressed. A blob is the bytes of a file, keyed by
-- their SHA-256, stored once however many files (a dossier's document, a store item, a result)
-- name them; `files` keeps what each file is (its owner, kind, name) and the hash of its bytes.
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    -- NULL when the bytes are in the object store (crate::blobs), under their hash.
    data BYTEA,
    -- Last stored or named: a blob no file names is collected only once this is old.
    touched_at TEXT NOT NULL
);
INSERT INTO blobs (sha256, size, content_type, data, touched_at)
SELECT f.sha256, f.size, f.content_type, f.data, f.created_at FROM files f
WHERE f.id = (SELECT MIN(g.id) FROM files g WHERE g.sha256 = f.sha256);
ALTER TABLE files DROP COLUMN data;
CREATE INDEX files_sha256 ON files (sha256);
