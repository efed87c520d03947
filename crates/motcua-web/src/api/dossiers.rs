//! Dossiers: submission (online by citizens, at the counter by receivers), the officer's view,
//! the public lookup by code + secret, and actions with optimistic concurrency (`If-Match`).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_domain::catalog::{COMMUNE_AGENCY, Level, ProcedureCode};
use motcua_domain::code::{DEFAULT_TEMPLATE, looks_like_code, render};
use motcua_domain::dossier::actions::{Action, ActionKind, Ctx, allowed_actions, create, decide};
use motcua_domain::dossier::event::{Event, EventData};
use motcua_domain::dossier::timeliness::VN_OFFSET;
use motcua_domain::dossier::{Actor, Applicant, Channel, DocumentRecord, Dossier, Role};
use motcua_domain::org::Unit;
use motcua_store::CreateJob;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::now;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, MaybeOfficer, Officer, if_match};
use crate::views::{DossierView, PublicView, local};
use crate::{AppState, Calendars};

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

fn unprocessable_unit(code: &str) -> ApiError {
    ApiError::unprocessable(
        "unknown_unit",
        format!("'{code}' is not a current unit"),
        format!("'{code}' không phải đơn vị đang hoạt động"),
    )
}

async fn current_unit(state: &AppState, code: &str) -> ApiResult<Unit> {
    state.store.unit(code).await.ok().filter(Unit::is_current).ok_or_else(|| unprocessable_unit(code))
}

/// Routes a dossier by competence (domain.md §1.1): (receiving one-stop, resolving authority).
async fn route(
    state: &AppState,
    level: Level,
    agency: &str,
    channel: Channel,
    unit: Option<&str>,
    officer: Option<&Officer>,
) -> ApiResult<(String, String)> {
    let receiving = match (channel, officer) {
        (Channel::Online, _) => None,
        (_, Some(o)) => {
            let mine = o.units_with(Role::Receiver);
            match unit.filter(|u| mine.iter().any(|m| m == u)) {
                Some(u) => Some(u.to_owned()),
                None => Some(mine.into_iter().next().ok_or_else(|| {
                    ApiError::forbidden(
                        "only a receiver can enter counter or postal dossiers",
                        "chỉ cán bộ tiếp nhận được nhập hồ sơ trực tiếp hoặc qua bưu chính",
                    )
                })?),
            }
        }
        (_, None) => return Err(ApiError::unauthorized()),
    };
    let resolving = if agency == COMMUNE_AGENCY {
        let candidate = unit.map(str::to_owned).or_else(|| receiving.clone());
        let commune_required = || {
            ApiError::unprocessable(
                "commune_required",
                "this is a commune-level procedure: name the commune, ward or special zone in 'unit'",
                "đây là thủ tục cấp xã: cần chọn xã, phường hoặc đặc khu tại 'unit'",
            )
        };
        let code = candidate.ok_or_else(commune_required)?;
        let u = current_unit(state, &code).await?;
        if u.level != Level::Commune || !u.receives_dossiers() {
            return Err(commune_required());
        }
        u.code
    } else {
        current_unit(state, agency).await?.code
    };
    let receiving = match receiving {
        Some(r) => r,
        None if level == Level::Commune || agency == COMMUNE_AGENCY => resolving.clone(),
        None => state.province_center.clone(),
    };
    Ok((receiving, resolving))
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
    let channel = match req.channel.as_str() {
        "online" => Channel::Online,
        "counter" => Channel::Counter,
        "postal" => Channel::Postal,
        other => {
            return Err(ApiError::bad_request(
                "invalid_channel",
                format!("channel '{other}' must be online, counter or postal"),
                format!("kênh '{other}' phải là online, counter hoặc postal"),
            ));
        }
    };
    ProcedureCode::parse(&req.procedure_code)?;
    let procedure = state.store.procedure(&req.procedure_code).await.map_err(|_| {
        ApiError::unprocessable(
            "unknown_procedure",
            format!("no procedure with code {}", req.procedure_code),
            format!("không có thủ tục mã {}", req.procedure_code),
        )
    })?;
    let (receiving, resolving) =
        route(&state, procedure.level, &procedure.agency, channel, req.unit.as_deref(), officer.as_ref()).await?;
    let template = state
        .store
        .unit(&receiving)
        .await
        .ok()
        .and_then(|u| u.code_template)
        .unwrap_or_else(|| DEFAULT_TEMPLATE.to_owned());
    let at = now();
    let applicant = req.applicant.trimmed();
    let documents: Vec<DocumentRecord> = req.documents.into_iter().map(|d| d.record(channel)).collect();
    // Validate before taking a sequence number, so refusals never consume codes.
    create::decide(create::NewDossier {
        code: "check".into(),
        procedure: &procedure,
        channel,
        applicant: applicant.clone(),
        documents: documents.clone(),
        receiving_unit: receiving.clone(),
        resolving_unit: resolving.clone(),
        at,
    })?;
    let secret = crate::auth::new_secret();
    let actor = officer.as_ref().map(Officer::actor).unwrap_or(Actor::Applicant);
    let calendars = state.calendars.clone();
    let local_date = at.to_offset(VN_OFFSET).date();
    let (seq_unit, resolving_for_cal) = (receiving.clone(), resolving.clone());
    let build = Box::new(move |seq: u64| {
        let code = render(&template, &seq_unit, local_date, seq)?;
        let created = create::decide(create::NewDossier {
            code,
            procedure: &procedure,
            channel,
            applicant,
            documents,
            receiving_unit: seq_unit,
            resolving_unit: resolving_for_cal,
            at,
        })?;
        let first = Event { at, actor: actor.name().to_owned(), data: EventData::Create(created.clone()) };
        let mut events = vec![first];
        if channel != Channel::Online {
            let d = motcua_domain::dossier::event::apply(None, &events[0])
                .map_err(|e| motcua_domain::DomainError::rule("corrupt", e.to_string(), e.to_string()))?;
            let cal = calendars.get(Some(&d.resolving_unit));
            events.push(decide(&d, &Action::Receive(Default::default()), &Ctx { calendar: &cal, at, actor: &actor })?);
        }
        Ok(events)
    });
    let d = state
        .store
        .writer
        .create(CreateJob {
            seq_unit: receiving.clone(),
            day: local_date.to_string(),
            secret_hash: crate::auth::secret_hash(&secret),
            build,
        })
        .await?;
    let body = Created {
        code: d.code.clone(),
        secret,
        status: d.status.as_str().to_owned(),
        version: d.version,
        received_at: d.received_at.map(local),
        due_at: d.due_at.map(local),
        appointment_at: d.appointment_at.map(local),
        receiving_unit: d.receiving_unit.clone(),
        resolving_unit: d.resolving_unit.clone(),
    };
    Ok((StatusCode::CREATED, etag(d.version), Json(body)).into_response())
}

