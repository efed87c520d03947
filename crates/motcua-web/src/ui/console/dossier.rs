//! `GET /can-bo/ho-so/{code}`: everything an officer needs about one dossier — summary,
//! applicant, documents and files, the internal-process steps with their deadlines, the
//! timeline — and one form per action the domain allows this officer now (`allowed_actions`);
//! actions it refuses have no form. `GET /can-bo/tep/{id}` downloads an attached file when its
//! dossier is visible to the officer.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use motcua_domain::dossier::actions::{ActionKind, allowed_actions};
use motcua_domain::dossier::event::Event;
use motcua_domain::dossier::{Dossier, StepState};
use motcua_domain::org::UnitKind;
use serde::Deserialize;
use time::OffsetDateTime;

use super::{Opt, role_label, specialists, status_label, ui, unit_names, urgency_text, working_days};
use crate::AppState;
use crate::extract::ApiQuery;
use crate::ui::dossier_files::{DocRow, FileRow, document_rows, file_rows};
use crate::ui::error::UiError;
use crate::ui::people::People;
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, Lang, render};
use crate::views::{local_display, urgency};
use motcua_app::dossiers;

/// The actions the console offers (withdrawal, reception, return and rating belong to the
/// counter and the citizen).
pub(super) const CONSOLE_ACTIONS: [ActionKind; 8] = [
    ActionKind::Assign,
    ActionKind::CompleteStep,
    ActionKind::RequestSupplement,
    ActionKind::Approve,
    ActionKind::Reject,
    ActionKind::Extend,
    ActionKind::Transfer,
    ActionKind::RevokeResult,
];

#[derive(Deserialize)]
pub struct DossierParams {
    /// The action just done, for the confirmation line.
    done: Option<String>,
}

/// One step of the internal process as shown.
struct StepRow {
    n: usize,
    name: String,
    role: &'static str,
    unit: String,
    budget: String,
    started: String,
    due: String,
    completed: String,
    /// `done`, `late`, `current`, `overdue` or `pending`.
    class: &'static str,
    label: &'static str,
}

/// One timeline line.
struct EventRow {
    at: String,
    label: String,
    actor: String,
    details: String,
}

/// What the action forms need; `None`/`false` means the domain does not allow the action now.
#[derive(Default)]
struct Forms {
    assign: Option<Vec<Opt>>,
    complete_step: Option<String>,
    request_supplement: bool,
    approve: bool,
    reject: bool,
    extend: bool,
    transfer: Option<Vec<Opt>>,
    revoke_result: bool,
}

impl Forms {
    fn any(&self) -> bool {
        self.assign.is_some()
            || self.complete_step.is_some()
            || self.request_supplement
            || self.approve
            || self.reject
            || self.extend
            || self.transfer.is_some()
            || self.revoke_result
    }
}

