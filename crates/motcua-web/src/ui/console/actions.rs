//! `POST /can-bo/ho-so/{code}/thao-tac`: every action form of the dossier page, urlencoded, or
//! multipart for `approve` with its result file. The CSRF token and the dossier version come
//! first; an action the domain does not allow this officer now (a forged form) is refused with
//! 422 before anything is written; then `dossiers::act` decides and writes (409 when the version
//! is stale, the domain's own refusals otherwise) and the officer is sent back with 303.

use std::collections::HashMap;

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::dossier::actions::{
    Action, ActionKind, allowed_actions, approve, assign, complete_step, extend, reject, request_supplement,
    revoke_result, transfer,
};
use motcua_domain::dossier::timeliness::VN_OFFSET;
use time::{OffsetDateTime, PrimitiveDateTime};

use super::dossier::{CONSOLE_ACTIONS, action_label};
use super::{bad_request, ui};
use crate::AppState;
use crate::multipart::Upload;
use crate::ui::error::UiError;
use crate::ui::session::SignedIn;
use crate::ui::{Lang, see_other};
use motcua_app::dossiers;
use motcua_app::files::Label;

/// Largest action form, result file included.
pub const MAX_UPLOAD: usize = 10 * 1024 * 1024;

/// The page a form may ask to return to instead of the dossier page.
const LEADER_PAGE: &str = "/can-bo/lanh-dao";

/// The fields of an action form.
#[derive(Default)]
struct Fields {
    text: HashMap<String, String>,
    file: Option<Upload>,
}

impl Fields {
    fn get(&self, name: &str) -> &str {
        self.text.get(name).map(String::as_str).unwrap_or("")
    }
}

/// Reads an urlencoded or multipart form.
async fn read_fields(state: &AppState, req: Request, lang: Lang) -> Result<Fields, UiError> {
    let (pairs, files) =
        crate::multipart::read_page_form(req, state, 8 * 1024).await.map_err(|e| UiError::form(e, lang))?;
    Ok(Fields { text: pairs.into_iter().collect(), file: files.into_iter().find(|f| f.field == "result") })
}

pub(super) async fn act(
    State(state): State<AppState>,
    s: SignedIn,
    Path(code): Path<String>,
    req: Request,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let f = read_fields(&state, req, lang).await?;
    s.visitor.check_csrf(f.get("csrf"))?;
    let version: i64 = f
        .get("version")
        .trim()
        .parse()
        .map_err(|_| bad_request(lang, "Thiếu phiên bản hồ sơ.", "The dossier version is missing."))?;
    let kind = ActionKind::ALL
        .into_iter()
        .find(|k| k.as_str() == f.get("action"))
        .ok_or_else(|| bad_request(lang, "Thao tác không hợp lệ.", "Unknown action."))?;
    let actor = s.actor();
    let d = dossiers::load_for_officer(&state, &actor, &code).await.map_err(|e| ui(e, lang))?;
    if d.version != version {
        return Err(ui(motcua_store::StoreError::Conflict { current: d.version }, lang));
    }
    if !CONSOLE_ACTIONS.contains(&kind) || !allowed_actions(&d, &actor).contains(&kind) {
        return Err(not_allowed(kind, lang));
    }
    let mut action = action(kind, &f, lang)?;
    let back_to_leader = f.get("back") == LEADER_PAGE;
    let files = match (&action, f.file) {
        (Action::Approve(_), Some(upload)) => vec![result_file(upload, lang)?],
        _ => Vec::new(),
    };
    let by = motcua_app::files::handed_in(&actor, state.now());
    let files = motcua_app::files::attach(&mut action, files, &by).map_err(|e| UiError::from(e).in_lang(lang))?;
    // The result is stored with the approval, in its transaction: a refused approval leaves no
    // result, and an approved one always has its file.
    let after = dossiers::act_with_files(&state, actor.clone(), &code, version, action, files)
        .await
        .map_err(|e| ui(e, lang))?;
    let back = if back_to_leader {
        LEADER_PAGE.to_owned()
    } else if actor.in_unit(&after.receiving_unit) || actor.in_unit(&after.resolving_unit) {
        format!("/can-bo/ho-so/{}?done={}", after.code, kind.as_str())
    } else {
        // Transferred out of the officer's units: the dossier page would be "not found".
        "/can-bo".to_owned()
    };
    Ok(see_other(&back))
}

