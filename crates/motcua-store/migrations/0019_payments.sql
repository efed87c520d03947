-- Issue 15 item 5: online payment of a dossier's fees. A payment is a record with a history
-- (record_events, kind 'payment'); this table is its query projection. The transaction id is
-- unique per provider: a platform's transaction pays one payment only.
CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    dossier_code TEXT NOT NULL,
    unit TEXT NOT NULL,
    amount BIGINT NOT NULL,
    platform TEXT NOT NULL,
    provider TEXT NOT NULL,
    state TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    transaction_id TEXT,
    paid_at TEXT,
    receipt TEXT,
    refund_transaction TEXT,
    refunded_at TEXT,
    data TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX payments_dossier ON payments (dossier_code);
CREATE INDEX payments_paid_at ON payments (paid_at);
CREATE INDEX payments_state ON payments (state);
CREATE UNIQUE INDEX payments_transaction ON payments (provider, transaction_id);
-- Electronic receipts: the last number handed out in each series (one per unit and year).
CREATE TABLE receipt_series (
    series TEXT PRIMARY KEY,
    last_number BIGINT NOT NULL
);
