//! Where the bytes of stored files live (issue 16 item 1): in the database (`blobs.data`, what a
//! store opened without configuration does, e.g. in tests), or behind the `object_store`
//! interface, on the local filesystem (the default of `motcua demo` and `motcua serve`) or on
//! S3-compatible storage (production). Either way a file's bytes are content-addressed: one object
//! per SHA-256, at `sha256/<first two hex>/<hash>`, named by the `blobs` row of that hash.
//!
//! Objects are written *before* the transaction that names them ([`Blobs::stage`]), so no network
//! call runs inside the writer's transaction; an object whose transaction never commits is only
//! an unnamed object, removed by the next collection. A collection ([`Blobs::remove`]) deletes the
//! objects of the rows it deletes inside the writer's job, before its commit; an upload of the
//! same bytes committed after it finds its object gone and writes it again
//! ([`Staged::ensure`]): a committed row always has its object. Objects of uploads whose
//! transaction never committed (a refused action) have no row; the collection removes those too
//! once they are older than its cutoff.

use std::sync::{Arc, OnceLock};

use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};

use crate::{Result, StoreError};

/// The configured object store, if any; shared by the store and its writer, set once.
#[derive(Clone, Default)]
pub struct Blobs(Arc<OnceLock<Arc<dyn ObjectStore>>>);

/// Where to keep file bytes.
pub enum FileStorage {
    /// In the database (`blobs.data`).
    Database,
    /// In a directory of the local filesystem (created if missing).
    Directory(std::path::PathBuf),
    /// In an S3-compatible bucket (`s3://bucket`), configured from the standard `AWS_*`
    /// environment variables (`AWS_ENDPOINT`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_REGION`, `AWS_ALLOW_HTTP` for a local server).
    S3 { bucket: String },
    /// An object store built by the caller (another provider, a test's server).
    Objects(Arc<dyn ObjectStore>),
}

impl FileStorage {
    /// Reads `MOTCUA_FILES`-style text: `db`, `s3://bucket`, `file:///dir` or a directory.
    pub fn parse(s: &str) -> FileStorage {
        let s = s.trim();
        if s == "db" || s == "database" {
            FileStorage::Database
        } else if let Some(bucket) = s.strip_prefix("s3://") {
            FileStorage::S3 { bucket: bucket.trim_end_matches('/').to_owned() }
        } else {
            FileStorage::Directory(s.strip_prefix("file://").unwrap_or(s).into())
        }
    }

    /// How it is shown in logs (no secrets: those come from the environment).
    pub fn shown(&self) -> String {
        match self {
            FileStorage::Database => "the database".to_owned(),
            FileStorage::Directory(d) => d.display().to_string(),
            FileStorage::S3 { bucket } => format!("s3://{bucket}"),
            FileStorage::Objects(o) => o.to_string(),
        }
    }
}

fn storage_error(e: object_store::Error) -> StoreError {
    StoreError::Files(e.to_string())
}

/// The object of the bytes whose SHA-256 is `sha256` (hex).
fn path(sha256: &str) -> Path {
    Path::from(format!("sha256/{}/{sha256}", sha256.get(..2).unwrap_or("00")))
}

/// Objects written before their transaction, kept to check after it commits.
#[must_use]
pub struct Staged {
    store: Option<Arc<dyn ObjectStore>>,
    objects: Vec<(String, PutPayload)>,
}

impl Staged {
    /// After the commit: every staged object is there (a collection that ran in between may have
    /// removed bytes the same content had before; they are written again).
    pub async fn ensure(self) -> Result<()> {
        let Some(store) = self.store else { return Ok(()) };
        for (sha, payload) in self.objects {
            match store.head(&path(&sha)).await {
                Ok(_) => {}
                Err(object_store::Error::NotFound { .. }) => {
                    store.put(&path(&sha), payload).await.map_err(storage_error)?;
                }
                Err(e) => return Err(storage_error(e)),
            }
        }
        Ok(())
    }
}