/// 422: the domain does not allow this action to this officer in the dossier's state.
fn not_allowed(kind: ActionKind, lang: Lang) -> UiError {
    UiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        lang,
        format!(
            "Không thể thực hiện \"{}\" với hồ sơ này: thao tác không phù hợp với trạng thái hồ sơ hoặc vai trò của bạn.",
            kind.label_vi()
        ),
        format!(
            "\"{}\" is not possible on this dossier: not in its current state or not with your role.",
            action_label(kind, Lang::En)
        ),
    )
}

/// The domain's action from the form fields.
fn action(kind: ActionKind, f: &Fields, lang: Lang) -> Result<Action, UiError> {
    let text = |name: &str| f.get(name).trim().to_owned();
    Ok(match kind {
        ActionKind::Assign => Action::Assign(assign::Assign { assignee: text("assignee") }),
        ActionKind::CompleteStep => Action::CompleteStep(complete_step::CompleteStep { note: text("note") }),
        ActionKind::RequestSupplement => Action::RequestSupplement(request_supplement::RequestSupplement {
            reason: text("reason"),
            items: f.get("items").lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect(),
        }),
        ActionKind::Approve => Action::Approve(approve::Approve { note: text("note"), ..Default::default() }),
        ActionKind::Reject => Action::Reject(reject::Reject { reason: text("reason") }),
        ActionKind::RevokeResult => Action::RevokeResult(revoke_result::RevokeResult { reason: text("reason") }),
        ActionKind::Extend => Action::Extend(extend::Extend {
            new_due_at: local_instant(f.get("new_due_at")).ok_or_else(|| {
                bad_request(
                    lang,
                    "Ngày giờ hẹn mới không hợp lệ (ví dụ 02/03/2026 10:30).",
                    "The new appointment is not a valid date and time (e.g. 2026-03-02T10:30).",
                )
            })?,
            reason: text("reason"),
        }),
        ActionKind::Transfer => {
            Action::Transfer(transfer::Transfer { to_unit: text("to_unit"), reason: text("reason") })
        }
        _ => return Err(not_allowed(kind, lang)),
    })
}

/// A local (UTC+7) date and time as a browser's `datetime-local` sends it (`2026-03-02T10:30`,
/// seconds optional) or as people write it (`02/03/2026 10:30`).
fn local_instant(s: &str) -> Option<OffsetDateTime> {
    use time::macros::format_description;
    let s = s.trim();
    let formats = [
        format_description!("[year]-[month]-[day]T[hour]:[minute]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        format_description!("[day]/[month]/[year] [hour]:[minute]"),
    ];
    formats.iter().find_map(|f| PrimitiveDateTime::parse(s, f).ok()).map(|t| t.assume_offset(VN_OFFSET))
}

/// The result file of an approval (a PDF, PNG or JPEG, by its bytes).
fn result_file(u: Upload, lang: Lang) -> Result<motcua_app::files::Accepted, UiError> {
    u.accept(Label { vi: "Tệp kết quả", en: "Result file" }).map_err(|e| UiError::from(e).in_lang(lang))
}

#[cfg(test)]
mod tests {
    use super::local_instant;

    #[test]
    fn a_new_appointment_is_read_as_vietnam_time_in_either_form() {
        let want = time::macros::datetime!(2026-03-02 03:30 UTC);
        assert_eq!(local_instant("2026-03-02T10:30"), Some(want));
        assert_eq!(local_instant(" 02/03/2026 10:30 "), Some(want));
        assert_eq!(local_instant("2026-03-02T10:30:00"), Some(want));
        assert_eq!(local_instant("mai"), None);
        assert_eq!(local_instant("2026-02-30T10:30"), None);
    }
}
