//! Citizen feedback (phản ánh, kiến nghị): submission by anyone, lookup by code + secret, the
//! public list of published answers with search, officers' queue and actions, likes/dislikes.
//! The rules live in `motcua_domain::feedback`; docs/FEEDBACK.md describes the whole flow.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_domain::ErrorCode;
use motcua_domain::dossier::{Actor, Role};
use motcua_domain::feedback::{Command, Feedback, Status, SubjectKind, Submission, Submitter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, MaybeOfficer, Officer};
use crate::views::local;
use motcua_app::feedback::{self as feedback_app, act, load_with_secret};

/// A new feedback item.
#[derive(Deserialize, ToSchema)]
pub struct CreateFeedback {
    /// procedure | dossier | officer | unit | regulation
    pub subject_kind: String,
    /// Procedure code, dossier code, officer's name or unit code.
    pub subject_ref: Option<String>,
    pub title: String,
    pub content: String,
    /// `{"name", "phone", "email", "id_number", "address"}`; only the name is required. Personal
    /// data: never published.
    #[schema(value_type = Object, example = json!({"name": "Nguyễn Văn An", "phone": "0912345678"}))]
    pub submitter: Submitter,
    /// Code of an earlier feedback this one raises again.
    pub reraise_of: Option<String>,
}

/// The answer to a submission: the secret is shown once.
#[derive(Serialize, ToSchema)]
pub struct FeedbackCreated {
    pub code: String,
    /// Needed with the code to follow the item.
    pub secret: String,
    pub status: String,
    /// Accept-or-reject limit (2 working days).
    pub accept_due: String,
    /// Answer limit (15 working days by default).
    pub answer_due: String,
}

/// What the submitter (code + secret) sees: no officer names, no other personal data.
#[derive(Serialize, ToSchema)]
pub struct FeedbackPublicView {
    pub code: String,
    pub status: String,
    pub status_vi: String,
    pub subject_kind: String,
    pub category: String,
    pub title: String,
    pub submitted_at: String,
    /// The limit now running: {stage, due, overdue}.
    #[schema(value_type = Option<Object>)]
    pub current_deadline: Option<serde_json::Value>,
    pub answer_due: String,
    pub publish_due: Option<String>,
    /// The unit's question, while it waits for more information.
    pub question: Option<String>,
    /// Why it was rejected, or where it was forwarded.
    pub outcome_note: Option<String>,
    /// The published answer (personal data removed).
    pub answer: Option<String>,
    pub published_at: Option<String>,
    pub likes: i64,
    pub dislikes: i64,
    /// [{kind, label_vi, at}]
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<serde_json::Value>,
    pub attachments: usize,
}

/// A published answer on the public list.
#[derive(Serialize, ToSchema)]
pub struct PublishedFeedback {
    pub code: String,
    pub subject_kind: String,
    pub category: String,
    pub title: String,
    pub content: String,
    pub answer: String,
    pub unit: Option<String>,
    pub submitted_at: String,
    pub published_at: Option<String>,
    pub likes: i64,
    pub dislikes: i64,
}

impl PublishedFeedback {
    pub fn new(f: &Feedback) -> PublishedFeedback {
        PublishedFeedback {
            code: f.code.clone(),
            subject_kind: f.submission.subject_kind.as_str().into(),
            category: f.category.as_str().into(),
            title: f.public_title(),
            content: f.public_content(),
            answer: f.public_answer.clone().unwrap_or_default(),
            unit: f.unit.as_ref().map(ToString::to_string),
            submitted_at: local(f.submitted_at),
            published_at: f.closed_at.filter(|_| f.status == Status::Published).map(local),
            likes: f.likes,
            dislikes: f.dislikes,
        }
    }
}

/// The submitter's view.
pub async fn public_view(state: &AppState, fb: &Feedback) -> ApiResult<FeedbackPublicView> {
    let events = state.store.feedback_events(&fb.code).await?;
    let files = state.store.files_of(&fb.code).await?;
    let t = state.now();
    Ok(FeedbackPublicView {
        code: fb.code.clone(),
        status: fb.status.as_str().into(),
        status_vi: fb.status.name_vi().into(),
        subject_kind: fb.submission.subject_kind.as_str().into(),
        category: fb.category.as_str().into(),
        title: fb.submission.title.clone(),
        submitted_at: local(fb.submitted_at),
        current_deadline: fb.current_deadline().map(|(s, d)| {
            serde_json::json!({"stage": s.as_str(), "due": local(d), "overdue": d < t})
        }),
        answer_due: local(fb.due.answer),
        publish_due: fb.due.publish.map(local),
        question: fb.question.clone().filter(|_| fb.status == Status::InfoRequested),
        outcome_note: fb.outcome_note.clone(),
        answer: fb.public_answer.clone(),
        published_at: fb.closed_at.filter(|_| fb.status == Status::Published).map(local),
        likes: fb.likes,
        dislikes: fb.dislikes,
        history: events
            .iter()
            .map(|e| serde_json::json!({"kind": e.event.what.name(), "label_vi": e.event.what.name_vi(), "at": local(e.event.at)}))
            .collect(),
        attachments: files.len(),
    })
}

