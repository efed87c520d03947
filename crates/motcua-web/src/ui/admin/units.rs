//! `GET /quan-tri/don-vi`: every unit with its national code, kind, level, parent, electronic
//! organ identifier, validity and successor (units ended by the 2025 reform stay listed, so old
//! dossiers keep their names). `GET/POST /quan-tri/don-vi/{code}`: a unit's name, office hours
//! (its working calendar), dossier-code template and electronic organ identifier. Merges,
//! renames with history and moves are restructures (effective-dated), not edits. `POST
//! /quan-tri/don-vi` creates a unit that did not exist (issue 14; `motcua_app::units::create`).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::org::UnitSettings;
use motcua_domain::org::{Unit, UnitKind};
use serde::Deserialize;

use super::admin_of;
use crate::AppState;
use crate::ui::error::UiError;
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, Lang, render, render_status, see_other};

/// One unit as shown.
struct UnitRow {
    code: String,
    name: String,
    kind: &'static str,
    level: &'static str,
    parent: String,
    organ_id: String,
    validity: String,
    successor: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "admin/units.html")]
struct UnitsPage {
    c: Chrome,
    units: Vec<UnitRow>,
    /// The "new unit" form: kinds, parents to choose from, and what was typed.
    kinds: Vec<(&'static str, &'static str)>,
    parents: Vec<(String, String)>,
    new: NewUnit,
    error: Option<String>,
}

/// The "new unit" form as typed.
#[derive(Default, Deserialize)]
pub struct NewUnit {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    organ_id: String,
}

const KINDS: [UnitKind; 8] = [
    UnitKind::Agency,
    UnitKind::Center,
    UnitKind::Commune,
    UnitKind::Ward,
    UnitKind::SpecialZone,
    UnitKind::Counter,
    UnitKind::Province,
    UnitKind::District,
];

fn kind_code(k: UnitKind) -> &'static str {
    match k {
        UnitKind::Province => "province",
        UnitKind::Center => "center",
        UnitKind::Agency => "agency",
        UnitKind::District => "district",
        UnitKind::Commune => "commune",
        UnitKind::Ward => "ward",
        UnitKind::SpecialZone => "special_zone",
        UnitKind::Counter => "counter",
    }
}

async fn units_page(state: &AppState, s: &SignedIn, new: NewUnit, error: Option<String>) -> Result<UnitsPage, UiError> {
    let lang = s.visitor.lang;
    let all = state.store.units().await?;
    let parents = current_options(&all);
    let units = all.into_iter().map(|u| row(u, lang)).collect();
    let kinds = kind_options(lang);
    let c = Chrome::new(&s.visitor, "/quan-tri/don-vi", "Đơn vị", "Units");
    Ok(UnitsPage { c, units, kinds, parents, new, error })
}

/// `POST /quan-tri/don-vi`: creates a unit ([`motcua_app::units::create`]).
pub(super) async fn create(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<NewUnit>,
) -> Result<Response, UiError> {
    admin_of(&s)?;
    s.visitor.check_csrf(&f.csrf)?;
    let lang = s.visitor.lang;
    let result = match unit_from_form(&f.code, &f.name, &f.kind, &f.parent, &f.organ_id) {
        Some(u) => motcua_app::units::create(&state, motcua_app::accounts::Authority::Account(&s.user), u).await,
        None => {
            let msg =
                lang.t("Mã đơn vị hoặc loại đơn vị không hợp lệ.", "The unit code or kind is invalid.").to_owned();
            return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &units_page(&state, &s, f, Some(msg)).await?));
        }
    };
    match result {
        Ok(u) => Ok(see_other(&format!("/quan-tri/don-vi/{}", u.code))),
        Err(e) => {
            let msg = super::form_refusal(e, lang)?;
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &units_page(&state, &s, f, Some(msg)).await?))
        }
    }
}

/// The kinds a unit form offers: (code, label).
pub(super) fn kind_options(lang: Lang) -> Vec<(&'static str, &'static str)> {
    KINDS.iter().map(|k| (kind_code(*k), kind_label(*k, lang))).collect()
}

/// Units in force for a select: (code, name), in Vietnamese order.
pub(super) fn current_options(all: &[Unit]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        all.iter().filter(|u| u.is_current()).map(|u| (u.code.to_string(), u.name.clone())).collect();
    out.sort_by(|a, b| motcua_domain::text::collate(&a.1, &b.1));
    out
}

/// A unit from a form's fields (its level follows from its kind); `None` when the code or the
/// kind is not valid.
pub(super) fn unit_from_form(code: &str, name: &str, kind: &str, parent: &str, organ_id: &str) -> Option<Unit> {
    let level = match KINDS.into_iter().find(|k| kind_code(*k) == kind.trim())? {
        UnitKind::Province | UnitKind::Center | UnitKind::Agency => "province",
        UnitKind::District => "district",
        _ => "commune",
    };
    serde_json::from_value(serde_json::json!({
        "code": code.trim(), "name": name.trim(), "kind": kind.trim(), "level": level,
        "parent": Some(parent.trim()).filter(|p| !p.is_empty()),
        "organ_id": Some(organ_id.trim()).filter(|o| !o.is_empty()),
    }))
    .ok()
}

