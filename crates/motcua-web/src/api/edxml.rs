//! edXML exchange endpoints (issue 7 parts 3–5; docs/EXCHANGE.md):
//!
//! - `POST /api/v1/edxml/inbox` (a peer's credential or a clerk's token; `application/xml`): a
//!   signed package is verified first; a package is registered once per receiving unit (201, or
//!   200 with the registered one for a repeat) and relayed for organs hosted elsewhere (202 when
//!   only relayed, `exchange::relay`); a status message updates the trace of the package it
//!   answers, or is passed on (200). An invalid body or signature is 422 (413 when too large)
//!   naming the element `path`.
//! - `POST /api/v1/edxml/outbox` (clerk; `application/xml`): sends a package from one of the
//!   clerk's units: stored and queued for delivery in one transaction (201).
//! - `GET /api/v1/edxml/packages?direction=in|out|relay&q=` and `GET /api/v1/edxml/packages/{id}`
//!   (clerk of the unit): packages with their trace.
//! - `POST /api/v1/edxml/packages/{id}/status` (clerk of the receiving unit): records assigned /
//!   processing / completed / rejected (with a reason) and sends the status message back.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use motcua_domain::ErrorCode;
use motcua_edxml::{EdxmlError, Package};
use motcua_store::edxml::StoredPackage;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Officer};
use motcua_app::edxml::inbox::{self, Received, clerk_units};
use motcua_app::edxml::outbox::{self, IncomingStatus};

/// Largest package body accepted (the codec's own limit, docs/EDXML.md).
const MAX_PACKAGE: usize = motcua_edxml::limits::MAX_PACKAGE_BYTES;

/// A refused package: the usual error fields plus the element path.
#[derive(Debug, Serialize, ToSchema)]
pub struct EdxmlErrorBody {
    #[schema(schema_with = crate::error::error_code_schema)]
    pub code: motcua_domain::ErrorCode,
    pub message: String,
    pub message_vi: String,
    /// Element path from the root, e.g. `edXML/edXMLEnvelope/edXMLHeader/MessageHeader/Subject`.
    pub path: String,
}

fn invalid(e: EdxmlError) -> Response {
    let status = match e.code {
        ErrorCode::TooLarge | ErrorCode::TooManyAttachments | ErrorCode::AttachmentTooLarge => {
            StatusCode::PAYLOAD_TOO_LARGE
        }
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let body = EdxmlErrorBody { code: e.code, message: e.reason, message_vi: e.reason_vi, path: e.path };
    (status, Json(body)).into_response()
}

/// A package as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PackageView {
    pub id: String,
    /// `in`, `out`, or `relay` (passed on for an organ hosted elsewhere).
    pub direction: String,
    /// Local unit (sender or receiver).
    pub unit: String,
    pub document_id: String,
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    /// queued, sent, failed, arrived, registered, assigned, processing, completed, rejected.
    pub state: String,
    pub dossier: Option<String>,
    /// RFC 3339, UTC+7.
    pub created_at: String,
    /// True when this answer is a repeat of an already registered package.
    pub duplicate: bool,
    /// Inbox answers: the id of the document in the unit's incoming register (electronic office).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub register_document: Option<String>,
    /// `BussinessDocType`: 0 new, 1 revoke (thu hồi), 2 update (cập nhật), 3 replace (thay thế).
    pub business_type: i64,
    /// For business types 1–3: the DocumentId of the earlier document concerned.
    pub concerns: Option<String>,
    /// Recall / update question: `requested` (13 or a 1–3 package), `accepted` (15), `refused` (16).
    pub recall: Option<String>,
    /// A signed incoming package's verified signer: "<SHA-256 of the certificate> <subject>".
    pub signer: Option<String>,
    /// Whether that certificate is one this system trusts (`motcua peer trust`).
    pub signer_trusted: bool,
}

/// One trace row.
#[derive(Debug, Serialize, ToSchema)]
pub struct TraceView {
    /// RFC 3339, UTC+7.
    pub at: String,
    pub event: String,
    pub organ_id: Option<String>,
    pub description: Option<String>,
}

/// A package with its trace.
#[derive(Debug, Serialize, ToSchema)]
pub struct PackageDetail {
    #[serde(flatten)]
    pub package: PackageView,
    pub trace: Vec<TraceView>,
}

fn shown(ts: &str) -> String {
    motcua_store::parse_ts(ts).map(crate::views::local).unwrap_or_else(|_| ts.to_owned())
}

pub(crate) fn view(p: StoredPackage, duplicate: bool) -> PackageView {
    PackageView {
        id: p.id,
        direction: p.direction,
        unit: p.unit,
        document_id: p.document_id,
        from: p.from_organ,
        to: p.to_organs.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        subject: p.subject,
        state: p.state,
        dossier: p.dossier,
        created_at: shown(&p.created_at),
        duplicate,
        register_document: None,
        business_type: p.business_type,
        concerns: p.concerns,
        recall: p.recall,
        signer: p.signer,
        signer_trusted: p.signer_trusted,
    }
}

