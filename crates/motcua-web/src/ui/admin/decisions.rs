//! Publication decisions and procedure versions (the pages beside `GET /api/v1/decisions` and
//! `GET /api/v1/procedures/{code}/versions|diff`):
//!
//! - `GET /quan-tri/quyet-dinh`: every decision, latest effective first, with the procedures it
//!   publishes as new, amends or abolishes (each linking to its versions).
//! - `GET /quan-tri/thu-tuc/{code}/phien-ban[?from=&to=]`: a procedure's versions and the
//!   fields that differ between two of them (by default the last two). 404 for an unknown
//!   procedure, 400 for a version it does not have.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use motcua_domain::catalog::ProcedureCode;
use motcua_domain::catalog::decision::Decision;
use motcua_store::StoreError;
use serde::Deserialize;

use super::admin_of;
use crate::AppState;
use crate::api::versions::{changes_between, versions_of};
use crate::extract::ApiQuery;
use crate::ui::error::UiError;
use crate::ui::session::{Lang, SignedIn};
use crate::ui::{Chrome, render};

use crate::views::date as day;

/// A stored `YYYY-MM-DD` as `dd/mm/yyyy`; a dash for versions stored before decisions existed.
fn stored_day(s: &str, lang: Lang) -> String {
    match s.split('-').collect::<Vec<_>>()[..] {
        ["0001", "01", "01"] => {
            lang.t("— (trước khi ghi nhận quyết định)", "— (before decisions were recorded)").into()
        }
        [y, m, d] => format!("{d}/{m}/{y}"),
        _ => s.to_owned(),
    }
}

/// One listed decision.
struct DecisionRow {
    number: String,
    signed_on: String,
    effective_from: String,
    signer: String,
    new: Vec<String>,
    amended: Vec<String>,
    abolished: Vec<String>,
}

impl From<Decision> for DecisionRow {
    fn from(d: Decision) -> Self {
        DecisionRow {
            number: d.number,
            signed_on: day(d.signed_on),
            effective_from: day(d.effective_from),
            signer: d.signer,
            new: d.new.into_iter().map(|p| p.code.into_string()).collect(),
            amended: d.amended.into_iter().map(|p| p.code.into_string()).collect(),
            abolished: d.abolished,
        }
    }
}

#[derive(Template)]
#[template(path = "admin/decisions.html")]
struct DecisionsPage {
    c: Chrome,
    decisions: Vec<DecisionRow>,
}

pub(super) async fn list(State(state): State<AppState>, s: SignedIn) -> Result<Response, UiError> {
    admin_of(&s)?;
    let decisions = state.store.decisions().await?.into_iter().map(DecisionRow::from).collect();
    let c = Chrome::new(&s.visitor, "/quan-tri/quyet-dinh", "Quyết định công bố thủ tục", "Publication decisions");
    Ok(render(&DecisionsPage { c, decisions }))
}

#[derive(Deserialize)]
pub struct VersionsQuery {
    from: Option<String>,
    to: Option<String>,
}

/// One listed version.
struct VersionRow {
    version: i64,
    effective_from: String,
    decision: Option<String>,
    status: &'static str,
}

/// One changed field, its values as pretty-printed JSON.
struct ChangeRow {
    field: String,
    before: String,
    after: String,
}

#[derive(Template)]
#[template(path = "admin/versions.html")]
struct VersionsPage {
    c: Chrome,
    code: String,
    versions: Vec<VersionRow>,
    from: i64,
    to: i64,
    changes: Vec<ChangeRow>,
}

fn status(s: &str, lang: Lang) -> &'static str {
    match s {
        "new" => lang.t("Công bố mới", "New"),
        "amended" => lang.t("Sửa đổi, bổ sung", "Amended"),
        "abolished" => lang.t("Bãi bỏ", "Abolished"),
        _ => lang.t("Đã công bố", "Published"),
    }
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

pub(super) async fn versions(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<VersionsQuery>,
) -> Result<Response, UiError> {
    admin_of(&s)?;
    let lang = s.visitor.lang;
    ProcedureCode::parse(&code).map_err(|_| UiError::not_found(lang))?;
    let stored = versions_of(&state, &code).await.map_err(|e| match e {
        StoreError::NotFound => UiError::not_found(lang),
        e => UiError::from(e).in_lang(lang),
    })?;
    let numbers: Vec<i64> = stored.iter().map(|v| v.version).collect();
    let last = numbers.last().copied().unwrap_or(1);
    let pick = |given: Option<&str>, default: i64| -> Result<i64, UiError> {
        match given.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(default),
            Some(v) => v.parse::<i64>().ok().filter(|n| numbers.contains(n)).ok_or_else(|| {
                crate::ui::console::bad_request(
                    lang,
                    "Thủ tục không có phiên bản này.",
                    "The procedure has no such version.",
                )
            }),
        }
    };
    let default_from = numbers.iter().rev().nth(1).copied().unwrap_or(last);
    let from = pick(q.from.as_deref(), default_from)?;
    let to = pick(q.to.as_deref(), last)?;
    let changes = changes_between(&state, &code, from, to)
        .await
        .map_err(|e| UiError::from(e).in_lang(lang))?
        .into_iter()
        .map(|c| ChangeRow { before: pretty(&c.before), after: pretty(&c.after), field: c.field })
        .collect();
    let versions = stored
        .into_iter()
        .map(|v| VersionRow {
            version: v.version,
            effective_from: stored_day(&v.effective_from, lang),
            decision: v.decision,
            status: status(&v.status, lang),
        })
        .collect();
    let path = format!("/quan-tri/thu-tuc/{code}/phien-ban");
    let c = Chrome::new(&s.visitor, &path, "Các phiên bản của thủ tục", "Procedure versions");
    Ok(render(&VersionsPage { c, code, versions, from, to, changes }))
}
