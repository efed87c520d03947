-- QĐ 766 indicators (domain.md §3). One rollup row per month, resolving unit, procedure, field
-- and level holding the additive monthly counters of motcua_domain::indicators::MonthRow (same
-- column names, same order); the writer adds each event's difference in the event's own
-- transaction, and `motcua recompute-indicators` rebuilds the table from the event log.
CREATE TABLE indicator_rollups (
    month TEXT NOT NULL,
    unit TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    field TEXT NOT NULL,
    level TEXT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    online BIGINT NOT NULL DEFAULT 0,
    online_766 BIGINT NOT NULL DEFAULT 0,
    paper_result BIGINT NOT NULL DEFAULT 0,
    result_digitized BIGINT NOT NULL DEFAULT 0,
    digitized_input BIGINT NOT NULL DEFAULT 0,
    digitized_both BIGINT NOT NULL DEFAULT 0,
    reused_data BIGINT NOT NULL DEFAULT 0,
    fee_bearing BIGINT NOT NULL DEFAULT 0,
    paid_online BIGINT NOT NULL DEFAULT 0,
    finished BIGINT NOT NULL DEFAULT 0,
    early BIGINT NOT NULL DEFAULT 0,
    on_time BIGINT NOT NULL DEFAULT 0,
    late BIGINT NOT NULL DEFAULT 0,
    multi_supplement BIGINT NOT NULL DEFAULT 0,
    extended BIGINT NOT NULL DEFAULT 0,
    rated BIGINT NOT NULL DEFAULT 0,
    satisfied BIGINT NOT NULL DEFAULT 0,
    disliked BIGINT NOT NULL DEFAULT 0,
    carried_in BIGINT NOT NULL DEFAULT 0,
    running_late BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, unit, procedure_code, field, level)
);
CREATE INDEX indicator_rollups_unit ON indicator_rollups (unit, month);
-- The first month that has not ended as far as the rollups know (YYYY-MM); one row.
CREATE TABLE indicator_horizon (
    id BIGINT PRIMARY KEY,
    open_month TEXT NOT NULL
);
-- Running dossiers judged at query time in the open month.
CREATE INDEX dossiers_running ON dossiers (due_at) WHERE finished_at IS NULL;
-- Monthly public disclosures: immutable snapshots, corrected only by a new revision.
CREATE TABLE disclosures (
    month TEXT NOT NULL,
    revision BIGINT NOT NULL,
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL,
    note TEXT NOT NULL,
    body TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (month, revision)
);
