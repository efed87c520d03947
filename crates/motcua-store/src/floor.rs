//! The raw-write floor for the benchmarks: the same rows a transition writes (one event INSERT,
//! one projection UPDATE), committed in batches like the writer's group commit, but without
//! HTTP, JSON decoding or domain rules. The ratio API rate ÷ floor shows what the rest costs.

use sqlx::Row;

use crate::{Result, Store, StoreError, snapshots};

impl Store {
    /// Appends `rows` synthetic events to a scratch copy of an existing dossier, `batch` per
    /// transaction, then removes the scratch rows.
    pub async fn raw_append_floor(&self, rows: u64, batch: u64) -> Result<()> {
        let template = sqlx::query(
            "SELECT d.state, e.payload, e.snapshot, s.body AS snapshot_body FROM dossiers d \
             JOIN dossier_events e ON e.dossier_code = d.code \
             LEFT JOIN procedure_snapshots s ON s.hash = e.snapshot LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::Corrupt("seed the database first (motcua seed-bench)".into()))?;
        let state: String = template.try_get("state")?;
        let payload: String = template.try_get("payload")?;
        let snapshot: Option<String> = template.try_get("snapshot")?;
        let body: Option<String> = template.try_get("snapshot_body")?;
        // The synthetic rows carry the full canonical text, as an inline event would.
        let payload = snapshots::canonical_text(&payload, snapshot.as_deref(), body.as_deref())?.into_owned();
        let code = "RAW-FLOOR";
        self.cleanup_floor(code).await?;
        sqlx::query(
            "INSERT INTO dossiers (code, secret_hash, procedure_code, procedure_version, receiving_unit, resolving_unit, holder_unit, \
             status, channel, submitted_at, due_sort, version, last_hash, state) \
             VALUES ($1, '', '', 1, '', '', '', 'in_progress', 'counter', '', '', 0, '', $2)",
        )
        .bind(code)
        .bind(state.clone())
        .execute(&self.pool)
        .await?;
        let mut version = 0i64;
        while (version as u64) < rows {
            let mut tx = crate::begin_write(&self.pool).await?;
            for _ in 0..batch.min(rows - version as u64) {
                let hash = format!("{version:064}");
                sqlx::query(
                    "INSERT INTO dossier_events (dossier_code, seq, occurred_at, actor, action, payload, prev_hash, hash) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(code)
                .bind(version + 1)
                .bind("2026-01-01T00:00:00Z")
                .bind("bench")
                .bind("supplement")
                .bind(payload.clone())
                .bind(hash.clone())
                .bind(hash.clone())
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE dossiers SET resolving_unit = $1, holder_unit = $2, status = $3, received_at = $4, due_at = $5, due_sort = $6, \
                     finished_at = $7, timeliness = $8, version = $9, last_hash = $10, state = $11 WHERE code = $12 AND version = $13",
                )
                .bind("A")
                .bind("A")
                .bind("in_progress")
                .bind(Some("2026-01-01T00:00:00Z"))
                .bind(Some("2026-01-02T00:00:00Z"))
                .bind("2026-01-02T00:00:00Z")
                .bind(None::<String>)
                .bind(None::<String>)
                .bind(version + 1)
                .bind(hash)
                .bind(state.clone())
                .bind(code)
                .bind(version)
                .execute(&mut *tx)
                .await?;
                version += 1;
            }
            tx.commit().await?;
        }
        self.cleanup_floor(code).await
    }

    async fn cleanup_floor(&self, code: &str) -> Result<()> {
        sqlx::query("DELETE FROM dossier_events WHERE dossier_code = $1").bind(code).execute(&self.pool).await?;
        sqlx::query("DELETE FROM dossiers WHERE code = $1").bind(code).execute(&self.pool).await?;
        Ok(())
    }
}
