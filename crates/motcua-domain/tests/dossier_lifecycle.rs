//! The dossier lifecycle driven through `decide` + `apply` (DESIGN.md "Dossier lifecycle",
//! "Dossier = event log + projection"; domain.md §1 and Decisions 2–3): the happy path, refused
//! transitions, who may do what, transfer, per-step deadlines, the hash chain and input
//! validation.

mod common;

use common::*;
use motcua_domain::ErrorKind;
use motcua_domain::audit::{GENESIS, StoredLink, canonical, link_hash, parse_canonical, verify_chain};
use motcua_domain::catalog::{OnlineLevel, ProcedureCode};
use motcua_domain::dossier::actions::{ActionKind, allowed_actions, create};
use motcua_domain::dossier::event::Event;
use motcua_domain::dossier::timeliness::{Timeliness, classify};
use motcua_domain::dossier::{Actor, Applicant, Channel, DocumentRecord, Role, Status};
use motcua_domain::dossier::{DossierCode, UnitCode};
use time::macros::datetime;

/// No action at all.
const NONE: [ActionKind; 0] = [];

/// Far after every instant used here: "as of now" for finished dossiers.
const LATER: time::OffsetDateTime = datetime!(2030-01-01 00:00 +7);

#[test]
fn an_online_dossier_goes_from_submission_to_a_rated_returned_result() {
    // Monday 10 March 2025.
    let mut s = Story::online(datetime!(2025-03-10 08:00 +7));
    assert_eq!(s.d.status, Status::Submitted);
    assert_eq!((s.d.received_at, s.d.clock_started_at, s.d.due_at), (None, None, None));
    assert_eq!(s.d.version, 1);

    let d = s.act(&receiver(), datetime!(2025-03-10 10:00 +7), receive());
    assert_eq!(d.status, Status::Received);
    assert_eq!(d.received_at, Some(datetime!(2025-03-10 10:00 +7)));
    assert_eq!(d.clock_started_at, Some(datetime!(2025-03-10 10:00 +7)), "the clock starts at receipt");
    assert_eq!(d.due_at, Some(datetime!(2025-03-13 10:00 +7)), "3 working days through office hours");
    assert_eq!(d.appointment_at, d.due_at);

    let d = s.act(&leader(), datetime!(2025-03-10 14:00 +7), assign("chuyenvien"));
    assert_eq!(d.status, Status::InProgress);
    assert_eq!(d.assignee.as_deref(), Some("chuyenvien"));
    assert_eq!(s.d.current_step().map(|x| x.name.as_str()), Some("Phân công"), "assigning completes no step");
    s.act(&leader(), datetime!(2025-03-10 14:05 +7), complete());
    assert_eq!(s.d.current_step().map(|x| x.name.as_str()), Some("Thẩm định"));
    s.act(&specialist(), datetime!(2025-03-11 16:00 +7), complete());
    assert_eq!(s.d.current_step().map(|x| x.name.as_str()), Some("Phê duyệt"));

    let d = s.act(&leader(), datetime!(2025-03-12 09:00 +7), approve());
    assert_eq!(d.status, Status::ResultReady);
    assert_eq!(d.finished_at, Some(datetime!(2025-03-12 09:00 +7)));
    assert_eq!(d.current_step().map(|x| x.name.as_str()), Some("Trả kết quả"));
    assert_eq!(d.holder_unit(), Some(CENTER), "the result goes back to the one-stop");

    let err = s.refused(&receiver(), datetime!(2025-03-12 10:00 +7), return_result(false));
    assert_eq!((err.code.as_str(), err.kind), ("fee_unpaid", ErrorKind::Unprocessable));
    let d = s.act(&receiver(), datetime!(2025-03-12 10:00 +7), return_result(true));
    assert_eq!(d.status, Status::Returned);
    assert_eq!(d.returned_at, Some(datetime!(2025-03-12 10:00 +7)));
    assert!(d.fee_paid);
    assert_eq!(d.finished_at, Some(datetime!(2025-03-12 09:00 +7)), "the finish instant stays the approval");
    assert_eq!(d.step, d.steps.len());
    assert!(d.steps.iter().all(|x| x.completed_at.is_some()));

    let d = s.act(&Actor::Applicant, datetime!(2025-03-12 10:05 +7), rate(5));
    assert_eq!(d.rating, Some(5));
    let err = s.refused(&Actor::Applicant, datetime!(2025-03-12 10:06 +7), rate(4));
    assert_eq!(err.code, "already_rated");

    assert_eq!(s.d.version, 8);
    assert_eq!(s.d.version, s.events.len() as i64);
    assert_eq!(s.replayed(), s.d);
    let actions: Vec<&str> = s.events.iter().map(|e| e.data.action()).collect();
    assert_eq!(
        actions,
        ["create", "receive", "assign", "complete_step", "complete_step", "approve", "return_result", "rate"]
    );
    assert_eq!(s.events[1].actor, "tiepnhan");
    assert_eq!(classify(&s.d, LATER), Some(Timeliness::Early));
}

#[test]
fn a_dossier_received_monday_at_ten_with_one_working_day_is_due_tuesday_at_ten() {
    let mut s = Story::submit_with(&procedure_with(1.0, vec![]), Channel::Online, datetime!(2025-03-09 20:00 +7));
    let d = s.act(&receiver(), datetime!(2025-03-10 10:00 +7), receive());
    assert_eq!(d.clock_started_at, Some(datetime!(2025-03-10 10:00 +7)));
    assert_eq!(d.due_at, Some(datetime!(2025-03-11 10:00 +7)));
}

#[test]
fn a_dossier_received_after_office_hours_counts_from_the_next_working_day() {
    // Friday 14 March 2025, 18:30.
    let mut s = Story::submit_with(&procedure_with(1.0, vec![]), Channel::Counter, datetime!(2025-03-14 18:30 +7));
    let d = s.act(&receiver(), datetime!(2025-03-14 18:30 +7), receive());
    assert_eq!(d.received_at, Some(datetime!(2025-03-14 18:30 +7)), "the acceptance instant is kept as it was");
    assert_eq!(d.clock_started_at, Some(datetime!(2025-03-17 07:00 +7)), "Monday 07:00");
    assert_eq!(d.due_at, Some(datetime!(2025-03-17 17:00 +7)), "Monday 17:00, not Tuesday 07:00");
}

#[test]
fn the_clock_starts_at_receipt_not_at_online_submission() {
    let mut s = Story::submit_with(&procedure_with(1.0, vec![]), Channel::Online, datetime!(2025-03-10 08:00 +7));
    let d = s.act(&receiver(), datetime!(2025-03-12 09:30 +7), receive());
    assert_eq!(d.submitted_at, datetime!(2025-03-10 08:00 +7));
    assert_eq!(d.clock_started_at, Some(datetime!(2025-03-12 09:30 +7)));
    assert_eq!(d.due_at, Some(datetime!(2025-03-13 09:30 +7)));
}

#[test]
fn a_dossier_received_on_a_public_holiday_counts_from_the_first_working_day_after_it() {
    // 2 September 2025 (Quốc khánh, Tuesday): the break runs from Saturday 30/8 to Tuesday 2/9.
    let mut s = Story::submit_with(&procedure_with(1.0, vec![]), Channel::Online, datetime!(2025-09-01 09:00 +7));
    let d = s.act(&receiver(), datetime!(2025-09-02 09:00 +7), receive());
    assert_eq!(d.clock_started_at, Some(datetime!(2025-09-03 07:00 +7)));
    assert_eq!(d.due_at, Some(datetime!(2025-09-03 17:00 +7)));
}

