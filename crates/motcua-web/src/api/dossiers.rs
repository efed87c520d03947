//! Dossiers: submission (online by citizens, at the counter by receivers), the officer's view,
//! the public lookup by code + secret, and actions with optimistic concurrency (`If-Match`).

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_domain::ErrorCode;
use motcua_domain::dossier::actions::{Action, ActionKind, allowed_actions};
use motcua_domain::dossier::digitization::Provenance;
use motcua_domain::dossier::{Actor, Applicant, Channel, DocumentRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiBody, ApiQuery, MaybeOfficer, Officer, if_match};
use crate::multipart::{MAX_BODY, Upload};
use crate::views::{DossierView, PublicView, local};
use motcua_app::dossiers;
use motcua_app::files::Label;
use motcua_store::web::NewFile;

/// Name of the file parts of an action: an approval's result, a supplement's documents.
const ACTION_FILES: &str = "files";

/// A document handed in: a name, or `{"name"}`. It is digitized when its file is sent with it
/// (the part `documents[N]`), never by a flag: `"digitized": true` without the file is refused
/// (`scan_required`), and `"reused": true` always (`reuse_not_declared`: the server decides reuse
/// when a document is taken from the applicant's store).
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub enum DocumentInput {
    Name(String),
    Full {
        name: String,
        /// Kept for clients written before issue 16: `true` must come with the file.
        #[serde(default)]
        digitized: bool,
        /// Kept for clients written before issue 16: only `false` is accepted.
        #[serde(default)]
        reused: bool,
    },
}

