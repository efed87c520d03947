//! The electronic office (văn phòng điện tử): each unit's incoming and outgoing document
//! registers. Clerks (văn thư) register incoming paper documents and number/send outgoing ones;
//! leaders and clerks assign; the assigned officer handles. The rules live in
//! `motcua_domain::office`; docs/OFFICE.md describes the whole flow. Sending over edXML is the
//! exchange's: [`apply`] of `send` records the package with the event (`motcua_app::documents::exchange`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_domain::ErrorCode;
use motcua_domain::dossier::Actor;
use motcua_domain::office::{self, Command, Direction, Document, Metadata, Organ, Priority, Signer, Status};
use motcua_store::StoreError;
use motcua_store::documents::{DocumentFilter, RegisterScope};

use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Officer};
use crate::views::local;
use motcua_app::documents::{NewDocument, apply, create_outgoing, load, register_incoming};

/// The fields of a document as sent by clients (both directions).
#[derive(Debug, Clone, Deserialize)]
pub struct DocumentFields {
    /// The unit whose register holds it; the officer's only unit when absent.
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub code_number: Option<String>,
    #[serde(default)]
    pub code_notation: Option<String>,
    #[serde(default)]
    pub document_type: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub promulgation_place: Option<String>,
    #[serde(default)]
    pub promulgation_date: Option<String>,
    #[serde(default)]
    pub signer: Option<Signer>,
    #[serde(default)]
    pub sender: Option<Organ>,
    #[serde(default)]
    pub recipients: Vec<Organ>,
    #[serde(default)]
    pub due_date: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub steering_type: Option<u8>,
    #[serde(default)]
    pub dossier_code: Option<String>,
    /// Incoming: when it arrived (RFC 3339); now when absent.
    #[serde(default)]
    pub received_at: Option<String>,
    /// Outgoing: number it at once (văn thư only).
    #[serde(default)]
    pub issue: bool,
    /// Outgoing: number it and hand it to the exchange at once (văn thư only).
    #[serde(default)]
    pub send: bool,
}

fn opt_date(name: &str, v: &Option<String>) -> ApiResult<Option<time::Date>> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Ok(Some(super::parse_date(name, s)?)),
    }
}

impl DocumentFields {
    /// The new document for [`motcua_app::documents`], its dates and priority parsed.
    pub fn parsed(&self) -> ApiResult<NewDocument> {
        let received_at = match self.received_at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(super::parse_instant("received_at", s)?),
            None => None,
        };
        Ok(NewDocument {
            unit: self.unit.clone(),
            meta: self.metadata()?,
            dossier_code: self.dossier_code.clone(),
            received_at,
            issue: self.issue,
            send: self.send,
        })
    }

    /// The domain metadata (checked further by the domain).
    pub fn metadata(&self) -> ApiResult<Metadata> {
        let priority = match self.priority.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Priority::Normal,
            Some(p) => Priority::parse(p).ok_or_else(|| {
                ApiError::bad_request(
                    ErrorCode::InvalidPriority,
                    "'priority' must be one of: normal, urgent, very_urgent, flash, flash_timed",
                    "'priority' phải là một trong: normal, urgent, very_urgent, flash, flash_timed",
                )
            })?,
        };
        Ok(Metadata {
            code_number: self.code_number.clone(),
            code_notation: self.code_notation.clone(),
            document_type: self.document_type.clone(),
            subject: self.subject.clone(),
            content: self.content.clone(),
            promulgation_place: self.promulgation_place.clone(),
            promulgation_date: opt_date("promulgation_date", &self.promulgation_date)?,
            signer: self.signer.clone().filter(|s| !s.full_name.trim().is_empty()),
            sender: self.sender.clone(),
            recipients: self.recipients.clone(),
            due_date: opt_date("due_date", &self.due_date)?,
            priority,
            steering_type: self.steering_type.unwrap_or(0),
        })
    }
}

/// A register row.
pub fn summary(d: &Document, actor: &Actor, at: time::OffsetDateTime) -> serde_json::Value {
    serde_json::json!({
        "id": d.id,
        "unit": d.unit,
        "direction": d.direction.as_str(),
        "status": d.status.as_str(),
        "status_vi": d.status.name_vi(),
        "edxml_status": d.status.edxml_status().map(|s| s.code()),
        "register_year": d.register_year,
        "register_number": d.register_number,
        "register_label": d.register_label(),
        "number_notation": d.meta.number_notation(),
        "document_type": d.meta.document_type,
        "subject": d.meta.subject,
        "sender": d.meta.sender,
        "recipients": d.meta.recipients,
        "priority": d.meta.priority.as_str(),
        "received_at": d.received_at.map(local),
        "issued_at": d.issued_at.map(local),
        "created_at": local(d.created_at),
        "assignee": d.assignee,
        "handling_due": d.handling_due.map(local),
        "overdue": d.is_overdue(at),
        "dossier_code": d.dossier_code,
        "version": d.version,
        "allowed_actions": office::allowed_actions(d, actor),
    })
}

