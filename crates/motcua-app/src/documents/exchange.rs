//! The bridge between the electronic office (document registers, `motcua_domain::office`) and
//! the edXML exchange:
//!
//! - [`prepare_send`]: an issued outgoing document becomes a package (From = the unit's organ id,
//!   To = each recipient that has one), stored with its deliveries in the transaction of the
//!   document's `send` event (`Store::append_document_sending`); the
//!   document's `external_id` becomes the package's DocumentId and each recipient gets a
//!   "queued" trace line. A recipient without an organ id (or a sending unit without one) gets a
//!   "queued" line saying it goes on paper, as the office recorded before the exchange existed.
//! - Delivery outcomes and status messages of a package are copied to the trace of the
//!   outgoing documents with that DocumentId ([`crate::exchange::mirror_trace`]), so the sender
//!   sees them in the office.
//! - [`incoming_entry`]: a package received for a unit is entered in its incoming register, as
//!   the exchange acting for the unit's clerk, in the transaction that registers the package
//!   (`Store::receive_package`, idempotent on the package digest); the package's attachments
//!   become the document's attachments.
//!
//! Outgoing documents carry their attachments (`files` of kind `office`) in the package.

use motcua_domain::dossier::{Actor, Role, UnitCode};
use motcua_domain::office::{self, Document, NewIncoming, TraceStatus};
use motcua_edxml::{
    Attachment, Business, DocumentCode, DocumentKind, DocumentType, Header, Organ, OrganId, OtherInfo, Package,
    PromulgationInfo, SignerInfo, SteeringType,
};
use motcua_store::documents::Outgoing;
use motcua_store::web::NewFile;

use crate::Application;
use crate::error::{AppResult, Error};

fn invalid(e: motcua_edxml::EdxmlError) -> Error {
    Error::unprocessable(e.code, format!("{} at {}", e.reason, e.path), e.reason_vi)
}

/// What sending an issued outgoing document records with its `send` event (see the module
/// documentation): the edXML package for the recipients with an electronic organ id, and a trace
/// line per recipient. Nothing is written here; `Store::append_document_sending` writes it all
/// with the event, in one transaction.
pub async fn prepare_send(state: &Application, doc: &Document, at: time::OffsetDateTime) -> AppResult<Outgoing> {
    let mut out = Outgoing::default();
    let unit = state.store.unit(&doc.unit).await?;
    let from = match doc.meta.sender.as_ref().and_then(|s| s.organ_id.as_deref()).or(unit.organ_id.as_deref()) {
        Some(id) => Organ::new(OrganId::parse(id).map_err(invalid)?, unit.name.clone()),
        None => {
            // The document is already recorded as sent: it goes on paper, and the trace says why.
            tracing::warn!(unit = %unit.code, "unit without an electronic organ id: document not sent by edXML");
            for r in &doc.meta.recipients {
                let note = format!("Đơn vị gửi chưa có mã định danh điện tử (QĐ 20/2020): gửi bản giấy đến {}", r.name);
                let organ = r.organ_id.clone().unwrap_or_default();
                out.traces.push((organ, TraceStatus::Queued, note));
            }
            return Ok(out);
        }
    };
    let mut to = Vec::new();
    for r in &doc.meta.recipients {
        match r.organ_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(id) => to.push(Organ::new(OrganId::parse(id).map_err(invalid)?, r.name.clone())),
            None => {
                let note = format!("{} không có mã định danh điện tử: gửi bản giấy", r.name);
                out.traces.push((String::new(), TraceStatus::Queued, note));
            }
        }
    }
    if to.is_empty() {
        return Ok(out);
    }
    let m = &doc.meta;
    let date = m
        .promulgation_date
        .or(doc.issued_at.map(|t| crate::exchange::vn_local(t).date()))
        .unwrap_or(crate::exchange::vn_local(at).date());
    let number = m.code_number.clone().or(doc.register_number.map(|n| n.to_string())).unwrap_or_else(|| doc.id.clone());
    let header = Header {
        from,
        to,
        code: DocumentCode { number, notation: m.code_notation.clone().unwrap_or_else(|| "VT".to_owned()) },
        promulgation: PromulgationInfo {
            place: m.promulgation_place.clone().unwrap_or_else(|| unit.name.clone()),
            date,
        },
        document_type: DocumentType { kind: DocumentKind::Listed(18), name: m.document_type.clone(), detail: None },
        subject: m.subject.clone(),
        content: m.content.clone().filter(|c| !c.trim().is_empty()),
        signer: m.signer.as_ref().map(|s| SignerInfo {
            competence: s.competence.clone().filter(|c| !c.trim().is_empty()),
            position: s.position.clone().filter(|c| !c.trim().is_empty()),
            full_name: s.full_name.clone(),
        }),
        due_date: m.due_date,
        to_places: Vec::new(),
        other_info: OtherInfo { priority: m.priority, ..OtherInfo::default() },
        response_for: None,
        steering_type: if m.steering_type == 0 {
            SteeringType::Ordinary
        } else {
            SteeringType::Other(u32::from(m.steering_type))
        },
        traces: Vec::new(),
        business: Some(Business {
            doc_type: motcua_edxml::BusinessDocType::New,
            reason: None,
            document_id: None,
            staff: None,
            paper: None,
        }),
    };
    let mut package = Package { header, attachments: attachments(state, &doc.id).await? };
    out.package = Some(crate::exchange::new_package(
        state,
        &doc.unit,
        &mut package,
        doc.dossier_code.as_ref().map(ToString::to_string),
        at,
    )?);
    for r in &package.header.to {
        out.traces.push((r.id.as_str().to_owned(), TraceStatus::Queued, format!("Chờ gửi liên thông đến {}", r.name)));
    }
    Ok(out)
}

