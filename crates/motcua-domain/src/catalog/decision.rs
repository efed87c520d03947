//! Publication decisions (quyết định công bố): the act that publishes new procedures, amends or
//! replaces existing ones and abolishes others (NĐ 63/2010/NĐ-CP Art. 13–15 as amended by
//! NĐ 92/2017/NĐ-CP; domain.md §5.5). Applying one creates procedure versions effective from
//! its `effective_from` date; this module only checks that a decision is well formed.

use crate::ErrorCode;
use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use time::Date;

use super::{Procedure, ProcedureCode};
use crate::error::DomainError;

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// A publication decision. A replaced procedure (thay thế) is published as `amended` under the
/// same code, or as `abolished` plus `new` under a new code (Art. 14: the decision carries the
/// full components of new procedures and the changed ones of amended/replaced procedures).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Decision number, e.g. "1234/QĐ-UBND".
    pub number: String,
    #[serde(with = "iso_date")]
    pub signed_on: Date,
    /// Date from which the published versions apply (the legal document's effective date).
    #[serde(with = "iso_date")]
    pub effective_from: Date,
    pub signer: String,
    #[serde(default)]
    pub new: Vec<Procedure>,
    #[serde(default)]
    pub amended: Vec<Procedure>,
    /// Codes of abolished procedures (bãi bỏ).
    #[serde(default)]
    pub abolished: Vec<String>,
}

impl Decision {
    /// Checks the decision: number and signer given, effective on or after signing, at least one
    /// procedure, every code valid and named once across the lists, every procedure valid.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.number.trim().is_empty() || self.signer.trim().is_empty() {
            return Err(DomainError::invalid(
                ErrorCode::InvalidDecision,
                "a decision needs its number and signer",
                "quyết định phải có số và người ký",
            ));
        }
        if self.effective_from < self.signed_on {
            return Err(DomainError::invalid(
                ErrorCode::InvalidEffectiveDate,
                "effective_from cannot be before signed_on",
                "ngày có hiệu lực không được trước ngày ký",
            ));
        }
        if self.new.is_empty() && self.amended.is_empty() && self.abolished.is_empty() {
            return Err(DomainError::invalid(
                ErrorCode::EmptyDecision,
                "a decision must publish, amend or abolish at least one procedure",
                "quyết định phải công bố, sửa đổi hoặc bãi bỏ ít nhất một thủ tục",
            ));
        }
        let mut seen = HashSet::new();
        let codes = self.new.iter().chain(&self.amended).map(|p| p.code.as_str());
        for code in codes.chain(self.abolished.iter().map(String::as_str)) {
            ProcedureCode::parse(code)?;
            if !seen.insert(code) {
                return Err(DomainError::invalid(
                    ErrorCode::DuplicateProcedure,
                    format!("procedure {code} appears more than once in the decision"),
                    format!("thủ tục {code} xuất hiện nhiều lần trong quyết định"),
                ));
            }
        }
        self.new.iter().chain(&self.amended).try_for_each(Procedure::validate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn procedure(code: &str) -> Procedure {
        serde_json::from_value(serde_json::json!({
            "code": code, "name": "Đăng ký kết hôn", "field": "Hộ tịch", "level": "commune",
            "agency": "COMMUNE", "processing_days": 3, "online_level": "full"
        }))
        .expect("test procedure")
    }

    fn decision() -> Decision {
        Decision {
            number: "12/QĐ-UBND".into(),
            signed_on: time::macros::date!(2025 - 07 - 01),
            effective_from: time::macros::date!(2025 - 07 - 10),
            signer: "Chủ tịch".into(),
            new: vec![procedure("1.000001")],
            amended: vec![procedure("1.000002")],
            abolished: vec!["1.000003".into()],
        }
    }

    #[test]
    fn a_well_formed_decision_is_accepted() {
        assert!(decision().validate().is_ok());
    }

    #[test]
    fn a_decision_needs_number_and_signer() {
        let d = Decision { number: " ".into(), ..decision() };
        assert_eq!(d.validate().map_err(|e| e.code.as_str()), Err("invalid_decision"));
        let d = Decision { signer: String::new(), ..decision() };
        assert_eq!(d.validate().map_err(|e| e.code.as_str()), Err("invalid_decision"));
    }

    #[test]
    fn a_decision_cannot_take_effect_before_it_is_signed() {
        let d = Decision { effective_from: time::macros::date!(2025 - 06 - 30), ..decision() };
        assert_eq!(d.validate().map_err(|e| e.code.as_str()), Err("invalid_effective_date"));
    }

    #[test]
    fn a_code_may_appear_in_only_one_list() {
        let d = Decision { abolished: vec!["1.000001".into()], ..decision() };
        assert_eq!(d.validate().map_err(|e| e.code.as_str()), Err("duplicate_procedure"));
    }

    #[test]
    fn codes_and_procedures_are_validated() {
        let d = Decision { abolished: vec!["bad".into()], ..decision() };
        assert_eq!(d.validate().map_err(|e| e.code.as_str()), Err("invalid_procedure_code"));
        let mut p = procedure("1.000004");
        p.processing_days = None;
        let d = Decision { new: vec![p], ..decision() };
        assert_eq!(d.validate().map_err(|e| e.code.as_str()), Err("invalid_processing_time"));
    }

    #[test]
    fn dates_travel_as_iso_dates() {
        let v = serde_json::to_value(decision()).expect("serializes");
        assert_eq!(v["effective_from"], "2025-07-10");
        let back: Decision = serde_json::from_value(v).expect("parses");
        assert_eq!(back, decision());
    }
}
