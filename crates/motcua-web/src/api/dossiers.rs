//! Dossiers: submission (online by citizens, at the counter by receivers), the officer's view,
//! the public lookup by code + secret, and actions with optimistic concurrency (`If-Match`).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_domain::ErrorCode;
use motcua_domain::dossier::actions::{Action, ActionKind, allowed_actions};
use motcua_domain::dossier::{Actor, Applicant, Channel, DocumentRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, MaybeOfficer, Officer, if_match};
use crate::views::{DossierView, PublicView, local};
use motcua_app::dossiers;

/// A document handed in: a name, or an object with provenance flags.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub enum DocumentInput {
    Name(String),
    Full {
        name: String,
        #[serde(default)]
        digitized: bool,
        #[serde(default)]
        reused: bool,
    },
}

impl DocumentInput {
    fn record(self, channel: Channel) -> DocumentRecord {
        match self {
            // An online submission is electronic by nature (TT 03/2025 Art. 5.2: no scan needed).
            DocumentInput::Name(name) => {
                DocumentRecord { name, digitized: channel == Channel::Online, reused: false, file: None }
            }
            DocumentInput::Full { name, digitized, reused } => {
                DocumentRecord { name, digitized: digitized || channel == Channel::Online, reused, file: None }
            }
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct CreateDossier {
    pub procedure_code: String,
    /// online | counter | postal
    pub channel: String,
    /// `{"name", "id_number" (12 or 9 digits), "phone", "email", "address"}`; only the name is
    /// required. Personal data: never logged, never shown on public lookups.
    #[schema(value_type = Object, example = json!({"name": "Nguyễn Văn An", "id_number": "091234567890", "phone": "0912345678", "email": "an@example.vn", "address": "Phú Quốc, An Giang"}))]
    pub applicant: Applicant,
    #[serde(default)]
    pub documents: Vec<DocumentInput>,
    /// For commune-level procedures: the commune (ward, special zone) that resolves it. For
    /// counter dossiers: the receiving unit, when the receiver works at several.
    pub unit: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub code: String,
    /// Shown once: needed with the code for public lookup.
    pub secret: String,
    pub status: String,
    pub version: i64,
    pub received_at: Option<String>,
    pub due_at: Option<String>,
    pub appointment_at: Option<String>,
    pub receiving_unit: String,
    pub resolving_unit: String,
}

#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers", request_body = CreateDossier,
    description = "Online submissions are open to anyone; counter and postal ones need a receiver's token and are received at once.",
    responses((status = 201, body = Created), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_dossier(
    State(state): State<AppState>,
    MaybeOfficer(officer): MaybeOfficer,
    ApiJson(req): ApiJson<CreateDossier>,
) -> ApiResult<Response> {
    let channel = dossiers::parse_channel(&req.channel)?;
    let documents = req.documents.into_iter().map(|d| d.record(channel)).collect();
    let submission = dossiers::Submission {
        procedure_code: req.procedure_code,
        channel,
        applicant: req.applicant,
        documents,
        unit: req.unit,
    };
    let (d, secret) = dossiers::submit(&state, officer.as_ref().map(|o| &o.0), submission).await?;
    let body = Created {
        code: d.code.to_string(),
        secret,
        status: d.status.as_str().to_owned(),
        version: d.version,
        received_at: d.received_at.map(local),
        due_at: d.due_at.map(local),
        appointment_at: d.appointment_at.map(local),
        receiving_unit: d.receiving_unit.to_string(),
        resolving_unit: d.resolving_unit.to_string(),
    };
    Ok((StatusCode::CREATED, etag(d.version), Json(body)).into_response())
}

fn etag(version: i64) -> [(header::HeaderName, HeaderValue); 1] {
    [(header::ETAG, HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\"")))]
}

#[utoipa::path(get, path = "/api/v1/dossiers/{code}", tag = "dossiers", security(("bearer" = [])), params(("code" = String, Path)),
    responses((status = 200, body = DossierView, headers(("ETag" = String, description = "the dossier version"))),
        (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_dossier(
    State(state): State<AppState>,
    officer: Officer,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    let d = dossiers::load_for_officer(&state, &officer.actor(), &code).await?;
    let events = state.store.events(&code).await?;
    let cal = state.calendars.get(Some(&d.resolving_unit));
    let view = DossierView::new(&d, &cal, allowed_actions(&d, &officer.actor()), &events, state.now());
    Ok((etag(d.version), Json(view)).into_response())
}

#[derive(Deserialize, IntoParams)]
pub struct SecretQuery {
    /// The lookup secret printed on the receipt.
    pub secret: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/lookup/{code}", tag = "dossiers", params(("code" = String, Path), SecretQuery),
    description = "Public status of a dossier for whoever holds its code and secret. No personal data.",
    responses((status = 200, body = PublicView), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn lookup(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<SecretQuery>,
) -> ApiResult<Response> {
    let d = dossiers::load_with_secret(&state, &code, q.secret.as_deref()).await?;
    let events = state.store.events(&code).await?;
    Ok((etag(d.version), Json(PublicView::new(&d, allowed_actions(&d, &Actor::Applicant), &events))).into_response())
}

/// Reads the `action` field first so an unknown action gets a precise message.
fn parse_action(body: serde_json::Value) -> ApiResult<Action> {
    let name = body.get("action").and_then(|a| a.as_str()).unwrap_or_default().to_owned();
    let names: Vec<&str> = ActionKind::ALL.iter().map(|k| k.as_str()).collect();
    if !names.contains(&name.as_str()) {
        return Err(ApiError::bad_request(
            ErrorCode::UnknownAction,
            format!("'action' must be one of: {}", names.join(", ")),
            format!("'action' phải là một trong: {}", names.join(", ")),
        ));
    }
    serde_json::from_value(body).map_err(|e| {
        ApiError::bad_request(
            ErrorCode::InvalidAction,
            format!("invalid fields for action '{name}': {e}"),
            format!("dữ liệu không hợp lệ cho thao tác '{name}': {e}"),
        )
    })
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/actions", tag = "dossiers", params(("code" = String, Path), SecretQuery,
        ("If-Match" = String, Header, description = "the dossier version acted on, e.g. 3 or \"3\"")),
    request_body(content = Object, description = "{\"action\": \"receive\" | \"refuse\" | \"request_supplement\" | \"supplement\" | \"assign\" | \"complete_step\" | \"transfer\" | \"approve\" | \"reject\" | \"extend\" | \"return_result\" | \"withdraw\" | \"rate\", ...fields}"),
    description = "Officers act with their bearer token; applicants (supplement, withdraw, rate) with ?secret=.",
    responses((status = 200, body = DossierView), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    MaybeOfficer(officer): MaybeOfficer,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<SecretQuery>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Response> {
    let version = if_match(&headers)?;
    let action = parse_action(body)?;
    let actor = match &officer {
        Some(o) => o.actor(),
        None => {
            dossiers::load_with_secret(&state, &code, q.secret.as_deref()).await?;
            Actor::Applicant
        }
    };
    let d = dossiers::act(&state, actor.clone(), &code, version, action).await?;
    // The history is not repeated here (GET the dossier for it): actions are the hot path.
    if officer.is_none() {
        return Ok((etag(d.version), Json(PublicView::new(&d, allowed_actions(&d, &actor), &[]))).into_response());
    }
    let cal = state.calendars.get(Some(&d.resolving_unit));
    Ok((etag(d.version), Json(DossierView::new(&d, &cal, allowed_actions(&d, &actor), &[], state.now())))
        .into_response())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/dossiers", post(create_dossier))
        .route("/api/v1/dossiers/{code}", get(get_dossier))
        .route("/api/v1/dossiers/{code}/actions", post(act))
        .route("/api/v1/lookup/{code}", get(lookup))
}
