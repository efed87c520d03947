//! Motcua's HTTP side: the JSON API under `/api/v1` (documented at `/api/openapi.json`), a
//! minimal public HTML home page and lookup form, health and metrics.
//!
//! - [`app`] builds the router from one module per resource ([`api`]); tests call it without a
//!   socket, and the binary serves it.
//! - [`error`]: the one error type and its JSON shape.
//! - [`extract`]: extractors that reject bad input in that shape; the signed-in officer.
//! - [`auth`]: passwords, tokens, dossier secrets.
//! - [`service`]: submit / load / act on dossiers, shared by the API and the pages.
//! - [`views`]: dossier JSON views (officer / public).
//! - [`ui`]: server-rendered pages (askama) that work without JavaScript.
//! - [`notify`]: the outbox dispatcher (SMTP e-mail, SMS gateway), the daily digest, alerts.
//! - [`openapi`]: the OpenAPI document.
//! - [`catalog_files`]: catalog import/export files (JSON, CSV, XLSX).
//! - [`report`]: the progress report (HTML, XLSX) for `motcua report` and the admin page.

pub mod api;
pub mod catalog_files;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod multipart;
pub mod openapi;
pub mod report;
pub mod server;
pub mod ui;
pub mod views;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
pub use motcua_app::{
    Application, Calendars, auth, clock, disclosures, documents, exchange, http_client, indicators, notify,
};
use motcua_store::Store;

/// Largest accepted request body (JSON API).
pub const MAX_BODY: usize = 1024 * 1024;

/// Shared state of every handler: the [`Application`] and what only the web side keeps (request
/// metrics, the token cache). It dereferences to the application, so `state.store` and
/// `dossiers::act(&state, ..)` work as before.
#[derive(Clone)]
pub struct AppState {
    pub app: Application,
    pub metrics: Arc<metrics::Metrics>,
    /// Recently verified bearer tokens.
    pub tokens: Arc<auth::TokenCache>,
    /// Lookup secrets of dossiers just entered at the counter, until their receipt is printed.
    pub receipts: Arc<ui::counter::receipts::Receipts>,
    /// A national-portal sync worker runs (set by [`server::start`]).
    pub portal_sync: bool,
    /// The token the national portal presents to push dossiers (set by [`server::start`]);
    /// none: pushes are refused.
    pub portal_inbound_token: Option<Arc<str>>,
}

impl std::ops::Deref for AppState {
    type Target = Application;
    fn deref(&self) -> &Application {
        &self.app
    }
}

impl From<Application> for AppState {
    fn from(app: Application) -> AppState {
        AppState {
            app,
            metrics: Arc::new(metrics::Metrics::default()),
            tokens: Arc::default(),
            receipts: Arc::default(),
            portal_sync: false,
            portal_inbound_token: None,
        }
    }
}

impl AppState {
    /// Loads the application from the store (see [`Application::load`]).
    pub async fn load(store: Store) -> Result<AppState, motcua_store::StoreError> {
        Ok(Application::load(store).await?.into())
    }

    /// The same state, reading the time from `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn clock::Clock>) -> AppState {
        self.app = self.app.with_clock(clock);
        self
    }

    /// The same state, signing outgoing edXML packages with `key`.
    pub fn with_signing_key(mut self, key: motcua_edxml::dsig::SigningKey) -> AppState {
        self.app = self.app.with_signing_key(key);
        self
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    traced(
        Router::new()
            .merge(api::router())
            .merge(ui::router(state.clone()))
            .merge(openapi::router())
            .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
            .layer(DefaultBodyLimit::max(MAX_BODY)),
    )
    .with_state(state)
}

/// The header carrying a request's id.
pub const REQUEST_ID: &str = "x-request-id";

/// Request tracing (tower-http): every request gets an `x-request-id` (the caller's, or a new
/// UUID), returned with the response and carried by the span of everything logged while serving
/// it (`RUST_LOG=tower_http=debug` also logs each request and response). The span names the
/// matched route, never the raw path or query, which may hold a code, a secret or personal data.
fn traced(router: Router<AppState>) -> Router<AppState> {
    use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
    use tower_http::trace::TraceLayer;
    let header = axum::http::HeaderName::from_static(REQUEST_ID);
    let span = |req: &axum::http::Request<axum::body::Body>| {
        let route = req.extensions().get::<axum::extract::MatchedPath>().map(|p| p.as_str().to_owned());
        let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
        let id: String = id.chars().take(64).collect();
        tracing::info_span!("http", method = %req.method(), route = route.as_deref().unwrap_or("-"), request_id = %id)
    };
    router
        .layer(PropagateRequestIdLayer::new(header.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(span))
        .layer(SetRequestIdLayer::new(header, MakeRequestUuid))
}
