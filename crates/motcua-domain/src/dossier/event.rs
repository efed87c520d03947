//! Events: the only source of truth for a dossier. The projection ([`Dossier`]) is the fold of
//! its events; every value that needed the calendar (due instants, paused time) was computed when
//! the action was decided and is carried in the event, so replaying never depends on today's
//! calendar or catalog.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::Dossier;
use super::actions::{
    approve, assign, complete_step, create, decline_withdrawal, extend, rate, receive, receive_agency_result,
    record_payment, record_refund, refuse, rehome, reject, request_fees, request_supplement, return_result,
    revoke_result, send_to_agency, supplement, transfer, withdraw,
};

/// One entry of a dossier's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Username of the officer, or `applicant`.
    pub actor: String,
    #[serde(flatten)]
    pub data: EventData,
}

/// What happened; the tag is the action name used in the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum EventData {
    Create(create::Created),
    Receive(receive::Received),
    Refuse(refuse::Refused),
    RequestSupplement(request_supplement::SupplementRequested),
    Supplement(supplement::Supplemented),
    Assign(assign::Assigned),
    CompleteStep(complete_step::StepCompleted),
    Transfer(transfer::Transferred),
    Approve(approve::Approved),
    Reject(reject::Rejected),
    Extend(extend::Extended),
    ReturnResult(return_result::Returned),
    Withdraw(withdraw::Withdrawn),
    /// The one-stop did not stop a dossier the applicant asked to withdraw.
    DeclineWithdrawal(decline_withdrawal::WithdrawalDeclined),
    Rate(rate::Rated),
    /// The issuing unit withdrew the electronic result (issue 16 item 4).
    RevokeResult(revoke_result::ResultRevoked),
    Rehome(rehome::Rehomed),
    /// The one-stop asked for the fees first (state 6).
    RequestFees(request_fees::FeesRequested),
    /// The payment platform confirmed the fees paid online.
    RecordPayment(record_payment::PaymentRecorded),
    /// The fees paid online were given back.
    RecordRefund(record_refund::RefundRecorded),
    /// A step went to another agency (liên thông, issue 7 part 4).
    SentToAgency(send_to_agency::SentToAgency),
    /// The agency's answer completed that step.
    AgencyResultReceived(receive_agency_result::AgencyResultReceived),
}

impl EventData {
    /// The action name, as in the API and the event log.
    pub fn action(&self) -> &'static str {
        match self {
            EventData::Create(_) => "create",
            EventData::Receive(_) => "receive",
            EventData::Refuse(_) => "refuse",
            EventData::RequestSupplement(_) => "request_supplement",
            EventData::Supplement(_) => "supplement",
            EventData::Assign(_) => "assign",
            EventData::CompleteStep(_) => "complete_step",
            EventData::Transfer(_) => "transfer",
            EventData::Approve(_) => "approve",
            EventData::Reject(_) => "reject",
            EventData::Extend(_) => "extend",
            EventData::ReturnResult(_) => "return_result",
            EventData::Withdraw(_) => "withdraw",
            EventData::DeclineWithdrawal(_) => "decline_withdrawal",
            EventData::Rate(_) => "rate",
            EventData::RevokeResult(_) => "revoke_result",
            EventData::Rehome(_) => "rehome",
            EventData::RequestFees(_) => "request_fees",
            EventData::RecordPayment(_) => "record_payment",
            EventData::RecordRefund(_) => "record_refund",
            EventData::SentToAgency(_) => "sent_to_agency",
            EventData::AgencyResultReceived(_) => "agency_result_received",
        }
    }
}

/// Error folding an event that cannot apply (a corrupt or out-of-order log).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event {action} cannot apply: {why}")]
pub struct ApplyError {
    pub action: &'static str,
    pub why: &'static str,
}

/// Folds one event into the projection. `None` before the `create` event.
pub fn apply(current: Option<Dossier>, event: &Event) -> Result<Dossier, ApplyError> {
    let action = event.data.action();
    let mut d = match (&event.data, current) {
        (EventData::Create(c), None) => return Ok(create::apply(c)),
        (EventData::Create(_), Some(_)) => {
            return Err(ApplyError { action, why: "dossier already exists" });
        }
        (_, None) => {
            return Err(ApplyError { action, why: "dossier does not exist yet" });
        }
        (_, Some(d)) => d,
    };
    let at = event.at;
    match &event.data {
        EventData::Create(_) => {}
        EventData::Receive(e) => receive::apply(&mut d, e, at),
        EventData::Refuse(e) => refuse::apply(&mut d, e, at),
        EventData::RequestSupplement(e) => request_supplement::apply(&mut d, e, at),
        EventData::Supplement(e) => supplement::apply(&mut d, e, at),
        EventData::Assign(e) => assign::apply(&mut d, e, at),
        EventData::CompleteStep(e) => complete_step::apply(&mut d, e, at),
        EventData::Transfer(e) => transfer::apply(&mut d, e, at),
        EventData::Approve(e) => approve::apply(&mut d, e, at),
        EventData::Reject(e) => reject::apply(&mut d, e, at),
        EventData::Extend(e) => extend::apply(&mut d, e, at),
        EventData::ReturnResult(e) => return_result::apply(&mut d, e, at),
        EventData::Withdraw(e) => withdraw::apply(&mut d, e, at),
        EventData::DeclineWithdrawal(e) => decline_withdrawal::apply(&mut d, e),
        EventData::Rate(e) => rate::apply(&mut d, e, at),
        EventData::RevokeResult(e) => revoke_result::apply(&mut d, e, &event.actor, at),
        EventData::Rehome(e) => rehome::apply(&mut d, e, at),
        EventData::RequestFees(e) => request_fees::apply(&mut d, e),
        EventData::RecordPayment(e) => record_payment::apply(&mut d, e),
        EventData::RecordRefund(e) => record_refund::apply(&mut d, e),
        EventData::SentToAgency(e) => send_to_agency::apply(&mut d, e, at),
        EventData::AgencyResultReceived(e) => receive_agency_result::apply(&mut d, e, at),
    }
    d.version += 1;
    Ok(d)
}

/// Rebuilds a projection from a whole history.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<Option<Dossier>, ApplyError> {
    let mut d = None;
    for e in events {
        d = Some(apply(d, e)?);
    }
    Ok(d)
}
