//! Server-rendered pages (askama templates in `templates/`, our own CSS in `static/`). Every page
//! a citizen uses works without JavaScript; the Content-Security-Policy forbids inline scripts
//! and styles. Vietnamese by default, English by the switch in the header.
//!
//! - [`session`]: the visitor (anonymous or signed-in officer), CSRF tokens, language.
//! - [`error`]: the HTML error page.
//! - [`auth`]: officer sign-in and sign-out.
//! - [`citizen`]: catalog, procedure page, public lookup.
//! - [`portal`]: online submission, confirmation with QR, supplements, result download, rating.
//! - [`counter`]: the counter desk (receiver): reception, refusal, return, fees, printable slips.
//! - [`console`]: the officer console (specialist, leader): inbox, dossier page, actions, leader view.
//! - [`queue`]: queue kiosk, display board, counter calls, tablet rating, queue figures.
//! - [`office`]: the electronic office — document registers, register forms, document page,
//!   attachments, the printable register.
//! - [`feedback`]: citizen feedback — public list and search, submission, lookup, officers' queue.
//! - [`admin`]: administration (center_admin, system_admin): users, units, calendar.

pub mod admin;
pub mod alerts;
pub mod auth;
pub mod citizen;
pub mod console;
pub mod counter;
pub mod dashboard;
pub mod disclosures;
mod dossier_files;
pub mod error;
pub mod feedback;
pub mod office;
pub mod password;
pub mod people;
pub mod portal;
pub mod queue;
pub mod session;
pub mod verify;

use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use time::OffsetDateTime;

use crate::AppState;
pub use session::{Lang, SignedIn, Visitor};

/// The header every page sends.
pub const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                       form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// What the layout (`base.html`) needs on every page.
pub struct Chrome {
    pub lang: Lang,
    pub csrf: String,
    /// Signed-in officer's display name and username.
    pub user: Option<(String, String)>,
    /// Path of this page (for the language switch's return).
    pub path: String,
    pub title: String,
    /// Roles of the signed-in officer, for the navigation.
    pub roles: Vec<motcua_domain::dossier::Role>,
}

impl Chrome {
    pub fn new(v: &Visitor, path: &str, title_vi: &str, title_en: &str) -> Chrome {
        Chrome {
            lang: v.lang,
            csrf: v.csrf.clone(),
            user: v.user.as_ref().map(|u| (u.full_name.clone(), u.username.clone())),
            path: path.to_owned(),
            title: v.lang.t(title_vi, title_en).to_owned(),
            roles: v.user.as_ref().map(|u| u.role_set()).unwrap_or_default(),
        }
    }
    /// Vietnamese or English text.
    pub fn t<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        self.lang.t(vi, en)
    }
    /// `dd/mm/yyyy HH:MM` in Asia/Ho_Chi_Minh.
    pub fn dt(&self, t: &OffsetDateTime) -> String {
        crate::views::local_display(*t)
    }
    /// Officer work pages use the screen's width (issue 14: codes and dates no longer wrap on
    /// a 1366 px screen); citizen pages keep a reading width.
    pub fn wide(&self) -> bool {
        ["/can-bo", "/quay", "/quan-tri", "/chi-so", "/van-ban"].iter().any(|p| self.path.starts_with(p))
            && !self.path.contains("/phieu/")
    }
    /// Who acted, as people read it: the applicant and Motcua itself by name, officers by
    /// their account (the event log keeps `applicant` / `system`).
    pub fn actor(&self, name: &str) -> String {
        match name {
            "applicant" => self.t("Người nộp hồ sơ", "Applicant").to_owned(),
            "system" => self.t("Hệ thống", "System").to_owned(),
            other => other.to_owned(),
        }
    }
    /// Optional instant, or a dash.
    pub fn dt_opt(&self, t: &Option<OffsetDateTime>) -> String {
        t.map(crate::views::local_display).unwrap_or_else(|| "—".into())
    }
    /// 1.234.567 đ
    pub fn dong(&self, amount: &i64) -> String {
        crate::views::dong(*amount)
    }
    /// A fee schedule line as the law writes it ([`crate::views::fee_rule`]).
    pub fn fee_rule(&self, f: &motcua_domain::catalog::Fee) -> String {
        crate::views::fee_rule(f, self.lang)
    }
    /// A procedure's fees in a few words ([`crate::views::fees_summary`]).
    pub fn fees_summary(&self, p: &motcua_domain::catalog::Procedure) -> String {
        crate::views::fees_summary(p, self.lang)
    }
    /// An assessed fee line ([`crate::views::fee_due`]).
    pub fn fee_due(&self, a: &motcua_domain::catalog::fees::AssessedFee) -> String {
        crate::views::fee_due(a, self.lang)
    }
    pub fn signed_in(&self) -> bool {
        self.user.is_some()
    }
    /// The officer holds the role (by its snake_case name) somewhere.
    pub fn has(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r.as_str() == role)
    }
    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }
}

/// Renders a template as a page with the security headers.
pub fn render(t: &impl Template) -> Response {
    render_status(StatusCode::OK, t)
}

/// Renders with a status (forms re-shown with errors use 422).
pub fn render_status(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, secure_headers(), Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// CSP and friends.
pub fn secure_headers() -> [(header::HeaderName, HeaderValue); 4] {
    [
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::REFERRER_POLICY, HeaderValue::from_static("same-origin")),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    ]
}

/// A stored file sent as a download: a safe content type, `attachment` with an ASCII fallback and
/// the UTF-8 name (RFC 6266 / RFC 8187), never cached, sandboxed if opened.
pub fn download(meta: &motcua_store::web::FileMeta, data: Vec<u8>) -> Response {
    let content_type = HeaderValue::from_str(&meta.content_type)
        .ok()
        .filter(|_| meta.content_type.bytes().all(|b| b.is_ascii_alphanumeric() || b"/.+-".contains(&b)))
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition =
        HeaderValue::from_str(&content_disposition(&meta.name)).unwrap_or(HeaderValue::from_static("attachment"));
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_DISPOSITION, disposition),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox")),
        (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
    ];
    (headers, data).into_response()
}

fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|ch| if ch.is_ascii_alphanumeric() || "._-".contains(ch) { ch } else { '_' })
        .take(120)
        .collect();
    let utf8: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{utf8}")
}

/// 303 to `to` (after a POST).
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}

async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/style.css"),
    )
        .into_response()
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/app.js"),
    )
        .into_response()
}

/// All pages, behind the session layer.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .merge(citizen::router())
        .merge(dashboard::router())
        .merge(auth::router())
        .merge(portal::router())
        .merge(counter::router())
        .merge(console::router())
        .merge(feedback::router())
        .merge(office::router())
        .merge(alerts::router())
        .merge(admin::router())
        .merge(queue::router())
        .merge(disclosures::router())
        .merge(verify::router())
        .layer(axum::middleware::from_fn_with_state(state, session::layer))
        .route("/static/style.css", get(style))
        .route("/static/app.js", get(script))
}

#[cfg(test)]
mod tests {
    #[test]
    fn downloads_are_attachments_with_a_safe_ascii_name_and_the_utf8_name() {
        assert_eq!(
            super::content_disposition("Kết quả \"1\".pdf"),
            "attachment; filename=\"K_t_qu___1_.pdf\"; filename*=UTF-8''K%E1%BA%BFt%20qu%E1%BA%A3%20%221%22.pdf"
        );
    }
}