fn etag(version: i64) -> [(header::HeaderName, HeaderValue); 1] {
    [(header::ETAG, HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\"")))]
}

fn not_found(code: &str) -> ApiError {
    ApiError::not_found(&format!("dossier {code}"), &format!("hồ sơ {code}"))
}

/// Loads a dossier the officer may see (receiving or resolving unit); others are "not found".
async fn load_for_officer(state: &AppState, officer: &Officer, code: &str) -> ApiResult<Dossier> {
    if !looks_like_code(code) {
        return Err(not_found(code));
    }
    let (d, _) = state.store.dossier(code).await.map_err(|e| match e {
        motcua_store::StoreError::NotFound => not_found(code),
        e => e.into(),
    })?;
    let actor = officer.actor();
    if actor.in_unit(&d.receiving_unit) || actor.in_unit(&d.resolving_unit) { Ok(d) } else { Err(not_found(code)) }
}

/// Loads a dossier for whoever holds its code and secret.
async fn load_with_secret(state: &AppState, code: &str, secret: Option<&str>) -> ApiResult<Dossier> {
    let wrong =
        || ApiError::not_found(&format!("dossier {code} with this secret"), &format!("hồ sơ {code} với mã bí mật này"));
    let secret = secret.filter(|s| !s.trim().is_empty() && s.len() <= 64).ok_or_else(|| {
        ApiError::bad_request(
            "secret_required",
            "give the dossier's secret (?secret=...) printed on the receipt",
            "cần nhập mã bí mật in trên giấy tiếp nhận (?secret=...)",
        )
    })?;
    if !looks_like_code(code) {
        return Err(wrong());
    }
    let (d, hash) = state.store.dossier(code).await.map_err(|e| match e {
        motcua_store::StoreError::NotFound => wrong(),
        e => e.into(),
    })?;
    if hash != crate::auth::secret_hash(secret) {
        return Err(wrong());
    }
    Ok(d)
}

