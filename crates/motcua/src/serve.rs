//! Serving: open the store, refuse default passwords outside demo mode, bind, serve until
//! Ctrl-C.

use anyhow::Context;
use motcua_store::Store;
use motcua_web::{AppState, app};

/// Serves `database` on `addr`. `demo` allows demo accounts with default passwords.
pub async fn serve(database: &str, addr: &str, demo: bool) -> anyhow::Result<()> {
    let store = Store::open(database).await.with_context(|| format!("opening {}", motcua_store::redact(database)))?;
    serve_store(store, addr, demo, |_| {}).await
}

/// Serves an open store; `ready` runs once the socket is bound (to print URLs).
pub async fn serve_store(store: Store, addr: &str, demo: bool, ready: impl FnOnce(&str)) -> anyhow::Result<()> {
    if !demo {
        let n = store.default_password_accounts().await?;
        if n > 0 {
            anyhow::bail!("{n} account(s) still have a default password; change them before serving outside demo mode");
        }
    }
    let state = AppState::load(store).await?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    let local = listener.local_addr()?.to_string();
    ready(&local);
    tracing::info!(%local, "serving");
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
