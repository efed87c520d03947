//! Properties of the dossier state machine under random histories (DESIGN.md "Dossier = event
//! log + projection"): random actors try random actions at random instants (around weekends,
//! Tết and other breaks) through `decide`, and every accepted event is applied. After every step:
//! replay == the live projection, version == number of events, the status change is one the
//! state machine allows, events and projections survive a serde round trip, the due instant
//! only moves later and only through `supplement`, and `allowed_actions` agrees with `decide`.

mod common;

use common::*;
use motcua_domain::audit::{GENESIS, StoredLink, canonical, link_hash, parse_canonical, verify_chain};
use motcua_domain::calendar::WorkingTime;
use motcua_domain::catalog::Procedure;
use motcua_domain::dossier::actions::{
    Action, ActionKind, allowed_actions, approve, assign, complete_step, decline_withdrawal, extend, rate, receive,
    refuse, reject, request_supplement, return_result, supplement, transfer, withdraw,
};
use motcua_domain::dossier::event::Event;
use motcua_domain::dossier::timeliness::classify;
use motcua_domain::dossier::{Actor, Channel, DocumentRecord, Dossier, Role, Status};
use motcua_domain::process::{ProcessStep, StepUnit};
use proptest::prelude::*;
use proptest::sample::Index;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// Starting instants near the breaks of 2025–2026 and a year boundary.
const STARTS: [OffsetDateTime; 7] = [
    datetime!(2025-01-22 08:00 +7),
    datetime!(2025-03-10 08:00 +7),
    datetime!(2025-04-24 08:00 +7),
    datetime!(2025-08-27 08:00 +7),
    datetime!(2025-12-29 08:00 +7),
    datetime!(2026-02-11 08:00 +7),
    datetime!(2026-08-19 08:00 +7),
];

/// The procedures histories are drawn from: the five-step fixture, a one-day procedure without
/// an internal process, a process without a return step, and one with an optional step and a
/// clerk's step after the approval.
fn procedures() -> [Procedure; 4] {
    let agency_only = vec![
        ProcessStep {
            name: "Phân công".into(),
            role: Role::Leader,
            unit: StepUnit::Agency,
            days: Some(0.5),
            hours: None,
            parallel: None,
            unit_code: None,
            optional: false,
        },
        ProcessStep {
            name: "Thẩm định".into(),
            role: Role::Specialist,
            unit: StepUnit::Agency,
            days: None,
            hours: Some(8.0),
            parallel: None,
            unit_code: None,
            optional: false,
        },
        ProcessStep {
            name: "Phê duyệt".into(),
            role: Role::Leader,
            unit: StepUnit::Agency,
            days: Some(0.5),
            hours: None,
            parallel: None,
            unit_code: None,
            optional: false,
        },
    ];
    // Reception, assignment, an optional appraisal, approval, the clerk's issuing, return.
    let mut with_clerk = five_steps();
    with_clerk[2].optional = true;
    let clerk_step = ProcessStep { name: "Vào sổ, đóng dấu".into(), role: Role::Clerk, ..with_clerk[3].clone() };
    with_clerk.insert(4, clerk_step);
    [procedure(), procedure_with(1.0, vec![]), procedure_with(2.0, agency_only), procedure_with(4.0, with_clerk)]
}

/// One attempted action.
#[derive(Debug, Clone)]
struct Move {
    actor: Index,
    kind: Index,
    /// Pick among the (actor, action) pairs `allowed_actions` offers (deep histories) or any
    /// actor and any action.
    from_allowed: bool,
    /// Let an allowed pick be a side exit (refuse, reject, withdraw), which ends the history.
    exit: bool,
    /// Send an input `decide` must refuse.
    sloppy: bool,
    minutes: i64,
}

fn a_move() -> impl Strategy<Value = Move> {
    (
        any::<Index>(),
        any::<Index>(),
        prop::bool::weighted(0.85),
        prop::bool::weighted(0.04),
        prop::bool::weighted(0.08),
        prop_oneof![4 => 0..240i64, 2 => 0..(2 * 24 * 60i64), 1 => 0..(12 * 24 * 60i64)],
    )
        .prop_map(|(actor, kind, from_allowed, exit, sloppy, minutes)| Move {
            actor,
            kind,
            from_allowed,
            exit,
            sloppy,
            minutes,
        })
}

