-- Core schema, portable between SQLite and PostgreSQL through sqlx Any:
-- instants are TEXT (RFC 3339 UTC, fixed width so text order = time order), flags SMALLINT,
-- money BIGINT đồng, ids TEXT.

CREATE TABLE IF NOT EXISTS units (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    parent TEXT,
    slug TEXT,
    organ_id TEXT,
    office_hours TEXT,
    code_template TEXT,
    valid_from TEXT,
    valid_to TEXT,
    successor TEXT,
    data TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    full_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    default_password SMALLINT NOT NULL,
    active SMALLINT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS user_roles (
    username TEXT NOT NULL,
    unit TEXT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (username, unit, role)
);

CREATE TABLE IF NOT EXISTS api_tokens (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS procedures (
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    search_folded TEXT NOT NULL,
    field TEXT NOT NULL,
    level TEXT NOT NULL,
    agency TEXT NOT NULL,
    online_level TEXT NOT NULL,
    is_current SMALLINT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (code, version)
);
CREATE INDEX IF NOT EXISTS procedures_current ON procedures (is_current, name);

CREATE TABLE IF NOT EXISTS holiday_announcements (
    year INTEGER PRIMARY KEY,
    data TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS dossier_seq (
    unit TEXT NOT NULL,
    day TEXT NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (unit, day)
);

CREATE TABLE IF NOT EXISTS dossiers (
    code TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    procedure_version BIGINT NOT NULL,
    receiving_unit TEXT NOT NULL,
    resolving_unit TEXT NOT NULL,
    holder_unit TEXT NOT NULL,
    status TEXT NOT NULL,
    channel TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    received_at TEXT,
    due_at TEXT,
    due_sort TEXT NOT NULL,
    finished_at TEXT,
    timeliness TEXT,
    version BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    state TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dossiers_inbox ON dossiers (holder_unit, due_sort, code);
CREATE INDEX IF NOT EXISTS dossiers_inbox_status ON dossiers (holder_unit, status, due_sort, code);
CREATE INDEX IF NOT EXISTS dossiers_received ON dossiers (resolving_unit, received_at);

CREATE TABLE IF NOT EXISTS dossier_events (
    dossier_code TEXT NOT NULL,
    seq BIGINT NOT NULL,
    occurred_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (dossier_code, seq)
);
