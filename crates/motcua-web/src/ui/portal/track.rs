//! What the citizen does from the lookup page, proving the dossier with its code and secret:
//! answer a supplementation request with files, download the e-result, rate once after the
//! result is returned, withdraw while processing has not finished. Each POST checks the CSRF
//! token, then the secret, then acts through [`motcua_app::dossiers::act`] with the version the page
//! showed (a stale page gets 409), and goes back to the lookup (303).

use axum::Form;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::FormRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::dossier::actions::Action;
use motcua_domain::dossier::actions::rate::Rate;
use motcua_domain::dossier::actions::supplement::Supplement;
use motcua_domain::dossier::actions::withdraw::Withdraw;
use motcua_domain::dossier::{Actor, Dossier, Status};
use motcua_store::web::NewFile;
use serde::Deserialize;

use super::upload::{self, Problem};
use crate::AppState;
use crate::extract::ApiQuery;
use crate::ui::error::{UiError, urlencode};
use crate::ui::{Lang, Visitor, see_other};
use motcua_app::dossiers;

/// Field name of the supplement's file input.
const FILES: &str = "files";

/// The dossier, for whoever holds its code and secret (wrong secret: 404).
async fn authorize(state: &AppState, lang: Lang, code: &str, secret: &str) -> Result<Dossier, UiError> {
    dossiers::load_with_secret(state, code, Some(secret.trim())).await.map_err(|e| UiError::from(e).in_lang(lang))
}

/// The version the page was built from.
fn version(lang: Lang, raw: &str) -> Result<i64, UiError> {
    raw.trim().parse().map_err(|_| {
        UiError::new(
            StatusCode::BAD_REQUEST,
            lang,
            "Thiếu phiên bản hồ sơ. Vui lòng tải lại trang tra cứu và thử lại.",
            "The dossier version is missing. Reload the lookup page and try again.",
        )
    })
}

/// Acts as the applicant (storing `files` with the action) and goes back to the lookup page.
async fn act_and_return(
    state: &AppState,
    lang: Lang,
    code: &str,
    secret: &str,
    version: i64,
    action: Action,
    files: Vec<NewFile>,
) -> Result<Response, UiError> {
    dossiers::act_with_files(state, Actor::Applicant, code, version, action, files)
        .await
        .map_err(|e| UiError::from(e).in_lang(lang))?;
    Ok(see_other(&lookup_path(code, secret)))
}

/// The lookup page of a dossier.
pub fn lookup_path(code: &str, secret: &str) -> String {
    format!("/tra-cuu?code={}&secret={}", urlencode(code), urlencode(secret.trim()))
}

fn unreadable_form(lang: Lang, e: &FormRejection) -> UiError {
    tracing::debug!(error = %e, "form rejection");
    UiError::new(
        StatusCode::BAD_REQUEST,
        lang,
        "Biểu mẫu gửi lên không hợp lệ. Vui lòng tải lại trang và thử lại.",
        "The form could not be read. Reload the page and try again.",
    )
}

fn unprocessable(lang: Lang, problems: &[Problem]) -> UiError {
    let vi: Vec<&str> = problems.iter().map(|p| p.vi.as_str()).collect();
    let en: Vec<&str> = problems.iter().map(|p| p.en.as_str()).collect();
    UiError::new(StatusCode::UNPROCESSABLE_ENTITY, lang, vi.join(" "), en.join(" "))
}