#[derive(Template)]
#[template(path = "console/dossier.html")]
struct DossierPage {
    c: Chrome,
    d: Dossier,
    status: String,
    urgency_class: &'static str,
    urgency_label: &'static str,
    facts: Vec<(String, String)>,
    documents: Vec<DocRow>,
    files: Vec<FileRow>,
    steps: Vec<StepRow>,
    timeline: Vec<EventRow>,
    forms: Forms,
    done: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<DossierParams>,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let actor = s.actor();
    let d = dossiers::load_for_officer(&state, &actor, &code).await.map_err(|e| ui(e, lang))?;
    let events = state.store.events(&d.code).await?;
    let files = state.store.files_of(&d.code).await?;
    let units = unit_names(&state).await?;
    let sync = motcua_app::national::dossier_sync(&state, &d.code).await?;
    let at = state.now();
    let cal = state.calendars.get(Some(&d.resolving_unit));
    let (urgency_class, urgency_label) = urgency_text(urgency(&cal, d.status, d.appointment_at, at), lang);
    let allowed: Vec<ActionKind> =
        allowed_actions(&d, &actor).into_iter().filter(|k| CONSOLE_ACTIONS.contains(k)).collect();
    let forms = forms(&state, &d, &allowed).await?;
    let done = q
        .done
        .and_then(|k| ActionKind::ALL.into_iter().find(|a| a.as_str() == k))
        .map(|k| action_label(k, lang).to_owned());
    let assigned: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.event.data {
            motcua_domain::dossier::event::EventData::Assign(a) => Some(a.assignee.clone()),
            _ => None,
        })
        .collect();
    let people =
        People::of(&state, d.assignee.iter().chain(&assigned).chain(events.iter().map(|e| &e.event.actor))).await;
    let c = Chrome::new(&s.visitor, &format!("/can-bo/ho-so/{}", d.code), "Hồ sơ", "Dossier");
    let c = Chrome { title: format!("{} {}", c.title, d.code), ..c };
    let page = DossierPage {
        status: status_label(d.status, lang),
        urgency_class,
        urgency_label,
        facts: {
            let mut f = facts(&d, &units, &people, lang);
            f.push((lang.t("Cổng Dịch vụ công quốc gia", "National portal").to_owned(), sync_label(&sync, lang)));
            f
        },
        documents: document_rows(&d, &files),
        files: file_rows(&files, lang),
        steps: steps(&d, &units, at, lang),
        timeline: events.iter().map(|e| event_row(&e.event, &units, &people, &c)).collect(),
        forms,
        done,
        d,
        c,
    };
    Ok(render(&page))
}

/// What the national portal has of the dossier, in the page language.
fn sync_label(s: &motcua_app::national::DossierSync, lang: Lang) -> String {
    let t = |vi: &str, en: &str| lang.t(vi, en).to_owned();
    let error = s.error.clone().unwrap_or_default();
    match s.state.as_str() {
        "synced" => format!("{} ({} {})", t("Đã đồng bộ", "Synced"), t("phiên bản", "version"), s.acked_version),
        "failed" => {
            format!("{}: {error}", t("Cổng từ chối hoặc hết lượt thử", "Refused by the portal or out of attempts"))
        }
        "pending" if s.error.is_some() => {
            format!("{} ({} {}): {error}", t("Đang thử lại", "Retrying"), s.attempts, t("lần lỗi", "failures"))
        }
        "pending" => format!(
            "{} ({} {}; {} {})",
            t("Chờ gửi", "Waiting to be sent"),
            t("phiên bản", "version"),
            s.wanted_version,
            t("Cổng đã có", "the portal has"),
            s.acked_version
        ),
        _ => t("Chưa đồng bộ (chưa cấu hình kết nối)", "Not synced yet (no portal configured)"),
    }
}

/// The button label of an action in the page language.
pub(super) fn action_label(k: ActionKind, lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => k.label_vi(),
        Lang::En => match k {
            ActionKind::Assign => "Assign",
            ActionKind::CompleteStep => "Complete the step",
            ActionKind::RequestSupplement => "Request a supplement",
            ActionKind::Approve => "Approve the result",
            ActionKind::Reject => "Reject (not eligible)",
            ActionKind::Extend => "Extend with an apology",
            ActionKind::Transfer => "Transfer to another agency",
            ActionKind::RevokeResult => "Revoke the result",
            other => other.as_str(),
        },
    }
}

fn unit_name(units: &HashMap<String, String>, code: &str) -> String {
    units.get(code).map(|n| format!("{n} ({code})")).unwrap_or_else(|| code.to_owned())
}

