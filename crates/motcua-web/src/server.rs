//! A running Motcua: the HTTP server on a socket and the application's background workers,
//! started and stopped together. `motcua serve` and `motcua demo` run it until Ctrl-C; tests
//! start the same one on port 0.

use std::net::SocketAddr;
use std::sync::Arc;

use motcua_app::workers::{WorkerConfig, Workers};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::{AppState, app};

/// The server and its workers, running.
pub struct Running {
    /// Where it listens (the real port when started on port 0).
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    http: JoinHandle<std::io::Result<()>>,
    _workers: Workers,
}

/// Binds `addr`, starts the workers and serves `state`'s router.
pub async fn start(mut state: AppState, addr: &str, config: &WorkerConfig) -> std::io::Result<Running> {
    state.portal_sync = config.portal.is_some();
    state.portal_inbound_token = config.portal.as_ref().and_then(|p| p.inbound_token.as_deref()).map(Arc::from);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let workers = Workers::start(&state, config);
    let (tx, rx) = oneshot::channel::<()>();
    let router = app(state);
    let http = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    tracing::info!(%addr, "serving");
    Ok(Running { addr, shutdown: Some(tx), http, _workers: workers })
}

impl Running {
    /// Serves until `signal` completes (or the server fails), then stops everything.
    pub async fn run_until(mut self, signal: impl Future<Output = ()>) -> std::io::Result<()> {
        let result = tokio::select! {
            r = &mut self.http => Some(r),
            () = signal => None,
        };
        match result {
            Some(r) => r.map_err(std::io::Error::other)?,
            None => self.stop().await,
        }
    }

    /// Stops accepting requests, lets the ones in flight finish, and stops the workers.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.http).await.map_err(std::io::Error::other)?
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // The workers stop themselves when dropped.
        self.http.abort();
    }
}
