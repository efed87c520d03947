//! Daily alerts (xử lý cảnh báo hằng ngày): which open dossiers need attention now, how far an
//! overdue one has escalated, and when the daily digest goes out. Pure rules over a dossier's
//! projection facts and the working calendar; the store finds the candidates, the web layer
//! decides who sees them.
//!
//! Sources: domain.md §2 "What the software must do" — *warn before due (configurable lead time)
//! to handler and leaders*; §1.5 — a late dossier must be handled *at least 1 day before the
//! deadline* (notice to the one-stop, apology to the applicant), and a late consulted agency
//! *alerts the head of the one-stop*; §6 — per-step deadlines of the internal process. Where the
//! sources are silent the choices are marked **Decision** below and in docs/NOTIFICATIONS.md.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, Time};

use crate::calendar::{Calendar, WORKING_DAY_SECONDS, WorkingTime};
use crate::dossier::Role;
use crate::dossier::Status;
use crate::dossier::timeliness::VN_OFFSET;
use crate::ids::UnitCode;

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Overdue dossier (quá hạn).
    Overdue,
    /// An internal-process step past its own deadline (bước quá hạn).
    StepOverdue,
    /// Due within the lead time (sắp đến hạn).
    DueSoon,
    /// No action for N working days (tồn đọng, không xử lý).
    Idle,
    /// Citizen feedback near or past its answer deadline.
    Feedback,
    /// An outbound delivery (e-mail, SMS, edXML) that failed for good.
    DeliveryFailed,
}

impl AlertKind {
    /// Every kind, in display order (most urgent first).
    pub const ALL: [AlertKind; 6] = [
        AlertKind::Overdue,
        AlertKind::StepOverdue,
        AlertKind::DueSoon,
        AlertKind::Idle,
        AlertKind::Feedback,
        AlertKind::DeliveryFailed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::Overdue => "overdue",
            AlertKind::StepOverdue => "step_overdue",
            AlertKind::DueSoon => "due_soon",
            AlertKind::Idle => "idle",
            AlertKind::Feedback => "feedback",
            AlertKind::DeliveryFailed => "delivery_failed",
        }
    }

    /// Vietnamese label for pages and the digest.
    pub fn label_vi(self) -> &'static str {
        match self {
            AlertKind::Overdue => "Hồ sơ quá hạn",
            AlertKind::StepOverdue => "Bước xử lý quá hạn",
            AlertKind::DueSoon => "Hồ sơ sắp đến hạn (trong 1 ngày làm việc)",
            AlertKind::Idle => "Hồ sơ không có thao tác xử lý",
            AlertKind::Feedback => "Phản ánh, kiến nghị sắp/đã quá hạn trả lời",
            AlertKind::DeliveryFailed => "Gửi thông báo/liên thông thất bại",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            AlertKind::Overdue => "Overdue dossiers",
            AlertKind::StepOverdue => "Overdue process steps",
            AlertKind::DueSoon => "Due within 1 working day",
            AlertKind::Idle => "Dossiers with no action",
            AlertKind::Feedback => "Feedback near or past its deadline",
            AlertKind::DeliveryFailed => "Failed outbound deliveries",
        }
    }
}

/// How far an overdue item has climbed the org tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Escalation {
    /// The handler and the holding unit only.
    None,
    /// Also the holding unit's leaders.
    UnitLeader,
    /// Also the parent unit's leaders and the head of the receiving one-stop.
    Parent,
}

impl Escalation {
    pub fn as_str(self) -> &'static str {
        match self {
            Escalation::None => "none",
            Escalation::UnitLeader => "unit_leader",
            Escalation::Parent => "parent",
        }
    }
}