/// How a history begins.
#[derive(Debug, Clone)]
struct Setup {
    procedure: usize,
    start: usize,
    offset_minutes: i64,
    channel: Channel,
}

fn a_setup() -> impl Strategy<Value = Setup> {
    (
        0..4usize,
        0..STARTS.len(),
        0..(4 * 24 * 60i64),
        prop::sample::select(vec![Channel::Online, Channel::Counter, Channel::Postal]),
    )
        .prop_map(|(procedure, start, offset_minutes, channel)| Setup {
            procedure,
            start,
            offset_minutes,
            channel,
        })
}

/// An input `decide` must refuse whatever the state: a blank reason, a bad score, a new
/// appointment that is not later, unpaid fees, an unknown document, an over-long note …
fn sloppy_payload(kind: ActionKind, d: &Dossier) -> Action {
    let blank = || "  ".to_owned();
    match kind {
        ActionKind::Receive => {
            Action::Receive(receive::Receive { scans: vec![("Không có".into(), "f".into())], ..Default::default() })
        }
        ActionKind::Refuse => Action::Refuse(refuse::Refuse { reason: blank() }),
        ActionKind::RequestSupplement => {
            Action::RequestSupplement(request_supplement::RequestSupplement { reason: blank(), items: vec![] })
        }
        ActionKind::Supplement => Action::Supplement(supplement::Supplement {
            documents: vec![DocumentRecord::named(blank())],
            note: String::new(),
        }),
        ActionKind::Assign => Action::Assign(assign::Assign { assignee: blank() }),
        ActionKind::CompleteStep => Action::CompleteStep(complete_step::CompleteStep { note: "x".repeat(2001) }),
        ActionKind::Transfer => {
            Action::Transfer(transfer::Transfer { to_unit: d.resolving_unit.to_string(), reason: "Chuyển".into() })
        }
        ActionKind::Approve => Action::Approve(approve::Approve { note: "x".repeat(2001), ..Default::default() }),
        ActionKind::Reject => Action::Reject(reject::Reject { reason: blank() }),
        ActionKind::Extend => Action::Extend(extend::Extend {
            new_due_at: d.appointment_at.unwrap_or(d.submitted_at),
            reason: "Cần xác minh".into(),
        }),
        ActionKind::ReturnResult => {
            Action::ReturnResult(return_result::ReturnResult { fee_paid: false, paid_online: false })
        }
        ActionKind::Withdraw => Action::Withdraw(withdraw::Withdraw { reason: blank() }),
        ActionKind::DeclineWithdrawal => {
            Action::DeclineWithdrawal(decline_withdrawal::DeclineWithdrawal { reason: blank() })
        }
        ActionKind::Rate => Action::Rate(rate::Rate { score: 0, comment: String::new() }),
        ActionKind::RevokeResult => {
            Action::RevokeResult(motcua_domain::dossier::actions::revoke_result::RevokeResult { reason: blank() })
        }
        ActionKind::Rehome => common::rehome(&d.resolving_unit, &d.resolving_unit),
        ActionKind::RequestFees => {
            Action::RequestFees(motcua_domain::dossier::actions::request_fees::RequestFees { note: "x".repeat(2001) })
        }
        // Another dossier's payment, or one of another amount.
        ActionKind::RecordPayment | ActionKind::RecordRefund => {
            let mut a = common::record_refund(d);
            if let Action::RecordRefund(r) = &mut a {
                r.payment = "TT-other".into();
            }
            a
        }
    }
}

