//! Deadlines of a dossier and its early / on-time / late classification (domain.md Decisions 2–6,
//! §2.3–§2.4): supplementation pauses, the one extension, and the single `classify` function.
//! The fixture procedure takes 3 working days; a dossier received Monday 10 March 2025 at 10:00
//! is due Thursday 13 March at 10:00.

mod common;

use common::*;
use motcua_domain::ErrorKind;
use motcua_domain::calendar::WorkingTime;
use motcua_domain::dossier::Actor;
use motcua_domain::dossier::Status;
use motcua_domain::dossier::timeliness::{Timeliness, classify, classify_instant};
use time::macros::datetime;
use time::{OffsetDateTime, UtcOffset};

/// Far after every instant used here.
const LATER: OffsetDateTime = datetime!(2030-01-01 00:00 +7);
const MONDAY_10: OffsetDateTime = datetime!(2025-03-10 10:00 +7);
const DUE: OffsetDateTime = datetime!(2025-03-13 10:00 +7);

fn received_monday() -> Story {
    let s = Story::received(MONDAY_10);
    assert_eq!(s.d.due_at, Some(DUE));
    s
}

/// A dossier received at `received`, paused from `asked` to `answered`; checks that the due
/// instant moved later by exactly the paused working time and returns (old due, new due).
fn paused(received: OffsetDateTime, asked: OffsetDateTime, answered: OffsetDateTime) -> (Story, OffsetDateTime) {
    let mut s = Story::received(received);
    let before = s.d.due_at.unwrap_or_else(|| panic!("no due instant"));
    s.act(&specialist(), asked, request_supplement());
    assert_eq!(s.d.status, Status::SupplementRequested);
    assert_eq!(s.d.paused_since, Some(asked));
    assert_eq!(s.d.due_at, Some(before), "the due instant moves only when the pause ends");
    s.act(&Actor::Applicant, answered, supplement());
    assert_eq!(s.d.status, Status::InProgress);
    assert_eq!(s.d.paused_since, None);
    let pause = s.cal.between(asked, answered);
    assert_eq!(s.d.paused, pause);
    let after = s.d.due_at.unwrap_or_else(|| panic!("no due instant"));
    assert_eq!(s.cal.between(before, after), pause, "moved by exactly the paused working time");
    assert_eq!(after, s.cal.add(before, pause));
    assert_eq!(s.d.appointment_at, Some(after));
    (s, before)
}

#[test]
fn a_supplementation_request_at_reception_does_not_start_the_clock() {
    let mut s = Story::online(datetime!(2025-03-10 08:00 +7));
    let d = s.act(&receiver(), datetime!(2025-03-10 08:30 +7), request_supplement());
    assert_eq!(d.status, Status::SupplementRequested);
    assert_eq!((d.received_at, d.clock_started_at, d.due_at, d.paused_since), (None, None, None, None));
    assert_eq!((d.reception_supplements, d.supplement_rounds), (1, 0));
    assert_eq!(d.holder_unit(), Some(CENTER));
    let d = s.act(&Actor::Applicant, datetime!(2025-03-12 10:00 +7), supplement());
    assert_eq!(d.status, Status::Submitted);
    assert_eq!(d.paused, WorkingTime::ZERO);
    assert_eq!(d.documents.len(), 2);
    let d = s.act(&receiver(), datetime!(2025-03-12 14:00 +7), receive());
    assert_eq!(d.clock_started_at, Some(datetime!(2025-03-12 14:00 +7)));
    // Wednesday 14:00 + 24 h: 3 + 8 + 8 h to Friday night, then Monday 07:00–11:00, 13:00–14:00.
    assert_eq!(d.due_at, Some(datetime!(2025-03-17 14:00 +7)));
    assert_eq!((d.reception_supplements, d.supplement_rounds), (1, 0));
    assert_eq!(classify(d, datetime!(2025-03-17 13:00 +7)), None);
}

#[test]
fn a_pause_during_processing_moves_the_due_instant_by_the_working_time_paused_across_a_weekend() {
    // Received Thursday 13/3 10:00: due Tuesday 18/3 10:00. Paused Friday 15:00 → Monday 09:00:
    // 2 h on Friday and 2 h on Monday, the weekend does not count.
    let (s, before) =
        paused(datetime!(2025-03-13 10:00 +7), datetime!(2025-03-14 15:00 +7), datetime!(2025-03-17 09:00 +7));
    assert_eq!(before, datetime!(2025-03-18 10:00 +7));
    assert_eq!(s.d.paused, hours(4.0));
    assert_eq!(s.d.due_at, Some(datetime!(2025-03-18 16:00 +7)));
    assert_eq!(s.d.supplement_rounds, 1);
}

