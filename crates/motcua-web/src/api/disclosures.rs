//! Monthly public disclosures of the QĐ 766 indicators (issue 5): the published snapshots are
//! public; publishing a revision (a first publication or a correction) is for a center
//! administrator. The rules live in [`crate::disclosures`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use motcua_domain::ErrorCode;
use motcua_store::StoreError;
use motcua_store::disclosures::{Disclosure, DisclosureMeta};
use motcua_store::format_ts;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use motcua_app::accounts::Authority;

use crate::AppState;
use crate::disclosures::parse_disclosure_month;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Officer};

/// One published revision, without its figures.
#[derive(Serialize, ToSchema)]
pub struct DisclosureSummary {
    /// `YYYY-MM`.
    pub month: String,
    /// 1 for the first publication, 2, 3… for corrections.
    pub revision: i64,
    /// RFC 3339, UTC.
    pub published_at: String,
    /// Username, or `system` for the month-end publication.
    pub published_by: String,
    /// Reason for the revision (required for corrections).
    pub note: String,
    /// SHA-256 (hex) of the body exactly as stored.
    pub sha256: String,
}

impl From<DisclosureMeta> for DisclosureSummary {
    fn from(m: DisclosureMeta) -> Self {
        DisclosureSummary {
            month: m.month,
            revision: m.revision,
            published_at: format_ts(m.published_at),
            published_by: m.published_by,
            note: m.note,
            sha256: m.sha256,
        }
    }
}

/// One revision with its figures and the month's revision history.
#[derive(Serialize, ToSchema)]
pub struct DisclosureDetail {
    #[serde(flatten)]
    pub summary: DisclosureSummary,
    /// The month's latest revision (greater than `revision` when this one was corrected).
    pub latest_revision: i64,
    /// The snapshot: `month`, `generated_at`, `total` (the province) and `units` (per resolving
    /// unit: counts, rates and points as `GET /api/v1/indicators` names them).
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
    /// Every revision of the month, oldest first.
    pub revisions: Vec<DisclosureSummary>,
}

async fn detail(state: &AppState, d: Disclosure) -> ApiResult<DisclosureDetail> {
    let revisions = state.store.disclosure_revisions(&d.meta.month).await?;
    let body = serde_json::from_str(&d.body).map_err(|e| {
        tracing::error!(month = %d.meta.month, revision = d.meta.revision, error = %e, "stored disclosure body");
        ApiError::internal()
    })?;
    Ok(DisclosureDetail {
        latest_revision: revisions.last().map(|r| r.revision).unwrap_or(d.meta.revision),
        summary: d.meta.into(),
        body,
        revisions: revisions.into_iter().map(Into::into).collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/disclosures", tag = "indicators",
    responses((status = 200, body = [DisclosureSummary], description = "every published revision: newest month first, newest revision first")))]
pub async fn list(State(state): State<AppState>) -> ApiResult<Json<Vec<DisclosureSummary>>> {
    Ok(Json(state.store.disclosures().await?.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, IntoParams)]
pub struct RevisionQuery {
    /// A given revision (the latest when absent).
    pub revision: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/disclosures/{month}", tag = "indicators",
    params(("month" = String, Path, description = "YYYY-MM"), RevisionQuery),
    responses((status = 200, body = DisclosureDetail), (status = 400, body = crate::error::ErrorBody, description = "invalid_month, invalid_revision"),
        (status = 404, body = crate::error::ErrorBody, description = "the month (or that revision) is not published")))]
pub async fn get_one(
    State(state): State<AppState>,
    Path(month): Path<String>,
    ApiQuery(q): ApiQuery<RevisionQuery>,
) -> ApiResult<Json<DisclosureDetail>> {
    let month = parse_disclosure_month(&month)?.to_string();
    if q.revision.is_some_and(|r| r < 1) {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidRevision,
            "'revision' must be a positive number",
            "'revision' phải là số nguyên dương",
        ));
    }
    let d = state.store.disclosure(&month, q.revision).await.map_err(|e| match e {
        StoreError::NotFound => match q.revision {
            Some(r) => ApiError::not_found(
                &format!("revision {r} of the disclosure of {month}"),
                &format!("bản số {r} của kết quả công khai tháng {month}"),
            ),
            None => ApiError::not_found(&format!("disclosure of {month}"), &format!("kết quả công khai tháng {month}")),
        },
        other => other.into(),
    })?;
    Ok(Json(detail(&state, d).await?))
}

/// A publication request.
#[derive(Deserialize, ToSchema)]
pub struct PublishRequest {
    /// `YYYY-MM`, a month that has ended.
    pub month: String,
    /// Reason for publishing; required when the month is already published (a correction).
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/disclosures", tag = "indicators", request_body = PublishRequest, security(("bearer" = [])),
    responses((status = 201, body = DisclosureDetail, description = "the new revision"),
        (status = 400, body = crate::error::ErrorBody, description = "invalid_month, note_required, note_too_long"),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody, description = "not a center administrator"),
        (status = 409, body = crate::error::ErrorBody, description = "disclosure_unchanged: the figures equal the latest revision's"),
        (status = 422, body = crate::error::ErrorBody, description = "month_not_ended")))]
pub async fn publish(
    State(state): State<AppState>,
    officer: Officer,
    ApiJson(req): ApiJson<PublishRequest>,
) -> ApiResult<(StatusCode, Json<DisclosureDetail>)> {
    let d = motcua_app::disclosures::publish(&state, Authority::Account(&officer.0), &req.month, &req.note).await?;
    Ok((StatusCode::CREATED, Json(detail(&state, d).await?)))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/disclosures", get(list).post(publish))
        .route("/api/v1/disclosures/{month}", get(get_one))
}