/// The status an accepted action may lead to from `from` (DESIGN.md "Dossier lifecycle").
fn may_lead_to(from: Status, kind: ActionKind, received: bool) -> &'static [Status] {
    use Status::*;
    match (kind, from) {
        (ActionKind::Receive, Submitted) => &[Received],
        (ActionKind::Refuse, Submitted) => &[Refused],
        (ActionKind::RequestSupplement, Submitted | Received | InProgress) => &[SupplementRequested],
        (ActionKind::Supplement, SupplementRequested) if received => &[InProgress],
        (ActionKind::Supplement, SupplementRequested) => &[Submitted],
        (ActionKind::Assign | ActionKind::CompleteStep, Received | InProgress) => &[InProgress],
        (ActionKind::CompleteStep, ResultReady) => &[ResultReady],
        (ActionKind::Transfer | ActionKind::Extend, Received) => &[Received],
        (ActionKind::Transfer | ActionKind::Extend, InProgress) => &[InProgress],
        (ActionKind::Approve, Received | InProgress) => &[ResultReady],
        (ActionKind::Reject, Received | InProgress | SupplementRequested) if received => &[Rejected],
        (ActionKind::ReturnResult, ResultReady) => &[Returned],
        // The applicant only asks once the dossier was received (state 7); the receiver ends it.
        (ActionKind::Withdraw, Received | InProgress | SupplementRequested) if received => {
            &[Withdrawn, WithdrawalRequested]
        }
        (ActionKind::Withdraw, Submitted | SupplementRequested | WithdrawalRequested) => &[Withdrawn],
        (ActionKind::DeclineWithdrawal, WithdrawalRequested) => {
            &[Received, InProgress, SupplementRequested, AwaitingFees]
        }
        (ActionKind::RequestFees, Received | InProgress) => &[AwaitingFees],
        (ActionKind::Withdraw, AwaitingFees) => &[Withdrawn, WithdrawalRequested],
        (ActionKind::Rate, Returned) => &[Returned],
        // Revoking a result changes the result's standing, not the dossier's state.
        (ActionKind::RevokeResult, ResultReady) => &[ResultReady],
        (ActionKind::RevokeResult, Returned) => &[Returned],
        _ => &[],
    }
}

/// Whether `decide` may refuse an allowed action whatever the payload: only an extension asked
/// for less than one working day before the due instant (Decisions 5).
fn refusal_is_about_timing(story: &Story, kind: ActionKind, at: OffsetDateTime, code: &str) -> bool {
    let one_day = WorkingTime(8 * 3600);
    kind == ActionKind::Extend
        && code == "extension_too_late"
        && story.d.due_at.is_some_and(|due| story.cal.between(at, due) < one_day)
}

/// Checks that `allowed_actions` for `actor` lists exactly the kinds `decide` accepts with a
/// valid payload at `at`.
fn allowed_matches_decide(story: &Story, actor: &Actor, at: OffsetDateTime) -> Result<(), TestCaseError> {
    let allowed = allowed_actions(&story.d, actor);
    for kind in ActionKind::ALL {
        let r = story.attempt(actor, at, &valid_payload(kind, &story.d));
        match (allowed.contains(&kind), &r) {
            (true, Ok(_)) | (false, Err(_)) => {}
            (true, Err(e)) if refusal_is_about_timing(story, kind, at, e.code.as_str()) => {}
            _ => prop_assert!(
                false,
                "{kind:?} by {} on {:?} step {}: allowed {allowed:?}, decide {r:?}",
                actor.name(),
                story.d.status,
                story.d.step
            ),
        }
    }
    Ok(())
}

