//! Fees and charges (phí, lệ phí) as the law writes them, and the amount a dossier owes.
//!
//! A procedure's schedule is a list of lines ([`Fee`]). A line is either a fixed amount
//! ("Lệ phí cấp Giấy chứng nhận: 100.000 đồng") or a price per counted unit with optional tiers,
//! floor and cap, each applied per group ("Phí chứng thực bản sao từ bản chính: 2.000 đồng/trang;
//! từ trang thứ ba trở lên 1.000 đồng/trang, tối đa 200.000 đồng/bản", TT 226/2016/TT-BTC
//! Art. 4). Lines are not added up blindly: the applicant pays the lines that apply to the
//! dossier — always, only in the case the line names ("trường hợp cấp mới"), or only on paper
//! (a charge waived for dossiers submitted online, e.g. the business-registration charge under
//! TT 47/2019/TT-BTC).
//!
//! At reception the receiver states the dossier's facts ([`FeeFact`]: pages, copies, the case
//! that applies, an exemption or reduction with its legal reason — Luật Phí và lệ phí
//! 97/2015/QH13 Art. 10 lets the law exempt or reduce a fee for named subjects) and [`assess`]
//! computes each line's amount; the result ([`AssessedFee`]) is carried in the `receive` event,
//! shown on the receipt and sent to the national portal as `DanhSachLePhi`.

use serde::{Deserialize, Serialize};

use crate::ErrorCode;
use crate::error::DomainError;

/// Most units counted on one line (pages of one copy, copies): beyond it the input is a typo.
pub const MAX_QUANTITY: u32 = 100_000;

/// Largest amount of a schedule line (a thousand billion đồng): keeps every sum far from
/// overflowing.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;

/// One line of a fee schedule. A line with neither `per` nor tiers is a fixed amount; older
/// catalogs (name and amount only) read as fixed lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    pub name: String,
    /// The fixed amount in đồng, or the price of one counted unit (VND has no minor unit).
    pub amount: i64,
    /// A per-unit line counts this unit ("trang", "bản", "sự kiện"); `None` for a fixed amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<String>,
    /// Other prices from a given unit on ("từ trang thứ ba trở lên 1.000 đồng/trang").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<FeeTier>,
    /// Floor of the line, for each group (or the whole line without a group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// Cap of the line ("tối đa 200.000 đồng/bản"), for each group (or the whole line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// The counted units, the floor and the cap apply to each of these ("bản": each copy), and
    /// the line is multiplied by their number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// When the line is due.
    #[serde(default, skip_serializing_if = "FeeApplies::is_always")]
    pub applies: FeeApplies,
}

/// From the `from`-th unit on (1-based), each unit costs `amount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeTier {
    pub from: u32,
    pub amount: i64,
}

/// When a schedule line is due.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeApplies {
    /// On every dossier of the procedure.
    #[default]
    Always,
    /// Only in the case the line names, which the receiver states at reception.
    WhenChosen,
    /// Not on a dossier submitted online (the law waives it there).
    NotOnline,
}

impl FeeApplies {
    pub fn is_always(&self) -> bool {
        matches!(self, FeeApplies::Always)
    }
}

/// What the receiver states about one line of the schedule for this dossier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeeFact {
    /// The line's position in the procedure's schedule (0-based).
    pub line: usize,
    /// Units counted in each group (pages of each copy); required by a per-unit line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u32>,
    /// Groups (copies) for a line with a `group`; 1 when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<u32>,
    /// The case a "when chosen" line names applies to this dossier.
    #[serde(default)]
    pub chosen: bool,
    /// An exemption (100) or reduction (1–99 percent) with its legal reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relief: Option<Relief>,
}

/// An exemption or reduction of one line, with the reason the law gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relief {
    /// Percent taken off: 100 exempts the line.
    pub percent: u8,
    /// The legal basis and the applicant's case ("Người có công với cách mạng — …").
    pub reason: String,
}

/// One line of what a dossier owes, as computed at reception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessedFee {
    /// The schedule line's name.
    pub name: String,
    /// The counted unit and the group of a per-unit line, for the receipt ("3 trang × 2 bản").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Units counted in each group (1 for a fixed line) and the number of groups.
    pub quantity: u32,
    pub groups: u32,
    /// The schedule's amount before any relief, in đồng.
    pub amount: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relief: Option<Relief>,
    /// What the applicant pays for this line, in đồng.
    pub due: i64,
}

