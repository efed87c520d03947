//! The internal process designer's rules (TT 01/2018 Art. 8; domain.md §6, §1.5): parallel
//! liên thông groups count as their longest step toward the legal time, start together on a
//! dossier, each step keeps its own deadline, and the process moves on when the group is done.

mod common;

use common::*;
use motcua_domain::dossier::{Actor, Channel, Role};
use motcua_domain::process::{ProcessStep, StepUnit, total_time, validate_steps};
use proptest::prelude::*;
use time::macros::datetime;

/// The consulted agency of the fixtures.
const CONSULTED: &str = "SCT";

fn step(name: &str, role: Role, unit: StepUnit, days: f64, group: Option<&str>) -> ProcessStep {
    ProcessStep {
        name: name.into(),
        role,
        unit,
        days: Some(days),
        hours: None,
        parallel: group.map(Into::into),
        unit_code: (unit == StepUnit::Consulted).then(|| CONSULTED.to_owned()),
        optional: false,
    }
}

/// Reception, assignment, appraisal ∥ consultation (group "lt"), approval, return: 4 days when
/// the group counts as its longest step, 6 if it were summed.
fn consulting_steps() -> Vec<ProcessStep> {
    vec![
        step("Tiếp nhận", Role::Receiver, StepUnit::Center, 0.5, None),
        step("Phân công", Role::Leader, StepUnit::Agency, 0.5, None),
        step("Thẩm định", Role::Specialist, StepUnit::Agency, 2.0, Some("lt")),
        step("Lấy ý kiến Sở Công Thương", Role::Specialist, StepUnit::Consulted, 2.0, Some("lt")),
        step("Phê duyệt", Role::Leader, StepUnit::Agency, 0.5, None),
        step("Trả kết quả", Role::Receiver, StepUnit::Center, 0.5, None),
    ]
}

#[test]
fn a_parallel_group_counts_as_its_longest_step_toward_the_legal_time() {
    let steps = consulting_steps();
    assert_eq!(total_time(&steps).ok(), Some(days(4.0)));
    assert_eq!(validate_steps(&steps, days(4.0)), Ok(()));
    let err = validate_steps(&steps, days(3.5)).err().map(|e| e.code.as_str());
    assert_eq!(err, Some("process_exceeds_legal_time"));
}

#[test]
fn a_reception_step_cannot_run_in_parallel() {
    let mut steps = consulting_steps();
    steps[0].parallel = Some("lt".into());
    let err = validate_steps(&steps, days(30.0)).err().map(|e| e.code.as_str());
    assert_eq!(err, Some("receiver_step_in_parallel_group"));
}

#[test]
fn a_consultation_step_names_its_agency_and_only_it_does() {
    let mut steps = consulting_steps();
    steps[3].unit_code = None;
    assert_eq!(validate_steps(&steps, days(30.0)).err().map(|e| e.code.as_str()), Some("invalid_step_unit"));
    let mut steps = consulting_steps();
    steps[2].unit_code = Some(CONSULTED.into());
    assert_eq!(validate_steps(&steps, days(30.0)).err().map(|e| e.code.as_str()), Some("invalid_step_unit"));
}

#[test]
fn parallel_steps_start_together_and_the_process_moves_on_when_all_are_done() {
    let p = procedure_with(4.0, consulting_steps());
    let at = datetime!(2025-03-10 08:00 +7);
    let mut s = Story::submit_with(&p, Channel::Online, at);
    s.act(&receiver(), at, receive());
    s.act(&leader(), datetime!(2025-03-10 09:00 +7), assign("chuyenvien"));
    s.act(&leader(), datetime!(2025-03-10 09:00 +7), complete());
    assert_eq!(s.d.step, 2);
    assert_eq!(s.d.current_group(), 2..4);
    for i in 2..4 {
        assert_eq!(s.d.steps[i].started_at, Some(datetime!(2025-03-10 09:00 +7)), "step {i} started");
        assert!(s.d.steps[i].due_at.is_some(), "step {i} has its own deadline");
    }
    assert_eq!(s.d.steps[3].unit, CONSULTED);

    let consulted = officer("chuyenvien.sct", &[Role::Specialist], &[CONSULTED]);
    s.act(&consulted, datetime!(2025-03-11 09:00 +7), complete());
    assert!(s.d.steps[3].completed_at.is_some(), "the consulted agency finished its own step");
    assert!(s.d.steps[2].completed_at.is_none());
    assert_eq!(s.d.step, 2, "the group is still running");
    assert!(s.d.steps[4].started_at.is_none());

    s.act(&specialist(), datetime!(2025-03-12 09:00 +7), complete());
    assert_eq!(s.d.step, 4, "the approval step runs once the whole group is done");
    assert_eq!(s.d.steps[4].started_at, Some(datetime!(2025-03-12 09:00 +7)));
    assert_eq!(s.d.steps[3].completed_at, Some(datetime!(2025-03-11 09:00 +7)));
}