impl Blobs {
    /// Keeps file bytes in `storage` from now on (bytes already in the database stay readable).
    pub(crate) fn configure(&self, storage: &FileStorage) -> Result<()> {
        let store: Arc<dyn ObjectStore> = match storage {
            FileStorage::Database => return Ok(()),
            FileStorage::Directory(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Files(format!("{}: {e}", dir.display())))?;
                Arc::new(object_store::local::LocalFileSystem::new_with_prefix(dir).map_err(storage_error)?)
            }
            FileStorage::S3 { bucket } => Arc::new(
                object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .build()
                    .map_err(storage_error)?,
            ),
            FileStorage::Objects(o) => o.clone(),
        };
        self.0.set(store).map_err(|_| StoreError::Files("the file storage is configured once".to_owned()))
    }

    fn objects(&self) -> Option<&Arc<dyn ObjectStore>> {
        self.0.get()
    }

    /// Writes the bytes of `files` ((SHA-256, bytes) each) as objects and empties them, so the
    /// transaction only names them; without an object store, leaves them for the database.
    pub(crate) async fn stage<'a>(&self, files: impl Iterator<Item = (&'a str, &'a mut Vec<u8>)>) -> Result<Staged> {
        let Some(store) = self.objects() else { return Ok(Staged { store: None, objects: Vec::new() }) };
        let mut objects: Vec<(String, PutPayload)> = Vec::new();
        for (sha, data) in files {
            if data.is_empty() {
                continue;
            }
            let payload = PutPayload::from(std::mem::take(data));
            if !objects.iter().any(|(s, _)| s == sha) {
                store.put(&path(sha), payload.clone()).await.map_err(storage_error)?;
                objects.push((sha.to_owned(), payload));
            }
        }
        Ok(Staged { store: Some(store.clone()), objects })
    }

    /// The bytes of `sha256` from the object store.
    pub(crate) async fn get(&self, sha256: &str) -> Result<Vec<u8>> {
        let store = self.objects().ok_or_else(|| {
            StoreError::Files(format!("the bytes of {sha256} are in an object store that is not configured"))
        })?;
        let r = store.get(&path(sha256)).await.map_err(storage_error)?;
        Ok(r.bytes().await.map_err(storage_error)?.to_vec())
    }

    /// The hashes of objects last written before `before` (candidates for a collection: objects of
    /// uploads whose transaction never committed have no `blobs` row).
    pub(crate) async fn written_before(&self, before: time::OffsetDateTime) -> Result<Vec<String>> {
        use futures_util::TryStreamExt;
        let Some(store) = self.objects() else { return Ok(Vec::new()) };
        let cutoff = before.unix_timestamp();
        let listed: Vec<object_store::ObjectMeta> =
            store.list(Some(&Path::from("sha256"))).try_collect().await.map_err(storage_error)?;
        Ok(listed
            .into_iter()
            .filter(|m| m.last_modified.timestamp() < cutoff)
            .filter_map(|m| m.location.filename().map(str::to_owned))
            .collect())
    }

    /// Removes the objects of bytes no file names any more (called inside the collection's job).
    pub(crate) async fn remove(&self, sha256s: &[String]) -> Result<()> {
        let Some(store) = self.objects() else { return Ok(()) };
        for sha in sha256s {
            match store.delete(&path(sha)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(storage_error(e)),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_is_read_from_its_text() {
        assert!(matches!(FileStorage::parse("db"), FileStorage::Database));
        assert!(matches!(FileStorage::parse("s3://motcua-tep/"), FileStorage::S3 { bucket } if bucket == "motcua-tep"));
        assert!(
            matches!(FileStorage::parse("file:///var/lib/motcua/tep"), FileStorage::Directory(d) if d == std::path::Path::new("/var/lib/motcua/tep"))
        );
        assert!(matches!(FileStorage::parse("./tep"), FileStorage::Directory(d) if d == std::path::Path::new("./tep")));
        assert_eq!(path("abcdef").to_string(), "sha256/ab/abcdef");
    }
}