#[utoipa::path(post, path = "/api/v1/feedback", tag = "feedback", request_body = CreateFeedback,
    description = "Anyone may send feedback (phản ánh, kiến nghị). The answer holds the code and a secret, shown once, to follow it. Attachments: use the web form /phan-anh/gui.",
    responses((status = 201, body = FeedbackCreated), (status = 400, body = crate::error::ErrorBody)))]
pub async fn create(State(state): State<AppState>, ApiJson(req): ApiJson<CreateFeedback>) -> ApiResult<Response> {
    let kind = SubjectKind::parse(&req.subject_kind).ok_or_else(|| {
        ApiError::bad_request(
            ErrorCode::InvalidSubjectKind,
            "'subject_kind' must be one of: procedure, dossier, officer, unit, regulation",
            "'subject_kind' phải là một trong: procedure, dossier, officer, unit, regulation",
        )
    })?;
    let submission = Submission {
        subject_kind: kind,
        subject_ref: req.subject_ref.filter(|s| !s.trim().is_empty()),
        title: req.title,
        content: req.content,
        submitter: req.submitter,
        reraise_of: req.reraise_of.filter(|s| !s.trim().is_empty()),
        location: None,
    };
    let (fb, secret) = feedback_app::submit(&state, submission).await?;
    let body = FeedbackCreated {
        code: fb.code.clone(),
        secret,
        status: fb.status.as_str().into(),
        accept_due: local(fb.due.accept),
        answer_due: local(fb.due.answer),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Deserialize, IntoParams)]
pub struct SecretQuery {
    /// The secret given at submission.
    pub secret: Option<String>,
}

/// An officer may see items received by their center or assigned to their unit.
fn officer_sees(o: &Officer, fb: &Feedback) -> bool {
    let a = o.actor();
    a.in_unit(&fb.center) || fb.unit.as_deref().is_some_and(|u| a.in_unit(u))
}

