-- Issue 16 item 4: electronic results are signed by their unit's key. The public keys are kept
-- here by key id (the SHA-256 of the key's SubjectPublicKeyInfo), written when a key first signs,
-- so that a result stays verifiable after its unit's key is replaced.
CREATE TABLE result_keys (
    key_id TEXT PRIMARY KEY,
    unit TEXT NOT NULL,
    public_pem TEXT NOT NULL,
    first_used_at TEXT NOT NULL
);
