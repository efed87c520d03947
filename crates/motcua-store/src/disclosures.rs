//! Monthly public disclosures of the QĐ 766 indicators (issue 5): each publication is an
//! immutable snapshot of one month, stored with the SHA-256 of its body. A correction is a new
//! revision of the same month, never an edit: this module has no update and no delete.

use motcua_domain::audit::sha256_hex;
use motcua_domain::indicators::YearMonth;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use crate::{Result, Store, StoreError, format_ts, parse_ts};

/// How often a publication retries when a concurrent publisher took the revision it computed.
const PUBLISH_ATTEMPTS: usize = 16;

/// What identifies and describes one published revision (everything but the body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureMeta {
    /// `YYYY-MM`.
    pub month: String,
    /// 1 for the first publication of the month, then 2, 3… for corrections.
    pub revision: i64,
    pub published_at: OffsetDateTime,
    /// Username of the publisher, or `system` for the month-end automation.
    pub published_by: String,
    /// Why it was published (the reason for a correction).
    pub note: String,
    /// Lowercase hex SHA-256 of the body as stored.
    pub sha256: String,
}

/// One revision with its snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    pub meta: DisclosureMeta,
    /// The snapshot, JSON text exactly as published.
    pub body: String,
}

const META_COLUMNS: &str = "month, revision, published_at, published_by, note, sha256";

fn meta(r: &AnyRow) -> Result<DisclosureMeta> {
    let published_at: String = r.try_get("published_at")?;
    Ok(DisclosureMeta {
        month: r.try_get("month")?,
        revision: r.try_get("revision")?,
        published_at: parse_ts(&published_at)
            .map_err(|e| StoreError::Corrupt(format!("disclosure time '{published_at}': {e}")))?,
        published_by: r.try_get("published_by")?,
        note: r.try_get("note")?,
        sha256: r.try_get("sha256")?,
    })
}

impl Store {
    /// Publishes `body` (JSON text) as the next revision of `month`: the latest revision + 1, or 1.
    /// The revision is computed and inserted by one statement; when a concurrent publisher took
    /// the same number first, the publication retries with the next one, and answers
    /// [`StoreError::Conflict`] only if it keeps losing.
    pub async fn publish_disclosure(
        &self,
        month: YearMonth,
        published_by: &str,
        note: &str,
        body: &str,
        at: OffsetDateTime,
    ) -> Result<DisclosureMeta> {
        let month = month.to_string();
        let sha256 = sha256_hex(&[body.as_bytes()]);
        let published_at = format_ts(at);
        for _ in 0..PUBLISH_ATTEMPTS {
            // `WHERE` before `ON CONFLICT` also keeps SQLite's INSERT … SELECT unambiguous.
            let revision: Option<i64> = sqlx::query_scalar(
                "INSERT INTO disclosures (month, revision, published_at, published_by, note, body, sha256) \
                 SELECT $1, COALESCE(MAX(revision), 0) + 1, $2, $3, $4, $5, $6 FROM disclosures WHERE month = $1 \
                 ON CONFLICT (month, revision) DO NOTHING RETURNING revision",
            )
            .bind(month.clone())
            .bind(published_at.clone())
            .bind(published_by.to_owned())
            .bind(note.to_owned())
            .bind(body.to_owned())
            .bind(sha256.clone())
            .fetch_optional(&self.pool)
            .await?;
            if let Some(revision) = revision {
                return Ok(DisclosureMeta {
                    month,
                    revision,
                    published_at: parse_ts(&published_at)
                        .map_err(|e| StoreError::Corrupt(format!("disclosure time '{published_at}': {e}")))?,
                    published_by: published_by.to_owned(),
                    note: note.to_owned(),
                    sha256,
                });
            }
            tokio::task::yield_now().await;
        }
        let current = self.disclosure_revisions(&month).await?.last().map(|m| m.revision).unwrap_or(0);
        Err(StoreError::Conflict { current })
    }

    /// Every published revision of every month (no bodies): newest month first, and within a
    /// month the newest revision first.
    pub async fn disclosures(&self) -> Result<Vec<DisclosureMeta>> {
        let sql = format!("SELECT {META_COLUMNS} FROM disclosures ORDER BY month DESC, revision DESC");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
        rows.iter().map(meta).collect()
    }

    /// The revisions of one month (no bodies), oldest first; empty when nothing was published.
    pub async fn disclosure_revisions(&self, month: &str) -> Result<Vec<DisclosureMeta>> {
        let sql = format!("SELECT {META_COLUMNS} FROM disclosures WHERE month = $1 ORDER BY revision");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(month.to_owned()).fetch_all(&self.pool).await?;
        rows.iter().map(meta).collect()
    }

    /// One revision of `month` with its body: the given one, or the latest. [`StoreError::NotFound`]
    /// when the month (or that revision) was never published.
    pub async fn disclosure(&self, month: &str, revision: Option<i64>) -> Result<Disclosure> {
        let row = match revision {
            Some(n) => {
                let sql = format!("SELECT {META_COLUMNS}, body FROM disclosures WHERE month = $1 AND revision = $2");
                sqlx::query(sqlx::AssertSqlSafe(sql)).bind(month.to_owned()).bind(n).fetch_optional(&self.pool).await?
            }
            None => {
                let sql = format!(
                    "SELECT {META_COLUMNS}, body FROM disclosures WHERE month = $1 ORDER BY revision DESC LIMIT 1"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql)).bind(month.to_owned()).fetch_optional(&self.pool).await?
            }
        };
        let row = row.ok_or(StoreError::NotFound)?;
        Ok(Disclosure { meta: meta(&row)?, body: row.try_get("body")? })
    }
}