/// POST /tra-cuu/{code}/bo-sung (multipart: csrf, secret, version, note, files).
pub async fn supplement(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, UiError> {
    let lang = v.lang;
    let mut form = upload::read(mp.map_err(|e| upload::rejected(lang, &e))?, lang).await?;
    v.check_csrf(form.text("csrf"))?;
    let secret = form.text("secret").to_owned();
    authorize(&state, lang, &code, &secret).await?;
    let version = version(lang, form.text("version"))?;
    let note = form.text("note").trim().to_owned();
    let uploads = form.take_files(FILES);
    let mut problems = Vec::new();
    let label = lang.t("Tệp bổ sung", "Supplement file");
    let mut accepted = Vec::new();
    for u in uploads {
        match upload::check(u, FILES, label) {
            Ok(a) => accepted.push(a),
            Err(p) => problems.push(p),
        }
    }
    if accepted.is_empty() && note.is_empty() && problems.is_empty() {
        problems.push(Problem::new(
            FILES,
            "Hãy chọn ít nhất một tệp hoặc ghi chú nội dung bổ sung.",
            "Choose at least one file or write a note.",
        ));
    }
    let mut action = Action::Supplement(Supplement { documents: Vec::new(), note });
    // Stored with the action, in its transaction: a refused or stale answer leaves no files
    // behind, and a supplement never names a file that was not stored.
    let by = motcua_app::files::handed_in(&motcua_domain::dossier::Actor::Applicant, state.now());
    let files = match motcua_app::files::attach(&mut action, accepted, &by) {
        Ok(files) => files,
        Err(e) => {
            problems.push(Problem::new(FILES, e.message_vi, e.message));
            Vec::new()
        }
    };
    if !problems.is_empty() {
        return Err(unprocessable(lang, &problems));
    }
    act_and_return(&state, lang, &code, &secret, version, action, files).await
}

#[derive(Deserialize)]
pub struct SecretQuery {
    secret: Option<String>,
}

/// GET /tra-cuu/{code}/ket-qua/{file}?secret=: the e-result, once the dossier has a result.
pub async fn result_file(
    State(state): State<AppState>,
    v: Visitor,
    Path((code, file)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<SecretQuery>,
) -> Result<Response, UiError> {
    let lang = v.lang;
    let d = authorize(&state, lang, &code, q.secret.as_deref().unwrap_or("")).await?;
    if !matches!(d.status, Status::ResultReady | Status::Returned) {
        return Err(UiError::not_found(lang));
    }
    let (meta, data) = state
        .store
        .file(&file)
        .await
        .map_err(|e| UiError::from(e).in_lang(lang))?
        .filter(|(m, _)| m.kind == "result" && m.dossier_code.as_deref() == Some(d.code.as_str()))
        .ok_or_else(|| UiError::not_found(lang))?;
    Ok(crate::ui::download(&meta, data))
}

#[derive(Deserialize)]
pub struct RateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    score: String,
    #[serde(default)]
    comment: String,
}

/// POST /tra-cuu/{code}/danh-gia: the satisfaction rating, once, after the result is returned.
pub async fn rate(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<String>,
    form: Result<Form<RateForm>, FormRejection>,
) -> Result<Response, UiError> {
    let lang = v.lang;
    let Form(f) = form.map_err(|e| unreadable_form(lang, &e))?;
    v.check_csrf(&f.csrf)?;
    authorize(&state, lang, &code, &f.secret).await?;
    let version = version(lang, &f.version)?;
    let score: i64 = f.score.trim().parse().map_err(|_| {
        unprocessable(
            lang,
            &[Problem::new("score", "Vui lòng chọn một mức độ hài lòng.", "Please choose how satisfied you are.")],
        )
    })?;
    let action = Action::Rate(Rate { score, comment: f.comment.trim().to_owned() });
    act_and_return(&state, lang, &code, &f.secret, version, action, Vec::new()).await
}

#[derive(Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    reason: String,
}

/// POST /tra-cuu/{code}/rut-ho-so: the applicant stops processing (form 05, TT 03/2025).
pub async fn withdraw(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<String>,
    form: Result<Form<WithdrawForm>, FormRejection>,
) -> Result<Response, UiError> {
    let lang = v.lang;
    let Form(f) = form.map_err(|e| unreadable_form(lang, &e))?;
    v.check_csrf(&f.csrf)?;
    authorize(&state, lang, &code, &f.secret).await?;
    let version = version(lang, &f.version)?;
    let action = Action::Withdraw(Withdraw { reason: f.reason });
    act_and_return(&state, lang, &code, &f.secret, version, action, Vec::new()).await
}
