//! `approve` (phê duyệt; có kết quả): the competent leader signs the result; the dossier goes to
//! the one-stop to be returned. This instant is the finish instant for on-time scoring
//! (domain.md Decisions 6; 766 formula 2.1 "Đã xử lý xong").
//!
//! Approval is the approval step's own action (issue 14; NĐ 61/2018 Art. 19.3): possible only
//! while that step runs, by an officer holding its role in its unit, and it completes that step
//! alone. Steps before it that are still open must be ones the process declares optional
//! ([`crate::process::ProcessStep::optional`]); they are recorded as skipped. A process without
//! a leader step is approved by the resolving unit's leader once every processing step is done.
//! Steps after the approval step (the clerk's issuing step) start now and run while the result
//! waits; the return step follows them.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionKind, Ctx, Due, require_officer, require_status, run_dues, start_run};
use crate::dossier::digitization::{Provenance, Source};
use crate::dossier::{Actor, Dossier, ResultRecord, Role, Status};
use crate::error::DomainError;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approve {
    /// Before issue 16 a client ticked "electronic result"; the result is now electronic only
    /// when its file is attached, so `true` without a file is refused (`result_file_required`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub result_digitized: bool,
    /// The stored file of the electronic result. Set by the server from the file it stores with
    /// this action, never read from a client.
    #[serde(skip)]
    pub result_file: Option<String>,
    /// The issuing unit's signature over that file, made by the server (issue 16 item 4).
    #[serde(skip)]
    pub result_signature: Option<crate::dossier::ResultSignature>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approved {
    pub result: ResultRecord,
    /// Due instant of the step that starts now: the return step, or a step after the approval
    /// (the clerk's). The name stays from the events before issue 14, which started the return
    /// step only.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub return_step_due: Option<OffsetDateTime>,
    /// Deadlines of the other steps of a parallel group starting now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_step_dues: Vec<Due>,
    /// Steps before this index are behind the dossier once approved. Events before issue 14
    /// lack it: they completed every step up to the return step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<usize>,
    /// Optional steps passed over by this approval.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<usize>,
}

/// What approving now means: the end of the approval step's run, and the open optional steps it
/// passes over; or why approval is not possible now.
fn plan(d: &Dossier, actor: &Actor) -> Result<(usize, Vec<usize>), DomainError> {
    let pending = d.approval_step().filter(|a| d.steps.get(*a).is_some_and(|s| !s.is_done()));
    let Some((a, step)) = pending.and_then(|a| Some((a, d.steps.get(a)?))) else {
        // No leader step in the process, or one completed before issue 14 made approval its own
        // action: the leader approves once the processing steps are done.
        let end = d.return_step().unwrap_or(d.steps.len());
        if d.step < end {
            return Err(not_now(d));
        }
        let unit = d.approval_step().and_then(|a| d.steps.get(a)).map_or(d.resolving_unit.as_str(), |s| &s.unit);
        require_officer(actor, &[Role::Leader], unit, ActionKind::Approve)?;
        return Ok((end, Vec::new()));
    };
    let run = crate::process::groups(&d.steps, |s| s.parallel.as_deref()).into_iter().find(|g| g.contains(&a));
    let end = run.map_or(a + 1, |g| g.end);
    let open: Vec<usize> = (d.step..end).filter(|i| *i != a && d.steps.get(*i).is_some_and(|s| !s.is_done())).collect();
    if d.step > a || open.iter().any(|i| d.steps.get(*i).is_some_and(|s| !s.optional)) {
        return Err(not_now(d));
    }
    require_officer(actor, &[step.role], &step.unit, ActionKind::Approve)?;
    Ok((end, open))
}

fn not_now(d: &Dossier) -> DomainError {
    let current = d.current_step().map(|s| s.name.as_str()).unwrap_or("-");
    DomainError::rule(
        ErrorCode::NotApprovalStep,
        format!("the result is approved at the approval step; the dossier is at step '{current}'"),
        format!("chỉ phê duyệt kết quả ở bước phê duyệt; hồ sơ đang ở bước '{current}'"),
    )
}

pub(crate) fn check(d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
    require_status(d, &[Status::Received, Status::InProgress], ActionKind::Approve)?;
    plan(d, actor).map(|_| ())
}

impl Approve {
    pub(crate) fn decide(&self, d: &Dossier, ctx: &Ctx) -> Result<Approved, DomainError> {
        super::require_note(&self.note)?;
        if self.result_digitized && self.result_file.is_none() {
            return Err(DomainError::rule(
                ErrorCode::ResultFileRequired,
                "an electronic result is the result's file: attach it to the approval",
                "kết quả điện tử là tệp kết quả: hãy đính kèm tệp khi phê duyệt",
            ));
        }
        let (until, skipped) = plan(d, ctx.actor)?;
        let (return_step_due, more_step_dues) = run_dues(d, ctx, ctx.at, until);
        Ok(Approved {
            result: ResultRecord {
                file: self.result_file.clone(),
                provenance: self.result_file.as_ref().map(|_| Provenance {
                    source: Source::Issued,
                    by: ctx.actor.name().to_owned(),
                    at: ctx.at,
                }),
                note: self.note.trim().to_owned(),
                signature: self.result_file.as_ref().and(self.result_signature.clone()),
                revoked: None,
            },
            return_step_due,
            more_step_dues,
            until: Some(until),
            skipped,
        })
    }
}

pub(crate) fn apply(d: &mut Dossier, e: &Approved, at: OffsetDateTime) {
    d.status = Status::ResultReady;
    d.result = Some(e.result.clone());
    d.finished_at.get_or_insert(at);
    for i in &e.skipped {
        if let Some(s) = d.steps.get_mut(*i) {
            s.skipped_at.get_or_insert(at);
        }
    }
    let until = e.until.unwrap_or_else(|| d.return_step().unwrap_or(d.steps.len()));
    for s in d.steps.iter_mut().take(until).skip(d.step).filter(|s| !s.is_done()) {
        s.started_at.get_or_insert(at);
        s.completed_at = Some(at);
    }
    d.step = d.step.max(until);
    start_run(d, at, e.return_step_due, &e.more_step_dues);
}
