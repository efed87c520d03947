//! Rates and 766 points from a [`Tally`]. Every rate is a percentage rounded to 2 decimals and
//! 0 when its denominator is 0 (domain.md §3 Notes); points use the unrounded ratio and are
//! rounded to 2 decimals. Formulas: VPCP "Mô tả công thức tính chỉ số 766" [S27-formula];
//! curves: reverse-engineered portal scoring [S27-scoring]; maxima: portal metric table [S27-max].

use serde::{Deserialize, Serialize};

use super::Tally;

/// The counts and rates of a group of dossiers over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicators {
    /// Dossiers received or processed in the period (QĐ 766 row 2.1 denominator; domain.md §2.4).
    pub processed: u64,
    /// Dossiers accepted by the one-stop in the period (denominator of rows 3.3, 4.2, 4.3;
    /// domain.md §3, Decisions 2).
    pub received: u64,
    /// Of `received`, submitted online (`KenhThucHien` = 2; QĐ 766 row 3.3, domain.md §3).
    pub online: u64,
    /// `online` ÷ `received`, the channel share reported beside row 3.3 (domain.md §3).
    pub online_rate: f64,
    /// Of `processed`, finished by the period end (Decisions 6; QĐ 766 row 2.1, domain.md §2.4).
    pub finished: u64,
    /// Of `processed`, early / on time / late by the one `classify` rule (QĐ 766 row 2.1
    /// "NgayKetThucXuLy ≤ NgayHenTra"; domain.md §2.4, Decisions 4–6). Unfinished dossiers past
    /// due at the period end are late; running dossiers not yet due are in none of the three.
    pub early: u64,
    /// Of `processed`, finished on the due instant's date, not after it (QĐ 766 row 2.1;
    /// domain.md §2.4, Decisions 6).
    pub on_time: u64,
    /// Of `processed`, finished after the due instant, unfinished and past due at the period end,
    /// or with more than one supplementation request (QĐ 766 row 2.1; domain.md §2.3–§2.4).
    pub late: u64,
    /// (`processed` − `late`) ÷ `processed`: "dossiers done or in progress on time ÷ dossiers
    /// received or processed in the period" (QĐ 766 row 2.1; domain.md §2.4).
    pub on_time_rate: f64,
    /// Received dossiers with digitized input ÷ received (QĐ 766 row 4.2 part 1,
    /// `SO_HOA_GIAY_TO_GIAI_QUYET`; domain.md §3, §7).
    pub digitized_input_rate: f64,
    /// Received dossiers of paper-result procedures with an electronic result ÷ received dossiers
    /// of such procedures (QĐ 766 row 4.1, `ORIGINAL_RESULT_AVAILABLE`; domain.md §3).
    pub digitized_output_rate: f64,
    /// Received dossiers digitized in input and (where a paper result is required) output
    /// ÷ received (QĐ 766 row 4.2; domain.md §3).
    pub digitized_both_rate: f64,
    /// Received dossiers re-using digitized data ÷ received (QĐ 766 row 4.3,
    /// `REUSED_DIGITIZED_DATA`; domain.md §3).
    pub reused_data_rate: f64,
    /// Fee-bearing received dossiers paid online ÷ fee-bearing received dossiers (QĐ 766 row 3.6;
    /// domain.md §3: dossiers whose fees are all 0 are excluded).
    pub online_payment_rate: f64,
    /// Rated 4–5 ÷ rated, over processed dossiers (applicant ratings, NĐ 61/2018 Art. 29, feeding
    /// QĐ 766 group 5; domain.md §3, §11).
    pub satisfaction_rate: f64,
    /// 100 % − (late rate + rate of dossiers rated 1–2), both over `processed`, floored at 0
    /// (QĐ 766 row 5.4, `DOSSIER_RECEIVING_SATISFACTION`; domain.md §3). Dossiers with a PAKN
    /// are not on the dossier; see [`Points::receiving_satisfaction`].
    pub receiving_satisfaction_rate: f64,
    /// The QĐ 766 points of the rows above (domain.md §3 scoring curves).
    pub points: Points,
}