/// The total due of an assessment.
pub fn total(lines: &[AssessedFee]) -> i64 {
    lines.iter().fold(0i64, |sum, l| sum.saturating_add(l.due))
}

/// What a dossier not yet received can be said to owe: the fixed lines due on every dossier
/// (minus a line waived online, for an online one). Per-unit lines and lines due only in a case
/// wait for the facts stated at reception. For a schedule of fixed "always" lines only (every
/// catalog before issue 15) this is the sum of the schedule, as it always was.
pub fn known_before_reception(schedule: &[Fee], online: bool) -> i64 {
    schedule.iter().filter(|f| f.due_before_reception(online)).fold(0i64, |sum, f| sum.saturating_add(f.amount))
}

impl Fee {
    /// A fixed line of `amount` đồng.
    pub fn fixed(name: &str, amount: i64) -> Fee {
        Fee { name: name.to_owned(), amount, ..Fee::default() }
    }

    /// Known to be due before reception: a fixed line due on every dossier (not waived online
    /// for an `online` one). See [`known_before_reception`].
    pub fn due_before_reception(&self, online: bool) -> bool {
        !self.is_per_unit()
            && match self.applies {
                FeeApplies::Always => true,
                FeeApplies::WhenChosen => false,
                FeeApplies::NotOnline => !online,
            }
    }

    /// Counts units (a per-unit line) rather than being a fixed amount.
    pub fn is_per_unit(&self) -> bool {
        self.per.is_some()
    }

    /// The price of the `i`-th unit (1-based): the last tier that has begun, else the base.
    fn price(&self, i: u32) -> i64 {
        self.tiers.iter().filter(|t| t.from <= i).max_by_key(|t| t.from).map_or(self.amount, |t| t.amount)
    }

    /// The amount of `quantity` units in one group, floor and cap applied.
    fn group_amount(&self, quantity: u32) -> i64 {
        // Units 1..=quantity, walked tier by tier (tiers are sorted by `validate_schedule`).
        let mut starts: Vec<u32> = std::iter::once(1).chain(self.tiers.iter().map(|t| t.from)).collect();
        starts.sort_unstable();
        starts.dedup();
        let mut sum: i64 = 0;
        for (k, &start) in starts.iter().enumerate() {
            if start > quantity {
                break;
            }
            let end = starts.get(k + 1).map_or(quantity, |next| (next - 1).min(quantity));
            sum = sum.saturating_add(i64::from(end - start + 1).saturating_mul(self.price(start)));
        }
        let sum = if quantity > 0 { self.min.map_or(sum, |m| sum.max(m)) } else { 0 };
        self.max.map_or(sum, |m| sum.min(m))
    }
}

fn invalid(en: String, vi: String) -> DomainError {
    DomainError::invalid(ErrorCode::InvalidFee, en, vi)
}

/// Checks a schedule: amounts not negative, tiers after the first unit and in order, the floor
/// not above the cap, tiers and groups only on per-unit lines.
pub fn validate_schedule(fees: &[Fee]) -> Result<(), DomainError> {
    for f in fees {
        let name = f.name.trim();
        if name.is_empty() {
            return Err(invalid("a fee line needs a name".into(), "mỗi dòng phí, lệ phí cần có tên".into()));
        }
        let amounts = std::iter::once(f.amount).chain(f.tiers.iter().map(|t| t.amount)).chain(f.min).chain(f.max);
        if amounts.into_iter().any(|a| !(0..=MAX_AMOUNT).contains(&a)) {
            return Err(invalid(
                format!("fee '{name}': amounts are from 0 to {MAX_AMOUNT} đồng"),
                format!("phí, lệ phí '{name}': số tiền từ 0 đến {MAX_AMOUNT} đồng"),
            ));
        }
        if !f.is_per_unit() && (!f.tiers.is_empty() || f.group.is_some()) {
            return Err(invalid(
                format!("fee '{name}': tiers and groups need a counted unit (per)"),
                format!("phí, lệ phí '{name}': bậc giá và nhóm tính chỉ dùng cho mức thu theo đơn vị (trang, bản…)"),
            ));
        }
        if f.tiers.iter().any(|t| t.from < 2) || f.tiers.windows(2).any(|w| w[0].from >= w[1].from) {
            return Err(invalid(
                format!("fee '{name}': tiers start from the 2nd unit on, in increasing order"),
                format!("phí, lệ phí '{name}': bậc giá bắt đầu từ đơn vị thứ 2 trở lên, theo thứ tự tăng dần"),
            ));
        }
        if let (Some(lo), Some(hi)) = (f.min, f.max)
            && lo > hi
        {
            return Err(invalid(
                format!("fee '{name}': the floor is above the cap"),
                format!("phí, lệ phí '{name}': mức tối thiểu lớn hơn mức tối đa"),
            ));
        }
    }
    Ok(())
}

