//! Browser sessions and uploaded files.
//!
//! Files are stored content-addressed (issue 16): the bytes once per SHA-256 in `blobs`, however
//! many files name them (the same scan in two dossiers, a store item re-used, the demo's seeded
//! scans), and each file's row in `files` names its bytes by their hash. A blob no file names is
//! removed with the orphans ([`Store::collect_orphan_files`]).
//!
//! A file that an action refers to (a citizen's uploads named in the submission or a supplement,
//! the result approved with a dossier) is written in the same transaction as that action
//! ([`crate::Writer::act_with_files`], [`crate::Writer::create_with_files`]): both commit or
//! neither does, so no event names a file that is not stored. Files left without an owner by
//! older versions (stored first, then linked in a second step that never came) are collected
//! by [`Store::collect_orphan_files`].

use sqlx::{Any, Row, Transaction};
use time::OffsetDateTime;

use crate::{Result, Store, format_ts};

/// A file to be stored together with the write that refers to it. Its owner (`dossier_code`)
/// is set by that write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFile {
    pub meta: FileMeta,
    pub data: Vec<u8>,
}

impl NewFile {
    /// The hash and the bytes, for [`crate::blobs::Blobs::stage`] (which empties them once they
    /// are in the object store).
    pub(crate) fn bytes(&mut self) -> (&str, &mut Vec<u8>) {
        (self.meta.sha256.as_str(), &mut self.data)
    }

    /// A file without an owner yet, its size and SHA-256 taken from `data`.
    pub fn new(id: String, kind: &str, name: String, content_type: &str, data: Vec<u8>) -> NewFile {
        let meta = FileMeta {
            id,
            dossier_code: None,
            kind: kind.to_owned(),
            name,
            content_type: content_type.to_owned(),
            size: i64::try_from(data.len()).unwrap_or(i64::MAX),
            sha256: motcua_domain::audit::sha256_hex(&[&data]),
        };
        NewFile { meta, data }
    }
}

/// How long a file may stay without an owner before [`Store::collect_orphan_files`] removes it
/// (every write that stores a file now names its owner at once; this only bounds leftovers).
pub const ORPHAN_GRACE: time::Duration = time::Duration::hours(1);

/// Inserts `files` inside `tx`, owned by `owner` (the record the same write creates or changes).
/// Their `created_at` is bookkeeping (the instant the writer stored them; an owned file is never
/// collected): the legal time of the upload is the event's.
pub(crate) async fn insert_files_in(tx: &mut Transaction<'static, Any>, files: &[NewFile], owner: &str) -> Result<()> {
    let owned: Vec<(&NewFile, Option<String>)> = files.iter().map(|f| (f, Some(owner.to_owned()))).collect();
    insert_all(tx, &owned).await
}

/// Inserts `files` inside `tx`, each owned by the record its `meta.dossier_code` names (a bulk
/// import's histories, [`crate::writer::History`]).
pub(crate) async fn insert_owned_files_in(tx: &mut Transaction<'static, Any>, files: &[&NewFile]) -> Result<()> {
    let owned: Vec<(&NewFile, Option<String>)> = files.iter().map(|f| (*f, f.meta.dossier_code.clone())).collect();
    insert_all(tx, &owned).await
}

/// Inserts each file with its owner; the bytes of a hash once per call (a bulk import names the
/// same seeded scan thousands of times).
async fn insert_all(tx: &mut Transaction<'static, Any>, files: &[(&NewFile, Option<String>)]) -> Result<()> {
    let at = OffsetDateTime::now_utc();
    let mut written = std::collections::HashSet::new();
    for (f, owner) in files {
        if written.insert(f.meta.sha256.as_str()) {
            insert_blob(tx, &f.meta, &f.data, at).await?;
        }
        insert_file_row(tx, &f.meta, owner.clone(), at).await?;
    }
    Ok(())
}

async fn insert_file(
    tx: &mut Transaction<'static, Any>,
    meta: &FileMeta,
    owner: Option<String>,
    data: &[u8],
    at: OffsetDateTime,
) -> Result<()> {
    insert_blob(tx, meta, data, at).await?;
    insert_file_row(tx, meta, owner, at).await
}

