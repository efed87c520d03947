//! Schema migrations through sqlx's migrator (instead of our own runner splitting SQL on `;`):
//! the SQL files are embedded at build time, each is applied once in its own transaction and
//! recorded in `_sqlx_migrations` with its SHA-384 checksum, so a file edited after it was
//! applied stops the start with a clear error instead of leaving two databases with different
//! schemas under one version. On PostgreSQL the migrator holds an advisory lock: two instances
//! starting together never both migrate. (The `migrate!` macro would add sqlx's proc-macro
//! crates to the build for the same result; the list below is as short.)
//!
//! Databases migrated by Motcua's earlier runner (`schema_migrations`, no checksums) are adopted
//! once: the versions recorded there are marked applied without running again. The old table is
//! left as it was.

use std::collections::HashSet;

use sqlx::migrate::{Migrate, MigrateError, Migration, MigrationType, Migrator};
use sqlx::{AnyPool, SqlSafeStr};

use crate::records;
use crate::{Backend, Result, StoreError};

/// Where sqlx records applied migrations.
const TABLE: &str = "_sqlx_migrations";

/// (version, description, SQL) in order.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "core", include_str!("../migrations/0001_core.sql")),
    (2, "web", include_str!("../migrations/0002_web.sql")),
    (3, "decisions", include_str!("../migrations/0003_decisions.sql")),
    (4, "step_due", include_str!("../migrations/0004_step_due.sql")),
    (5, "indicators", include_str!("../migrations/0005_indicators.sql")),
    (6, "feedback", include_str!("../migrations/0006_feedback.sql")),
    (7, "queue", include_str!("../migrations/0007_queue.sql")),
    (8, "outbox", include_str!("../migrations/0008_outbox.sql")),
    (9, "documents", include_str!("../migrations/0009_documents.sql")),
    (10, "exchange", include_str!("../migrations/0010_exchange.sql")),
    (11, "exchange_relay_recall", include_str!("../migrations/0011_exchange_relay_recall.sql")),
    (12, "procedure_snapshots", include_str!("../migrations/0012_procedure_snapshots.sql")),
    (13, "record_events", include_str!("../migrations/0013_record_events.sql")),
    (14, "ticket_histories", include_str!("../migrations/0014_ticket_histories.sql")),
    (15, "submission_keys", include_str!("../migrations/0015_submission_keys.sql")),
    (16, "password_change", include_str!("../migrations/0016_password_change.sql")),
    (17, "national_sync", include_str!("../migrations/0017_national_sync.sql")),
    (18, "national_inbound", include_str!("../migrations/0018_national_inbound.sql")),
    (19, "payments", include_str!("../migrations/0019_payments.sql")),
    (20, "blobs", include_str!("../migrations/0020_blobs.sql")),
    (21, "result_keys", include_str!("../migrations/0021_result_keys.sql")),
];

/// Number of migrations the code knows.
pub fn count() -> usize {
    MIGRATIONS.len()
}

fn migrator() -> Migrator {
    Migrator::with_migrations(
        MIGRATIONS
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(*version, (*description).into(), MigrationType::Simple, sql.into_sql_str(), false)
            })
            .collect(),
    )
}

fn failed(e: MigrateError) -> StoreError {
    match e {
        MigrateError::Execute(e) => StoreError::Db(e),
        e => StoreError::Corrupt(format!("database schema: {e}")),
    }
}

/// Applies pending migrations (adopting an earlier runner's record first).
pub async fn run(pool: &AnyPool, backend: Backend) -> Result<()> {
    let migrator = migrator();
    adopt_legacy(pool, backend, &migrator).await?;
    migrator.run(pool).await.map_err(failed)
}

/// Marks the versions of `schema_migrations` (Motcua's runner before sqlx) as applied.
async fn adopt_legacy(pool: &AnyPool, backend: Backend, migrator: &Migrator) -> Result<()> {
    let exists = match backend {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() \
             AND table_name = 'schema_migrations'"
        }
    };
    let n: i64 = sqlx::query_scalar(exists).fetch_one(pool).await?;
    if n == 0 {
        return Ok(());
    }
    let legacy: HashSet<i64> =
        sqlx::query_scalar("SELECT version FROM schema_migrations").fetch_all(pool).await?.into_iter().collect();
    let mut conn = pool.acquire().await?;
    // Under the migrator's lock, so that two instances adopting at once record each version once.
    conn.lock().await.map_err(failed)?;
    let adopted = async {
        conn.ensure_migrations_table(TABLE).await?;
        let applied: HashSet<i64> = conn.list_applied_migrations(TABLE).await?.into_iter().map(|m| m.version).collect();
        let mut n = 0;
        for m in migrator.iter().filter(|m| legacy.contains(&m.version) && !applied.contains(&m.version)) {
            conn.skip(TABLE, m).await?;
            n += 1;
        }
        Ok::<_, MigrateError>(n)
    }
    .await;
    let unlocked = conn.unlock().await;
    if adopted.is_err() || unlocked.is_err() {
        // Never hand a connection that may still hold the lock back to the pool.
        conn.close_on_drop();
    }
    let n = adopted.map_err(failed)?;
    unlocked.map_err(failed)?;
    if n > 0 {
        tracing::info!(migrations = n, "migrations recorded by the earlier runner adopted");
    }
    Ok(())
}

/// Moves every history kept before migration 0013 into the one log (see [`records::adopt_legacy`]), and
/// starts one for the tickets issued before 0014 (see [`records::adopt_untracked`]).
pub(crate) async fn adopt_legacy_histories(pool: &AnyPool) -> Result<()> {
    records::adopt_untracked::<motcua_domain::queue::Ticket>(
        pool,
        "SELECT id FROM queue_tickets WHERE version = 0",
        crate::queue::adopted,
    )
    .await?;
    records::adopt_legacy::<motcua_domain::feedback::Feedback>(
        pool,
        "legacy_feedback_events",
        "code",
        crate::feedback::upgrade_legacy,
    )
    .await?;
    records::adopt_legacy::<motcua_domain::office::Document>(
        pool,
        "legacy_document_events",
        "document_id",
        crate::documents::upgrade_legacy,
    )
    .await?;
    Ok(())
}
