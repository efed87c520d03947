//! `GET /quan-tri/don-vi`: every unit with its national code, kind, level, parent, electronic
//! organ identifier, validity and successor (units ended by the 2025 reform stay listed, so old
//! dossiers keep their names).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use motcua_domain::org::{Unit, UnitKind};

use super::Admin;
use crate::AppState;
use crate::ui::error::UiError;
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, Lang, render};

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
        code: u.code,
        name: u.name,
    }
}

pub(super) async fn page(State(state): State<AppState>, s: SignedIn) -> Result<Response, UiError> {
    Admin::of(&s)?;
    let lang = s.visitor.lang;
    let units = state.store.units().await?.into_iter().map(|u| row(u, lang)).collect();
    let c = Chrome::new(&s.visitor, "/quan-tri/don-vi", "Đơn vị", "Units");
    Ok(render(&UnitsPage { c, units }))
}
