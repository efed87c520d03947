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