#[test]
fn a_pause_across_tet_2026_counts_only_the_working_hours_around_it() {
    // Tết Bính Ngọ: no office hours from Saturday 14/2 to Sunday 22/2/2026.
    // Received Thursday 12/2 09:00: due Tuesday 24/2 09:00 (6 + 8 h before Tết, 8 + 2 h after).
    // Paused Friday 13/2 14:00 → Monday 23/2 08:00: 3 h before Tết and 1 h after.
    let (s, before) =
        paused(datetime!(2026-02-12 09:00 +7), datetime!(2026-02-13 14:00 +7), datetime!(2026-02-23 08:00 +7));
    assert_eq!(before, datetime!(2026-02-24 09:00 +7));
    assert_eq!(s.d.paused, hours(4.0));
    assert_eq!(s.d.due_at, Some(datetime!(2026-02-24 15:00 +7)));
}

#[test]
fn a_pause_across_national_day_2025_skips_the_holiday_break() {
    // Quốc khánh: Saturday 30/8 to Tuesday 2/9/2025 off. Received Thursday 28/8 10:00: due
    // Thursday 4/9 10:00. Paused Friday 29/8 16:00 → Wednesday 3/9 08:00: 1 h + 1 h.
    let (s, before) =
        paused(datetime!(2025-08-28 10:00 +7), datetime!(2025-08-29 16:00 +7), datetime!(2025-09-03 08:00 +7));
    assert_eq!(before, datetime!(2025-09-04 10:00 +7));
    assert_eq!(s.d.paused, hours(2.0));
    assert_eq!(s.d.due_at, Some(datetime!(2025-09-04 14:00 +7)));
}

#[test]
fn a_pause_entirely_outside_office_hours_does_not_move_the_due_instant() {
    let (s, before) = paused(MONDAY_10, datetime!(2025-03-14 17:30 +7), datetime!(2025-03-16 20:00 +7));
    assert_eq!(s.d.paused, WorkingTime::ZERO);
    assert_eq!(s.d.due_at, Some(before));
}

#[test]
fn the_running_step_deadline_moves_with_the_pause() {
    let mut s = received_monday();
    s.act(&leader(), datetime!(2025-03-10 10:30 +7), complete());
    let step_due = s.d.steps[2].due_at;
    assert_eq!(step_due, Some(s.cal.add(datetime!(2025-03-10 10:30 +7), days(1.5))));
    s.act(&specialist(), datetime!(2025-03-11 08:00 +7), request_supplement());
    s.act(&receiver(), datetime!(2025-03-11 10:00 +7), supplement());
    assert_eq!(s.d.paused, hours(2.0));
    assert_eq!(s.d.steps[2].due_at, step_due.map(|t| s.cal.add(t, hours(2.0))));
}

#[test]
fn a_dossier_finished_after_its_original_due_but_within_the_paused_time_is_on_time() {
    let (mut s, before) = paused(MONDAY_10, datetime!(2025-03-11 09:00 +7), datetime!(2025-03-12 09:00 +7));
    assert_eq!(before, DUE);
    // Paused 8 h: due Friday 14/3 10:00.
    assert_eq!(s.d.due_at, Some(datetime!(2025-03-14 10:00 +7)));
    s.approve_at(datetime!(2025-03-14 09:00 +7));
    assert_eq!(classify(&s.d, LATER), Some(Timeliness::OnTime));
}

#[test]
fn two_supplementation_rounds_during_processing_make_the_dossier_late_even_when_finished_early() {
    let mut s = received_monday();
    s.act(&specialist(), datetime!(2025-03-10 11:00 +7), request_supplement());
    s.act(&Actor::Applicant, datetime!(2025-03-10 13:00 +7), supplement());
    s.act(&specialist(), datetime!(2025-03-10 14:00 +7), request_supplement());
    s.act(&Actor::Applicant, datetime!(2025-03-10 15:00 +7), supplement());
    assert_eq!(s.d.supplement_rounds, 2);
    let d = s.approve_at(datetime!(2025-03-10 16:00 +7));
    assert!(d.finished_at < d.due_at);
    assert_eq!(classify_instant(datetime!(2025-03-10 16:00 +7), DUE), Timeliness::Early);
    assert_eq!(classify(d, LATER), Some(Timeliness::Late));
}

