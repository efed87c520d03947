//! Feedback counts and the QĐ 766/QĐ-TTg rows 5.2 and 5.3 (domain.md §3 table, §8).

use serde::Serialize;
use time::OffsetDateTime;

use super::{Category, Feedback, Status};

/// Counts over the feedback first received in a period, judged at `now`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FeedbackCounts {
    /// Received in the period (the denominator of 5.2 and 5.3).
    pub received: i64,
    /// Of those, about rules and procedures / about officials' conduct (row 5.1, display only).
    pub rules_procedures: i64,
    pub official_conduct: i64,
    /// Handled (approved, published, rejected or forwarded).
    pub handled: i64,
    /// Every time limit met so far (handled or still within the running limit).
    pub on_time: i64,
    /// Running or finished past a time limit.
    pub late: i64,
    /// Answers published.
    pub published: i64,
    /// Published answers with more dislikes than likes.
    pub unsatisfied: i64,
    /// Submissions that raise an earlier feedback again.
    pub reraised: i64,
    /// Handled and on time.
    pub handled_on_time: i64,
}

impl FeedbackCounts {
    /// Tallies `items` at `now`.
    pub fn tally<'a>(items: impl IntoIterator<Item = &'a Feedback>, now: OffsetDateTime) -> FeedbackCounts {
        let mut c = FeedbackCounts::default();
        for f in items {
            c.received += 1;
            match f.category {
                Category::RulesProcedures => c.rules_procedures += 1,
                Category::OfficialConduct => c.official_conduct += 1,
            }
            let on_time = f.on_time_at(now);
            c.on_time += i64::from(on_time);
            c.late += i64::from(!on_time);
            c.handled += i64::from(f.is_handled());
            c.handled_on_time += i64::from(f.is_handled() && on_time);
            c.published += i64::from(f.status == Status::Published);
            c.unsatisfied += i64::from(f.status == Status::Published && f.unsatisfied());
            c.reraised += i64::from(f.submission.reraise_of.is_some());
        }
        c
    }

    /// Row 5.2, PAKN handled on time: 6 × on-time ÷ all; 6 when there is none.
    pub fn points_5_2(&self) -> f64 {
        if self.received == 0 { 6.0 } else { 6.0 * self.on_time as f64 / self.received as f64 }
    }

    /// Row 5.3, satisfaction with PAKN handling: 6 × (all − unsatisfied − late − re-raised) ÷ all,
    /// never below 0; 6 when there is none.
    pub fn points_5_3(&self) -> f64 {
        if self.received == 0 {
            return 6.0;
        }
        let good = (self.received - self.unsatisfied - self.late - self.reraised).max(0);
        6.0 * good as f64 / self.received as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_feedback_scores_full_points() {
        let c = FeedbackCounts::default();
        assert_eq!((c.points_5_2(), c.points_5_3()), (6.0, 6.0));
    }

    #[test]
    fn the_formulas_follow_the_766_rows() {
        let c = FeedbackCounts { received: 10, on_time: 8, late: 2, unsatisfied: 1, reraised: 1, ..Default::default() };
        assert!((c.points_5_2() - 4.8).abs() < 1e-9);
        assert!((c.points_5_3() - 3.6).abs() < 1e-9);
        let worst = FeedbackCounts { received: 2, late: 2, unsatisfied: 2, reraised: 2, ..Default::default() };
        assert_eq!(worst.points_5_3(), 0.0);
    }
}
