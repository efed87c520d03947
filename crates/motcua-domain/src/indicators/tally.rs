//! Counters over [`DossierFacts`]: one per numerator and denominator of the 766 formulas
//! (domain.md §3). Tallies of disjoint sets of dossiers sum, so per-unit, per-procedure and
//! per-field tallies roll up by [`Tally::merge`].
//!
//! A period's tally is not the sum of its months' tallies: a dossier carried over from January
//! into February is "received or processed" in both months but once in the quarter, and whether
//! it is late depends on the end of the period. [`MonthRow`] is the additive decomposition that
//! makes monthly rollups exact for any run of months: what happened in the month (received,
//! finished), plus two snapshots — dossiers carried into the month, and dossiers still running
//! and past due at its end. [`Tally::over`] takes the first month's carried-in and the last
//! month's running-late and sums the rest.

use serde::{Deserialize, Serialize};

use super::{DossierFacts, YearMonth};
use crate::dossier::timeliness::Timeliness;

/// Counts of dossiers. Every numerator is counted only together with its denominator, so each
/// numerator is at most its denominator whatever facts are added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
pub struct Tally {
    /// Received or processed in the period (2.1, 5.4 denominator).
    pub processed: u64,
    /// Of `processed`: finished within the period.
    pub finished: u64,
    /// Of `processed`: early (§2.4, via `classify`).
    pub early: u64,
    /// Of `processed`: on time (§2.4, via `classify`).
    pub on_time: u64,
    /// Of `processed`: late (§2.4, via `classify`; includes unfinished past due at the period end).
    pub late: u64,
    /// Of `finished`: with more than one supplementation request (late by the 766 rule).
    pub multi_supplement: u64,
    /// Of `finished`: with the one extension (judged on the original due instant).
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
    /// Of `finished`: rated by the applicant.
    pub rated: u64,
    /// Of `rated`: score 4 or 5.
    pub satisfied: u64,
    /// Of `rated`: score 1 or 2 (the "dislike" of 5.4).
    pub disliked: u64,
}

/// The received-in-period counters, shared by [`Tally`] and [`MonthRow`] (same names, same rule).
macro_rules! add_received {
    ($t:expr, $f:expr) => {{
        let n = |b: bool| u64::from(b);
        $t.received += 1;
        $t.online += n($f.online);
        $t.online_766 += n($f.online_766());
        $t.paper_result += n($f.paper_result);
        $t.result_digitized += n($f.paper_result && $f.result_digitized);
        $t.digitized_input += n($f.digitized_input);
        $t.digitized_both += n($f.digitized_both());
        $t.reused_data += n($f.reused_data);
        $t.fee_bearing += n($f.fee_bearing);
        $t.paid_online += n($f.fee_bearing && $f.paid_online);
    }};
}

/// The finished-in-period counters, shared by [`Tally`] and [`MonthRow`].
macro_rules! add_finished {
    ($t:expr, $f:expr) => {{
        let n = |b: bool| u64::from(b);
        $t.finished += 1;
        $t.early += n($f.timeliness == Some(Timeliness::Early));
        $t.on_time += n($f.timeliness == Some(Timeliness::OnTime));
        $t.late += n($f.timeliness == Some(Timeliness::Late));
        $t.multi_supplement += n($f.supplement_rounds > 1);
        $t.extended += n($f.extended);
        $t.rated += n($f.rated);
        $t.satisfied += n($f.rated && $f.satisfied);
        $t.disliked += n($f.rated && $f.disliked && !$f.satisfied);
    }};
}

impl Tally {
    /// Of `finished`: finished after the due instant. `finished` = `early` + `on_time` +
    /// `finished_late` exactly, so a summary of the finished dossiers adds up (issue 14).
    pub fn finished_late(&self) -> u64 {
        self.finished.saturating_sub(self.early + self.on_time)
    }

    /// Of `processed`: not finished and past due at the period end. QĐ 766 row 2.1 counts them
    /// late with the finished-late ones (`late` = `finished_late` + `overdue_open`; domain.md
    /// §2.4), so they are shown beside the finished dossiers, not among them.
    pub fn overdue_open(&self) -> u64 {
        self.late.saturating_sub(self.finished_late())
    }

    /// Counts one dossier.
    pub fn add(&mut self, f: &DossierFacts) {
        if f.processed {
            self.processed += 1;
            if f.finished {
                add_finished!(self, f);
            } else if f.timeliness == Some(Timeliness::Late) {
                self.late += 1;
            }
        }
        if f.received {
            add_received!(self, f);
        }
    }

