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
use motcua_domain::dossier::Role;
use motcua_domain::exchange::trace::DeliveryState;
use motcua_edxml::{EdxmlError, Limits, Package, StatusMessage, TraceHeader};
use motcua_store::edxml::{NewPackage, StoredPackage};
use motcua_store::users::User;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::exchange::{local_organ, status_reply, vn_local};
use crate::extract::{ApiJson, ApiQuery, Officer};

/// Largest package body accepted (the codec's own limit, docs/EDXML.md).
const MAX_PACKAGE: usize = motcua_edxml::limits::MAX_PACKAGE_BYTES;

/// A refused package: the usual error fields plus the element path.
#[derive(Debug, Serialize, ToSchema)]
pub struct EdxmlErrorBody {
    pub code: String,
    pub message: String,
    pub message_vi: String,
    /// Element path from the root, e.g. `edXML/edXMLEnvelope/edXMLHeader/MessageHeader/Subject`.
    pub path: String,
}

fn invalid(e: EdxmlError) -> Response {
    let status = match e.code {
        "too_large" | "too_many_attachments" | "attachment_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let body = EdxmlErrorBody { code: e.code.to_owned(), message: e.reason, message_vi: e.reason_vi, path: e.path };
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

/// Who is calling the inbox: a peer system (its name, from its credential) or a clerk.
enum Caller {
    Peer(String),
    Clerk(User),
}

async fn caller(state: &AppState, headers: &HeaderMap) -> ApiResult<Caller> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(ApiError::unauthorized)?;
    let hash = crate::auth::token_hash(token);
    if let Some(name) = state.store.peer_by_token(&hash).await? {
        return Ok(Caller::Peer(name));
    }
    match state.store.token_user(&hash, state.now()).await? {
        Some(u) if u.roles.iter().any(|(_, r)| *r == Role::Clerk) => Ok(Caller::Clerk(u)),
        Some(_) => {
            Err(ApiError::forbidden("only clerks (văn thư) exchange documents", "chỉ văn thư được trao đổi văn bản"))
        }
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "the token is unknown or expired",
            "thông tin xác thực không hợp lệ hoặc đã hết hạn",
        )),
    }
}

