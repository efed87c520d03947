//! Dossier actions, one file each (the mini-redis "one file per command" shape). Every file has
//! the action's input, `check` (who may do it in which state), `decide` (input → event data, or a
//! refusal) and `apply` (event data → projection).

pub mod approve;
pub mod assign;
pub mod complete_step;
pub mod create;
pub mod decline_withdrawal;
pub mod extend;
pub mod rate;
pub mod receive;
pub mod receive_agency_result;
pub mod record_payment;
pub mod record_refund;
pub mod refuse;
pub mod rehome;
pub mod reject;
pub mod request_fees;
pub mod request_supplement;
pub mod return_result;
pub mod revoke_result;
pub mod send_to_agency;
pub mod supplement;
pub mod transfer;
pub mod withdraw;

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::event::{Event, EventData};
use super::{Actor, Dossier, Role, Status};
use crate::calendar::Calendar;
use crate::error::DomainError;

/// What the rules need besides the dossier: the unit's calendar, the instant, and who acts.
pub struct Ctx<'a> {
    pub calendar: &'a Calendar,
    pub at: OffsetDateTime,
    pub actor: &'a Actor,
}

/// An action as clients send it: `{"action": "assign", "assignee": "chuyenvien"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Receive(receive::Receive),
    Refuse(refuse::Refuse),
    RequestSupplement(request_supplement::RequestSupplement),
    Supplement(supplement::Supplement),
    Assign(assign::Assign),
    CompleteStep(complete_step::CompleteStep),
    Transfer(transfer::Transfer),
    Approve(approve::Approve),
    Reject(reject::Reject),
    Extend(extend::Extend),
    ReturnResult(return_result::ReturnResult),
    Withdraw(withdraw::Withdraw),
    DeclineWithdrawal(decline_withdrawal::DeclineWithdrawal),
    RequestFees(request_fees::RequestFees),
    Rate(rate::Rate),
    RevokeResult(revoke_result::RevokeResult),
    /// System only, after a restructure (not offered to people).
    Rehome(rehome::Rehome),
    /// System only, on the payment platform's confirmation.
    RecordPayment(record_payment::RecordPayment),
    /// System only, on the payment platform's refund.
    RecordRefund(record_refund::RecordRefund),
}

/// Names of the actions, for `allowed_actions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Receive,
    Refuse,
    RequestSupplement,
    Supplement,
    Assign,
    CompleteStep,
    Transfer,
    Approve,
    Reject,
    Extend,
    ReturnResult,
    Withdraw,
    DeclineWithdrawal,
    RequestFees,
    Rate,
    RevokeResult,
    Rehome,
    RecordPayment,
    RecordRefund,
}

