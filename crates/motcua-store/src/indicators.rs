//! Basic indicator counts over the dossier projection: received, online, finished, and the
//! early / on-time / late split frozen at each dossier's finish (the domain's one
//! classification). Unfinished dossiers past due at the period end count as late (domain.md
//! Decisions 6); one waiting for supplementation is judged by the domain's `classify`. The full
//! Decision 766 engine with rollups builds on this.

use motcua_domain::dossier::Dossier;
use motcua_domain::dossier::timeliness::{Timeliness, classify};
use serde::Serialize;
use sqlx::Row;

use crate::{Result, Store, StoreError, parse_ts};

/// Counts for one scope and period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    pub received: i64,
    pub online: i64,
    pub finished: i64,
    pub early: i64,
    pub on_time: i64,
    pub late: i64,
}

impl Store {
    /// Counts dossiers received in `[from, to)` (RFC 3339 UTC bounds) whose receiving or resolving
    /// unit is in `units` (all units when `None`).
    pub async fn counts(&self, units: Option<&[String]>, from: &str, to: &str) -> Result<Counts> {
        // A dossier waiting for the citizen's supplementation is judged by the domain (its clock
        // stands still at the request): those few rows are classified below, not in SQL.
        let mut scope = String::from("received_at >= $1 AND received_at < $2");
        if let Some(units) = units {
            let list: Vec<String> = (0..units.len()).map(|i| format!("${}", i + 3)).collect();
            let list = list.join(", ");
            scope.push_str(&format!(" AND (resolving_unit IN ({list}) OR receiving_unit IN ({list}))"));
        }
        let sql = format!(
            "SELECT COUNT(*) AS received, \
             CAST(COALESCE(SUM(CASE WHEN channel = 'online' THEN 1 ELSE 0 END), 0) AS BIGINT) AS online, \
             CAST(COALESCE(SUM(CASE WHEN finished_at IS NOT NULL AND finished_at < $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS finished, \
             CAST(COALESCE(SUM(CASE WHEN finished_at < $2 AND timeliness = 'early' THEN 1 ELSE 0 END), 0) AS BIGINT) AS early, \
             CAST(COALESCE(SUM(CASE WHEN finished_at < $2 AND timeliness = 'on_time' THEN 1 ELSE 0 END), 0) AS BIGINT) AS on_time, \
             CAST(COALESCE(SUM(CASE WHEN (finished_at < $2 AND timeliness = 'late') \
                  OR ((finished_at IS NULL OR finished_at >= $2) AND due_at < $2 AND status <> 'supplement_requested') \
                  THEN 1 ELSE 0 END), 0) AS BIGINT) AS late \
             FROM dossiers WHERE {scope}"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(from.to_owned()).bind(to.to_owned());
        for u in units.unwrap_or_default() {
            q = q.bind(u.clone());
        }
        let r = q.fetch_one(&self.pool).await?;
        let mut counts = Counts {
            received: r.try_get("received")?,
            online: r.try_get("online")?,
            finished: r.try_get("finished")?,
            early: r.try_get("early")?,
            on_time: r.try_get("on_time")?,
            late: r.try_get("late")?,
        };
        let paused =
            format!("SELECT state FROM dossiers WHERE {scope} AND status = 'supplement_requested' AND due_at < $2");
        let mut q =
            sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(paused)).bind(from.to_owned()).bind(to.to_owned());
        for u in units.unwrap_or_default() {
            q = q.bind(u.clone());
        }
        let as_of = parse_ts(to).map_err(|e| StoreError::Corrupt(format!("period end '{to}': {e}")))?;
        for state in q.fetch_all(&self.pool).await? {
            let d: Dossier = serde_json::from_str(&state).map_err(|e| StoreError::Corrupt(format!("dossier: {e}")))?;
            if classify(&d, as_of) == Some(Timeliness::Late) {
                counts.late += 1;
            }
        }
        Ok(counts)
    }
}
