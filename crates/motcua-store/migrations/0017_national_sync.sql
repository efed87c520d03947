-- Issue 15: every dossier is synced to the national public-service portal (DVCQG). One row per
-- dossier: the version the portal should have (`wanted_version`, set in the transaction that
-- appends the dossier's events) and the last version it acknowledged (`acked_version`). A row is
-- due while they differ; the sync worker claims it with a lease, sends the record rebuilt from
-- the events, and records the portal's answer. Retries back off like the outbox's.
CREATE TABLE national_sync (
    dossier_code TEXT PRIMARY KEY,
    wanted_version BIGINT NOT NULL,
    acked_version BIGINT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    lease_owner TEXT,
    lease_until TEXT,
    last_error TEXT,
    first_acked_at TEXT,
    acked_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX national_sync_due ON national_sync (state, next_attempt_at);
