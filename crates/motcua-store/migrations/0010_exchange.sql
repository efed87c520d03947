-- Issue 7 (parts 3–5): edXML exchange between agencies (docs/EXCHANGE.md).
--
-- edxml_peers: where packages go, by organ-id pattern (exact id, an ancestor id such as the
-- province's level-1 code 'H08', or '*' for the central axis), with the credential WE present.
CREATE TABLE IF NOT EXISTS edxml_peers (
    pattern TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    token TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- Credentials peers present to POST /api/v1/edxml/inbox: only the SHA-256 is stored (like users'
-- API tokens).
CREATE TABLE IF NOT EXISTS edxml_peer_tokens (
    token_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- Every package sent ('out') or registered ('in'). `idem` is the SHA-256 of the canonical XML
-- without trace headers (hops append them), so a repeat delivery of the same package to the
-- same unit is registered once. `state` is the furthest delivery state (motcua_domain::exchange
-- ::trace). `dossier` links a liên thông package to the local dossier code.
CREATE TABLE IF NOT EXISTS edxml_packages (
    id TEXT PRIMARY KEY,
    direction TEXT NOT NULL,
    unit TEXT NOT NULL,
    idem TEXT NOT NULL,
    document_id TEXT NOT NULL,
    from_organ TEXT NOT NULL,
    to_organs TEXT NOT NULL,
    subject TEXT NOT NULL,
    xml TEXT NOT NULL,
    state TEXT NOT NULL,
    dossier TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (direction, unit, idem)
);
CREATE INDEX IF NOT EXISTS edxml_packages_document ON edxml_packages (document_id, direction);
-- The trace: one row per event (queued, sent, failed, a status message 01–06/02…), never
-- rewritten. `dedup` (UNIQUE when set) drops a status message delivered twice.
CREATE TABLE IF NOT EXISTS edxml_traces (
    id TEXT PRIMARY KEY,
    package_id TEXT NOT NULL,
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    organ_id TEXT,
    description TEXT,
    dedup TEXT UNIQUE
);
CREATE INDEX IF NOT EXISTS edxml_traces_package ON edxml_traces (package_id, at);