#[test]
fn receiving_attaches_scans_to_named_documents_and_refuses_unknown_names_and_ticks() {
    use motcua_domain::dossier::actions::{Action, receive::Receive};
    use motcua_domain::dossier::digitization::Source;
    let s = Story::online(datetime!(2025-03-10 08:00 +7));
    let at = datetime!(2025-03-10 09:00 +7);
    let unknown =
        Action::Receive(Receive { scans: vec![("Sổ hộ khẩu".into(), "f1".into())], ..Default::default() });
    assert_eq!(s.refused(&receiver(), at, unknown).code, "unknown_document");
    // A tick without a scan is refused, whatever it names.
    let tick = Action::Receive(Receive { digitized: vec!["Tờ khai".into()], ..Default::default() });
    assert_eq!(s.refused(&receiver(), at, tick).code, "scan_required");
    let mut s = s;
    let scan = Action::Receive(Receive { scans: vec![("Tờ khai".into(), "f1".into())], ..Default::default() });
    let d = s.act(&receiver(), at, scan);
    let doc = &d.documents[0];
    assert!(doc.digitized() && !doc.reused());
    let p = doc.provenance.as_ref().expect("provenance");
    assert_eq!((doc.file.as_deref(), p.source, p.by.as_str(), p.at), (Some("f1"), Source::Counter, "tiepnhan", at));
}

#[test]
fn a_document_handed_in_electronically_is_not_scanned_again_at_reception() {
    use motcua_domain::dossier::actions::{Action, receive::Receive};
    use motcua_domain::dossier::digitization::{Provenance, Source};
    let mut s = Story::online(datetime!(2025-03-10 08:00 +7));
    let at = datetime!(2025-03-10 08:00 +7);
    s.d.documents[0] =
        DocumentRecord::backed("Tờ khai", "up", Provenance { source: Source::Online, by: "applicant".into(), at });
    let again = Action::Receive(Receive { scans: vec![("Tờ khai".into(), "f2".into())], ..Default::default() });
    assert_eq!(s.refused(&receiver(), datetime!(2025-03-10 09:00 +7), again).code, "already_digitized");
}

#[test]
fn an_electronic_result_is_its_file_and_a_tick_without_one_is_refused() {
    use motcua_domain::dossier::actions::{Action, approve::Approve};
    use motcua_domain::dossier::digitization::{Source, result_electronic};
    let mut s = Story::at_approval(datetime!(2025-03-10 09:00 +7));
    let at = datetime!(2025-03-11 09:00 +7);
    let tick = Action::Approve(Approve { result_digitized: true, ..Default::default() });
    assert_eq!(s.refused(&leader(), at, tick).code, "result_file_required");
    let d = s.act(&leader(), at, Action::Approve(Approve { result_file: Some("kq".into()), ..Default::default() }));
    let r = d.result.as_ref().expect("result");
    assert!(result_electronic(Some(r)));
    assert_eq!(r.provenance.as_ref().map(|p| (p.source, p.at)), Some((Source::Issued, at)));
}

/// Issue 16 item 4: the issuing unit's leader revokes an electronic result with a reason; the
/// dossier's state stays, the result keeps its file and records who, when and why; a result
/// without a file cannot be revoked, nor one revoked already.
#[test]
fn an_electronic_result_is_revoked_by_its_units_leader_with_a_reason_once() {
    use motcua_domain::dossier::actions::{Action, approve::Approve, revoke_result::RevokeResult};
    let at = datetime!(2025-03-11 09:00 +7);
    let revoke = |reason: &str| Action::RevokeResult(RevokeResult { reason: reason.into() });
    let mut paper = Story::at_approval(datetime!(2025-03-10 09:00 +7));
    paper.act(&leader(), at, Action::Approve(Approve::default()));
    assert_eq!(paper.refused(&leader(), at, revoke("x")).code, "no_electronic_result");
    let mut s = Story::at_approval(datetime!(2025-03-10 09:00 +7));
    let d = s.act(&leader(), at, Action::Approve(Approve { result_file: Some("kq".into()), ..Default::default() }));
    assert!(allowed_actions(d, &leader()).contains(&ActionKind::RevokeResult));
    assert!(!allowed_actions(d, &receiver()).contains(&ActionKind::RevokeResult));
    assert_eq!(s.refused(&leader(), at, revoke("  ")).code, "reason_required");
    let later = datetime!(2025-03-12 10:00 +7);
    let d = s.act(&leader(), later, revoke("Cấp nhầm"));
    assert_eq!(d.status, Status::ResultReady);
    let r = d.result.as_ref().expect("result");
    assert_eq!(r.file.as_deref(), Some("kq"));
    let rev = r.revoked.as_ref().expect("revoked");
    assert_eq!((rev.reason.as_str(), rev.at), ("Cấp nhầm", later));
    assert_eq!(s.refused(&leader(), later, revoke("again")).code, "already_revoked");
}

#[test]
fn actions_that_the_state_does_not_allow_are_invalid_transitions_and_change_nothing() {
    let at = datetime!(2025-03-10 09:00 +7);
    let s = Story::online(at);
    let e = s.refused(&leader(), at, approve());
    assert_eq!((e.code.as_str(), e.kind), ("invalid_transition", ErrorKind::Unprocessable));
    assert_eq!(s.refused(&receiver(), at, return_result(true)).code, "invalid_transition");
    assert_eq!(s.refused(&leader(), at, assign("chuyenvien")).code, "invalid_transition");
    assert_eq!(s.refused(&Actor::Applicant, at, supplement()).code, "invalid_transition");
    assert_eq!(s.refused(&leader(), at, reject()).code, "invalid_transition");
    assert_eq!(s.refused(&Actor::Applicant, at, rate(5)).code, "invalid_transition");
    assert_eq!(s.events.len(), 1);

    let mut s = Story::received(at);
    let before = (s.d.clone(), s.events.clone());
    assert_eq!(s.refused(&receiver(), at, receive()).code, "invalid_transition", "receive twice");
    assert_eq!(s.refused(&receiver(), at, refuse()).code, "invalid_transition", "refuse after receipt");
    assert_eq!(s.refused(&receiver(), at, return_result(true)).code, "invalid_transition", "return before approve");
    assert!(s.try_act(&receiver(), at, return_result(true)).is_err());
    assert_eq!((s.d.clone(), s.events.clone()), before);

    s.act(&leader(), datetime!(2025-03-11 09:00 +7), reject());
    for (actor, action) in [
        (leader(), approve()),
        (leader(), reject()),
        (receiver(), return_result(true)),
        (Actor::Applicant, withdraw()),
        (Actor::Applicant, rate(5)),
    ] {
        assert_eq!(s.refused(&actor, datetime!(2025-03-11 10:00 +7), action).code, "invalid_transition");
    }
}

#[test]
fn a_closed_dossier_allows_nothing_but_one_rating_after_its_return() {
    let at = datetime!(2025-03-10 09:00 +7);
    let mut refused = Story::online(at);
    refused.act(&receiver(), at, refuse());
    let mut withdrawn = Story::online(at);
    withdrawn.act(&Actor::Applicant, at, withdraw());
    let mut rejected = Story::received(at);
    rejected.act(&leader(), at, reject());
    for s in [&refused, &withdrawn, &rejected] {
        for actor in roster() {
            assert_eq!(allowed_actions(&s.d, &actor), NONE, "{:?} by {}", s.d.status, actor.name());
        }
    }
}

