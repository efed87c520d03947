//! Dossiers submitted on the national portal (DVCQG) coming into the province's intake (issue 15
//! item 2). The dossier is created by the writer under the submission key [`key`] of its portal
//! code, so the same record pulled and pushed, or sent twice, is one dossier. Kept here: the
//! records refused (the last reason per portal code, never personal data) and the pull's cursor.

use time::OffsetDateTime;

use crate::{Result, Store, format_ts};

/// The submission-key owner of dossiers that came from the portal.
pub const PORTAL: &str = "dvcqg";

/// The submission key of the portal's dossier `portal_code`.
pub fn key(portal_code: &str) -> String {
    format!("{PORTAL}:{portal_code}")
}

/// A record the intake refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub portal_code: String,
    /// `pull` or `push`.
    pub via: String,
    pub error: String,
    /// How many times the record came and was refused.
    pub times: i64,
    pub first_at: String,
    pub last_at: String,
}

/// What the intake has taken in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InboundCounts {
    pub imported: i64,
    pub refused: i64,
}

impl Store {
    /// Records that the portal's record `portal_code` was refused for `error` (no personal data).
    pub async fn refuse_inbound(&self, portal_code: &str, via: &str, error: &str, now: OffsetDateTime) -> Result<()> {
        let now = format_ts(now);
        let error: String = error.chars().take(1000).collect();
        let code: String = portal_code.chars().take(64).collect();
        sqlx::query(
            "INSERT INTO national_inbound_refusals (portal_code, via, error, times, first_at, last_at) \
             VALUES ($1, $2, $3, 1, $4, $4) ON CONFLICT (portal_code) DO UPDATE SET via = excluded.via, \
             error = excluded.error, times = national_inbound_refusals.times + 1, last_at = excluded.last_at",
        )
        .bind(code)
        .bind(via.to_owned())
        .bind(error)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A record once refused came right and was imported: its refusal is history.
    pub async fn forget_inbound_refusal(&self, portal_code: &str) -> Result<()> {
        sqlx::query("DELETE FROM national_inbound_refusals WHERE portal_code = $1")
            .bind(portal_code.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The most recent refusals.
    pub async fn inbound_refusals(&self, limit: i64) -> Result<Vec<Refusal>> {
        let rows: Vec<(String, String, String, i64, String, String)> = sqlx::query_as(
            "SELECT portal_code, via, error, times, first_at, last_at FROM national_inbound_refusals \
             ORDER BY last_at DESC, portal_code LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(portal_code, via, error, times, first_at, last_at)| Refusal {
                portal_code,
                via,
                error,
                times,
                first_at,
                last_at,
            })
            .collect())
    }

    /// Dossiers imported from the portal and records refused.
    pub async fn inbound_counts(&self) -> Result<InboundCounts> {
        let imported: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM submission_keys WHERE username = $1")
            .bind(PORTAL)
            .fetch_one(&self.pool)
            .await?;
        let refused: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM national_inbound_refusals").fetch_one(&self.pool).await?;
        Ok(InboundCounts { imported, refused })
    }

    /// The dossier created from the portal's `portal_code`, if any.
    pub async fn inbound_dossier(&self, portal_code: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT dossier_code FROM submission_keys WHERE key = $1 AND username = $2")
            .bind(key(portal_code))
            .bind(PORTAL)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// A cursor of the portal's lists (how far the pull has read).
    pub async fn national_cursor(&self, name: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM national_cursors WHERE name = $1")
            .bind(name.to_owned())
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Moves a cursor on.
    pub async fn set_national_cursor(&self, name: &str, value: &str, now: OffsetDateTime) -> Result<()> {
        sqlx::query(
            "INSERT INTO national_cursors (name, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(name.to_owned())
        .bind(value.to_owned())
        .bind(format_ts(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
