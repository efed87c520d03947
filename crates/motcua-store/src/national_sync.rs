//! What the national public-service portal (DVCQG) has of each dossier (issue 15 item 1).
//!
//! The writer records, in the transaction that appends a dossier's events, the version the
//! portal should have ([`want_in`]); a sync worker claims the dossiers whose acknowledged version
//! is behind ([`Store::claim_national`]), sends the record rebuilt from the events, and records
//! the answer. Like the outbox ([`crate::outbox`]): a claim is a guarded UPDATE with a lease, so
//! two workers never send the same dossier at once; an expired lease makes it claimable again
//! (at-least-once; the portal drops a version it already has by the idempotency key); failures
//! back off ([`backoff`]: the portal's scores are read daily, so a short outage must not delay a
//! dossier by hours) and end `failed` after [`MAX_ATTEMPTS`] or at once when the portal refuses
//! the record as invalid. A newer version makes a failed dossier due again:
//! the record is rebuilt in full, so it may now pass.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use time::{Duration, OffsetDateTime};

use motcua_domain::indicators::{RowKey, YearMonth};

use crate::{Result, Store, format_ts};

/// Attempts before a dossier's sync is given up as `failed` (about a day of retries).
pub const MAX_ATTEMPTS: i64 = 24;

/// Wait before attempt `attempts + 1` after `attempts` failures: 5, 10, 20 s … doubling, capped
/// at one hour.
pub fn backoff(attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 30) - 1).unwrap_or(0);
    Duration::seconds(5i64.saturating_mul(2i64.saturating_pow(exp)).min(3600))
}

/// One dossier's sync state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncState {
    pub dossier_code: String,
    /// The dossier's version the portal should have.
    pub wanted_version: i64,
    /// The last version the portal acknowledged (0: never).
    pub acked_version: i64,
    /// `pending` (due or waiting for a retry), `synced` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    /// The portal's answer or the transport's error of the last failed attempt (no personal data).
    pub last_error: Option<String>,
    pub first_acked_at: Option<String>,
    pub acked_at: Option<String>,
    pub updated_at: String,
}

const COLUMNS: &str = "dossier_code, wanted_version, acked_version, state, attempts, next_attempt_at, last_error, \
                       first_acked_at, acked_at, updated_at";

