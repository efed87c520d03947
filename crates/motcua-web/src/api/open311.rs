//! Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) over citizen feedback, so civic
//! apps that speak it can send and follow feedback: `services.json`, `requests.json` (POST to
//! send, GET to list) and `requests/{id}.json`. Only JSON is served. Requests are public, so a
//! request shows public fields only: status, service, dates, the responsible unit and — once the
//! answer is published — the redacted text and answer; never the sender's personal data.
//! Errors are `[{"code", "description"}]` with the HTTP status, as the spec asks.

use std::collections::HashMap;

use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use motcua_domain::feedback::{Feedback, Location, Status, SubjectKind, Submission, Submitter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::views::local;

/// An Open311 error: `[{"code": <HTTP status>, "description"}]`.
pub struct Open311Error(StatusCode, String);

#[derive(Serialize, ToSchema)]
pub struct Open311ErrorBody {
    pub code: u16,
    pub description: String,
}

impl IntoResponse for Open311Error {
    fn into_response(self) -> Response {
        (self.0, Json(vec![Open311ErrorBody { code: self.0.as_u16(), description: self.1 }])).into_response()
    }
}

impl From<crate::error::ApiError> for Open311Error {
    fn from(e: crate::error::ApiError) -> Self {
        Open311Error(e.status, e.body.message)
    }
}

impl From<motcua_store::StoreError> for Open311Error {
    fn from(e: motcua_store::StoreError) -> Self {
        crate::error::ApiError::from(e).into()
    }
}

impl From<motcua_app::error::Error> for Open311Error {
    fn from(e: motcua_app::error::Error) -> Self {
        crate::error::ApiError::from(e).into()
    }
}

type Result311<T> = Result<T, Open311Error>;

/// One service: a kind of feedback.
#[derive(Serialize, ToSchema)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub metadata: bool,
    /// Always `realtime`: a request gets its id at once.
    #[serde(rename = "type")]
    pub kind: String,
    pub keywords: String,
    pub group: String,
}

#[utoipa::path(get, path = "/open311/v2/services.json", tag = "open311", params(("jurisdiction_id" = Option<String>, Query, description = "ignored: one jurisdiction")),
    description = "Open311 GeoReport v2 service list: one service per feedback subject (procedure, dossier, officer, unit, regulation).",
    responses((status = 200, body = Vec<Service>)))]
pub async fn services() -> Json<Vec<Service>> {
    Json(
        SubjectKind::ALL
            .iter()
            .map(|k| {
                let cat = k.default_category();
                Service {
                    service_code: k.as_str().into(),
                    service_name: k.name_vi().into(),
                    description: format!("{} (phản ánh, kiến nghị theo NĐ 20/2008/NĐ-CP)", k.name_vi()),
                    metadata: false,
                    kind: "realtime".into(),
                    keywords: format!("phản ánh,kiến nghị,{}", k.as_str()),
                    group: cat.name_vi().into(),
                }
            })
            .collect(),
    )
}

/// Fields of a new request (form-encoded or JSON).
#[derive(Deserialize, ToSchema)]
pub struct NewRequest {
    pub service_code: String,
    pub description: String,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub address_string: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub media_url: Option<String>,
}

/// The answer to a new request.
#[derive(Serialize, ToSchema)]
pub struct Created311 {
    pub service_request_id: String,
    pub service_notice: String,
    pub account_id: Option<String>,
    /// Motcua extension: the secret that, with the id, opens the sender's own view
    /// (`GET /api/v1/feedback/{id}?secret=` or the page /phan-anh/tra-cuu). Shown once.
    pub secret: String,
}

fn field(m: &HashMap<String, String>, k: &str) -> Option<String> {
    m.get(k).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn number(m: &HashMap<String, String>, k: &str) -> Result311<Option<f64>> {
    field(m, k)
        .map(|v| v.parse::<f64>().map_err(|_| Open311Error(StatusCode::BAD_REQUEST, format!("'{k}' must be a number"))))
        .transpose()
}

/// Reads a form-encoded or JSON body into string fields.
async fn fields(req: Request) -> Result311<HashMap<String, String>> {
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let bad = |e: String| Open311Error(StatusCode::BAD_REQUEST, e);
    if json {
        let Json(v) = Json::<serde_json::Map<String, serde_json::Value>>::from_request(req, &())
            .await
            .map_err(|e| bad(format!("invalid JSON body: {}", e.body_text())))?;
        Ok(v.into_iter()
            .filter_map(|(k, v)| match v {
                serde_json::Value::String(s) => Some((k, s)),
                serde_json::Value::Number(n) => Some((k, n.to_string())),
                _ => None,
            })
            .collect())
    } else {
        let Form(m) = Form::<HashMap<String, String>>::from_request(req, &())
            .await
            .map_err(|e| bad(format!("invalid form body: {}", e.body_text())))?;
        Ok(m)
    }
}

#[utoipa::path(post, path = "/open311/v2/requests.json", tag = "open311",
    request_body(content = NewRequest, description = "application/x-www-form-urlencoded or application/json", content_type = "application/x-www-form-urlencoded"),
    description = "Open311 GeoReport v2: send feedback. `api_key` is not needed. The answer's `secret` (a Motcua extension) lets the sender follow the item privately; the public `requests/{id}.json` shows no personal data.",
    responses((status = 201, body = Vec<Created311>), (status = 400, body = Vec<Open311ErrorBody>)))]