/// QĐ 766 points. The rows computed here read only dossiers; the `Option` rows need data that is
/// not on a dossier and are always `None` here, to be filled by the layer that holds that data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Points {
    /// Row 2.1, max 20: 20 × on-time ratio (domain.md §2.4, §3 [S27-scoring]).
    pub resolved_on_time: f64,
    /// Row 3.3, max 6: min(6, 6 × rate ÷ 0.5), rate = online dossiers (with an electronic result
    /// when the result is paper) ÷ received (domain.md §3). The portal multiplies by the sync
    /// rate (row 1.4); the local mirror counts every dossier as synced.
    pub online_dossiers: f64,
    /// Row 3.6, max 6: 6 × online-payment ratio (domain.md §3).
    pub paid_online: f64,
    /// Row 4.1, max 6: 6 × electronic-result ratio (linear; domain.md §3).
    pub electronic_result: f64,
    /// Row 4.2, max 4: 4 × digitized-both ratio (linear as observed; domain.md §3).
    pub digitized: f64,
    /// Row 4.3, max 2: min(2, 2 × rate ÷ 0.8), rate = re-used data ratio (domain.md §3).
    pub reused_data: f64,
    /// Row 5.4, max 6: min(6, 6 × rate ÷ 0.9), rate = 100 % − (late rate + dislike rate)
    /// (domain.md §3). The PAKN part of the "dislike" rate lives in the feedback module (§8) and
    /// is not subtracted here; no dossiers gives 0 (denominator-0 rule).
    pub receiving_satisfaction: f64,
    /// Sum of the rows above (max 50).
    pub computed_total: f64,
    /// Row 1.1 (6): publication decisions vs legal basis dates — catalog data (CSDLQG).
    pub publish_on_time: Option<f64>,
    /// Row 1.2 (4): publication clicks on the CSDLQG — catalog data.
    pub public_update_on_time: Option<f64>,
    /// Row 1.3 (2): completeness of published procedures — catalog data.
    pub public_content_full: Option<f64>,
    /// Row 1.4 (6): dossiers synced to the national portal — sync log.
    pub dossier_sync: Option<f64>,
    /// Row 3.1 (2): procedures offered online ÷ procedures in competence — catalog data.
    pub procedures_online: Option<f64>,
    /// Row 3.2 (4): online services that received ≥ 1 online dossier — catalog × dossiers.
    pub online_services_used: Option<f64>,
    /// Row 3.5 (2): procedures with fees integrated for online payment — catalog data.
    pub fees_integrated: Option<f64>,
    /// Row 3.5b (2): procedures with actual online-payment transactions — payment-gateway data.
    pub online_payment_transactions: Option<f64>,
    /// Row 5.2 (6): PAKN handled on time — feedback data (domain.md §8).
    pub petition_on_time: Option<f64>,
    /// Row 5.3 (6): satisfaction with PAKN handling — feedback data (domain.md §8).
    pub petition_satisfaction: Option<f64>,
    /// Electronic certified copies (2): certification records, not on the dossier.
    pub electronic_certified_copy: Option<f64>,
    /// Row 4.4 (4): link to the citizen's data store, including pushed e-result links — store data.
    pub personal_storage: Option<f64>,
    /// Row 4.5a (2): procedures using population-database / VNeID data — not flagged on the dossier.
    pub citizen_data_procedures: Option<f64>,
    /// Row 4.5b (2): dossiers using population-database data — not flagged on the dossier.
    pub citizen_data_dossiers: Option<f64>,
}

/// QĐ 766 row 1.4 (`DOSSIER_SYNC`, max 6, linear): dossiers synced to the national portal with a
/// reception date in the period ÷ dossiers received in the period (domain.md §3 [S27-formula]),
/// as (percent, points); `None` when nothing was received. The portal takes the larger of its own
/// and the national reporting system's received counts; a province sees its own count here.
pub fn dossier_sync(synced: u64, received: u64) -> Option<(f64, f64)> {
    (received > 0).then(|| {
        let r = ratio(synced, received);
        (pct(r), curve(6.0, r, 1.0))
    })
}