#[test]
fn one_round_at_reception_and_one_during_processing_is_not_two_rounds() {
    let mut s = Story::online(datetime!(2025-03-10 08:00 +7));
    s.act(&receiver(), datetime!(2025-03-10 08:30 +7), request_supplement());
    s.act(&Actor::Applicant, datetime!(2025-03-10 09:00 +7), supplement());
    s.act(&receiver(), MONDAY_10, receive());
    s.act(&specialist(), datetime!(2025-03-10 11:00 +7), request_supplement());
    s.act(&Actor::Applicant, datetime!(2025-03-10 13:00 +7), supplement());
    let d = s.approve_at(datetime!(2025-03-11 09:00 +7));
    assert_eq!((d.reception_supplements, d.supplement_rounds), (1, 1));
    assert_eq!(classify(d, LATER), Some(Timeliness::Early));
}

#[test]
fn an_extension_is_allowed_once_and_moves_only_the_appointment() {
    let mut s = received_monday();
    let new_due = datetime!(2025-03-17 17:00 +7);
    let d = s.act(&leader(), datetime!(2025-03-11 10:00 +7), extend(new_due));
    assert_eq!(d.appointment_at, Some(new_due));
    assert_eq!(d.due_at, Some(DUE), "the legal due instant stays");
    let x = d.extension.clone().unwrap_or_else(|| panic!("no extension"));
    assert_eq!((x.new_due_at, x.at), (new_due, datetime!(2025-03-11 10:00 +7)));
    assert_eq!(x.new_due_at.offset(), UtcOffset::UTC, "stored in UTC");
    let e = s.refused(&leader(), datetime!(2025-03-11 11:00 +7), extend(datetime!(2025-03-20 17:00 +7)));
    assert_eq!((e.code.as_str(), e.kind), ("already_extended", ErrorKind::Unprocessable));
}

#[test]
fn an_extension_must_be_requested_at_least_one_working_day_before_the_due_instant() {
    let s = received_monday();
    let new_due = datetime!(2025-03-17 17:00 +7);
    // Wednesday 10:00 is exactly 8 working hours before Thursday 10:00.
    assert!(s.attempt(&leader(), datetime!(2025-03-12 10:00 +7), &extend(new_due)).is_ok());
    for late in [datetime!(2025-03-12 10:01 +7), datetime!(2025-03-12 16:00 +7), DUE, datetime!(2025-03-14 09:00 +7)] {
        let e = s.refused(&leader(), late, extend(new_due));
        assert_eq!((e.code.as_str(), e.kind), ("extension_too_late", ErrorKind::Unprocessable), "{late}");
    }
}

#[test]
fn the_one_working_day_before_the_due_instant_is_counted_in_office_hours() {
    // Due Monday 17/3 10:00 (received Wednesday 12/3 10:00): Friday 09:00 is 9 working hours before
    // (Friday 2 + 4 h, Monday 3 h), Friday 13:30 only 6.5 h: the weekend does not count.
    let s = Story::received(datetime!(2025-03-12 10:00 +7));
    assert_eq!(s.d.due_at, Some(datetime!(2025-03-17 10:00 +7)));
    let new_due = datetime!(2025-03-20 17:00 +7);
    assert!(s.attempt(&leader(), datetime!(2025-03-14 09:00 +7), &extend(new_due)).is_ok());
    assert_eq!(s.refused(&leader(), datetime!(2025-03-14 13:30 +7), extend(new_due)).code, "extension_too_late");
}

#[test]
fn a_new_appointment_must_be_later_than_the_current_one() {
    let s = received_monday();
    let at = datetime!(2025-03-11 09:00 +7);
    for bad in [DUE, datetime!(2025-03-12 17:00 +7), DUE.to_offset(UtcOffset::UTC)] {
        let e = s.refused(&leader(), at, extend(bad));
        assert_eq!((e.code.as_str(), e.kind), ("invalid_new_due_at", ErrorKind::Invalid), "{bad}");
    }
    assert!(s.attempt(&leader(), at, &extend(DUE + time::Duration::SECOND)).is_ok());
    let no_reason = motcua_domain::dossier::actions::Action::Extend(motcua_domain::dossier::actions::extend::Extend {
        new_due_at: datetime!(2025-03-20 17:00 +7),
        reason: String::new(),
    });
    assert_eq!(s.refused(&leader(), at, no_reason).code, "reason_required");
}