/// Invariants of one projection.
fn check_projection(story: &Story) -> Result<(), TestCaseError> {
    let d = &story.d;
    prop_assert_eq!(d.version, story.events.len() as i64);
    prop_assert_eq!(&story.replayed(), d);
    let json = serde_json::to_string(d).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back: Dossier = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(format!("{e}: {json}")))?;
    prop_assert_eq!(&back, d);

    let received = d.received_at.is_some();
    prop_assert_eq!(received, d.clock_started_at.is_some());
    prop_assert_eq!(received, d.due_at.is_some());
    prop_assert_eq!(received, d.appointment_at.is_some());
    if let (Some(start), Some(due), Some(appointment)) = (d.clock_started_at, d.due_at, d.appointment_at) {
        prop_assert!(start <= due, "due {due} before the clock started {start}");
        prop_assert!(due <= appointment, "appointment {appointment} before due {due}");
        prop_assert!(start >= d.received_at.unwrap_or(start));
    }
    match d.status {
        Status::Submitted | Status::Refused => prop_assert!(!received),
        Status::Received | Status::InProgress | Status::ResultReady | Status::Returned | Status::Rejected => {
            prop_assert!(received)
        }
        Status::SupplementRequested => {
            prop_assert!(d.pending_supplement.is_some());
            prop_assert_eq!(d.paused_since.is_some(), received);
        }
        Status::Withdrawn => {}
        Status::WithdrawalRequested => {
            prop_assert!(received);
            prop_assert!(d.pending_withdrawal.is_some());
        }
        Status::AwaitingFees => {
            prop_assert!(received);
            prop_assert!(d.pending_fees.is_some() && !d.fee_paid && d.fee_total() > 0);
        }
    }
    let waits_for_fees = d.status == Status::AwaitingFees
        || d.pending_withdrawal.as_ref().is_some_and(|w| w.from == Status::AwaitingFees);
    prop_assert_eq!(d.pending_fees.is_some(), waits_for_fees);
    prop_assert_eq!(d.pending_withdrawal.is_some(), d.status == Status::WithdrawalRequested);
    if d.paused_since.is_some() {
        prop_assert!(matches!(
            d.status,
            Status::SupplementRequested | Status::Withdrawn | Status::Rejected | Status::WithdrawalRequested
        ));
    }
    let finished = matches!(d.status, Status::ResultReady | Status::Returned | Status::Rejected)
        || (d.status == Status::Withdrawn && received);
    prop_assert_eq!(d.finished_at.is_some(), finished);
    prop_assert_eq!(d.returned_at.is_some(), d.status == Status::Returned);
    prop_assert!(d.rating.is_none() || d.status == Status::Returned);
    prop_assert!(d.step <= d.steps.len());
    prop_assert!((1..=10).contains(&d.status.national_code()));
    prop_assert_eq!(d.holder_unit().is_none(), d.status.is_closed());
    prop_assert_eq!(d.supplement_rounds as usize, count(story, |e| e.contains("\"during_processing\":true")));
    prop_assert_eq!(d.extension.is_some(), count(story, |e| e.contains("\"action\":\"extend\"")) == 1);

    if d.status.is_closed() {
        for actor in roster() {
            let allowed = allowed_actions(d, &actor);
            let rate_left = d.status == Status::Returned && d.rating.is_none();
            // A returned electronic result may still be revoked by its issuing unit.
            let revocable = d.status == Status::Returned
                && d.result.as_ref().is_some_and(|r| r.file.is_some() && r.revoked.is_none());
            prop_assert!(
                allowed
                    .iter()
                    .all(|k| (*k == ActionKind::Rate && rate_left) || (*k == ActionKind::RevokeResult && revocable)),
                "{:?}: {allowed:?}",
                d.status
            );
        }
    }
    let verdict = classify(d, datetime!(2040-01-01 00:00 +7));
    if !received {
        prop_assert_eq!(verdict, None);
    } else if d.finished_at.is_some() {
        prop_assert!(verdict.is_some());
    }
    // A running step has a deadline its budget after its start, moved by pauses only.
    if d.paused == WorkingTime::ZERO
        && let Some(s) = d.current_step().filter(|s| s.completed_at.is_none() && d.step > 0)
        && let Some(start) = s.started_at
    {
        prop_assert_eq!(s.due_at, Some(story.cal.add(start, s.budget)), "step {}", s.name);
    }
    Ok(())
}

fn count(story: &Story, f: impl Fn(&str) -> bool) -> usize {
    story.events.iter().filter(|e| f(&serde_json::to_string(e).unwrap_or_default())).count()
}