impl DocumentInput {
    /// The document, and whether the sender claims it digitized (checked against the files).
    fn record(self) -> ApiResult<(DocumentRecord, bool)> {
        match self {
            DocumentInput::Name(name) => Ok((DocumentRecord::named(name), false)),
            DocumentInput::Full { name, reused: true, .. } => Err(ApiError::unprocessable(
                ErrorCode::ReuseNotDeclared,
                format!(
                    "“{name}”: re-use is decided by the server when a document is taken from the applicant's store; send the file instead"
                ),
                format!(
                    "“{name}”: việc tái sử dụng do hệ thống xác định khi giấy tờ được lấy từ kho dữ liệu của người nộp; hãy gửi tệp"
                ),
            )),
            DocumentInput::Full { name, digitized, .. } => Ok((DocumentRecord::named(name), digitized)),
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
    /// Counter and postal dossiers (received at once): the facts the procedure's fee schedule
    /// needs, one per line that needs one: `{"line": 0, "quantity": 10, "groups": 2}` (pages,
    /// copies), `{"line": 1, "chosen": true}` (a line due only in the case it names),
    /// `{"line": 0, "relief": {"percent": 100, "reason": "…"}}` (an exemption with its basis).
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub fees: Vec<motcua_domain::catalog::fees::FeeFact>,
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

/// A submission with its files, as `multipart/form-data`.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct CreateDossierUpload {
    /// The submission as JSON, as the `application/json` body.
    pub body: String,
    /// The electronic copy (PDF, JPEG or PNG, at most 10 MB; 30 MB for all) of the first
    /// document; `documents[1]` for the second, and so on.
    #[serde(rename = "documents[0]")]
    #[schema(value_type = Option<String>, format = Binary)]
    pub document: Option<Vec<u8>>,
}

/// An action with its files, as `multipart/form-data`.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct ActionUpload {
    /// The action as JSON, as the `application/json` body.
    pub body: String,
    /// A file (PDF, JPEG or PNG, at most 10 MB): an approval's electronic result (one), or a
    /// supplement's documents (up to 10, each listed under its file name). Repeat the part for
    /// several files.
    #[schema(value_type = Option<String>, format = Binary)]
    pub files: Option<Vec<u8>>,
    /// A reception's scan of the dossier's first document, scanned at the counter;
    /// `documents[1]` for the second, and so on.
    #[serde(rename = "documents[0]")]
    #[schema(value_type = Option<String>, format = Binary)]
    pub document: Option<Vec<u8>>,
}

#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers",
    request_body(content((CreateDossier = "application/json"), (CreateDossierUpload = "multipart/form-data"))),
    description = "Online submissions are open to anyone; counter and postal ones need a receiver's token and are received at once. \
        Send `multipart/form-data` to upload the documents' electronic copies in the same request: the JSON as the `body` part, \
        the file of `documents[N]` as the part `documents[N]`; the dossier and its files are stored together or not at all.",
    responses((status = 201, body = Created), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_dossier(
    State(state): State<AppState>,
    MaybeOfficer(officer): MaybeOfficer,
    ApiBody { value: req, files }: ApiBody<CreateDossier>,
) -> ApiResult<Response> {
    let channel = dossiers::parse_channel(&req.channel)?;
    let (mut documents, claimed): (Vec<DocumentRecord>, Vec<bool>) =
        req.documents.into_iter().map(DocumentInput::record).collect::<ApiResult<Vec<_>>>()?.into_iter().unzip();
    let by = match &officer {
        Some(o) if channel != Channel::Online => motcua_app::files::handed_in(&o.actor(), state.now()),
        _ => motcua_app::files::handed_in(&Actor::Applicant, state.now()),
    };
    let files = document_files(&mut documents, files, &by)?;
    if let Some(doc) = documents.iter().zip(&claimed).find(|(d, c)| **c && !d.digitized()).map(|(d, _)| d) {
        return Err(ApiError::unprocessable(
            ErrorCode::ScanRequired,
            format!(
                "“{}”: a document is digitized by sending its file (the part documents[N]), not by a flag",
                doc.name
            ),
            format!("“{}”: giấy tờ được số hóa khi gửi kèm tệp (phần documents[N]), không phải khi đánh dấu", doc.name),
        ));
    }
    let submission = dossiers::Submission {
        procedure_code: req.procedure_code,
        channel,
        applicant: req.applicant,
        documents,
        unit: req.unit,
        fees: req.fees,
    };
    let (d, secret) = dossiers::submit_with_files(&state, officer.as_ref().map(|o| &o.0), submission, files).await?;
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

/// The files of a submission, each sent as the part `documents[N]`: the electronic copy of the
/// N-th (from 0) of `documents`, which then names it and counts as digitized.
fn document_files(documents: &mut [DocumentRecord], uploads: Vec<Upload>, by: &Provenance) -> ApiResult<Vec<NewFile>> {
    let mut accepted = Vec::new();
    for u in uploads {
        let index =
            u.field.strip_prefix("documents[").and_then(|r| r.strip_suffix(']')).and_then(|n| n.parse::<usize>().ok());
        let Some(doc) = index.and_then(|i| documents.get_mut(i)) else {
            return Err(ApiError::bad_request(
                ErrorCode::UnexpectedFile,
                format!(
                    "file part '{}': name each file documents[N], N the position (from 0) of its document",
                    u.field
                ),
                format!("phần tệp '{}': đặt tên documents[N], N là vị trí (từ 0) của giấy tờ tương ứng", u.field),
            ));
        };
        if doc.file.is_some() {
            return Err(ApiError::bad_request(
                ErrorCode::UnexpectedFile,
                format!("file part '{}' is sent twice", u.field),
                format!("phần tệp '{}' được gửi hai lần", u.field),
            ));
        }
        let a = u.accept(Label::same(&doc.name))?;
        *doc = a.record(&doc.name, by.clone());
        accepted.push(a);
    }
    motcua_app::files::check_total(&accepted)?;
    Ok(accepted.into_iter().map(|a| a.into_file(motcua_app::files::DOCUMENT)).collect())
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
    request_body(description = "{\"action\": \"receive\" | \"refuse\" | \"request_supplement\" | \"supplement\" | \"assign\" | \"complete_step\" | \"transfer\" | \"approve\" | \"reject\" | \"extend\" | \"return_result\" | \"withdraw\" | \"decline_withdrawal\" | \"request_fees\" | \"rate\" | \"revoke_result\", ...fields}",
        content((Object = "application/json"), (ActionUpload = "multipart/form-data"))),
    description = "Officers act with their bearer token; applicants (supplement, withdraw, rate) with ?secret=. \
        Send `multipart/form-data` to attach files: the JSON as the `body` part, files as parts named `files` \
        (approve: the electronic result; supplement: the documents handed in), a reception's scans as `documents[N]` (the dossier's N-th document); \
        the action and its files are stored together or not at all. A document is digitized and a result electronic only with its file: \
        `receive` with `digitized` names is refused (`scan_required`), `approve` with `result_digitized: true` and no file too (`result_file_required`).",
    responses((status = 200, body = DossierView), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    MaybeOfficer(officer): MaybeOfficer,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<SecretQuery>,
    headers: HeaderMap,
    ApiBody { value: body, files }: ApiBody<serde_json::Value>,
) -> ApiResult<Response> {
    let version = if_match(&headers)?;
    let mut action = parse_action(body)?;
    let (actor, mut dossier) = match &officer {
        Some(o) => (o.actor(), None),
        None => (Actor::Applicant, Some(dossiers::load_with_secret(&state, &code, q.secret.as_deref()).await?)),
    };
    let mut accepted = Vec::new();
    for u in files {
        // A reception's scans name their document: `documents[N]`, the dossier's N-th document.
        let scanned = u.field.strip_prefix("documents[").and_then(|r| r.strip_suffix(']')).and_then(|n| n.parse().ok());
        if let (Some(n), Action::Receive(_)) = (scanned, &action) {
            // Read once for all the scans of the request.
            let d = match &mut dossier {
                Some(d) => d,
                None => dossier.insert(dossiers::load_for_officer(&state, &actor, &code).await?),
            };
            let Some(doc) = d.documents.get::<usize>(n) else {
                return Err(ApiError::bad_request(
                    ErrorCode::UnexpectedFile,
                    format!("file part '{}': the dossier has {} document(s)", u.field, d.documents.len()),
                    format!("phần tệp '{}': hồ sơ có {} giấy tờ", u.field, d.documents.len()),
                ));
            };
            let name = doc.name.clone();
            accepted.push(u.accept(Label::same(&name))?.scanning(&name));
            continue;
        }
        if u.field != ACTION_FILES {
            return Err(ApiError::bad_request(
                ErrorCode::UnexpectedFile,
                format!(
                    "file part '{}': send an action's files as parts named '{ACTION_FILES}' (a reception's scans as documents[N])",
                    u.field
                ),
                format!(
                    "phần tệp '{}': gửi tệp của thao tác trong các phần tên '{ACTION_FILES}' (bản quét khi tiếp nhận: documents[N])",
                    u.field
                ),
            ));
        }
        accepted.push(u.accept(Label { vi: "Tệp", en: "File" })?);
    }
    let by = motcua_app::files::handed_in(&actor, state.now());
    let files = motcua_app::files::attach(&mut action, accepted, &by)?;
    let d = dossiers::act_with_files(&state, actor.clone(), &code, version, action, files).await?;
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
        .route("/api/v1/dossiers", post(create_dossier).layer(DefaultBodyLimit::max(MAX_BODY)))
        .route("/api/v1/dossiers/{code}", get(get_dossier))
        .route("/api/v1/dossiers/{code}/actions", post(act).layer(DefaultBodyLimit::max(MAX_BODY)))
        .route("/api/v1/lookup/{code}", get(lookup))
}
