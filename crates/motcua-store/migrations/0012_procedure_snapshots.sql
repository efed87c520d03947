-- Procedure snapshots (issue 5, the 766 recompute at 10^7 dossiers): the process steps and fees a
-- create event freezes onto its dossier, stored once per distinct text and keyed by its SHA-256.
-- A create event row names its snapshot and keeps the rest of its canonical text; rows from
-- before this migration keep everything inline (snapshot NULL). See src/snapshots.rs.
CREATE TABLE IF NOT EXISTS procedure_snapshots (
    hash TEXT PRIMARY KEY,
    body TEXT NOT NULL
);

ALTER TABLE dossier_events ADD COLUMN snapshot TEXT;
