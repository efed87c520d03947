//! Dossier reads: one dossier, its history, and the inbox (keyset-paginated by due date).

use motcua_domain::dossier::event::Event;
use motcua_domain::dossier::{Dossier, Status};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, snapshots};

/// A stored event with its chain fields.
#[derive(Debug, Clone, Serialize)]
pub struct StoredEvent {
    pub seq: i64,
    pub event: Event,
    pub hash: String,
}

/// One inbox line.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InboxRow {
    pub code: String,
    pub procedure_code: String,
    pub status: String,
    pub holder_unit: String,
    pub received_at: Option<String>,
    pub due_at: Option<String>,
    pub due_sort: String,
    pub version: i64,
    /// Earliest deadline of the dossier's running internal-process steps (RFC 3339), so the
    /// inbox can flag an overdue step of an on-time dossier (domain.md §6).
    pub step_due: Option<String>,
}

/// Inbox filter. `cursor` is `(due_sort, code)` of the last row of the previous page.
#[derive(Debug, Clone, Default)]
pub struct InboxQuery {
    pub units: Vec<String>,
    pub status: Option<Status>,
    pub due_before: Option<String>,
    pub cursor: Option<(String, String)>,
    pub limit: i64,
}

impl Store {
    /// A dossier's projection and its secret hash.
    pub async fn dossier(&self, code: &str) -> Result<(Dossier, String)> {
        let row = sqlx::query("SELECT state, secret_hash FROM dossiers WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        let row = row.ok_or(StoreError::NotFound)?;
        let state: String = row.try_get("state")?;
        let d = serde_json::from_str(&state).map_err(|e| StoreError::Corrupt(format!("dossier {code}: {e}")))?;
        Ok((d, row.try_get("secret_hash")?))
    }

    /// A dossier's events in order.
    pub async fn events(&self, code: &str) -> Result<Vec<StoredEvent>> {
        let sql = format!(
            "SELECT e.seq, e.payload, e.hash, e.snapshot, s.body AS snapshot_body FROM {} \
             WHERE e.dossier_code = $1 ORDER BY e.seq",
            snapshots::EVENTS_WITH_SNAPSHOT
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(code).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let payload: String = r.try_get("payload")?;
                let snapshot: Option<String> = r.try_get("snapshot")?;
                let body: Option<String> = r.try_get("snapshot_body")?;
                let text = snapshots::canonical_text(&payload, snapshot.as_deref(), body.as_deref())?;
                let event = motcua_domain::audit::parse_canonical(&text)
                    .map_err(|e| StoreError::Corrupt(format!("event of {code}: {e}")))?;
                Ok(StoredEvent { seq: r.try_get("seq")?, event, hash: r.try_get("hash")? })
            })
            .collect()
    }

    /// The dossiers waiting in `units`, soonest due first.
    ///
    /// One indexed range scan per unit (`dossiers_inbox[_status]`), merged here: each scan reads at
    /// most `limit` rows, so a page costs the same at 10^6 dossiers as at 10^3.
    pub async fn inbox(&self, q: &InboxQuery) -> Result<Vec<InboxRow>> {
        if q.units.is_empty() {
            return Ok(Vec::new());
        }
        let sql = inbox_sql(q.units.len(), q.status.is_some(), q.cursor.is_some());
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for unit in &q.units {
            query = query.bind(unit.clone());
        }
        query = query.bind(q.due_before.clone().unwrap_or_else(|| "9999-12-31T23:59:59Z~".to_owned()));
        if let Some(s) = q.status {
            query = query.bind(s.as_str());
        }
        if let Some((due, code)) = &q.cursor {
            query = query.bind(due.clone()).bind(code.clone());
        }
        query = query.bind(q.limit);
        query.fetch_all(&self.pool).await?.iter().map(inbox_row).collect()
    }
}

/// One statement for the whole inbox: per unit an index range scan on
/// `(holder_unit[, status], due_sort, code)` that stops after `limit` rows, merged by UNION ALL
/// and cut to `limit` again. Parameters: units `$1..$u`, then due_before, [status], [cursor due,
/// cursor code], limit.
fn inbox_sql(units: usize, status: bool, cursor: bool) -> String {
    let mut n = units + 1;
    let due_before = n;
    let status_p = status.then(|| {
        n += 1;
        n
    });
    let cursor_p = cursor.then(|| {
        n += 2;
        (n - 1, n)
    });
    let limit = n + 1;
    let parts: Vec<String> = (1..=units)
        .map(|u| {
            let mut w = format!("holder_unit = ${u} AND due_sort < ${due_before}");
            if let Some(p) = status_p {
                w.push_str(&format!(" AND status = ${p}"));
            }
            if let Some((d, c)) = cursor_p {
                w.push_str(&format!(" AND (due_sort, code) > (${d}, ${c})"));
            }
            format!(
                "SELECT * FROM (SELECT code, procedure_code, status, holder_unit, received_at, due_at, due_sort, version, \
                 step_due FROM dossiers WHERE {w} ORDER BY due_sort, code LIMIT ${limit}) AS u{u}"
            )
        })
        .collect();
    format!("{} ORDER BY due_sort, code LIMIT ${limit}", parts.join(" UNION ALL "))
}

fn inbox_row(r: &AnyRow) -> Result<InboxRow> {
    Ok(InboxRow {
        code: r.try_get("code")?,
        procedure_code: r.try_get("procedure_code")?,
        status: r.try_get("status")?,
        holder_unit: r.try_get("holder_unit")?,
        received_at: r.try_get("received_at")?,
        due_at: r.try_get("due_at")?,
        due_sort: r.try_get("due_sort")?,
        version: r.try_get("version")?,
        step_due: r.try_get("step_due")?,
    })
}
