-- Issue 13: one write path for every record with a history. Feedback, office documents and every
-- record kind added later keep their events in ONE append-only, hash-chained log (the same chain
-- rule as dossier_events: hash = SHA-256(prev_hash || canonical text), see src/records.rs) and
-- one head row per record (its optimistic version and the hash of its last event). The kind's
-- own table (feedback, documents, ...) stays its query projection, rebuilt from these events.
CREATE TABLE IF NOT EXISTS record_events (
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    occurred_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    -- the canonical text {"event","kind","record","seq"} that the hash covers
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (kind, record_id, seq)
);

CREATE TABLE IF NOT EXISTS record_heads (
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    PRIMARY KEY (kind, record_id)
);

-- The per-kind histories written before this migration had no hash chain. They are kept under
-- these names until the Rust step that runs right after the migrations (records::adopt_legacy)
-- has moved each one into record_events with its chain, completing the events that did not yet
-- carry what a decision had computed (feedback deadlines, a document's edXML id) from the
-- projection that held it; the moved rows are then deleted from these tables.
ALTER TABLE feedback_events RENAME TO legacy_feedback_events;
ALTER TABLE document_events RENAME TO legacy_document_events;
