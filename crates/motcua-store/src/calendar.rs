//! Yearly holiday announcements added by administrators (the shipped 2024–2026 ones live in the
//! domain crate as data files; a stored announcement for the same year replaces it).

use motcua_domain::calendar::Announcement;

use crate::{Result, Store, StoreError};

impl Store {
    /// Stores (or replaces) the announcement for its year.
    pub async fn put_announcement(&self, a: &Announcement) -> Result<()> {
        let data = serde_json::to_string(a).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = crate::begin_write(&self.pool).await?;
        sqlx::query("DELETE FROM holiday_announcements WHERE year = $1").bind(a.year).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO holiday_announcements (year, data) VALUES ($1, $2)")
            .bind(a.year)
            .bind(data)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// All stored announcements.
    pub async fn announcements(&self) -> Result<Vec<Announcement>> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT data FROM holiday_announcements ORDER BY year").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|d| serde_json::from_str(d).map_err(|e| StoreError::Corrupt(format!("announcement: {e}"))))
            .collect()
    }
}
