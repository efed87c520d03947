//! What the national public-service portal (DVCQG) has of each dossier (issue 15 item 1).
//!
//! The writer tells the sync, once a batch committed, which version of each dossier the portal
//! should have ([`want_in`], in memory: the transition writes nothing for the sync); a sync worker
//! records those in one write per round and claims the dossiers whose acknowledged version is
//! behind ([`Store::claim_national`]), sends the record rebuilt from the events, and records
//! the answer. At start, and whenever memory held too much, it compares the dossiers with what
//! it knows instead ([`Store::reconcile_national`]). Like the outbox ([`crate::outbox`]): a claim is a guarded UPDATE with a lease, so
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
    /// The marks of the writer's batch under way, handed to [`Changes`] once it commits.
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

/// The batch's marks, taken once it committed (for [`Changes::publish`]).
pub(crate) fn take_marks() -> Vec<Mark> {
    BATCH_MARKS.try_with(|m| std::mem::take(&mut *m.borrow_mut())).unwrap_or_default()
}

/// The writer's hook: the portal should now have `version` of `code` (due at once). It writes
/// nothing: the mark is kept with the batch and reaches [`Changes`] after the commit.
///
/// Why nothing is written (issue 15, "transitions/s not lowered by the outbox writes"): the
/// event log already says, durably, which version the portal should have (the dossier row's
/// `version`); a mark row written in the transition's transaction cost 8 % of the transitions
/// (BENCHMARKS.md, 2026-12-08). The worker learns of a change from memory, and after a restart
/// (or when memory overflowed) from the log itself ([`Store::reconcile_national`]): nothing is
/// lost, only learnt later.
pub(crate) fn want_in(code: &str, version: i64, now: OffsetDateTime) {
    let mark = Mark { code: code.to_owned(), version, at: format_ts(now) };
    let _ = BATCH_MARKS.try_with(|m| m.borrow_mut().push(mark));
}

/// Dossiers changed since the sync last looked, as the writer committed them (latest version of
/// each), in memory. At most [`Changes::MAX_HELD`] dossiers: past that, the set is dropped and
/// the next claim compares the whole log with what the portal acknowledged instead (a province
/// working with no portal configured never grows it further).
#[derive(Debug, Default)]
pub(crate) struct Changes {
    held: std::sync::Mutex<ChangeSet>,
}

#[derive(Debug, Default)]
struct ChangeSet {
    latest: std::collections::HashMap<String, Mark>,
    overflowed: bool,
}

impl Changes {
    const MAX_HELD: usize = 50_000;

    /// A committed batch's marks.
    pub(crate) fn publish(&self, marks: Vec<Mark>) {
        if marks.is_empty() {
            return;
        }
        let mut set = self.held.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if set.overflowed {
            return;
        }
        for m in marks {
            match set.latest.get_mut(&m.code) {
                Some(old) if old.version >= m.version => {}
                Some(old) => *old = m,
                None => {
                    set.latest.insert(m.code.clone(), m);
                }
            }
        }
        if set.latest.len() > Self::MAX_HELD {
            set.latest = std::collections::HashMap::new();
            set.overflowed = true;
        }
    }

    /// Takes what is held: the marks, and whether some were dropped.
    fn take(&self) -> (Vec<Mark>, bool) {
        let mut set = self.held.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let taken = std::mem::take(&mut *set);
        let mut marks: Vec<Mark> = taken.latest.into_values().collect();
        marks.sort_by(|a, b| a.code.cmp(&b.code));
        (marks, taken.overflowed)
    }

    /// The version held for `code`, if any.
    fn held(&self, code: &str) -> Option<i64> {
        let set = self.held.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        set.latest.get(code).map(|m| m.version)
    }

    /// Marks taken but not written (the claim failed): the next claim reconciles.
    fn lost(&self) {
        let mut set = self.held.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        set.latest = std::collections::HashMap::new();
        set.overflowed = true;
    }
}

