-- Issue 6 (parts 4–5): the transactional outbox for everything that leaves the system (e-mail,
-- SMS, later edXML deliveries), and officers' e-mail addresses for the daily digest.
--
-- A row is written in the same transaction as the fact it announces (a dossier event), under a
-- UNIQUE idempotency key, so a retried request or a second writer never enqueues it twice.
-- Dispatchers claim due rows by setting a lease (lease_owner, lease_until) with a guarded UPDATE;
-- only one claim of a row can succeed while its lease runs. `payload` is opaque text for the
-- sender of `kind`; `template` names the versioned template it was rendered from, if any.
-- `about` and `unit` say what the delivery is about (dossier code, unit), for the daily alerts.
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    payload TEXT NOT NULL,
    template TEXT,
    about TEXT,
    unit TEXT,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    lease_owner TEXT,
    lease_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS outbox_unit ON outbox (unit, status);

-- Officers' e-mail addresses (daily digest). A table of its own rather than a users column, so
-- rewriting an account (Store::put_user replaces the row) keeps its address.
CREATE TABLE IF NOT EXISTS officer_contacts (
    username TEXT PRIMARY KEY,
    email TEXT NOT NULL
);
