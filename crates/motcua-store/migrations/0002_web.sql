-- Browser sessions (officers and anonymous citizens, for CSRF and language) and uploaded files.
CREATE TABLE IF NOT EXISTS web_sessions (
    id_hash TEXT PRIMARY KEY,
    username TEXT,
    csrf TEXT NOT NULL,
    lang TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- `data` is BYTEA on PostgreSQL; SQLite stores the bytes as a BLOB whatever the declared type.
CREATE TABLE IF NOT EXISTS files (
    id TEXT PRIMARY KEY,
    dossier_code TEXT,
    -- document (handed in by the applicant or scanned at the counter) | result (the e-result)
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BYTEA NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS files_dossier ON files (dossier_code);

-- Server-wide settings (e.g. the key that derives CSRF tokens), created on first use.
CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
