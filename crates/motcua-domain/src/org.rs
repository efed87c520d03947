//! Organisational units: the province, its one-stop centers, agencies, communes, wards and
//! special zones (đặc khu), with national codes (QĐ 19/2025/QĐ-TTg), electronic organ identifiers
//! (QĐ 20/2020/QĐ-TTg) and validity dates, so pre-2025 units stay representable after the
//! two-level reform (NQ 202/2025/QH15, NQ 203/2025/QH15; domain.md §13).

pub mod restructure;

use serde::{Deserialize, Serialize};

use crate::catalog::Level;
use crate::ids::UnitCode;
use crate::{DomainError, ErrorCode};

pub use restructure::{Operation, RestructurePlan, successor_of};

/// What a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Province,
    Center,
    Agency,
    District,
    Commune,
    Ward,
    SpecialZone,
    /// A reception point (quầy / điểm tiếp nhận) of a center; its parent is the center. A commune
    /// center "may run several reception points" (NĐ 118/2025, domain.md §1.1). Dossiers are
    /// received in the name of the parent center.
    Counter,
}

/// One unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub code: UnitCode,
    pub name: String,
    pub kind: UnitKind,
    pub level: Level,
    #[serde(default)]
    pub parent: Option<String>,
    /// Short ASCII name used in demo logins (`tiepnhan.phuquoc`).
    #[serde(default)]
    pub slug: Option<String>,
    /// Electronic organ identifier (QĐ 20/2020/QĐ-TTg), used in edXML packages.
    #[serde(default)]
    pub organ_id: Option<String>,
    /// Office hours in `OfficeHours::parse` form; the default calendar's when absent.
    #[serde(default)]
    pub office_hours: Option<String>,
    /// Dossier code template; [`crate::code::DEFAULT_TEMPLATE`] when absent.
    #[serde(default)]
    pub code_template: Option<String>,
    #[serde(default)]
    pub valid_from: Option<String>,
    #[serde(default)]
    pub valid_to: Option<String>,
    #[serde(default)]
    pub successor: Option<String>,
    #[serde(default)]
    pub predecessors: Vec<String>,
}

impl Unit {
    /// A one-stop that receives dossiers: a center, or a commune-level unit's own one-stop.
    pub fn receives_dossiers(&self) -> bool {
        matches!(self.kind, UnitKind::Center | UnitKind::Commune | UnitKind::Ward | UnitKind::SpecialZone)
    }
    /// Still in existence (no end of validity).
    pub fn is_current(&self) -> bool {
        self.valid_to.is_none()
    }
    /// In existence on `day` (`YYYY-MM-DD`): from its first day of validity through its last
    /// (the 2025 arrangement: the old province's last day is 30/06/2025, NQ 202/2025/QH15).
    pub fn valid_on(&self, day: &str) -> bool {
        self.valid_from.as_deref().is_none_or(|f| f <= day) && self.valid_to.as_deref().is_none_or(|t| day <= t)
    }
}

/// What an administrator may change on a unit (the administration's unit page), as typed.
#[derive(Debug, Clone, Copy)]
pub struct UnitSettings<'a> {
    pub name: &'a str,
    /// Empty: the center's default hours.
    pub office_hours: &'a str,
    /// Empty: the default dossier code template.
    pub code_template: &'a str,
    /// Empty: the unit exchanges no edXML.
    pub organ_id: &'a str,
}

