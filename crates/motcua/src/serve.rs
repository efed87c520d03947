//! Serving: open the store, refuse default passwords outside demo mode, bind, serve until
//! Ctrl-C.

use anyhow::Context;
use std::sync::Arc;

use motcua_store::Store;
use motcua_web::clock::Clock;
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
    let mut state = AppState::load(store.clone()).await?;
    // Issue 7: outgoing edXML packages are signed when the system has a key (XML-DSig).
    if let Some(key) = motcua_web::exchange::signature::key_from_env().map_err(anyhow::Error::msg)? {
        tracing::info!(certificate = %key.fingerprint_sha256(), "edXML packages are signed");
        state = state.with_signing_key(key);
    }
    // Every worker reads the application's clock.
    let clock = state.clock.clone();
    let disclosures = tokio::spawn(disclose_at_month_end(store.clone(), clock.clone()));
    let orphans = tokio::spawn(collect_orphan_files(store.clone(), clock.clone()));
    // Issue 6: the outbox dispatcher (e-mail, SMS; configured by MOTCUA_SMTP_*/MOTCUA_SMS_*) and
    // the 07:00 daily digest.
    let dispatcher = motcua_web::notify::Dispatcher::new(store.clone(), &motcua_web::notify::NotifyConfig::from_env())
        .with_clock(clock.clone());
    let outbox = tokio::spawn(dispatcher.run(std::time::Duration::from_secs(15)));
    // Issue 7: edXML deliveries to peer systems (outbox kinds edxml, edxml-status; docs/EXCHANGE.md).
    let exchange = tokio::spawn(
        motcua_web::exchange::Deliverer::new(store, motcua_web::exchange::ExchangeConfig::default())
            .with_clock(clock)
            .run(),
    );
    let digest = tokio::spawn(motcua_web::notify::digest::run_daily(state.clone()));
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    let local = listener.local_addr()?.to_string();
    ready(&local);
    tracing::info!(%local, "serving");
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    disclosures.abort();
    orphans.abort();
    outbox.abort();
    exchange.abort();
    digest.abort();
    Ok(())
}

/// The month-end disclosure (issue 5): every hour, publishes the snapshot of the month that has
/// just ended if it is not published yet. Failures are logged and retried the next hour; they
/// never stop the server.
async fn disclose_at_month_end(store: Store, clock: Arc<dyn Clock>) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    every_hour.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every_hour.tick().await;
        match motcua_web::disclosures::publish_ended_months(&store, clock.now()).await {
            Ok(published) => {
                for m in published {
                    tracing::info!(month = %m.month, revision = m.revision, "month-end disclosure published");
                }
            }
            Err(e) => tracing::error!(code = %e.body.code, error = %e.body.message, "month-end disclosure failed"),
        }
    }
}

/// Every hour (and at start), removes files that have had no owner for longer than
/// [`motcua_store::web::ORPHAN_GRACE`]: leftovers of versions that stored a file first and linked
/// it in a second step (every file is now written with the record that names it).
async fn collect_orphan_files(store: Store, clock: Arc<dyn Clock>) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    every_hour.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every_hour.tick().await;
        let before = clock.now() - motcua_store::web::ORPHAN_GRACE;
        match store.collect_orphan_files(before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(files = n, "orphaned files collected"),
            Err(e) => tracing::error!(error = %e, "collecting orphaned files failed"),
        }
    }
}