/// The tunable thresholds (all in working time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertRules {
    /// Lead time of "due soon": 1 working day (domain.md §1.5: act at least 1 day before the
    /// deadline; §2: configurable lead time).
    pub due_soon: WorkingTime,
    /// "No action" after this long since the last event. **Decision**: 3 working days by
    /// default — the 3-working-day window NĐ 61 Art. 19 gives for the supplementation notice
    /// during appraisal; configurable.
    pub idle: WorkingTime,
    /// Overdue this long → the unit's leaders. **Decision**: 1 working day.
    pub escalate_leader: WorkingTime,
    /// Overdue this long → the parent unit's leaders and the one-stop's head (domain.md §1.5:
    /// a late agency alerts the head of the one-stop). **Decision**: 3 working days.
    pub escalate_parent: WorkingTime,
}

impl Default for AlertRules {
    fn default() -> Self {
        AlertRules {
            due_soon: WorkingTime(WORKING_DAY_SECONDS),
            idle: WorkingTime(3 * WORKING_DAY_SECONDS),
            escalate_leader: WorkingTime(WORKING_DAY_SECONDS),
            escalate_parent: WorkingTime(3 * WORKING_DAY_SECONDS),
        }
    }
}

impl AlertRules {
    /// The defaults with "no action" after `days` working days.
    pub fn with_idle_days(days: u32) -> Self {
        AlertRules { idle: WorkingTime(i64::from(days) * WORKING_DAY_SECONDS), ..AlertRules::default() }
    }
}

/// What the rules need to know about an open dossier (from its projection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierFacts {
    pub code: String,
    pub status: Status,
    pub holder_unit: String,
    pub receiving_unit: String,
    pub assignee: Option<String>,
    /// The appointment (legal due or the extension's date).
    pub due_at: Option<OffsetDateTime>,
    /// Earliest deadline of the running steps.
    pub step_due: Option<OffsetDateTime>,
    /// The last event's instant.
    pub last_action_at: OffsetDateTime,
}

/// One alert about one dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub kind: AlertKind,
    pub code: String,
    pub unit: String,
    pub receiving_unit: String,
    pub assignee: Option<String>,
    /// The deadline concerned (dossier, step), or the last action for [`AlertKind::Idle`].
    pub at: Option<OffsetDateTime>,
    /// Working time past the deadline (overdue kinds) or since the last action (idle).
    pub elapsed: WorkingTime,
    pub escalation: Escalation,
}

/// Escalation of an item overdue by `by` (see [`AlertRules`]).
pub fn escalation(rules: &AlertRules, by: WorkingTime) -> Escalation {
    if by >= rules.escalate_parent {
        Escalation::Parent
    } else if by >= rules.escalate_leader {
        Escalation::UnitLeader
    } else {
        Escalation::None
    }
}

/// Who an escalation reaches beyond the holding unit's own officers, as (unit, role) grants:
/// [`Escalation::UnitLeader`] → leaders of the holding unit; [`Escalation::Parent`] → also the
/// parent unit's leaders and the receiving one-stop's head (`center_admin`, domain.md §1.5).
pub fn escalation_targets(
    level: Escalation,
    holder_unit: &str,
    parent: Option<&str>,
    receiving_unit: &str,
) -> Vec<(UnitCode, Role)> {
    // The units are an alert's, taken from its dossier's typed codes.
    let mut out = Vec::new();
    if level >= Escalation::UnitLeader {
        out.push((UnitCode::trusted(holder_unit), Role::Leader));
    }
    if level >= Escalation::Parent {
        if let Some(p) = parent {
            out.push((UnitCode::trusted(p), Role::Leader));
        }
        out.push((UnitCode::trusted(receiving_unit), Role::CenterAdmin));
    }
    out
}