impl ActionKind {
    /// The actions people (officers, applicants) may take; `rehome`, `record_payment` and
    /// `record_refund` are the system's alone.
    pub const ALL: [ActionKind; 16] = [
        ActionKind::Receive,
        ActionKind::Refuse,
        ActionKind::RequestSupplement,
        ActionKind::Supplement,
        ActionKind::Assign,
        ActionKind::CompleteStep,
        ActionKind::Transfer,
        ActionKind::Approve,
        ActionKind::Reject,
        ActionKind::Extend,
        ActionKind::ReturnResult,
        ActionKind::Withdraw,
        ActionKind::DeclineWithdrawal,
        ActionKind::RequestFees,
        ActionKind::Rate,
        ActionKind::RevokeResult,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Receive => "receive",
            ActionKind::Refuse => "refuse",
            ActionKind::RequestSupplement => "request_supplement",
            ActionKind::Supplement => "supplement",
            ActionKind::Assign => "assign",
            ActionKind::CompleteStep => "complete_step",
            ActionKind::Transfer => "transfer",
            ActionKind::Approve => "approve",
            ActionKind::Reject => "reject",
            ActionKind::Extend => "extend",
            ActionKind::ReturnResult => "return_result",
            ActionKind::Withdraw => "withdraw",
            ActionKind::DeclineWithdrawal => "decline_withdrawal",
            ActionKind::RequestFees => "request_fees",
            ActionKind::Rate => "rate",
            ActionKind::RevokeResult => "revoke_result",
            ActionKind::Rehome => "rehome",
            ActionKind::RecordPayment => "record_payment",
            ActionKind::RecordRefund => "record_refund",
        }
    }

    /// Vietnamese label for buttons.
    pub fn label_vi(self) -> &'static str {
        match self {
            ActionKind::Receive => "Tiếp nhận",
            ActionKind::Refuse => "Từ chối tiếp nhận",
            ActionKind::RequestSupplement => "Yêu cầu bổ sung",
            ActionKind::Supplement => "Bổ sung hồ sơ",
            ActionKind::Assign => "Phân công",
            ActionKind::CompleteStep => "Hoàn thành bước",
            ActionKind::Transfer => "Chuyển cơ quan khác",
            ActionKind::Approve => "Phê duyệt kết quả",
            ActionKind::Reject => "Không giải quyết",
            ActionKind::Extend => "Gia hạn, xin lỗi",
            ActionKind::ReturnResult => "Trả kết quả",
            ActionKind::Withdraw => "Rút hồ sơ",
            ActionKind::DeclineWithdrawal => "Không dừng giải quyết",
            ActionKind::RequestFees => "Yêu cầu nộp phí, lệ phí",
            ActionKind::Rate => "Đánh giá",
            ActionKind::RevokeResult => "Thu hồi kết quả",
            ActionKind::Rehome => "Chuyển đơn vị kế thừa",
            ActionKind::RecordPayment => "Ghi nhận thanh toán trực tuyến",
            ActionKind::RecordRefund => "Ghi nhận hoàn tiền",
        }
    }

    fn check(self, d: &Dossier, actor: &Actor) -> Result<(), DomainError> {
        match self {
            ActionKind::Receive => receive::check(d, actor),
            ActionKind::Refuse => refuse::check(d, actor),
            ActionKind::RequestSupplement => request_supplement::check(d, actor),
            ActionKind::Supplement => supplement::check(d, actor),
            ActionKind::Assign => assign::check(d, actor),
            ActionKind::CompleteStep => complete_step::check(d, actor),
            ActionKind::Transfer => transfer::check(d, actor),
            ActionKind::Approve => approve::check(d, actor),
            ActionKind::Reject => reject::check(d, actor),
            ActionKind::Extend => extend::check(d, actor),
            ActionKind::ReturnResult => return_result::check(d, actor),
            ActionKind::Withdraw => withdraw::check(d, actor),
            ActionKind::DeclineWithdrawal => decline_withdrawal::check(d, actor),
            ActionKind::RequestFees => request_fees::check(d, actor),
            ActionKind::Rate => rate::check(d, actor),
            ActionKind::RevokeResult => revoke_result::check(d, actor),
            ActionKind::Rehome => rehome::check(d, actor),
            ActionKind::RecordPayment => record_payment::check(d, actor),
            ActionKind::RecordRefund => record_refund::check(d, actor),
        }
    }
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Receive(_) => ActionKind::Receive,
            Action::Refuse(_) => ActionKind::Refuse,
            Action::RequestSupplement(_) => ActionKind::RequestSupplement,
            Action::Supplement(_) => ActionKind::Supplement,
            Action::Assign(_) => ActionKind::Assign,
            Action::CompleteStep(_) => ActionKind::CompleteStep,
            Action::Transfer(_) => ActionKind::Transfer,
            Action::Approve(_) => ActionKind::Approve,
            Action::Reject(_) => ActionKind::Reject,
            Action::Extend(_) => ActionKind::Extend,
            Action::ReturnResult(_) => ActionKind::ReturnResult,
            Action::Withdraw(_) => ActionKind::Withdraw,
            Action::DeclineWithdrawal(_) => ActionKind::DeclineWithdrawal,
            Action::RequestFees(_) => ActionKind::RequestFees,
            Action::Rate(_) => ActionKind::Rate,
            Action::RevokeResult(_) => ActionKind::RevokeResult,
            Action::Rehome(_) => ActionKind::Rehome,
            Action::RecordPayment(_) => ActionKind::RecordPayment,
            Action::RecordRefund(_) => ActionKind::RecordRefund,
        }
    }
}

/// Decides an action on a dossier: the event to append, or why not. Pure.
pub fn decide(d: &Dossier, action: &Action, ctx: &Ctx) -> Result<Event, DomainError> {
    action.kind().check(d, ctx.actor)?;
    let data = match action {
        Action::Receive(a) => EventData::Receive(a.decide(d, ctx)?),
        Action::Refuse(a) => EventData::Refuse(a.decide(d, ctx)?),
        Action::RequestSupplement(a) => EventData::RequestSupplement(a.decide(d, ctx)?),
        Action::Supplement(a) => EventData::Supplement(a.decide(d, ctx)?),
        Action::Assign(a) => EventData::Assign(a.decide(d, ctx)?),
        Action::CompleteStep(a) => EventData::CompleteStep(a.decide(d, ctx)?),
        Action::Transfer(a) => EventData::Transfer(a.decide(d, ctx)?),
        Action::Approve(a) => EventData::Approve(a.decide(d, ctx)?),
        Action::Reject(a) => EventData::Reject(a.decide(d, ctx)?),
        Action::Extend(a) => EventData::Extend(a.decide(d, ctx)?),
        Action::ReturnResult(a) => EventData::ReturnResult(a.decide(d, ctx)?),
        Action::Withdraw(a) => EventData::Withdraw(a.decide(d, ctx)?),
        Action::DeclineWithdrawal(a) => EventData::DeclineWithdrawal(a.decide(d, ctx)?),
        Action::RequestFees(a) => EventData::RequestFees(a.decide(d, ctx)?),
        Action::Rate(a) => EventData::Rate(a.decide(d, ctx)?),
        Action::RevokeResult(a) => EventData::RevokeResult(a.decide(d, ctx)?),
        Action::Rehome(a) => EventData::Rehome(a.decide(d, ctx)?),
        Action::RecordPayment(a) => EventData::RecordPayment(a.decide(d, ctx)?),
        Action::RecordRefund(a) => EventData::RecordRefund(a.decide(d, ctx)?),
    };
    Ok(Event { at: ctx.at, actor: ctx.actor.name().to_owned(), data })
}