#[test]
fn an_extended_dossier_finished_after_its_original_due_is_late() {
    let mut s = received_monday();
    s.act(&leader(), datetime!(2025-03-11 10:00 +7), extend(datetime!(2025-03-17 17:00 +7)));
    let d = s.approve_at(datetime!(2025-03-14 09:00 +7));
    assert!(d.finished_at < d.appointment_at, "kept the new appointment");
    assert_eq!(classify(d, LATER), Some(Timeliness::Late), "an apologised dossier is a late dossier");
}

#[test]
fn a_pause_after_an_extension_moves_the_appointment_and_the_due_instant_alike() {
    let mut s = received_monday();
    let new_due = datetime!(2025-03-17 17:00 +7);
    s.act(&leader(), datetime!(2025-03-10 11:00 +7), extend(new_due));
    s.act(&specialist(), datetime!(2025-03-11 09:00 +7), request_supplement());
    s.act(&Actor::Applicant, datetime!(2025-03-11 11:00 +7), supplement());
    assert_eq!(s.d.paused, hours(2.0));
    assert_eq!(s.d.due_at, Some(s.cal.add(DUE, hours(2.0))));
    // Monday 17:00 + 2 h: Tuesday 09:00.
    assert_eq!(s.d.appointment_at, Some(datetime!(2025-03-18 09:00 +7)));
}

#[test]
fn finishing_after_the_due_instant_is_late_before_its_date_early_and_on_its_date_on_time() {
    let at = |t: OffsetDateTime| {
        let mut s = received_monday();
        s.approve_at(t);
        classify(&s.d, LATER)
    };
    assert_eq!(at(datetime!(2025-03-13 10:00:01 +7)), Some(Timeliness::Late));
    assert_eq!(at(datetime!(2025-03-14 08:00 +7)), Some(Timeliness::Late));
    assert_eq!(at(DUE), Some(Timeliness::OnTime), "exactly at the due instant");
    assert_eq!(at(datetime!(2025-03-13 07:00 +7)), Some(Timeliness::OnTime));
    assert_eq!(at(datetime!(2025-03-12 16:59 +7)), Some(Timeliness::Early));
    assert_eq!(at(datetime!(2025-03-12 23:59:59 +7)), Some(Timeliness::Early));
    assert_eq!(at(datetime!(2025-03-10 10:30 +7)), Some(Timeliness::Early));
}

#[test]
fn early_is_judged_on_the_vietnamese_calendar_date_not_the_utc_date() {
    // Thursday 06:30 in Vietnam is still Wednesday in UTC: same local date as the due instant.
    let finish = datetime!(2025-03-13 06:30 +7);
    assert!(finish.to_offset(UtcOffset::UTC).date() < DUE.to_offset(UtcOffset::UTC).date());
    assert_eq!(classify_instant(finish, DUE), Timeliness::OnTime);
    assert_eq!(classify_instant(finish.to_offset(UtcOffset::UTC), DUE.to_offset(UtcOffset::UTC)), Timeliness::OnTime);
    // Wednesday 23:30 in Vietnam is Wednesday in UTC too, and a day before: early.
    assert_eq!(classify_instant(datetime!(2025-03-12 23:30 +7), DUE), Timeliness::Early);
    // A due instant written in another offset is still read in Vietnam's time.
    let due_late_evening =
        datetime!(2025-03-13 17:00 +7).to_offset(UtcOffset::from_hms(-5, 0, 0).unwrap_or(UtcOffset::UTC));
    assert_eq!(classify_instant(datetime!(2025-03-13 08:00 +7), due_late_evening), Timeliness::OnTime);
}

#[test]
fn the_finish_instant_is_the_approval_not_the_return() {
    let mut s = received_monday();
    s.approve_at(datetime!(2025-03-13 09:00 +7));
    let d = s.act(&receiver(), datetime!(2025-03-20 09:00 +7), return_result(true));
    assert_eq!(d.finished_at, Some(datetime!(2025-03-13 09:00 +7)));
    assert_eq!(classify(d, LATER), Some(Timeliness::OnTime));
}

