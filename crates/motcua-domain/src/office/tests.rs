use crate::ErrorCode;
use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use time::macros::{date, datetime};

use super::*;

fn officer(name: &str, grants: &[(&str, Role)]) -> Actor {
    Actor::Officer { username: name.into(), grants: grants.iter().map(|(u, r)| (UnitCode::trusted(*u), *r)).collect() }
}

fn clerk() -> Actor {
    officer("vanthu", &[("U1", Role::Clerk)])
}
fn leader() -> Actor {
    officer("lanhdao", &[("U1", Role::Leader)])
}
fn specialist() -> Actor {
    officer("chuyenvien", &[("U1", Role::Specialist)])
}

fn meta() -> Metadata {
    Metadata {
        code_number: Some("123".into()),
        code_notation: Some("UBND-VP".into()),
        document_type: "Công văn".into(),
        subject: "Công văn về việc triển khai cải cách hành chính".into(),
        content: None,
        promulgation_place: Some("An Giang".into()),
        promulgation_date: Some(date!(2026 - 02 - 10)),
        signer: None,
        sender: Some(Organ { organ_id: Some("000.00.00.H01".into()), name: "UBND tỉnh An Giang".into() }),
        recipients: vec![],
        due_date: None,
        priority: Priority::Normal,
        steering_type: 0,
    }
}

fn registered(at: OffsetDateTime, n: i64) -> Document {
    let new = NewIncoming {
        id: "d1".into(),
        unit: "U1".into(),
        meta: meta(),
        received_at: None,
        dossier_code: None,
        external_id: None,
    };
    let d = Document::register_incoming(new, &clerk(), at).unwrap();
    Document::from_first(&d.event.numbered(n)).unwrap()
}

fn step(doc: &mut Document, actor: &Actor, cmd: Command, at: OffsetDateTime) -> Result<(), DomainError> {
    let d = decide(doc, actor, cmd, at, &Calendar::vietnam_default())?;
    let e = match d.numbering {
        Some(_) => d.event.numbered(7),
        None => d.event,
    };
    doc.apply(&e);
    Ok(())
}

#[test]
fn the_register_year_is_the_vietnamese_calendar_year() {
    assert_eq!(register_year(datetime!(2025-12-31 16:59:59 UTC)), 2025);
    assert_eq!(register_year(datetime!(2025-12-31 17:00:00 UTC)), 2026, "00:00 on 1 January in Vietnam");
    assert_eq!(format_register_number(1), "01");
    assert_eq!(format_register_number(123), "123");
}

#[test]
fn an_incoming_document_goes_registered_assigned_processing_completed() {
    let at = datetime!(2026-03-02 09:00 +7);
    let mut d = registered(at, 1);
    assert_eq!((d.status, d.register_number, d.register_year), (Status::Registered, Some(1), Some(2026)));
    assert_eq!(d.meta.number_notation(), "123/UBND-VP");
    let assign = Command::Assign { assignee: "chuyenvien".into(), working_days: Some(2.0), due_at: None, note: None };
    step(&mut d, &leader(), assign, at).unwrap();
    assert_eq!(d.handling_due, Some(datetime!(2026-03-04 09:00 +7)));
    assert_eq!(d.status.edxml_status().map(EdxmlStatus::code), Some("04"));
    step(&mut d, &specialist(), Command::Start, at).unwrap();
    step(&mut d, &specialist(), Command::Complete { note: None }, at).unwrap();
    assert_eq!((d.status, d.version), (Status::Completed, 4));
    assert_eq!(d.status.edxml_status().map(EdxmlStatus::code), Some("06"));
}

#[test]
fn an_assignment_deadline_skips_tet() {
    // Friday 13/02/2026 10:00; Tết off Saturday 14/02 – Sunday 22/02 (CV 9859/VPCP-KGVX).
    let at = datetime!(2026-02-13 10:00 +7);
    let mut d = registered(at, 1);
    let assign = Command::Assign { assignee: "chuyenvien".into(), working_days: Some(1.0), due_at: None, note: None };
    step(&mut d, &leader(), assign, at).unwrap();
    assert_eq!(d.handling_due, Some(datetime!(2026-02-23 10:00 +7)));
}