#[utoipa::path(post, path = "/api/v1/edxml/inbox", tag = "exchange", security(("bearer" = [])),
    request_body(content = String, content_type = "application/xml", description = "edXML package or status message"),
    responses((status = 201, body = PackageView, description = "registered"),
        (status = 200, body = PackageView, description = "a repeat, or a status message applied"),
        (status = 202, body = PackageView, description = "relayed to organs hosted elsewhere"),
        (status = 401, body = crate::error::ErrorBody), (status = 413, body = EdxmlErrorBody),
        (status = 422, body = EdxmlErrorBody, description = "invalid package or signature, unknown recipient, routing loop"),
        (status = 503, body = crate::error::ErrorBody, description = "deliver again")))]
pub async fn inbox(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let caller = inbox::caller(&state, token).await?;
    Ok(match inbox::receive(&state, &caller, &body).await? {
        Received::Invalid(e) => invalid(e),
        Received::Status { applied, relayed } => {
            (StatusCode::OK, Json(serde_json::json!({"applied": applied, "relayed": relayed}))).into_response()
        }
        Received::Relayed(stored) => (StatusCode::ACCEPTED, Json(view(stored, false))).into_response(),
        Received::Registered { package, fresh, register_document } => {
            let status = if fresh { StatusCode::CREATED } else { StatusCode::OK };
            let mut v = view(package, !fresh);
            v.register_document = register_document;
            (status, Json(v)).into_response()
        }
    })
}

#[utoipa::path(post, path = "/api/v1/edxml/outbox", tag = "exchange", security(("bearer" = [])),
    request_body(content = String, content_type = "application/xml", description = "edXML package to send"),
    responses((status = 201, body = PackageView), (status = 200, body = PackageView),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = EdxmlErrorBody)))]
pub async fn outbox(State(state): State<AppState>, officer: Officer, body: Bytes) -> Result<Response, ApiError> {
    let package = match Package::from_xml_with(&body, motcua_app::edxml::limits()) {
        Ok(p) => p,
        Err(e) => return Ok(invalid(e)),
    };
    let (stored, fresh) = outbox::send(&state, &officer.0, package).await?;
    let status = if fresh { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(view(stored, !fresh))).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// `in` (incoming), `out` (outgoing, the default) or `relay` (passed on for organs hosted
    /// elsewhere; the top unit's clerks).
    pub direction: Option<String>,
    /// Substring of the subject or DocumentId.
    pub q: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/edxml/packages", tag = "exchange", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<PackageView>), (status = 401, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    officer: Officer,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<PackageView>>> {
    let direction = match q.direction.as_deref() {
        Some("in" | "incoming") => "in",
        Some("out" | "outgoing") | None => "out",
        Some("relay") => "relay",
        Some(_) => {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidDirection,
                "direction must be in, out or relay",
                "direction phải là in, out hoặc relay",
            ));
        }
    };
    let units = clerk_units(&officer.0);
    let items = state.store.edxml_packages(direction, &units, q.q.as_deref().filter(|s| !s.trim().is_empty())).await?;
    Ok(Json(items.into_iter().map(|p| view(p, false)).collect()))
}

pub(crate) async fn own_package(state: &AppState, officer: &Officer, id: &str) -> ApiResult<StoredPackage> {
    Ok(outbox::own_package(state, &officer.0, id).await?)
}

#[utoipa::path(get, path = "/api/v1/edxml/packages/{id}", tag = "exchange", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = PackageDetail), (status = 404, body = crate::error::ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
) -> ApiResult<Json<PackageDetail>> {
    let p = own_package(&state, &officer, &id).await?;
    let trace = state
        .store
        .edxml_trace(&p.id)
        .await?
        .into_iter()
        .map(|r| TraceView { at: shown(&r.at), event: r.event, organ_id: r.organ_id, description: r.description })
        .collect();
    Ok(Json(PackageDetail { package: view(p, false), trace }))
}

/// A status the receiving clerk records.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusInput {
    /// `assigned` (04), `processing` (05), `completed` (06) or `rejected` (02, reason required).
    pub status: String,
    pub reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/edxml/packages/{id}/status", tag = "exchange", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = StatusInput,
    responses((status = 200, body = PackageDetail), (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_status(
    State(state): State<AppState>,
    officer: Officer,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<StatusInput>,
) -> ApiResult<Json<PackageDetail>> {
    let status = IncomingStatus::parse(input.status.as_str())?;
    outbox::set_status(&state, &officer.0, &id, status, input.reason.as_deref()).await?;
    detail(State(state), officer, Path(id)).await
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/edxml/inbox", post(inbox).layer(DefaultBodyLimit::max(MAX_PACKAGE)))
        .route("/api/v1/edxml/outbox", post(outbox).layer(DefaultBodyLimit::max(MAX_PACKAGE)))
        .route("/api/v1/edxml/packages", get(list))
        .route("/api/v1/edxml/packages/{id}", get(detail))
        .route("/api/v1/edxml/packages/{id}/status", post(set_status))
        .route("/api/v1/edxml/packages/{id}/recall", post(super::edxml_recall::recall))
        .route("/api/v1/edxml/packages/{id}/recall-answer", post(super::edxml_recall::answer))
}