fn state(r: &AnyRow) -> Result<SyncState> {
    Ok(SyncState {
        dossier_code: r.try_get("dossier_code")?,
        wanted_version: r.try_get("wanted_version")?,
        acked_version: r.try_get("acked_version")?,
        state: r.try_get("state")?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        last_error: r.try_get("last_error")?,
        first_acked_at: r.try_get("first_acked_at")?,
        acked_at: r.try_get("acked_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// One mark: the portal should have `version` of `code`, due from `at`.
#[derive(Debug, Clone)]
pub(crate) struct Mark {
    code: String,
    version: i64,
    at: String,
}

tokio::task_local! {
    /// The marks of the writer's batch under way, written in one statement before it commits
    /// ([`write_marks`]): one UPSERT per batch instead of one per action (BENCHMARKS.md, issue
    /// 15: the per-action mark cost 6 % of the transitions).
    static BATCH_MARKS: std::cell::RefCell<Vec<Mark>>;
}

/// Runs the writer's batch `f` collecting its marks.
pub(crate) async fn collecting<F: Future>(f: F) -> F::Output {
    BATCH_MARKS.scope(std::cell::RefCell::new(Vec::new()), f).await
}

/// How many marks the batch holds (a savepoint's start), and dropping those after it (the
/// savepoint was rolled back).
pub(crate) fn marks_len() -> usize {
    BATCH_MARKS.try_with(|m| m.borrow().len()).unwrap_or(0)
}
pub(crate) fn forget_marks_after(len: usize) {
    let _ = BATCH_MARKS.try_with(|m| m.borrow_mut().truncate(len));
}

/// The writer's hook: the portal should now have `version` of `code` (due at once). Inside a
/// writer batch it is kept for [`write_marks`]; elsewhere written at once.
pub(crate) async fn want_in(
    tx: &mut Transaction<'static, Any>,
    code: &str,
    version: i64,
    now: OffsetDateTime,
) -> Result<()> {
    let mark = Mark { code: code.to_owned(), version, at: format_ts(now) };
    let kept = BATCH_MARKS.try_with(|m| m.borrow_mut().push(mark.clone())).is_ok();
    if kept { Ok(()) } else { upsert_marks(tx, &[mark]).await }
}

/// Writes the batch's marks (the last one of each dossier), in the batch's transaction.
pub(crate) async fn write_marks(tx: &mut Transaction<'static, Any>) -> Result<()> {
    let marks = BATCH_MARKS.try_with(|m| std::mem::take(&mut *m.borrow_mut())).unwrap_or_default();
    // One row per dossier: a statement may not update a row twice (PostgreSQL).
    let mut last: std::collections::HashMap<&str, &Mark> = std::collections::HashMap::new();
    for m in &marks {
        last.insert(m.code.as_str(), m);
    }
    let mut rows: Vec<Mark> = last.into_values().cloned().collect();
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    for chunk in rows.chunks(500) {
        upsert_marks(tx, chunk).await?;
    }
    Ok(())
}

async fn upsert_marks(tx: &mut Transaction<'static, Any>, marks: &[Mark]) -> Result<()> {
    if marks.is_empty() {
        return Ok(());
    }
    let values: Vec<String> = (0..marks.len())
        .map(|i| format!("(${}, ${}, 0, 'pending', 0, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3, 3 * i + 3))
        .collect();
    let sql = format!(
        "INSERT INTO national_sync (dossier_code, wanted_version, acked_version, state, attempts, next_attempt_at, \
         updated_at) VALUES {} \
         ON CONFLICT (dossier_code) DO UPDATE SET wanted_version = excluded.wanted_version, state = 'pending', \
         next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at",
        values.join(", ")
    );
    // Only placeholders are formatted in; every value is bound.
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for m in marks {
        q = q.bind(m.code.clone()).bind(m.version).bind(m.at.clone());
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// Counts for the officer page and QĐ 766 row 1.4 (dossiers synced ÷ received).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncCounts {
    /// Dossiers with a sync row (every dossier created or changed since the sync exists).
    pub tracked: i64,
    /// Acknowledged by the portal at least once.
    pub acknowledged: i64,
    /// The portal has the latest version.
    pub up_to_date: i64,
    /// Waiting to be sent or retried.
    pub pending: i64,
    /// Given up until the dossier changes again.
    pub failed: i64,
}

impl Store {
    /// Marks every dossier the portal has not been told of (dossiers written in bulk: an import
    /// from an earlier system, the demo's seeded history) for its first sync, at its current
    /// version: what a province does when it connects to the portal. Answers how many.
    pub async fn mark_all_national(&self, now: OffsetDateTime) -> Result<u64> {
        let res = sqlx::query(
            "INSERT INTO national_sync (dossier_code, wanted_version, acked_version, state, attempts, \
             next_attempt_at, updated_at) SELECT code, version, 0, 'pending', 0, $1, $1 FROM dossiers \
             WHERE NOT EXISTS (SELECT 1 FROM national_sync s WHERE s.dossier_code = dossiers.code)",
        )
        .bind(format_ts(now))
        .execute(&self.pool)
        .await?;
        Ok(res.rows_affected())
    }

    /// Claims up to `limit` dossiers due at `now` for `owner` until `now + lease`: each is the
    /// (code, version wanted) to send.
    pub async fn claim_national(
        &self,
        owner: &str,
        now: OffsetDateTime,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<(String, i64)>> {
        let now_s = format_ts(now);
        let due: Vec<String> = sqlx::query_scalar(
            "SELECT dossier_code FROM national_sync WHERE state = 'pending' AND next_attempt_at <= $1 \
             AND (lease_until IS NULL OR lease_until <= $1) ORDER BY next_attempt_at, dossier_code LIMIT $2",
        )
        .bind(now_s.clone())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(due.len());
        for code in due {
            let wanted: Option<i64> = sqlx::query_scalar(
                "UPDATE national_sync SET lease_owner = $1, lease_until = $2 WHERE dossier_code = $3 \
                 AND state = 'pending' AND (lease_until IS NULL OR lease_until <= $4) RETURNING wanted_version",
            )
            .bind(owner.to_owned())
            .bind(format_ts(now + lease))
            .bind(code.clone())
            .bind(now_s.clone())
            .fetch_optional(&self.pool)
            .await?;
            if let Some(v) = wanted {
                out.push((code, v));
            }
        }
        Ok(out)
    }

    /// The portal acknowledged `version` of `code`, which `owner` holds. The dossier stays due
    /// when it changed meanwhile. False when the lease was lost. `received` is the dossier's
    /// reception row in that version ([`motcua_domain::indicators::rollup::reception_key`]): the
    /// first acknowledgement of a received version counts it in QĐ 766 row 1.4
    /// ([`Store::national_synced`]), once, in the same transaction.
    pub async fn ack_national(
        &self,
        code: &str,
        version: i64,
        owner: &str,
        now: OffsetDateTime,
        received: Option<&RowKey>,
    ) -> Result<bool> {
        let acked = self.ack_national_many(owner, now, &[(code.to_owned(), version, received.cloned())]).await?;
        Ok(acked == 1)
    }

    /// [`Store::ack_national`] for a whole round of acknowledgements in one transaction (one
    /// write lock, one commit: the sync then barely competes with the dossier writer). Answers
    /// how many leases were still held.
    pub async fn ack_national_many(
        &self,
        owner: &str,
        now: OffsetDateTime,
        acks: &[(String, i64, Option<RowKey>)],
    ) -> Result<usize> {
        if acks.is_empty() {
            return Ok(0);
        }
        let now = format_ts(now);
        let mut tx = crate::begin_write(&self.pool).await?;
        let mut held = 0;
        for (code, version, received) in acks {
            if ack_in(&mut tx, code, *version, owner, &now, received.as_ref()).await? {
                held += 1;
            }
        }
        tx.commit().await?;
        Ok(held)
    }

    /// Received dossiers the portal acknowledged (QĐ 766 row 1.4's numerator), by reception month
    /// in `first..=last` within `scope`, grouped `by`.
    pub async fn national_synced(
        &self,
        scope: &crate::indicators::Scope,
        first: YearMonth,
        last: YearMonth,
        by: crate::indicators::By,
    ) -> Result<Vec<(String, i64)>> {
        let (filter, binds) = crate::indicators::scope_filter(scope, "unit", 3);
        let sql = format!(
            "SELECT {g} AS g, CAST(SUM(synced) AS BIGINT) AS n FROM national_sync_rollups \
             WHERE month >= $1 AND month <= $2{filter}{group}",
            g = by.column(),
            // The total is one group: no GROUP BY (PostgreSQL refuses a constant in it), and no
            // row at all when nothing counts.
            group = if by == crate::indicators::By::Total {
                " HAVING COUNT(*) > 0".to_owned()
            } else {
                format!(" GROUP BY {}", by.column())
            },
        );
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(first.to_string()).bind(last.to_string());
        for b in &binds {
            q = q.bind(b.clone());
        }
        Ok(q.fetch_all(&self.pool).await?)
    }

    /// A failed attempt on `code`, which `owner` holds: retried after [`backoff`], or `failed`
    /// after [`MAX_ATTEMPTS`] or at once when `permanent` (the portal refused the record).
    /// `error` must not hold personal data. False when the lease was lost.
    pub async fn fail_national(
        &self,
        code: &str,
        owner: &str,
        error: &str,
        permanent: bool,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let attempts: Option<i64> =
            sqlx::query_scalar("SELECT attempts FROM national_sync WHERE dossier_code = $1 AND lease_owner = $2")
                .bind(code.to_owned())
                .bind(owner.to_owned())
                .fetch_optional(&self.pool)
                .await?;
        let Some(attempts) = attempts else { return Ok(false) };
        let attempts = attempts + 1;
        let state = if permanent || attempts >= MAX_ATTEMPTS { "failed" } else { "pending" };
        let error: String = error.chars().take(500).collect();
        let res = sqlx::query(
            "UPDATE national_sync SET state = $1, attempts = $2, next_attempt_at = $3, last_error = $4, \
             updated_at = $5, lease_owner = NULL, lease_until = NULL WHERE dossier_code = $6 AND lease_owner = $7",
        )
        .bind(state)
        .bind(attempts)
        .bind(format_ts(now + backoff(attempts)))
        .bind(error)
        .bind(format_ts(now))
        .bind(code.to_owned())
        .bind(owner.to_owned())
        .execute(&self.pool)
        .await?;
        Ok(res.rows_affected() == 1)
    }

    /// One dossier's sync state, if it has one.
    pub async fn national_sync_state(&self, code: &str) -> Result<Option<SyncState>> {
        let row =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM national_sync WHERE dossier_code = $1")))
                .bind(code.to_owned())
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(state).transpose()
    }

    /// Dossiers that failed or are retrying after an error, most recent first.
    pub async fn national_sync_failures(&self, limit: i64) -> Result<Vec<SyncState>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM national_sync WHERE state = 'failed' OR last_error IS NOT NULL \
             ORDER BY updated_at DESC, dossier_code LIMIT $1"
        )))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(state).collect()
    }

    /// How many dossiers are tracked, acknowledged, up to date, pending and failed.
    pub async fn national_sync_counts(&self) -> Result<SyncCounts> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS tracked, \
             COALESCE(SUM(CASE WHEN acked_version > 0 THEN 1 ELSE 0 END), 0) AS acknowledged, \
             COALESCE(SUM(CASE WHEN state = 'synced' THEN 1 ELSE 0 END), 0) AS up_to_date, \
             COALESCE(SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), 0) AS pending, \
             COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0) AS failed FROM national_sync",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(SyncCounts {
            tracked: row.try_get("tracked")?,
            acknowledged: row.try_get("acknowledged")?,
            up_to_date: row.try_get("up_to_date")?,
            pending: row.try_get("pending")?,
            failed: row.try_get("failed")?,
        })
    }
}

