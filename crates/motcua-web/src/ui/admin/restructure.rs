//! `GET|POST /quan-tri/sap-xep`: a restructure of units (merges, renames, moves; the 2025
//! two-level local government, domain.md §13) from the administration (issue 14), with the dry
//! run the CLI has. Two ways in:
//!
//! - the guided form: one change (merge units, rename one, move one under another parent) with
//!   its effective date and legal basis, chosen from the units in force; "Chạy thử" builds the
//!   plan, dry-runs it and shows it as JSON beside the report, so "Thực hiện" applies exactly
//!   what was checked;
//! - the plan's JSON, as for `POST /api/v1/restructures` and `motcua restructure FILE`, for a
//!   plan of several changes.
//!
//! "Chạy thử" reports what would move and writes nothing, "Thực hiện" applies it. Both go through
//! [`motcua_app::units::restructure`]; a refusal comes back with its reason.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::ids::UnitCode;
use motcua_domain::org::restructure::parse_day;
use motcua_domain::org::{Operation, RestructurePlan, Unit};
use motcua_store::restructure::RestructureReport;

use super::units::{current_options, kind_options, unit_from_form};
use super::{Posted, admin_of};
use crate::AppState;
use crate::ui::error::UiError;
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, Lang, render_status};

const PATH: &str = "/quan-tri/sap-xep";

/// The guided form as typed (shown back after a dry run or a refusal).
#[derive(Default)]
struct Guided {
    op: String,
    effective_on: String,
    legal_basis: String,
    from: Vec<String>,
    into_code: String,
    into_name: String,
    into_kind: String,
    into_parent: String,
    unit: String,
    new_name: String,
    new_parent: String,
}

impl Guided {
    fn read(f: &Posted) -> Guided {
        Guided {
            op: f.get("op").to_owned(),
            effective_on: f.get("effective_on").to_owned(),
            legal_basis: f.get("legal_basis").to_owned(),
            from: f.all("from").into_iter().map(str::to_owned).collect(),
            into_code: f.get("into_code").to_owned(),
            into_name: f.get("into_name").to_owned(),
            into_kind: f.get("into_kind").to_owned(),
            into_parent: f.get("into_parent").to_owned(),
            unit: f.get("unit").to_owned(),
            new_name: f.get("new_name").to_owned(),
            new_parent: f.get("new_parent").to_owned(),
        }
    }

    /// The plan of this one change, or what is wrong with the form. A merge goes into the unit
    /// of that code when it exists (it absorbs the others), else into a new unit.
    fn plan(&self, units: &[Unit], lang: Lang) -> Result<RestructurePlan, String> {
        let say = |vi: &str, en: &str| lang.t(vi, en).to_owned();
        let effective_on =
            parse_day(&self.effective_on).ok_or_else(|| say("Chọn ngày có hiệu lực.", "Choose the effective date."))?;
        let code = |c: &str| {
            UnitCode::parse(c).map_err(|_| format!("{}: {c}", say("Mã đơn vị không hợp lệ", "Invalid unit code")))
        };
        let operation = match self.op.as_str() {
            "merge" => {
                if self.from.len() < 2 && !units.iter().any(|u| u.code.as_str() == self.into_code) {
                    return Err(say(
                        "Chọn ít nhất hai đơn vị để hợp nhất (hoặc một đơn vị sáp nhập vào đơn vị đã có).",
                        "Choose at least two units to merge (or one, into an existing unit).",
                    ));
                }
                if self.from.is_empty() {
                    return Err(say("Chọn đơn vị được hợp nhất.", "Choose the units to merge."));
                }
                let from = self.from.iter().map(|c| code(c)).collect::<Result<Vec<_>, _>>()?;
                let into = match units.iter().find(|u| u.code.as_str() == self.into_code) {
                    Some(existing) => existing.clone(),
                    None => unit_from_form(&self.into_code, &self.into_name, &self.into_kind, &self.into_parent, "")
                        .ok_or_else(|| {
                            say(
                                "Đơn vị sau hợp nhất cần mã, tên và loại hợp lệ.",
                                "The merged unit needs a valid code, name and kind.",
                            )
                        })?,
                };
                Operation::Merge { from, into: Box::new(into) }
            }
            "rename" => Operation::Rename { code: code(&self.unit)?, new_name: self.new_name.clone() },
            "move" => Operation::Move { code: code(&self.unit)?, new_parent: code(&self.new_parent)? },
            _ => return Err(say("Chọn loại thay đổi.", "Choose the kind of change.")),
        };
        Ok(RestructurePlan { effective_on, legal_basis: self.legal_basis.clone(), operations: vec![operation] })
    }
}

