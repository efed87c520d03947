//! `GET/POST /quan-tri/quy-trinh/{code}`: the internal process designer (quy trình nội bộ,
//! TT 01/2018 Art. 8; domain.md §6). A table of steps — name, role, unit (or a consulted agency
//! for liên thông), working days and a parallel group — with empty rows to add steps (rows with
//! an empty name are ignored). Saving goes through [`crate::api::process::save`], the API's code
//! path: Σ budgets (a parallel group counting as its longest step) must fit the legal time, and
//! the process is stored as a new version of the procedure.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::dossier::Role;
use motcua_domain::process::{ProcessStep, StepUnit};
use serde::Deserialize;

use super::admin_of;
use crate::AppState;
use crate::api::process::{ProcessView, current, save};
use crate::ui::error::UiError;
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, Lang, render, render_status, see_other};

/// Empty rows offered for new steps.
const BLANK_ROWS: usize = 3;
/// Most rows a form may carry.
const MAX_ROWS: usize = 100;

/// One `<option>` of a select.
struct Opt {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

/// One editable row of the step table.
struct Row {
    i: usize,
    name: String,
    roles: Vec<Opt>,
    units: Vec<Opt>,
    code: String,
    days: String,
    group: String,
    optional: bool,
}

#[derive(Template)]
#[template(path = "admin/process.html")]
struct ProcessPage {
    c: Chrome,
    code: String,
    name: String,
    version: i64,
    rows: Vec<Row>,
    total: String,
    legal: String,
    errors: Vec<String>,
    saved: bool,
}

const UNITS: [(&str, &str, &str); 4] = [
    ("CENTER", "Bộ phận Một cửa", "One-stop"),
    ("AGENCY", "Cơ quan giải quyết", "Resolving agency"),
    ("COMMUNE", "UBND xã, phường", "Commune"),
    ("CONSULTED", "Cơ quan phối hợp (liên thông)", "Consulted agency"),
];

fn unit_str(u: StepUnit) -> &'static str {
    match u {
        StepUnit::Center => "CENTER",
        StepUnit::Agency => "AGENCY",
        StepUnit::Commune => "COMMUNE",
        StepUnit::Consulted => "CONSULTED",
    }
}

fn role_label(r: Role, lang: Lang) -> &'static str {
    match r {
        Role::Receiver => lang.t("Cán bộ tiếp nhận", "Receiver"),
        Role::Specialist => lang.t("Chuyên viên", "Specialist"),
        Role::Leader => lang.t("Lãnh đạo", "Leader"),
        Role::CenterAdmin => lang.t("Quản trị trung tâm", "Center admin"),
        Role::Clerk => lang.t("Văn thư", "Clerk"),
        Role::SystemAdmin => lang.t("Quản trị hệ thống", "System admin"),
    }
}

/// Working days shown without trailing zeros.
fn days_text(d: f64) -> String {
    let s = format!("{d:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A row of the table from its values `[name, role, unit, code, days, group]`, with the
/// selects' options in the page language.
fn row(i: usize, [name, role, unit, code, days, group]: [&str; 6], optional: bool, lang: Lang) -> Row {
    Row {
        i,
        name: name.to_owned(),
        roles: Role::ALL
            .into_iter()
            .map(|r| Opt { value: r.as_str(), label: role_label(r, lang), selected: r.as_str() == role })
            .collect(),
        units: UNITS
            .into_iter()
            .map(|(v, vi, en)| Opt { value: v, label: lang.t(vi, en), selected: v == unit })
            .collect(),
        code: code.to_owned(),
        days: days.to_owned(),
        group: group.to_owned(),
        optional,
    }
}

fn rows_of(steps: &[ProcessStep], lang: Lang) -> Vec<Row> {
    let mut rows: Vec<Row> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let days = s.budget().map(|b| days_text(b.days())).unwrap_or_default();
            let code = s.unit_code.as_deref().unwrap_or_default();
            let group = s.parallel.as_deref().unwrap_or_default();
            row(i, [&s.name, s.role.as_str(), unit_str(s.unit), code, &days, group], s.optional, lang)
        })
        .collect();
    let n = rows.len();
    rows.extend((n..n + BLANK_ROWS).map(|i| row(i, ["", "specialist", "AGENCY", "", "", ""], false, lang)));
    rows
}