#[test]
fn a_supplementation_pause_moves_every_deadline_of_the_running_group() {
    let p = procedure_with(4.0, consulting_steps());
    let at = datetime!(2025-03-10 08:00 +7);
    let mut s = Story::submit_with(&p, Channel::Online, at);
    s.act(&receiver(), at, receive());
    s.act(&leader(), at, assign("chuyenvien"));
    s.act(&leader(), at, complete());
    let before: Vec<_> = s.d.steps[2..4].iter().map(|st| st.due_at).collect();
    s.act(&specialist(), datetime!(2025-03-10 09:00 +7), request_supplement());
    s.act(&Actor::Applicant, datetime!(2025-03-11 09:00 +7), supplement());
    let after: Vec<_> = s.d.steps[2..4].iter().map(|st| st.due_at).collect();
    for (b, a) in before.iter().zip(&after) {
        assert!(a > b, "a group deadline moved later by the pause: {b:?} → {a:?}");
    }
}

#[test]
fn an_officer_outside_the_group_cannot_complete_its_steps() {
    let p = procedure_with(4.0, consulting_steps());
    let at = datetime!(2025-03-10 08:00 +7);
    let mut s = Story::submit_with(&p, Channel::Online, at);
    s.act(&receiver(), at, receive());
    s.act(&leader(), at, complete());
    let err = s.refused(&other_specialist(), at, complete());
    assert_eq!(err.code, "forbidden");
    let err = s.refused(&leader(), at, complete());
    assert_eq!(err.code, "forbidden", "not even the leader completes a step in someone else's name");
    s.act(&specialist(), at, complete());
    assert_eq!(s.d.step, 2, "the consulted agency's step still runs");
    let consulted = officer("chuyenvien.sct", &[Role::Specialist], &[CONSULTED]);
    s.act(&consulted, at, complete());
    assert_eq!(s.d.step, 4);
}

#[test]
fn an_overdue_step_is_reported_while_the_dossier_is_on_time() {
    let p = procedure_with(4.0, consulting_steps());
    let at = datetime!(2025-03-10 08:00 +7);
    let mut s = Story::submit_with(&p, Channel::Online, at);
    s.act(&receiver(), at, receive());
    let now = datetime!(2025-03-11 16:00 +7);
    let overdue = s.d.overdue_steps(now);
    assert_eq!(overdue.iter().map(|st| st.name.as_str()).collect::<Vec<_>>(), vec!["Phân công"]);
    assert!(s.d.due_at.is_some_and(|d| d > now), "the dossier itself is on time");
    assert_eq!(s.d.next_step_deadline(), s.d.steps[1].due_at);
}

proptest! {
    /// Whatever the grouping, the counted time lies between the longest step and the plain sum,
    /// and equals the sum when nothing runs in parallel.
    #[test]
    fn the_counted_time_lies_between_the_longest_step_and_the_sum(
        spec in prop::collection::vec((1u8..=20, prop::option::of(0u8..3)), 1..8),
    ) {
        let steps: Vec<ProcessStep> = spec
            .iter()
            .map(|(q, g)| {
                let group = g.map(|g| format!("g{g}"));
                step("Bước", Role::Specialist, StepUnit::Agency, f64::from(*q) / 4.0, group.as_deref())
            })
            .collect();
        let sum: f64 = spec.iter().map(|(q, _)| f64::from(*q) / 4.0).sum();
        let longest = spec.iter().map(|(q, _)| f64::from(*q) / 4.0).fold(0.0, f64::max);
        let total = total_time(&steps).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(total <= days(sum));
        prop_assert!(total >= days(longest));
        if spec.iter().all(|(_, g)| g.is_none()) {
            prop_assert_eq!(total, days(sum));
        }
        prop_assert_eq!(validate_steps(&steps, total).is_ok(), true);
    }
}