/// The summary lines: deadlines, times, rounds, extension, assignee, units.
fn facts(d: &Dossier, units: &HashMap<String, String>, people: &People, lang: Lang) -> Vec<(String, String)> {
    let t = |vi: &str, en: &str| lang.t(vi, en).to_owned();
    let dt = |x: Option<OffsetDateTime>| x.map(local_display).unwrap_or_else(|| "—".into());
    let paused_hours = d.paused.seconds() as f64 / 3600.0;
    let mut out = vec![
        (t("Thủ tục", "Procedure"), format!("{} ({})", d.procedure_name, d.procedure_code)),
        (t("Ngày nộp", "Submitted"), dt(Some(d.submitted_at))),
        (t("Ngày tiếp nhận", "Received"), dt(d.received_at)),
        (t("Hạn giải quyết theo quy định", "Legal due date"), dt(d.due_at)),
        (t("Ngày hẹn trả kết quả", "Appointment"), dt(d.appointment_at)),
        (t("Thời hạn giải quyết", "Legal processing time"), working_days(d.legal_time, lang)),
        (
            t("Thời gian tạm dừng (chờ bổ sung)", "Time paused (supplementation)"),
            format!("{} {}", crate::views::decimal(paused_hours, lang), t("giờ làm việc", "working hours")),
        ),
        (t("Số lần yêu cầu bổ sung", "Supplement rounds"), d.supplement_rounds.to_string()),
        (
            t("Gia hạn", "Extension"),
            match &d.extension {
                Some(e) => format!("{} — {}", local_display(e.new_due_at), e.reason),
                None => t("Chưa gia hạn", "None"),
            },
        ),
        (
            t("Cán bộ được phân công", "Assignee"),
            d.assignee.as_deref().map(|a| people.name(a)).unwrap_or_else(|| "—".into()),
        ),
        (t("Nơi tiếp nhận", "Receiving one-stop"), unit_name(units, &d.receiving_unit)),
        (t("Cơ quan giải quyết", "Resolving authority"), unit_name(units, &d.resolving_unit)),
    ];
    if let Some(f) = d.finished_at {
        out.push((t("Ngày có kết quả / kết thúc", "Finished"), local_display(f)));
    }
    if let Some(r) = &d.pending_supplement {
        out.push((t("Nội dung yêu cầu bổ sung", "Supplement requested"), r.clone()));
    }
    if let Some(r) = &d.reason {
        out.push((t("Lý do", "Reason"), r.clone()));
    }
    if d.fee_total() > 0 {
        let paid = if d.fee_paid { t("đã nộp", "paid") } else { t("chưa nộp", "not paid") };
        out.push((t("Phí, lệ phí", "Fees"), format!("{} ({paid})", crate::views::dong(d.fee_total()))));
    }
    out
}

/// The process steps with their deadlines and an overdue marker for each.
fn steps(d: &Dossier, units: &HashMap<String, String>, now: OffsetDateTime, lang: Lang) -> Vec<StepRow> {
    let dt = |x: Option<OffsetDateTime>| x.map(local_display).unwrap_or_else(|| "—".into());
    d.steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (class, label) = step_state(d, i, s, now, lang);
            StepRow {
                n: i + 1,
                name: s.name.clone(),
                role: role_label(s.role, lang),
                unit: unit_name(units, &s.unit),
                budget: working_days(s.budget, lang),
                started: dt(s.started_at),
                due: dt(s.due_at),
                completed: dt(s.completed_at),
                class,
                label,
            }
        })
        .collect()
}

fn step_state(d: &Dossier, i: usize, s: &StepState, now: OffsetDateTime, lang: Lang) -> (&'static str, &'static str) {
    match (s.completed_at, s.due_at) {
        (Some(done), Some(due)) if done > due => ("late", lang.t("Hoàn thành trễ hạn", "Completed late")),
        (Some(_), _) => ("done", lang.t("Đã hoàn thành", "Completed")),
        (None, due) if d.current_group().contains(&i) && !d.status.is_closed() && s.started_at.is_some() => match due {
            Some(due) if due < now => ("overdue", lang.t("Quá hạn", "Overdue")),
            _ => ("current", lang.t("Đang xử lý", "In progress")),
        },
        _ => ("pending", lang.t("Chưa đến lượt", "Not started")),
    }
}