/// Invariants of one accepted step from `before` to the story's current projection.
fn check_step(
    story: &Story,
    before: &Dossier,
    actor: &Actor,
    kind: ActionKind,
    at: OffsetDateTime,
) -> Result<(), TestCaseError> {
    check_process(story, before, actor, kind, at)?;
    let d = &story.d;
    let event = story.events.last().ok_or_else(|| TestCaseError::fail("no event"))?;
    prop_assert_eq!(event.at, at);
    prop_assert_eq!(event.data.action(), kind.as_str());
    let json = serde_json::to_string(event).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back: Event = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(format!("{e}: {json}")))?;
    prop_assert_eq!(&back, event);

    let allowed = may_lead_to(before.status, kind, before.received_at.is_some());
    prop_assert!(allowed.contains(&d.status), "{:?} --{kind:?}--> {:?}", before.status, d.status);

    // Once set, these never change.
    for (was, now) in [
        (before.received_at, d.received_at),
        (before.clock_started_at, d.clock_started_at),
        (before.finished_at, d.finished_at),
        (before.returned_at, d.returned_at),
    ] {
        if was.is_some() {
            prop_assert_eq!(was, now, "{:?}", kind);
        }
    }
    prop_assert_eq!(&d.code, &before.code);
    prop_assert_eq!(d.legal_time, before.legal_time);

    // The due instant: set by `receive`, then moved only by `supplement`, never earlier.
    match (before.due_at, d.due_at) {
        (None, None) => {}
        (None, Some(_)) => prop_assert_eq!(kind, ActionKind::Receive),
        (Some(was), Some(now)) if kind == ActionKind::Supplement => {
            prop_assert!(now >= was);
            let pause = before.paused_since.map_or(WorkingTime::ZERO, |since| story.cal.between(since, at));
            prop_assert_eq!(d.paused, before.paused + pause);
            let expected = if pause.seconds() > 0 { story.cal.add(was, pause) } else { was };
            prop_assert_eq!(now, expected, "moved by exactly the paused working time {:?}", pause);
        }
        (Some(was), Some(now)) => prop_assert_eq!(was, now, "{:?} moved the due instant", kind),
        (Some(_), None) => prop_assert!(false, "{kind:?} erased the due instant"),
    }
    if kind == ActionKind::Extend {
        prop_assert!(before.extension.is_none());
        prop_assert!(d.appointment_at > before.appointment_at);
    } else if kind != ActionKind::Supplement && kind != ActionKind::Receive {
        prop_assert_eq!(d.appointment_at, before.appointment_at);
    }
    Ok(())
}

/// The internal process is a rule (issue 14): a step is completed only by an officer holding its
/// role in its unit, only once every earlier run is behind it, only at the instant of the action
/// (nothing recorded in the future); a skipped step is one the process declares optional; the
/// result is ready only once every step up to the approval is done, and returned only once
/// every step is.
fn check_process(
    story: &Story,
    before: &Dossier,
    actor: &Actor,
    kind: ActionKind,
    at: OffsetDateTime,
) -> Result<(), TestCaseError> {
    let d = &story.d;
    let group_of = |i: usize| {
        motcua_domain::process::groups(&d.steps, |s| s.parallel.as_deref()).into_iter().find(|g| g.contains(&i))
    };
    for (i, (was, now)) in before.steps.iter().zip(&d.steps).enumerate() {
        if was.completed_at.is_none() && now.completed_at.is_some() {
            prop_assert_eq!(now.completed_at, Some(at), "step {} completed at another instant", i);
            prop_assert!(
                actor.is(was.role, &was.unit),
                "{kind:?} by {} completed step {i} '{}' of role {:?} in {}",
                actor.name(),
                was.name,
                was.role,
                was.unit
            );
            let run = group_of(i).unwrap_or(i..i + 1);
            prop_assert!(
                d.steps.iter().take(run.start).all(|s| s.is_done()),
                "step {i} completed before an earlier step"
            );
        }
        if was.skipped_at.is_none() && now.skipped_at.is_some() {
            prop_assert!(now.optional && kind == ActionKind::Approve, "step {i} skipped by {kind:?}");
        }
        for t in [now.started_at, now.completed_at, now.skipped_at].into_iter().flatten() {
            prop_assert!(t <= at, "step {i} records {t}, after the action at {at}");
        }
    }
    if d.status == Status::ResultReady && before.status != Status::ResultReady {
        let until = d.approval_step().map_or(d.return_step().unwrap_or(d.steps.len()), |a| a + 1);
        prop_assert!(d.steps.iter().take(until).all(|s| s.is_done()), "result ready with a step undone");
    }
    if d.status == Status::Returned {
        prop_assert!(d.steps.iter().all(|s| s.is_done()), "returned with a step undone");
    }
    Ok(())
}