/// The whole document: metadata, history, trace and attachments.
pub async fn detail(state: &AppState, actor: &Actor, d: &Document) -> ApiResult<serde_json::Value> {
    let events = state.store.document_events(&d.id).await?;
    let traces = state.store.document_traces(&d.id).await?;
    let files = state.store.files_of(&d.id).await?;
    let mut v = summary(d, actor, state.now());
    v["meta"] = serde_json::to_value(&d.meta).unwrap_or_default();
    v["rejection_reason"] = serde_json::json!(d.rejection_reason);
    v["external_id"] = serde_json::json!(d.external_id);
    v["history"] = events
        .iter()
        .map(|e| serde_json::json!({"seq": e.seq, "kind": e.event.what.name(), "label_vi": e.event.what.name_vi(), "at": local(e.event.at), "by": e.event.by}))
        .collect();
    v["trace"] = traces
        .iter()
        .map(|t| serde_json::json!({"organ_id": t.organ_id, "status": t.status.as_str(), "label_vi": t.status.label_vi(), "description": t.description, "at": local(t.at)}))
        .collect();
    v["files"] = files
        .iter()
        .filter(|f| f.kind == motcua_app::documents::ATTACHMENT_KIND)
        .map(|f| serde_json::json!({"id": f.id, "name": f.name, "size": f.size, "content_type": f.content_type}))
        .collect();
    Ok(v)
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// incoming | outgoing
    pub direction: Option<String>,
    /// Words to find in subject, number/notation, sender, content (diacritics ignored).
    pub q: Option<String>,
    pub status: Option<String>,
    /// One of the officer's units.
    pub unit: Option<String>,
    /// Entered the register on or after this local date (YYYY-MM-DD).
    pub from: Option<String>,
    /// Entered the register on or before this local date (YYYY-MM-DD).
    pub to: Option<String>,
    pub page: Option<i64>,
}

/// The filter of a list query for this officer: whole registers for clerks and leaders, own
/// documents for other officers of the unit.
pub fn filter_for(user: &motcua_store::users::User, q: &ListQuery) -> ApiResult<DocumentFilter> {
    let actor = user.actor();
    let mut units: Vec<String> = user.roles.iter().map(|(u, _)| u.to_string()).collect();
    units.sort();
    units.dedup();
    if let Some(u) = q.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        if !units.iter().any(|x| x == u) {
            return Err(ApiError::forbidden(
                format!("you hold no role in unit '{u}'"),
                format!("tài khoản không thuộc đơn vị '{u}'"),
            ));
        }
        units = vec![u.to_owned()];
    }
    let scopes = units
        .into_iter()
        .map(|unit| {
            let person = (!office::sees_whole_register(&actor, &unit)).then(|| user.username.clone());
            RegisterScope { unit, person }
        })
        .collect();
    let direction = match q.direction.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(Direction::parse(s).ok_or_else(|| {
            ApiError::bad_request(
                ErrorCode::InvalidDirection,
                "'direction' must be incoming or outgoing",
                "'direction' phải là incoming hoặc outgoing",
            )
        })?),
    };
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            ApiError::bad_request(
                ErrorCode::InvalidStatus,
                format!("unknown status '{s}'"),
                format!("trạng thái '{s}' không hợp lệ"),
            )
        })?),
    };
    let vn = time::macros::offset!(+7);
    let from = opt_date("from", &q.from)?.map(|d| d.midnight().assume_offset(vn));
    let to = opt_date("to", &q.to)?.and_then(|d| d.next_day()).map(|d| d.midnight().assume_offset(vn));
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    Ok(DocumentFilter {
        scopes,
        direction,
        status,
        q: q.q.clone().unwrap_or_default().chars().take(200).collect(),
        from,
        to,
        register_order: false,
        limit: 100,
        offset: (page - 1) * 100,
    })
}