#[test]
fn the_wrong_role_or_the_wrong_unit_is_forbidden() {
    let at = datetime!(2025-03-10 09:00 +7);
    let s = Story::online(at);
    let forbidden = |s: &Story, actor: Actor, action| {
        let e = s.refused(&actor, at, action);
        assert_eq!((e.code.as_str(), e.kind), ("forbidden", ErrorKind::Forbidden), "{}", actor.name());
    };
    forbidden(&s, leader(), receive());
    forbidden(&s, other_receiver(), receive());
    forbidden(&s, center_admin(), receive());
    forbidden(&s, officer("tiepnhan.stp", &[Role::Receiver], &[AGENCY]), receive());

    let s = Story::received(at);
    forbidden(&s, specialist(), assign("chuyenvien"));
    forbidden(&s, other_leader(), transfer(OTHER_AGENCY));
    forbidden(&s, receiver(), request_supplement());
    forbidden(&s, other_specialist(), request_supplement());
    forbidden(&s, specialist(), complete());
    forbidden(&s, clerk(), complete());

    let mut s = Story::at_approval(at);
    forbidden(&s, specialist(), approve());
    forbidden(&s, other_leader(), approve());
    forbidden(&s, receiver(), approve());
    s.act(&leader(), at, approve());
    forbidden(&s, other_receiver(), return_result(true));
    forbidden(&s, leader(), return_result(true));
}

#[test]
fn the_applicant_may_only_supplement_withdraw_and_rate() {
    let applicant_kinds = [ActionKind::Supplement, ActionKind::Withdraw, ActionKind::Rate];
    for s in states() {
        let allowed = allowed_actions(&s.d, &Actor::Applicant);
        assert!(allowed.iter().all(|k| applicant_kinds.contains(k)), "{:?}: {allowed:?}", s.d.status);
        for kind in ActionKind::ALL.into_iter().filter(|k| !applicant_kinds.contains(k)) {
            let Err(e) = s.attempt(&Actor::Applicant, after(&s), &valid_payload(kind, &s.d)) else {
                panic!("the applicant did {kind:?}");
            };
            assert!(matches!(e.kind, ErrorKind::Forbidden | ErrorKind::Unprocessable), "{kind:?}: {e}");
        }
    }
    let mut s = Story::online(datetime!(2025-03-10 09:00 +7));
    let e = s.refused(&Actor::Applicant, datetime!(2025-03-10 09:00 +7), receive());
    assert_eq!(e.kind, ErrorKind::Forbidden);
    s.act(&receiver(), datetime!(2025-03-10 09:30 +7), request_supplement());
    s.act(&Actor::Applicant, datetime!(2025-03-10 10:00 +7), supplement());
    assert_eq!(s.events.last().map(|e| e.actor.as_str()), Some("applicant"));
}

/// One dossier in each reachable situation (indices used by the role table below).
fn states() -> Vec<Story> {
    let t = |h: u8| datetime!(2025-03-10 07:00 +7) + time::Duration::minutes(i64::from(h) * 10);
    let mut out = Vec::new();
    let s = Story::online(t(0));
    out.push(s);
    let mut s = Story::online(t(0));
    s.act(&receiver(), t(1), request_supplement());
    out.push(s);
    let s = Story::received(t(0));
    out.push(s);
    let mut s = Story::received(t(0));
    s.act(&leader(), t(1), assign("chuyenvien"));
    out.push(s);
    let mut s = Story::received(t(0));
    s.act(&leader(), t(1), complete());
    s.act(&specialist(), t(2), complete());
    out.push(s);
    let mut s = Story::received(t(0));
    s.act(&specialist(), t(1), request_supplement());
    out.push(s);
    let mut s = Story::received(t(0));
    s.act(&leader(), t(1), extend(datetime!(2025-03-20 17:00 +7)));
    out.push(s);
    let mut s = Story::received(t(0));
    s.act(&leader(), t(1), transfer(OTHER_AGENCY));
    out.push(s);
    let mut s = Story::at_approval(t(0));
    s.act(&leader(), t(1), approve());
    out.push(s);
    let mut s = Story::at_approval(t(0));
    s.act(&leader(), t(1), approve());
    s.act(&receiver(), t(2), return_result(true));
    out.push(s);
    let mut s = Story::at_approval(t(0));
    s.act(&leader(), t(1), approve());
    s.act(&receiver(), t(2), return_result(true));
    s.act(&Actor::Applicant, t(3), rate(4));
    out.push(s);
    let mut s = Story::online(t(0));
    s.act(&receiver(), t(1), refuse());
    out.push(s);
    let mut s = Story::received(t(0));
    s.act(&leader(), t(1), reject());
    out.push(s);
    let mut s = Story::received(t(0));
    s.act(&Actor::Applicant, t(1), withdraw());
    out.push(s);
    let mut s = Story::received(t(0));
    s.act(&Actor::Applicant, t(1), withdraw());
    s.act(&receiver(), t(2), withdraw());
    out.push(s);
    out
}

/// A minute after the story's last event.
fn after(s: &Story) -> time::OffsetDateTime {
    s.events.last().map_or(s.d.submitted_at, |e| e.at) + time::Duration::minutes(1)
}

#[test]
fn allowed_actions_lists_exactly_what_decide_accepts_for_every_role_in_every_state() {
    for s in states() {
        for actor in roster() {
            let allowed = allowed_actions(&s.d, &actor);
            for kind in ActionKind::ALL {
                let r = s.attempt(&actor, after(&s), &valid_payload(kind, &s.d));
                assert_eq!(
                    allowed.contains(&kind),
                    r.is_ok(),
                    "{kind:?} by {} on {:?} (step {}): {r:?}",
                    actor.name(),
                    s.d.status,
                    s.d.step
                );
            }
        }
    }
}

#[test]
fn each_role_sees_the_buttons_its_job_needs() {
    use ActionKind::*;
    let all = states();
    let by = |i: usize, actor: Actor| allowed_actions(&all[i].d, &actor);
    // Submitted online.
    assert_eq!(by(0, receiver()), [Receive, Refuse, RequestSupplement, Withdraw]);
    assert_eq!(by(0, Actor::Applicant), [Withdraw]);
    assert_eq!(by(0, leader()), NONE);
    // Supplementation requested at reception.
    assert_eq!(by(1, receiver()), [Supplement, Withdraw]);
    assert_eq!(by(1, Actor::Applicant), [Supplement, Withdraw]);
    assert_eq!(by(1, leader()), NONE);
    // Received, current step "Phân công" (leader): no approval before the process gets there.
    assert_eq!(by(2, leader()), [RequestSupplement, Assign, CompleteStep, Transfer, Reject, Extend]);
    assert_eq!(by(2, specialist()), [RequestSupplement]);
    assert_eq!(by(2, receiver()), [Withdraw, RequestFees]);
    // Assigned: the leader's step still runs until the leader completes it.
    assert_eq!(by(3, specialist()), [RequestSupplement]);
    assert_eq!(by(3, leader()), [RequestSupplement, Assign, CompleteStep, Transfer, Reject, Extend]);
    // In progress, current step "Phê duyệt": finished by approve, not by complete_step.
    assert_eq!(by(4, specialist()), [RequestSupplement]);
    assert_eq!(by(4, leader()), [RequestSupplement, Assign, Transfer, Approve, Reject, Extend]);
    // Supplementation requested during processing.
    assert_eq!(by(5, leader()), [Reject]);
    assert_eq!(by(5, specialist()), NONE);
    assert_eq!(by(5, Actor::Applicant), [Supplement, Withdraw]);
    // Extended once.
    assert!(!by(6, leader()).contains(&Extend));
    // Transferred: the new agency's leader holds it.
    assert_eq!(by(7, leader()), NONE);
    assert!(by(7, other_leader()).contains(&CompleteStep));
    // Result ready, returned, rated.
    assert_eq!(by(8, receiver()), [ReturnResult]);
    assert_eq!(by(8, leader()), [RevokeResult], "the issuing unit's leader may revoke its electronic result");
    assert_eq!(by(9, Actor::Applicant), [Rate]);
    assert_eq!(by(9, receiver()), [Rate]);
    assert_eq!(by(10, Actor::Applicant), NONE);
    // The applicant asked to withdraw a received dossier: the one-stop answers, nobody works on.
    assert_eq!(by(13, receiver()), [Withdraw, DeclineWithdrawal]);
    assert_eq!(by(13, Actor::Applicant), NONE);
    assert_eq!(by(13, leader()), NONE);
    assert_eq!(by(13, specialist()), NONE);
    assert_eq!(by(14, receiver()), NONE);
}

