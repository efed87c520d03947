use proptest::prelude::*;
use time::macros::{date, datetime, offset};

use super::*;

fn officer(name: &str, grants: &[(&str, Role)]) -> Actor {
    Actor::Officer { username: name.into(), grants: grants.iter().map(|(u, r)| (UnitCode::trusted(*u), *r)).collect() }
}

fn submission() -> Submission {
    Submission {
        subject_kind: SubjectKind::Procedure,
        subject_ref: Some("1.000001".into()),
        title: "Thời hạn cấp giấy chứng nhận quá dài".into(),
        content: "Tôi là Nguyễn Văn An, CCCD 091234567890, SĐT 0912345678, chờ quá lâu.".into(),
        submitter: Submitter {
            name: "Nguyễn Văn An".into(), phone: Some("0912345678".into()), ..Default::default()
        },
        reraise_of: None,
        location: None,
    }
}

fn new_at(at: OffsetDateTime) -> Feedback {
    Feedback::submit(
        "FB-260210-0001".into(),
        crate::ids::UnitCode::parse("C1").unwrap(),
        submission(),
        at,
        &Calendar::vietnam_default(),
        &FeedbackRules::default(),
    )
    .unwrap()
    .0
}

/// `decide` on the default calendar and rules.
fn try_decide(fb: &Feedback, actor: &Actor, cmd: Command, at: OffsetDateTime) -> Result<Event, DomainError> {
    decide(fb, actor, cmd, at, &Calendar::vietnam_default(), &FeedbackRules::default())
}

fn step(fb: &mut Feedback, actor: &Actor, cmd: Command, at: OffsetDateTime) -> Result<(), DomainError> {
    let e = try_decide(fb, actor, cmd, at)?;
    fb.apply(&e);
    Ok(())
}

#[test]
fn a_feedback_goes_from_submission_to_publication_across_tet_on_time() {
    let receiver = officer("tiepnhan", &[("C1", Role::Receiver)]);
    let specialist = officer("chuyenvien", &[("A1", Role::Specialist)]);
    let leader = officer("lanhdao", &[("A1", Role::Leader)]);
    let mut fb = new_at(datetime!(2026-02-10 09:00 +7));
    // Accept by the second working day: 10/2 09:00 + 2 days = 12/2 09:00.
    assert_eq!(fb.due.accept, datetime!(2026-02-12 09:00 +7));
    // Answer: 15 working days skip Tết (14–22/2).
    assert_eq!(fb.due.answer.to_offset(offset!(+7)).date(), date!(2026 - 03 - 10));
    step(&mut fb, &receiver, Command::Accept, datetime!(2026-02-11 08:00 +7)).unwrap();
    let assign = Command::Assign { unit: "A1".into(), category: Category::RulesProcedures };
    step(&mut fb, &receiver, assign, datetime!(2026-02-11 09:00 +7)).unwrap();
    assert_eq!(fb.current_deadline().unwrap().0, Stage::Answer);
    // During Tết nothing is late even though many calendar days pass.
    assert!(!fb.overdue_at(datetime!(2026-02-22 20:00 +7)));
    step(
        &mut fb,
        &specialist,
        Command::Answer { answer: "Ông Nguyễn Văn An (0912345678) sẽ nhận kết quả.".into() },
        datetime!(2026-03-02 10:00 +7),
    )
    .unwrap();
    step(&mut fb, &leader, Command::Approve, datetime!(2026-03-03 10:00 +7)).unwrap();
    assert_eq!(fb.due.publish, Some(datetime!(2026-03-05 10:00 +7)));
    step(&mut fb, &receiver, Command::Publish, datetime!(2026-03-04 10:00 +7)).unwrap();
    assert_eq!(fb.status, Status::Published);
    assert_eq!(fb.public_answer.as_deref(), Some("Ông [đã ẩn] ([đã ẩn]) sẽ nhận kết quả."));
    assert!(fb.on_time_at(datetime!(2026-06-01 00:00 +7)));
    assert!(!fb.overdue_at(datetime!(2026-06-01 00:00 +7)));
    assert_eq!(fb.version, 6);
}

#[test]
fn a_feedback_not_accepted_within_two_working_days_is_overdue_and_late() {
    let fb = new_at(datetime!(2026-04-29 09:00 +7));
    // 29/4 from 09:00, all of 4/5 (30/4, 1/5 and the weekend are days off), then 2 hours of 5/5.
    assert_eq!(fb.due.accept, datetime!(2026-05-05 09:00 +7));
    assert!(!fb.overdue_at(datetime!(2026-05-03 12:00 +7)));
    assert!(fb.due_soon(datetime!(2026-05-04 12:00 +7), time::Duration::days(2)));
    assert!(fb.overdue_at(datetime!(2026-05-05 09:01 +7)));
    assert!(!fb.on_time_at(datetime!(2026-05-06 09:00 +7)));
}

