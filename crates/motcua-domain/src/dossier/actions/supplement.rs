//! `supplement` (bổ sung hồ sơ): the applicant (online, with code + secret) or a receiver at the
//! counter hands in what was asked for. If the clock was paused, the due instant moves later by
//! exactly the working time paused (domain.md Decisions 4; 766 formula 2.1 subtracts the
//! supplementation interval).

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, Due, require_officer, require_status};
use crate::calendar::WorkingTime;
use crate::dossier::{Actor, DocumentRecord, Dossier, Role, Status};
use crate::error::DomainError;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Supplement {
    /// Documents handed in.
    #[serde(default)]
    pub documents: Vec<DocumentRecord>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Supplemented {
    #[serde(default)]
    pub documents: Vec<DocumentRecord>,
    #[serde(default)]
    pub note: String,
    /// Working time of this pause (0 at reception).
    pub paused: WorkingTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub due_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub appointment_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub step_due: Option<OffsetDateTime>,
    /// Moved deadlines of the other running steps of a parallel group, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_step_dues: Vec<Due>,
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(d, &[Status::SupplementRequested], ActionKind::Supplement)?;
    match actor {
        Actor::Applicant => Ok(()),
        _ => require_officer(actor, &[Role::Receiver], &d.receiving_unit, ActionKind::Supplement),
    }
}

impl Supplement {
    pub(crate) fn decide(&self, d: &Dossier, ctx: &Ctx) -> Result<Supplemented, DomainError> {
        if self.documents.len() > 100
            || self.documents.iter().any(|x| x.name.trim().is_empty() || x.name.len() > 500)
            || self.note.chars().count() > 2000
        {
            return Err(DomainError::invalid(
                ErrorCode::InvalidDocuments,
                "each document needs a name (at most 100 documents; note at most 2000 characters)",
                "mỗi giấy tờ cần có tên (tối đa 100 giấy tờ; ghi chú tối đa 2000 ký tự)",
            ));
        }
        let mut e = Supplemented {
            documents: self.documents.clone(),
            note: self.note.trim().to_owned(),
            paused: WorkingTime::default(),
            due_at: None,
            appointment_at: None,
            step_due: None,
            more_step_dues: Vec::new(),
        };
        if let (Some(since), Some(start)) = (d.paused_since, d.clock_started_at) {
            let pause = ctx.calendar.between(since, ctx.at);
            // `add` of zero working time snaps to the next working period (17:00 → 07:00), so a
            // pause with no working time leaves the instants as they are (Decisions 3).
            let shift = |t| if pause.seconds() > 0 { ctx.calendar.add(t, pause) } else { t };
            let due = ctx.calendar.add(start, d.legal_time + d.paused + pause);
            e.paused = pause;
            e.due_at = Some(due);
            // After an extension the appointment is its own date, moved by every pause since.
            e.appointment_at = Some(match &d.extension {
                Some(x) => shift(d.appointment_at.unwrap_or(x.new_due_at)),
                None => due,
            });
            e.step_due = d.current_step().and_then(|s| s.due_at).map(shift);
            e.more_step_dues = group_rest(d).filter_map(|s| s.due_at).map(|t| Due(shift(t))).collect();
        }
        Ok(e)
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &Supplemented, _at: OffsetDateTime) {
    d.documents.extend(e.documents.iter().cloned());
    d.pending_supplement = None;
    if d.received_at.is_none() {
        d.status = Status::Submitted;
        return;
    }
    d.status = Status::InProgress;
    d.paused = d.paused + e.paused;
    d.paused_since = None;
    if e.due_at.is_some() {
        d.due_at = e.due_at;
        d.appointment_at = e.appointment_at;
    }
    if let (Some(s), Some(t)) = (d.steps.get_mut(d.step), e.step_due) {
        s.due_at = Some(t);
    }
    let g = d.current_group();
    let running = d.steps.iter_mut().take(g.end).skip(g.start + 1).filter(|s| s.due_at.is_some());
    for (s, t) in running.zip(&e.more_step_dues) {
        s.due_at = Some(t.0);
    }
}

/// The steps of the current parallel group after its first one (liên thông, domain.md §1.5):
/// their deadlines move with the pause too.
fn group_rest(d: &Dossier) -> impl Iterator<Item = &crate::dossier::StepState> {
    let g = d.current_group();
    d.steps.iter().take(g.end).skip(g.start + 1)
}