fn clerk_units(u: &User) -> Vec<String> {
    u.roles.iter().filter(|(_, r)| *r == Role::Clerk).map(|(unit, _)| unit.clone()).collect()
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
    let caller = caller(&state, &headers).await?;
    let t = state.now();
    let package = match Package::from_xml(&body) {
        Ok(p) => p,
        Err(package_error) => {
            return match StatusMessage::from_xml(&body) {
                Ok(s) => status_arrived(&state, &s, &body, t).await,
                Err(_) => Ok(invalid(package_error)),
            };
        }
    };
    let signer = match crate::exchange::signature::check(&state.store, &body).await {
        Ok(s) => s,
        Err(e) => return Ok(invalid(e)),
    };
    let units = state.store.units().await?;
    let local_unit =
        |id: &str| units.iter().find(|u| u.is_current() && u.organ_id.as_deref() == Some(id)).map(|u| u.code.clone());
    let locals: Vec<String> = package.header.to.iter().filter_map(|to| local_unit(to.id.as_str())).collect();
    let remote: Vec<String> =
        package.header.to.iter().map(|o| o.id.as_str().to_owned()).filter(|id| local_unit(id).is_none()).collect();
    // Recipients hosted elsewhere: a peer's package is passed on (a province system between its
    // communes and the central axis).
    let relayed = match (&caller, remote.is_empty()) {
        (Caller::Peer(from), false) => {
            match crate::exchange::relay::relay(&state, from, &package, &body, &remote, &signer, t).await? {
                Ok(id) => Some(id),
                Err(refusal) if locals.is_empty() => return Err(refusal),
                Err(refusal) => {
                    tracing::warn!(code = %refusal.body.code, "package registered locally, not relayed");
                    None
                }
            }
        }
        _ => None,
    };
    let Some(unit_code) = locals.first() else {
        if let Some(id) = relayed {
            let stored = state.store.edxml_package(&id).await?.ok_or_else(ApiError::internal)?;
            return Ok((StatusCode::ACCEPTED, Json(view(stored, false))).into_response());
        }
        return Err(ApiError::unprocessable(
            "unknown_recipient",
            "no unit of this system has the organ id of any recipient (MessageHeader/To/OrganId), and none is relayed",
            "không có đơn vị nào của hệ thống có mã định danh của nơi nhận (MessageHeader/To/OrganId) và không chuyển tiếp được",
        ));
    };
    let unit = units.iter().find(|u| &u.code == unit_code).ok_or_else(ApiError::internal)?;
    if let Caller::Clerk(u) = &caller
        && !clerk_units(u).contains(&unit.code)
    {
        return Err(ApiError::forbidden("not a clerk of the receiving unit", "không phải văn thư của đơn vị nhận"));
    }
    let Some(organ) = local_organ(unit) else { return Err(ApiError::internal()) };
    // A signed package is kept as received (its signature stays verifiable); others canonical.
    let xml = if signer.is_some() { String::from_utf8_lossy(&body).into_owned() } else { package.to_xml() };
    let mut new = crate::exchange::package_row(&unit.code, &package, xml, None);
    if let Some(s) = &signer {
        new.signer = Some(s.label());
        new.signer_trusted = s.trusted;
    }
    let idem = new.idem.clone();
    // The reply is keyed by the registration; the id is only known after insertion, so the
    // key uses the digest, which is as unique per unit.
    let reply =
        status_reply(&format!("{}:{idem}", unit.code), &package, &organ, motcua_edxml::StatusCode::Registered, None, t)
            .map_err(|e| {
                tracing::error!(error = %e.reason, "status message not built");
                ApiError::internal()
            })?;
    let (id, fresh) = state.store.register_incoming(&new, &[reply], t).await?;
    // The office's incoming register gets the document too (idempotent on the same digest).
    let register_document = match crate::exchange::office::register_incoming(&state, &unit.code, &package, &idem).await
    {
        Ok(d) => Some(d),
        Err(e) => {
            tracing::error!(code = %e.body.code, error = %e.body.message, "package not entered in the incoming register");
            None
        }
    };
    // An answer to a liên thông step completes it (again on a repeat, which changes nothing); if
    // that cannot be written now, 503 makes the sender deliver again.
    if let Err(e) = super::agency_exchange::result_arrived(&state, &package, &id).await {
        tracing::error!(package = %id, error = %e, "liên thông result not recorded; asking the sender to retry");
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "try_again",
            "the answer is registered but its dossier step could not be completed now; deliver it again",
            "văn bản đã được tiếp nhận nhưng chưa cập nhật được hồ sơ; đề nghị gửi lại",
        ));
    }
    let stored = state.store.edxml_package(&id).await?.ok_or_else(ApiError::internal)?;
    tracing::info!(package = %id, unit = %unit.code, fresh, "edXML package received");
    let status = if fresh { StatusCode::CREATED } else { StatusCode::OK };
    let mut v = view(stored, !fresh);
    v.register_document = register_document;
    Ok((status, Json(v)).into_response())
}

/// A status message for a package this system sent.
async fn status_arrived(
    state: &AppState,
    s: &StatusMessage,
    body: &[u8],
    t: time::OffsetDateTime,
) -> Result<Response, ApiError> {
    if s.status == motcua_edxml::StatusCode::RecallRequested {
        return super::edxml_recall::recall_arrived(state, s, body, t).await;
    }
    let n = state
        .store
        .apply_status(
            &s.response_for.document_id,
            s.status.code(),
            s.from.id.as_str(),
            s.description.as_deref(),
            &s.digest_hex(),
            t,
        )
        .await?;
    if let Some(status) = crate::exchange::office::trace_status(s.status.code())
        && n.1 > 0
    {
        let note = s.description.as_deref();
        crate::exchange::office::mirror_trace(
            &state.store,
            &s.response_for.document_id,
            s.from.id.as_str(),
            status,
            note,
        )
        .await;
    }
    let n = n.0;
    let relayed = crate::exchange::relay::pass_status_back(state, s, body, t).await?;
    if n == 0 && relayed == 0 {
        return Err(ApiError::unprocessable(
            "unknown_document",
            "no package sent by this system has this DocumentId (Status/ResponseFor/DocumentId)",
            "hệ thống không gửi văn bản nào có DocumentId này (Status/ResponseFor/DocumentId)",
        ));
    }
    Ok((StatusCode::OK, Json(serde_json::json!({"applied": n, "relayed": relayed}))).into_response())
}

#[utoipa::path(post, path = "/api/v1/edxml/outbox", tag = "exchange", security(("bearer" = [])),
    request_body(content = String, content_type = "application/xml", description = "edXML package to send"),
    responses((status = 201, body = PackageView), (status = 200, body = PackageView),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = EdxmlErrorBody)))]
