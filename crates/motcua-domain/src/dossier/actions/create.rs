//! Submission: a dossier comes into existence, online (waiting for the one-stop) or at the
//! counter / by post (entered by a receiver, who then receives it in the same request).
//! The procedure version, its legal time, fees and internal process are frozen onto the dossier
//! so later catalog changes never move its deadline (domain.md §2, "Keep the applicable
//! procedure version frozen on each dossier").

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::catalog::{Procedure, ProcedureCode};
use crate::dossier::{Applicant, Channel, DocumentRecord, Dossier, DossierCode, Status, StepState, UnitCode};
use crate::error::DomainError;
use crate::process::StepUnit;

/// Everything needed to create a dossier; the code comes from the store's per-unit sequence.
pub struct NewDossier<'a> {
    pub code: DossierCode,
    pub procedure: &'a Procedure,
    pub channel: Channel,
    pub applicant: Applicant,
    pub documents: Vec<DocumentRecord>,
    pub receiving_unit: UnitCode,
    pub resolving_unit: UnitCode,
    pub at: OffsetDateTime,
}

/// Event data: the initial projection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Created {
    pub dossier: Box<Dossier>,
}

/// The procedure's required components not among `documents` (by name), in the catalog's
/// order: what the receiver lists on the guidance slip (form 02) when a dossier handed in is
/// incomplete (NĐ 61/2018 Art. 15.2.b). Components the catalog marks conditional ("nếu có",
/// "trường hợp …") are not required.
pub fn missing_documents<'a>(procedure: &'a Procedure, documents: &[DocumentRecord]) -> Vec<&'a str> {
    procedure
        .documents
        .iter()
        .filter(|r| !r.is_conditional() && !documents.iter().any(|d| d.name.trim() == r.name.trim()))
        .map(|r| r.name.as_str())
        .collect()
}

/// Validates the submission and produces the `create` event data.
pub fn decide(n: NewDossier) -> Result<Created, DomainError> {
    validate_applicant(&n.applicant)?;
    if n.documents.len() > 100 || n.documents.iter().any(|d| d.name.trim().is_empty() || d.name.len() > 500) {
        return Err(DomainError::invalid(
            ErrorCode::InvalidDocuments,
            "each document needs a name (at most 100 documents)",
            "mỗi giấy tờ cần có tên (tối đa 100 giấy tờ)",
        ));
    }
    // At the counter or by post the dossier is received at once, so it must be complete: a
    // component missing is not received but returned to the applicant with the list of what to
    // add (NĐ 61/2018 Art. 15.2.b, kept by NĐ 118/2025 Art. 17: "hướng dẫn … bổ sung, hoàn
    // thiện hồ sơ", form 02). Components the catalog marks conditional are the receiver's call.
    if n.channel != Channel::Online {
        let missing = missing_documents(n.procedure, &n.documents);
        if !missing.is_empty() {
            let list = missing.join("; ");
            return Err(DomainError::rule(
                ErrorCode::DocumentsMissing,
                format!("the dossier is incomplete and cannot be received; missing: {list}"),
                format!("hồ sơ chưa đầy đủ, chưa thể tiếp nhận; còn thiếu: {list}"),
            ));
        }
    }
    if n.channel == Channel::Online && !n.procedure.online_level.accepts_online() {
        return Err(DomainError::rule(
            ErrorCode::ProcedureNotOnline,
            format!("procedure {} is not offered online; submit at the counter", n.procedure.code),
            format!(
                "thủ tục {} chưa cung cấp dịch vụ công trực tuyến; vui lòng nộp tại Bộ phận Một cửa",
                n.procedure.code
            ),
        ));
    }
    let legal_time = n.procedure.legal_time()?;
    let mut steps = Vec::with_capacity(n.procedure.steps.len());
    for s in &n.procedure.steps {
        let unit = match s.unit {
            StepUnit::Center => n.receiving_unit.to_string(),
            StepUnit::Agency | StepUnit::Commune => n.resolving_unit.to_string(),
            StepUnit::Consulted => s.unit_code.clone().unwrap_or_else(|| n.resolving_unit.to_string()),
        };
        steps.push(StepState {
            name: s.name.clone(),
            role: s.role,
            unit,
            budget: s.budget()?,
            started_at: None,
            due_at: None,
            completed_at: None,
            parallel: s.parallel.clone(),
            exchange: None,
            optional: s.optional,
            skipped_at: None,
        });
    }
    let dossier = Dossier {
        code: n.code,
        procedure_code: ProcedureCode::trusted(n.procedure.code.clone()),
        procedure_version: n.procedure.version,
        procedure_name: n.procedure.name.clone(),
        field: n.procedure.field.clone(),
        level: Some(n.procedure.level),
        paper_result: n.procedure.paper_result(),
        receiving_unit: n.receiving_unit,
        resolving_unit: n.resolving_unit,
        channel: n.channel,
        status: Status::Submitted,
        applicant: n.applicant,
        documents: n.documents,
        submitted_at: n.at,
        received_at: None,
        clock_started_at: None,
        legal_time,
        due_at: None,
        appointment_at: None,
        paused: Default::default(),
        paused_since: None,
        supplement_rounds: 0,
        reception_supplements: 0,
        pending_supplement: None,
        extension: None,
        steps,
        step: 0,
        assignee: None,
        finished_at: None,
        returned_at: None,
        result: None,
        reason: None,
        fees: n.procedure.fees.clone(),
        fee_assessment: None,
        fee_paid: false,
        paid_online: false,
        national_ref: None,
        pending_withdrawal: None,
        pending_fees: None,
        payment: None,
        declared_fees: Vec::new(),
        rating: None,
        version: 0,
    };
    Ok(Created { dossier: Box::new(dossier) })
}

pub(crate) fn apply(c: &Created) -> Dossier {
    let mut d = (*c.dossier).clone();
    d.version = 1;
    d
}

/// Applicant block checks: a name; a citizen ID of 9 (old CMND) or 12 (CCCD) digits when given;
/// a Vietnamese phone number when given; a plausible e-mail when given.
pub fn validate_applicant(a: &Applicant) -> Result<(), DomainError> {
    let name = a.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(DomainError::invalid(
            ErrorCode::InvalidApplicantName,
            "the applicant's name is required (at most 200 characters)",
            "cần nhập họ tên người nộp (tối đa 200 ký tự)",
        ));
    }
    crate::ids::CitizenId::parse(&a.id_number)?;
    let phone = a.phone.trim();
    let digits = phone.strip_prefix("+84").map(|r| format!("0{r}")).unwrap_or_else(|| phone.to_owned());
    let phone_ok =
        digits.starts_with('0') && (10..=11).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    if !phone.is_empty() && !phone_ok {
        return Err(DomainError::invalid(
            ErrorCode::InvalidPhone,
            "the phone number must be a Vietnamese number such as 0912345678",
            "số điện thoại không hợp lệ (ví dụ 0912345678)",
        ));
    }
    let email = a.email.trim();
    let email_ok = email.len() <= 254 && email.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.'));
    if !email.is_empty() && !email_ok {
        return Err(DomainError::invalid(
            ErrorCode::InvalidEmail,
            "the e-mail address is not valid",
            "địa chỉ thư điện tử không hợp lệ",
        ));
    }
    if a.address.chars().count() > 500 {
        return Err(DomainError::invalid(
            ErrorCode::InvalidAddress,
            "the address is too long (at most 500 characters)",
            "địa chỉ quá dài (tối đa 500 ký tự)",
        ));
    }
    Ok(())
}
