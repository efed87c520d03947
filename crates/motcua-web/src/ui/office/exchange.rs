//! The inter-agency recall on the document page (NĐ 30/2020/NĐ-CP Art. 18 khoản 4; edXML status
//! 13/15/16, docs/EXCHANGE.md): the sender's clerk asks the recipients of a document sent by
//! edXML to give it back; the receiver's clerk sees the sender's notice and accepts (the entry is
//! cancelled) or refuses with a reason. Same rules as the JSON API (`motcua_app::edxml::recall`).
//!
//! - `POST /van-ban/{id}/thu-hoi` `reason`: ask for the recall (outgoing).
//! - `POST /van-ban/{id}/tra-loi-thu-hoi` `accept=1|0`, `reason`: answer it (incoming).

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::Response;
use motcua_domain::dossier::Role;
use motcua_domain::office::{Direction, Document};
use motcua_store::edxml::{ACCEPTED, REFUSED, REQUESTED, StoredPackage};
use motcua_store::users::User;

use crate::AppState;
use crate::ui::console::{bad_request, ui};
use crate::ui::error::UiError;
use crate::ui::see_other;
use crate::ui::session::SignedIn;
use motcua_app::documents::load;
use motcua_app::edxml::recall;

/// What the page shows about the recall of a document exchanged by edXML.
pub(super) struct RecallPanel {
    /// Where the question stands, in Vietnamese; empty when nothing was asked.
    pub state: String,
    /// The sender's notice (incoming, open question).
    pub notice: Option<String>,
    /// The clerk may ask for the recall (outgoing, nothing asked yet).
    pub can_request: bool,
    /// The clerk may answer (incoming, question open).
    pub can_answer: bool,
}

fn is_clerk(user: &User, unit: &str) -> bool {
    user.roles.iter().any(|(u, r)| u == unit && *r == Role::Clerk)
}

/// The package a document was sent or received as, in its own unit.
async fn package_of(state: &AppState, d: &Document) -> Option<StoredPackage> {
    let document_id = d.external_id.as_deref()?;
    let direction = if d.direction == Direction::Outgoing { "out" } else { "in" };
    let mut found = state.store.packages_with_document_id(document_id, direction).await.ok()?;
    found.retain(|p| p.unit == d.unit);
    // An open question first, when the same DocumentId came more than once.
    found.sort_by_key(|p| p.recall.as_deref() != Some(REQUESTED));
    found.into_iter().next()
}

fn state_vi(p: &StoredPackage) -> String {
    let out = p.direction == "out";
    match (p.recall.as_deref(), out, p.business_type) {
        (Some(REQUESTED), true, _) => "Đã yêu cầu thu hồi, chờ nơi nhận trả lời".into(),
        (Some(ACCEPTED), true, _) => "Nơi nhận đồng ý thu hồi".into(),
        (Some(REFUSED), true, _) => "Nơi nhận từ chối thu hồi".into(),
        (Some(REQUESTED), false, 2) => "Nơi gửi cập nhật văn bản, chờ đồng ý".into(),
        (Some(REQUESTED), false, 3) => "Nơi gửi thay thế văn bản, chờ đồng ý".into(),
        (Some(REQUESTED), false, _) => "Nơi gửi yêu cầu thu hồi văn bản".into(),
        (Some(ACCEPTED), false, _) => "Đã đồng ý thu hồi/cập nhật".into(),
        (Some(REFUSED), false, _) => "Đã từ chối thu hồi/cập nhật".into(),
        _ => String::new(),
    }
}

/// The panel for `d` seen by `user`, when `d` travelled by edXML.
pub(super) async fn panel(state: &AppState, d: &Document, user: &User) -> Option<RecallPanel> {
    let p = package_of(state, d).await?;
    let clerk = is_clerk(user, &d.unit);
    let open = p.recall.as_deref() == Some(REQUESTED);
    let notice = if open && p.direction == "in" { recall::notice(state, &p.id).await } else { None };
    Some(RecallPanel {
        state: state_vi(&p),
        notice,
        can_request: clerk && p.direction == "out" && p.recall.is_none() && p.state != "draft",
        can_answer: clerk && p.direction == "in" && open,
    })
}

async fn form_and_package(
    state: &AppState,
    s: &SignedIn,
    id: &str,
    form: super::Posted,
) -> Result<(HashMap<String, String>, StoredPackage), UiError> {
    let lang = s.visitor.lang;
    let f = super::checked_form(s, form)?;
    let d = load(state, &s.actor(), id).await.map_err(|e| ui(e, lang))?;
    let not_here = || {
        bad_request(lang, "Văn bản không được gửi qua trục liên thông.", "This document was not exchanged by edXML.")
    };
    if !is_clerk(&s.user, &d.unit) {
        return Err(ui(crate::error::ApiError::forbidden("only the unit's clerk", "chỉ văn thư của đơn vị"), lang));
    }
    let p = package_of(state, &d).await.ok_or_else(not_here)?;
    Ok((f, p))
}

pub(super) async fn request(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    form: super::Posted,
) -> Result<Response, UiError> {
    let (f, p) = form_and_package(&state, &s, &id, form).await?;
    let reason = f.get("reason").map(String::as_str).unwrap_or("");
    recall::request(&state, &p, reason).await.map_err(|e| ui(e, s.visitor.lang))?;
    Ok(see_other(&format!("/van-ban/{id}?done=recall_requested")))
}

pub(super) async fn answer(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<String>,
    form: super::Posted,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let (f, p) = form_and_package(&state, &s, &id, form).await?;
    let accept = match f.get("accept").map(String::as_str) {
        Some("1") => true,
        Some("0") => false,
        _ => return Err(bad_request(lang, "Chọn đồng ý hoặc từ chối.", "Choose to accept or refuse.")),
    };
    recall::answer(&state, &s.user, &p, accept, f.get("reason").map(String::as_str)).await.map_err(|e| ui(e, lang))?;
    Ok(see_other(&format!("/van-ban/{id}?done={}", if accept { "recall_accepted" } else { "recall_refused" })))
}