#[test]
fn refused_and_never_received_dossiers_are_not_classified() {
    let mut refused = Story::online(datetime!(2025-03-10 08:00 +7));
    refused.act(&receiver(), datetime!(2025-03-10 09:00 +7), refuse());
    assert_eq!(classify(&refused.d, LATER), None);
    let mut withdrawn = Story::online(datetime!(2025-03-10 08:00 +7));
    withdrawn.act(&Actor::Applicant, datetime!(2025-03-20 09:00 +7), withdraw());
    assert_eq!(withdrawn.d.finished_at, None);
    assert_eq!(classify(&withdrawn.d, LATER), None);
    let mut asked = Story::online(datetime!(2025-03-10 08:00 +7));
    asked.act(&receiver(), datetime!(2025-03-10 09:00 +7), request_supplement());
    asked.act(&Actor::Applicant, datetime!(2025-03-25 09:00 +7), withdraw());
    assert_eq!(classify(&asked.d, LATER), None);
    let waiting = Story::online(datetime!(2025-03-10 08:00 +7));
    assert_eq!(classify(&waiting.d, LATER), None, "submitted and never received");
}

#[test]
fn a_dossier_withdrawn_after_reception_counts_with_its_withdrawal_instant() {
    let at = |t: OffsetDateTime| {
        // The one-stop stops it (the applicant's own online request waits for that; NĐ 118/2025
        // Art. 21).
        let mut s = received_monday();
        let d = s.act(&receiver(), t, withdraw());
        assert_eq!(d.finished_at, Some(t));
        classify(d, LATER)
    };
    assert_eq!(at(datetime!(2025-03-11 09:00 +7)), Some(Timeliness::Early));
    assert_eq!(at(datetime!(2025-03-13 09:00 +7)), Some(Timeliness::OnTime));
    assert_eq!(at(datetime!(2025-03-14 09:00 +7)), Some(Timeliness::Late));
}

#[test]
fn a_rejected_dossier_counts_with_its_rejection_instant() {
    let mut s = received_monday();
    let d = s.act(&leader(), datetime!(2025-03-12 09:00 +7), reject());
    assert_eq!(d.status, Status::Rejected);
    assert_eq!(d.finished_at, Some(datetime!(2025-03-12 09:00 +7)));
    assert_eq!(classify(d, LATER), Some(Timeliness::Early));
}

#[test]
fn an_unfinished_dossier_is_late_once_the_as_of_instant_passes_its_due_instant() {
    let s = received_monday();
    assert_eq!(classify(&s.d, datetime!(2025-03-12 09:00 +7)), None, "still running");
    assert_eq!(classify(&s.d, DUE), None, "not past due at the due instant itself");
    assert_eq!(classify(&s.d, datetime!(2025-03-13 10:00:01 +7)), Some(Timeliness::Late));
    assert_eq!(classify(&s.d, datetime!(2025-03-31 23:59:59 +7)), Some(Timeliness::Late), "end of March report");
}

#[test]
fn a_dossier_finished_after_the_reporting_period_is_judged_by_the_period_end() {
    let mut s = received_monday();
    s.approve_at(datetime!(2025-04-02 09:00 +7));
    // March report: unfinished at the end of March and past due.
    assert_eq!(classify(&s.d, datetime!(2025-03-31 23:59:59 +7)), Some(Timeliness::Late));
    // A report ending before the due instant: still running.
    assert_eq!(classify(&s.d, datetime!(2025-03-12 23:59:59 +7)), None);
    let mut s = received_monday();
    s.approve_at(datetime!(2025-03-12 09:00 +7));
    assert_eq!(classify(&s.d, datetime!(2025-03-11 23:59:59 +7)), None, "finished after that report");
    assert_eq!(classify(&s.d, datetime!(2025-03-12 09:00 +7)), Some(Timeliness::Early));
}

#[test]
fn a_dossier_waiting_for_the_citizens_supplementation_is_not_late_by_the_clock() {
    let mut s = received_monday();
    s.act(&specialist(), datetime!(2025-03-11 09:00 +7), request_supplement());
    assert_eq!(classify(&s.d, datetime!(2025-03-14 09:00 +7)), None);
    assert_eq!(classify(&s.d, datetime!(2025-06-30 23:59:59 +7)), None, "months later, still waiting");
}

#[test]
fn a_dossier_already_past_due_when_supplementation_was_requested_stays_late_while_it_waits() {
    let mut s = received_monday();
    s.act(&specialist(), datetime!(2025-03-14 09:00 +7), request_supplement());
    assert_eq!(classify(&s.d, datetime!(2025-03-14 08:00 +7)), Some(Timeliness::Late), "late before the request");
    assert_eq!(classify(&s.d, datetime!(2025-03-31 23:59:59 +7)), Some(Timeliness::Late));
}

