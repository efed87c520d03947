//! Liên thông over edXML (issue 7 part 4; docs/EXCHANGE.md): the running consulted step of a
//! dossier goes to the other agency as a package (its due date, the dossier's data, the
//! attachments given), stored as a draft and released to the outbox by the system's
//! `send_to_agency` event in the event's own transaction; the other side answers an incoming
//! package with its result (a package `ResponseFor` the original, status 06 completed); the
//! answer's arrival completes the waiting step through `receive_agency_result` (a repeat changes
//! nothing).

use motcua_domain::ErrorCode;
use motcua_domain::dossier::actions::Ctx;
use motcua_domain::dossier::actions::receive_agency_result::{self, ReceiveAgencyResult};
use motcua_domain::dossier::actions::send_to_agency::{self, SendToAgency};
use motcua_domain::dossier::{Actor, ResultAttachment, Role};
use motcua_domain::exchange::trace::DeliveryState;
use motcua_edxml::package::{Business, DocumentCode, DocumentType, Header, OtherInfo, PromulgationInfo};
use motcua_edxml::{
    Attachment, BusinessDocType, DocumentKind, Organ, OrganId, Package, Priority, ResponseFor, SteeringType,
};
use motcua_store::edxml::StoredPackage;
use motcua_store::users::User;

use super::outbox::invalid;
use crate::Application;
use crate::error::{AppResult, Error};
use crate::exchange::{local_organ, new_package, send_package, status_reply, vn_local};

/// What goes out with a consulted step.
pub struct SendStep {
    /// The agency's organ id; default: the organ id of the step's unit.
    pub organ_id: Option<String>,
    /// What is asked of the agency.
    pub note: String,
    pub attachments: Vec<Attachment>,
}

/// A step sent: the package, its DocumentId, and the dossier's new version.
pub struct SentStep {
    pub package_id: String,
    pub document_id: String,
    pub version: i64,
}

/// The receiving side's answer.
pub struct Reply {
    /// Số of the answer (its own register number).
    pub number: String,
    /// Ký hiệu of the answer.
    pub notation: String,
    pub subject: String,
    pub content: String,
    pub attachments: Vec<Attachment>,
}

fn header(from: Organ, to: Organ, number: String, notation: &str, subject: String, t: time::OffsetDateTime) -> Header {
    Header {
        from,
        to: vec![to],
        code: DocumentCode { number, notation: notation.to_owned() },
        promulgation: PromulgationInfo { place: "Việt Nam".to_owned(), date: vn_local(t).date() },
        document_type: DocumentType { kind: DocumentKind::Listed(18), name: "Công văn".to_owned(), detail: None },
        subject,
        content: None,
        signer: None,
        due_date: None,
        to_places: Vec::new(),
        other_info: OtherInfo { priority: Priority::Normal, ..OtherInfo::default() },
        response_for: None,
        steering_type: SteeringType::Ordinary,
        traces: Vec::new(),
        business: Some(Business {
            doc_type: BusinessDocType::New,
            reason: None,
            document_id: None,
            staff: None,
            paper: None,
        }),
    }
}

/// Sends the running consulted step of dossier `code` to the other agency (the resolving unit's
/// leader or a specialist).
#[tracing::instrument(skip_all, fields(dossier = %code))]
pub async fn send_step(state: &Application, user: &User, code: &str, input: SendStep) -> AppResult<SentStep> {
    let d = crate::dossiers::load_for_officer(state, &user.actor(), code).await?;
    if !(user.roles.iter().any(|(u, r)| u == &d.resolving_unit && matches!(r, Role::Leader | Role::Specialist))) {
        return Err(Error::forbidden(
            "only the leader or a specialist of the resolving unit sends a step to another agency",
            "chỉ lãnh đạo hoặc chuyên viên của cơ quan giải quyết được gửi liên thông",
        ));
    }
    let step_index = d.step;
    let step = d.current_step().ok_or_else(|| {
        Error::unprocessable(ErrorCode::StepNotRunning, "no step is running", "không có bước nào đang thực hiện")
    })?;
    let units = state.store.units().await?;
    let organ_id = match input.organ_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(o) => o.to_owned(),
        None => units.iter().find(|u| u.code == step.unit).and_then(|u| u.organ_id.clone()).ok_or_else(|| {
            Error::unprocessable(
                ErrorCode::OrganIdRequired,
                format!("unit {} has no electronic organ id; give organ_id", step.unit),
                format!("đơn vị {} chưa có mã định danh điện tử; hãy nhập organ_id", step.unit),
            )
        })?,
    };
    let to = OrganId::parse(&organ_id).map_err(invalid)?;
    let resolving = units.iter().find(|u| u.code == d.resolving_unit).ok_or_else(Error::internal)?;
    let from = local_organ(resolving).ok_or_else(|| {
        Error::unprocessable(
            ErrorCode::OrganIdRequired,
            format!("the resolving unit {} has no electronic organ id", resolving.code),
            format!("cơ quan giải quyết {} chưa có mã định danh điện tử", resolving.code),
        )
    })?;
    let t = state.now();
    let subject = format!("Liên thông hồ sơ {}: {}", d.code, step.name);
    let mut h = header(from, Organ::new(to, step.unit.clone()), d.code.to_string(), "LT", subject, t);
    let due = step.due_at.or(d.due_at).map(|x| vn_local(x).date());
    h.due_date = due;
    let note = input.note.trim();
    h.content = Some(format!(
        "Thủ tục: {}. Hồ sơ {} cần thực hiện bước \"{}\"{}.{}",
        d.procedure_name,
        d.code,
        step.name,
        due.map(|x| format!(" trước ngày {:02}/{:02}/{}", x.day(), u8::from(x.month()), x.year())).unwrap_or_default(),
        if note.is_empty() { String::new() } else { format!(" {note}") }
    ));
    let mut package = Package { header: h, attachments: input.attachments };
    let new = new_package(state, &d.resolving_unit, &mut package, Some(d.code.to_string()), t)?;
    let document_id = new.document_id.clone();
    let (package_id, _) = state.store.store_draft(&new, t).await?;
    let calendars = state.calendars.clone();
    let send =
        SendToAgency { step: step_index, organ_id, document_id: document_id.clone(), package_id: package_id.clone() };
    let decide = Box::new(move |d: &motcua_domain::dossier::Dossier| {
        let cal = calendars.get(Some(&d.resolving_unit));
        Ok(vec![send_to_agency::decide(d, &send, &Ctx { calendar: &cal, at: t, actor: &Actor::System })?])
    });
    let d = state.store.writer.act(code.to_owned(), None, decide).await?;
    tracing::info!(dossier = %d.code, package = %package_id, "liên thông step sent");
    Ok(SentStep { package_id, document_id, version: d.version })
}

