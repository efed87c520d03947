//! Motcua storage: the only crate that speaks SQL. SQLite (default, one file) and PostgreSQL
//! through sqlx's `Any` driver, with one schema and one query text for both.
//!
//! - [`migrate`]: schema migrations (embedded SQL files through sqlx's migrator: checksums, a
//!   PostgreSQL advisory lock; recorded in `_sqlx_migrations`).
//! - [`writer`]: the single dossier writer with group commit (one transaction, one fsync for a
//!   batch of concurrent actions) — how durable throughput reaches thousands of actions a second.
//! - [`dossiers`]: reads — a dossier, its history, the inbox.
//! - [`console`]: reads for the officer console and administration — an inbox page's
//!   projections, open work per unit and status, the list of accounts.
//! - [`catalog`], [`units`], [`users`], [`calendar`]: reference data and accounts.
//! - [`feedback`]: citizen feedback — projection + history, search, queues, open deadlines, counts.
//! - [`documents`]: the electronic office — document registers with per-unit, per-year numbers,
//!   history, exchange traces and search.
//! - [`indicators`]: basic counts for the service-quality indicators.
//! - [`queue`]: queue tickets, counters, atomic calls, the display board, queue metrics and
//!   ratings per officer.
//! - [`restructure`]: applies a restructure plan — units, role grants, re-homed open dossiers.
//! - [`outbox`]: the transactional outbox (e-mail, SMS, edXML) with leases and retries.
//! - [`alerts`]: reads for the daily alerts; officers' e-mail addresses.
//! - [`records`]: the one write path of every other record with a history (feedback,
//!   documents…): events hash-chained in `record_events`, heads with optimistic versions.
//! - [`audit`]: re-walks every dossier's hash chain; rebuilds projections from events.
//! - [`snapshots`]: frozen procedure parts of create events, stored once by content hash, and
//!   the one function that turns a stored event back into its canonical (hashed) text.

pub mod alerts;
pub mod audit;
pub mod blobs;
pub mod calendar;
pub mod catalog;
pub mod console;
pub mod decisions;
pub mod disclosures;
pub mod documents;
mod dossier_log;
pub mod dossiers;
pub mod edxml;
pub mod exchange;
pub mod feedback;
pub mod floor;
pub mod indicators;
pub mod migrate;
pub mod national_inbound;
pub mod national_sync;
pub mod outbox;
pub mod payments;
pub mod queue;
pub mod records;
pub mod restructure;
pub mod results;
pub mod snapshots;
pub mod units;
pub mod users;
pub mod web;
pub mod writer;

mod timefmt;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Connection};

pub use motcua_domain::DomainError;
pub use timefmt::{date_vn, format_date, format_ts, parse_ts, today_vn};
pub use writer::{CreateJob, SubmissionKey, Writer};

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Errors from the store. Domain refusals pass through unchanged.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("not found")]
    NotFound,
    /// The caller's version is stale (optimistic concurrency).
    #[error("version conflict: the dossier is at version {current}")]
    Conflict { current: i64 },
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("the writer has stopped")]
    WriterGone,
    /// A decision or a write job panicked (a bug): that request only is refused, nothing of it
    /// is written, and the writer goes on.
    #[error("the request failed inside a decision")]
    Panicked,
    /// A submission with this idempotency key was already made (by the same user): it created
    /// `code`, and nothing new was written.
    #[error("already submitted as {code}")]
    AlreadySubmitted { code: String },
    /// The idempotency key belongs to another user's submission.
    #[error("the submission key is already used")]
    KeyTaken,
    /// The file storage (a directory, an S3-compatible bucket) failed.
    #[error("file storage: {0}")]
    Files(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A handle to the database: a read pool plus the dossier writer.
#[derive(Clone)]
pub struct Store {
    pub pool: AnyPool,
    pub backend: Backend,
    pub writer: Writer,
}

impl Store {
    /// Connects to `url` (`sqlite://path` — created if missing — or `postgres://…`), applies the
    /// migrations and starts the writer. SQLite runs in WAL mode with `synchronous=FULL`: every
    /// commit is durable.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::Corrupt(format!("unsupported database URL scheme in '{}'", redact(url))));
        };
        let url = if backend == Backend::Sqlite && !url.contains("mode=") {
            format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" })
        } else {
            url.to_owned()
        };
        let opts = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        for pragma in [
                            "PRAGMA journal_mode=WAL",
                            "PRAGMA synchronous=FULL",
                            "PRAGMA busy_timeout=10000",
                            "PRAGMA foreign_keys=ON",
                            "PRAGMA cache_size=-65536",
                        ] {
                            sqlx::query(pragma).execute(&mut *conn).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await?;
        migrate::run(&pool, backend).await?;
        migrate::adopt_legacy_histories(&pool).await?;
        let writer = Writer::start(pool.clone());
        let store = Store { pool, backend, writer };
        store.ensure_indicators(time::OffsetDateTime::now_utc()).await?;
        Ok(store)
    }

    /// Keeps the bytes of files stored from now on in `storage` ([`blobs`]); files already
    /// stored stay readable where they are. Once, before serving.
    pub fn use_file_storage(&self, storage: &blobs::FileStorage) -> Result<()> {
        self.writer.blobs.configure(storage)
    }

    /// Checks the database answers.
    pub async fn ping(&self) -> Result<()> {
        let mut c = self.pool.acquire().await?;
        c.ping().await?;
        Ok(())
    }
}

/// Begins a transaction that writes. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`), waiting up to `busy_timeout` while another connection writes. A deferred `BEGIN`
/// that reads first cannot wait: once another connection commits in between, its first write
/// fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT), which is a 500 for a request
/// that did nothing wrong. PostgreSQL's `BEGIN` needs nothing more (row locks and constraints).
pub(crate) async fn begin_write(pool: &AnyPool) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
    let t = if pool.connect_options().database_url.scheme() == "sqlite" {
        pool.begin_with("BEGIN IMMEDIATE").await?
    } else {
        pool.begin().await?
    };
    Ok(t)
}

/// A database URL with its password replaced, for logs and errors.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_urls_are_redacted_for_logs() {
        assert_eq!(super::redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }
}
