//! `receive` (tiếp nhận): the one-stop accepts the complete dossier and the legal clock starts
//! (domain.md Decisions 2: at acceptance, not submission; an instant outside office hours counts
//! from the start of the next working period). The due instant is the legal time walked through
//! office hours (Decisions 3). NĐ 61/2018 Art. 15–17, NĐ 118/2025 Art. 17.
//!
//! Reception completes the process's reception step (a receiver step of the receiving unit at
//! its head) at the instant it happens, and the next step starts then (issue 14: no step is
//! recorded as done at a time still to come, such as Monday 07:00 for a Sunday reception); the
//! deadlines still count from the clock's start. A process without a reception step starts its
//! first step instead.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, Due, advance_step, require_officer, require_status, run_dues, start_run};
use crate::catalog::fees::{AssessedFee, FeeFact};
use crate::dossier::digitization::{Provenance, Source};
use crate::dossier::{Actor, DocumentRecord, Dossier, Role, Status};
use crate::error::DomainError;

/// Input: the scans attached at the counter, if any, and the facts the fee schedule needs
/// (pages, copies, the case that applies, exemptions).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receive {
    /// Before issue 16 a client named the documents it had "digitized"; a tick is not a scan, so
    /// a name here is refused (`scan_required`): the scan is attached as a file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub digitized: Vec<String>,
    /// The scans attached at reception: (document name, stored file id). Set by the server from
    /// the files it stores with this action, never read from a client.
    #[serde(skip)]
    pub scans: Vec<(String, String)>,
    /// One fact per schedule line that needs one ([`crate::catalog::fees::assess`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fees: Vec<FeeFact>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Received {
    #[serde(with = "time::serde::rfc3339")]
    pub clock_started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub due_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub next_step_due: Option<OffsetDateTime>,
    /// Deadlines of the other steps of a parallel group starting now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_step_dues: Vec<Due>,
    /// The documents scanned at reception, each with its file and provenance (issue 16). Events
    /// before it carry `digitized` names instead, ignored when read (a tick is not a scan).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scanned: Vec<DocumentRecord>,
    /// The first step is the reception step and this action completes it. Events before issue
    /// 14 lack the field and always completed the first step.
    #[serde(default = "yes")]
    pub completes_step: bool,
    /// When the reception step was completed and the next one started: the reception instant.
    /// Events before issue 14 lack it and used the clock's start.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "time::serde::rfc3339::option")]
    pub handed_over_at: Option<OffsetDateTime>,
    /// What the dossier owes, computed from the schedule and the facts (issue 15). Events
    /// before it lack it: those dossiers owe the sum of their schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fees: Option<Vec<AssessedFee>>,
}

fn yes() -> bool {
    true
}

/// The first step is the one-stop's reception step.
fn is_reception_step(d: &Dossier) -> bool {
    d.current_group().len() == 1
        && d.current_step().is_some_and(|s| s.role == Role::Receiver && s.unit == d.receiving_unit.as_str())
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(d, &[Status::Submitted], ActionKind::Receive)?;
    require_officer(actor, &[Role::Receiver], &d.receiving_unit, ActionKind::Receive)
}

impl Receive {
    pub(crate) fn decide(&self, d: &Dossier, ctx: &Ctx) -> Result<Received, DomainError> {
        if let Some(name) = self.digitized.first() {
            return Err(DomainError::rule(
                ErrorCode::ScanRequired,
                format!("'{name}': a document is digitized by attaching its scan as a file, not by naming it"),
                format!("'{name}': giấy tờ được số hóa khi đính kèm tệp bản quét, không phải khi đánh dấu"),
            ));
        }
        let mut scanned = Vec::with_capacity(self.scans.len());
        for (name, file) in &self.scans {
            let Some(doc) = d.documents.iter().find(|doc| &doc.name == name) else {
                return Err(DomainError::invalid(
                    ErrorCode::UnknownDocument,
                    format!("the dossier has no document named '{name}'"),
                    format!("hồ sơ không có giấy tờ tên '{name}'"),
                ));
            };
            // A document handed in electronically needs no scan (TT 03/2025 Art. 5.2), and its
            // copy is not replaced at reception.
            if doc.digitized() {
                return Err(DomainError::rule(
                    ErrorCode::AlreadyDigitized,
                    format!("'{name}' already has its electronic copy; it is not scanned again"),
                    format!("'{name}' đã có bản điện tử; không quét lại"),
                ));
            }
            let provenance = Provenance { source: Source::Counter, by: ctx.actor.name().to_owned(), at: ctx.at };
            scanned.push(DocumentRecord::backed(name.clone(), file.clone(), provenance));
        }
        // The amount due is fixed at reception, from the facts stated now (TT 226/2016 and the
        // procedure's schedule; catalog::fees).
        // Facts the receiver states win; without them, those the applicant declared online.
        let facts = if self.fees.is_empty() { &d.declared_fees } else { &self.fees };
        let fees = if d.fees.is_empty() && facts.is_empty() {
            None
        } else {
            Some(crate::catalog::fees::assess(&d.fees, facts, d.channel == crate::dossier::Channel::Online)?)
        };
        let start = ctx.calendar.receipt_instant(ctx.at);
        let completes_step = is_reception_step(d);
        let next = if completes_step { d.current_group().end } else { d.step };
        let (next_step_due, more_step_dues) = run_dues(d, ctx, start, next);
        Ok(Received {
            clock_started_at: start,
            due_at: ctx.calendar.add(start, d.legal_time),
            next_step_due,
            more_step_dues,
            scanned,
            completes_step,
            handed_over_at: Some(ctx.at),
            fees,
        })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &Received, at: OffsetDateTime) {
    d.status = Status::Received;
    d.received_at = Some(at);
    d.clock_started_at = Some(e.clock_started_at);
    d.due_at = Some(e.due_at);
    d.appointment_at = Some(e.due_at);
    for scan in &e.scanned {
        if let Some(doc) = d.documents.iter_mut().find(|doc| doc.name == scan.name) {
            doc.file.clone_from(&scan.file);
            doc.provenance.clone_from(&scan.provenance);
        }
    }
    if e.fees.is_some() {
        d.fee_assessment = e.fees.clone();
    }
    let handed_over = e.handed_over_at.unwrap_or(e.clock_started_at);
    if e.completes_step {
        advance_step(d, handed_over, e.next_step_due, &e.more_step_dues);
    } else {
        start_run(d, handed_over, e.next_step_due, &e.more_step_dues);
    }
}