pub async fn create(State(state): State<AppState>, req: Request) -> Result311<Response> {
    let m = fields(req).await?;
    let code =
        field(&m, "service_code").ok_or(Open311Error(StatusCode::BAD_REQUEST, "service_code is required".into()))?;
    let kind = SubjectKind::parse(&code).ok_or_else(|| {
        Open311Error(StatusCode::BAD_REQUEST, format!("unknown service_code '{code}'; see services.json"))
    })?;
    let description =
        field(&m, "description").ok_or(Open311Error(StatusCode::BAD_REQUEST, "description is required".into()))?;
    let (lat, long, address) = (number(&m, "lat")?, number(&m, "long")?, field(&m, "address_string"));
    if lat.is_some() != long.is_some() {
        return Err(Open311Error(StatusCode::BAD_REQUEST, "lat and long go together".into()));
    }
    let name = [field(&m, "first_name"), field(&m, "last_name")].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let mut content = description.clone();
    if let Some(url) = field(&m, "media_url") {
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 500 {
            return Err(Open311Error(StatusCode::BAD_REQUEST, "media_url must be an http(s) URL".into()));
        }
        content.push_str(&format!("\n\nẢnh/tệp kèm theo: {url}"));
    }
    let title: String = description.chars().take(80).collect();
    let submission = Submission {
        subject_kind: kind,
        subject_ref: None,
        title,
        content,
        submitter: Submitter {
            name: if name.is_empty() { "Người gửi qua Open311".into() } else { name },
            phone: field(&m, "phone"),
            email: field(&m, "email"),
            id_number: None,
            address: None,
        },
        reraise_of: None,
        location: (lat.is_some() || address.is_some()).then_some(Location { lat, long, address }),
    };
    let (fb, secret) = motcua_app::feedback::submit(&state, submission).await?;
    let notice = format!(
        "Đã tiếp nhận phản ánh {}. Hạn trả lời: {}. Tra cứu bằng mã và mã bí mật tại /phan-anh/tra-cuu.",
        fb.code,
        crate::views::local_display(fb.due.answer)
    );
    let body =
        vec![Created311 { service_request_id: fb.code.clone(), service_notice: notice, account_id: None, secret }];
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// One request as Open311 shows it: public fields only.
#[derive(Serialize, ToSchema)]
pub struct Request311 {
    pub service_request_id: String,
    /// open | closed
    pub status: String,
    pub status_notes: Option<String>,
    pub service_name: String,
    pub service_code: String,
    /// The redacted text, once the answer is published.
    pub description: Option<String>,
    pub agency_responsible: String,
    pub service_notice: Option<String>,
    pub requested_datetime: String,
    pub updated_datetime: Option<String>,
    /// The running time limit (the answer deadline while the unit works on it).
    pub expected_datetime: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

async fn view(state: &AppState, f: &Feedback, units: &HashMap<String, String>) -> Result311<Request311> {
    let published = f.status == Status::Published;
    let notes = match f.status {
        Status::Published => f.public_answer.clone(),
        Status::Rejected => Some("Từ chối tiếp nhận".into()),
        Status::Forwarded => Some("Đã chuyển cơ quan có thẩm quyền".into()),
        s => Some(s.name_vi().into()),
    };
    let agency = f.unit.as_deref().unwrap_or(&f.center);
    let loc = f.submission.location.as_ref().filter(|_| published);
    Ok(Request311 {
        service_request_id: f.code.clone(),
        status: if f.status.is_final() { "closed" } else { "open" }.into(),
        status_notes: notes,
        service_name: f.submission.subject_kind.name_vi().into(),
        service_code: f.submission.subject_kind.as_str().into(),
        description: published.then(|| f.public_content()),
        agency_responsible: units.get(agency).cloned().unwrap_or_else(|| agency.to_owned()),
        service_notice: None,
        requested_datetime: local(f.submitted_at),
        updated_datetime: state.store.feedback_updated_at(&f.code).await?.map(local),
        expected_datetime: f.current_deadline().map(|(_, d)| local(d)),
        address: loc
            .and_then(|l| l.address.as_deref())
            .map(|a| motcua_domain::feedback::redact::redact(a, &f.personal_names())),
        lat: loc.and_then(|l| l.lat),
        long: loc.and_then(|l| l.long),
        media_url: None,
    })
}

async fn unit_names(state: &AppState) -> Result311<HashMap<String, String>> {
    Ok(state.store.units().await?.into_iter().map(|u| (u.code.into_string(), u.name)).collect())
}

/// `requests/{id}.json`: the path segment carries the `.json` format suffix.
#[utoipa::path(get, path = "/open311/v2/requests/{id}.json", tag = "open311", params(("id" = String, Path, description = "service_request_id, e.g. FB-260302-0001")),
    description = "Open311 GeoReport v2: one request, as a one-element array. Public fields only.",
    responses((status = 200, body = Vec<Request311>), (status = 404, body = Vec<Open311ErrorBody>)))]