/// The amount a dossier owes: each schedule line that applies, computed from the facts the
/// receiver stated, exemptions and reductions applied with their reasons. `online`: the dossier
/// was submitted online (a `NotOnline` line is then waived, and listed as such).
///
/// Refused: a fact about a line that does not exist or is stated twice, a per-unit line without
/// its quantity, a quantity above [`MAX_QUANTITY`], a relief above 100 % or without a reason.
pub fn assess(schedule: &[Fee], facts: &[FeeFact], online: bool) -> Result<Vec<AssessedFee>, DomainError> {
    for (i, f) in facts.iter().enumerate() {
        if f.line >= schedule.len() || facts[..i].iter().any(|g| g.line == f.line) {
            return Err(DomainError::invalid(
                ErrorCode::InvalidFeeFacts,
                format!("fee line {} does not exist or is stated twice", f.line),
                format!("dòng phí, lệ phí số {} không có hoặc được khai hai lần", f.line),
            ));
        }
        // A count of 0 would make the line free without saying why: that is a relief, with its
        // reason.
        let out_of_range = |n: Option<u32>| n.is_some_and(|n| n == 0 || n > MAX_QUANTITY);
        if out_of_range(f.quantity) || out_of_range(f.groups) {
            return Err(DomainError::invalid(
                ErrorCode::InvalidFeeFacts,
                format!("fee line {}: from 1 to {MAX_QUANTITY} units", f.line),
                format!("dòng phí, lệ phí số {}: từ 1 đến {MAX_QUANTITY} đơn vị", f.line),
            ));
        }
        if let Some(r) = &f.relief
            && (r.percent == 0 || r.percent > 100 || r.reason.trim().is_empty() || r.reason.chars().count() > 500)
        {
            return Err(DomainError::invalid(
                ErrorCode::InvalidFeeFacts,
                format!("fee line {}: an exemption or reduction is 1–100 % with its legal reason", f.line),
                format!("dòng phí, lệ phí số {}: miễn, giảm từ 1 đến 100% và phải ghi rõ căn cứ", f.line),
            ));
        }
    }
    let mut out = Vec::new();
    for (i, fee) in schedule.iter().enumerate() {
        let fact = facts.iter().find(|f| f.line == i);
        if fee.applies == FeeApplies::WhenChosen && !fact.is_some_and(|f| f.chosen) {
            continue;
        }
        let (quantity, groups) = if fee.is_per_unit() {
            let q = fact.and_then(|f| f.quantity).ok_or_else(|| {
                DomainError::invalid(
                    ErrorCode::FeeQuantityRequired,
                    format!("fee '{}' is per {}: state how many", fee.name, fee.per.as_deref().unwrap_or("unit")),
                    format!(
                        "phí, lệ phí '{}' tính theo {}: cần nhập số lượng",
                        fee.name,
                        fee.per.as_deref().unwrap_or("đơn vị")
                    ),
                )
            })?;
            let g = if fee.group.is_some() { fact.and_then(|f| f.groups).unwrap_or(1) } else { 1 };
            (q, g)
        } else {
            (1, 1)
        };
        let amount = if fee.is_per_unit() { fee.group_amount(quantity) } else { fee.amount };
        let amount = amount.saturating_mul(i64::from(groups));
        let waived = (fee.applies == FeeApplies::NotOnline && online)
            .then(|| Relief { percent: 100, reason: "Miễn khi nộp hồ sơ trực tuyến".to_owned() });
        let relief = waived.or_else(|| fact.and_then(|f| f.relief.clone()));
        let due = match &relief {
            // Round the reduced amount down to the đồng, in the applicant's favour.
            Some(r) => amount.saturating_mul(i64::from(100 - r.percent.min(100))) / 100,
            None => amount,
        };
        out.push(AssessedFee {
            name: fee.name.clone(),
            per: fee.per.clone(),
            group: fee.group.clone(),
            quantity,
            groups,
            amount,
            relief,
            due,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// TT 226/2016/TT-BTC Art. 4: copies certified from the original.
    fn certified_copy() -> Fee {
        Fee {
            name: "Phí chứng thực bản sao từ bản chính".into(),
            amount: 2000,
            per: Some("trang".into()),
            tiers: vec![FeeTier { from: 3, amount: 1000 }],
            max: Some(200_000),
            group: Some("bản".into()),
            ..Fee::default()
        }
    }

    fn fact(line: usize, quantity: u32, groups: u32) -> FeeFact {
        FeeFact { line, quantity: Some(quantity), groups: Some(groups), ..FeeFact::default() }
    }

    #[test]
    fn certified_copies_cost_2000_for_each_of_the_first_two_pages_then_1000_capped_per_copy() {
        let s = [certified_copy()];
        let due = |pages, copies| total(&assess(&s, &[fact(0, pages, copies)], false).unwrap());
        assert_eq!(due(1, 1), 2_000);
        assert_eq!(due(2, 1), 4_000);
        assert_eq!(due(3, 1), 5_000);
        assert_eq!(due(10, 3), 3 * 12_000);
        assert_eq!(due(198, 1), 200_000, "4.000 + 196 × 1.000 reaches the cap");
        assert_eq!(due(500, 2), 400_000, "the cap is per copy");
        // The schedule's three lines summed (the old bug) would have charged 203.000 đ for one page.
        assert_ne!(due(1, 1), 203_000);
    }

    #[test]
    fn a_per_unit_line_needs_its_quantity_and_bad_facts_are_refused() {
        let s = [certified_copy()];
        assert_eq!(assess(&s, &[], false).unwrap_err().code, "fee_quantity_required");
        let twice = [fact(0, 1, 1), fact(0, 2, 1)];
        assert_eq!(assess(&s, &twice, false).unwrap_err().code, "invalid_fee_facts");
        assert_eq!(assess(&s, &[fact(3, 1, 1)], false).unwrap_err().code, "invalid_fee_facts");
        assert_eq!(assess(&s, &[fact(0, MAX_QUANTITY + 1, 1)], false).unwrap_err().code, "invalid_fee_facts");
        assert_eq!(assess(&s, &[fact(0, 0, 1)], false).unwrap_err().code, "invalid_fee_facts", "no free pages");
        assert_eq!(assess(&s, &[fact(0, 3, 0)], false).unwrap_err().code, "invalid_fee_facts", "no free copies");
        let no_reason = FeeFact { relief: Some(Relief { percent: 100, reason: " ".into() }), ..fact(0, 1, 1) };
        assert_eq!(assess(&s, &[no_reason], false).unwrap_err().code, "invalid_fee_facts");
        let over = FeeFact { relief: Some(Relief { percent: 101, reason: "x".into() }), ..fact(0, 1, 1) };
        assert_eq!(assess(&s, &[over], false).unwrap_err().code, "invalid_fee_facts");
    }

    #[test]
    fn the_applicant_pays_the_lines_that_apply() {
        // 1.013831: the correction charge always; a new certificate only in that case.
        let s = [
            Fee::fixed("Lệ phí chỉnh lý Giấy chứng nhận đã cấp", 25_000),
            Fee {
                applies: FeeApplies::WhenChosen, ..Fee::fixed("Lệ phí cấp mới Giấy chứng nhận", 100_000)
            },
        ];
        assert_eq!(total(&assess(&s, &[], false).unwrap()), 25_000);
        let chosen = FeeFact { line: 1, chosen: true, ..FeeFact::default() };
        let lines = assess(&s, &[chosen], false).unwrap();
        assert_eq!((lines.len(), total(&lines)), (2, 125_000));
        // 2.001610: the registration charge is waived online; the publication fee is not.
        let s = [
            Fee { applies: FeeApplies::NotOnline, ..Fee::fixed("Lệ phí đăng ký doanh nghiệp", 50_000) },
            Fee::fixed("Phí công bố nội dung đăng ký doanh nghiệp", 100_000),
        ];
        assert_eq!(total(&assess(&s, &[], false).unwrap()), 150_000);
        let online = assess(&s, &[], true).unwrap();
        assert_eq!(total(&online), 100_000);
        assert_eq!(online[0].relief.as_ref().map(|r| r.percent), Some(100), "listed as waived");
    }

    #[test]
    fn exemptions_and_reductions_keep_their_reason_and_round_in_the_applicants_favour() {
        let s = [Fee::fixed("Lệ phí", 15_000)];
        let half = FeeFact {
            line: 0,
            relief: Some(Relief { percent: 50, reason: "Hộ cận nghèo".into() }),
            ..Default::default()
        };
        let lines = assess(&s, &[half], false).unwrap();
        assert_eq!((lines[0].amount, lines[0].due), (15_000, 7_500));
        let third = FeeFact { line: 0, relief: Some(Relief { percent: 33, reason: "x".into() }), ..Default::default() };
        assert_eq!(assess(&[Fee::fixed("L", 10_001)], &[third], false).unwrap()[0].due, 6_700);
        let free = FeeFact {
            line: 0,
            relief: Some(Relief { percent: 100, reason: "Người có công".into() }),
            ..Default::default()
        };
        assert_eq!(total(&assess(&s, &[free], false).unwrap()), 0);
    }

    #[test]
    fn schedules_are_checked() {
        assert!(validate_schedule(&[certified_copy()]).is_ok());
        let bad_tier = Fee { tiers: vec![FeeTier { from: 1, amount: 1 }], ..certified_copy() };
        assert_eq!(validate_schedule(&[bad_tier]).unwrap_err().code, "invalid_fee");
        let unordered =
            Fee { tiers: vec![FeeTier { from: 5, amount: 1 }, FeeTier { from: 3, amount: 1 }], ..certified_copy() };
        assert!(validate_schedule(&[unordered]).is_err());
        let floor_above_cap = Fee { min: Some(300_000), ..certified_copy() };
        assert!(validate_schedule(&[floor_above_cap]).is_err());
        let fixed_with_group = Fee { group: Some("bản".into()), ..Fee::fixed("L", 1) };
        assert!(validate_schedule(&[fixed_with_group]).is_err());
        assert!(validate_schedule(&[Fee::fixed("L", -1)]).is_err());
        assert!(validate_schedule(&[Fee::fixed("L", MAX_AMOUNT + 1)]).is_err());
        // An old catalog line (name and amount) reads as a fixed line.
        let old: Fee = serde_json::from_str(r#"{"name": "Lệ phí", "amount": 5000}"#).unwrap();
        assert_eq!(old, Fee::fixed("Lệ phí", 5000));
        assert_eq!(serde_json::to_string(&old).unwrap(), r#"{"name":"Lệ phí","amount":5000}"#);
    }

    fn schedule() -> impl Strategy<Value = Fee> {
        (0i64..50_000, proptest::option::of(0i64..20_000), proptest::option::of(0i64..2_000_000), 2u32..20).prop_map(
            |(amount, tier, max, from)| Fee {
                name: "L".into(),
                amount,
                per: Some("trang".into()),
                tiers: tier.map(|a| FeeTier { from, amount: a }).into_iter().collect(),
                max,
                group: Some("bản".into()),
                ..Fee::default()
            },
        )
    }

    proptest! {
        /// A capped line never exceeds its cap per copy; one more page never costs less; a
        /// tierless line is the page price times the pages (below the cap).
        #[test]
        fn per_unit_amounts_respect_caps_and_grow_with_the_count(fee in schedule(), pages in 1u32..5_000, copies in 1u32..20) {
            let s = [fee.clone()];
            let due = |p: u32| total(&assess(&s, &[fact(0, p, copies)], false).unwrap());
            if let Some(max) = fee.max {
                prop_assert!(due(pages) <= max * i64::from(copies));
            }
            prop_assert!(due(pages + 1) >= due(pages));
            if fee.tiers.is_empty() && fee.max.is_none() {
                prop_assert_eq!(due(pages), fee.amount * i64::from(pages) * i64::from(copies));
            }
        }

        /// A relief never raises what is due, and 100 % leaves nothing to pay.
        #[test]
        fn reliefs_only_lower_what_is_due(fee in schedule(), pages in 1u32..500, percent in 1u8..=100) {
            let s = [fee];
            let plain = total(&assess(&s, &[fact(0, pages, 1)], false).unwrap());
            let relief = Some(Relief { percent, reason: "x".into() });
            let reduced = total(&assess(&s, &[FeeFact { relief, ..fact(0, pages, 1) }], false).unwrap());
            prop_assert!(reduced <= plain);
            if percent == 100 { prop_assert_eq!(reduced, 0); }
        }
    }
}