pub async fn outbox(State(state): State<AppState>, officer: Officer, body: Bytes) -> Result<Response, ApiError> {
    let mut package = match Package::from_xml(&body) {
        Ok(p) => p,
        Err(e) => return Ok(invalid(e)),
    };
    let units = state.store.units().await?;
    let from = package.header.from.id.as_str().to_owned();
    let unit = clerk_units(&officer.0)
        .into_iter()
        .find(|c| units.iter().any(|u| &u.code == c && u.organ_id.as_deref() == Some(from.as_str())))
        .ok_or_else(|| {
            ApiError::forbidden(
                "MessageHeader/From/OrganId must be the organ id of a unit where you are a clerk",
                "MessageHeader/From/OrganId phải là mã định danh của đơn vị mà bạn là văn thư",
            )
        })?;
    let t = state.now();
    let p = send_package(&state, &unit, &mut package, None, t).await?;
    let fresh = p.1;
    let stored = state.store.edxml_package(&p.0).await?.ok_or_else(ApiError::internal)?;
    let status = if fresh { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(view(stored, !fresh))).into_response())
}

/// Sends `package` from local `unit`: appends this system's trace header, validates, stores it
/// and queues one delivery per recipient, in one transaction. Answers (id, first time).
pub async fn send_package(
    state: &AppState,
    unit: &str,
    package: &mut Package,
    dossier: Option<String>,
    t: time::OffsetDateTime,
) -> ApiResult<(String, bool)> {
    let new = new_package(state, unit, package, dossier, t)?;
    Ok(state.store.send_package(&new, t).await?)
}

/// Stamps this hop's trace header on `package`, validates it, signs it when the system has a
/// key, and makes the row that queues it
/// for delivery (written by the caller, in the caller's transaction).
pub fn new_package(
    state: &AppState,
    unit: &str,
    package: &mut Package,
    dossier: Option<String>,
    t: time::OffsetDateTime,
) -> ApiResult<NewPackage> {
    package.header.traces.push(TraceHeader { organ_id: package.header.from.id.clone(), timestamp: vn_local(t) });
    if let Err(e) = package.validate(&Limits::default()) {
        return Err(ApiError::unprocessable(e.code, format!("{} at {}", e.reason, e.path), e.reason_vi));
    }
    let xml = crate::exchange::signature::sign_outgoing(state.signing_key.as_deref(), package.to_xml())
        .map_err(|e| ApiError::unprocessable(e.code, format!("{} at {}", e.reason, e.path), e.reason_vi))?;
    Ok(crate::exchange::package_row(unit, package, xml, dossier))
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
                "invalid_direction",
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
    match state.store.edxml_package(id).await? {
        Some(p) if clerk_units(&officer.0).contains(&p.unit) => Ok(p),
        _ => Err(ApiError::not_found("package", "văn bản")),
    }
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
    use motcua_edxml::StatusCode as S;
    let p = own_package(&state, &officer, &id).await?;
    if p.direction != "in" {
        return Err(ApiError::unprocessable(
            "not_incoming",
            "statuses are recorded on incoming packages",
            "chỉ cập nhật trạng thái văn bản đến",
        ));
    }
    let (code, st) = match input.status.as_str() {
        "assigned" => (S::Assigned, DeliveryState::Assigned),
        "processing" => (S::Processing, DeliveryState::Processing),
        "completed" => (S::Completed, DeliveryState::Completed),
        "rejected" => (S::Rejected, DeliveryState::Rejected),
        _ => {
            return Err(ApiError::bad_request(
                "invalid_status",
                "status must be assigned, processing, completed or rejected",
                "trạng thái phải là assigned, processing, completed hoặc rejected",
            ));
        }
    };
    let reason = input.reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    if code == S::Rejected && reason.is_none() {
        return Err(ApiError::unprocessable("reason_required", "a rejection needs a reason", "từ chối phải nêu lý do"));
    }
    let package = Package::from_xml(p.xml.as_bytes()).map_err(|_| ApiError::internal())?;
    let unit = state.store.unit(&p.unit).await?;
    let organ = local_organ(&unit).ok_or_else(ApiError::internal)?;
    let t = state.now();
    let reply = status_reply(&p.id, &package, &organ, code, reason.clone(), t)
        .map_err(|e| ApiError::unprocessable(e.code, format!("{} at {}", e.reason, e.path), e.reason_vi))?;
    state.store.record_incoming_status(&p.id, st, reason.as_deref(), &reply, t).await?;
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
