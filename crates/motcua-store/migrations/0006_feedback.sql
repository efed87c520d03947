-- Citizen feedback (phản ánh, kiến nghị): one projection row per item, the append-only history,
-- and the per-center answer limit. Attachments are rows of `files` whose dossier_code holds the
-- feedback code (kind = 'feedback').
CREATE TABLE IF NOT EXISTS feedback (
    code TEXT PRIMARY KEY,
    center TEXT NOT NULL,
    unit TEXT,
    status TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    category TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    -- the running time limit (NULL once final), for alerts and queues
    current_due TEXT,
    published_at TEXT,
    -- folded (diacritics-free, lower-case) public title, content and answer, for search;
    -- filled only once published
    public_folded TEXT,
    version BIGINT NOT NULL,
    -- the whole projection, JSON (motcua_domain::feedback::Feedback)
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_unit_status ON feedback (unit, status);
CREATE INDEX IF NOT EXISTS feedback_status_due ON feedback (status, current_due);
CREATE INDEX IF NOT EXISTS feedback_submitted ON feedback (submitted_at);
CREATE INDEX IF NOT EXISTS feedback_published ON feedback (published_at);

CREATE TABLE IF NOT EXISTS feedback_events (
    code TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    -- the event, JSON (motcua_domain::feedback::Event)
    data TEXT NOT NULL,
    PRIMARY KEY (code, seq)
);

-- One vote per voter (a random cookie or client id, hashed) per published answer.
CREATE TABLE IF NOT EXISTS feedback_votes (
    code TEXT NOT NULL,
    voter_hash TEXT NOT NULL,
    liked BIGINT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (code, voter_hash)
);