/// NĐ 118/2025 Art. 21, TT 03/2025 Art. 7: an applicant's withdrawal of a received dossier is a
/// request (national state 7) the one-stop confirms with the stop notice or declines when a result
/// exists; a dossier not yet received is withdrawn at once.
#[test]
fn a_withdrawal_asked_online_waits_for_the_one_stop_which_confirms_or_declines_it() {
    let mut s = Story::online(datetime!(2025-03-10 08:00 +7));
    let d = s.act(&Actor::Applicant, datetime!(2025-03-10 08:30 +7), withdraw());
    assert_eq!((d.status, d.finished_at), (Status::Withdrawn, None), "not received: withdrawn at once");

    let mut s = Story::received(datetime!(2025-03-10 08:00 +7));
    let due = s.act(&leader(), datetime!(2025-03-10 09:00 +7), assign("chuyenvien")).due_at;
    let d = s.act(&Actor::Applicant, datetime!(2025-03-10 10:00 +7), withdraw());
    assert_eq!((d.status, d.status.national_code()), (Status::WithdrawalRequested, 7));
    assert_eq!(d.pending_withdrawal.as_ref().map(|p| p.from), Some(Status::InProgress));
    assert_eq!(d.holder_unit(), Some(CENTER), "the one-stop answers the request");
    assert_eq!(d.finished_at, None, "nothing is stopped yet");
    let e = s.refused(&specialist(), datetime!(2025-03-10 10:30 +7), complete());
    assert_eq!(e.code.as_str(), "invalid_transition", "processing waits for the answer");
    // Declined: back where it was, the clock never stopped.
    let d = s.act(&receiver(), datetime!(2025-03-10 11:00 +7), decline_withdrawal());
    assert_eq!((d.status, d.pending_withdrawal.clone()), (Status::InProgress, None));
    assert_eq!(d.due_at, due, "the due instant is unchanged");
    // Asked again and confirmed: stopped, finished at the confirmation.
    s.act(&Actor::Applicant, datetime!(2025-03-10 14:00 +7), withdraw());
    let d = s.act(&receiver(), datetime!(2025-03-10 15:00 +7), withdraw());
    assert_eq!((d.status, d.status.national_code()), (Status::Withdrawn, 8));
    assert_eq!(d.finished_at, Some(datetime!(2025-03-10 15:00 +7)));
    let e = s.refused(&receiver(), datetime!(2025-03-10 15:30 +7), decline_withdrawal());
    assert_eq!(e.code.as_str(), "invalid_transition");
}

/// State 6: the one-stop asks for the fees first; the platform's confirmation (the system's
/// `record_payment`) brings the dossier back where it was and feeds the sync record's
/// `DuocThanhToanTrucTuyen`; a refund after the dossier ends is recorded once.
#[test]
fn fees_asked_first_wait_for_the_platforms_confirmation_and_a_refund_follows_a_rejection() {
    let mut s = Story::received(datetime!(2025-03-10 08:00 +7));
    let owed = s.d.fee_total();
    assert!(owed > 0, "the fixture procedure has fees");
    let due = s.d.due_at;
    let e = s.refused(&Actor::Applicant, datetime!(2025-03-10 08:10 +7), record_payment(&s.d.clone()));
    assert_eq!(e.code.as_str(), "forbidden", "nobody but the platform's confirmation pays");
    let d = s.act(&receiver(), datetime!(2025-03-10 08:15 +7), request_fees());
    assert_eq!((d.status, d.status.national_code()), (Status::AwaitingFees, 6));
    assert_eq!((d.pending_fees, d.holder_unit()), (Some(Status::Received), Some(CENTER)));
    let e = s.refused(&leader(), datetime!(2025-03-10 08:20 +7), assign("chuyenvien"));
    assert_eq!(e.code.as_str(), "invalid_transition", "processing waits for the fees");
    let d = s.act(&Actor::System, datetime!(2025-03-10 08:30 +7), record_payment(&s.d.clone()));
    assert_eq!((d.status, d.pending_fees, d.fee_paid, d.paid_online), (Status::Received, None, true, true));
    assert_eq!(d.due_at, due, "the clock was not stopped");
    let e = s.refused(&Actor::System, datetime!(2025-03-10 08:31 +7), record_payment(&s.d.clone()));
    assert_eq!(e.code.as_str(), "already_paid", "paid once");
    let e = s.refused(&receiver(), datetime!(2025-03-10 08:32 +7), request_fees());
    assert_eq!(e.code.as_str(), "already_paid");
    s.act(&leader(), datetime!(2025-03-10 09:00 +7), reject());
    let d = s.act(&Actor::System, datetime!(2025-03-10 09:10 +7), record_refund(&s.d.clone()));
    assert_eq!(d.payment.as_ref().and_then(|p| p.refunded.as_deref()), Some("HT1"));
    let e = s.refused(&Actor::System, datetime!(2025-03-10 09:11 +7), record_refund(&s.d.clone()));
    assert_eq!(e.code.as_str(), "payment_already_settled", "refunded once");
}

#[test]
fn the_approval_step_is_finished_by_approve_and_never_hands_the_dossier_to_the_return_step_early() {
    let mut s = Story::received(datetime!(2025-03-10 09:00 +7));
    s.act(&leader(), datetime!(2025-03-10 09:10 +7), complete());
    s.act(&specialist(), datetime!(2025-03-10 09:20 +7), complete());
    assert_eq!(s.d.current_step().map(|x| x.name.as_str()), Some("Phê duyệt"));
    let e = s.refused(&leader(), datetime!(2025-03-10 09:30 +7), complete());
    assert_eq!(e.code, "no_step_to_complete");
    let d = s.act(&leader(), datetime!(2025-03-10 09:30 +7), approve());
    assert_eq!(d.current_step().map(|x| x.name.as_str()), Some("Trả kết quả"));
}

#[test]
fn a_process_without_a_return_step_ends_its_last_step_at_approval() {
    let steps = five_steps().into_iter().take(4).collect();
    let mut s = Story::submit_with(&procedure_with(3.0, steps), Channel::Online, datetime!(2025-03-10 08:00 +7));
    s.act(&receiver(), datetime!(2025-03-10 08:00 +7), receive());
    s.act(&leader(), datetime!(2025-03-10 09:00 +7), complete());
    s.act(&specialist(), datetime!(2025-03-10 10:00 +7), complete());
    assert_eq!(s.refused(&leader(), datetime!(2025-03-10 10:30 +7), complete()).code, "no_step_to_complete");
    let d = s.act(&leader(), datetime!(2025-03-10 10:30 +7), approve());
    assert_eq!(d.step, d.steps.len());
    assert!(d.steps.iter().all(|x| x.completed_at.is_some()));
}

