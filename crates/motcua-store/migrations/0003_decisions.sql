-- Publication decisions (quyết định công bố) and effective-dated procedure versions.
-- Existing versions count as effective since always; `status` is published | new | amended | abolished.
ALTER TABLE procedures ADD COLUMN effective_from TEXT NOT NULL DEFAULT '0001-01-01';
ALTER TABLE procedures ADD COLUMN decision TEXT;
ALTER TABLE procedures ADD COLUMN status TEXT NOT NULL DEFAULT 'published';
CREATE INDEX IF NOT EXISTS procedures_effective ON procedures (code, effective_from);

CREATE TABLE IF NOT EXISTS decisions (
    number TEXT PRIMARY KEY,
    signed_on TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    signer TEXT NOT NULL,
    new_codes TEXT NOT NULL,
    amended_codes TEXT NOT NULL,
    abolished_codes TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
);
