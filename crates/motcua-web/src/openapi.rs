//! The OpenAPI document at `/api/openapi.json`, generated from the handlers' annotations; a test
//! checks every route of the router appears in it.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::AppState;
use crate::api;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Motcua API", description = "Public administrative service center (một cửa): catalog, dossiers, working calendar, indicators. Errors are {code, message, message_vi}."),
    paths(
        api::auth::login,
        api::auth::change_password,
        api::national::national_sync,
        api::national::one_dossier,
        api::results::by_hash,
        api::results::signature,
        api::results::verify,
        api::results::key,
        api::national::inbound,
        api::payments::start,
        api::payments::of_dossier,
        api::payments::callback,
        api::payments::reconciliation,
        api::auth::me,
        api::calendar::deadline,
        api::calendar::holidays,
        api::calendar::working_time,
        api::calendar::add_announcement,
        api::procedures::list,
        api::procedures::get_one,
        api::procedures::create,
        api::process::get_process,
        api::process::put_process,
        api::export::export,
        api::reference::fields,
        api::reference::levels,
        api::versions::list,
        api::versions::changes,
        api::decisions::create,
        api::decisions::list,
        api::units::list,
        api::restructures::apply,
        api::dossiers::create_dossier,
        api::dossiers::get_dossier,
        api::dossiers::lookup,
        api::dossiers::act,
        api::inbox::inbox,
        api::alerts::alerts,
        api::feedback::create,
        api::feedback::list,
        api::feedback::get_one,
        api::feedback::actions,
        api::feedback::vote,
        api::documents::list,
        api::documents::create,
        api::documents::create_incoming,
        api::documents::get_one,
        api::documents::actions,
        api::open311::services,
        api::open311::create,
        api::open311::list,
        api::open311::get_one,
        api::indicators::indicators,
        api::disclosures::list,
        api::disclosures::get_one,
        api::disclosures::publish,
        api::indicators_export::export,
        api::queue::groups,
        api::queue::put_group,
        api::queue::put_counter,
        api::queue::call_next,
        api::queue::create_ticket,
        api::queue::get_ticket,
        api::queue::ticket_action,
        api::queue::board,
        api::queue::metrics,
        api::queue::ratings,
        api::edxml::inbox,
        api::edxml::outbox,
        api::edxml::list,
        api::edxml::detail,
        api::edxml::set_status,
        api::edxml_recall::recall,
        api::edxml_recall::answer,
        api::agency_exchange::send_step,
        api::agency_exchange::reply,
        healthz,
        metrics,
        openapi_json,
    ),
    modifiers(&Bearer)
)]
pub struct ApiDoc;

/// Liveness and database check.
#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, description = "ok"), (status = 503, description = "database unavailable")))]
#[allow(dead_code)]
fn healthz() {}

/// Prometheus metrics (text format).
#[utoipa::path(get, path = "/metrics", tag = "system", responses((status = 200, description = "Prometheus text")))]
#[allow(dead_code)]
fn metrics() {}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "system", responses((status = 200, description = "OpenAPI 3.1 document")))]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(openapi_json))
}
