//! Procedures: versioned rows, each effective from a date; the version that applies on a day is
//! the latest one effective by then (`is_current` only flags the latest stored one). Search runs
//! on a folded shadow column (diacritics removed, `đ`→`d`) so it behaves the same on SQLite and
//! PostgreSQL.

use motcua_domain::catalog::Procedure;
use motcua_domain::text::{collate, fold};
use serde::Serialize;
use sqlx::Row;
use time::Date;

use crate::{Result, Store, StoreError, format_date, today_vn};

/// Catalog filter.
#[derive(Debug, Clone, Default)]
pub struct ProcedureQuery {
    pub q: Option<String>,
    pub field: Option<String>,
    pub level: Option<String>,
}

/// One stored version of a procedure: when it applies from, which decision published it, and
/// its status (`published` outside any decision, `new`, `amended`, or `abolished`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    pub version: i64,
    /// `YYYY-MM-DD`; `0001-01-01` for versions stored before decisions existed.
    pub effective_from: String,
    pub decision: Option<String>,
    pub status: String,
}

/// Status of the marker version that abolishes a procedure.
pub const ABOLISHED: &str = "abolished";

impl Store {
    /// Stores a new version of a procedure (validated by the caller), effective from `from`
    /// (the caller's today). Returns the version number given.
    pub async fn put_procedure(&self, p: &Procedure, from: Date) -> Result<i64> {
        let mut tx = crate::begin_write(&self.pool).await?;
        let version = insert_version(&mut tx, p, &format_date(from), None, "published").await?;
        tx.commit().await?;
        Ok(version)
    }

    /// The version of a procedure that applies today (UTC+7); `NotFound` when unknown or abolished.
    pub async fn procedure(&self, code: &str) -> Result<Procedure> {
        self.procedure_at(code, today_vn()).await
    }

    /// The version that applies on `date`: the latest one effective on or before it. `NotFound`
    /// when there is none or it abolishes the procedure.
    pub async fn procedure_at(&self, code: &str, date: Date) -> Result<Procedure> {
        let row = sqlx::query(
            "SELECT data, status FROM procedures WHERE code = $1 AND effective_from <= $2 ORDER BY version DESC LIMIT 1",
        )
        .bind(code)
        .bind(format_date(date))
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        if row.try_get::<String, _>("status")? == ABOLISHED {
            return Err(StoreError::NotFound);
        }
        parse(&row.try_get::<String, _>("data")?)
    }

    /// The version row that applies on `date`, abolition markers included.
    pub async fn version_at(&self, code: &str, date: Date) -> Result<VersionInfo> {
        let day = format_date(date);
        let versions = self.versions(code).await?;
        versions.into_iter().rev().find(|v| v.effective_from <= day).ok_or(StoreError::NotFound)
    }

