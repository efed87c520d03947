//! Serving: open the store, refuse default passwords outside demo mode, then start the server
//! and its workers (`motcua_web::server`) until Ctrl-C.

use anyhow::Context;

use motcua_app::workers::WorkerConfig;
use motcua_store::Store;
use motcua_web::AppState;
use motcua_web::server::start;

/// Serves `database` on `addr`. `demo` allows demo accounts with default passwords.
pub async fn serve(database: &str, addr: &str, demo: bool) -> anyhow::Result<()> {
    let store = Store::open(database).await.with_context(|| format!("opening {}", motcua_store::redact(database)))?;
    use_file_storage(&store, database)?;
    serve_store(store, database, addr, demo, WorkerConfig::from_env(), |_| {}).await
}

/// Where the units' result signing keys are (docs/RESULTS.md): `MOTCUA_RESULT_KEYS`; without it,
/// the directory `khoa-ky` beside a SQLite database, or in the working directory for PostgreSQL.
pub fn result_keys_dir(database: &str) -> std::path::PathBuf {
    match std::env::var("MOTCUA_RESULT_KEYS") {
        Ok(d) if !d.trim().is_empty() => std::path::PathBuf::from(d.trim()),
        _ => match database.strip_prefix("sqlite://") {
            Some(path) => {
                let path = std::path::Path::new(path.split('?').next().unwrap_or(path));
                path.parent().unwrap_or(std::path::Path::new(".")).join("khoa-ky")
            }
            None => std::path::PathBuf::from("khoa-ky"),
        },
    }
}

/// Where the bytes of stored files go (docs/DIGITIZATION.md "Storage"): `MOTCUA_FILES` (`db`,
/// a directory, `file:///dir`, or `s3://bucket` with the `AWS_*` variables); without it, the
/// directory `tep` beside a SQLite database, and the database itself for PostgreSQL (several
/// instances share no local directory).
pub fn use_file_storage(store: &Store, database: &str) -> anyhow::Result<()> {
    use motcua_store::blobs::FileStorage;
    let storage = match std::env::var("MOTCUA_FILES") {
        Ok(s) if !s.trim().is_empty() => FileStorage::parse(&s),
        _ => match database.strip_prefix("sqlite://") {
            Some(path) => {
                let path = std::path::Path::new(path.split('?').next().unwrap_or(path));
                FileStorage::Directory(path.parent().unwrap_or(std::path::Path::new(".")).join("tep"))
            }
            None => FileStorage::Database,
        },
    };
    store.use_file_storage(&storage).with_context(|| format!("file storage {}", storage.shown()))?;
    tracing::info!(files = %storage.shown(), "stored files are kept in");
    Ok(())
}

/// Serves an open store with `workers` configured; `ready` runs once the socket is bound (to
/// print URLs).
pub async fn serve_store(
    store: Store,
    database: &str,
    addr: &str,
    demo: bool,
    workers: WorkerConfig,
    ready: impl FnOnce(&str),
) -> anyhow::Result<()> {
    if !demo {
        let n = store.default_password_accounts().await?;
        if n > 0 {
            anyhow::bail!("{n} account(s) still have a default password; change them before serving outside demo mode");
        }
    }
    let mut state = AppState::load(store).await?;
    // Issue 16 item 4: electronic results are signed with their unit's key.
    let keys = result_keys_dir(database);
    tracing::info!(keys = %keys.display(), "electronic results are signed with the units' keys in");
    state.app = state.app.with_result_keys(motcua_app::results::ResultKeys::in_dir(keys));
    // Issue 15: fees paid online through the payment platform, when one is configured.
    let payments = match &workers.payments {
        Some(p) => Some(p.clone()),
        None => motcua_app::payments::PaymentConfig::from_env().map_err(anyhow::Error::msg)?,
    };
    if let Some(p) = payments {
        tracing::info!(platform = p.platform.as_str(), "online payment through the payment platform");
        state.app = state.app.with_payments(p.payments());
    }
    // Issue 7: outgoing edXML packages are signed when the system has a key (XML-DSig).
    if let Some(key) = motcua_app::exchange::signature::key_from_env().map_err(anyhow::Error::msg)? {
        tracing::info!(certificate = %key.fingerprint_sha256(), "edXML packages are signed");
        state = state.with_signing_key(key);
    }
    // The HTTP server and every background worker (docs/ARCHITECTURE.md), on the application's
    // clock; notifications configured by MOTCUA_SMTP_*/MOTCUA_SMS_*.
    let running = start(state, addr, &workers).await.with_context(|| format!("binding {addr}"))?;
    ready(&running.addr.to_string());
    running
        .run_until(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
