//! Procedures: versioned rows; the current version is flagged. Search runs on a folded shadow
//! column (diacritics removed, `đ`→`d`) so it behaves the same on SQLite and PostgreSQL.

use motcua_domain::catalog::Procedure;
use motcua_domain::text::fold;
use sqlx::Row;

use crate::{Result, Store, StoreError};

/// Catalog filter.
#[derive(Debug, Clone, Default)]
pub struct ProcedureQuery {
    pub q: Option<String>,
    pub field: Option<String>,
    pub level: Option<String>,
}

impl Store {
    /// Stores a new version of a procedure (validated by the caller) and makes it current.
    /// Returns the version number given.
    pub async fn put_procedure(&self, p: &Procedure) -> Result<i64> {
        let mut tx = self.pool.begin().await?;
        let last: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM procedures WHERE code = $1")
            .bind(p.code.clone())
            .fetch_one(&mut *tx)
            .await?;
        let version = last.unwrap_or(0) + 1;
        let mut p = p.clone();
        p.version = version;
        let data = serde_json::to_string(&p).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query("UPDATE procedures SET is_current = 0 WHERE code = $1")
            .bind(p.code.clone())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO procedures (code, version, name, search_folded, field, level, agency, online_level, is_current, data) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9)",
        )
        .bind(p.code.clone())
        .bind(version)
        .bind(p.name.clone())
        .bind(format!("{} {} {}", fold(&p.name), p.code, fold(&p.field)))
        .bind(p.field.clone())
        .bind(p.level.as_str())
        .bind(p.agency.clone())
        .bind(p.online_level.as_str())
        .bind(data)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// The current version of a procedure.
    pub async fn procedure(&self, code: &str) -> Result<Procedure> {
        let data: Option<String> = sqlx::query_scalar("SELECT data FROM procedures WHERE code = $1 AND is_current = 1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        parse(&data.ok_or(StoreError::NotFound)?)
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
            "SELECT data, search_folded, field, level FROM procedures WHERE is_current = 1 ORDER BY name, code",
        )
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
        for r in rows {
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
            out.push(parse(&r.try_get::<String, _>("data")?)?);
        }
        Ok(out)
    }

    /// Distinct fields (lĩnh vực) of current procedures.
    pub async fn fields(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT DISTINCT field FROM procedures WHERE is_current = 1 ORDER BY field")
            .fetch_all(&self.pool)
            .await?)
    }
}

fn parse(data: &str) -> Result<Procedure> {
    serde_json::from_str(data).map_err(|e| StoreError::Corrupt(format!("procedure: {e}")))
}
