//! `GET|POST /quan-tri/sap-xep`: a restructure of units (merges, renames, moves; the 2025
//! two-level local government, domain.md §13) from the administration (issue 14), with the dry
//! run the CLI has. The plan is the JSON of `POST /api/v1/restructures` and of `motcua
//! restructure FILE`; "Chạy thử" reports what would move and writes nothing, "Thực hiện" applies
//! it. Both go through [`motcua_app::units::restructure`]; a refusal comes back with its reason.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::org::RestructurePlan;
use motcua_store::restructure::RestructureReport;

use super::admin_of;
use crate::AppState;
use crate::ui::error::UiError;
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, render_status};

const PATH: &str = "/quan-tri/sap-xep";

#[derive(Template)]
#[template(path = "admin/restructure.html")]
struct RestructurePage {
    c: Chrome,
    plan: String,
    report: Option<RestructureReport>,
    error: Option<String>,
}

fn page(s: &SignedIn, plan: String, report: Option<RestructureReport>, error: Option<String>) -> RestructurePage {
    let c = Chrome::new(&s.visitor, PATH, "Sắp xếp đơn vị hành chính", "Restructure units");
    RestructurePage { c, plan, report, error }
}

pub(super) async fn form(s: SignedIn) -> Result<Response, UiError> {
    admin_of(&s)?;
    Ok(render_status(StatusCode::OK, &page(&s, String::new(), None, None)))
}

pub(super) async fn run(
    State(state): State<AppState>,
    s: SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, UiError> {
    let (_, f) = super::posted(&s, form)?;
    let lang = s.visitor.lang;
    let text = f.get("plan").to_owned();
    let dry_run = f.get("run") != "apply";
    let plan: RestructurePlan = match serde_json::from_str(&text) {
        Ok(p) => p,
        Err(e) => {
            let msg = format!("{}: {e}", lang.t("Kế hoạch không đúng dạng JSON", "The plan is not valid JSON"));
            return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(&s, text, None, Some(msg))));
        }
    };
    let by = motcua_app::accounts::Authority::Account(&s.user);
    match motcua_app::units::restructure(&state, by, &plan, dry_run).await {
        Ok(report) => Ok(render_status(StatusCode::OK, &page(&s, text, Some(report), None))),
        Err(e) => {
            let msg = super::form_refusal(e, lang)?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(&s, text, None, Some(msg))))
        }
    }
}
