//! Liên thông (issue 7 part 4): a consulted step goes to another agency as an edXML package and
//! its answer completes it. The dossier stays in processing meanwhile, its legal due instant and
//! history are untouched, and a result delivered twice is recorded once.

mod common;

use common::{Story, calendar, leader, procedure_with, receiver};
use motcua_domain::dossier::actions::Ctx;
use motcua_domain::dossier::actions::receive_agency_result::{self, ReceiveAgencyResult};
use motcua_domain::dossier::actions::send_to_agency::{self, SendToAgency};
use motcua_domain::dossier::event::{Event, apply};
use motcua_domain::dossier::{Actor, ResultAttachment, Role, Status};
use motcua_domain::process::{ProcessStep, StepUnit};
use time::OffsetDateTime;
use time::macros::datetime;

const AT: OffsetDateTime = datetime!(2026-03-02 08:00 +07:00);

fn step(name: &str, role: Role, unit: StepUnit, days: f64, code: Option<&str>) -> ProcessStep {
    ProcessStep {
        name: name.into(),
        role,
        unit,
        days: Some(days),
        hours: None,
        parallel: None,
        unit_code: code.map(str::to_owned),
        optional: false,
    }
}

/// Received, assigned, the leader's step completed, and at the consulted step (index 2, the tax
/// office).
fn at_consulted_step() -> Story {
    let steps = vec![
        step("Tiếp nhận", Role::Receiver, StepUnit::Center, 0.5, None),
        step("Phân công", Role::Leader, StepUnit::Agency, 0.5, None),
        step("Lấy ý kiến Chi cục Thuế", Role::Specialist, StepUnit::Consulted, 2.0, Some("THUE")),
        step("Phê duyệt", Role::Leader, StepUnit::Agency, 0.5, None),
        step("Trả kết quả", Role::Receiver, StepUnit::Center, 0.5, None),
    ];
    let mut s = Story::submit_with(&procedure_with(4.0, steps), motcua_domain::dossier::Channel::Online, AT);
    s.act(&receiver(), AT, common::receive());
    s.act(&leader(), AT + time::Duration::hours(1), common::assign("chuyenvien"));
    s.act(&leader(), AT + time::Duration::hours(1), common::complete());
    assert_eq!(s.d.current_step().unwrap().name, "Lấy ý kiến Chi cục Thuế");
    s
}

fn record(s: &mut Story, e: Event) {
    s.d = apply(Some(s.d.clone()), &e).unwrap();
    s.events.push(e);
}

fn send(s: &Story, at: OffsetDateTime) -> Result<Event, motcua_domain::DomainError> {
    let input = SendToAgency {
        step: s.d.step,
        organ_id: "000.00.12.H08".into(),
        document_id: "000.01.01.H08,2026/03/02,7/LT".into(),
        package_id: "p-1".into(),
    };
    send_to_agency::decide(&s.d, &input, &Ctx { calendar: &calendar(), at, actor: &Actor::System })
}

fn result(s: &Story, at: OffsetDateTime) -> Result<Event, motcua_domain::DomainError> {
    let input = ReceiveAgencyResult {
        sent_document_id: "000.01.01.H08,2026/03/02,7/LT".into(),
        document_id: "000.00.12.H08,2026/03/03,15/KQ".into(),
        package_id: "p-in-9".into(),
        note: "Đã xác định nghĩa vụ tài chính".into(),
        attachments: vec![ResultAttachment {
            name: "thong-bao-thue.pdf".into(),
            content_type: "application/pdf".into(),
            sha256: "ab".repeat(32),
        }],
    };
    receive_agency_result::decide(&s.d, &input, &Ctx { calendar: &calendar(), at, actor: &Actor::System })
}

#[test]
fn a_step_sent_to_another_agency_waits_while_the_legal_deadline_keeps_running() {
    let mut s = at_consulted_step();
    let (due, appointment, step) = (s.d.due_at, s.d.appointment_at, s.d.step);
    let e = send(&s, AT + time::Duration::hours(2)).unwrap();
    assert_eq!(e.data.action(), "sent_to_agency");
    record(&mut s, e);
    assert_eq!(s.d.status, Status::InProgress, "never closed while the agency works");
    assert_eq!((s.d.due_at, s.d.appointment_at, s.d.step), (due, appointment, step));
    let waiting = &s.d.steps[step];
    assert!(waiting.completed_at.is_none());
    assert_eq!(waiting.exchange.as_ref().unwrap().package_id, "p-1");
    assert_eq!(s.replayed(), s.d);
    // Sending the same step twice is refused.
    assert_eq!(send(&s, AT + time::Duration::hours(3)).unwrap_err().code, "step_already_sent");
}

#[test]
fn the_agency_result_completes_the_step_keeps_the_deadline_and_is_recorded_once() {
    let mut s = at_consulted_step();
    let (due, step) = (s.d.due_at, s.d.step);
    let e = send(&s, AT + time::Duration::hours(2)).unwrap();
    record(&mut s, e);
    let at = AT + time::Duration::days(1);
    let e = result(&s, at).unwrap();
    assert_eq!(e.data.action(), "agency_result_received");
    record(&mut s, e);
    let done = &s.d.steps[step];
    assert_eq!(done.completed_at, Some(at));
    let r = done.exchange.as_ref().unwrap().result.as_ref().unwrap();
    assert_eq!(r.attachments.len(), 1);
    assert_eq!(s.d.step, step + 1, "the process moved to the next step");
    assert!(s.d.steps[step + 1].due_at.is_some());
    assert_eq!(s.d.due_at, due, "the legal due instant is untouched");
    assert_eq!(s.d.status, Status::InProgress);
    assert_eq!(s.events.len(), 6, "create, receive, assign, step, sent, result: history intact");
    assert_eq!(s.replayed(), s.d);
    // The same result delivered again is refused (and the caller treats it as done).
    assert_eq!(result(&s, at + time::Duration::hours(1)).unwrap_err().code, "agency_result_already_received");
}

#[test]
fn only_the_system_records_liên_thông_and_an_unknown_answer_is_refused() {
    let s = at_consulted_step();
    let input = SendToAgency { step: s.d.step, organ_id: "X".into(), document_id: "D".into(), package_id: "P".into() };
    let err = send_to_agency::decide(&s.d, &input, &Ctx { calendar: &calendar(), at: AT, actor: &leader() });
    assert_eq!(err.unwrap_err().code, "forbidden");
    assert_eq!(result(&s, AT).unwrap_err().code, "no_step_waiting");
    // A step that is not running cannot go out.
    let input = SendToAgency { step: 4, ..input };
    let err = send_to_agency::decide(&s.d, &input, &Ctx { calendar: &calendar(), at: AT, actor: &Actor::System });
    assert_eq!(err.unwrap_err().code, "step_not_running");
}
