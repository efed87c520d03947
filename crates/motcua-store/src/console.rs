//! Reads behind the officer console and the administration pages: the projections of one inbox
//! page, open work per unit and status (the leader's overview), and the list of accounts.

use std::collections::BTreeMap;

use motcua_domain::dossier::{Dossier, Role, Status};
use motcua_domain::ids::UnitCode;
use sqlx::Row;
use time::OffsetDateTime;

use crate::users::User;
use crate::{Result, Store, StoreError, format_ts};

/// At most this many codes go into one `IN (...)` list.
const CODES_PER_QUERY: usize = 200;

/// Open dossiers of one status held by one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCount {
    pub unit: String,
    pub status: Status,
    pub count: i64,
    /// Of `count`, those whose appointment has passed while their clock runs.
    pub overdue: i64,
}

impl Store {
    /// The projections of `codes` (unknown codes are skipped), by code. One statement per 200
    /// codes through the primary key: an inbox page's details cost the same at 10^6 dossiers.
    pub async fn dossiers_by_code(&self, codes: &[String]) -> Result<Vec<Dossier>> {
        let mut out = Vec::with_capacity(codes.len());
        for chunk in codes.chunks(CODES_PER_QUERY) {
            let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!("SELECT code, state FROM dossiers WHERE code IN ({})", list.join(", "));
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for code in chunk {
                q = q.bind(code.clone());
            }
            for row in q.fetch_all(&self.pool).await? {
                let code: String = row.try_get("code")?;
                let state: String = row.try_get("state")?;
                let d: Dossier =
                    serde_json::from_str(&state).map_err(|e| StoreError::Corrupt(format!("dossier {code}: {e}")))?;
                out.push(d);
            }
        }
        out.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(out)
    }

    /// Open dossiers held by each of `units`, counted by status, with how many are overdue at
    /// `now`: received, in progress or waiting to be returned, and past their appointment (the
    /// same rule as the inbox colours; a dossier waiting for supplementation has no running
    /// clock). Reads only the `dossiers_inbox_status` index. Ordered by unit, then status.
    pub async fn counts_by_status(&self, units: &[String], now: OffsetDateTime) -> Result<Vec<StatusCount>> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (2..units.len() + 2).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT holder_unit, status, COUNT(*) AS n, \
             CAST(COALESCE(SUM(CASE WHEN due_sort < $1 AND status IN ('received', 'in_progress', 'result_ready') \
                  THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue \
             FROM dossiers WHERE holder_unit IN ({}) GROUP BY holder_unit, status",
            list.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(format_ts(now));
        for u in units {
            q = q.bind(u.clone());
        }
        let mut out = Vec::new();
        for row in q.fetch_all(&self.pool).await? {
            let status: String = row.try_get("status")?;
            out.push(StatusCount {
                unit: row.try_get("holder_unit")?,
                status: Status::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("status '{status}'")))?,
                count: row.try_get("n")?,
                overdue: row.try_get("overdue")?,
            });
        }
        // Sorted here: PostgreSQL's collation may ignore the dots in unit codes.
        out.sort_by(|a, b| (&a.unit, a.status.as_str()).cmp(&(&b.unit, b.status.as_str())));
        Ok(out)
    }

    /// Every account with its roles (by unit, then role name), ordered by username.
    pub async fn users(&self) -> Result<Vec<User>> {
        let mut roles: BTreeMap<String, Vec<(UnitCode, Role)>> = BTreeMap::new();
        for r in sqlx::query("SELECT username, unit, role FROM user_roles").fetch_all(&self.pool).await? {
            if let Some(g) = crate::users::grant(&r.try_get::<String, _>("unit")?, &r.try_get::<String, _>("role")?) {
                roles.entry(r.try_get("username")?).or_default().push(g);
            }
        }
        let rows = sqlx::query(
            "SELECT username, full_name, password_hash, default_password, must_change_password, active FROM users",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut users = rows
            .iter()
            .map(|row| {
                let username: String = row.try_get("username")?;
                let mut roles = roles.remove(&username).unwrap_or_default();
                roles.sort_by(|a, b| (&a.0, a.1.as_str()).cmp(&(&b.0, b.1.as_str())));
                Ok(User {
                    roles,
                    username,
                    full_name: row.try_get("full_name")?,
                    password_hash: row.try_get("password_hash")?,
                    default_password: row.try_get::<i16, _>("default_password")? != 0,
                    must_change_password: row.try_get::<i16, _>("must_change_password")? != 0,
                    active: row.try_get::<i16, _>("active")? != 0,
                })
            })
            .collect::<Result<Vec<User>>>()?;
        // Sorted here, byte-wise: PostgreSQL's collation may order dotted names differently.
        users.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(users)
    }
}
