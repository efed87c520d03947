//! Organs (cơ quan) and their identifiers.

use std::fmt;

use crate::error::{EdxmlError, codes};

/// Longest organ identifier: QĐ 20/2020/QĐ-TTg, "≤ 35 chars" (domain.md §5.1).
pub const MAX_ORGAN_ID_LEN: usize = 35;

/// An agency electronic identifier (mã định danh điện tử) as carried in `OrganId`.
///
/// Rules (domain.md §5.1, §9): at most 35 characters; groups of `0-9 A-Z` separated by single
/// dots; one end is the level-1 code `MX1X2` (M a letter A–Y, X digits). QĐ 20/2020 develops
/// groups left to right (level-1 code first, `H08.01`), QCVN 102:2016 reads right to left
/// (level-1 code last, `000.01.01.H08`); both are seen on the axis, so both are accepted and
/// kept exactly as written. Enterprise registration numbers and `Zxy` scheme codes (for
/// organisations outside the state system) are not accepted as organ ids — UNCONFIRMED whether
/// they travel on the axis.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrganId(String);

fn is_level1(group: &str) -> bool {
    let b = group.as_bytes();
    b.len() == 3 && (b'A'..=b'Y').contains(&b[0]) && b[1].is_ascii_digit() && b[2].is_ascii_digit()
}

impl OrganId {
    /// Validates an identifier; `path` is used for the error only.
    pub fn parse_at(path: &str, value: &str) -> Result<OrganId, EdxmlError> {
        let fail = |why: &str, why_vi: &str| {
            EdxmlError::new(
                path,
                codes::BAD_ORGAN_ID,
                format!("{value:?} is not an organ identifier (QĐ 20/2020/QĐ-TTg): {why}"),
                format!("{value:?} không phải mã định danh cơ quan (QĐ 20/2020/QĐ-TTg): {why_vi}"),
            )
        };
        if value.is_empty() {
            return Err(fail("empty", "để trống"));
        }
        if value.len() > MAX_ORGAN_ID_LEN {
            return Err(fail("longer than 35 characters", "dài quá 35 ký tự"));
        }
        let groups: Vec<&str> = value.split('.').collect();
        if groups.iter().any(|g| g.is_empty()) {
            return Err(fail("empty group between dots", "có nhóm rỗng giữa các dấu chấm"));
        }
        if !groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())) {
            return Err(fail("groups may only hold 0-9 and A-Z", "mỗi nhóm chỉ gồm 0-9 và A-Z"));
        }
        let first = groups.first().copied().unwrap_or_default();
        let last = groups.last().copied().unwrap_or_default();
        if !is_level1(first) && !is_level1(last) {
            return Err(fail(
                "neither end is a level-1 code (a letter A–Y and two digits, e.g. H08)",
                "không có mã cấp 1 ở đầu hoặc cuối (một chữ A–Y và hai chữ số, ví dụ H08)",
            ));
        }
        Ok(OrganId(value.to_string()))
    }

    /// Validates an identifier (error path empty).
    pub fn parse(value: &str) -> Result<OrganId, EdxmlError> {
        OrganId::parse_at("", value)
    }

    /// The identifier as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The level-1 code (`H08`): the last group when it is one (QCVN 102 order), else the first.
    /// Routing between provinces can key on it.
    pub fn level1(&self) -> &str {
        let last = self.0.rsplit('.').next().unwrap_or_default();
        if is_level1(last) { last } else { self.0.split('.').next().unwrap_or_default() }
    }
}

impl fmt::Display for OrganId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A sending or receiving organ (`From`, `To`; domain.md §9). Only `OrganId` and `OrganName` are
/// required; the rest are optional and `None` when absent or empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organ {
    /// `OrganId`.
    pub id: OrganId,
    /// `OrganizationInCharge` (cơ quan chủ quản).
    pub organization_in_charge: Option<String>,
    /// `OrganName`.
    pub name: String,
    /// `OrganAdd` (address).
    pub address: Option<String>,
    /// `Email`.
    pub email: Option<String>,
    /// `Telephone`.
    pub telephone: Option<String>,
    /// `Fax`.
    pub fax: Option<String>,
    /// `Website`.
    pub website: Option<String>,
}

impl Organ {
    /// An organ with only its id and name.
    pub fn new(id: OrganId, name: impl Into<String>) -> Organ {
        Organ {
            id,
            organization_in_charge: None,
            name: name.into(),
            address: None,
            email: None,
            telephone: None,
            fax: None,
            website: None,
        }
    }
}