#[test]
fn a_leader_cannot_approve_before_the_approval_step_nor_complete_a_step_of_another_role() {
    let at = datetime!(2025-03-11 09:00 +7);
    let mut s = Story::received(datetime!(2025-03-10 09:00 +7));
    assert_eq!(s.refused(&leader(), at, approve()).code, "not_approval_step");
    s.act(&leader(), at, assign("chuyenvien"));
    assert_eq!(s.d.step, 1, "assigning is not completing the leader's step");
    s.act(&leader(), at, complete());
    // The specialist's step: the leader may not complete it in the specialist's name.
    let e = s.refused(&leader(), at, complete());
    assert_eq!(e.kind, ErrorKind::Forbidden);
    assert_eq!(s.refused(&leader(), at, approve()).code, "not_approval_step");
    let officer_of_both = officer("ca.hai", &[Role::Leader, Role::Specialist], &[AGENCY]);
    s.act(&officer_of_both, at, complete());
    assert_eq!(s.events.last().map(|e| e.actor.as_str()), Some("ca.hai"));
}

#[test]
fn a_step_the_process_declares_optional_is_skipped_by_the_approval_not_completed() {
    let mut steps = five_steps();
    steps[2].optional = true;
    let mut s = Story::submit_with(&procedure_with(3.0, steps), Channel::Online, datetime!(2025-03-10 08:00 +7));
    s.act(&receiver(), datetime!(2025-03-10 08:00 +7), receive());
    assert_eq!(s.refused(&leader(), datetime!(2025-03-10 09:00 +7), approve()).code, "not_approval_step");
    s.act(&leader(), datetime!(2025-03-10 09:00 +7), complete());
    let d = s.act(&leader(), datetime!(2025-03-11 09:00 +7), approve());
    assert_eq!(d.steps[2].completed_at, None, "nobody did the appraisal");
    assert_eq!(d.steps[2].skipped_at, Some(datetime!(2025-03-11 09:00 +7)));
    assert_eq!(d.steps[3].completed_at, Some(datetime!(2025-03-11 09:00 +7)));
    assert_eq!(d.step, 4);
    assert_eq!(d.steps[4].started_at, Some(datetime!(2025-03-11 09:00 +7)));
    assert_eq!(s.replayed(), s.d);
}

#[test]
fn the_clerks_step_after_the_approval_runs_before_the_result_is_returned() {
    let mut steps = five_steps();
    let clerk_step =
        motcua_domain::process::ProcessStep {
            name: "Vào sổ, đóng dấu".into(), role: Role::Clerk, ..steps[3].clone()
        };
    steps.insert(4, clerk_step);
    let mut s = Story::submit_with(&procedure_with(3.0, steps), Channel::Online, datetime!(2025-03-10 08:00 +7));
    s.act(&receiver(), datetime!(2025-03-10 08:00 +7), receive());
    s.act(&leader(), datetime!(2025-03-10 09:00 +7), complete());
    s.act(&specialist(), datetime!(2025-03-10 10:00 +7), complete());
    let d = s.act(&leader(), datetime!(2025-03-10 11:00 +7), approve()).clone();
    assert_eq!((d.status, d.step), (Status::ResultReady, 4));
    assert_eq!(d.finished_at, Some(datetime!(2025-03-10 11:00 +7)));
    assert_eq!(d.steps[4].completed_at, None, "the approval completes its own step only");
    assert_eq!(d.holder_unit(), Some(AGENCY), "the clerk holds it");
    assert_eq!(s.refused(&receiver(), datetime!(2025-03-10 11:10 +7), return_result(true)).code, "steps_still_open");
    assert_eq!(s.refused(&leader(), datetime!(2025-03-10 11:10 +7), complete()).kind, ErrorKind::Forbidden);
    let d = s.act(&clerk(), datetime!(2025-03-10 11:20 +7), complete());
    assert_eq!((d.status, d.step), (Status::ResultReady, 5));
    assert_eq!(d.holder_unit(), Some(CENTER));
    s.act(&receiver(), datetime!(2025-03-10 14:00 +7), return_result(true));
    assert_eq!(s.replayed(), s.d);
}

#[test]
fn a_sunday_reception_completes_the_reception_step_when_it_happens_not_on_monday() {
    let sunday = datetime!(2025-03-09 10:00 +7);
    let mut s = Story::online(datetime!(2025-03-08 10:00 +7));
    let d = s.act(&receiver(), sunday, receive());
    assert_eq!(d.clock_started_at, Some(datetime!(2025-03-10 07:00 +7)), "the clock starts on Monday");
    assert_eq!(d.steps[0].completed_at, Some(sunday), "not at Monday 07:00, a time still to come");
    assert_eq!(d.steps[1].started_at, Some(sunday));
    let due = d.steps[1].due_at;
    assert_eq!(due, Some(calendar().add(datetime!(2025-03-10 07:00 +7), d.steps[1].budget)));
}

#[test]
fn every_step_started_by_a_hand_over_is_due_its_budget_of_working_time_later() {
    let cal = calendar();
    let mut s = Story::online(datetime!(2025-03-07 16:00 +7));
    // Received Friday 16:30: the assign step starts with the clock.
    s.act(&receiver(), datetime!(2025-03-07 16:30 +7), receive());
    s.act(&leader(), datetime!(2025-03-10 08:00 +7), complete());
    s.act(&specialist(), datetime!(2025-03-11 15:40 +7), complete());
    s.act(&leader(), datetime!(2025-03-12 07:30 +7), approve());
    let d = &s.d;
    let started: Vec<_> = d.steps.iter().map(|x| x.started_at).collect();
    assert_eq!(
        started,
        [
            Some(datetime!(2025-03-07 16:30 +7)),
            Some(datetime!(2025-03-07 16:30 +7)),
            Some(datetime!(2025-03-10 08:00 +7)),
            Some(datetime!(2025-03-11 15:40 +7)),
            Some(datetime!(2025-03-12 07:30 +7)),
        ]
    );
    // The reception step ends at the instant it is recorded; every later step has a deadline.
    assert_eq!(d.steps[0].completed_at, d.steps[0].started_at);
    for x in &d.steps[1..] {
        let start = x.started_at.unwrap_or_else(|| panic!("{} not started", x.name));
        assert_eq!(x.due_at, Some(cal.add(start, x.budget)), "{}", x.name);
    }
    // Friday 16:30 + 4 h: 30 min on Friday, then Monday 07:00–10:30.
    assert_eq!(d.steps[1].due_at, Some(datetime!(2025-03-10 10:30 +7)));
    // Tuesday 15:40 + 2 h: 1 h 20 on Tuesday, then Wednesday 07:00–07:40.
    assert_eq!(d.steps[3].due_at, Some(datetime!(2025-03-12 07:40 +7)));
    assert_eq!(d.steps[4].due_at, Some(datetime!(2025-03-12 09:30 +7)));
}