/// The alerts of one dossier at `now`.
///
/// - Due soon / overdue: only while the legal clock runs (`received`, `in_progress`).
///   **Decision**: `supplement_requested` is paused (Decisions 4) and `result_ready` is finished
///   (Decisions 6), so neither is due soon nor overdue; `submitted` has no deadline yet.
/// - Step overdue: a running step past its own deadline (§6), including the return step of a
///   `result_ready` dossier.
/// - Idle: no event for [`AlertRules::idle`] of working time, in any open state except
///   `supplement_requested` (it waits for the applicant, not for an officer).
pub fn dossier_alerts(cal: &Calendar, rules: &AlertRules, f: &DossierFacts, now: OffsetDateTime) -> Vec<Alert> {
    let mut out = Vec::new();
    let alert = |kind, at, elapsed, escalation| Alert {
        kind,
        code: f.code.clone(),
        unit: f.holder_unit.clone(),
        receiving_unit: f.receiving_unit.clone(),
        assignee: f.assignee.clone(),
        at,
        elapsed,
        escalation,
    };
    let clock_runs = matches!(f.status, Status::Received | Status::InProgress);
    if clock_runs && let Some(due) = f.due_at {
        if due <= now {
            let by = cal.between(due, now);
            out.push(alert(AlertKind::Overdue, Some(due), by, escalation(rules, by)));
        } else if cal.between(now, due) <= rules.due_soon {
            out.push(alert(AlertKind::DueSoon, Some(due), WorkingTime::ZERO, Escalation::None));
        }
    }
    let steps_run = matches!(f.status, Status::Received | Status::InProgress | Status::ResultReady);
    if steps_run && let Some(step) = f.step_due.filter(|s| *s <= now) {
        let by = cal.between(step, now);
        out.push(alert(AlertKind::StepOverdue, Some(step), by, escalation(rules, by)));
    }
    if !f.status.is_closed() && f.status != Status::SupplementRequested {
        let idle = cal.between(f.last_action_at, now);
        if idle >= rules.idle {
            out.push(alert(AlertKind::Idle, Some(f.last_action_at), idle, Escalation::None));
        }
    }
    out
}

/// Local time of day the daily digest goes out: 07:00 UTC+7, the start of office hours
/// (Decisions 1). **Decision**.
pub const DIGEST_AT: Time = match Time::from_hms(7, 0, 0) {
    Ok(t) => t,
    Err(_) => Time::MIDNIGHT,
};