/// Maximum of the rows computed here: 20 + 6 + 6 + 6 + 4 + 2 + 6.
pub const COMPUTED_MAX: f64 = 50.0;

/// `n ÷ d` as a ratio in 0..=1; 0 when `d` is 0.
fn ratio(n: u64, d: u64) -> f64 {
    if d == 0 { 0.0 } else { (n.min(d) as f64) / (d as f64) }
}

/// Rounded to 2 decimals.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A ratio as a percentage rounded to 2 decimals.
fn pct(r: f64) -> f64 {
    round2(100.0 * r)
}

/// `max × ratio`, full marks from `full_at` (a ratio in 0..=1; 1.0 for a linear curve).
fn curve(max: f64, r: f64, full_at: f64) -> f64 {
    round2((max * r / full_at).clamp(0.0, max))
}

impl From<&Tally> for Indicators {
    fn from(t: &Tally) -> Indicators {
        let on_time = ratio(t.processed.saturating_sub(t.late), t.processed);
        let online_766 = ratio(t.online_766, t.received);
        let payment = ratio(t.paid_online, t.fee_bearing);
        let output = ratio(t.result_digitized, t.paper_result);
        let both = ratio(t.digitized_both, t.received);
        let reused = ratio(t.reused_data, t.received);
        let receiving = if t.processed == 0 {
            0.0
        } else {
            (1.0 - ratio(t.late, t.processed) - ratio(t.disliked, t.processed)).max(0.0)
        };
        let resolved_on_time = curve(20.0, on_time, 1.0);
        let online_dossiers = curve(6.0, online_766, 0.5);
        let paid_online = curve(6.0, payment, 1.0);
        let electronic_result = curve(6.0, output, 1.0);
        let digitized = curve(4.0, both, 1.0);
        let reused_data = curve(2.0, reused, 0.8);
        let receiving_satisfaction = curve(6.0, receiving, 0.9);
        let computed_total = round2(
            resolved_on_time
                + online_dossiers
                + paid_online
                + electronic_result
                + digitized
                + reused_data
                + receiving_satisfaction,
        );
        Indicators {
            processed: t.processed,
            received: t.received,
            online: t.online,
            online_rate: pct(ratio(t.online, t.received)),
            finished: t.finished,
            early: t.early,
            on_time: t.on_time,
            late: t.late,
            on_time_rate: pct(on_time),
            digitized_input_rate: pct(ratio(t.digitized_input, t.received)),
            digitized_output_rate: pct(output),
            digitized_both_rate: pct(both),
            reused_data_rate: pct(reused),
            online_payment_rate: pct(payment),
            satisfaction_rate: pct(ratio(t.satisfied, t.rated)),
            receiving_satisfaction_rate: pct(receiving),
            points: Points {
                resolved_on_time,
                online_dossiers,
                paid_online,
                electronic_result,
                digitized,
                reused_data,
                receiving_satisfaction,
                computed_total,
                publish_on_time: None,
                public_update_on_time: None,
                public_content_full: None,
                dossier_sync: None,
                procedures_online: None,
                online_services_used: None,
                fees_integrated: None,
                online_payment_transactions: None,
                petition_on_time: None,
                petition_satisfaction: None,
                electronic_certified_copy: None,
                personal_storage: None,
                citizen_data_procedures: None,
                citizen_data_dossiers: None,
            },
        }
    }
}

#[cfg(test)]
mod sync_tests {
    use super::dossier_sync;

    #[test]
    fn row_1_4_is_linear_in_the_synced_share_and_absent_without_receptions() {
        assert_eq!(dossier_sync(0, 0), None);
        assert_eq!(dossier_sync(50, 100), Some((50.0, 3.0)));
        assert_eq!(dossier_sync(100, 100), Some((100.0, 6.0)));
        assert_eq!(dossier_sync(120, 100), Some((100.0, 6.0)), "never above the received count");
        assert_eq!(dossier_sync(1, 3), Some((33.33, 2.0)));
    }
}
