//! Relaying (issue 7 part 3, three levels; docs/EXCHANGE.md "Relaying"): a package a peer
//! delivers here for an organ hosted on another system — a commune's package for the central
//! axis arriving at the province, or the centre's package for a commune on its own system — is
//! passed on by this system's own routing, with this system's `TraceHeader` appended, and the
//! status messages coming back are passed on to the sender the same way.
//!
//! The system speaks as its top unit (the current unit without a parent that has an organ id).
//! Loops are refused: a package whose trace already holds that organ id, or a recipient routed
//! the same way as the package's sender (it would only go back where it came from).

use motcua_domain::ErrorCode;
use motcua_domain::exchange::routing::route;
use motcua_edxml::{Package, StatusCode, StatusMessage};
use motcua_store::edxml::KIND_STATUS;
use motcua_store::outbox::NewMessage;
use time::OffsetDateTime;

use super::signature::Verified;
use super::{package_row, vn_local};
use crate::Application;
use crate::error::{AppResult, Error};

/// The unit this system relays as: its current top unit with an organ id.
fn relay_unit(units: &[motcua_domain::org::Unit]) -> Option<(String, String)> {
    units
        .iter()
        .filter(|u| u.is_current() && u.parent.is_none())
        .find_map(|u| u.organ_id.clone().map(|o| (u.code.to_string(), o)))
}

fn refused(code: ErrorCode, en: String, vi: String) -> Error {
    Error::unprocessable(code, en, vi)
}

/// Passes `package` (received as `body` from peer `from_peer`, named in the log) on to the
/// organs of `remote`.
/// The outer result is a storage failure; the inner one a refusal (no route, a loop, no relay
/// identity), which the caller answers when nothing was registered locally either.
#[allow(clippy::too_many_arguments)]
pub async fn relay(
    state: &Application,
    from_peer: &str,
    package: &Package,
    body: &[u8],
    remote: &[String],
    signer: &Option<Verified>,
    t: OffsetDateTime,
) -> AppResult<Result<String, Error>> {
    let units = state.store.units().await?;
    let Some((unit, organ)) = relay_unit(&units) else {
        return Ok(Err(refused(
            ErrorCode::RelayNotConfigured,
            "this system relays for no one: its top unit has no organ id".into(),
            "hệ thống không chuyển tiếp: đơn vị cấp cao nhất chưa có mã định danh".into(),
        )));
    };
    if package.header.traces.iter().any(|h| h.organ_id.as_str() == organ) {
        return Ok(Err(refused(
            ErrorCode::RoutingLoop,
            format!("the package has already passed through {organ} (TraceHeaderList)"),
            format!("gói tin đã đi qua {organ} (TraceHeaderList)"),
        )));
    }
    let peers = state.store.peers().await?;
    // The way back to the sender: a recipient routed the same way would only bounce.
    let back = route(package.header.from.id.as_str(), &peers, |p| p.pattern.as_str()).map(|(p, _)| p.pattern.clone());
    let routable: Vec<String> = remote
        .iter()
        .filter(|to| matches!(route(to, &peers, |p| p.pattern.as_str()), Some((peer, _)) if Some(&peer.pattern) != back.as_ref()))
        .cloned()
        .collect();
    if routable.is_empty() {
        return Ok(Err(refused(
            ErrorCode::UnknownRecipient,
            format!("no unit here and no route onwards for {} (MessageHeader/To/OrganId)", remote.join(", ")),
            format!(
                "không có đơn vị và không có đường chuyển tiếp cho {} (MessageHeader/To/OrganId)",
                remote.join(", ")
            ),
        )));
    }
    let stamp = vn_local(t);
    let xml = match signer {
        // A signed package is passed on as received plus our trace header, which its signature
        // tolerates (docs/EDXML.md, "Digital signature").
        Some(_) => {
            let text = String::from_utf8_lossy(body);
            match motcua_edxml::dsig::append_trace_header(
                &text,
                &organ,
                &motcua_edxml::datetime::format_timestamp(stamp),
            ) {
                Ok(x) => x,
                Err(e) => return Ok(Err(refused(e.code, format!("{} at {}", e.reason, e.path), e.reason_vi))),
            }
        }
        None => {
            let mut p = package.clone();
            let Ok(id) = motcua_edxml::OrganId::parse(&organ) else {
                return Ok(Err(refused(
                    ErrorCode::RelayNotConfigured,
                    format!("the top unit's organ id {organ} is not valid"),
                    format!("mã định danh {organ} của đơn vị cấp cao nhất không hợp lệ"),
                )));
            };
            p.header.traces.push(motcua_edxml::TraceHeader { organ_id: id, timestamp: stamp });
            p.to_xml()
        }
    };
    let mut row = package_row(&unit, package, xml, None);
    row.to_organs = routable.clone();
    if let Some(s) = signer {
        row.signer = Some(s.label());
        row.signer_trusted = s.trusted;
    }
    let id = state.store.relay_package(&row, &routable, t).await?;
    tracing::info!(package = %id, from = %from_peer, recipients = routable.len(), "edXML package relayed");
    Ok(Ok(id))
}

/// Passes a status message about a package this system relayed on towards its destination:
/// answers (01–06, 15, 16) to the document's sender, a recall request (13) to the recipients it
/// was relayed to. Answers how many relayed packages it concerned.
pub async fn pass_status_back(
    state: &Application,
    s: &StatusMessage,
    body: &[u8],
    t: OffsetDateTime,
) -> AppResult<usize> {
    let rows = state.store.packages_with_document_id(&s.response_for.document_id, "relay").await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let digest = s.digest_hex();
    let payload = String::from_utf8_lossy(body).into_owned();
    for row in &rows {
        let targets: Vec<String> = if s.status == StatusCode::RecallRequested {
            row.to_organs.split(',').filter(|o| !o.is_empty()).map(str::to_owned).collect()
        } else {
            vec![s.response_for.organ_id.as_str().to_owned()]
        };
        for to in targets {
            let m = NewMessage {
                kind: KIND_STATUS.to_owned(),
                idempotency_key: format!("edxml-status-relay:{digest}:{to}"),
                recipient: to.clone(),
                payload: payload.clone(),
                template: None,
                about: Some(s.response_for.document_id.clone()),
                unit: Some(row.unit.clone()),
            };
            let dedup = format!("{digest}:{}:{to}", row.id);
            state
                .store
                .relay_status(&row.id, s.status.code(), s.from.id.as_str(), s.description.as_deref(), &dedup, &m, t)
                .await?;
        }
    }
    Ok(rows.len())
}
