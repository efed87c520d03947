//! The dossier (hồ sơ) and its lifecycle: states, actors, and the projection built from events.
//!
//! Lifecycle (DESIGN.md, NĐ 61/2018 Art. 15–20 carried into NĐ 118/2025 Art. 17–22):
//! `submitted` → `received` → `in_progress` ⇄ `supplement_requested` → `result_ready` →
//! `returned`, with side exits `refused`, `rejected`, `withdrawn`. Actions live one per file in
//! [`actions`]; every accepted action becomes one [`event::Event`] and the projection is the fold
//! of the events ([`event::apply`]).

pub mod actions;
pub mod digitization;
pub mod event;
pub mod fees_due;
pub mod timeliness;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::calendar::WorkingTime;
use crate::catalog::{Fee, Level};

/// Where the dossier is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Submitted,
    Received,
    InProgress,
    SupplementRequested,
    ResultReady,
    Returned,
    Refused,
    Rejected,
    Withdrawn,
    /// The applicant asked to withdraw a received dossier; the one-stop confirms or declines
    /// (national state 7; NĐ 118/2025 Art. 21).
    WithdrawalRequested,
    /// The one-stop asked the applicant to pay the fees before processing goes on (national
    /// state 6, "chờ thanh toán"); paying brings the dossier back to the state it was in.
    AwaitingFees,
}

impl Status {
    pub const ALL: [Status; 11] = [
        Status::Submitted,
        Status::Received,
        Status::InProgress,
        Status::SupplementRequested,
        Status::ResultReady,
        Status::Returned,
        Status::Refused,
        Status::Rejected,
        Status::Withdrawn,
        Status::WithdrawalRequested,
        Status::AwaitingFees,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Received => "received",
            Status::InProgress => "in_progress",
            Status::SupplementRequested => "supplement_requested",
            Status::ResultReady => "result_ready",
            Status::Returned => "returned",
            Status::Refused => "refused",
            Status::Rejected => "rejected",
            Status::Withdrawn => "withdrawn",
            Status::WithdrawalRequested => "withdrawal_requested",
            Status::AwaitingFees => "awaiting_fees",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Plain Vietnamese label for citizens.
    pub fn label_vi(self) -> &'static str {
        match self {
            Status::Submitted => "Đã nộp, chờ tiếp nhận",
            Status::Received => "Đã tiếp nhận",
            Status::InProgress => "Đang giải quyết",
            Status::SupplementRequested => "Yêu cầu bổ sung hồ sơ",
            Status::ResultReady => "Có kết quả, chờ trả",
            Status::Returned => "Đã trả kết quả",
            Status::Refused => "Từ chối tiếp nhận",
            Status::Rejected => "Không giải quyết",
            Status::Withdrawn => "Đã rút hồ sơ",
            Status::WithdrawalRequested => "Đề nghị rút hồ sơ, chờ xác nhận",
            Status::AwaitingFees => "Chờ nộp phí, lệ phí",
        }
    }

    /// National portal `TrangThaiHoSo` code (domain.md §1.2 and Decisions 8): every internal
    /// state maps to exactly one code.
    pub fn national_code(self) -> u8 {
        match self {
            Status::Submitted => 1,
            Status::Received => 2,
            Status::Refused => 3,
            Status::InProgress => 4,
            Status::SupplementRequested => 5,
            Status::AwaitingFees => 6,
            Status::WithdrawalRequested => 7,
            Status::Withdrawn => 8,
            Status::ResultReady | Status::Rejected => 9,
            Status::Returned => 10,
        }
    }

    /// No further processing happens in this state.
    pub fn is_closed(self) -> bool {
        matches!(self, Status::Returned | Status::Refused | Status::Rejected | Status::Withdrawn)
    }
}

/// Submission channel, `KenhThucHien` (1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Counter,
    Online,
    Postal,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Counter => "counter",
            Channel::Online => "online",
            Channel::Postal => "postal",
        }
    }
    /// National `KenhThucHien` code.
    pub fn national_code(self) -> u8 {
        match self {
            Channel::Counter => 1,
            Channel::Online => 2,
            Channel::Postal => 3,
        }
    }
}