#[utoipa::path(get, path = "/api/v1/feedback/{code}", tag = "feedback", params(("code" = String, Path), SecretQuery),
    description = "The submitter's view with ?secret= (a wrong secret answers 404). With an officer's bearer token: the whole item and its history.",
    responses((status = 200, body = FeedbackPublicView), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    MaybeOfficer(officer): MaybeOfficer,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<SecretQuery>,
) -> ApiResult<Response> {
    if let Some(o) = officer {
        let (fb, _) = state.store.feedback(&code).await.map_err(|e| match e {
            motcua_store::StoreError::NotFound => ApiError::from(feedback_app::not_found(&code)),
            e => e.into(),
        })?;
        if !officer_sees(&o, &fb) {
            return Err(ApiError::from(feedback_app::not_found(&code)));
        }
        let events: Vec<_> = state.store.feedback_events(&code).await?.into_iter().map(|e| e.event).collect();
        let files = state.store.files_of(&code).await?;
        let files: Vec<_> =
            files.iter().map(|f| serde_json::json!({"id": f.id, "name": f.name, "size": f.size})).collect();
        let overdue = fb.overdue_at(state.now());
        return Ok(Json(serde_json::json!({"feedback": fb, "history": events, "files": files, "overdue": overdue}))
            .into_response());
    }
    let fb = load_with_secret(&state, &code, q.secret.as_deref()).await?;
    Ok(Json(public_view(&state, &fb).await?).into_response())
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// `true`: the public list of published answers (no sign-in).
    pub published: Option<bool>,
    /// Words to find in published items (diacritics ignored).
    pub q: Option<String>,
    /// Officers' list: one status.
    pub status: Option<String>,
    pub page: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/feedback", tag = "feedback", params(ListQuery),
    description = "?published=true lists published answers (public, searchable without diacritics). Otherwise an officer's queue: items of their units, earliest deadline first.",
    responses((status = 200, body = Vec<PublishedFeedback>), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    MaybeOfficer(officer): MaybeOfficer,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Response> {
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    if q.published == Some(true) || officer.is_none() {
        if q.published != Some(true) {
            return Err(ApiError::unauthorized());
        }
        let items = state.store.published_feedback(q.q.as_deref().unwrap_or(""), 50, (page - 1) * 50).await?;
        return Ok(Json(items.iter().map(PublishedFeedback::new).collect::<Vec<_>>()).into_response());
    }
    let o = officer.ok_or_else(ApiError::unauthorized)?;
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
    let units: Vec<String> = o.0.roles.iter().map(|(u, _)| u.to_string()).collect();
    let items =
        state.store.feedback_list(&motcua_store::feedback::FeedbackFilter { units, status, limit: 500 }).await?;
    let t = state.now();
    let rows: Vec<_> = items
        .iter()
        .map(|f| {
            serde_json::json!({
                "code": f.code, "status": f.status.as_str(), "title": f.submission.title, "unit": f.unit,
                "category": f.category.as_str(), "submitted_at": local(f.submitted_at), "version": f.version,
                "due": f.current_deadline().map(|(_, d)| local(d)), "overdue": f.overdue_at(t),
            })
        })
        .collect();
    Ok(Json(rows).into_response())
}

#[utoipa::path(post, path = "/api/v1/feedback/{code}/actions", tag = "feedback", params(("code" = String, Path), SecretQuery),
    request_body(content = Object, description = "{\"action\": \"accept\" | \"reject\" {reason} | \"assign\" {unit, category: rules_procedures|official_conduct} | \"forward\" {to, reason} | \"request_info\" {question} | \"answer\" {answer} | \"return\" {reason} | \"approve\" | \"publish\" | \"supply_info\" {text}, \"version\"?: n}"),
    description = "Receivers and center administrators of the receiving center accept, reject, assign, forward and publish; the assigned unit's specialists answer and ask for information; its leaders approve or return. The submitter supplies information with ?secret=.",
    responses((status = 200, description = "the item after the action"), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn actions(
    State(state): State<AppState>,
    MaybeOfficer(officer): MaybeOfficer,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<SecretQuery>,
    ApiJson(mut body): ApiJson<serde_json::Value>,
) -> ApiResult<Response> {
    let version = body.as_object_mut().and_then(|m| m.remove("version")).and_then(|v| v.as_i64());
    let cmd: Command = serde_json::from_value(body).map_err(|e| {
        ApiError::bad_request(
            ErrorCode::InvalidAction,
            format!("invalid feedback action: {e}"),
            format!("thao tác không hợp lệ: {e}"),
        )
    })?;
    let (fb, actor) = match &officer {
        Some(o) => {
            let (fb, _) = state.store.feedback(&code).await.map_err(|e| match e {
                motcua_store::StoreError::NotFound => ApiError::from(feedback_app::not_found(&code)),
                e => e.into(),
            })?;
            if !officer_sees(o, &fb) {
                return Err(ApiError::from(feedback_app::not_found(&code)));
            }
            (fb, o.actor())
        }
        None => (load_with_secret(&state, &code, q.secret.as_deref()).await?, Actor::Applicant),
    };
    if let Some(v) = version
        && v != fb.version
    {
        return Err(motcua_store::StoreError::Conflict { current: fb.version }.into());
    }
    let fb = act(&state, &actor, &fb, cmd).await?;
    if officer.is_some() {
        return Ok(Json(serde_json::json!({"feedback": fb})).into_response());
    }
    Ok(Json(public_view(&state, &fb).await?).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct Vote {
    /// true = like, false = dislike.
    pub like: bool,
    /// A stable id of the voter chosen by the client (one vote per voter; a later vote replaces
    /// an earlier one).
    pub voter: String,
}

#[utoipa::path(post, path = "/api/v1/feedback/{code}/votes", tag = "feedback", params(("code" = String, Path)), request_body = Vote,
    description = "Like or dislike a published answer; more dislikes than likes counts as unsatisfied (QĐ 766 row 5.3).",
    responses((status = 200, body = PublishedFeedback), (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn vote(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ApiJson(v): ApiJson<Vote>,
) -> ApiResult<Response> {
    let fb = feedback_app::vote(&state, &code, &v.voter, v.like).await?;
    Ok(Json(PublishedFeedback::new(&fb)).into_response())
}

/// True if the officer may work the center's side of feedback somewhere.
pub fn is_center_staff(o: &Officer) -> bool {
    o.has_role(Role::Receiver) || o.has_role(Role::CenterAdmin)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/feedback", post(create).get(list))
        .route("/api/v1/feedback/{code}", get(get_one))
        .route("/api/v1/feedback/{code}/actions", post(actions))
        .route("/api/v1/feedback/{code}/votes", post(vote))
}
