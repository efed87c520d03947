//! The public verification of electronic results (issue 16 item 4; docs/RESULTS.md), without
//! sign-in or JavaScript:
//!
//! - `/xac-thuc/{sha256}`: the page the QR code printed with a result opens: valid / unsigned /
//!   invalid, issuing unit, date, procedure, the file's SHA-256, the signature and the unit's
//!   public key to check it with OpenSSL — nothing about the applicant;
//! - `/xac-thuc`: a form to upload a file and learn whether it is a genuine result.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::response::Response;
use axum::routing::get;

use crate::AppState;
use crate::ui::error::UiError;
use crate::ui::{Chrome, Visitor, render};
use motcua_app::results::Verification;

#[derive(Template)]
#[template(path = "verify/result.html")]
struct VerifyPage {
    c: Chrome,
    /// The result found, if any.
    found: Option<Shown>,
    /// Whether the page answers an upload (else a QR or a typed hash).
    uploaded: bool,
    /// The hash looked for (a typed or scanned one that matched nothing).
    asked: String,
}

/// A verification, formatted for the page.
struct Shown {
    v: Verification,
    issued_at: String,
    revoked_at: String,
    size: String,
    url: String,
    qr: String,
}

fn shown(v: Verification, c: &Chrome, url: String) -> Shown {
    let label = c.t("Mã QR để xác thực kết quả", "QR code to verify the result");
    Shown {
        issued_at: crate::views::local_display(v.issued_at),
        revoked_at: v.revoked_at.map(crate::views::local_display).unwrap_or_default(),
        size: crate::views::file_size(v.size),
        qr: crate::views::qr_svg(&url, label),
        url,
        v,
    }
}

/// `path` on the site's origin when the request names it (the QR code must open on a phone).
fn absolute(headers: &axum::http::HeaderMap, path: &str) -> String {
    match crate::extract::origin(headers) {
        Some(o) => format!("{o}{path}"),
        None => path.to_owned(),
    }
}

async fn by_hash(
    State(state): State<AppState>,
    v: Visitor,
    headers: axum::http::HeaderMap,
    Path(sha256): Path<String>,
) -> Result<Response, UiError> {
    let c = Chrome::new(&v, "/xac-thuc", "Xác thực kết quả giải quyết", "Verify a result");
    let found =
        motcua_app::results::verify_hash(&state, &sha256, None).await.map_err(|e| UiError::from(e).in_lang(v.lang))?;
    let url = absolute(&headers, &format!("/xac-thuc/{}", sha256.trim().to_ascii_lowercase()));
    let found = found.map(|f| shown(f, &c, url));
    Ok(render(&VerifyPage { c, found, uploaded: false, asked: sha256 }))
}

async fn form(v: Visitor) -> Response {
    let c = Chrome::new(&v, "/xac-thuc", "Xác thực kết quả giải quyết", "Verify a result");
    render(&VerifyPage { c, found: None, uploaded: false, asked: String::new() })
}

async fn upload(State(state): State<AppState>, v: Visitor, req: Request) -> Result<Response, UiError> {
    let headers = req.headers().clone();
    let (_, mut files) =
        crate::multipart::read_page_form(req, &state, 1024).await.map_err(|e| UiError::form(e, v.lang))?;
    let c = Chrome::new(&v, "/xac-thuc", "Xác thực kết quả giải quyết", "Verify a result");
    let Some(file) = files.pop().filter(|f| !f.data.is_empty()) else {
        return Err(UiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            v.lang,
            "Hãy chọn tệp kết quả cần kiểm tra (tối đa 10 MB).",
            "Choose the result file to check (at most 10 MB).",
        ));
    };
    let found =
        motcua_app::results::verify_file(&state, &file.data).await.map_err(|e| UiError::from(e).in_lang(v.lang))?;
    let found = found.map(|f| {
        let url = absolute(&headers, &format!("/xac-thuc/{}", f.sha256));
        shown(f, &c, url)
    });
    let asked = motcua_domain::audit::sha256_hex(&[file.data.as_slice()]);
    Ok(render(&VerifyPage { c, found, uploaded: true, asked }))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/xac-thuc", get(form).post(upload).layer(DefaultBodyLimit::max(crate::multipart::MAX_FILE + 64 * 1024)))
        .route("/xac-thuc/{sha256}", get(by_hash))
}