    /// Every stored version of a procedure, oldest first.
    pub async fn versions(&self, code: &str) -> Result<Vec<VersionInfo>> {
        let rows = sqlx::query(
            "SELECT version, effective_from, decision, status FROM procedures WHERE code = $1 ORDER BY version",
        )
        .bind(code)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(VersionInfo {
                    version: r.try_get("version")?,
                    effective_from: r.try_get("effective_from")?,
                    decision: r.try_get("decision")?,
                    status: r.try_get("status")?,
                })
            })
            .collect()
    }

    /// A given version of a procedure (the one a dossier was received under).
    pub async fn procedure_version(&self, code: &str, version: i64) -> Result<Procedure> {
        let data: Option<String> = sqlx::query_scalar("SELECT data FROM procedures WHERE code = $1 AND version = $2")
            .bind(code)
            .bind(version)
            .fetch_optional(&self.pool)
            .await?;
        parse(&data.ok_or(StoreError::NotFound)?)
    }

    /// Current procedures matching the filter, by name. Every word of `q` must appear (folded).
    pub async fn procedures(&self, f: &ProcedureQuery) -> Result<Vec<Procedure>> {
        let rows = sqlx::query(
            "SELECT code, name, status, data, search_folded, field, level FROM procedures \
             WHERE effective_from <= $1 ORDER BY code, version DESC",
        )
        .bind(format_date(today_vn()))
        .fetch_all(&self.pool)
        .await?;
        let words: Vec<String> =
            f.q.as_deref()
                .map(fold)
                .unwrap_or_default()
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect();
        let mut out = Vec::new();
        let mut last_code = String::new();
        for r in rows {
            let code: String = r.try_get("code")?;
            if code == last_code {
                continue; // an older version of a procedure already decided
            }
            last_code = code;
            if r.try_get::<String, _>("status")? == ABOLISHED {
                continue;
            }
            let folded: String = r.try_get("search_folded")?;
            let field: String = r.try_get("field")?;
            let level: String = r.try_get("level")?;
            if !words.iter().all(|w| folded.contains(w.as_str())) {
                continue;
            }
            if f.field.as_ref().is_some_and(|x| fold(x) != fold(&field))
                || f.level.as_ref().is_some_and(|x| *x != level)
            {
                continue;
            }
            out.push((r.try_get::<String, _>("name")?, parse(&r.try_get::<String, _>("data")?)?));
        }
        // Vietnamese alphabetical order, not byte order ("Cấp" before "Chứng", "Đ" after "D").
        out.sort_by(|a, b| collate(&a.0, &b.0).then_with(|| a.1.code.cmp(&b.1.code)));
        Ok(out.into_iter().map(|(_, p)| p).collect())
    }

    /// The latest name of every procedure ever stored (abolished ones included: old dossiers and
    /// indicators still name them), by code.
    pub async fn procedure_names(&self) -> Result<Vec<(String, String)>> {
        let rows =
            sqlx::query("SELECT code, name FROM procedures ORDER BY code, version").fetch_all(&self.pool).await?;
        let mut out: Vec<(String, String)> = Vec::new();
        for r in rows {
            let (code, name): (String, String) = (r.try_get("code")?, r.try_get("name")?);
            match out.last_mut() {
                Some(last) if last.0 == code => last.1 = name,
                _ => out.push((code, name)),
            }
        }
        Ok(out)
    }

    /// Distinct fields (lĩnh vực) of current procedures.
    pub async fn fields(&self) -> Result<Vec<String>> {
        let mut fields: Vec<String> =
            self.procedures(&ProcedureQuery::default()).await?.into_iter().map(|p| p.field).collect();
        fields.sort_by(|a, b| collate(a, b));
        fields.dedup();
        Ok(fields)
    }
}

/// Inserts the next version of `p` and flags it as the latest stored one. Returns its number.
pub(crate) async fn insert_version(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    p: &Procedure,
    effective_from: &str,
    decision: Option<&str>,
    status: &str,
) -> Result<i64> {
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM procedures WHERE code = $1")
        .bind(p.code.to_string())
        .fetch_one(&mut **tx)
        .await?;
    let version = last.unwrap_or(0) + 1;
    let mut p = p.clone();
    p.version = version;
    let data = serde_json::to_string(&p).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    sqlx::query("UPDATE procedures SET is_current = 0 WHERE code = $1")
        .bind(p.code.to_string())
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO procedures (code, version, name, search_folded, field, level, agency, online_level, is_current, data, \
         effective_from, decision, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $11, $12)",
    )
    .bind(p.code.to_string())
    .bind(version)
    .bind(p.name.clone())
    .bind(format!("{} {} {}", fold(&p.name), p.code, fold(&p.field)))
    .bind(p.field.clone())
    .bind(p.level.as_str())
    .bind(p.agency.clone())
    .bind(p.online_level.as_str())
    .bind(data)
    .bind(effective_from.to_owned())
    .bind(decision.map(str::to_owned))
    .bind(status.to_owned())
    .execute(&mut **tx)
    .await?;
    Ok(version)
}

pub(crate) fn parse(data: &str) -> Result<Procedure> {
    serde_json::from_str(data).map_err(|e| StoreError::Corrupt(format!("procedure: {e}")))
}
