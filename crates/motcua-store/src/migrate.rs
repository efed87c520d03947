//! Schema migrations: SQL files embedded at build time, applied in order once each, recorded in
//! `schema_migrations`. Statements are split on `;` at line ends (the files contain no
//! procedural SQL).

use sqlx::AnyPool;

use crate::Result;

/// (version, SQL) in order.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_core.sql")),
    (2, include_str!("../migrations/0002_web.sql")),
    (3, include_str!("../migrations/0003_decisions.sql")),
    (4, include_str!("../migrations/0004_step_due.sql")),
    (5, include_str!("../migrations/0005_indicators.sql")),
    (6, include_str!("../migrations/0006_feedback.sql")),
    (7, include_str!("../migrations/0007_queue.sql")),
    (8, include_str!("../migrations/0008_outbox.sql")),
    (9, include_str!("../migrations/0009_documents.sql")),
    (10, include_str!("../migrations/0010_exchange.sql")),
    (11, include_str!("../migrations/0011_exchange_relay_recall.sql")),
    (12, include_str!("../migrations/0012_procedure_snapshots.sql")),
    (13, include_str!("../migrations/0013_record_events.sql")),
    (14, include_str!("../migrations/0014_ticket_histories.sql")),
];

/// Number of migrations the code knows.
pub fn count() -> usize {
    MIGRATIONS.len()
}

/// Applies pending migrations.
pub async fn run(pool: &AnyPool) -> Result<()> {
    sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)")
        .execute(pool)
        .await?;
    for (version, sql) in MIGRATIONS {
        let done: Option<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
            .bind(*version)
            .fetch_optional(pool)
            .await?;
        if done.is_some() {
            continue;
        }
        let mut tx = pool.begin().await?;
        for stmt in statements(sql) {
            sqlx::query(sqlx::AssertSqlSafe(stmt)).execute(&mut *tx).await?;
        }
        sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
            .bind(*version)
            .bind(crate::format_ts(time::OffsetDateTime::now_utc()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(())
}

fn statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in sql.lines() {
        let t = line.trim();
        if t.starts_with("--") || t.is_empty() {
            continue;
        }
        cur.push_str(line);
        cur.push('\n');
        if t.ends_with(';') {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}