    /// The tally of many dossiers.
    pub fn of<'a>(facts: impl IntoIterator<Item = &'a DossierFacts>) -> Tally {
        let mut t = Tally::default();
        facts.into_iter().for_each(|f| t.add(f));
        t
    }

    /// The tally of the months `first..=last` from their rows (rows of other months are
    /// ignored): the first month's carried-in dossiers plus everything received in the run are
    /// the dossiers processed; the last month's running-late ones are late at the period end.
    pub fn over<'a>(
        first: YearMonth,
        last: YearMonth,
        rows: impl IntoIterator<Item = (YearMonth, &'a MonthRow)>,
    ) -> Tally {
        let mut t = Tally::default();
        for (m, r) in rows {
            if m < first || m > last {
                continue;
            }
            if m == first {
                t.processed += r.carried_in;
            }
            if m == last {
                t.late += r.running_late;
            }
            t.processed += r.received;
            t.finished += r.finished;
            t.early += r.early;
            t.on_time += r.on_time;
            t.late += r.late;
            t.multi_supplement += r.multi_supplement;
            t.extended += r.extended;
            t.received += r.received;
            t.online += r.online;
            t.online_766 += r.online_766;
            t.paper_result += r.paper_result;
            t.result_digitized += r.result_digitized;
            t.digitized_input += r.digitized_input;
            t.digitized_both += r.digitized_both;
            t.reused_data += r.reused_data;
            t.fee_bearing += r.fee_bearing;
            t.paid_online += r.paid_online;
            t.rated += r.rated;
            t.satisfied += r.satisfied;
            t.disliked += r.disliked;
        }
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

/// Declares [`MonthRow`] with its column list, so storage and arithmetic name the columns once.
macro_rules! month_row {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        /// One month's rollup row of a group of dossiers: the additive decomposition described in
        /// the module documentation. Rows of disjoint sets of dossiers sum column by column.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
        pub struct MonthRow {
            $($(#[$doc])* pub $name: u64,)*
        }

        impl MonthRow {
            /// Column names, in the order of [`MonthRow::values`].
            pub const COLUMNS: &'static [&'static str] = &[$(stringify!($name)),*];

            /// The counters in [`MonthRow::COLUMNS`] order.
            pub fn values(&self) -> Vec<u64> {
                vec![$(self.$name),*]
            }

            /// The row of the union of two disjoint sets of dossiers (column-wise sum).
            pub fn merge(&self, o: &MonthRow) -> MonthRow {
                MonthRow { $($name: self.$name + o.$name),* }
            }

            /// A row from counters in [`MonthRow::COLUMNS`] order (missing ones are 0; negative
            /// ones, which only a corrupted rollup could hold, are read as 0).
            pub fn from_values(v: &[i64]) -> MonthRow {
                let mut it = v.iter().map(|x| u64::try_from(*x).unwrap_or(0));
                MonthRow { $($name: it.next().unwrap_or(0)),* }
            }
        }
    };
}

month_row! {
    /// Received in the month.
    received,
    /// Of `received`: online channel.
    online,
    /// Of `received`: counted by 766 row 3.3.
    online_766,
    /// Of `received`: paper-result procedures.
    paper_result,
    /// Of `paper_result`: with an electronic result.
    result_digitized,
    /// Of `received`: digitized input.
    digitized_input,
    /// Of `received`: digitized input and output.
    digitized_both,
    /// Of `received`: re-using digitized data.
    reused_data,
    /// Of `received`: fee-bearing.
    fee_bearing,
    /// Of `fee_bearing`: paid online.
    paid_online,
    /// Finished in the month (received in it or earlier).
    finished,
    /// Of `finished`: early.
    early,
    /// Of `finished`: on time.
    on_time,
    /// Of `finished`: late.
    late,
    /// Of `finished`: more than one supplementation request.
    multi_supplement,
    /// Of `finished`: extended.
    extended,
    /// Of `finished`: rated.
    rated,
    /// Of `rated`: 4–5.
    satisfied,
    /// Of `rated`: 1–2.
    disliked,
    /// Received before the month and not finished before it began (snapshot at its start).
    carried_in,
    /// Running at the month's end and late by then (snapshot at its end; left 0 for a month
    /// still open, whose running dossiers are judged at query time).
    running_late,
}

impl MonthRow {
    /// Counts one dossier's facts for the month. `open`: the month has not ended yet, so its
    /// running-late snapshot is not taken.
    pub fn add(&mut self, f: &DossierFacts, open: bool) {
        if f.received {
            add_received!(self, f);
        }
        if f.processed && f.finished {
            add_finished!(self, f);
        }
        if f.processed && !f.received {
            self.carried_in += 1;
        }
        if f.processed && !f.finished && !open && f.timeliness == Some(Timeliness::Late) {
            self.running_late += 1;
        }
    }

    /// Whether every counter is 0.
    pub fn is_empty(&self) -> bool {
        *self == MonthRow::default()
    }
}