use crate::catalog::ProcedureCode;
pub use crate::ids::{CitizenId, DossierCode, UnitCode};
pub use crate::role::Role;
pub use fees_due::{Platform, amount_due};

/// Who performs an action: an officer (roles granted per unit) or the applicant, who proved
/// possession of the dossier's code and secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// `grants` are (unit, role) pairs: a role counts only in the unit it was granted in.
    Officer {
        username: String,
        grants: Vec<(UnitCode, Role)>,
    },
    Applicant,
    /// Motcua itself, for changes no person decides case by case (re-homing after a restructure).
    System,
}

impl Actor {
    /// The name written into the event log.
    pub fn name(&self) -> &str {
        match self {
            Actor::Officer { username, .. } => username,
            Actor::Applicant => "applicant",
            Actor::System => "system",
        }
    }
    /// An officer holding `role` in `unit`.
    pub fn is(&self, role: Role, unit: &str) -> bool {
        matches!(self, Actor::Officer { grants, .. } if grants.iter().any(|(u, r)| *r == role && u == unit))
    }
    /// An officer who belongs to `unit` with any role.
    pub fn in_unit(&self, unit: &str) -> bool {
        matches!(self, Actor::Officer { grants, .. } if grants.iter().any(|(u, _)| u == unit))
    }
}

/// The applicant block. Personal data: never logged, never shown on public lookups.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub name: String,
    #[serde(default)]
    pub id_number: CitizenId,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub address: String,
}

impl Applicant {
    /// The same block with surrounding white space removed from every field.
    pub fn trimmed(&self) -> Applicant {
        Applicant {
            name: self.name.trim().to_owned(),
            id_number: CitizenId::as_received(self.id_number.trim()),
            phone: self.phone.trim().to_owned(),
            email: self.email.trim().to_owned(),
            address: self.address.trim().to_owned(),
        }
    }
}

/// One document (component, thành phần hồ sơ) of the dossier. It counts as digitized only when a
/// stored file backs it, and as re-used only when the server took that file from a store
/// ([`digitization`], the one definition; 766 rows 4.2–4.4). Events before issue 16 also carry
/// `digitized` / `reused` ticks; they are ignored when read (a tick is not a file). Written, it
/// carries `digitized` and `reused` as computed here, for readers of the JSON.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DocumentRecord {
    pub name: String,
    /// The stored file behind the electronic copy: set by the server that stored it, never
    /// taken from a client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Where the copy came from, who stored it and when (absent on copies stored before issue 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<digitization::Provenance>,
}

impl Serialize for DocumentRecord {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Written<'a> {
            name: &'a str,
            digitized: bool,
            reused: bool,
            #[serde(skip_serializing_if = "Option::is_none")]
            file: &'a Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            provenance: &'a Option<digitization::Provenance>,
        }
        Written {
            name: &self.name,
            digitized: self.digitized(),
            reused: self.reused(),
            file: &self.file,
            provenance: &self.provenance,
        }
        .serialize(s)
    }
}

impl DocumentRecord {
    /// A document handed in on paper (or only named): not digitized.
    pub fn named(name: impl Into<String>) -> DocumentRecord {
        DocumentRecord { name: name.into(), file: None, provenance: None }
    }

    /// A document backed by the stored `file`.
    pub fn backed(
        name: impl Into<String>,
        file: impl Into<String>,
        provenance: digitization::Provenance,
    ) -> DocumentRecord {
        DocumentRecord { name: name.into(), file: Some(file.into()), provenance: Some(provenance) }
    }

    /// [`digitization::document_digitized`].
    pub fn digitized(&self) -> bool {
        digitization::document_digitized(self)
    }

    /// [`digitization::document_reused`].
    pub fn reused(&self) -> bool {
        digitization::document_reused(self)
    }

    /// Where its electronic copy came from, when it has one (copies stored before issue 16 have
    /// no recorded source).
    pub fn source(&self) -> Option<digitization::Source> {
        self.provenance.as_ref().map(|p| p.source).filter(|_| self.digitized())
    }
}