pub async fn get_one(State(state): State<AppState>, Path(file): Path<String>) -> Result311<Response> {
    let id = file
        .strip_suffix(".json")
        .ok_or(Open311Error(StatusCode::NOT_FOUND, "only the .json format is served".into()))?;
    let missing = || Open311Error(StatusCode::NOT_FOUND, format!("service request {id} not found"));
    let (fb, _) = state.store.feedback(id).await.map_err(|e| match e {
        motcua_store::StoreError::NotFound => missing(),
        e => e.into(),
    })?;
    let units = unit_names(&state).await?;
    Ok(Json(vec![view(&state, &fb, &units).await?]).into_response())
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Comma-separated ids; when given, other filters are ignored.
    pub service_request_id: Option<String>,
    /// Comma-separated service codes.
    pub service_code: Option<String>,
    /// open | closed (comma-separated).
    pub status: Option<String>,
    /// W3C date-time; requests submitted at or after. Default: 90 days before end_date.
    pub start_date: Option<String>,
    /// W3C date-time; requests submitted before. Default: now.
    pub end_date: Option<String>,
    pub jurisdiction_id: Option<String>,
}

#[utoipa::path(get, path = "/open311/v2/requests.json", tag = "open311", params(ListQuery),
    description = "Open311 GeoReport v2: requests, newest first (at most 1000; 90 days by default). Public fields only.",
    responses((status = 200, body = Vec<Request311>), (status = 400, body = Vec<Open311ErrorBody>)))]
pub async fn list(
    State(state): State<AppState>,
    q: Result<axum::extract::Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result311<Response> {
    let axum::extract::Query(q) = q.map_err(|e| Open311Error(StatusCode::BAD_REQUEST, e.body_text()))?;
    let split = |s: &Option<String>| -> Vec<String> {
        s.as_deref().unwrap_or("").split(',').map(|x| x.trim().to_owned()).filter(|x| !x.is_empty()).collect()
    };
    let date = |name: &str, v: &Option<String>| -> Result311<Option<time::OffsetDateTime>> {
        v.as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| super::parse_instant(name, s).map_err(Open311Error::from))
            .transpose()
    };
    let ids = split(&q.service_request_id);
    let end = date("end_date", &q.end_date)?;
    let start = date("start_date", &q.start_date)?;
    let (start, end) = if ids.is_empty() {
        // The default end lies a little ahead, so a request sent this second is listed.
        let end = end.unwrap_or_else(|| state.now() + time::Duration::minutes(1));
        (Some(start.unwrap_or(end - time::Duration::days(90))), Some(end))
    } else {
        (None, None)
    };
    let codes = split(&q.service_code);
    let statuses = split(&q.status);
    if let Some(s) = statuses.iter().find(|s| *s != "open" && *s != "closed") {
        return Err(Open311Error(StatusCode::BAD_REQUEST, format!("status must be open or closed, not '{s}'")));
    }
    let items = state.store.feedback_by_codes_or_dates(&ids, start, end, 1000).await?;
    let units = unit_names(&state).await?;
    let mut out = Vec::new();
    for f in items {
        let status = if f.status.is_final() { "closed" } else { "open" };
        if (!codes.is_empty() && !codes.iter().any(|c| c == f.submission.subject_kind.as_str()))
            || (!statuses.is_empty() && !statuses.iter().any(|s| s == status))
        {
            continue;
        }
        out.push(view(&state, &f, &units).await?);
    }
    Ok(Json(out).into_response())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/services.json", get(services))
        .route("/open311/v2/requests.json", get(list).post(create))
        .route("/open311/v2/requests/{file}", get(get_one))
}
