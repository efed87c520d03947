-- Issue 15 item 2: dossiers submitted on the national portal (DVCQG) come into the province's
-- intake. The dossier itself is created by the writer with the submission key
-- `dvcqg:<portal code>` (submission_keys), which makes a record received twice one dossier.
-- What is kept here: the records refused (one row per portal code, the last reason; no personal
-- data), and how far the scheduled pull has read the portal's list.
CREATE TABLE national_inbound_refusals (
    portal_code TEXT PRIMARY KEY,
    via TEXT NOT NULL,
    error TEXT NOT NULL,
    times BIGINT NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL
);
CREATE TABLE national_cursors (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- QĐ 766 row 1.4 (dossiers synced ÷ received, by reception month) from the portal's
-- acknowledgements: a dossier counts once, at the first acknowledgement of a version in which it
-- had been received, under its reception month and the indicator dimensions it had then.
ALTER TABLE national_sync ADD COLUMN counted_month TEXT;
CREATE TABLE national_sync_rollups (
    month TEXT NOT NULL,
    unit TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    field TEXT NOT NULL,
    level TEXT NOT NULL,
    synced BIGINT NOT NULL,
    PRIMARY KEY (month, unit, procedure_code, field, level)
);
