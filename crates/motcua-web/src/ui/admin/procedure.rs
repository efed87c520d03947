//! `GET|POST /quan-tri/thu-tuc/moi[?sua=<code>]`: an administrator publishes a procedure (or a
//! new version of one) together with the publication decision that announces it (issue 14): the
//! procedure's name, field, level, resolving agency, legal time, online level, fees, documents,
//! results and legal basis, and the decision's number, signing and effective dates and signer.
//! Both go through [`motcua_app::catalog::record_decision`], so the page checks exactly what the
//! API checks; a refusal is shown back with everything typed (422). An amended procedure keeps
//! its internal process; a new one gets it in the process designer afterwards.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::catalog::decision::Decision;
use motcua_domain::catalog::{COMMUNE_AGENCY, Level, OnlineLevel, Procedure, ProcedureCode, RequiredDocument};
use motcua_domain::org::UnitKind;
use serde::Deserialize;
use time::Date;
use time::macros::format_description;

use super::admin_of;
use crate::AppState;
use crate::extract::ApiQuery;
use crate::ui::console::Opt;
use crate::ui::error::UiError;
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, Lang, render_status, see_other};

const PATH: &str = "/quan-tri/thu-tuc/moi";

#[derive(Deserialize)]
pub struct EditQuery {
    /// A current procedure to amend.
    sua: Option<String>,
}

/// The form's values, as typed.
#[derive(Default, Clone)]
struct Values {
    code: String,
    name: String,
    field: String,
    level: String,
    agency: String,
    days: String,
    online: String,
    fees: String,
    documents: String,
    results: String,
    legal_basis: String,
    number: String,
    signed_on: String,
    effective_from: String,
    signer: String,
}

#[derive(Template)]
#[template(path = "admin/procedure.html")]
struct ProcedurePage {
    c: Chrome,
    v: Values,
    amending: bool,
    levels: Vec<Opt>,
    agencies: Vec<Opt>,
    onlines: Vec<Opt>,
    error: Option<String>,
}

fn lines(p: &[String]) -> String {
    p.join("\n")
}

fn values_of(p: &Procedure) -> Values {
    Values {
        code: p.code.to_string(),
        name: p.name.clone(),
        field: p.field.clone(),
        level: p.level.as_str().to_owned(),
        agency: p.agency.clone(),
        days: p.processing_days.map(|d| d.to_string()).unwrap_or_default(),
        online: p.online_level.as_str().to_owned(),
        fees: p
            .fees
            .iter()
            .map(|f| format!("{}: {}", f.name, crate::views::fee_rule(f, crate::views::Lang::Vi)))
            .collect::<Vec<_>>()
            .join("\n"),
        documents: lines(&p.documents.iter().map(|d| d.name.clone()).collect::<Vec<_>>()),
        results: lines(&p.results),
        legal_basis: lines(&p.legal_basis),
        ..Values::default()
    }
}

async fn page(
    state: &AppState,
    s: &SignedIn,
    v: Values,
    amending: bool,
    error: Option<String>,
) -> Result<ProcedurePage, UiError> {
    let lang = s.visitor.lang;
    let opt = |value: &'static str, vi: &'static str, en: &'static str, chosen: &str| Opt {
        value: value.to_owned(),
        label: lang.t(vi, en).to_owned(),
        selected: value == chosen,
    };
    let levels = vec![opt("province", "Cấp tỉnh", "Province", &v.level), opt("commune", "Cấp xã", "Commune", &v.level)];
    let onlines = vec![
        opt("full", "Dịch vụ công trực tuyến toàn trình", "Fully online", &v.online),
        opt("partial", "Dịch vụ công trực tuyến một phần", "Partly online", &v.online),
        opt("none", "Chưa cung cấp trực tuyến", "Not online", &v.online),
    ];
    let mut agencies = vec![Opt {
        value: COMMUNE_AGENCY.to_owned(),
        label: lang.t("UBND cấp xã nơi nộp hồ sơ", "The commune where it is filed").to_owned(),
        selected: v.agency == COMMUNE_AGENCY,
    }];
    let mut units: Vec<_> =
        state.store.units().await?.into_iter().filter(|u| u.kind == UnitKind::Agency && u.is_current()).collect();
    units.sort_by(|a, b| motcua_domain::text::collate(&a.name, &b.name));
    agencies.extend(units.into_iter().map(|u| Opt {
        selected: v.agency == u.code.as_str(),
        value: u.code.to_string(),
        label: u.name,
    }));
    let title = if amending {
        ("Sửa đổi thủ tục", "Amend a procedure")
    } else {
        ("Công bố thủ tục mới", "Publish a procedure")
    };
    let c = Chrome::new(&s.visitor, PATH, title.0, title.1);
    Ok(ProcedurePage { c, v, amending, levels, agencies, onlines, error })
}

pub(super) async fn form(
    State(state): State<AppState>,
    s: SignedIn,
    ApiQuery(q): ApiQuery<EditQuery>,
) -> Result<Response, UiError> {
    admin_of(&s)?;
    let (v, amending) = match q.sua.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => {
            let p = state.store.procedure(code).await.map_err(|_| UiError::not_found(s.visitor.lang))?;
            (values_of(&p), true)
        }
        None => (Values { level: "province".into(), online: "partial".into(), ..Values::default() }, false),
    };
    Ok(render_status(StatusCode::OK, &page(&state, &s, v, amending, None).await?))
}

