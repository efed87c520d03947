//! The edXML inbox (`POST /api/v1/edxml/inbox`, docs/EXCHANGE.md): who is calling (a peer
//! system by its credential, or a clerk), then what arrived — a package for local units
//! (registered once per unit, entered in the incoming register, completing a liên thông step
//! it answers), a package for organs hosted elsewhere (relayed), or a status message for a
//! package this system sent (applied, and passed back along the way it came).

use motcua_domain::ErrorCode;
use motcua_domain::dossier::Role;
use motcua_edxml::{EdxmlError, Package, StatusMessage};
use motcua_store::edxml::StoredPackage;
use motcua_store::users::User;

use crate::Application;
use crate::error::{AppResult, Error, Kind};
use crate::exchange::{local_organ, package_row, status_reply};

/// Who is calling the inbox: a peer system (its name, from its credential) or a clerk.
pub enum Caller {
    Peer(String),
    Clerk(User),
}

/// The caller holding bearer `token` (absent: 401).
pub async fn caller(state: &Application, token: Option<&str>) -> AppResult<Caller> {
    let token = token.map(str::trim).ok_or_else(Error::unauthorized)?;
    let hash = crate::auth::token_hash(token);
    if let Some(name) = state.store.peer_by_token(&hash).await? {
        return Ok(Caller::Peer(name));
    }
    match state.store.token_user(&hash, state.now()).await? {
        Some(u) if u.roles.iter().any(|(_, r)| *r == Role::Clerk) => Ok(Caller::Clerk(u)),
        Some(_) => {
            Err(Error::forbidden("only clerks (văn thư) exchange documents", "chỉ văn thư được trao đổi văn bản"))
        }
        None => Err(Error::new(
            Kind::Unauthenticated,
            ErrorCode::InvalidToken,
            "the token is unknown or expired",
            "thông tin xác thực không hợp lệ hoặc đã hết hạn",
        )),
    }
}

/// The units where `u` is a clerk (văn thư).
pub fn clerk_units(u: &User) -> Vec<String> {
    u.roles.iter().filter(|(_, r)| *r == Role::Clerk).map(|(unit, _)| unit.to_string()).collect()
}

/// What became of a delivery to the inbox.
pub enum Received {
    /// Neither a valid package nor a status message, or a signature that does not verify: the
    /// edXML error, answered with its path.
    Invalid(EdxmlError),
    /// A status message applied to `applied` packages sent from here and passed back to
    /// `relayed` systems.
    Status { applied: usize, relayed: usize },
    /// A package for organs hosted elsewhere only: relayed.
    Relayed(StoredPackage),
    /// A package registered for a local unit (`fresh` false on a repeat), with the incoming
    /// register's document when it could be entered.
    Registered { package: StoredPackage, fresh: bool, register_document: Option<String> },
}