#[test]
fn an_urgent_document_without_a_deadline_gets_one_working_day_and_a_sender_due_date_is_kept() {
    let at = datetime!(2026-03-06 15:00 +7);
    let mut d = registered(at, 1);
    d.meta.priority = Priority::Flash;
    let cal = Calendar::vietnam_default();
    assert_eq!(handling_deadline(&d, None, None, at, &cal).unwrap(), Some(datetime!(2026-03-09 15:00 +7)));
    d.meta.due_date = Some(date!(2026 - 03 - 20));
    assert_eq!(handling_deadline(&d, None, None, at, &cal).unwrap(), Some(datetime!(2026-03-20 17:00 +7)));
    d.meta.priority = Priority::Normal;
    d.meta.due_date = None;
    assert_eq!(handling_deadline(&d, None, None, at, &cal).unwrap(), None);
    assert!(handling_deadline(&d, Some(0.0), None, at, &cal).is_err());
    assert!(handling_deadline(&d, None, Some(at), at, &cal).is_err());
}

#[test]
fn a_rejection_needs_a_reason_and_ends_the_handling() {
    let at = datetime!(2026-03-02 09:00 +7);
    let mut d = registered(at, 1);
    let e = step(&mut d, &clerk(), Command::Reject { reason: "  ".into() }, at).unwrap_err();
    assert_eq!(e.code, "reason_required");
    step(&mut d, &clerk(), Command::Reject { reason: "Gửi nhầm đơn vị".into() }, at).unwrap();
    assert_eq!((d.status, d.status.edxml_status()), (Status::Rejected, Some(EdxmlStatus::Rejected)));
    assert_eq!(step(&mut d, &leader(), Command::Start, at).unwrap_err().code, "invalid_transition");
}

#[test]
fn a_recalled_document_is_cancelled_by_the_clerk_even_once_handled_and_never_twice() {
    // NĐ 30/2020 Art. 18 khoản 4 điểm b: the receiver cancels a recalled electronic document.
    let at = datetime!(2026-03-02 09:00 +7);
    let mut d = registered(at, 1);
    assert_eq!(step(&mut d, &clerk(), Command::Recall { reason: " ".into() }, at).unwrap_err().code, "reason_required");
    let assign = Command::Assign { assignee: "chuyenvien".into(), working_days: Some(2.0), due_at: None, note: None };
    step(&mut d, &leader(), assign, at).unwrap();
    let e = step(&mut d, &specialist(), Command::Recall { reason: "CV 12/UBND thu hồi".into() }, at).unwrap_err();
    assert_eq!(e.code, "forbidden", "the assignee does not cancel it");
    step(&mut d, &specialist(), Command::Start, at).unwrap();
    step(&mut d, &specialist(), Command::Complete { note: None }, at).unwrap();
    step(&mut d, &clerk(), Command::Recall { reason: "CV 12/UBND thu hồi".into() }, at).unwrap();
    assert_eq!((d.status, d.status.edxml_status()), (Status::Recalled, Some(EdxmlStatus::RecallAccepted)));
    assert!(!d.status.is_open());
    let again = step(&mut d, &leader(), Command::Recall { reason: "lần nữa".into() }, at).unwrap_err();
    assert_eq!(again.code, "invalid_transition");
}

#[test]
fn only_the_clerk_registers_and_other_officers_see_only_their_own_documents() {
    let at = datetime!(2026-03-02 09:00 +7);
    let new = NewIncoming {
        id: "d1".into(),
        unit: "U1".into(),
        meta: meta(),
        received_at: None,
        dossier_code: None,
        external_id: None,
    };
    assert!(Document::register_incoming(new.clone(), &specialist(), at).is_err());
    assert!(Document::register_incoming(new, &officer("x", &[("U2", Role::Clerk)]), at).is_err());
    let mut d = registered(at, 1);
    assert!(!may_view(&d, &specialist()));
    assert!(!may_view(&d, &officer("lanhdao2", &[("U2", Role::Leader)])));
    assert!(may_view(&d, &leader()));
    let assign = Command::Assign { assignee: "chuyenvien".into(), working_days: None, due_at: None, note: None };
    assert!(step(&mut d, &specialist(), assign.clone(), at).is_err());
    step(&mut d, &clerk(), assign, at).unwrap();
    assert!(may_view(&d, &specialist()));
    assert_eq!(allowed_actions(&d, &specialist()), vec!["start", "link_dossier"]);
}