/// The local date whose digest is due at `now`: today (UTC+7) when it is a working day and it
/// is 07:00 or later, else `None` (no digest on weekends and holidays).
pub fn digest_date(cal: &Calendar, now: OffsetDateTime) -> Option<Date> {
    let local = now.to_offset(VN_OFFSET);
    (local.time() >= DIGEST_AT && cal.is_working_day(local.date())).then_some(local.date())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::format_description::well_known::Rfc3339;

    fn at(s: &str) -> OffsetDateTime {
        OffsetDateTime::parse(s, &Rfc3339).unwrap()
    }

    fn facts(status: Status, due: Option<&str>, step: Option<&str>, last: &str) -> DossierFacts {
        DossierFacts {
            code: "X1-250707-0001".into(),
            status,
            holder_unit: "A1".into(),
            receiving_unit: "C1".into(),
            assignee: Some("chuyenvien".into()),
            due_at: due.map(at),
            step_due: step.map(at),
            last_action_at: at(last),
        }
    }

    fn kinds(a: &[Alert]) -> Vec<AlertKind> {
        a.iter().map(|a| a.kind).collect()
    }

    #[test]
    fn a_dossier_due_on_monday_is_due_soon_on_friday_afternoon_across_the_weekend() {
        let cal = Calendar::vietnam_default();
        let f = facts(Status::InProgress, Some("2025-07-14T10:00:00+07:00"), None, "2025-07-11T09:00:00+07:00");
        let got = dossier_alerts(&cal, &AlertRules::default(), &f, at("2025-07-11T14:00:00+07:00"));
        assert_eq!(kinds(&got), vec![AlertKind::DueSoon]);
        let got = dossier_alerts(&cal, &AlertRules::default(), &f, at("2025-07-10T14:00:00+07:00"));
        assert!(got.is_empty(), "two working days ahead is not yet due soon: {got:?}");
    }

    #[test]
    fn overdue_escalates_to_the_leader_after_one_working_day_and_to_the_parent_after_three() {
        let cal = Calendar::vietnam_default();
        let f = facts(Status::InProgress, Some("2025-07-07T10:00:00+07:00"), None, "2025-07-07T09:00:00+07:00");
        let r = AlertRules::with_idle_days(100);
        let level = |now: &str| dossier_alerts(&cal, &r, &f, at(now))[0].escalation;
        assert_eq!(level("2025-07-07T15:00:00+07:00"), Escalation::None);
        assert_eq!(level("2025-07-08T10:00:00+07:00"), Escalation::UnitLeader);
        assert_eq!(level("2025-07-10T09:59:00+07:00"), Escalation::UnitLeader);
        assert_eq!(level("2025-07-10T10:00:00+07:00"), Escalation::Parent);
    }

    #[test]
    fn the_national_day_holiday_does_not_count_towards_idle_time() {
        // 2025: 1–2 September are days off; 30/8–31/8 a weekend.
        let cal = Calendar::vietnam_default();
        let f = facts(Status::Submitted, None, None, "2025-08-29T17:00:00+07:00");
        let r = AlertRules::default();
        assert!(dossier_alerts(&cal, &r, &f, at("2025-09-04T16:59:00+07:00")).is_empty());
        assert_eq!(kinds(&dossier_alerts(&cal, &r, &f, at("2025-09-05T17:00:00+07:00"))), vec![AlertKind::Idle]);
    }

    #[test]
    fn paused_and_finished_dossiers_are_never_overdue_but_a_late_return_step_is() {
        let cal = Calendar::vietnam_default();
        let now = at("2025-07-10T10:00:00+07:00");
        let r = AlertRules::with_idle_days(100);
        let paused =
            facts(Status::SupplementRequested, Some("2025-07-07T10:00:00+07:00"), None, "2025-07-07T09:00:00+07:00");
        assert!(dossier_alerts(&cal, &r, &paused, now).is_empty());
        let ready = facts(
            Status::ResultReady,
            Some("2025-07-07T10:00:00+07:00"),
            Some("2025-07-08T10:00:00+07:00"),
            "2025-07-07T09:00:00+07:00",
        );
        assert_eq!(kinds(&dossier_alerts(&cal, &r, &ready, now)), vec![AlertKind::StepOverdue]);
    }

    #[test]
    fn escalation_reaches_the_unit_leader_then_the_parent_and_the_one_stop_head() {
        assert!(escalation_targets(Escalation::None, "A1", Some("91"), "C1").is_empty());
        assert_eq!(
            escalation_targets(Escalation::UnitLeader, "A1", Some("91"), "C1"),
            vec![(UnitCode::trusted("A1"), Role::Leader)]
        );
        assert_eq!(
            escalation_targets(Escalation::Parent, "A1", Some("91"), "C1"),
            vec![
                (UnitCode::trusted("A1"), Role::Leader),
                (UnitCode::trusted("91"), Role::Leader),
                (UnitCode::trusted("C1"), Role::CenterAdmin)
            ]
        );
    }

    #[test]
    fn the_digest_is_due_from_seven_on_working_days_only() {
        let cal = Calendar::vietnam_default();
        assert_eq!(digest_date(&cal, at("2025-07-07T06:59:00+07:00")), None);
        assert_eq!(
            digest_date(&cal, at("2025-07-07T07:00:00+07:00")).map(|d| d.to_string()),
            Some("2025-07-07".into())
        );
        assert_eq!(digest_date(&cal, at("2025-07-12T08:00:00+07:00")), None, "Saturday");
        assert_eq!(digest_date(&cal, at("2025-09-02T08:00:00+07:00")), None, "National Day");
    }

    proptest::proptest! {
        #[test]
        fn escalation_never_decreases_as_time_passes(a in 0i64..200_000, b in 0i64..200_000) {
            let r = AlertRules::default();
            let (lo, hi) = (a.min(b), a.max(b));
            proptest::prop_assert!(escalation(&r, WorkingTime(lo)) <= escalation(&r, WorkingTime(hi)));
        }
    }
}