/// Records `marks` as due (a mark older than what the row wants changes nothing), in `tx`.
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
         next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at \
         WHERE excluded.wanted_version > national_sync.wanted_version",
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
    /// Compares every dossier with what the sync knows and marks those it does not know at
    /// their current version, due at `now`: dossiers written in bulk (an import from an earlier
    /// system, the demo's seeded history), dossiers changed while no sync ran, and changes the
    /// worker had not yet taken from memory when the process stopped. What a province does when
    /// it connects to the portal, and what every sync does when it starts. Answers how many.
    pub async fn reconcile_national(&self, now: OffsetDateTime) -> Result<u64> {
        let now = format_ts(now);
        let mut tx = crate::begin_write(&self.pool).await?;
        let res = sqlx::query(
            "INSERT INTO national_sync (dossier_code, wanted_version, acked_version, state, attempts, \
             next_attempt_at, updated_at) SELECT d.code, d.version, 0, 'pending', 0, $1, $1 FROM dossiers d \
             LEFT JOIN national_sync s ON s.dossier_code = d.code \
             WHERE s.dossier_code IS NULL OR s.wanted_version < d.version \
             ON CONFLICT (dossier_code) DO UPDATE SET wanted_version = excluded.wanted_version, state = 'pending', \
             next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at \
             WHERE excluded.wanted_version > national_sync.wanted_version",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(res.rows_affected())
    }

    /// Claims up to `limit` dossiers due at `now` for `owner` until `now + lease`: each is the
    /// (code, version wanted) to send. The changes the writer committed since the last claim are
    /// recorded first, in the same transaction (one write for the whole round, whatever the
    /// number of changes).
    pub async fn claim_national(
        &self,
        owner: &str,
        now: OffsetDateTime,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<(String, i64)>> {
        let (fresh, overflowed) = self.writer.changes.take();
        if overflowed && let Err(e) = self.reconcile_national(now).await {
            self.writer.changes.lost();
            return Err(e);
        }
        let claimed = self.claim_in(&fresh, owner, now, lease, limit).await;
        if claimed.is_err() {
            self.writer.changes.lost();
        }
        claimed
    }

    async fn claim_in(
        &self,
        fresh: &[Mark],
        owner: &str,
        now: OffsetDateTime,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<(String, i64)>> {
        let now_s = format_ts(now);
        let mut tx = crate::begin_write(&self.pool).await?;
        for chunk in fresh.chunks(500) {
            upsert_marks(&mut tx, chunk).await?;
        }
        let due: Vec<String> = sqlx::query_scalar(
            "SELECT dossier_code FROM national_sync WHERE state = 'pending' AND next_attempt_at <= $1 \
             AND (lease_until IS NULL OR lease_until <= $1) ORDER BY next_attempt_at, dossier_code LIMIT $2",
        )
        .bind(now_s.clone())
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let mut out = Vec::with_capacity(due.len());
        for chunk in due.chunks(500) {
            let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 4)).collect();
            // Only placeholders are formatted in; every value is bound. The guard repeats the
            // SELECT's: another instance on the same PostgreSQL may have claimed meanwhile.
            let sql = format!(
                "UPDATE national_sync SET lease_owner = $1, lease_until = $2 WHERE dossier_code IN ({}) \
                 AND state = 'pending' AND (lease_until IS NULL OR lease_until <= $3) \
                 RETURNING dossier_code, wanted_version",
                list.join(", ")
            );
            let mut q = sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(sql))
                .bind(owner.to_owned())
                .bind(format_ts(now + lease))
                .bind(now_s.clone());
            for code in chunk {
                q = q.bind(code.clone());
            }
            out.extend(q.fetch_all(&mut *tx).await?);
        }
        tx.commit().await?;
        out.sort();
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

    /// One dossier's sync state, if it has one, counting a change the sync has not recorded yet.
    pub async fn national_sync_state(&self, code: &str) -> Result<Option<SyncState>> {
        let row =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM national_sync WHERE dossier_code = $1")))
                .bind(code.to_owned())
                .fetch_optional(&self.pool)
                .await?;
        let mut s = row.as_ref().map(state).transpose()?;
        // A change the writer committed that the sync has not recorded yet.
        if let Some(v) = self.writer.changes.held(code) {
            match &mut s {
                Some(s) if s.wanted_version < v => {
                    s.wanted_version = v;
                    s.state = "pending".to_owned();
                }
                Some(_) => {}
                None => {
                    let now = format_ts(OffsetDateTime::now_utc());
                    s = Some(SyncState {
                        dossier_code: code.to_owned(),
                        wanted_version: v,
                        acked_version: 0,
                        state: "pending".to_owned(),
                        attempts: 0,
                        next_attempt_at: now.clone(),
                        last_error: None,
                        first_acked_at: None,
                        acked_at: None,
                        updated_at: now,
                    });
                }
            }
        }
        Ok(s)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(code: &str, version: i64) -> Mark {
        Mark { code: code.to_owned(), version, at: "2025-07-07T01:00:00Z".to_owned() }
    }

    #[test]
    fn the_latest_version_of_each_dossier_is_held_until_taken() {
        let c = Changes::default();
        c.publish(vec![mark("B", 2), mark("A", 1), mark("B", 3)]);
        c.publish(vec![mark("B", 2)]);
        assert_eq!(c.held("B"), Some(3));
        let (marks, overflowed) = c.take();
        let got: Vec<(String, i64)> = marks.into_iter().map(|m| (m.code, m.version)).collect();
        assert_eq!(got, vec![("A".to_owned(), 1), ("B".to_owned(), 3)]);
        assert!(!overflowed);
        assert!(c.take().0.is_empty(), "taken once");
    }

    #[test]
    fn too_many_changes_are_dropped_for_a_reconciliation() {
        let c = Changes::default();
        c.publish((0..=Changes::MAX_HELD).map(|i| mark(&i.to_string(), 1)).collect());
        c.publish(vec![mark("late", 1)]);
        let (marks, overflowed) = c.take();
        assert!(marks.is_empty() && overflowed);
        c.publish(vec![mark("A", 1)]);
        assert_eq!(c.take().0.len(), 1, "held again after the reconciliation was asked for");
        c.lost();
        assert!(c.take().1, "a failed claim asks for one too");
    }
}
