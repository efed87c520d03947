//! Signed electronic results (issue 16 item 4): the units' public keys by key id, and finding a
//! result by the SHA-256 of its file (what the public verification page is reached by).

use time::OffsetDateTime;

use crate::web::FileMeta;
use crate::{Result, Store, format_ts};

impl Store {
    /// Keeps `unit`'s public key `public_pem` under `key_id` (the first time it signs; later
    /// calls change nothing).
    pub async fn put_result_key(&self, key_id: &str, unit: &str, public_pem: &str, at: OffsetDateTime) -> Result<()> {
        let (key_id, unit, pem) = (key_id.to_owned(), unit.to_owned(), public_pem.to_owned());
        self.writer
            .transact(move |tx| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO result_keys (key_id, unit, public_pem, first_used_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (key_id) DO NOTHING",
                    )
                    .bind(key_id)
                    .bind(unit)
                    .bind(pem)
                    .bind(format_ts(at))
                    .execute(&mut **tx)
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    /// A public key kept by [`Store::put_result_key`]: (unit, PEM).
    pub async fn result_key(&self, key_id: &str) -> Result<Option<(String, String)>> {
        Ok(sqlx::query_as("SELECT unit, public_pem FROM result_keys WHERE key_id = $1")
            .bind(key_id.to_owned())
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The results whose file has the SHA-256 `sha256` (hex), oldest first (the same bytes
    /// issued twice are two results): each file's dossier code and meta, without the bytes.
    pub async fn results_with_hash(&self, sha256: &str) -> Result<Vec<FileMeta>> {
        let rows = sqlx::query(
            "SELECT id, dossier_code, kind, name, content_type, size, sha256 FROM files \
             WHERE sha256 = $1 AND kind = 'result' AND dossier_code IS NOT NULL ORDER BY created_at, id",
        )
        .bind(sha256.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(crate::web::meta).collect()
    }
}