fn page(
    s: &SignedIn,
    view: &ProcessView,
    name: String,
    rows: Vec<Row>,
    errors: Vec<String>,
    saved: bool,
) -> ProcessPage {
    let title = format!("Quy trình nội bộ {}", view.code);
    let c = Chrome::new(
        &s.visitor,
        &format!("/quan-tri/quy-trinh/{}", view.code),
        &title,
        &format!("Internal process {}", view.code),
    );
    ProcessPage {
        c,
        code: view.code.clone(),
        name,
        version: view.version,
        rows,
        total: days_text(view.total_days),
        legal: days_text(view.legal_days),
        errors,
        saved,
    }
}

#[derive(Deserialize)]
pub struct SavedQuery {
    ok: Option<String>,
}

pub(super) async fn edit(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<SavedQuery>,
) -> Result<Response, UiError> {
    admin_of(&s)?;
    let p = current(&state, &code).await?;
    let view = ProcessView::of(&p)?;
    let rows = rows_of(&p.steps, s.visitor.lang);
    Ok(render(&page(&s, &view, p.name, rows, Vec::new(), q.ok.is_some())))
}

/// The steps of the submitted table (rows without a name are ignored) and every problem found.
fn parse_rows(fields: &[(String, String)], lang: Lang) -> (Vec<ProcessStep>, Vec<Row>, Vec<String>) {
    let get = |k: String| fields.iter().find(|(f, _)| *f == k).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let (mut steps, mut rows, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for i in (0..MAX_ROWS).take_while(|i| fields.iter().any(|(f, _)| *f == format!("name_{i}"))) {
        let (name, role, unit) = (get(format!("name_{i}")), get(format!("role_{i}")), get(format!("unit_{i}")));
        let (code, days, group) = (get(format!("code_{i}")), get(format!("days_{i}")), get(format!("group_{i}")));
        let optional = !get(format!("optional_{i}")).is_empty();
        rows.push(row(i, [&name, &role, &unit, &code, &days, &group], optional, lang));
        if name.is_empty() {
            continue;
        }
        let parsed_role = Role::parse(&role);
        let parsed_unit = match unit.as_str() {
            "CENTER" => Some(StepUnit::Center),
            "AGENCY" => Some(StepUnit::Agency),
            "COMMUNE" => Some(StepUnit::Commune),
            "CONSULTED" => Some(StepUnit::Consulted),
            _ => None,
        };
        let parsed_days = days.replace(',', ".").parse::<f64>().ok().filter(|d| d.is_finite() && *d >= 0.0);
        match (parsed_role, parsed_unit, parsed_days) {
            (Some(role), Some(unit), Some(d)) => steps.push(ProcessStep {
                name,
                role,
                unit,
                days: Some(d),
                hours: None,
                parallel: Some(group).filter(|g| !g.is_empty()),
                unit_code: Some(code).filter(|c| !c.is_empty()),
                optional,
            }),
            _ => errors.push(format!(
                "{} '{name}': {}",
                lang.t("Bước", "Step"),
                lang.t(
                    "cần chọn vai trò, đơn vị và ghi số ngày làm việc (số không âm, ví dụ 0,5).",
                    "choose a role and a unit and give the working days (a non-negative number, e.g. 0.5).",
                )
            )),
        }
    }
    (steps, rows, errors)
}

pub(super) async fn save_form(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, UiError> {
    let csrf = fields.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or_default();
    s.visitor.check_csrf(csrf)?;
    admin_of(&s)?;
    let lang = s.visitor.lang;
    let p = current(&state, &code).await?;
    let (steps, rows, mut errors) = parse_rows(&fields, lang);
    if errors.is_empty() {
        match save(&state, &code, steps).await {
            Ok(_) => return Ok(see_other(&format!("/quan-tri/quy-trinh/{code}?ok=1"))),
            Err(e) if e.status.is_client_error() => errors.push(lang.t(&e.body.message_vi, &e.body.message).to_owned()),
            Err(e) => return Err(e.into()),
        }
    }
    let view = ProcessView::of(&p)?;
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(&s, &view, p.name, rows, errors, false)))
}

#[derive(Deserialize)]
pub struct OpenQuery {
    code: Option<String>,
}

/// `GET /quan-tri/quy-trinh?code=…`: the admin home's "open a procedure's process" form.
pub(super) async fn open(
    s: SignedIn,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<OpenQuery>,
) -> Result<Response, UiError> {
    admin_of(&s)?;
    let code = q.code.unwrap_or_default();
    if code.trim().is_empty() {
        // Nothing chosen yet: the administration home has the procedure field.
        return Ok(see_other("/quan-tri"));
    }
    let code =
        motcua_domain::catalog::ProcedureCode::parse(code.trim()).map_err(|_| UiError::not_found(s.visitor.lang))?;
    Ok(see_other(&format!("/quan-tri/quy-trinh/{}", code.as_str())))
}