#[test]
fn a_transfer_keeps_the_code_the_due_instant_and_the_history_and_moves_the_remaining_agency_steps() {
    let mut s = Story::received(datetime!(2025-03-10 10:00 +7));
    s.act(&leader(), datetime!(2025-03-10 11:00 +7), assign("chuyenvien"));
    s.act(&leader(), datetime!(2025-03-10 11:00 +7), complete());
    let before = s.d.clone();
    let history = s.events.clone();
    let d = s.act(&leader(), datetime!(2025-03-11 09:00 +7), transfer(OTHER_AGENCY)).clone();

    assert_eq!(d.code, before.code);
    assert_eq!(
        (d.due_at, d.appointment_at, d.clock_started_at),
        (before.due_at, before.appointment_at, before.clock_started_at)
    );
    assert_eq!(s.events[..history.len()], history[..], "history is kept");
    assert_eq!(s.events.len(), history.len() + 1);
    assert_eq!(d.receiving_unit, CENTER);
    assert_eq!(d.resolving_unit, OTHER_AGENCY);
    assert_eq!(d.assignee, None);
    assert_eq!(d.status, Status::InProgress);
    let units: Vec<&str> = d.steps.iter().map(|x| x.unit.as_str()).collect();
    assert_eq!(units, [CENTER, AGENCY, OTHER_AGENCY, OTHER_AGENCY, CENTER]);
    assert_eq!(d.steps[2].due_at, before.steps[2].due_at, "the running step keeps its deadline");

    assert_eq!(s.refused(&leader(), datetime!(2025-03-11 10:00 +7), complete()).kind, ErrorKind::Forbidden);
    s.act(&other_specialist(), datetime!(2025-03-11 10:00 +7), complete());
    s.act(&other_leader(), datetime!(2025-03-11 11:00 +7), approve());
    s.act(&receiver(), datetime!(2025-03-11 14:00 +7), return_result(true));
    assert_eq!(s.d.status, Status::Returned);
    assert_eq!(s.replayed(), s.d);
}

#[test]
fn a_transfer_needs_another_unit_and_a_reason() {
    let s = Story::received(datetime!(2025-03-10 10:00 +7));
    let at = datetime!(2025-03-10 11:00 +7);
    assert_eq!(s.refused(&leader(), at, transfer(AGENCY)).code, "invalid_transfer_unit");
    assert_eq!(s.refused(&leader(), at, transfer("  ")).code, "invalid_transfer_unit");
    let no_reason =
        motcua_domain::dossier::actions::Action::Transfer(motcua_domain::dossier::actions::transfer::Transfer {
            to_unit: OTHER_AGENCY.into(),
            reason: " ".into(),
        });
    assert_eq!(s.refused(&leader(), at, no_reason).code, "reason_required");
}

#[test]
fn a_commune_dossier_transferred_to_an_agency_is_still_returned_by_the_commune_one_stop() {
    // Commune-level procedure: the commune center receives and resolves it.
    let steps = vec![
        motcua_domain::process::ProcessStep {
            name: "Tiếp nhận".into(),
            role: Role::Receiver,
            unit: motcua_domain::process::StepUnit::Center,
            days: Some(0.5),
            hours: None,
            parallel: None,
            unit_code: None,
            optional: false,
        },
        motcua_domain::process::ProcessStep {
            name: "Giải quyết".into(),
            role: Role::Leader,
            unit: motcua_domain::process::StepUnit::Commune,
            days: Some(2.0),
            hours: None,
            parallel: None,
            unit_code: None,
            optional: false,
        },
        motcua_domain::process::ProcessStep {
            name: "Trả kết quả".into(),
            role: Role::Receiver,
            unit: motcua_domain::process::StepUnit::Center,
            days: Some(0.5),
            hours: None,
            parallel: None,
            unit_code: None,
            optional: false,
        },
    ];
    let commune_receiver = officer("tiepnhan.xa", &[Role::Receiver], &[OTHER_CENTER]);
    let commune_leader = officer("chutich.xa", &[Role::Leader], &[OTHER_CENTER]);
    let mut s = Story::submit_to(
        &procedure_with(3.0, steps),
        Channel::Counter,
        datetime!(2025-03-10 09:00 +7),
        OTHER_CENTER,
        OTHER_CENTER,
    );
    s.act(&commune_receiver, datetime!(2025-03-10 09:00 +7), receive());
    let d = s.act(&commune_leader, datetime!(2025-03-10 10:00 +7), transfer(OTHER_AGENCY));
    let units: Vec<&str> = d.steps.iter().map(|x| x.unit.as_str()).collect();
    assert_eq!(units, [OTHER_CENTER, OTHER_AGENCY, OTHER_CENTER], "the return step stays at the one-stop");
    s.act(&other_leader(), datetime!(2025-03-11 10:00 +7), approve());
    assert_eq!(s.d.current_step().map(|x| x.unit.as_str()), Some(OTHER_CENTER));
    s.act(&commune_receiver, datetime!(2025-03-11 14:00 +7), return_result(true));
}

/// Owned rows of a dossier's chain, as a store would keep them.
struct Row {
    seq: i64,
    canonical: String,
    prev_hash: String,
    hash: String,
}

fn chain(code: &str, events: &[Event]) -> Vec<Row> {
    let mut prev = GENESIS.to_owned();
    let mut rows = Vec::new();
    for (seq, e) in (1..).zip(events) {
        let canonical = canonical(code, seq, e).unwrap_or_else(|e| panic!("{e}"));
        let hash = link_hash(&prev, &canonical);
        rows.push(Row { seq, canonical, prev_hash: prev.clone(), hash: hash.clone() });
        prev = hash;
    }
    rows
}

fn verify(rows: &[Row]) -> Result<(), i64> {
    verify_chain(rows.iter().map(|r| StoredLink {
        seq: r.seq,
        canonical: &r.canonical,
        prev_hash: &r.prev_hash,
        hash: &r.hash,
    }))
}

fn returned_story() -> Story {
    let mut s = Story::received(datetime!(2025-03-10 10:00 +7));
    s.act(&leader(), datetime!(2025-03-10 11:00 +7), assign("chuyenvien"));
    s.act(&leader(), datetime!(2025-03-10 11:00 +7), complete());
    s.act(&specialist(), datetime!(2025-03-11 11:00 +7), complete());
    s.act(&leader(), datetime!(2025-03-11 14:00 +7), approve());
    s.act(&receiver(), datetime!(2025-03-11 15:00 +7), return_result(true));
    s
}

#[test]
fn the_hash_chain_of_an_untouched_history_verifies() {
    let s = returned_story();
    let rows = chain(&s.d.code, &s.events);
    assert_eq!(rows.len(), 7);
    assert_eq!(verify(&rows), Ok(()));
    assert_eq!(rows[0].prev_hash, GENESIS);
    assert!(rows.iter().all(|r| r.hash.len() == 64 && r.hash.bytes().all(|b| b.is_ascii_hexdigit())));
    assert_eq!(verify(&[]), Ok(()));
}

#[test]
fn the_canonical_text_is_compact_sorted_json_that_reads_back_as_the_same_event() {
    let s = returned_story();
    for (seq, e) in (1..).zip(&s.events) {
        let text = canonical(&s.d.code, seq, e).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text, canonical(&s.d.code, seq, e).unwrap_or_default(), "deterministic");
        assert!(text.starts_with("{\"dossier\":") && text.contains(",\"event\":{\"action\":"), "keys sorted: {text}");
        assert!(!text.contains(": ") && !text.contains('\n'), "compact");
        let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(value["seq"], seq);
        assert_eq!(value["dossier"], s.d.code.as_str());
        let back = parse_canonical(&text).unwrap_or_else(|err| panic!("{err}: {text}"));
        assert_eq!(&back, e);
    }
    // The create event carries the whole initial dossier, and the chain covers it.
    let first = canonical(&s.d.code, 1, &s.events[0]).unwrap_or_default();
    assert!(first.contains("Nguyễn Văn An") && first.contains("\"legal_time\":86400"), "{first}");
}