/// One step of the internal process as tracked on this dossier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepState {
    pub name: String,
    pub role: Role,
    pub unit: String,
    pub budget: WorkingTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub due_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub completed_at: Option<OffsetDateTime>,
    /// Parallel group label copied from the process (domain.md §1.5 liên thông, §6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel: Option<String>,
    /// The step went to another agency as an edXML package (liên thông, issue 7 part 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<AgencyExchange>,
    /// The process declares the step optional ([`crate::process::ProcessStep::optional`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub optional: bool,
    /// The leader approved while this optional step ran: it was passed over, not done.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "time::serde::rfc3339::option")]
    pub skipped_at: Option<OffsetDateTime>,
}

impl StepState {
    /// The step is behind the dossier: completed, or skipped under the process's shortcut.
    pub fn is_done(&self) -> bool {
        self.completed_at.is_some() || self.skipped_at.is_some()
    }
}

/// A step performed by another agency through an edXML package (`send_to_agency`), and its
/// answer once it arrived (`receive_agency_result`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyExchange {
    pub organ_id: String,
    pub document_id: String,
    pub package_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<AgencyResult>,
}

/// The agency's answer to a liên thông step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyResult {
    pub document_id: String,
    /// Local id of the registered answer package (which keeps the attachments' content).
    pub package_id: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub attachments: Vec<ResultAttachment>,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
}

/// One attachment of an agency's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultAttachment {
    pub name: String,
    pub content_type: String,
    /// Lowercase hex SHA-256 of the content.
    pub sha256: String,
}

/// The one permitted re-appointment (domain.md Decisions 5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    #[serde(with = "time::serde::rfc3339")]
    pub new_due_at: OffsetDateTime,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// A withdrawal the applicant asked for (state 7): the state to go back to if it is declined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingWithdrawal {
    pub from: Status,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Fees paid online, as the payment platform confirmed them ([`crate::payment`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaidFees {
    /// The payment record's id.
    pub id: String,
    pub platform: Platform,
    pub amount: i64,
    pub transaction: String,
    /// The electronic receipt (`BL26-30307 0000012`).
    pub receipt: String,
    #[serde(with = "time::serde::rfc3339")]
    pub paid_at: OffsetDateTime,
    /// The refund's transaction, once the fees were given back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded: Option<String>,
}

/// The result of processing. Written, it carries `digitized` (an electronic result is stored),
/// computed, for readers of the JSON.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ResultRecord {
    /// The stored file of the electronic result (766 rows 4.1/4.2; [`digitization`]). Events
    /// before issue 16 carry a `digitized` tick instead, ignored when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Who issued it and when (source [`digitization::Source::Issued`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<digitization::Provenance>,
    #[serde(default)]
    pub note: String,
    /// The issuing unit's signature over the file's bytes (issue 16 item 4), made by the server
    /// when the result was approved; results before it have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<ResultSignature>,
    /// Withdrawn by the issuing unit, with the reason ([`actions::revoke_result`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<Revocation>,
}

/// Why, by whom and when an electronic result was revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    pub reason: String,
    pub by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// A detached signature over an electronic result's file, as issued: verifiable with OpenSSL
/// from the unit's published public key alone (`openssl dgst -sha256 -verify <key>.pem
/// -signature <result>.sig <result file>`; docs/RESULTS.md). NĐ 45/2020 Art. 16 as amended by
/// NĐ 118/2025 (electronic results of administrative procedures) and domain.md §7 ("E-result
/// issuance: signed …, result code + link"): the signature attests the issuing unit and that the
/// file is the one issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultSignature {
    /// `ecdsa-p256-sha256`: ECDSA over P-256 with SHA-256, the signature DER-encoded
    /// (RFC 3279 §2.2.3), as OpenSSL writes and reads it.
    pub algorithm: String,
    /// The signing key: the SHA-256 (hex) of its public key's SubjectPublicKeyInfo DER.
    pub key_id: String,
    /// The unit whose key signed.
    pub unit: String,
    /// SHA-256 (hex) of the file signed.
    pub sha256: String,
    /// The signature, base64 (RFC 4648 §4).
    pub value: String,
}