/// The (actor, action) pairs `allowed_actions` offers on `d`, side exits only if `exits`.
fn offered<'a>(d: &Dossier, roster: &'a [Actor], exits: bool) -> Vec<(&'a Actor, ActionKind)> {
    let side_exit = |k: &ActionKind| matches!(k, ActionKind::Refuse | ActionKind::Reject | ActionKind::Withdraw);
    let all = || roster.iter().flat_map(|a| allowed_actions(d, a).into_iter().map(move |k| (a, k)));
    let pairs: Vec<_> = all().filter(|(_, k)| exits || !side_exit(k)).collect();
    if pairs.is_empty() { all().collect() } else { pairs }
}

/// Plays `moves` on a fresh dossier, checking every property along the way.
fn play(setup: &Setup, moves: &[Move]) -> Result<Story, TestCaseError> {
    let procedure = &procedures()[setup.procedure];
    let mut at = STARTS[setup.start] + Duration::minutes(setup.offset_minutes);
    let mut story = Story::submit_with(procedure, setup.channel, at);
    check_projection(&story)?;
    let roster = roster();
    for m in moves {
        at += Duration::minutes(m.minutes);
        let (actor, kind) = match offered(&story.d, &roster, m.exit) {
            pairs if m.from_allowed && !pairs.is_empty() => *m.kind.get(&pairs),
            _ => (m.actor.get(&roster), *m.kind.get(&ActionKind::ALL)),
        };
        allowed_matches_decide(&story, actor, at)?;
        let action = if m.sloppy { sloppy_payload(kind, &story.d) } else { valid_payload(kind, &story.d) };
        let before = story.d.clone();
        let events = story.events.len();
        match story.try_act(actor, at, action) {
            Ok(_) => {
                prop_assert!(!m.sloppy, "{kind:?} accepted a sloppy input");
                check_step(&story, &before, actor, kind, at)?;
                check_projection(&story)?;
            }
            Err(_) => {
                prop_assert_eq!(&story.d, &before);
                prop_assert_eq!(story.events.len(), events);
            }
        }
    }
    Ok(story)
}

fn chain_rows(code: &str, events: &[Event]) -> Vec<(i64, String, String, String)> {
    let mut prev = GENESIS.to_owned();
    let mut rows = Vec::new();
    for (seq, e) in (1..).zip(events) {
        let text = canonical(code, seq, e).unwrap_or_default();
        let hash = link_hash(&prev, &text);
        rows.push((seq, text, prev.clone(), hash.clone()));
        prev = hash;
    }
    rows
}