/// Answers incoming package `id` with the unit's result (a clerk of the receiving unit); the
/// original's status becomes 06 completed. Answers the package sent.
#[tracing::instrument(skip_all, fields(package = %id))]
pub async fn reply(state: &Application, user: &User, id: &str, input: Reply) -> AppResult<StoredPackage> {
    let p = match state.store.edxml_package(id).await? {
        Some(p) if p.direction == "in" && user.roles.iter().any(|(u, r)| u == &p.unit && *r == Role::Clerk) => p,
        _ => return Err(Error::not_found("incoming package", "văn bản đến")),
    };
    let original = Package::from_xml(p.xml.as_bytes()).map_err(|_| Error::internal())?;
    let unit = state.store.unit(&p.unit).await?;
    let organ = local_organ(&unit).ok_or_else(Error::internal)?;
    let t = state.now();
    let oh = &original.header;
    let subject = input.subject.trim().to_owned();
    let mut h =
        header(organ.clone(), oh.from.clone(), input.number.trim().to_owned(), input.notation.trim(), subject, t);
    h.content = Some(input.content.trim().to_owned()).filter(|c| !c.is_empty());
    h.response_for = Some(ResponseFor {
        organ_id: oh.from.id.clone(),
        code: format!("{}/{}", oh.code.number, oh.code.notation),
        promulgation_date: oh.promulgation.date,
        document_id: oh.document_id(),
    });
    let mut package = Package { header: h, attachments: input.attachments };
    let (out_id, _) = send_package(state, &p.unit, &mut package, None, t).await?;
    let done = status_reply(&p.id, &original, &organ, motcua_edxml::StatusCode::Completed, None, t).map_err(invalid)?;
    state.store.record_incoming_status(&p.id, DeliveryState::Completed, None, &done, t).await?;
    let stored = state.store.edxml_package(&out_id).await?.ok_or_else(Error::internal)?;
    Ok(stored)
}

/// An answer to a liên thông step ([`Package`] `ResponseFor` a package sent for a dossier)
/// completes the waiting step through the system's `receive_agency_result` event; a repeat
/// changes nothing.
/// An answer registered at `in_id` arrived for a package this system sent: when that package
/// carried a dossier's step, the step completes with the answer. A refusal by the domain is
/// logged (the answer stays registered for the officers); a storage failure is returned, so the
/// inbox answers 503 and the sender delivers again — the repeat is registered once and completes
/// the step then (the dossier is never left waiting on an answer that arrived).
pub async fn result_arrived(
    state: &Application,
    answer: &Package,
    in_id: &str,
) -> Result<(), motcua_store::StoreError> {
    let Some(rf) = &answer.header.response_for else { return Ok(()) };
    let sent = state.store.sent_with_document_id(&rf.document_id).await?;
    for code in sent.into_iter().filter_map(|p| p.dossier) {
        let input = ReceiveAgencyResult {
            sent_document_id: rf.document_id.clone(),
            document_id: answer.header.document_id(),
            package_id: in_id.to_owned(),
            note: [Some(answer.header.subject.clone()), answer.header.content.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" — "),
            attachments: answer
                .attachments
                .iter()
                .map(|a| ResultAttachment {
                    name: a.name.clone(),
                    content_type: a.content_type.clone(),
                    sha256: a.sha256_hex(),
                })
                .collect(),
        };
        let calendars = state.calendars.clone();
        let t = state.now();
        let decide = Box::new(move |d: &motcua_domain::dossier::Dossier| {
            let cal = calendars.get(Some(&d.resolving_unit));
            Ok(vec![receive_agency_result::decide(d, &input, &Ctx { calendar: &cal, at: t, actor: &Actor::System })?])
        });
        match state.store.writer.act(code.clone(), None, decide).await {
            Ok(d) => tracing::info!(dossier = %d.code, "liên thông result received"),
            Err(motcua_store::StoreError::Domain(e)) if e.code == "agency_result_already_received" => {}
            Err(motcua_store::StoreError::Domain(e)) => {
                tracing::warn!(dossier = %code, code = %e.code, "liên thông result refused by the dossier's rules")
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