#[test]
fn an_outgoing_document_is_drafted_issued_with_its_number_then_sent() {
    let at = datetime!(2026-03-02 09:00 +7);
    let mut m = meta();
    m.sender = None;
    m.recipients = vec![Organ { organ_id: Some("000.00.A1.H01".into()), name: "UBND phường Rạch Giá".into() }];
    let d = Document::draft_outgoing("o1".into(), "U1".into(), m, None, &specialist(), at).unwrap();
    assert_eq!(d.numbering, None);
    let mut doc = Document::from_first(&d.event).unwrap();
    assert_eq!((doc.status, doc.meta.code_number.as_deref()), (Status::Draft, None), "a draft has no number");
    assert!(step(&mut doc, &specialist(), Command::Issue, at).is_err(), "the clerk numbers");
    assert_eq!(step(&mut doc, &clerk(), Command::Send, at).unwrap_err().code, "invalid_transition");
    step(&mut doc, &clerk(), Command::Issue, at).unwrap();
    assert_eq!((doc.status, doc.register_number), (Status::Issued, Some(7)));
    assert_eq!(doc.meta.number_notation(), "07/UBND-VP");
    step(&mut doc, &clerk(), Command::Send, at).unwrap();
    assert_eq!((doc.status, doc.status.edxml_status()), (Status::Sent, None));
}

#[test]
fn metadata_is_checked() {
    let mut m = meta();
    m.subject = " ".into();
    assert_eq!(m.validate(Direction::Incoming).unwrap_err().code, "subject_required");
    let mut m = meta();
    m.sender = Some(Organ { organ_id: Some("bad id!".into()), name: "X".into() });
    assert_eq!(m.validate(Direction::Incoming).unwrap_err().code, "invalid_organ_id");
    let mut m = meta();
    m.code_number = Some("12a".into());
    assert_eq!(m.validate(Direction::Incoming).unwrap_err().code, "invalid_code_number");
    let mut m = meta();
    m.sender = None;
    assert_eq!(m.validate(Direction::Incoming).unwrap_err().code, "sender_required");
    assert!(valid_organ_id("000.00.01.H01") && !valid_organ_id("000..H01"));
}

#[test]
fn every_incoming_state_maps_to_one_distinct_edxml_code_and_codes_round_trip() {
    let incoming: Vec<_> = Status::ALL.into_iter().filter(|s| s.direction() == Direction::Incoming).collect();
    let codes: HashSet<_> = incoming.iter().filter_map(|s| s.edxml_status()).collect();
    assert_eq!(codes.len(), incoming.len());
    for s in EdxmlStatus::ALL {
        assert_eq!(EdxmlStatus::parse(s.code()), Some(s));
        assert_eq!(TraceStatus::parse(TraceStatus::Edxml(s).as_str()), Some(TraceStatus::Edxml(s)));
    }
    for t in [TraceStatus::Queued, TraceStatus::Sent, TraceStatus::Failed] {
        assert_eq!(TraceStatus::parse(t.as_str()), Some(t));
    }
}

fn arb_cmd() -> impl Strategy<Value = (u8, Command)> {
    let assign = (0u8..3, prop::option::of(1u8..10)).prop_map(|(who, days)| {
        (
            who,
            Command::Assign {
                assignee: "chuyenvien".into(),
                working_days: days.map(f64::from),
                due_at: None,
                note: None,
            },
        )
    });
    prop_oneof![
        assign,
        (0u8..3).prop_map(|w| (w, Command::Start)),
        (0u8..3).prop_map(|w| (w, Command::Complete { note: None })),
        (0u8..3, prop_oneof![Just(String::new()), Just("Sai thẩm quyền".to_owned())])
            .prop_map(|(w, reason)| (w, Command::Reject { reason })),
        (0u8..3, prop_oneof![Just(String::new()), Just("CV 12/UBND thu hồi".to_owned())])
            .prop_map(|(w, reason)| (w, Command::Recall { reason })),
        (0u8..3).prop_map(|w| (w, Command::LinkDossier { dossier_code: "C1-260302-0001".into() })),
        (0u8..3).prop_map(|w| (w, Command::Issue)),
        (0u8..3).prop_map(|w| (w, Command::Send)),
    ]
}