#[derive(Template)]
#[template(path = "admin/restructure.html")]
struct RestructurePage {
    c: Chrome,
    plan: String,
    report: Option<RestructureReport>,
    error: Option<String>,
    guided: Guided,
    /// Units in force: (code, name).
    units: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
}

impl RestructurePage {
    fn picked(&self, code: &str) -> bool {
        self.guided.from.iter().any(|c| c == code)
    }
    /// A role by its name (the report names roles by code).
    fn role(&self, role: &str) -> String {
        motcua_domain::dossier::Role::parse(role)
            .map(|r| crate::ui::console::role_label(r, self.c.lang).to_owned())
            .unwrap_or_else(|| role.to_owned())
    }
}

async fn page(
    state: &AppState,
    s: &SignedIn,
    plan: String,
    guided: Guided,
    outcome: Result<Option<RestructureReport>, String>,
) -> Result<Response, UiError> {
    let all = state.store.units().await?;
    let c = Chrome::new(&s.visitor, PATH, "Sắp xếp đơn vị hành chính", "Restructure units");
    let (status, report, error) = match outcome {
        Ok(report) => (StatusCode::OK, report, None),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, None, Some(e)),
    };
    let page =
        RestructurePage { kinds: kind_options(c.lang), units: current_options(&all), c, plan, report, error, guided };
    Ok(render_status(status, &page))
}

pub(super) async fn form(State(state): State<AppState>, s: SignedIn) -> Result<Response, UiError> {
    admin_of(&s)?;
    let guided = Guided { op: "merge".into(), into_kind: "commune".into(), ..Guided::default() };
    page(&state, &s, String::new(), guided, Ok(None)).await
}

pub(super) async fn run(
    State(state): State<AppState>,
    s: SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, UiError> {
    let (_, f) = super::posted(&s, form)?;
    let lang = s.visitor.lang;
    let dry_run = f.get("run") != "apply";
    let (guided, built) = if f.has("op") {
        let guided = Guided::read(&f);
        let units = state.store.units().await?;
        let plan = guided.plan(&units, lang);
        (guided, Some(plan))
    } else {
        (Guided::default(), None)
    };
    let (text, plan) = match built {
        Some(Ok(plan)) => (serde_json::to_string_pretty(&plan).unwrap_or_default(), plan),
        Some(Err(msg)) => return page(&state, &s, String::new(), guided, Err(msg)).await,
        None => {
            let text = f.get("plan").to_owned();
            match serde_json::from_str(&text) {
                Ok(p) => (text, p),
                Err(e) => {
                    let msg = format!("{}: {e}", lang.t("Kế hoạch không đúng dạng JSON", "The plan is not valid JSON"));
                    return page(&state, &s, text, guided, Err(msg)).await;
                }
            }
        }
    };
    let by = motcua_app::accounts::Authority::Account(&s.user);
    let outcome = match motcua_app::units::restructure(&state, by, &plan, dry_run).await {
        Ok(report) => Ok(Some(report)),
        Err(e) => Err(super::form_refusal(e, lang)?),
    };
    page(&state, &s, text, guided, outcome).await
}