/// The document's attachments (`files` rows of kind `office`), in upload order, as edXML
/// attachments.
async fn attachments(state: &Application, document_id: &str) -> AppResult<Vec<Attachment>> {
    let mut out = Vec::new();
    for meta in state.store.files_of(document_id).await? {
        if meta.kind != super::ATTACHMENT_KIND {
            continue;
        }
        let Some((meta, content)) = state.store.file(&meta.id).await? else { continue };
        out.push(Attachment {
            content_id: format!("tep{}", out.len() + 1),
            content_type: meta.content_type,
            name: meta.name,
            description: None,
            content,
        });
    }
    Ok(out)
}

/// The entry of a received package in `unit`'s incoming register: the registration decision
/// (the exchange acts as the unit's clerk, `edxml:<unit>`) and the package's attachments, for
/// `Store::receive_package` to write with the package.
pub fn incoming_entry(
    state: &Application,
    unit: &str,
    package: &Package,
) -> AppResult<(office::Decision, Vec<NewFile>)> {
    let h = &package.header;
    let meta = office::Metadata {
        code_number: Some(h.code.number.clone()),
        code_notation: Some(h.code.notation.clone()),
        document_type: h.document_type.name.clone(),
        subject: h.subject.clone(),
        content: h.content.clone(),
        promulgation_place: Some(h.promulgation.place.clone()),
        promulgation_date: Some(h.promulgation.date),
        signer: h.signer.as_ref().map(|s| office::Signer {
            full_name: s.full_name.clone(),
            position: s.position.clone(),
            competence: s.competence.clone(),
        }),
        sender: Some(office::Organ { organ_id: Some(h.from.id.as_str().to_owned()), name: h.from.name.clone() }),
        recipients: h
            .to
            .iter()
            .map(|o| office::Organ { organ_id: Some(o.id.as_str().to_owned()), name: o.name.clone() })
            .collect(),
        due_date: h.due_date,
        priority: h.other_info.priority,
        steering_type: match h.steering_type {
            SteeringType::Ordinary => 0,
            SteeringType::Other(n) => u8::try_from(n).unwrap_or(u8::MAX),
        },
    };
    let new = NewIncoming {
        id: super::new_document_id(),
        unit: unit.to_owned(),
        meta,
        received_at: Some(state.now()),
        dossier_code: None,
        external_id: Some(h.document_id()),
    };
    let actor =
        Actor::Officer { username: format!("edxml:{unit}"), grants: vec![(UnitCode::parse(unit)?, Role::Clerk)] };
    let decision = Document::register_incoming(new, &actor, state.now())?;
    // The attachments are stored with the registration (both or neither): a package whose
    // registration committed always has its files, so a redelivery finding it need not add them.
    let files = package
        .attachments
        .iter()
        .map(|a| super::NewAttachment {
            name: a.name.clone(),
            content_type: a.content_type.clone(),
            data: a.content.clone(),
        })
        .collect();
    Ok((decision, super::attachment_files(files)))
}