proptest! {
    /// Whatever officers try, an incoming document never leaves its register's states, a final
    /// state is never left (but a completed document can be recalled), the number never changes, the version counts accepted events, and
    /// an allowed action is never refused for state or permission.
    #[test]
    fn the_incoming_state_machine_keeps_its_invariants(cmds in prop::collection::vec(arb_cmd(), 0..30)) {
        let at = datetime!(2026-03-02 09:00 +7);
        let mut d = registered(at, 5);
        let actors = [clerk(), leader(), specialist()];
        let mut accepted = 0;
        for (i, (who, cmd)) in cmds.into_iter().enumerate() {
            let before = d.clone();
            let actor = &actors[usize::from(who)];
            let allowed = allowed_actions(&d, actor).contains(&cmd.name());
            let t = at + time::Duration::minutes(i as i64);
            match step(&mut d, actor, cmd.clone(), t) {
                Ok(()) => {
                    accepted += 1;
                    let was_final = matches!(before.status, Status::Completed | Status::Rejected | Status::Recalled);
                    let link = matches!(cmd, Command::LinkDossier { .. });
                    // A handled document can still be recalled by its sender (NĐ 30 Art. 18.4).
                    let recalled = matches!(cmd, Command::Recall { .. }) && before.status == Status::Completed;
                    prop_assert!(!was_final || link || recalled, "a final state was left");
                }
                Err(e) => {
                    prop_assert_eq!(&d, &before);
                    let bad_input = matches!(e.code, ErrorCode::ReasonRequired);
                    prop_assert!(!allowed || bad_input, "allowed {} refused: {}", cmd.name(), e.code);
                }
            }
            prop_assert_eq!(d.status.direction(), Direction::Incoming);
            prop_assert_eq!(d.register_number, Some(5));
            prop_assert_eq!(d.version, 1 + accepted);
            prop_assert!(d.status.edxml_status().is_some());
        }
    }

    /// A register book driven by `register_year` and a per-(unit, direction, year) counter — what
    /// the store does in its transaction — never gives a number twice, numbers each year from 01
    /// without gaps, and starts again on 1 January.
    #[test]
    fn register_numbers_are_never_reused_and_restart_each_year(
        events in prop::collection::vec((0u8..2, 0u8..2, 0i64..(3 * 365 * 24)), 1..200)
    ) {
        let start = datetime!(2025-01-01 00:00 +7);
        let mut events: Vec<_> = events.into_iter().map(|(u, dir, h)| (u, dir, start + time::Duration::hours(h))).collect();
        events.sort_by_key(|e| e.2);
        let mut last: HashMap<(u8, u8, i32), i64> = HashMap::new();
        let mut seen = HashSet::new();
        for (u, dir, at) in events {
            let year = register_year(at);
            let n = last.entry((u, dir, year)).or_insert(0);
            *n += 1;
            prop_assert!(seen.insert((u, dir, year, *n)), "number reused");
            if *n == 1 {
                prop_assert!(at.to_offset(VN).date() >= time::Date::from_calendar_date(year, time::Month::January, 1).unwrap());
            }
        }
        for ((u, dir, year), max) in last {
            for k in 1..=max {
                prop_assert!(seen.contains(&(u, dir, year, k)), "gap in the register");
            }
        }
    }

    /// Deadlines in working days always land on a working instant strictly after the
    /// assignment, and more days never give an earlier deadline — also across Tết.
    #[test]
    fn handling_deadlines_are_monotonic_and_land_on_working_time(h in 0i64..(60 * 24), a in 1u8..15, b in 1u8..15) {
        let cal = Calendar::vietnam_default();
        let at = datetime!(2026-01-20 00:00 +7) + time::Duration::hours(h);
        let d = registered(at, 1);
        let (lo, hi) = (a.min(b), a.max(b));
        let x = handling_deadline(&d, Some(f64::from(lo)), None, at, &cal).unwrap().unwrap();
        let y = handling_deadline(&d, Some(f64::from(hi)), None, at, &cal).unwrap().unwrap();
        prop_assert!(x > at && x <= y);
        prop_assert!(cal.is_working_day(x.to_offset(VN).date()));
    }
}