#[test]
fn roles_are_checked_per_unit() {
    let mut fb = new_at(datetime!(2026-03-02 09:00 +7));
    let specialist = officer("chuyenvien", &[("A1", Role::Specialist)]);
    let other = officer("khac", &[("A2", Role::Specialist), ("A2", Role::Leader)]);
    let receiver = officer("tiepnhan", &[("C1", Role::Receiver)]);
    let t0 = fb.submitted_at;
    assert_eq!(
        try_decide(&fb, &specialist, Command::Accept, fb.submitted_at).unwrap_err().kind,
        crate::ErrorKind::Forbidden
    );
    step(&mut fb, &receiver, Command::Assign { unit: "A1".into(), category: Category::OfficialConduct }, t0).unwrap();
    let answer = Command::Answer { answer: "Trả lời".into() };
    assert_eq!(try_decide(&fb, &other, answer.clone(), fb.submitted_at).unwrap_err().kind, crate::ErrorKind::Forbidden);
    step(&mut fb, &specialist, answer, t0).unwrap();
    // A specialist cannot approve; the leader of another unit neither.
    assert!(try_decide(&fb, &specialist, Command::Approve, fb.submitted_at).is_err());
    assert!(try_decide(&fb, &other, Command::Approve, fb.submitted_at).is_err());
    // Only the submitter supplies information, and only when asked.
    assert_eq!(
        try_decide(&fb, &Actor::Applicant, Command::SupplyInfo { text: "x".into() }, fb.submitted_at).unwrap_err().kind,
        crate::ErrorKind::Unprocessable
    );
}

#[test]
fn bad_submissions_are_refused() {
    let mut s = submission();
    s.title = " ".into();
    assert!(s.validate().is_err());
    let mut s = submission();
    s.submitter.email = Some("khong-hop-le".into());
    assert!(s.validate().is_err());
    let mut s = submission();
    s.submitter.id_number = Some("12345".into());
    assert!(s.validate().is_err());
    let mut s = submission();
    s.location = Some(Location { lat: Some(120.0), long: None, address: None });
    assert!(s.validate().is_err());
    assert!(submission().validate().is_ok());
}

#[test]
fn public_text_hides_the_submitter_and_a_named_officer() {
    let mut fb = new_at(datetime!(2026-03-02 09:00 +7));
    fb.submission.subject_kind = SubjectKind::Officer;
    fb.submission.subject_ref = Some("Trần Thị Bình".into());
    fb.submission.content = "Cán bộ Trần Thị Bình gây khó dễ cho Nguyễn Văn An, email an@example.vn".into();
    assert_eq!(fb.public_content(), "Cán bộ [đã ẩn] gây khó dễ cho [đã ẩn], email [đã ẩn]");
}

fn any_command() -> impl Strategy<Value = (u8, Command)> {
    let cmd = prop_oneof![
        Just(Command::Accept),
        Just(Command::Reject { reason: "Thiếu thông tin".into() }),
        Just(Command::Assign { unit: "A1".into(), category: Category::RulesProcedures }),
        Just(Command::Forward { to: "Bộ Tư pháp".into(), reason: "Ngoài thẩm quyền".into() }),
        Just(Command::RequestInfo { question: "Xin số hồ sơ".into() }),
        Just(Command::SupplyInfo { text: "Hồ sơ 000.00.00.H01-260301-0001".into() }),
        Just(Command::Answer { answer: "Trả lời cho Nguyễn Văn An".into() }),
        Just(Command::Return { reason: "Chưa đủ".into() }),
        Just(Command::Approve),
        Just(Command::Publish),
    ];
    (0u8..4, cmd)
}

proptest! {
    #[test]
    fn random_command_sequences_keep_the_invariants(
        start_day in 0i64..400,
        cmds in proptest::collection::vec((any_command(), 0i64..200_000), 0..25),
    ) {
        let cal = Calendar::vietnam_default();
        let actors = [
            officer("tiepnhan", &[("C1", Role::Receiver)]),
            officer("chuyenvien", &[("A1", Role::Specialist)]),
            officer("lanhdao", &[("A1", Role::Leader)]),
            Actor::Applicant,
        ];
        let mut at = datetime!(2025-06-01 08:00 +7) + time::Duration::days(start_day);
        let (mut fb, first) = Feedback::submit(
            "FB-260210-0001".into(), crate::ids::UnitCode::parse("C1").unwrap(), submission(), at, &cal, &FeedbackRules::default(),
        ).unwrap();
        let mut history = vec![first];
        prop_assert!(fb.due.accept <= fb.due.forward && fb.due.forward <= fb.due.answer);
        prop_assert!(fb.due.accept > fb.submitted_at);
        for ((who, cmd), gap) in cmds {
            at += time::Duration::seconds(gap);
            let before = fb.clone();
            match decide(&fb, &actors[who as usize], cmd, at, &cal, &FeedbackRules::default()) {
                Ok(e) => {
                    prop_assert!(!before.status.is_final());
                    fb.apply(&e);
                    history.push(e);
                    prop_assert_eq!(fb.version, before.version + 1);
                }
                Err(_) => prop_assert_eq!(&fb, &before),
            }
            // Invariants of the projection.
            prop_assert_eq!(fb.status.is_final(), fb.closed_at.is_some());
            prop_assert_eq!(fb.current_deadline().is_none(), fb.status.is_final());
            if fb.status == Status::Published {
                prop_assert!(fb.approved_at.is_some() && fb.answered_at.is_some() && fb.unit.is_some());
                let p = fb.public_answer.clone().unwrap();
                prop_assert!(!p.contains("Nguyễn Văn An"));
            }
            if let Some(p) = fb.due.publish { prop_assert!(p > fb.approved_at.unwrap()); }
            if matches!(fb.status, Status::Answered | Status::Approved) { prop_assert!(fb.answer.is_some()); }
        }
        // Replaying the history alone (no calendar, no clock) gives the same item, also after a
        // round trip through the stored JSON of each event.
        let stored: Vec<Event> = history.iter()
            .map(|e| serde_json::from_str(&serde_json::to_string(e).unwrap()).unwrap())
            .collect();
        prop_assert_eq!(crate::record::replay::<Feedback>(&stored).unwrap(), Some(fb));
    }
}
