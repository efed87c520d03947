-- Issue 14: a submission carries an idempotency key (the counter's reception form holds one), so
-- a refresh, a double click or a re-sent form never creates a second dossier. The key is kept
-- with the officer who used it and the dossier it created, written in the creation's transaction.
CREATE TABLE submission_keys (
    key TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    dossier_code TEXT NOT NULL,
    created_at TEXT NOT NULL
);
