-- Electronic office (NĐ 30/2020/NĐ-CP): each unit's incoming and outgoing document registers.
-- `documents` is the projection (JSON in `data`, motcua_domain::office::Document) with the
-- columns the registers filter and sort on; `document_events` its append-only history;
-- `document_registers` the number sequences per unit, direction and year (taken inside the
-- transaction that records the document, never reused); `document_traces` the per-organ status
-- lines of the edXML exchange. Attachments are rows of `files` whose dossier_code holds the
-- document id (kind = 'office').
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    unit TEXT NOT NULL,
    -- incoming | outgoing
    direction TEXT NOT NULL,
    status TEXT NOT NULL,
    register_year BIGINT,
    register_number BIGINT,
    -- "123/UBND-VP"
    number_notation TEXT NOT NULL,
    document_type TEXT NOT NULL,
    subject TEXT NOT NULL,
    sender_organ_id TEXT,
    sender_name TEXT,
    assignee TEXT,
    handling_due TEXT,
    dossier_code TEXT,
    -- when it entered the register: registration (incoming), issue or else creation (outgoing)
    entered_at TEXT NOT NULL,
    -- folded (diacritics-free, lower-case) subject, number/notation, type, organs, content
    search_folded TEXT NOT NULL,
    -- edXML DocumentId "{senderOrgId},{yyyy/MM/dd},{number}/{notation}"
    external_id TEXT,
    -- SHA-256 of the canonical edXML package this document was registered from
    package_digest TEXT,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- NULLs are distinct in both databases: drafts (no number) and paper documents (no package) coexist.
CREATE UNIQUE INDEX IF NOT EXISTS documents_register_number ON documents (unit, direction, register_year, register_number);
CREATE UNIQUE INDEX IF NOT EXISTS documents_package ON documents (unit, package_digest);
CREATE INDEX IF NOT EXISTS documents_unit_entered ON documents (unit, direction, entered_at);
CREATE INDEX IF NOT EXISTS documents_assignee ON documents (assignee, status);
CREATE INDEX IF NOT EXISTS documents_dossier ON documents (dossier_code);
CREATE INDEX IF NOT EXISTS documents_external ON documents (external_id);

CREATE TABLE IF NOT EXISTS document_registers (
    unit TEXT NOT NULL,
    direction TEXT NOT NULL,
    year BIGINT NOT NULL,
    last_number BIGINT NOT NULL,
    PRIMARY KEY (unit, direction, year)
);

CREATE TABLE IF NOT EXISTS document_events (
    document_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    -- the event, JSON (motcua_domain::office::Event)
    data TEXT NOT NULL,
    PRIMARY KEY (document_id, seq)
);

CREATE TABLE IF NOT EXISTS document_traces (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL,
    organ_id TEXT NOT NULL,
    -- queued | sent | failed | an edXML StatusCode (01–06, 13, 15, 16)
    status_code TEXT NOT NULL,
    description TEXT,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS document_traces_document ON document_traces (document_id, at);