fn kind_label(k: UnitKind, lang: Lang) -> &'static str {
    match k {
        UnitKind::Province => lang.t("Tỉnh, thành phố", "Province"),
        UnitKind::Center => lang.t("Trung tâm Phục vụ hành chính công", "One-stop center"),
        UnitKind::Agency => lang.t("Cơ quan chuyên môn", "Agency"),
        UnitKind::District => lang.t("Huyện (trước 7/2025)", "District (before 7/2025)"),
        UnitKind::Commune => lang.t("Xã", "Commune"),
        UnitKind::Ward => lang.t("Phường", "Ward"),
        UnitKind::SpecialZone => lang.t("Đặc khu", "Special zone"),
        UnitKind::Counter => lang.t("Quầy, điểm tiếp nhận", "Reception counter"),
    }
}

fn row(u: Unit, lang: Lang) -> UnitRow {
    let dash = |s: Option<String>| s.filter(|s| !s.is_empty()).unwrap_or_else(|| "—".into());
    let validity = match (&u.valid_from, &u.valid_to) {
        (None, None) => lang.t("Đang hoạt động", "Current").to_owned(),
        (from, to) => format!(
            "{} – {}",
            from.as_deref().map(crate::views::iso_date).unwrap_or_else(|| "…".into()),
            to.as_deref().map(crate::views::iso_date).unwrap_or_else(|| lang.t("nay", "now").into())
        ),
    };
    UnitRow {
        current: u.is_current(),
        kind: kind_label(u.kind, lang),
        level: match u.level {
            motcua_domain::catalog::Level::Province => lang.t("Tỉnh", "Province"),
            motcua_domain::catalog::Level::Commune => lang.t("Xã", "Commune"),
            motcua_domain::catalog::Level::District => lang.t("Huyện", "District"),
        },
        parent: dash(u.parent),
        organ_id: dash(u.organ_id),
        successor: dash(u.successor),
        validity,
        code: u.code.to_string(),
        name: u.name,
    }
}

pub(super) async fn page(State(state): State<AppState>, s: SignedIn) -> Result<Response, UiError> {
    admin_of(&s)?;
    Ok(render(&units_page(&state, &s, NewUnit { kind: "agency".into(), ..NewUnit::default() }, None).await?))
}

#[derive(Template)]
#[template(path = "admin/unit.html")]
struct UnitPage {
    c: Chrome,
    unit: Unit,
    name: String,
    office_hours: String,
    code_template: String,
    organ_id: String,
    errors: Vec<String>,
    saved: bool,
}

#[derive(Deserialize)]
pub struct SavedQuery {
    ok: Option<String>,
}

/// A unit the officer may administer (a center admin only their own units), or 403/404.
async fn editable(state: &AppState, s: &SignedIn, code: &str) -> Result<Unit, UiError> {
    let admin = admin_of(s)?;
    let unit = state.store.unit(code).await.map_err(|_| UiError::not_found(s.visitor.lang))?;
    if !admin.covers(&unit.code) {
        return Err(UiError::forbidden(s.visitor.lang));
    }
    Ok(unit)
}

fn unit_page(s: &SignedIn, unit: Unit, errors: Vec<String>, saved: bool) -> UnitPage {
    let c = Chrome::new(&s.visitor, &format!("/quan-tri/don-vi/{}", unit.code), &unit.name, &unit.name);
    UnitPage {
        c,
        name: unit.name.clone(),
        office_hours: unit.office_hours.clone().unwrap_or_default(),
        code_template: unit.code_template.clone().unwrap_or_default(),
        organ_id: unit.organ_id.clone().unwrap_or_default(),
        unit,
        errors,
        saved,
    }
}

pub(super) async fn edit(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<SavedQuery>,
) -> Result<Response, UiError> {
    let unit = editable(&state, &s, &code).await?;
    Ok(render(&unit_page(&s, unit, Vec::new(), q.ok.is_some())))
}

#[derive(Deserialize)]
pub struct UnitForm {
    csrf: String,
    name: String,
    office_hours: String,
    code_template: String,
    organ_id: String,
}

pub(super) async fn save(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    Form(f): Form<UnitForm>,
) -> Result<Response, UiError> {
    s.visitor.check_csrf(&f.csrf)?;
    let unit = editable(&state, &s, &code).await?;
    let settings = UnitSettings {
        name: &f.name,
        office_hours: &f.office_hours,
        code_template: &f.code_template,
        organ_id: &f.organ_id,
    };
    let lang = s.visitor.lang;
    let unit = match motcua_app::units::update(&state, unit.clone(), settings)
        .await
        .map_err(|e| UiError::from(e).in_lang(lang))?
    {
        Ok(u) => u,
        Err(problems) => {
            let errors = problems.iter().map(|e| lang.t(&e.message_vi, &e.message).to_owned()).collect();
            let mut page = unit_page(&s, unit, errors, false);
            (page.name, page.office_hours, page.code_template, page.organ_id) =
                (f.name, f.office_hours, f.code_template, f.organ_id);
            return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    Ok(see_other(&format!("/quan-tri/don-vi/{}?ok=1", unit.code)))
}
