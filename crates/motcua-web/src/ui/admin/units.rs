//! `GET /quan-tri/don-vi`: every unit with its national code, kind, level, parent, electronic
//! organ identifier, validity and successor (units ended by the 2025 reform stay listed, so old
//! dossiers keep their names). `GET/POST /quan-tri/don-vi/{code}`: a unit's name, office hours
//! (its working calendar), dossier-code template and electronic organ identifier. Merges,
//! renames with history and moves are restructures (effective-dated), not edits.

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
        (from, to) => format!("{} – {}", from.as_deref().unwrap_or("…"), to.as_deref().unwrap_or(lang.t("nay", "now"))),
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
    let lang = s.visitor.lang;
    let units = state.store.units().await?.into_iter().map(|u| row(u, lang)).collect();
    let c = Chrome::new(&s.visitor, "/quan-tri/don-vi", "Đơn vị", "Units");
    Ok(render(&UnitsPage { c, units }))
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
