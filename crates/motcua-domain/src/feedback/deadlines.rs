//! The feedback time limits, in working days on the center's working calendar (domain.md §8,
//! "National-portal PAKN timing rules used by QĐ 766 indicator 5.2" [S27-formula]; forwarding:
//! NĐ 20/2008/NĐ-CP as amended by NĐ 48/2013 [S2]).

use time::OffsetDateTime;

use crate::calendar::{Calendar, WorkingTime};

/// Per-center settings of the feedback clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeedbackRules {
    /// Working days to accept or reject a submission: 2 (portal rule "reject ≤ 2 days").
    pub accept_days: f64,
    /// Working days to forward a submission outside the center's competence, or to ask for more
    /// information the first time: 5 (NĐ 20/2008 as amended; portal rule "first request ≤ 5").
    pub forward_days: f64,
    /// Working days to answer, from submission: 15 by default (portal rule "processed ≤ 15 days");
    /// a province may set fewer (Ninh Bình 2025: 10 for feedback about TTHC handling, [S10]).
    pub answer_days: f64,
    /// Working days to publish an approved answer: 2 (portal rule "publication ≤ 2 days after
    /// chờ công khai").
    pub publish_days: f64,
}

impl Default for FeedbackRules {
    fn default() -> Self {
        FeedbackRules { accept_days: 2.0, forward_days: 5.0, answer_days: 15.0, publish_days: 2.0 }
    }
}

impl FeedbackRules {
    /// The same rules with another answer limit (1 to 60 working days).
    pub fn with_answer_days(self, days: f64) -> Option<FeedbackRules> {
        (days.is_finite() && (1.0..=60.0).contains(&days)).then_some(FeedbackRules { answer_days: days, ..self })
    }
}

/// `days` working days after `start` on `cal` (a start outside office hours counts from the
/// next working period, domain.md Decisions 2–3).
pub fn due(cal: &Calendar, start: OffsetDateTime, days: f64) -> OffsetDateTime {
    cal.add(start, WorkingTime::from_days(days).unwrap_or(WorkingTime::ZERO))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn fifteen_working_days_skip_tet_2026() {
        // Tết Bính Ngọ 2026: days off 14/2 – 22/2 (announcement shipped with the calendar).
        let cal = Calendar::vietnam_default();
        let submitted = datetime!(2026-02-10 09:00 +7);
        let d = due(&cal, submitted, 15.0);
        // 10/2 (from 09:00), 11–13/2, then 23/2 onward: the fifteenth working day ends on 10/3.
        assert_eq!(d.to_offset(time::macros::offset!(+7)).date(), time::macros::date!(2026 - 03 - 10), "{d}");
    }

    #[test]
    fn two_working_days_skip_30_april_and_1_may() {
        let cal = Calendar::vietnam_default();
        let d = due(&cal, datetime!(2026-04-29 09:00 +7), 2.0);
        assert_eq!(d.to_offset(time::macros::offset!(+7)).date(), time::macros::date!(2026 - 05 - 05));
    }

    #[test]
    fn the_answer_limit_is_bounded() {
        assert!(FeedbackRules::default().with_answer_days(10.0).is_some());
        assert!(FeedbackRules::default().with_answer_days(0.0).is_none());
        assert!(FeedbackRules::default().with_answer_days(f64::NAN).is_none());
    }
}