#[test]
fn tampering_with_one_event_makes_verification_point_at_its_sequence_number() {
    let s = returned_story();
    for victim in 0..s.events.len() {
        let mut rows = chain(&s.d.code, &s.events);
        rows[victim].canonical = rows[victim].canonical.replacen("\"at\":\"2025-03-1", "\"at\":\"2024-03-1", 1);
        assert_ne!(rows[victim].canonical, chain(&s.d.code, &s.events)[victim].canonical, "victim {victim}");
        assert_eq!(verify(&rows), Err(victim as i64 + 1), "victim {victim}");
    }
}

#[test]
fn rehashing_a_tampered_event_only_moves_the_break_to_the_next_link() {
    let s = returned_story();
    let mut rows = chain(&s.d.code, &s.events);
    rows[2].canonical = rows[2].canonical.replace("chuyenvien", "nguoikhac");
    rows[2].hash = link_hash(&rows[2].prev_hash, &rows[2].canonical);
    assert_eq!(verify(&rows), Err(4));
}

#[test]
fn reordering_events_makes_verification_point_at_the_first_moved_sequence_number() {
    let s = returned_story();
    // The rows keep their sequence numbers but events 3 and 4 swap contents.
    let mut rows = chain(&s.d.code, &s.events);
    let (a, b) = (std::mem::take(&mut rows[2].canonical), std::mem::take(&mut rows[3].canonical));
    (rows[2].canonical, rows[3].canonical) = (b, a);
    let (a, b) = (rows[2].hash.clone(), rows[3].hash.clone());
    (rows[2].hash, rows[3].hash) = (b, a);
    let (a, b) = (rows[2].prev_hash.clone(), rows[3].prev_hash.clone());
    (rows[2].prev_hash, rows[3].prev_hash) = (b, a);
    assert_eq!(verify(&rows), Err(3));

    // The same history hashed in another order does not verify against the stored chain either.
    let mut swapped = s.events.clone();
    swapped.swap(2, 3);
    let forged = chain(&s.d.code, &swapped);
    let stored = chain(&s.d.code, &s.events);
    assert_ne!(forged[2].hash, stored[2].hash);
    assert_eq!(
        forged[..2].iter().map(|r| &r.hash).collect::<Vec<_>>(),
        stored[..2].iter().map(|r| &r.hash).collect::<Vec<_>>()
    );

    // A row missing from the middle or listed out of order is caught at once.
    let rows = chain(&s.d.code, &s.events);
    let mut gap: Vec<Row> = chain(&s.d.code, &s.events);
    gap.remove(4);
    assert_eq!(verify(&gap), Err(6));
    let mut out_of_order = rows;
    out_of_order.swap(1, 2);
    assert_eq!(verify(&out_of_order), Err(3));
}

#[test]
fn the_same_event_hashes_differently_in_another_dossier_or_position() {
    let s = returned_story();
    let e = &s.events[1];
    let a = canonical("C1-250310-0001", 2, e).unwrap_or_default();
    let b = canonical("C1-250310-0002", 2, e).unwrap_or_default();
    let c = canonical("C1-250310-0001", 3, e).unwrap_or_default();
    assert_ne!(link_hash(GENESIS, &a), link_hash(GENESIS, &b));
    assert_ne!(link_hash(GENESIS, &a), link_hash(GENESIS, &c));
}

fn with(f: impl FnOnce(&mut Applicant)) -> Applicant {
    let mut a = applicant();
    f(&mut a);
    a
}

fn applicant_error(a: Applicant) -> Option<&'static str> {
    create::validate_applicant(&a).err().map(|e| e.code.as_str())
}

#[test]
fn citizen_id_numbers_have_nine_or_twelve_digits() {
    for ok in ["091234567890", "123456789", "", "  001234567890 "] {
        assert_eq!(applicant_error(with(|a| a.id_number = ok.into())), None, "{ok:?}");
    }
    for bad in
        ["12345678", "1234567890", "12345678901", "0912345678901", "09123456789a", "１２３４５６７８９", "123 456 789"]
    {
        assert_eq!(applicant_error(with(|a| a.id_number = bad.into())), Some("invalid_id_number"), "{bad:?}");
    }
}

#[test]
fn phone_numbers_must_be_vietnamese_numbers() {
    for ok in ["0912345678", "+84912345678", "02963123456", ""] {
        assert_eq!(applicant_error(with(|a| a.phone = ok.into())), None, "{ok:?}");
    }
    for bad in ["912345678", "091234567", "091234567890", "0912-345-678", "+1 555 0100", "+84", "09123abc78"] {
        assert_eq!(applicant_error(with(|a| a.phone = bad.into())), Some("invalid_phone"), "{bad:?}");
    }
}

#[test]
fn email_addresses_need_a_local_part_and_a_dotted_domain() {
    for ok in ["an@example.vn", "a.b+c@mail.gov.vn", ""] {
        assert_eq!(applicant_error(with(|a| a.email = ok.into())), None, "{ok:?}");
    }
    let long = format!("{}@example.vn", "a".repeat(250));
    for bad in ["an.example.vn", "@example.vn", "an@localhost", long.as_str()] {
        assert_eq!(applicant_error(with(|a| a.email = bad.into())), Some("invalid_email"), "{bad:?}");
    }
}

#[test]
fn an_applicant_needs_a_name_and_a_bounded_address() {
    assert_eq!(applicant_error(with(|a| a.name = "  ".into())), Some("invalid_applicant_name"));
    assert_eq!(applicant_error(with(|a| a.name = "A".repeat(201))), Some("invalid_applicant_name"));
    assert_eq!(applicant_error(with(|a| a.address = "đ".repeat(501))), Some("invalid_address"));
    assert_eq!(applicant_error(with(|a| a.address = "đ".repeat(500))), None);
}

#[test]
fn creating_a_dossier_checks_the_applicant_the_documents_and_the_online_channel() {
    let p = procedure();
    let new = |channel, applicant, documents| create::NewDossier {
        code: DossierCode::parse("C1-250310-0001").unwrap(),
        procedure: &p,
        channel,
        applicant,
        documents,
        receiving_unit: UnitCode::parse(CENTER).unwrap(),
        resolving_unit: UnitCode::parse(AGENCY).unwrap(),
        at: datetime!(2025-03-10 08:00 +7),
    };
    let code = |r: Result<create::Created, motcua_domain::DomainError>| r.err().map(|e| e.code.as_str());
    assert_eq!(
        code(create::decide(new(Channel::Online, with(|a| a.id_number = "12".into()), documents()))),
        Some("invalid_id_number")
    );
    let unnamed = vec![motcua_domain::dossier::DocumentRecord::named(" ")];
    assert_eq!(code(create::decide(new(Channel::Online, applicant(), unnamed))), Some("invalid_documents"));

    let mut paper_only = procedure();
    paper_only.online_level = OnlineLevel::None;
    let n = create::NewDossier { procedure: &paper_only, ..new(Channel::Online, applicant(), documents()) };
    assert_eq!(
        create::decide(n).err().map(|e| (e.code.as_str(), e.kind)),
        Some(("procedure_not_online", ErrorKind::Unprocessable))
    );
    let n = create::NewDossier { procedure: &paper_only, ..new(Channel::Counter, applicant(), documents()) };
    assert!(create::decide(n).is_ok());
}