/// Non-empty trimmed lines.
fn split_lines(s: &str) -> Vec<String> {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// The procedure and decision the form describes, or what is wrong with its fields.
fn build(v: &Values, current: Option<Procedure>, lang: Lang) -> Result<Decision, String> {
    let code = ProcedureCode::parse(v.code.trim()).map_err(|_| {
        lang.t("Mã thủ tục không đúng dạng (ví dụ 1.000001).", "The procedure code is malformed (e.g. 1.000001).")
            .to_owned()
    })?;
    let day = |s: &str, what_vi: &str, what_en: &str| {
        Date::parse(s.trim(), &format_description!("[year]-[month]-[day]"))
            .map_err(|_| format!("{}: {}", lang.t(what_vi, what_en), lang.t("cần một ngày", "a date is needed")))
    };
    let days = v.days.trim().replace(',', ".").parse::<f64>().map_err(|_| {
        lang.t(
            "Thời hạn giải quyết là số ngày làm việc (ví dụ 5 hoặc 0,5).",
            "The legal time is a number of working days (e.g. 5 or 0.5).",
        )
        .to_owned()
    })?;
    let mut fees = Vec::new();
    for line in split_lines(&v.fees) {
        // "Name: rule", the rule starting with its amount (the name may hold a colon too).
        let split = line
            .match_indices(':')
            .map(|(i, _)| i)
            .find(|&i| line[i + 1..].trim_start().starts_with(|c: char| c.is_ascii_digit()));
        let parsed = split.map(|i| (&line[..i], &line[i + 1..])).filter(|(n, _)| !n.trim().is_empty());
        match parsed.map(|(name, rule)| crate::views::parse_fee_rule(name, rule)) {
            Some(Ok(fee)) => fees.push(fee),
            Some(Err(why)) => return Err(format!("'{line}': {why}")),
            None => {
                return Err(format!(
                    "{} '{line}'",
                    lang.t(
                        "Mỗi dòng phí, lệ phí cần dạng 'Tên: 2.000 đ/trang; tối đa 200.000 đ/bản':",
                        "Each fee line needs 'Name: 2.000 đ/trang; tối đa 200.000 đ/bản':"
                    )
                ));
            }
        }
    }
    let level = match v.level.as_str() {
        "commune" => Level::Commune,
        _ => Level::Province,
    };
    let online_level = match v.online.as_str() {
        "full" => OnlineLevel::Full,
        "none" => OnlineLevel::None,
        _ => OnlineLevel::Partial,
    };
    let documents = split_lines(&v.documents)
        .into_iter()
        .map(|name| {
            let kept = current.as_ref().and_then(|p| p.documents.iter().find(|d| d.name == name).cloned());
            kept.unwrap_or(RequiredDocument { name, original: false, copies: 1, form: None })
        })
        .collect();
    let p = Procedure {
        code: code.clone(),
        version: 1,
        name: v.name.trim().to_owned(),
        field: v.field.trim().to_owned(),
        level,
        agency: v.agency.trim().to_owned(),
        processing_days: Some(days),
        processing_hours: None,
        fees,
        documents,
        results: split_lines(&v.results),
        legal_basis: split_lines(&v.legal_basis),
        online_level,
        steps: current.as_ref().map(|p| p.steps.clone()).unwrap_or_default(),
    };
    let amending = current.is_some();
    Ok(Decision {
        number: v.number.trim().to_owned(),
        signed_on: day(&v.signed_on, "Ngày ký quyết định", "Signing date")?,
        effective_from: day(&v.effective_from, "Ngày có hiệu lực", "Effective date")?,
        signer: v.signer.trim().to_owned(),
        new: if amending { Vec::new() } else { vec![p.clone()] },
        amended: if amending { vec![p] } else { Vec::new() },
        abolished: Vec::new(),
    })
}

pub(super) async fn save(
    State(state): State<AppState>,
    s: SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, UiError> {
    let (_, f) = super::posted(&s, form)?;
    let lang = s.visitor.lang;
    let get = |k: &str| f.get(k).to_owned();
    let v = Values {
        code: get("code"),
        name: get("name"),
        field: get("field"),
        level: get("level"),
        agency: get("agency"),
        days: get("days"),
        online: get("online"),
        fees: get("fees"),
        documents: get("documents"),
        results: get("results"),
        legal_basis: get("legal_basis"),
        number: get("number"),
        signed_on: get("signed_on"),
        effective_from: get("effective_from"),
        signer: get("signer"),
    };
    let current = state.store.procedure(v.code.trim()).await.ok();
    let amending = current.is_some();
    let msg = match build(&v, current, lang) {
        Err(msg) => msg,
        Ok(d) => {
            let by = motcua_app::accounts::Authority::Account(&s.user);
            match motcua_app::catalog::record_decision(&state, by, d).await {
                Ok(_) => return Ok(see_other(&format!("/quan-tri/thu-tuc/{}/phien-ban", v.code.trim()))),
                Err(e) => super::form_refusal(e, lang)?,
            }
        }
    };
    let p = page(&state, &s, v, amending, Some(msg)).await?;
    Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
}
