//! Organisational units.

use motcua_domain::org::Unit;

use sqlx::{Any, Transaction};

use crate::{Result, Store, StoreError};

impl Store {
    /// Inserts or replaces a unit.
    pub async fn put_unit(&self, u: &Unit) -> Result<()> {
        let mut tx = crate::begin_write(&self.pool).await?;
        put_unit_in(&mut tx, u).await?;
        tx.commit().await?;
        Ok(())
    }
    /// All units, by code.
    pub async fn units(&self) -> Result<Vec<Unit>> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT data FROM units ORDER BY code").fetch_all(&self.pool).await?;
        rows.iter().map(|d| serde_json::from_str(d).map_err(|e| StoreError::Corrupt(format!("unit: {e}")))).collect()
    }

    /// One unit.
    pub async fn unit(&self, code: &str) -> Result<Unit> {
        let d: Option<String> =
            sqlx::query_scalar("SELECT data FROM units WHERE code = $1").bind(code).fetch_optional(&self.pool).await?;
        serde_json::from_str(&d.ok_or(StoreError::NotFound)?)
            .map_err(|e| StoreError::Corrupt(format!("unit {code}: {e}")))
    }
}

/// Inserts or replaces a unit inside `tx` (a restructure writes all its units in one transaction).
pub(crate) async fn put_unit_in(tx: &mut Transaction<'static, Any>, u: &Unit) -> Result<()> {
    let data = serde_json::to_string(u).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    sqlx::query("DELETE FROM units WHERE code = $1").bind(u.code.to_string()).execute(&mut **tx).await?;
    sqlx::query(
            "INSERT INTO units (code, name, kind, level, parent, slug, organ_id, office_hours, code_template, valid_from, valid_to, successor, data) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(u.code.to_string())
        .bind(u.name.clone())
        .bind(serde_json::to_value(u.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default())
        .bind(u.level.as_str())
        .bind(u.parent.clone())
        .bind(u.slug.clone())
        .bind(u.organ_id.clone())
        .bind(u.office_hours.clone())
        .bind(u.code_template.clone())
        .bind(u.valid_from.clone())
        .bind(u.valid_to.clone())
        .bind(u.successor.clone())
        .bind(data)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
