-- Queue tickets (lấy số thứ tự), counter groups and counters (domain.md §11; NĐ 61/2018 Art. 13).
-- Instants are RFC 3339 UTC text like everywhere else; `day` is the local (UTC+7) date the
-- ticket numbers restart on.

-- A counter group of a one-stop: its letter, its priority rule and the priority calls made in a
-- row (updated in the same transaction as each call; the row is also the call lock).
CREATE TABLE queue_groups (
    code TEXT PRIMARY KEY,
    unit TEXT NOT NULL,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    max_priority_run BIGINT NOT NULL,
    priority_run BIGINT NOT NULL DEFAULT 0,
    data TEXT NOT NULL
);
CREATE INDEX queue_groups_unit ON queue_groups (unit, code);

CREATE TABLE queue_counters (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    group_code TEXT NOT NULL,
    unit TEXT NOT NULL
);
CREATE INDEX queue_counters_unit ON queue_counters (unit, id);

-- The number sequence of a group for a local day.
CREATE TABLE queue_seq (
    group_code TEXT NOT NULL,
    day TEXT NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (group_code, day)
);

CREATE TABLE queue_tickets (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL,
    day TEXT NOT NULL,
    unit TEXT NOT NULL,
    group_code TEXT NOT NULL,
    priority TEXT,
    issued_at TEXT NOT NULL,
    state TEXT NOT NULL,
    counter_id TEXT,
    officer TEXT,
    called_at TEXT,
    last_called_at TEXT,
    done_at TEXT,
    calls BIGINT NOT NULL DEFAULT 0,
    transferred_from TEXT,
    dossier_code TEXT,
    rating_token_hash TEXT,
    rating_token_expires TEXT
);
CREATE INDEX queue_tickets_waiting ON queue_tickets (group_code, state, issued_at);
CREATE INDEX queue_tickets_day ON queue_tickets (unit, day, last_called_at);
CREATE INDEX queue_tickets_dossier ON queue_tickets (dossier_code);