impl Serialize for ResultRecord {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Written<'a> {
            digitized: bool,
            #[serde(skip_serializing_if = "Option::is_none")]
            file: &'a Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            provenance: &'a Option<digitization::Provenance>,
            note: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            signature: &'a Option<ResultSignature>,
            #[serde(skip_serializing_if = "Option::is_none")]
            revoked: &'a Option<Revocation>,
        }
        Written {
            digitized: self.file.is_some(),
            file: &self.file,
            provenance: &self.provenance,
            note: &self.note,
            signature: &self.signature,
            revoked: &self.revoked,
        }
        .serialize(s)
    }
}

/// The current-state projection of a dossier; a fold of its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dossier {
    pub code: DossierCode,
    pub procedure_code: ProcedureCode,
    pub procedure_version: i64,
    pub procedure_name: String,
    /// The procedure's sector (lĩnh vực), frozen at submission: an indicator dimension (QĐ 766
    /// "by field", domain.md §3).
    #[serde(default)]
    pub field: String,
    /// Level of the resolving authority, frozen at submission (an indicator dimension).
    #[serde(default)]
    pub level: Option<Level>,
    /// The procedure's result is a paper document (QĐ 766 row 4.1 counts electronic results of
    /// exactly these dossiers; domain.md §3), frozen at submission.
    #[serde(default)]
    pub paper_result: bool,
    /// The one-stop that receives (and returns) the dossier.
    pub receiving_unit: UnitCode,
    /// The authority that resolves it (routing by competence, domain.md §1.1).
    pub resolving_unit: UnitCode,
    pub channel: Channel,
    pub status: Status,
    pub applicant: Applicant,
    pub documents: Vec<DocumentRecord>,
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    /// When the one-stop accepted the complete dossier (action `receive`).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub received_at: Option<OffsetDateTime>,
    /// When the legal clock started (the receipt instant after the after-hours rule).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub clock_started_at: Option<OffsetDateTime>,
    /// Legal processing time frozen from the procedure version at submission.
    pub legal_time: WorkingTime,
    /// Legal due instant, moved later by paused time only (judges on-time status).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub due_at: Option<OffsetDateTime>,
    /// The citizen's appointment: the due instant, or the extension's new date.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub appointment_at: Option<OffsetDateTime>,
    /// Working time the clock was stopped for supplementation.
    #[serde(default)]
    pub paused: WorkingTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub paused_since: Option<OffsetDateTime>,
    /// Supplementation requests after reception (766: more than one ⇒ late).
    #[serde(default)]
    pub supplement_rounds: u32,
    /// Supplementation requests at reception (the clock had not started).
    #[serde(default)]
    pub reception_supplements: u32,
    #[serde(default)]
    pub pending_supplement: Option<String>,
    #[serde(default)]
    pub extension: Option<Extension>,
    #[serde(default)]
    pub steps: Vec<StepState>,
    /// Index of the current step in `steps` (== len when all done).
    #[serde(default)]
    pub step: usize,
    #[serde(default)]
    pub assignee: Option<String>,
    /// First of result ready / rejected / withdrawn (Decisions 6).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub returned_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub result: Option<ResultRecord>,
    /// Refusal / rejection / withdrawal reason.
    #[serde(default)]
    pub reason: Option<String>,
    /// The procedure's fee schedule, frozen at submission.
    #[serde(default)]
    pub fees: Vec<Fee>,
    /// What the dossier owes, computed at reception from its facts (issue 15). Dossiers received
    /// before it have none and owe the sum of their schedule, as they always did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_assessment: Option<Vec<crate::catalog::fees::AssessedFee>>,
    #[serde(default)]
    pub fee_paid: bool,
    #[serde(default)]
    pub paid_online: bool,
    #[serde(default)]
    pub rating: Option<u8>,
    /// The national portal's code of a dossier submitted there (`MaHoSo` on DVCQG; issue 15
    /// item 2): the province's record names it back to the portal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_ref: Option<String>,
    /// The applicant's request to withdraw, while the one-stop has not answered it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_withdrawal: Option<PendingWithdrawal>,
    /// The state to go back to once the fees asked for are paid (state 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_fees: Option<Status>,
    /// The payment that paid the fees online, and its refund if the dossier ended without its
    /// result (issue 15 item 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaidFees>,
    /// The fee facts the applicant declared with an online submission (pages, copies, the case
    /// that applies): used at reception when the receiver states none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declared_fees: Vec<crate::catalog::fees::FeeFact>,
    /// Number of events applied; the optimistic-concurrency version.
    pub version: i64,
}