/// The bytes once per hash; naming them again refreshes `touched_at`, so a collection running
/// meanwhile (which only removes blobs untouched since its cutoff) cannot take them.
async fn insert_blob(
    tx: &mut Transaction<'static, Any>,
    meta: &FileMeta,
    data: &[u8],
    at: OffsetDateTime,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO blobs (sha256, size, content_type, data, touched_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (sha256) DO UPDATE SET touched_at = excluded.touched_at",
    )
    .bind(meta.sha256.clone())
    .bind(meta.size)
    .bind(meta.content_type.clone())
    // Empty: already in the object store (an accepted file is never empty).
    .bind((!data.is_empty()).then_some(data))
    .bind(format_ts(at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_file_row(
    tx: &mut Transaction<'static, Any>,
    meta: &FileMeta,
    owner: Option<String>,
    at: OffsetDateTime,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO files (id, dossier_code, kind, name, content_type, size, sha256, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(meta.id.clone())
    .bind(owner)
    .bind(meta.kind.clone())
    .bind(meta.name.clone())
    .bind(meta.content_type.clone())
    .bind(meta.size)
    .bind(meta.sha256.clone())
    .bind(format_ts(at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

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
    /// Creates or replaces a session, opened at `at`.
    pub async fn put_session(&self, s: &WebSession, at: OffsetDateTime) -> Result<()> {
        let mut tx = crate::begin_write(&self.pool).await?;
        sqlx::query("DELETE FROM web_sessions WHERE id_hash = $1").bind(s.id_hash.clone()).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO web_sessions (id_hash, username, csrf, lang, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(s.id_hash.clone())
        .bind(s.username.clone())
        .bind(s.csrf.clone())
        .bind(s.lang.clone())
        .bind(format_ts(at))
        .bind(s.expires_at.clone())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A session still live at `now`.
    pub async fn session(&self, id_hash: &str, now: OffsetDateTime) -> Result<Option<WebSession>> {
        let row = sqlx::query(
            "SELECT id_hash, username, csrf, lang, expires_at FROM web_sessions WHERE id_hash = $1 AND expires_at > $2",
        )
        .bind(id_hash)
        .bind(format_ts(now))
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

    /// Stores a file on its own at `at` (the caller's clock: [`Store::collect_orphan_files`]
    /// compares with it); `id` is chosen by the caller (random). A file an action refers to goes
    /// with the action instead ([`crate::Writer::act_with_files`]).
    pub async fn put_file(&self, meta: &FileMeta, mut data: Vec<u8>, at: OffsetDateTime) -> Result<()> {
        let meta = meta.clone();
        let staged = self.writer.blobs.stage(std::iter::once((meta.sha256.as_str(), &mut data))).await?;
        let m = meta.clone();
        self.writer
            .transact(move |tx| Box::pin(async move { insert_file(tx, &m, m.dossier_code.clone(), &data, at).await }))
            .await?;
        staged.ensure().await
    }

    /// Removes files that have had no owner (`dossier_code` NULL) since before `before`: leftovers
    /// of a store-then-link that was cut off. Answers how many were removed.
    pub async fn collect_orphan_files(&self, before: OffsetDateTime) -> Result<u64> {
        let cutoff = format_ts(before);
        let blobs = self.writer.blobs.clone();
        self.writer
            .transact(move |tx| {
                Box::pin(async move {
                    let r = sqlx::query("DELETE FROM files WHERE dossier_code IS NULL AND created_at < $1")
                        .bind(cutoff.clone())
                        .execute(&mut **tx)
                        .await?;
                    let gone: Vec<String> = sqlx::query_scalar(
                        "DELETE FROM blobs WHERE touched_at < $1 \
                         AND NOT EXISTS (SELECT 1 FROM files WHERE files.sha256 = blobs.sha256) RETURNING sha256",
                    )
                    .bind(cutoff)
                    .fetch_all(&mut **tx)
                    .await?;
                    // Objects of uploads that never committed: no row names them.
                    let mut unnamed = Vec::new();
                    for sha in blobs.written_before(before).await? {
                        let named: Option<i64> = sqlx::query_scalar("SELECT 1 FROM blobs WHERE sha256 = $1")
                            .bind(sha.clone())
                            .fetch_optional(&mut **tx)
                            .await?;
                        if named.is_none() {
                            unnamed.push(sha);
                        }
                    }
                    // Inside the writer's job, before the commit: an upload of the same bytes
                    // committed after it writes them again (crate::blobs).
                    blobs.remove(&gone).await?;
                    blobs.remove(&unnamed).await?;
                    Ok(r.rows_affected())
                })
            })
            .await
    }

    /// A file with its bytes.
    pub async fn file(&self, id: &str) -> Result<Option<(FileMeta, Vec<u8>)>> {
        let row = sqlx::query(
            "SELECT f.id, f.dossier_code, f.kind, f.name, f.content_type, f.size, f.sha256, b.data FROM files f \
             JOIN blobs b ON b.sha256 = f.sha256 WHERE f.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let meta = meta(&r)?;
        let data = match r.try_get::<Option<Vec<u8>>, _>("data")? {
            Some(data) => data,
            None => self.writer.blobs.get(&meta.sha256).await?,
        };
        Ok(Some((meta, data)))
    }

    /// How many distinct contents are stored (files with the same bytes share one).
    pub async fn blob_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM blobs").fetch_one(&self.pool).await?)
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

pub(crate) fn meta(r: &sqlx::any::AnyRow) -> Result<FileMeta> {
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
