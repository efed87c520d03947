//! The JSON API, one module per resource, each exposing `router()`.

pub mod agency_exchange;
pub mod alerts;
pub mod auth;
pub mod calendar;
pub mod decisions;
pub mod disclosures;
pub mod documents;
pub mod dossiers;
pub mod edxml;
pub mod edxml_recall;
pub mod export;
pub mod feedback;
pub mod inbox;
pub mod indicators;
pub mod indicators_export;
pub mod national;
pub mod open311;
pub mod payments;
pub mod procedures;
pub mod process;
pub mod queue;
pub mod reference;
pub mod restructures;
pub mod results;
pub mod units;
pub mod versions;

use axum::Router;
use motcua_domain::ErrorCode;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(auth::router())
        .merge(calendar::router())
        .merge(procedures::router())
        .merge(process::router())
        .merge(export::router())
        .merge(reference::router())
        .merge(versions::router())
        .merge(decisions::router())
        .merge(units::router())
        .merge(restructures::router())
        .merge(dossiers::router())
        .merge(inbox::router())
        .merge(alerts::router())
        .merge(national::router())
        .merge(payments::router())
        .merge(results::router())
        .merge(feedback::router())
        .merge(documents::router())
        .merge(open311::router())
        .merge(indicators::router())
        .merge(disclosures::router())
        .merge(indicators_export::router())
        .merge(queue::router())
        .merge(edxml::router())
        .merge(agency_exchange::router())
        .merge(crate::metrics::router())
}

/// Parses an RFC 3339 instant from a parameter, or answers 400 naming the parameter.
pub(crate) fn parse_instant(name: &str, value: &str) -> Result<time::OffsetDateTime, crate::error::ApiError> {
    time::OffsetDateTime::parse(value.trim(), &time::format_description::well_known::Rfc3339).map_err(|_| {
        crate::error::ApiError::bad_request(
            ErrorCode::InvalidDatetime,
            format!("'{name}' must be an RFC 3339 date-time with offset, e.g. 2025-07-01T08:00:00+07:00"),
            format!("'{name}' phải là thời điểm dạng RFC 3339 có múi giờ, ví dụ 2025-07-01T08:00:00+07:00"),
        )
    })
}

/// Parses a `YYYY-MM-DD` date parameter, or answers 400 naming the parameter.
pub(crate) fn parse_date(name: &str, value: &str) -> Result<time::Date, crate::error::ApiError> {
    Ok(motcua_app::input::date(name, value)?)
}
