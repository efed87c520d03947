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
pub mod auth;
pub mod catalog_files;
pub mod clock;
pub mod disclosures;
pub mod error;
pub mod exchange;
pub mod extract;
pub mod http_client;
pub mod indicators;
pub mod metrics;
pub mod notify;
pub mod openapi;
pub mod report;
pub mod service;
pub mod ui;
pub mod views;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use motcua_domain::calendar::{Calendar, OfficeHours};
use motcua_domain::catalog::Level;
use motcua_domain::org::{Unit, UnitKind};
use motcua_store::Store;

/// Largest accepted request body (JSON API).
pub const MAX_BODY: usize = 1024 * 1024;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub calendars: Arc<Calendars>,
    pub metrics: Arc<metrics::Metrics>,
    /// Recently verified bearer tokens.
    pub tokens: Arc<auth::TokenCache>,
    /// Code of the provincial one-stop center (receives province-level online dossiers).
    pub province_center: String,
    /// The key outgoing edXML packages are signed with (XML-DSig), when the system has one.
    pub signing_key: Option<Arc<motcua_edxml::dsig::SigningKey>>,
    /// Where "now" comes from (the system's clock, or a test's).
    pub clock: Arc<dyn clock::Clock>,
}

/// The default center's calendar and one per unit with its own office hours. Rebuilt when an
/// administrator adds a yearly announcement or changes office hours.
pub struct Calendars {
    inner: RwLock<CalendarSet>,
}

/// The default calendar and the per-unit ones.
type CalendarSet = (Arc<Calendar>, HashMap<String, Arc<Calendar>>);

impl Calendars {
    /// Builds the calendars from the shipped announcements, the stored ones and each unit's
    /// office hours.
    pub fn build(stored: Vec<motcua_domain::calendar::Announcement>, units: &[Unit]) -> Calendars {
        let c = Calendars { inner: RwLock::new((Arc::new(Calendar::vietnam_default()), HashMap::new())) };
        c.rebuild(stored, units);
        c
    }

    /// Replaces all calendars.
    pub fn rebuild(&self, stored: Vec<motcua_domain::calendar::Announcement>, units: &[Unit]) {
        // Stored announcements come after the shipped ones, so they replace them year by year.
        let mut all = motcua_domain::calendar::shipped_announcements().to_vec();
        all.extend(stored);
        let base = Calendar::new(OfficeHours::default(), all);
        let per_unit = units
            .iter()
            .filter_map(|u| match OfficeHours::parse(u.office_hours.as_deref()?) {
                Ok(hours) => Some((u.code.clone(), Arc::new(base.with_hours(hours)))),
                Err(e) => {
                    tracing::warn!(unit = %u.code, error = %e, "invalid office hours; this unit uses the default calendar");
                    None
                }
            })
            .collect();
        if let Ok(mut g) = self.inner.write() {
            *g = (Arc::new(base), per_unit);
        }
    }

    /// The calendar of `unit`, or the default center's.
    pub fn get(&self, unit: Option<&str>) -> Arc<Calendar> {
        match self.inner.read() {
            Ok(g) => unit.and_then(|u| g.1.get(u)).unwrap_or(&g.0).clone(),
            Err(_) => Arc::new(Calendar::vietnam_default()),
        }
    }
}

impl AppState {
    /// Loads what handlers need from the store.
    pub async fn load(store: Store) -> Result<AppState, motcua_store::StoreError> {
        let units = store.units().await?;
        let province_center = units
            .iter()
            .find(|u| u.kind == UnitKind::Center && u.level == Level::Province && u.is_current())
            .map(|u| u.code.clone())
            .unwrap_or_default();
        let calendars = Arc::new(Calendars::build(store.announcements().await?, &units));
        Ok(AppState {
            store,
            calendars,
            metrics: Arc::new(metrics::Metrics::default()),
            tokens: Arc::default(),
            province_center,
            signing_key: None,
            clock: Arc::new(clock::SystemClock),
        })
    }

    /// The same state, reading the time from `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn clock::Clock>) -> AppState {
        self.clock = clock;
        self
    }

    /// The current instant, truncated to whole seconds (what is stored).
    pub fn now(&self) -> time::OffsetDateTime {
        clock::whole_seconds(self.clock.now())
    }

    /// The same state, signing outgoing edXML packages with `key`.
    pub fn with_signing_key(mut self, key: motcua_edxml::dsig::SigningKey) -> AppState {
        self.signing_key = Some(Arc::new(key));
        self
    }

    /// Re-reads announcements and units into the calendars.
    pub async fn reload_calendars(&self) -> Result<(), motcua_store::StoreError> {
        let units = self.store.units().await?;
        self.calendars.rebuild(self.store.announcements().await?, &units);
        Ok(())
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
