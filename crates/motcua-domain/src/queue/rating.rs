//! Satisfaction ratings per officer.
//!
//! A dossier is rated once (the `rate` action refuses a second rating with `already_rated`;
//! NĐ 61/2018 Art. 29 electronic rating at the one-stop and online). The rated officer is the one
//! who served the citizen when the result was handed over: the officer of the finished queue
//! ticket linked to the dossier, otherwise the officer who recorded `return_result`.
//!
//! Two readings of the same 1–5 score (domain.md §11):
//! - QĐ 766 like / dislike: 4–5 is satisfied, 1–2 a dislike (the same cut as the 766 indicator
//!   5.4 facts in [`crate::indicators`]).
//! - TT 01/2018 Art. 13–15 criterion 7, officer attitude, 0/1/2 points: early and no complaint 2,
//!   on time and no complaint 1, late or a complaint 0. Motcua reads a dislike as the complaint
//!   (UNCONFIRMED: the circular speaks of a proven complaint; this is the closest signal the
//!   system holds).

use serde::Serialize;

use crate::dossier::timeliness::Timeliness;

/// One rated dossier, attributed to an officer.
#[derive(Debug, Clone, PartialEq)]
pub struct Rated {
    pub officer: String,
    /// 1–5.
    pub score: u8,
    /// The dossier's early / on-time / late judgement, if finished.
    pub timeliness: Option<Timeliness>,
}

/// 766 like: 4 or 5.
pub fn is_satisfied(score: u8) -> bool {
    score >= 4
}

/// 766 dislike: 1 or 2.
pub fn is_disliked(score: u8) -> bool {
    score <= 2
}

/// TT 01/2018 criterion 7 (officer attitude) for one dossier: 0, 1 or 2 points.
pub fn attitude_points(r: &Rated) -> u8 {
    if is_disliked(r.score) {
        return 0;
    }
    match r.timeliness {
        Some(Timeliness::Early) => 2,
        Some(Timeliness::OnTime) => 1,
        Some(Timeliness::Late) | None => 0,
    }
}

/// One officer's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfficerRating {
    pub officer: String,
    /// Dossiers rated.
    pub ratings: u64,
    /// Mean score, two decimals.
    pub average: f64,
    /// Rated 4–5 (766 like).
    pub satisfied: u64,
    /// Rated 1–2 (766 dislike).
    pub disliked: u64,
    /// Sum of TT 01/2018 criterion-7 points.
    pub attitude_points: u64,
    /// The most those dossiers could score (2 each).
    pub attitude_max: u64,
    /// Share of satisfied ratings, percent with two decimals.
    pub satisfaction_rate: f64,
}

/// Aggregates ratings per officer, sorted by officer.
pub fn per_officer(rated: &[Rated]) -> Vec<OfficerRating> {
    let mut map: std::collections::BTreeMap<&str, Vec<&Rated>> = std::collections::BTreeMap::new();
    for r in rated {
        map.entry(r.officer.as_str()).or_default().push(r);
    }
    let round2 = |x: f64| (x * 100.0).round() / 100.0;
    map.into_iter()
        .map(|(officer, rs)| {
            let n = rs.len() as u64;
            let sum: u64 = rs.iter().map(|r| u64::from(r.score)).sum();
            let satisfied = rs.iter().filter(|r| is_satisfied(r.score)).count() as u64;
            OfficerRating {
                officer: officer.to_owned(),
                ratings: n,
                average: round2(sum as f64 / n.max(1) as f64),
                satisfied,
                disliked: rs.iter().filter(|r| is_disliked(r.score)).count() as u64,
                attitude_points: rs.iter().map(|r| u64::from(attitude_points(r))).sum(),
                attitude_max: 2 * n,
                satisfaction_rate: round2(100.0 * satisfied as f64 / n.max(1) as f64),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(officer: &str, score: u8, t: Option<Timeliness>) -> Rated {
        Rated { officer: officer.into(), score, timeliness: t }
    }

    #[test]
    fn ratings_aggregate_per_officer_with_766_likes_and_tt01_points() {
        let out = per_officer(&[
            r("b", 5, Some(Timeliness::Early)),
            r("a", 4, Some(Timeliness::OnTime)),
            r("a", 1, Some(Timeliness::Early)),
            r("a", 3, Some(Timeliness::Late)),
        ]);
        assert_eq!(out.len(), 2);
        let a = &out[0];
        assert_eq!((a.officer.as_str(), a.ratings, a.satisfied, a.disliked), ("a", 3, 1, 1));
        assert_eq!(a.average, 2.67);
        assert_eq!((a.attitude_points, a.attitude_max), (1, 6));
        assert_eq!(a.satisfaction_rate, 33.33);
        assert_eq!((out[1].attitude_points, out[1].satisfaction_rate), (2, 100.0));
    }
}
