//! The harness of the storage story: every test body is an `async fn(Store)` run twice in the
//! same `cargo test`, once on a fresh SQLite file and once on a fresh PostgreSQL database
//! (DESIGN.md "Storage notes": every query is covered on both databases).
//!
//! PostgreSQL comes from `MOTCUA_TEST_PG` (default `postgres://postgres@127.0.0.1:5432`); each
//! test creates its own `motcua_t_<unique>` database and drops it afterwards. An unreachable
//! server fails the test: it is never skipped.

pub mod fixtures;
pub mod rows;

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use motcua_store::Store;
use sqlx::{AnyConnection, Connection};

/// Default PostgreSQL server of the test machines (trust auth).
const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432";

/// A name no other test (in this or a concurrent run) uses.
fn unique(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{prefix}{}_{}_{}", std::process::id(), nanos % 1_000_000_000_000, NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The PostgreSQL server URL without a database name.
fn pg_server() -> String {
    let url = std::env::var("MOTCUA_TEST_PG").unwrap_or_else(|_| DEFAULT_PG.to_owned());
    let url = url.trim_end_matches('/');
    // Accept a URL naming a database: keep only the server part.
    match url.find("://").map(|s| s + 3).and_then(|s| url[s..].find('/').map(|p| s + p)) {
        Some(slash) => url[..slash].to_owned(),
        None => url.to_owned(),
    }
}

/// A fresh, empty database, removed by [`Fresh::cleanup`].
pub struct Fresh {
    pub url: String,
    kind: Kind,
}

enum Kind {
    Sqlite(PathBuf),
    Postgres { server: String, name: String },
}

impl Fresh {
    /// An empty SQLite file in a new temp directory.
    pub fn sqlite() -> Fresh {
        let dir = std::env::temp_dir().join(unique("motcua_store_test_"));
        std::fs::create_dir_all(&dir).expect("creating the SQLite temp dir");
        let file = dir.join("motcua.db");
        Fresh { url: format!("sqlite://{}", file.display()), kind: Kind::Sqlite(dir) }
    }

    /// An empty PostgreSQL database. Panics with instructions when the server is unreachable.
    pub async fn postgres() -> Fresh {
        sqlx::any::install_default_drivers();
        let server = pg_server();
        let admin_url = format!("{server}/postgres");
        let mut admin = match AnyConnection::connect(&admin_url).await {
            Ok(c) => c,
            Err(e) => panic!(
                "PostgreSQL is not reachable at {} ({e}). The storage tests run on SQLite AND PostgreSQL: \
                 start PostgreSQL (trust auth for user postgres on 127.0.0.1:5432) or point MOTCUA_TEST_PG at one.",
                motcua_store::redact(&admin_url)
            ),
        };
        let name = unique("motcua_t_");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("creating PostgreSQL database {name}: {e}"));
        admin.close().await.ok();
        Fresh { url: format!("{server}/{name}"), kind: Kind::Postgres { server, name } }
    }

    /// Removes the database (the store's pool must be closed first).
    pub async fn cleanup(self) {
        match self.kind {
            Kind::Sqlite(dir) => {
                std::fs::remove_dir_all(dir).ok();
            }
            Kind::Postgres { server, name } => {
                if let Ok(mut admin) = AnyConnection::connect(&format!("{server}/postgres")).await {
                    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                        .execute(&mut admin)
                        .await
                        .ok();
                    admin.close().await.ok();
                }
            }
        }
    }
}

/// Which database a run uses.
#[derive(Debug, Clone, Copy)]
pub enum Db {
    Sqlite,
    Postgres,
}

impl Db {
    pub async fn fresh(self) -> Fresh {
        match self {
            Db::Sqlite => Fresh::sqlite(),
            Db::Postgres => Fresh::postgres().await,
        }
    }
}

/// Runs `body` on a fresh database given by URL (for tests that open the store themselves),
/// then removes the database, also when the body panicked.
pub async fn with_url<F, Fut>(db: Db, body: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let fresh = db.fresh().await;
    let outcome = tokio::spawn(body(fresh.url.clone())).await;
    fresh.cleanup().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Runs `body` with a store opened on a fresh database, then closes the store and removes the
/// database, also when the body panicked.
pub async fn with_store<F, Fut>(db: Db, body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let fresh = db.fresh().await;
    let store = Store::open(&fresh.url)
        .await
        .unwrap_or_else(|e| panic!("opening the store on {}: {e}", motcua_store::redact(&fresh.url)));
    let pool = store.pool.clone();
    let outcome = tokio::spawn(body(store)).await;
    pool.close().await;
    fresh.cleanup().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// `storage_test!(a_sentence_naming_the_behaviour);` turns the `async fn
/// a_sentence_naming_the_behaviour(store: Store)` of the including file into the module of the
/// same name with the tests `on_sqlite` and `on_postgres`, each on its own fresh database.
/// `storage_test!(url a_sentence);` passes the URL of a fresh, not yet migrated database instead.
#[macro_export]
macro_rules! storage_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_sqlite() {
                $crate::common::with_store($crate::common::Db::Sqlite, super::$name).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_postgres() {
                $crate::common::with_store($crate::common::Db::Postgres, super::$name).await;
            }
        }
    };
    (url $name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_sqlite() {
                $crate::common::with_url($crate::common::Db::Sqlite, super::$name).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_postgres() {
                $crate::common::with_url($crate::common::Db::Postgres, super::$name).await;
            }
        }
    };
}