fn verify(rows: &[(i64, String, String, String)]) -> Result<(), i64> {
    verify_chain(rows.iter().map(|(seq, c, p, h)| StoredLink { seq: *seq, canonical: c, prev_hash: p, hash: h }))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_histories_keep_every_invariant_of_the_state_machine(
        setup in a_setup(),
        moves in prop::collection::vec(a_move(), 0..40),
    ) {
        play(&setup, &moves)?;
    }

    #[test]
    fn no_random_history_reaches_a_result_without_every_step_done_by_its_own_role_in_order(
        setup in a_setup(),
        moves in prop::collection::vec(a_move(), 0..60),
    ) {
        // Every accepted action went through `check_process`; in addition, the history shows
        // each completed step's completion at or after the previous run's.
        let story = play(&setup, &moves)?;
        let done: Vec<_> = story.d.steps.iter().filter_map(|s| s.completed_at).collect();
        prop_assert!(done.windows(2).all(|w| w[0] <= w[1]), "steps completed out of order: {done:?}");
    }

    /// The national portal accepts the sync record after every event of any history (its field
    /// checks), and each sync moves the dossier along a transition the portal allows.
    #[test]
    fn every_prefix_of_a_random_history_makes_a_sync_record_the_portal_accepts(
        setup in a_setup(),
        moves in prop::collection::vec(a_move(), 0..40),
    ) {
        use motcua_domain::national::{Officer, record, transition_allowed, validate};
        let story = play(&setup, &moves)?;
        let who = |u: &str| Officer { name: format!("Cán bộ {u}"), title: "Chuyên viên".into(), department: "Phòng".into() };
        let url = |f: &str| format!("https://motcua.example/tep/{f}");
        let mut last: Option<u8> = None;
        for n in 1..=story.events.len() {
            let r = record(&story.events[..n], &who, &url);
            prop_assert!(r.is_some(), "a history that folds makes a record");
            let r = r.unwrap();
            let errors = validate(&r);
            prop_assert!(errors.is_empty(), "after {:?}: {errors:?}", story.events[n - 1].data.action());
            prop_assert_eq!(r.progress.len(), n, "one history line per event");
            let now = r.dossier.TrangThaiHoSo;
            prop_assert!(transition_allowed(last, now), "{last:?} → {now} after {}", story.events[n - 1].data.action());
            last = Some(now);
        }
    }

    #[test]
    fn allowed_actions_agree_with_decide_for_every_role_along_random_histories(
        setup in a_setup(),
        moves in prop::collection::vec(a_move(), 0..25),
        probe_minutes in 0..(3 * 24 * 60i64),
    ) {
        let story = play(&setup, &moves)?;
        let at = story.events.last().map_or(story.d.submitted_at, |e| e.at) + Duration::minutes(probe_minutes);
        for actor in roster() {
            allowed_matches_decide(&story, &actor, at)?;
        }
    }

    #[test]
    fn the_hash_chain_of_a_random_history_verifies_and_points_at_any_tampered_event(
        setup in a_setup(),
        moves in prop::collection::vec(a_move(), 1..30),
        victim in any::<Index>(),
    ) {
        let story = play(&setup, &moves)?;
        let rows = chain_rows(&story.d.code, &story.events);
        prop_assert_eq!(verify(&rows), Ok(()));
        for (row, e) in rows.iter().zip(&story.events) {
            let back = parse_canonical(&row.1).map_err(|err| TestCaseError::fail(err.to_string()))?;
            prop_assert_eq!(&back, e);
        }
        let i = victim.index(rows.len());
        let mut tampered = rows.clone();
        tampered[i].1 = tampered[i].1.replacen("\"actor\":\"", "\"actor\":\"x", 1);
        prop_assert_ne!(&tampered[i].1, &rows[i].1);
        prop_assert_eq!(verify(&tampered), Err(i as i64 + 1));
        if i + 1 < rows.len() {
            let mut swapped = rows.clone();
            let (a, b) = (swapped[i].1.clone(), swapped[i + 1].1.clone());
            swapped[i].1 = b;
            swapped[i + 1].1 = a;
            prop_assert_eq!(verify(&swapped), Err(i as i64 + 1));
        }
    }

    #[test]
    fn an_extension_is_possible_exactly_while_a_working_day_remains(
        received_minutes in 0..(10 * 24 * 60i64),
        later_minutes in 0..(6 * 24 * 60i64),
    ) {
        let received = datetime!(2025-08-25 00:00 +7) + Duration::minutes(received_minutes);
        let story = Story::received(received);
        let at = received + Duration::minutes(later_minutes);
        let due = story.d.due_at.unwrap_or(received);
        let r = story.attempt(&leader(), at, &extend(due + Duration::days(10)));
        let enough = story.cal.between(at, due) >= WorkingTime(8 * 3600);
        prop_assert_eq!(r.is_ok(), enough, "{:?}", r.err());
    }

    #[test]
    fn a_supplementation_pause_moves_the_due_instant_by_exactly_the_working_time_paused(
        received_minutes in 0..(14 * 24 * 60i64),
        ask_minutes in 0..(5 * 24 * 60i64),
        pause_minutes in 0..(12 * 24 * 60i64),
        start in 0..STARTS.len(),
    ) {
        let received = STARTS[start] + Duration::minutes(received_minutes);
        let mut story = Story::received(received);
        let due = story.d.due_at.unwrap_or(received);
        let asked = received + Duration::minutes(ask_minutes);
        let answered = asked + Duration::minutes(pause_minutes);
        story.act(&specialist(), asked, request_supplement());
        story.act(&Actor::Applicant, answered, supplement());
        let pause = story.cal.between(asked, answered);
        let moved = story.d.due_at.unwrap_or(received);
        prop_assert_eq!(story.d.paused, pause);
        prop_assert_eq!(story.cal.between(due, moved), pause);
        prop_assert_eq!(moved, if pause.seconds() > 0 { story.cal.add(due, pause) } else { due });
        prop_assert_eq!(story.d.appointment_at, Some(moved));
    }
}