/// A timeline line: when, what, who, and the event's own words (reason, note, assignee...).
fn event_row(e: &Event, units: &HashMap<String, String>, people: &People, c: &Chrome) -> EventRow {
    let v = serde_json::to_value(&e.data).unwrap_or_default();
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::trim).filter(|x| !x.is_empty());
    let mut parts: Vec<String> = Vec::new();
    if let Some(step) = text("step") {
        parts.push(format!("{}: {step}", c.t("Bước", "Step")));
    }
    if let Some(a) = text("assignee") {
        parts.push(format!("{}: {}", c.t("Phân công cho", "Assigned to"), people.name(a)));
    }
    if let Some(u) = text("to_unit") {
        parts.push(format!("{}: {}", c.t("Chuyển đến", "To"), unit_name(units, u)));
    }
    if let Some(t) = text("new_due_at").and_then(|t| motcua_store::parse_ts(t).ok()) {
        parts.push(format!("{}: {}", c.t("Hẹn mới", "New appointment"), local_display(t)));
    }
    if let Some(r) = text("reason") {
        parts.push(format!("{}: {r}", c.t("Lý do", "Reason")));
    }
    if let Some(items) = v.get("items").and_then(|i| i.as_array()).filter(|i| !i.is_empty()) {
        let items: Vec<&str> = items.iter().filter_map(|i| i.as_str()).collect();
        parts.push(format!("{}: {}", c.t("Cần bổ sung", "Missing"), items.join("; ")));
    }
    let result_note = || v.get("result").and_then(|r| r.get("note")).and_then(|n| n.as_str()).map(str::trim);
    if let Some(n) = text("note").or_else(result_note).filter(|n| !n.is_empty()) {
        parts.push(format!("{}: {n}", c.t("Ghi chú", "Note")));
    }
    EventRow {
        at: local_display(e.at),
        label: c.event_label(e.data.action()),
        actor: match e.actor.as_str() {
            "applicant" | "system" => c.actor(&e.actor),
            officer => people.name(officer),
        },
        details: parts.join(" · "),
    }
}

/// The data each allowed action's form needs.
async fn forms(state: &AppState, d: &Dossier, allowed: &[ActionKind]) -> Result<Forms, UiError> {
    let mut f = Forms::default();
    for k in allowed {
        match k {
            ActionKind::Assign => {
                f.assign = Some(specialists(state, &d.resolving_unit, d.assignee.as_deref()).await?);
            }
            ActionKind::CompleteStep => {
                f.complete_step = Some(d.current_step().map(|s| s.name.clone()).unwrap_or_default());
            }
            ActionKind::RequestSupplement => f.request_supplement = true,
            ActionKind::RevokeResult => f.revoke_result = true,
            ActionKind::Approve => f.approve = true,
            ActionKind::Reject => f.reject = true,
            ActionKind::Extend => f.extend = true,
            ActionKind::Transfer => {
                let targets = state
                    .store
                    .units()
                    .await?
                    .into_iter()
                    .filter(|u| u.is_current() && u.code != d.resolving_unit)
                    .filter(|u| u.kind == UnitKind::Agency || u.level == motcua_domain::catalog::Level::Commune)
                    .map(|u| Opt {
                        label: format!("{} ({})", u.name, u.code),
                        value: u.code.to_string(),
                        selected: false,
                    })
                    .collect();
                f.transfer = Some(targets);
            }
            _ => {}
        }
    }
    Ok(f)
}

/// `GET /can-bo/tep/{id}`: a stored file, only when its dossier is visible to the officer
/// (anything else is "not found"), always as an attachment.
pub(super) async fn file(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let not_found = || UiError::not_found(lang);
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(not_found());
    }
    let (meta, data) = state.store.file(&id).await?.ok_or_else(not_found)?;
    let code = meta.dossier_code.clone().ok_or_else(not_found)?;
    dossiers::load_for_officer(&state, &s.actor(), &code).await.map_err(|_| not_found())?;
    Ok(crate::ui::download(&meta, data))
}
