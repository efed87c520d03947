//! `GET /api/v1/inbox`: the dossiers waiting in the officer's units, soonest due first,
//! keyset-paginated with an opaque cursor.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use motcua_domain::ErrorCode;
use motcua_domain::dossier::Status;
use motcua_store::dossiers::InboxQuery;
use motcua_store::{format_ts, parse_ts};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::parse_instant;
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiQuery, Officer};
use crate::views::{Urgency, local, urgency};

#[derive(Deserialize, IntoParams)]
pub struct InboxParams {
    /// Only this status.
    pub status: Option<String>,
    /// Only dossiers due before this instant (RFC 3339).
    pub due_before: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct InboxItem {
    pub code: String,
    pub procedure_code: String,
    pub status: String,
    pub unit: String,
    pub received_at: Option<String>,
    /// The appointment (legal due, or the extension's date).
    pub due_at: Option<String>,
    pub urgency: Urgency,
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct InboxPage {
    pub items: Vec<InboxItem>,
    pub next_cursor: Option<String>,
}

/// The opaque cursor after the row `(due_sort, code)`; the console pages reuse it.
pub(crate) fn encode_cursor(due: &str, code: &str) -> String {
    format!("{due}\n{code}").bytes().map(|b| format!("{b:02x}")).collect()
}

/// `(due_sort, code)` of a cursor this server gave, or `None`.
pub(crate) fn decode_cursor(s: &str) -> Option<(String, String)> {
    if !s.len().is_multiple_of(2) || s.len() > 512 {
        return None;
    }
    let text = String::from_utf8(motcua_app::input::hex_bytes(s)?).ok()?;
    let (a, b) = text.split_once('\n')?;
    Some((a.to_owned(), b.to_owned()))
}

#[utoipa::path(get, path = "/api/v1/inbox", tag = "dossiers", params(InboxParams), security(("bearer" = [])),
    responses((status = 200, body = InboxPage), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody)))]
pub async fn inbox(
    State(state): State<AppState>,
    officer: Officer,
    ApiQuery(p): ApiQuery<InboxParams>,
) -> ApiResult<Json<InboxPage>> {
    let status = match p.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            ApiError::bad_request(
                ErrorCode::InvalidStatus,
                format!("unknown status '{s}'"),
                format!("trạng thái '{s}' không hợp lệ"),
            )
        })?),
        None => None,
    };
    let limit = p.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidLimit,
            "limit must be between 1 and 200",
            "limit phải từ 1 đến 200",
        ));
    }
    let due_before = match p.due_before.as_deref() {
        Some(s) => Some(format_ts(parse_instant("due_before", s)?)),
        None => None,
    };
    let cursor = match p.cursor.as_deref().filter(|s| !s.is_empty()) {
        Some(c) => Some(decode_cursor(c).ok_or_else(|| {
            ApiError::bad_request(
                ErrorCode::InvalidCursor,
                "the cursor is not one this server gave",
                "con trỏ phân trang không hợp lệ",
            )
        })?),
        None => None,
    };
    let q = InboxQuery { units: officer.0.units(), status, due_before, cursor, limit };
    let rows = state.store.inbox(&q).await?;
    let next_cursor =
        if rows.len() as i64 == limit { rows.last().map(|r| encode_cursor(&r.due_sort, &r.code)) } else { None };
    let t = state.now();
    let items = rows
        .into_iter()
        .map(|r| {
            let st = Status::parse(&r.status).unwrap_or(Status::Submitted);
            let due = if r.due_sort.starts_with("9999") { None } else { parse_ts(&r.due_sort).ok() };
            let cal = state.calendars.get(Some(&r.holder_unit));
            InboxItem {
                urgency: urgency(&cal, st, due, t),
                due_at: due.map(local),
                received_at: r.received_at.as_deref().and_then(|s| parse_ts(s).ok()).map(local),
                code: r.code,
                procedure_code: r.procedure_code,
                status: r.status,
                unit: r.holder_unit,
                version: r.version,
            }
        })
        .collect();
    Ok(Json(InboxPage { items, next_cursor }))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/inbox", get(inbox))
}

#[cfg(test)]
mod tests {
    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = super::encode_cursor("2025-07-01T10:00:00Z", "30742-250701-0001");
        assert_eq!(super::decode_cursor(&c), Some(("2025-07-01T10:00:00Z".into(), "30742-250701-0001".into())));
        assert_eq!(super::decode_cursor("zz"), None);
        assert_eq!(super::decode_cursor("abc"), None);
    }
}
