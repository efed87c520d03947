//! Paying a dossier's fees online from the lookup page (issue 15 item 5):
//!
//! - `POST /tra-cuu/{code}/thanh-toan` (csrf, secret): opens the payment and sends the applicant
//!   to the payment platform's page (303);
//! - `GET /thanh-toan/ket-qua?…`: the applicant is back with the platform's signed result; it is
//!   checked and recorded (once, whether the callback came first or not) and the result shown
//!   with the electronic receipt. No script on either page.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use motcua_domain::payment::{Payment, PaymentState};
use serde::Deserialize;

use crate::AppState;
use crate::ui::error::UiError;
use crate::ui::{Chrome, Visitor, render, see_other};

#[derive(Deserialize)]
pub struct PayForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    secret: String,
}

/// POST /tra-cuu/{code}/thanh-toan.
pub async fn start(
    State(state): State<AppState>,
    v: Visitor,
    headers: HeaderMap,
    Path(code): Path<String>,
    form: Result<Form<PayForm>, FormRejection>,
) -> Result<Response, UiError> {
    let lang = v.lang;
    let Form(f) = form.map_err(|_| {
        UiError::new(
            StatusCode::BAD_REQUEST,
            lang,
            "Biểu mẫu gửi lên không hợp lệ. Vui lòng tải lại trang và thử lại.",
            "The form could not be read. Reload the page and try again.",
        )
    })?;
    v.check_csrf(&f.csrf)?;
    let origin = crate::extract::origin(&headers).unwrap_or_default();
    let started = motcua_app::payments::start(&state, &code, &f.secret, &origin)
        .await
        .map_err(|e| UiError::from(e).in_lang(lang))?;
    Ok(see_other(&started.redirect_url))
}

#[derive(Template)]
#[template(path = "portal/paid.html")]
struct PaidPage {
    c: Chrome,
    p: Payment,
    paid: bool,
}

impl PaidPage {
    fn channel(&self) -> String {
        self.p.channel.as_deref().map(|c| crate::views::payment_channel(c, self.c.lang)).unwrap_or_default()
    }
}

/// GET /thanh-toan/ket-qua.
pub async fn back(
    State(state): State<AppState>,
    v: Visitor,
    Query(fields): Query<BTreeMap<String, String>>,
) -> Result<Response, UiError> {
    let lang = v.lang;
    let p = motcua_app::payments::back(&state, &fields).await.map_err(|e| UiError::from(e).in_lang(lang))?;
    let c = Chrome::new(&v, "/tra-cuu", "Kết quả thanh toán", "Payment result");
    let paid = matches!(p.state, PaymentState::Paid | PaymentState::Refunded);
    let mut res = render(&PaidPage { c, p, paid });
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