// ---- 766 monthly rollups along random histories (domain.md §3) ----

mod rollups {
    use super::*;
    use motcua_domain::dossier::event::apply;
    use motcua_domain::indicators::{DossierFacts, MonthRow, Period, RowKey, Tally, YearMonth, contributions, delta};
    use std::collections::BTreeMap;

    fn add(sum: &mut BTreeMap<RowKey, Vec<i64>>, d: &[(RowKey, Vec<i64>)]) {
        for (k, v) in d {
            let acc = sum.entry(k.clone()).or_insert_with(|| vec![0; MonthRow::COLUMNS.len()]);
            acc.iter_mut().zip(v).for_each(|(a, x)| *a += x);
        }
        sum.retain(|_, v| v.iter().any(|x| *x != 0));
    }

    fn as_sum(rows: &[(RowKey, MonthRow)]) -> BTreeMap<RowKey, Vec<i64>> {
        let mut sum = BTreeMap::new();
        add(&mut sum, &delta(&[], rows));
        sum
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Adding the delta of every event, and of every horizon move, to an empty rollup gives
        /// exactly the contributions of the final state (what a recompute would write).
        #[test]
        fn the_deltas_of_the_events_and_of_the_month_ends_sum_to_the_recomputed_rollup(
            setup in a_setup(),
            moves in prop::collection::vec(a_move(), 0..40),
            ticks in prop::collection::vec(0u8..3, 40),
        ) {
            let story = play(&setup, &moves)?;
            let mut open = YearMonth::of(story.d.submitted_at);
            let mut rollup = BTreeMap::new();
            let mut prev: Option<Dossier> = None;
            for (e, tick) in story.events.iter().zip(ticks.iter().cycle()) {
                // The horizon follows the clock: never behind the month of the event, sometimes
                // late to catch up (a server that was down at the month's end).
                let now = YearMonth::of(e.at);
                if *tick > 0 && open < now {
                    if let Some(d) = &prev {
                        add(&mut rollup, &delta(&contributions(d, open), &contributions(d, now)));
                    }
                    open = now;
                }
                let next = apply(prev.clone(), e).map_err(|err| TestCaseError::fail(err.to_string()))?;
                let before = prev.as_ref().map(|d| contributions(d, open)).unwrap_or_default();
                add(&mut rollup, &delta(&before, &contributions(&next, open)));
                prev = Some(next);
            }
            prop_assert_eq!(&rollup, &as_sum(&contributions(&story.d, open)));
            let later = open.next().next();
            add(&mut rollup, &delta(&contributions(&story.d, open), &contributions(&story.d, later)));
            prop_assert_eq!(rollup, as_sum(&contributions(&story.d, later)));
        }

        /// The tally of any run of ended months rebuilt from the monthly rows equals the tally of
        /// the run as one period: carried-over dossiers count once, lateness is judged at the end.
        #[test]
        fn any_run_of_months_from_monthly_rows_equals_the_tally_of_the_whole_period(
            setup in a_setup(),
            moves in prop::collection::vec(a_move(), 0..40),
            start_shift in 0u8..3,
            len in 0u8..4,
            horizon in 1u8..3,
        ) {
            let story = play(&setup, &moves)?;
            let mut first = YearMonth::of(story.d.submitted_at);
            (0..start_shift).for_each(|_| first = first.next());
            let mut last = first;
            (0..len).for_each(|_| last = last.next());
            let mut open = last;
            (0..horizon).for_each(|_| open = open.next());
            let rows = contributions(&story.d, open);
            let from_rows = Tally::over(first, last, rows.iter().map(|(k, r)| (k.month, r)));
            let period = Period::months(first, last).ok_or_else(|| TestCaseError::fail("period"))?;
            let whole = Tally::of([&DossierFacts::of(&story.d, &period)]);
            prop_assert_eq!(from_rows, whole, "{:?}", rows);
        }
    }
}