impl UnitSettings<'_> {
    /// Every problem at once (the page lists them all), each in both languages:
    /// - a name of 1 to 200 characters;
    /// - office hours in the calendar's syntax (`crate::calendar::OfficeHours::parse`);
    /// - a dossier code template that renders for this unit (`crate::code::render`);
    /// - an electronic organ identifier of at most 35 capitals, digits and dots
    ///   (QĐ 20/2020/QĐ-TTg, the shape of the codes in its annex).
    pub fn problems(&self, unit_code: &str, today: time::Date) -> Vec<DomainError> {
        let mut out = Vec::new();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            out.push(DomainError::invalid(
                ErrorCode::InvalidUnitName,
                "Name: required, at most 200 characters.",
                "Tên đơn vị: bắt buộc, tối đa 200 ký tự.",
            ));
        }
        let hours = self.office_hours.trim();
        if !hours.is_empty()
            && let Err(e) = crate::calendar::OfficeHours::parse(hours)
        {
            out.push(DomainError::invalid(
                ErrorCode::InvalidOfficeHours,
                format!("Office hours: {e}"),
                format!("Giờ làm việc: {e}"),
            ));
        }
        let template = self.code_template.trim();
        if !template.is_empty()
            && let Err(e) = crate::code::render(template, unit_code, today, 1)
        {
            out.push(DomainError::invalid(
                ErrorCode::InvalidCodeTemplate,
                format!("Dossier code template: {}", e.message),
                format!("Mẫu mã hồ sơ: {}", e.message_vi),
            ));
        }
        let organ = self.organ_id.trim();
        if organ.len() > 35 || !organ.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'.') {
            out.push(DomainError::invalid(
                ErrorCode::InvalidOrganId,
                "Organ ID: at most 35 characters of capitals, digits and dots (QĐ 20/2020/QĐ-TTg).",
                "Mã định danh điện tử: tối đa 35 ký tự gồm chữ in hoa, chữ số và dấu chấm (QĐ 20/2020/QĐ-TTg).",
            ));
        }
        out
    }
}

#[cfg(test)]
mod settings_tests {
    use super::*;
    use proptest::prelude::*;

    const TODAY: time::Date = time::macros::date!(2025 - 07 - 03);

    fn settings<'a>(name: &'a str, hours: &'a str, template: &'a str, organ: &'a str) -> UnitSettings<'a> {
        UnitSettings { name, office_hours: hours, code_template: template, organ_id: organ }
    }

    #[test]
    fn good_settings_have_no_problem_and_bad_ones_list_every_problem() {
        assert!(settings("Trung tâm", "", "", "").problems("C1", TODAY).is_empty());
        assert!(settings("Trung tâm", "", "", "000.00.01.H56").problems("C1", TODAY).is_empty());
        let all = settings(" ", "mon 25:00-26:00", "{nonsense}", "h56.lower").problems("C1", TODAY);
        let codes: Vec<ErrorCode> = all.iter().map(|e| e.code).collect();
        assert_eq!(
            codes,
            [
                ErrorCode::InvalidUnitName,
                ErrorCode::InvalidOfficeHours,
                ErrorCode::InvalidCodeTemplate,
                ErrorCode::InvalidOrganId
            ]
        );
        assert!(all.iter().all(|e| !e.message.is_empty() && !e.message_vi.is_empty()));
    }

    proptest! {
        #[test]
        fn an_organ_id_is_refused_exactly_when_it_breaks_the_shape(organ in "[A-Z0-9.a-z-]{0,40}") {
            let refused = settings("X", "", "", &organ).problems("C1", TODAY).iter().any(|e| e.code == ErrorCode::InvalidOrganId);
            let shape = organ.len() <= 35 && organ.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'.');
            prop_assert_eq!(refused, !shape);
        }
    }
}

#[cfg(test)]
mod validity_tests {
    use super::*;

    #[test]
    fn a_unit_is_valid_from_its_first_through_its_last_day() {
        let old: Unit = serde_json::from_value(serde_json::json!({"code": "90", "name": "Tỉnh cũ", "kind": "province",
            "level": "province", "valid_to": "2025-06-30"}))
        .unwrap();
        let new: Unit =
            serde_json::from_value(serde_json::json!({"code": "91", "name": "Tỉnh mới", "kind": "province",
            "level": "province", "valid_from": "2025-07-01"}))
            .unwrap();
        assert!(old.valid_on("2025-06-30") && !old.valid_on("2025-07-01") && !old.is_current());
        assert!(!new.valid_on("2025-06-30") && new.valid_on("2025-07-01") && new.valid_on("2030-01-01"));
    }
}
