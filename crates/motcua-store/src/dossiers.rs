//! Dossier reads: one dossier, its history, and the inbox (keyset-paginated by due date).

use motcua_domain::dossier::event::Event;
use motcua_domain::dossier::{Dossier, Status};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError};

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
        let rows = sqlx::query("SELECT seq, payload, hash FROM dossier_events WHERE dossier_code = $1 ORDER BY seq")
            .bind(code)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let payload: String = r.try_get("payload")?;
                let event = motcua_domain::audit::parse_canonical(&payload)
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
        const COLS: &str =
            "SELECT code, procedure_code, status, holder_unit, received_at, due_at, due_sort, version FROM dossiers";
        let due_before = q.due_before.clone().unwrap_or_else(|| "9999-12-31T23:59:59Z~".to_owned());
        let (c_due, c_code) = q.cursor.clone().unwrap_or_default();
        let mut all = Vec::new();
        for unit in &q.units {
            // Four fixed query texts (status filter × cursor), each an index range scan.
            let mut sql = format!("{COLS} WHERE holder_unit = $1 AND due_sort < $2");
            let mut n = 2;
            if q.status.is_some() {
                n += 1;
                sql.push_str(&format!(" AND status = ${n}"));
            }
            if q.cursor.is_some() {
                sql.push_str(&format!(" AND (due_sort, code) > (${}, ${})", n + 1, n + 2));
                n += 2;
            }
            sql.push_str(&format!(" ORDER BY due_sort, code LIMIT ${}", n + 1));
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(unit.clone()).bind(due_before.clone());
            if let Some(s) = q.status {
                query = query.bind(s.as_str());
            }
            if q.cursor.is_some() {
                query = query.bind(c_due.clone()).bind(c_code.clone());
            }
            query = query.bind(q.limit);
            for r in query.fetch_all(&self.pool).await? {
                all.push(inbox_row(&r)?);
            }
        }
        all.sort_by(|a, b| (&a.due_sort, &a.code).cmp(&(&b.due_sort, &b.code)));
        all.truncate(usize::try_from(q.limit).unwrap_or(0));
        Ok(all)
    }
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
    })
}
