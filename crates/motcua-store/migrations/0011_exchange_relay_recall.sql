-- Issue 7 (docs/EXCHANGE.md): relaying, recall/update/replace (status 13/15/16, business types
-- 1–3) and XML digital signatures.
--
-- edxml_packages gains:
-- - `business_type` (BussinessDocType 0 new, 1 revoke, 2 update, 3 replace) and `concerns`, the
--   DocumentId of the earlier document a 1/2/3 package is about;
-- - `recall`: the open question about the package and its answer — NULL (none), 'requested'
--   (a recall 13, or an update/replacement waiting for the receiver), 'accepted' (15),
--   'refused' (16);
-- - `signer`: for a signed incoming package, the verified signer ("sha256-fingerprint subject");
--   `signer_trusted` 1 when that certificate is in edxml_trusted_signers at arrival.
-- Direction 'relay' rows are packages this system forwards for organs hosted elsewhere.
ALTER TABLE edxml_packages ADD COLUMN business_type INTEGER NOT NULL DEFAULT 0;
ALTER TABLE edxml_packages ADD COLUMN concerns TEXT;
ALTER TABLE edxml_packages ADD COLUMN recall TEXT;
ALTER TABLE edxml_packages ADD COLUMN signer TEXT;
ALTER TABLE edxml_packages ADD COLUMN signer_trusted INTEGER NOT NULL DEFAULT 0;
-- Certificates whose XML-DSig signatures this system trusts (SHA-256 of the DER, lowercase hex).
CREATE TABLE IF NOT EXISTS edxml_trusted_signers (
    fingerprint TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
