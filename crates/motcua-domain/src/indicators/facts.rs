//! What the 766 formulas read from one dossier, as of the end of a reporting period
//! (domain.md §3 formulas, §2.4 on-time rule, §7 digitization).

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, OffsetDateTime, Time};

use super::YearMonth;
use crate::dossier::timeliness::{Timeliness, VN_OFFSET, classify};
use crate::dossier::{Channel, Dossier, digitization};

/// A reporting period `[start, end)`: a month, quarter or year on the portal (domain.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    #[serde(with = "time::serde::rfc3339")]
    pub start: OffsetDateTime,
    /// First instant after the period; dossiers are judged as of this instant.
    #[serde(with = "time::serde::rfc3339")]
    pub end: OffsetDateTime,
}

impl Period {
    /// A calendar month in Vietnam's civil time (UTC+7). `None` for a month outside 1..=12.
    pub fn month(ym: YearMonth) -> Option<Period> {
        let first = |y: i32, m: u8| -> Option<OffsetDateTime> {
            let date = Date::from_calendar_date(y, Month::try_from(m).ok()?, 1).ok()?;
            Some(date.with_time(Time::MIDNIGHT).assume_offset(VN_OFFSET))
        };
        let (ny, nm) = if ym.month == 12 { (ym.year + 1, 1) } else { (ym.year, ym.month + 1) };
        Some(Period { start: first(ym.year, ym.month)?, end: first(ny, nm)? })
    }

    /// The months `first..=last` as one period; `None` when `last` is before `first` or a month
    /// is out of range.
    pub fn months(first: YearMonth, last: YearMonth) -> Option<Period> {
        if last < first {
            return None;
        }
        Some(Period { start: Period::month(first)?.start, end: Period::month(last)?.end })
    }

    /// Whether `t` lies in `[start, end)`.
    pub fn contains(&self, t: OffsetDateTime) -> bool {
        self.start <= t && t < self.end
    }

    /// The last instant of the period, at which dossiers are judged: a dossier finished exactly
    /// at `end` belongs to the next period (the period is half-open), so it is still running here.
    pub fn judged_at(&self) -> OffsetDateTime {
        self.end - Duration::nanoseconds(1)
    }
}

/// The per-dossier answers the formulas need. Built by [`DossierFacts::of`]; public fields so a
/// caller (or a test) can build facts by hand. [`super::Tally::add`] re-checks the implications
/// (e.g. `online` only counts for a dossier received in the period), so inconsistent hand-built
/// facts can never push a rate above 100 %.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DossierFacts {
    /// Received or processed in the period — the 2.1 denominator (domain.md §2.4, "hồ sơ tiếp
    /// nhận hoặc xử lý trong kỳ"): accepted by the one-stop before the period ends, and either
    /// accepted in the period or not finished before it began (carried over). A dossier never
    /// received (refused or withdrawn at reception) is never counted.
    pub processed: bool,
    /// Accepted by the one-stop (action `receive`, Decisions 2) within the period — the
    /// denominator of 3.3, 3.6, 4.1–4.3.
    pub received: bool,
    /// Submitted through the online channel (`KenhThucHien` = 2).
    pub online: bool,
    /// Finished (Decisions 6: result ready, rejected, withdrawn after reception) by the period end;
    /// with `processed`, this means finished within the period.
    pub finished: bool,
    /// Early / on time / late as of the period end, from the one rule
    /// [`classify`](crate::dossier::timeliness::classify); `None` while running and not past due.
    pub timeliness: Option<Timeliness>,
    /// The procedure's result is a paper document (4.1; a flag from the catalog).
    pub paper_result: bool,
    /// An electronic result is stored ([`digitization::result_electronic`], 4.1). Like the portal, which
    /// computes in real time from the synced record, this reads the dossier as it is now, not as
    /// of the period end; so does every other received-in-period flag below.
    pub result_digitized: bool,
    /// Digitized input: at least one component is backed by a stored file, uploaded online,
    /// scanned at the counter or taken from a store ([`digitization::any_component_digitized`]).
    pub digitized_input: bool,
    /// Every component is backed by a stored file (4.2 part 1,
    /// [`digitization::every_component_digitized`]).
    #[serde(default)]
    pub all_components_digitized: bool,
    /// At least one component taken from a store the applicant already had
    /// ([`digitization::reused_data`], 4.3).
    pub reused_data: bool,
    /// The frozen fee list has a non-zero total (3.6 excludes dossiers whose fees are all 0).
    pub fee_bearing: bool,
    /// Paid through an online gateway (`DuocThanhToanTrucTuyen` = 1 or 2, 3.6).
    pub paid_online: bool,
    /// The applicant rated the dossier (1..=5, NĐ 61/2018 Art. 29), counted in the period in which
    /// the dossier finished (the dossier keeps no rating instant, and a rating follows the result).
    pub rated: bool,
    /// Rated 4 or 5 (satisfied / very satisfied).
    pub satisfied: bool,
    /// Rated 1 or 2 — the "dislike" of 5.4; 3 is neutral and neither.
    pub disliked: bool,
    /// Supplementation requests after reception (766: more than one ⇒ late, already applied by
    /// `classify`).
    pub supplement_rounds: u32,
    /// The dossier used its one extension (still judged on the original due instant, Decisions 5).
    pub extended: bool,
}

impl DossierFacts {
    /// Reads `d` at the end of `period` ([`Period::judged_at`]).
    pub fn of(d: &Dossier, period: &Period) -> DossierFacts {
        let as_of = period.judged_at();
        let finished = d.finished_at.is_some_and(|f| f <= as_of);
        let processed = d
            .received_at
            .is_some_and(|r| r < period.end && (r >= period.start || d.finished_at.is_none_or(|f| f >= period.start)));
        let rating = d.rating.filter(|_| processed && finished);
        DossierFacts {
            processed,
            received: d.received_at.is_some_and(|r| period.contains(r)),
            online: d.channel == Channel::Online,
            finished: processed && finished,
            timeliness: if processed { classify(d, as_of) } else { None },
            paper_result: d.paper_result,
            result_digitized: digitization::result_electronic(d.result.as_ref()),
            digitized_input: digitization::any_component_digitized(&d.documents),
            all_components_digitized: digitization::every_component_digitized(&d.documents),
            reused_data: digitization::reused_data(&d.documents),
            fee_bearing: d.fee_total() > 0,
            paid_online: d.paid_online,
            rated: rating.is_some(),
            satisfied: rating.is_some_and(|s| s >= 4),
            disliked: rating.is_some_and(|s| s <= 2),
            supplement_rounds: d.supplement_rounds,
            extended: d.extension.is_some(),
        }
    }

    /// Counts for 3.3: online, and — when the result is a paper document — with an electronic
    /// result (`MaKetQua` + `DuongDanTepTinKetQua`).
    pub fn online_766(&self) -> bool {
        self.received && self.online && (!self.paper_result || self.result_digitized)
    }

    /// "Digitized" in the 4.2 sense: every component digitized and, where a paper result is
    /// required, an electronic result ([`digitization::digitized_both`]).
    pub fn digitized_both(&self) -> bool {
        self.all_components_digitized && (!self.paper_result || self.result_digitized)
    }
}