#[utoipa::path(get, path = "/api/v1/dossiers/{code}", tag = "dossiers", security(("bearer" = [])), params(("code" = String, Path)),
    responses((status = 200, body = DossierView, headers(("ETag" = String, description = "the dossier version"))),
        (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_dossier(
    State(state): State<AppState>,
    officer: Officer,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    let d = load_for_officer(&state, &officer, &code).await?;
    let events = state.store.events(&code).await?;
    let cal = state.calendars.get(Some(&d.resolving_unit));
    let view = DossierView::new(&d, &cal, allowed_actions(&d, &officer.actor()), &events, now());
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
    let d = load_with_secret(&state, &code, q.secret.as_deref()).await?;
    let events = state.store.events(&code).await?;
    Ok((etag(d.version), Json(PublicView::new(&d, allowed_actions(&d, &Actor::Applicant), &events))).into_response())
}

/// Reads the `action` field first so an unknown action gets a precise message.
fn parse_action(body: serde_json::Value) -> ApiResult<Action> {
    let name = body.get("action").and_then(|a| a.as_str()).unwrap_or_default().to_owned();
    let names: Vec<&str> = ActionKind::ALL.iter().map(|k| k.as_str()).collect();
    if !names.contains(&name.as_str()) {
        return Err(ApiError::bad_request(
            "unknown_action",
            format!("'action' must be one of: {}", names.join(", ")),
            format!("'action' phải là một trong: {}", names.join(", ")),
        ));
    }
    serde_json::from_value(body).map_err(|e| {
        ApiError::bad_request(
            "invalid_action",
            format!("invalid fields for action '{name}': {e}"),
            format!("dữ liệu không hợp lệ cho thao tác '{name}': {e}"),
        )
    })
}

/// Checks references to other records that the pure domain cannot see.
async fn check_references(state: &AppState, d: &Dossier, action: &Action) -> ApiResult<()> {
    match action {
        Action::Assign(a) => {
            let mut ok = state.store.users_with_role(&d.resolving_unit, Role::Specialist).await?;
            ok.extend(state.store.users_with_role(&d.resolving_unit, Role::Leader).await?);
            if !ok.iter().any(|u| u == a.assignee.trim()) {
                return Err(ApiError::unprocessable(
                    "unknown_assignee",
                    format!("'{}' is not a specialist or leader of unit {}", a.assignee, d.resolving_unit),
                    format!("'{}' không phải chuyên viên hoặc lãnh đạo của đơn vị {}", a.assignee, d.resolving_unit),
                ));
            }
        }
        Action::Transfer(t) => {
            let u = current_unit(state, t.to_unit.trim()).await?;
            if !matches!(u.kind, motcua_domain::org::UnitKind::Agency) && u.level != Level::Commune {
                return Err(ApiError::unprocessable(
                    "invalid_transfer_unit",
                    "a dossier can only be transferred to an agency or a commune",
                    "chỉ chuyển hồ sơ đến cơ quan chuyên môn hoặc cấp xã",
                ));
            }
        }
        _ => {}
    }
    Ok(())
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
        Some(o) => {
            // Only actions that name other records need the dossier before the writer; the
            // others are scope-checked inside the write, saving a read on the hot path.
            if matches!(action, Action::Assign(_) | Action::Transfer(_)) {
                let d = load_for_officer(&state, o, &code).await?;
                check_references(&state, &d, &action).await?;
            } else if !looks_like_code(&code) {
                return Err(not_found(&code));
            }
            o.actor()
        }
        None => {
            load_with_secret(&state, &code, q.secret.as_deref()).await?;
            Actor::Applicant
        }
    };
    let calendars: Arc<Calendars> = state.calendars.clone();
    let decider_actor = actor.clone();
    let scope_code = code.clone();
    let decide_fn = Box::new(move |d: &Dossier| {
        if let Actor::Officer { .. } = &decider_actor
            && !(decider_actor.in_unit(&d.receiving_unit) || decider_actor.in_unit(&d.resolving_unit))
        {
            return Err(motcua_domain::DomainError::not_found(
                format!("dossier {scope_code} not found"),
                format!("không tìm thấy hồ sơ {scope_code}"),
            ));
        }
        let cal = calendars.get(Some(&d.resolving_unit));
        Ok(vec![decide(d, &action, &Ctx { calendar: &cal, at: now(), actor: &decider_actor })?])
    });
    let d = state.store.writer.act(code.clone(), Some(version), decide_fn).await.map_err(|e| match e {
        motcua_store::StoreError::NotFound => not_found(&code),
        e => e.into(),
    })?;
    // The history is not repeated here (GET the dossier for it): actions are the hot path.
    if officer.is_none() {
        return Ok((etag(d.version), Json(PublicView::new(&d, allowed_actions(&d, &actor), &[]))).into_response());
    }
    let cal = state.calendars.get(Some(&d.resolving_unit));
    Ok((etag(d.version), Json(DossierView::new(&d, &cal, allowed_actions(&d, &actor), &[], now()))).into_response())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/dossiers", post(create_dossier))
        .route("/api/v1/dossiers/{code}", get(get_dossier))
        .route("/api/v1/dossiers/{code}/actions", post(act))
        .route("/api/v1/lookup/{code}", get(lookup))
}
