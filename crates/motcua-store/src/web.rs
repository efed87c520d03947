//! Browser sessions and uploaded files.

use sqlx::Row;

use crate::{Result, Store, format_ts};

/// A browser session: anonymous (citizens: CSRF token and language) or signed in (officers).
#[derive(Debug, Clone, PartialEq)]
pub struct WebSession {
    pub id_hash: String,
    pub username: Option<String>,
    pub csrf: String,
    pub lang: String,
    pub expires_at: String,
}

/// An uploaded file's metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct FileMeta {
    pub id: String,
    pub dossier_code: Option<String>,
    /// `document` or `result`.
    pub kind: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

impl Store {
    /// Creates or replaces a session.
    pub async fn put_session(&self, s: &WebSession) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM web_sessions WHERE id_hash = $1").bind(s.id_hash.clone()).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO web_sessions (id_hash, username, csrf, lang, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(s.id_hash.clone())
        .bind(s.username.clone())
        .bind(s.csrf.clone())
        .bind(s.lang.clone())
        .bind(format_ts(time::OffsetDateTime::now_utc()))
        .bind(s.expires_at.clone())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A live session.
    pub async fn session(&self, id_hash: &str) -> Result<Option<WebSession>> {
        let row = sqlx::query(
            "SELECT id_hash, username, csrf, lang, expires_at FROM web_sessions WHERE id_hash = $1 AND expires_at > $2",
        )
        .bind(id_hash)
        .bind(format_ts(time::OffsetDateTime::now_utc()))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(WebSession {
                id_hash: r.try_get("id_hash")?,
                username: r.try_get("username")?,
                csrf: r.try_get("csrf")?,
                lang: r.try_get("lang")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    /// Ends a session.
    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM web_sessions WHERE id_hash = $1").bind(id_hash).execute(&self.pool).await?;
        Ok(())
    }

    /// Stores a file; `id` is chosen by the caller (random).
    pub async fn put_file(&self, meta: &FileMeta, data: Vec<u8>) -> Result<()> {
        sqlx::query(
            "INSERT INTO files (id, dossier_code, kind, name, content_type, size, sha256, data, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(meta.id.clone())
        .bind(meta.dossier_code.clone())
        .bind(meta.kind.clone())
        .bind(meta.name.clone())
        .bind(meta.content_type.clone())
        .bind(meta.size)
        .bind(meta.sha256.clone())
        .bind(data)
        .bind(format_ts(time::OffsetDateTime::now_utc()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Links stored files to a dossier (files uploaded before the dossier had a code).
    pub async fn attach_files(&self, ids: &[String], dossier_code: &str) -> Result<()> {
        for id in ids {
            sqlx::query("UPDATE files SET dossier_code = $1 WHERE id = $2 AND dossier_code IS NULL")
                .bind(dossier_code)
                .bind(id.clone())
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// A file with its bytes.
    pub async fn file(&self, id: &str) -> Result<Option<(FileMeta, Vec<u8>)>> {
        let row = sqlx::query(
            "SELECT id, dossier_code, kind, name, content_type, size, sha256, data FROM files WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((meta(&r)?, r.try_get("data")?))).transpose()
    }

    /// Files of a dossier, without their bytes.
    pub async fn files_of(&self, dossier_code: &str) -> Result<Vec<FileMeta>> {
        let rows = sqlx::query(
            "SELECT id, dossier_code, kind, name, content_type, size, sha256 FROM files WHERE dossier_code = $1 ORDER BY created_at, id",
        )
        .bind(dossier_code)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(meta).collect()
    }
}

fn meta(r: &sqlx::any::AnyRow) -> Result<FileMeta> {
    Ok(FileMeta {
        id: r.try_get("id")?,
        dossier_code: r.try_get("dossier_code")?,
        kind: r.try_get("kind")?,
        name: r.try_get("name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
    })
}

impl Store {
    /// A server-wide setting, created with `init` the first time it is asked for.
    pub async fn setting_or_init(&self, name: &str, init: impl FnOnce() -> String) -> Result<String> {
        if let Some(v) = sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
        {
            return Ok(v);
        }
        sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(init())
            .execute(&self.pool)
            .await?;
        Ok(sqlx::query_scalar("SELECT value FROM settings WHERE name = $1").bind(name).fetch_one(&self.pool).await?)
    }
}