#[utoipa::path(get, path = "/api/v1/documents", tag = "documents", params(ListQuery),
    description = "The officer's document registers (sổ văn bản đến / đi), newest first, 100 a page. Clerks (văn thư) and leaders see their units' whole registers; other officers the documents assigned to them or drafted by them. `q` searches subject, number/notation, sender and content without diacritics.",
    responses((status = 200, description = "[{id, direction, status, register_number, number_notation, subject, ...}]"), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(State(state): State<AppState>, o: Officer, ApiQuery(q): ApiQuery<ListQuery>) -> ApiResult<Response> {
    let f = filter_for(&o.0, &q)?;
    let docs = state.store.documents_list(&f).await?;
    let actor = o.actor();
    let t = state.now();
    Ok(Json(docs.iter().map(|d| summary(d, &actor, t)).collect::<Vec<_>>()).into_response())
}

#[utoipa::path(post, path = "/api/v1/documents", tag = "documents",
    request_body(content = Object, description = "{unit?, document_type, subject, code_notation?, content?, promulgation_place?, promulgation_date? (YYYY-MM-DD), signer? {full_name, position?, competence?}, recipients: [{organ_id?, name}], due_date?, priority? (normal|urgent|very_urgent|flash|flash_timed), steering_type?, dossier_code?, issue?: bool, send?: bool}"),
    description = "Creates an outgoing document (văn bản đi): a draft by any officer of the unit; with `issue` the clerk (văn thư) numbers it in the unit's outgoing register for the year (NĐ 30/2020 Art. 15); with `send` it is also handed to the inter-agency exchange (each recipient's trace starts at `queued`).",
    responses((status = 201, description = "the document"), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    o: Officer,
    ApiJson(f): ApiJson<DocumentFields>,
) -> ApiResult<Response> {
    let actor = o.actor();
    let doc = create_outgoing(&state, &actor, &o.0, f.parsed()?, Vec::new()).await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &actor, &doc).await?)).into_response())
}

#[utoipa::path(post, path = "/api/v1/documents/incoming", tag = "documents",
    request_body(content = Object, description = "{unit?, sender: {organ_id?, name}, document_type, subject, code_number?, code_notation?, promulgation_place?, promulgation_date?, signer?, content?, due_date?, priority?, steering_type?, received_at? (RFC 3339), dossier_code?}"),
    description = "The clerk (văn thư) registers a paper document arriving at the unit: it gets the next number of the unit's incoming register for the year, from 01 on 1 January (NĐ 30/2020 Art. 22).",
    responses((status = 201, description = "the document"), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_incoming(
    State(state): State<AppState>,
    o: Officer,
    ApiJson(f): ApiJson<DocumentFields>,
) -> ApiResult<Response> {
    let actor = o.actor();
    let doc = register_incoming(&state, &actor, &o.0, f.parsed()?, Vec::new()).await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &actor, &doc).await?)).into_response())
}

#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents", params(("id" = String, Path)),
    description = "A document with its history, exchange trace, attachments and the caller's allowed actions. Documents the caller may not see answer 404.",
    responses((status = 200, description = "the document"), (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_one(State(state): State<AppState>, o: Officer, Path(id): Path<String>) -> ApiResult<Response> {
    let actor = o.actor();
    let doc = load(&state, &actor, &id).await?;
    Ok(Json(detail(&state, &actor, &doc).await?).into_response())
}

#[utoipa::path(post, path = "/api/v1/documents/{id}/actions", tag = "documents", params(("id" = String, Path)),
    request_body(content = Object, description = "{\"action\": \"assign\" {assignee, working_days? | due_at?, note?} | \"start\" | \"complete\" {note?} | \"reject\" {reason} | \"link_dossier\" {dossier_code} | \"issue\" | \"send\" | \"recall\" {reason}, \"version\"?: n}"),
    description = "Leaders and clerks assign incoming documents (deadline in working days on the unit's calendar) and reject them with a reason; the assigned officer starts and completes; the clerk issues (numbers) and sends outgoing documents; any officer of the unit links a document to a dossier.",
    responses((status = 200, description = "the document after the action"), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn actions(
    State(state): State<AppState>,
    o: Officer,
    Path(id): Path<String>,
    ApiJson(mut body): ApiJson<serde_json::Value>,
) -> ApiResult<Response> {
    let version = body.as_object_mut().and_then(|m| m.remove("version")).and_then(|v| v.as_i64());
    let cmd: Command = serde_json::from_value(body).map_err(|e| {
        ApiError::bad_request(
            ErrorCode::InvalidAction,
            format!("invalid document action: {e}"),
            format!("thao tác không hợp lệ: {e}"),
        )
    })?;
    let actor = o.actor();
    let doc = load(&state, &actor, &id).await?;
    if let Some(v) = version
        && v != doc.version
    {
        return Err(motcua_app::documents::conflict(StoreError::Conflict { current: doc.version }).into());
    }
    let doc = apply(&state, &actor, &doc, cmd).await?;
    Ok(Json(detail(&state, &actor, &doc).await?).into_response())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/documents", get(list).post(create))
        .route("/api/v1/documents/incoming", post(create_incoming))
        .route("/api/v1/documents/{id}", get(get_one))
        .route("/api/v1/documents/{id}/actions", post(actions))
}