/// The actions `actor` may take on `d` now, so clients never guess.
pub fn allowed_actions(d: &Dossier, actor: &Actor) -> Vec<ActionKind> {
    ActionKind::ALL.into_iter().filter(|k| k.check(d, actor).is_ok()).collect()
}

/// Refuses unless the dossier is in one of `allowed` states.
pub(crate) fn require_status(d: &Dossier, allowed: &[Status], action: ActionKind) -> Result<(), DomainError> {
    if allowed.contains(&d.status) {
        return Ok(());
    }
    Err(DomainError::rule(
        ErrorCode::InvalidTransition,
        format!("action '{}' is not possible while the dossier is '{}'", action.as_str(), d.status.as_str()),
        format!("không thể thực hiện '{}' khi hồ sơ đang ở trạng thái '{}'", action.label_vi(), d.status.label_vi()),
    ))
}

/// Refuses unless the actor is an officer with one of `roles` in `unit`.
pub(crate) fn require_officer(
    actor: &Actor,
    roles: &[Role],
    unit: &str,
    action: ActionKind,
) -> Result<(), DomainError> {
    if roles.iter().any(|r| actor.is(*r, unit)) {
        return Ok(());
    }
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    Err(DomainError::forbidden(
        format!("action '{}' needs the role {} in unit {unit}", action.as_str(), names.join(" or ")),
        format!("thao tác '{}' cần vai trò {} tại đơn vị {unit}", action.label_vi(), names.join(" hoặc ")),
    ))
}

/// A non-empty, bounded free-text reason.
pub(crate) fn require_reason(reason: &str) -> Result<String, DomainError> {
    let r = reason.trim();
    if r.is_empty() || r.chars().count() > 2000 {
        return Err(DomainError::invalid(
            ErrorCode::ReasonRequired,
            "a reason of 1 to 2000 characters is required",
            "cần ghi lý do (1 đến 2000 ký tự)",
        ));
    }
    Ok(r.to_owned())
}

/// An optional note of at most 2000 characters.
pub(crate) fn require_note(note: &str) -> Result<(), DomainError> {
    if note.chars().count() > 2000 {
        return Err(DomainError::invalid(
            ErrorCode::NoteTooLong,
            "the note is too long (at most 2000 characters)",
            "ghi chú quá dài (tối đa 2000 ký tự)",
        ));
    }
    Ok(())
}

/// A step deadline carried by an event, serialized as RFC 3339.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Due(#[serde(with = "time::serde::rfc3339")] pub OffsetDateTime);

/// Completes the current step (or every step of the current parallel group) at `at` and starts
/// the next run: its first step due at `next_due`, the rest of a parallel group due at `more`
/// (liên thông consultations start together, domain.md §1.5, §6).
pub(crate) fn advance_step(d: &mut Dossier, at: OffsetDateTime, next_due: Option<OffsetDateTime>, more: &[Due]) {
    let current = d.current_group();
    if !current.is_empty() {
        for s in d.steps.iter_mut().take(current.end).skip(current.start) {
            s.started_at.get_or_insert(at);
            s.completed_at.get_or_insert(at);
        }
        d.step = current.end;
    }
    start_run(d, at, next_due, more);
}

/// Starts the run at the current step: its first step due at `due`, the rest of a parallel
/// group due at `more`.
pub(crate) fn start_run(d: &mut Dossier, at: OffsetDateTime, due: Option<OffsetDateTime>, more: &[Due]) {
    let next = d.group_at(d.step);
    let dues = std::iter::once(due).chain(more.iter().map(|m| Some(m.0)));
    for (s, due) in d.steps.iter_mut().take(next.end).skip(next.start).zip(dues) {
        s.started_at = Some(at);
        s.due_at = due;
    }
}

/// Due instants of the run starting at step `start` if it starts at `from`: its first step's,
/// and those of the other steps of its parallel group.
pub(crate) fn run_dues(
    d: &Dossier,
    ctx: &Ctx,
    from: OffsetDateTime,
    start: usize,
) -> (Option<OffsetDateTime>, Vec<Due>) {
    let run = d.group_at(start);
    let first = d.steps.get(start).filter(|_| !run.is_empty()).map(|s| ctx.calendar.add(from, s.budget));
    let more =
        d.steps.iter().take(run.end).skip(run.start + 1).map(|s| Due(ctx.calendar.add(from, s.budget))).collect();
    (first, more)
}

/// Due instant of the step that starts after the current run, if any.
pub(crate) fn next_step_due(d: &Dossier, ctx: &Ctx, from: OffsetDateTime) -> Option<OffsetDateTime> {
    run_dues(d, ctx, from, d.current_group().end).0
}

/// Due instants of the other steps of the parallel group that starts after the current run.
pub(crate) fn more_step_dues(d: &Dossier, ctx: &Ctx, from: OffsetDateTime) -> Vec<Due> {
    run_dues(d, ctx, from, d.current_group().end).1
}
