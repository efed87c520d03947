//! `GET /quan-tri/cong-khai`: the monthly disclosures published so far (every revision), and a
//! form to publish a month or a correction of it (issue 14). `POST` goes through
//! [`motcua_app::disclosures::publish`], the API's use case: only a center administrator, only an
//! ended month, a correction only when the figures changed; a refusal comes back with its reason
//! (422). A published revision is never edited: a correction is the next revision, with its note.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::Response;
use motcua_store::disclosures::DisclosureMeta;

use super::admin_of;
use crate::AppState;
use crate::ui::error::UiError;
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, render_status, see_other};

const PATH: &str = "/quan-tri/cong-khai";

#[derive(Template)]
#[template(path = "admin/disclosures.html")]
struct DisclosuresPage {
    c: Chrome,
    published: Vec<DisclosureMeta>,
    month: String,
    note: String,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    s: &SignedIn,
    month: String,
    note: String,
    error: Option<String>,
) -> Result<DisclosuresPage, UiError> {
    let mut published = state.store.disclosures().await?;
    published.sort_by(|a, b| (&b.month, b.revision).cmp(&(&a.month, a.revision)));
    let c = Chrome::new(&s.visitor, PATH, "Công khai kết quả hằng tháng", "Monthly disclosures");
    Ok(DisclosuresPage { c, published, month, note, error })
}

pub(super) async fn list(State(state): State<AppState>, s: SignedIn) -> Result<Response, UiError> {
    admin_of(&s)?;
    Ok(render_status(StatusCode::OK, &page(&state, &s, String::new(), String::new(), None).await?))
}

pub(super) async fn publish(
    State(state): State<AppState>,
    s: SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, UiError> {
    let (_, f) = super::posted(&s, form)?;
    let lang = s.visitor.lang;
    let (month, note) = (f.get("month").to_owned(), f.get("note").to_owned());
    let by = motcua_app::accounts::Authority::Account(&s.user);
    match motcua_app::disclosures::publish(&state, by, &month, &note).await {
        Ok(d) => Ok(see_other(&format!("/cong-khai/{}", d.meta.month))),
        Err(e) => {
            let msg = super::form_refusal(e, lang)?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(&state, &s, month, note, Some(msg)).await?))
        }
    }
}