/// Receives `body` from `caller`.
#[tracing::instrument(skip_all)]
pub async fn receive(state: &Application, caller: &Caller, body: &[u8]) -> AppResult<Received> {
    let t = state.now();
    let package = match Package::from_xml_with(body, super::limits()) {
        Ok(p) => p,
        Err(package_error) => {
            return match StatusMessage::from_xml(body) {
                Ok(s) => status_arrived(state, &s, body, t).await,
                Err(_) => Ok(Received::Invalid(package_error)),
            };
        }
    };
    let signer = match crate::exchange::signature::check(&state.store, body).await {
        Ok(s) => s,
        Err(e) => return Ok(Received::Invalid(e)),
    };
    let units = state.store.units().await?;
    let local_unit = |id: &str| {
        units.iter().find(|u| u.is_current() && u.organ_id.as_deref() == Some(id)).map(|u| u.code.to_string())
    };
    let locals: Vec<String> = package.header.to.iter().filter_map(|to| local_unit(to.id.as_str())).collect();
    let remote: Vec<String> =
        package.header.to.iter().map(|o| o.id.as_str().to_owned()).filter(|id| local_unit(id).is_none()).collect();
    // Recipients hosted elsewhere: a peer's package is passed on (a province system between its
    // communes and the central axis).
    let relayed = match (caller, remote.is_empty()) {
        (Caller::Peer(from), false) => {
            match crate::exchange::relay::relay(state, from, &package, body, &remote, &signer, t).await? {
                Ok(id) => Some(id),
                Err(refusal) if locals.is_empty() => return Err(refusal),
                Err(refusal) => {
                    tracing::warn!(code = %refusal.code, "package registered locally, not relayed");
                    None
                }
            }
        }
        _ => None,
    };
    let Some(unit_code) = locals.first() else {
        if let Some(id) = relayed {
            let stored = state.store.edxml_package(&id).await?.ok_or_else(Error::internal)?;
            return Ok(Received::Relayed(stored));
        }
        return Err(Error::unprocessable(
            ErrorCode::UnknownRecipient,
            "no unit of this system has the organ id of any recipient (MessageHeader/To/OrganId), and none is relayed",
            "không có đơn vị nào của hệ thống có mã định danh của nơi nhận (MessageHeader/To/OrganId) và không chuyển tiếp được",
        ));
    };
    let unit = units.iter().find(|u| u.code == *unit_code).ok_or_else(Error::internal)?;
    if let Caller::Clerk(u) = caller
        && !clerk_units(u).iter().any(|c| unit.code == *c)
    {
        return Err(Error::forbidden("not a clerk of the receiving unit", "không phải văn thư của đơn vị nhận"));
    }
    let Some(organ) = local_organ(unit) else { return Err(Error::internal()) };
    // A signed package is kept as received (its signature stays verifiable); others canonical.
    let xml = if signer.is_some() { String::from_utf8_lossy(body).into_owned() } else { package.to_xml() };
    let mut new = package_row(&unit.code, &package, xml, None);
    if let Some(s) = &signer {
        new.signer = Some(s.label());
        new.signer_trusted = s.trusted;
    }
    let idem = new.idem.clone();
    // The reply is keyed by the registration; the id is only known after insertion, so the
    // key uses the digest, which is as unique per unit.
    let reply =
        status_reply(&format!("{}:{idem}", unit.code), &package, &organ, motcua_edxml::StatusCode::Registered, None, t)
            .map_err(|e| {
                tracing::error!(error = %e.reason, "status message not built");
                Error::internal()
            })?;
    // The office's incoming register gets the document in the same transaction (once per
    // digest). A package the register refuses (a domain rule) is still received, and logged.
    let entry = match crate::documents::exchange::incoming_entry(state, &unit.code, &package) {
        Ok(e) => Some(e),
        Err(e) => {
            tracing::error!(code = %e.code, error = %e.message, "package not entered in the incoming register");
            None
        }
    };
    let (id, fresh, doc) = state.store.receive_package(new, vec![reply], entry, t).await?;
    let register_document = doc.map(|d| d.id);
    // An answer to a liên thông step completes it (again on a repeat, which changes nothing); if
    // that cannot be written now, 503 makes the sender deliver again.
    if let Err(e) = super::liaison::result_arrived(state, &package, &id).await {
        tracing::error!(package = %id, error = %e, "liên thông result not recorded; asking the sender to retry");
        return Err(Error::new(
            Kind::Unavailable,
            ErrorCode::TryAgain,
            "the answer is registered but its dossier step could not be completed now; deliver it again",
            "văn bản đã được tiếp nhận nhưng chưa cập nhật được hồ sơ; đề nghị gửi lại",
        ));
    }
    let stored = state.store.edxml_package(&id).await?.ok_or_else(Error::internal)?;
    tracing::info!(package = %id, unit = %unit.code, fresh, "edXML package received");
    Ok(Received::Registered { package: stored, fresh, register_document })
}

/// A status message for a package this system sent (a recall request goes to the recall
/// rules).
async fn status_arrived(
    state: &Application,
    s: &StatusMessage,
    body: &[u8],
    t: time::OffsetDateTime,
) -> AppResult<Received> {
    if s.status == motcua_edxml::StatusCode::RecallRequested {
        return recall_arrived(state, s, body, t).await;
    }
    let n = state
        .store
        .apply_status(
            &s.response_for.document_id,
            s.status.code(),
            s.from.id.as_str(),
            s.description.as_deref(),
            &s.digest_hex(),
            t,
        )
        .await?;
    if let Some(status) = crate::exchange::trace_status(s.status.code())
        && n.1 > 0
    {
        let note = s.description.as_deref();
        crate::exchange::mirror_trace(&state.store, &s.response_for.document_id, s.from.id.as_str(), status, note, t)
            .await;
    }
    let relayed = crate::exchange::relay::pass_status_back(state, s, body, t).await?;
    applied_or_unknown(
        n.0,
        relayed,
        "no package sent by this system has this DocumentId (Status/ResponseFor/DocumentId)",
        "hệ thống không gửi văn bản nào có DocumentId này (Status/ResponseFor/DocumentId)",
    )
}

/// A status message that matched nothing here and was passed nowhere is refused.
fn applied_or_unknown(applied: usize, relayed: usize, en: &str, vi: &str) -> AppResult<Received> {
    if applied == 0 && relayed == 0 {
        return Err(Error::unprocessable(ErrorCode::UnknownDocument, en, vi));
    }
    Ok(Received::Status { applied, relayed })
}

/// A sender asks to recall a package it sent here (status 13, docs/EXCHANGE.md).
async fn recall_arrived(
    state: &Application,
    s: &StatusMessage,
    body: &[u8],
    t: time::OffsetDateTime,
) -> AppResult<Received> {
    let rf = &s.response_for;
    let applied = state
        .store
        .recall_arrived(&rf.document_id, rf.organ_id.as_str(), s.description.as_deref(), &s.digest_hex(), t)
        .await?;
    let relayed = crate::exchange::relay::pass_status_back(state, s, body, t).await?;
    applied_or_unknown(
        applied,
        relayed,
        "no package from this sender has this DocumentId (Status/ResponseFor/DocumentId)",
        "không có văn bản nào của nơi gửi có DocumentId này (Status/ResponseFor/DocumentId)",
    )
}
