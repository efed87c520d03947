//! `/healthz` and a small Prometheus text endpoint at `/metrics`.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

/// Request counters by status class.
#[derive(Default)]
pub struct Metrics {
    pub requests: AtomicU64,
    pub client_errors: AtomicU64,
    pub server_errors: AtomicU64,
}

/// Counts every response.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let m = &state.metrics;
    m.requests.fetch_add(1, Ordering::Relaxed);
    if res.status().is_client_error() {
        m.client_errors.fetch_add(1, Ordering::Relaxed);
    } else if res.status().is_server_error() {
        m.server_errors.fetch_add(1, Ordering::Relaxed);
    }
    res
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let m = &state.metrics;
    let body = format!(
        "# TYPE motcua_http_requests_total counter\nmotcua_http_requests_total {}\n\
         # TYPE motcua_http_client_errors_total counter\nmotcua_http_client_errors_total {}\n\
         # TYPE motcua_http_server_errors_total counter\nmotcua_http_server_errors_total {}\n",
        m.requests.load(Ordering::Relaxed),
        m.client_errors.load(Ordering::Relaxed),
        m.server_errors.load(Ordering::Relaxed),
    );
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/metrics", get(metrics))
}
