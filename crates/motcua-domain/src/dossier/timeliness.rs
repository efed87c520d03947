//! Early / on time / late — the ONE classification every report uses (domain.md Decisions 6 and
//! the "four rule sets disagreed" pitfall). Source: QĐ 766/QĐ-TTg formula 2.1 as described in
//! "Mô tả công thức tính chỉ số 766" (domain.md §2.4), with the project's Decisions 4–6.

use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, UtcOffset};

use super::Dossier;

/// The three buckets of provincial dashboards (Trước hạn / Đúng hạn / Trễ hạn).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    Early,
    OnTime,
    Late,
}

impl Timeliness {
    pub fn as_str(self) -> &'static str {
        match self {
            Timeliness::Early => "early",
            Timeliness::OnTime => "on_time",
            Timeliness::Late => "late",
        }
    }
}

/// Vietnam's civil offset (UTC+7), used to decide calendar days.
pub const VN_OFFSET: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// Classifies a finish instant against a due instant: late if after the due instant; early if
/// the finish's local (UTC+7) date is before the due instant's local date; otherwise on time.
pub fn classify_instant(finish: OffsetDateTime, due: OffsetDateTime) -> Timeliness {
    if finish > due {
        Timeliness::Late
    } else if finish.to_offset(VN_OFFSET).date() < due.to_offset(VN_OFFSET).date() {
        Timeliness::Early
    } else {
        Timeliness::OnTime
    }
}

/// Classifies a dossier as seen at `as_of` (e.g. the end of a reporting period).
/// `None` when the dossier was never received (refused or withdrawn at reception: it does not
/// count) or is still running and not yet past due.
/// - More than one supplementation request during processing ⇒ late (766).
/// - Finished: finish instant vs the legal due instant (an extension does not help, Decisions 5).
/// - Unfinished at `as_of` and past due ⇒ late. While it waits for the citizen's supplementation
///   the clock stands still at the request instant (766 formula 2.1 judges a waiting dossier at
///   the request date): late only if that request came after the due instant.
pub fn classify(d: &Dossier, as_of: OffsetDateTime) -> Option<Timeliness> {
    d.received_at?;
    let due = d.due_at?;
    let finished = d.finished_at.filter(|f| *f <= as_of);
    if d.supplement_rounds > 1 && (finished.is_some() || as_of > due) {
        return Some(Timeliness::Late);
    }
    let clock = d.paused_since.map_or(as_of, |since| since.min(as_of));
    match finished {
        Some(f) => Some(classify_instant(f, due)),
        None if clock > due => Some(Timeliness::Late),
        None => None,
    }
}