#[test]
fn a_dossier_stopped_while_waiting_for_supplementation_is_judged_at_the_request() {
    // 766 formula 2.1: a dossier waiting for the citizen is evaluated as finished at the request.
    let mut s = received_monday();
    s.act(&specialist(), datetime!(2025-03-12 09:00 +7), request_supplement());
    s.act(&Actor::Applicant, datetime!(2025-03-27 09:00 +7), withdraw());
    let d = s.act(&receiver(), datetime!(2025-03-28 09:00 +7), withdraw());
    assert_eq!(d.finished_at, Some(datetime!(2025-03-12 09:00 +7)));
    assert_eq!(classify(d, LATER), Some(Timeliness::Early));
    let mut s = received_monday();
    s.act(&specialist(), datetime!(2025-03-13 09:00 +7), request_supplement());
    let d = s.act(&leader(), datetime!(2025-03-28 09:00 +7), reject());
    assert_eq!(d.finished_at, Some(datetime!(2025-03-13 09:00 +7)));
    assert_eq!(classify(d, LATER), Some(Timeliness::OnTime));
}

#[test]
fn a_counter_dossier_received_on_a_swapped_working_saturday_starts_the_clock_at_once() {
    // Saturday 26/4/2025 is a working day (swapped with Friday 2/5).
    let mut s = Story::submit_with(
        &procedure_with(1.0, vec![]),
        motcua_domain::dossier::Channel::Counter,
        datetime!(2025-04-26 09:00 +7),
    );
    let d = s.act(&receiver(), datetime!(2025-04-26 09:00 +7), receive());
    assert_eq!(d.clock_started_at, Some(datetime!(2025-04-26 09:00 +7)));
    // 6 h on Saturday, then Monday 28/4 07:00–09:00 (30/4–4/5 are off).
    assert_eq!(d.due_at, Some(datetime!(2025-04-28 09:00 +7)));
}

#[test]
fn a_pause_of_no_working_time_leaves_the_appointment_and_the_step_deadline_where_they_were() {
    let mut s = received_monday();
    s.act(&leader(), datetime!(2025-03-10 11:00 +7), extend(datetime!(2025-03-17 17:00 +7)));
    // The appraisal step starts Monday 13:00 and is due Tuesday 17:00 (12 working hours).
    s.act(&leader(), datetime!(2025-03-10 13:00 +7), complete());
    assert_eq!(s.d.steps[2].due_at, Some(datetime!(2025-03-11 17:00 +7)));
    // Asked Tuesday 17:30 and answered the same evening: no working time passed.
    s.act(&specialist(), datetime!(2025-03-11 17:30 +7), request_supplement());
    s.act(&Actor::Applicant, datetime!(2025-03-11 20:00 +7), supplement());
    assert_eq!(s.d.paused, WorkingTime::ZERO);
    assert_eq!(s.d.due_at, Some(DUE));
    assert_eq!(s.d.appointment_at, Some(datetime!(2025-03-17 17:00 +7)), "not Tuesday 07:00");
    assert_eq!(s.d.steps[2].due_at, Some(datetime!(2025-03-11 17:00 +7)), "not Wednesday 07:00");
}

#[test]
fn every_pause_after_an_extension_moves_the_appointment_again() {
    let mut s = received_monday();
    s.act(&leader(), datetime!(2025-03-10 11:00 +7), extend(datetime!(2025-03-17 17:00 +7)));
    s.act(&specialist(), datetime!(2025-03-11 09:00 +7), request_supplement());
    s.act(&Actor::Applicant, datetime!(2025-03-11 11:00 +7), supplement());
    assert_eq!(s.d.appointment_at, Some(datetime!(2025-03-18 09:00 +7)));
    // A second pause of a whole working week: the due instant and the appointment both move.
    s.act(&specialist(), datetime!(2025-03-12 09:00 +7), request_supplement());
    s.act(&Actor::Applicant, datetime!(2025-03-19 09:00 +7), supplement());
    assert_eq!(s.d.paused, hours(42.0));
    assert_eq!(s.d.due_at, Some(s.cal.add(DUE, hours(42.0))));
    assert_eq!(s.d.appointment_at, Some(s.cal.add(datetime!(2025-03-17 17:00 +7), hours(42.0))));
    assert!(s.d.appointment_at > s.d.due_at);
}
