//! `GET /quan-tri/doi-soat?ngay=`: the day's reconciliation of online payments (issue 15 item 5)
//! — the payment platform's transactions set against Motcua's payment records, line by line:
//! matched, only at the platform, only in Motcua, another amount.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use motcua_app::payments::{Reconciliation, day_or_yesterday, reconcile};
use serde::Deserialize;

use super::admin_of;
use crate::AppState;
use crate::extract::ApiQuery;
use crate::ui::error::UiError;
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, render};

#[derive(Template)]
#[template(path = "admin/payments.html")]
struct ReconciliationPage {
    c: Chrome,
    /// `YYYY-MM-DD` for the date field, and as people read it.
    day: String,
    shown_day: String,
    r: Option<Reconciliation>,
    /// Why there is no report (no platform, the platform not answering).
    problem: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct DayQuery {
    ngay: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    s: SignedIn,
    ApiQuery(q): ApiQuery<DayQuery>,
) -> Result<Response, UiError> {
    admin_of(&s)?;
    let lang = s.visitor.lang;
    let day = day_or_yesterday(&state, q.ngay.as_deref()).map_err(|e| UiError::from(e).in_lang(lang))?;
    let (r, problem) = match reconcile(&state, day).await {
        Ok(r) => (Some(r), None),
        Err(e) if matches!(e.kind, motcua_app::error::Kind::Unavailable | motcua_app::error::Kind::Unprocessable) => {
            (None, Some(lang.t(&e.message_vi, &e.message).to_owned()))
        }
        Err(e) => return Err(UiError::from(e).in_lang(lang)),
    };
    let c = Chrome::new(
        &s.visitor,
        "/quan-tri/doi-soat",
        "Đối soát thanh toán trực tuyến",
        "Online payment reconciliation",
    );
    Ok(render(&ReconciliationPage { c, day: day.to_string(), shown_day: crate::views::date(day), r, problem }))
}