#[test]
fn a_counter_dossier_missing_a_required_document_is_not_received_and_says_what_is_missing() {
    use motcua_domain::catalog::RequiredDocument;
    let doc = |name: &str| RequiredDocument { name: name.into(), original: true, copies: 1, form: None };
    let mut p = procedure();
    p.documents = vec![doc("Tờ khai"), doc("Bản sao CCCD"), doc("Giấy ủy quyền (nếu có)")];
    let new = |channel, names: &[&str]| create::NewDossier {
        code: DossierCode::parse("C1-250310-0001").unwrap(),
        procedure: &p,
        channel,
        applicant: applicant(),
        documents: names.iter().map(|n| DocumentRecord::named(*n)).collect(),
        receiving_unit: UnitCode::parse(CENTER).unwrap(),
        resolving_unit: UnitCode::parse(AGENCY).unwrap(),
        at: datetime!(2025-03-10 08:00 +7),
    };
    let err = create::decide(new(Channel::Counter, &["Tờ khai"])).unwrap_err();
    assert_eq!((err.code.as_str(), err.kind), ("documents_missing", ErrorKind::Unprocessable));
    assert!(err.message.contains("Bản sao CCCD") && !err.message.contains("Tờ khai"), "{}", err.message);
    assert!(err.message_vi.contains("còn thiếu: Bản sao CCCD"), "{}", err.message_vi);
    assert_eq!(create::decide(new(Channel::Postal, &[])).unwrap_err().code, "documents_missing");
    assert!(create::decide(new(Channel::Counter, &["Tờ khai", "Bản sao CCCD"])).is_ok(), "conditional ones may lack");
    assert!(create::decide(new(Channel::Online, &["Tờ khai"])).is_ok(), "online: the receiver checks at reception");
    assert!(doc("Giấy tờ về quyền sở hữu (trường hợp có tài sản)").is_conditional());
}

#[test]
fn a_dossier_keeps_the_procedure_version_it_was_submitted_under() {
    let mut s = Story::online(datetime!(2025-03-10 08:00 +7));
    assert_eq!((s.d.procedure_code.as_str(), s.d.procedure_version), ("1.001193", 3));
    assert_eq!(s.d.legal_time, days(3.0));
    assert_eq!(s.d.fee_total(), FEE);
    assert_eq!(s.d.steps.len(), 5);
    assert_eq!(s.d.steps[2].unit, AGENCY);
    assert_eq!(s.d.steps[0].unit, CENTER);
    // A later catalog change does not reach the dossier: receipt uses the frozen legal time.
    let d = s.act(&receiver(), datetime!(2025-03-10 10:00 +7), receive());
    assert_eq!(d.due_at, Some(datetime!(2025-03-13 10:00 +7)));
}

#[test]
fn procedure_codes_follow_the_national_shape() {
    for ok in ["1.001193", "1.000948.H38", "2.002345.000.00.00.H12", "3.000123.ABCDEFGH"] {
        assert_eq!(ProcedureCode::parse(ok).map(|c| c.as_str().to_owned()).ok().as_deref(), Some(ok));
    }
    for bad in [
        "",
        "1001193",
        "1.00119",
        "1.0011930",
        "10.001193",
        "a.001193",
        "1.00119a",
        "1.001193.",
        "1..001193",
        "1.001193.H 38",
        "1.001193.ABCDEFGHI",
        "1.001193.H-38",
        "1.001193.00000000.00000000.0000000",
    ] {
        let e = ProcedureCode::parse(bad).err().map(|e| (e.code.as_str(), e.kind));
        assert_eq!(e, Some(("invalid_procedure_code", ErrorKind::Invalid)), "{bad:?}");
    }
}

#[test]
fn an_internal_process_may_use_the_whole_legal_time_but_not_more() {
    assert_eq!(procedure().validate(), Ok(()), "five steps totalling exactly 3 days");
    let e = procedure_with(2.5, five_steps()).validate().err().map(|e| (e.code.as_str(), e.kind));
    assert_eq!(e, Some(("process_exceeds_legal_time", ErrorKind::Unprocessable)));

    let mut by_hours = procedure_with(1.0, vec![]);
    by_hours.steps = vec![motcua_domain::process::ProcessStep {
        name: "Giải quyết".into(),
        role: Role::Leader,
        unit: motcua_domain::process::StepUnit::Agency,
        days: None,
        hours: Some(8.5),
        parallel: None,
        unit_code: None,
        optional: false,
    }];
    assert_eq!(by_hours.validate().err().map(|e| e.code.as_str()), Some("process_exceeds_legal_time"));
    by_hours.steps[0].hours = Some(8.0);
    assert_eq!(by_hours.validate(), Ok(()));
}

#[test]
fn a_procedure_needs_one_positive_processing_time_and_non_negative_fees() {
    let mut p = procedure_with(3.0, vec![]);
    p.processing_hours = Some(24.0);
    assert_eq!(p.validate().err().map(|e| e.code.as_str()), Some("invalid_processing_time"));
    p.processing_days = None;
    assert_eq!(p.validate(), Ok(()));
    p.processing_hours = Some(0.0);
    assert_eq!(p.validate().err().map(|e| e.code.as_str()), Some("invalid_processing_time"));
    let mut p = procedure();
    p.fees[0].amount = -1;
    assert_eq!(p.validate().err().map(|e| e.code.as_str()), Some("invalid_fee"));
    let mut p = procedure();
    p.code = serde_json::from_value(serde_json::json!("TTHC-1")).unwrap(); // as a JSON body brings it
    assert_eq!(p.validate().err().map(|e| e.code.as_str()), Some("invalid_procedure_code"));
    let mut p = procedure();
    p.steps[1].days = None;
    assert_eq!(p.validate().err().map(|e| e.code.as_str()), Some("invalid_step"));
}

#[test]
fn a_procedure_without_fees_returns_its_result_without_payment() {
    let mut p = procedure();
    p.fees.clear();
    let mut s = Story::submit_with(&p, Channel::Counter, datetime!(2025-03-10 08:00 +7));
    s.act(&receiver(), datetime!(2025-03-10 08:00 +7), receive());
    s.act(&leader(), datetime!(2025-03-10 09:00 +7), complete());
    s.act(&specialist(), datetime!(2025-03-10 09:00 +7), complete());
    s.act(&leader(), datetime!(2025-03-10 09:00 +7), approve());
    let d = s.act(&receiver(), datetime!(2025-03-10 10:00 +7), return_result(false));
    assert_eq!(d.status, Status::Returned);
    assert!(!d.fee_paid);
}

#[test]
fn reasons_scores_and_assignees_are_checked() {
    use motcua_domain::dossier::actions::{Action, reject, request_supplement};
    let at = datetime!(2025-03-10 11:00 +7);
    let s = Story::received(datetime!(2025-03-10 10:00 +7));
    let empty = Action::Reject(reject::Reject { reason: "   ".into() });
    assert_eq!(s.refused(&leader(), at, empty).code, "reason_required");
    let huge = Action::Reject(reject::Reject { reason: "x".repeat(2001) });
    assert_eq!(s.refused(&leader(), at, huge).code, "reason_required");
    let blank_item = Action::RequestSupplement(request_supplement::RequestSupplement {
        reason: "Thiếu giấy tờ".into(),
        items: vec![" ".into()],
    });
    assert_eq!(s.refused(&specialist(), at, blank_item).code, "invalid_items");
    assert_eq!(s.refused(&leader(), at, assign(" ")).code, "invalid_assignee");

    let mut s = returned_story();
    let at = datetime!(2025-03-12 09:00 +7);
    for bad in [0, 6, -1, 256] {
        let e = s.refused(&Actor::Applicant, at, rate(bad));
        assert_eq!((e.code.as_str(), e.kind), ("invalid_score", ErrorKind::Invalid), "{bad}");
    }
    s.act(&receiver(), at, rate(1));
    assert_eq!(s.d.rating, Some(1));
}