/// One acknowledgement inside the caller's transaction; false when `owner` lost the lease.
async fn ack_in(
    tx: &mut Transaction<'static, Any>,
    code: &str,
    version: i64,
    owner: &str,
    now: &str,
    received: Option<&RowKey>,
) -> Result<bool> {
    let res = sqlx::query(
        "UPDATE national_sync SET acked_version = CASE WHEN acked_version > $1 THEN acked_version ELSE $1 END, \
         state = CASE WHEN wanted_version > $1 THEN 'pending' ELSE 'synced' END, attempts = 0, last_error = NULL, \
         first_acked_at = COALESCE(first_acked_at, $2), acked_at = $2, updated_at = $2, lease_owner = NULL, \
         lease_until = NULL WHERE dossier_code = $3 AND lease_owner = $4",
    )
    .bind(version)
    .bind(now.to_owned())
    .bind(code.to_owned())
    .bind(owner.to_owned())
    .execute(&mut **tx)
    .await?;
    if res.rows_affected() != 1 {
        return Ok(false);
    }
    if let Some(k) = received {
        let first = sqlx::query(
            "UPDATE national_sync SET counted_month = $1 WHERE dossier_code = $2 AND counted_month IS NULL",
        )
        .bind(k.month.to_string())
        .bind(code.to_owned())
        .execute(&mut **tx)
        .await?;
        if first.rows_affected() == 1 {
            sqlx::query(
                "INSERT INTO national_sync_rollups (month, unit, procedure_code, field, level, synced) \
                 VALUES ($1, $2, $3, $4, $5, 1) ON CONFLICT (month, unit, procedure_code, field, level) \
                 DO UPDATE SET synced = national_sync_rollups.synced + 1",
            )
            .bind(k.month.to_string())
            .bind(k.unit.clone())
            .bind(k.procedure_code.clone())
            .bind(k.field.clone())
            .bind(k.level.clone())
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(true)
}