impl Dossier {
    /// The unit whose inbox holds the dossier now: the one-stop while it waits for reception or
    /// for the result to be returned, the resolving authority while it is being processed; nobody
    /// once it is closed.
    pub fn holder_unit(&self) -> Option<&str> {
        match self.status {
            Status::Returned | Status::Refused | Status::Rejected | Status::Withdrawn => None,
            // A step after the approval (the clerk's issuing step) runs in its own unit first.
            Status::ResultReady => match self.current_step() {
                Some(s) if Some(self.step) != self.return_step() => Some(&s.unit),
                _ => Some(&self.receiving_unit),
            },
            Status::Submitted | Status::WithdrawalRequested | Status::AwaitingFees => Some(&self.receiving_unit),
            Status::SupplementRequested if self.received_at.is_none() => Some(&self.receiving_unit),
            _ => Some(&self.resolving_unit),
        }
    }

    /// Index of the one-stop's return step, if the process has one ([`crate::process::return_index`]).
    pub fn return_step(&self) -> Option<usize> {
        crate::process::return_index(&self.steps, |s| s.role)
    }

    /// Index of the approval step, if the process has one ([`crate::process::approval_index`]).
    pub fn approval_step(&self) -> Option<usize> {
        crate::process::approval_index(&self.steps, |s| s.role)
    }

    /// The step currently running, if any.
    pub fn current_step(&self) -> Option<&StepState> {
        self.steps.get(self.step)
    }

    /// Indices of the steps that run together with the current one: its parallel group, or the
    /// current step alone (empty once every step is done). Domain.md §6.
    pub fn current_group(&self) -> std::ops::Range<usize> {
        self.group_at(self.step)
    }

    /// The run of steps starting at `start` (see [`crate::process::groups`]).
    pub(crate) fn group_at(&self, start: usize) -> std::ops::Range<usize> {
        if start >= self.steps.len() {
            return start..start;
        }
        let label = self.steps.get(start).and_then(|s| s.parallel.as_deref());
        let mut end = start + 1;
        while label.is_some() && self.steps.get(end).and_then(|s| s.parallel.as_deref()) == label {
            end += 1;
        }
        start..end
    }

    /// Steps running past their own deadline at `now` — shown in the inbox even when the
    /// dossier as a whole is on time (TT 01/2018 Art. 8 per-unit time; domain.md §6).
    pub fn overdue_steps(&self, now: OffsetDateTime) -> Vec<&StepState> {
        self.steps
            .iter()
            .filter(|s| s.started_at.is_some() && s.completed_at.is_none() && s.due_at.is_some_and(|d| d < now))
            .collect()
    }

    /// Earliest deadline among the running steps (the projection's `step_due`).
    pub fn next_step_deadline(&self) -> Option<OffsetDateTime> {
        if self.status.is_closed() {
            return None;
        }
        self.steps.iter().filter(|s| s.started_at.is_some() && s.completed_at.is_none()).filter_map(|s| s.due_at).min()
    }

    /// Total fees in đồng: as assessed at reception, or what is known before it
    /// ([`crate::catalog::fees::known_before_reception`]).
    pub fn fee_total(&self) -> i64 {
        match &self.fee_assessment {
            Some(lines) => crate::catalog::fees::total(lines),
            None => crate::catalog::fees::known_before_reception(&self.fees, self.channel == Channel::Online),
        }
    }
}
