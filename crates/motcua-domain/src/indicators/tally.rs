//! Counters over [`DossierFacts`]: one per numerator and denominator of the 766 formulas
//! (domain.md §3). Tallies of disjoint sets of dossiers sum, so per-unit, per-procedure and
//! per-month tallies roll up by [`Tally::merge`].

use serde::{Deserialize, Serialize};

use super::DossierFacts;
use crate::dossier::timeliness::Timeliness;

/// Counts of dossiers. Every numerator is counted only together with its denominator, so each
/// numerator is at most its denominator whatever facts are added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
pub struct Tally {
    /// Received or processed in the period (2.1, 5.4 denominator).
    pub processed: u64,
    /// Of `processed`: finished by the period end.
    pub finished: u64,
    /// Of `processed`: early (§2.4, via `classify`).
    pub early: u64,
    /// Of `processed`: on time (§2.4, via `classify`).
    pub on_time: u64,
    /// Of `processed`: late (§2.4, via `classify`; includes unfinished past due at the period end).
    pub late: u64,
    /// Of `processed`: with more than one supplementation request (late by the 766 rule).
    pub multi_supplement: u64,
    /// Of `processed`: with the one extension (judged on the original due instant).
    pub extended: u64,
    /// Received in the period (3.3, 4.2, 4.3 denominator).
    pub received: u64,
    /// Of `received`: online channel.
    pub online: u64,
    /// Of `received`: online and, for paper-result procedures, with an electronic result (3.3).
    pub online_766: u64,
    /// Of `received`: procedures whose result is paper (4.1 denominator) …
    pub paper_result: u64,
    /// … of which with an electronic result (4.1 numerator).
    pub result_digitized: u64,
    /// Of `received`: digitized input (4.2 part 1).
    pub digitized_input: u64,
    /// Of `received`: digitized input and output (4.2).
    pub digitized_both: u64,
    /// Of `received`: re-using digitized data (4.3).
    pub reused_data: u64,
    /// Of `received`: fee-bearing (3.6 denominator) …
    pub fee_bearing: u64,
    /// … of which paid online (3.6 numerator).
    pub paid_online: u64,
    /// Of `processed`: rated by the applicant.
    pub rated: u64,
    /// Of `rated`: score 4 or 5.
    pub satisfied: u64,
    /// Of `rated`: score 1 or 2 (the "dislike" of 5.4).
    pub disliked: u64,
}

impl Tally {
    /// Counts one dossier.
    pub fn add(&mut self, f: &DossierFacts) {
        let n = |b: bool| u64::from(b);
        if f.processed {
            self.processed += 1;
            self.finished += n(f.finished);
            self.early += n(f.timeliness == Some(Timeliness::Early));
            self.on_time += n(f.timeliness == Some(Timeliness::OnTime));
            self.late += n(f.timeliness == Some(Timeliness::Late));
            self.multi_supplement += n(f.supplement_rounds > 1);
            self.extended += n(f.extended);
            self.rated += n(f.rated);
            self.satisfied += n(f.rated && f.satisfied);
            self.disliked += n(f.rated && f.disliked && !f.satisfied);
        }
        if f.received {
            self.received += 1;
            self.online += n(f.online);
            self.online_766 += n(f.online_766());
            self.paper_result += n(f.paper_result);
            self.result_digitized += n(f.paper_result && f.result_digitized);
            self.digitized_input += n(f.digitized_input);
            self.digitized_both += n(f.digitized_both());
            self.reused_data += n(f.reused_data);
            self.fee_bearing += n(f.fee_bearing);
            self.paid_online += n(f.fee_bearing && f.paid_online);
        }
    }

    /// The tally of many dossiers.
    pub fn of<'a>(facts: impl IntoIterator<Item = &'a DossierFacts>) -> Tally {
        let mut t = Tally::default();
        facts.into_iter().for_each(|f| t.add(f));
        t
    }

    /// The tally of the union of two disjoint sets of dossiers (field-wise sum).
    pub fn merge(&self, o: &Tally) -> Tally {
        Tally {
            processed: self.processed + o.processed,
            finished: self.finished + o.finished,
            early: self.early + o.early,
            on_time: self.on_time + o.on_time,
            late: self.late + o.late,
            multi_supplement: self.multi_supplement + o.multi_supplement,
            extended: self.extended + o.extended,
            received: self.received + o.received,
            online: self.online + o.online,
            online_766: self.online_766 + o.online_766,
            paper_result: self.paper_result + o.paper_result,
            result_digitized: self.result_digitized + o.result_digitized,
            digitized_input: self.digitized_input + o.digitized_input,
            digitized_both: self.digitized_both + o.digitized_both,
            reused_data: self.reused_data + o.reused_data,
            fee_bearing: self.fee_bearing + o.fee_bearing,
            paid_online: self.paid_online + o.paid_online,
            rated: self.rated + o.rated,
            satisfied: self.satisfied + o.satisfied,
            disliked: self.disliked + o.disliked,
        }
    }
}
