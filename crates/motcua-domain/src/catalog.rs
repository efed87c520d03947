//! The procedure catalog: what a procedure (thủ tục hành chính) is, following the mandatory
//! components of NĐ 63/2010/NĐ-CP Art. 8.2 (as amended by NĐ 92/2017) and the online levels of
//! NĐ 42/2022/NĐ-CP Art. 11 (domain.md §4, §5.4).

pub mod decision;
pub mod diff;
pub mod exchange;
pub mod fees;
pub mod reference;

use crate::ErrorCode;
use serde::{Deserialize, Serialize};

use crate::calendar::WorkingTime;
use crate::error::DomainError;
use crate::process::ProcessStep;

/// Level of the authority that resolves a procedure. `District` exists only for pre-2025 history
/// (the district level ended on 1/7/2025, NQ 203/2025/QH15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Province,
    District,
    Commune,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::District => "district",
            Level::Commune => "commune",
        }
    }
}

/// Online public-service level, NĐ 42/2022/NĐ-CP Art. 11.1: full-process (toàn trình), partial
/// (một phần), or not offered online.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnlineLevel {
    Full,
    Partial,
    None,
}

impl OnlineLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            OnlineLevel::Full => "full",
            OnlineLevel::Partial => "partial",
            OnlineLevel::None => "none",
        }
    }
    /// Whether citizens may submit dossiers online.
    pub fn accepts_online(self) -> bool {
        !matches!(self, OnlineLevel::None)
    }
}

pub use fees::Fee;

/// One component of the dossier (thành phần hồ sơ) with its count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequiredDocument {
    pub name: String,
    /// Original (bản chính) rather than a copy.
    #[serde(default)]
    pub original: bool,
    #[serde(default = "one")]
    pub copies: u32,
    /// Form reference, e.g. "Mẫu số 01".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
}

impl RequiredDocument {
    /// Required only in the cases it names: the national procedure database writes such a
    /// component with "(nếu có)" or "(trường hợp …)" after its name (e.g. "Giấy tờ về quyền sở
    /// hữu tài sản gắn liền với đất (nếu có)"), so the receiver judges it case by case.
    pub fn is_conditional(&self) -> bool {
        let n = self.name.to_lowercase();
        n.contains("(nếu có") || n.contains("(trường hợp")
    }
}

fn one() -> u32 {
    1
}

/// A procedure as published, one version of it. `agency` is the resolving unit's code; the
/// special value [`COMMUNE_AGENCY`] means "the commune where the dossier is filed".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Procedure {
    pub code: ProcedureCode,
    #[serde(default = "first_version")]
    pub version: i64,
    pub name: String,
    pub field: String,
    pub level: Level,
    pub agency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_days: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_hours: Option<f64>,
    #[serde(default)]
    pub fees: Vec<Fee>,
    #[serde(default)]
    pub documents: Vec<RequiredDocument>,
    #[serde(default)]
    pub results: Vec<String>,
    #[serde(default)]
    pub legal_basis: Vec<String>,
    pub online_level: OnlineLevel,
    /// The internal process (quy trình nội bộ) bound to this version.
    #[serde(default)]
    pub steps: Vec<ProcessStep>,
}

fn first_version() -> i64 {
    1
}

/// Placeholder agency of commune-level procedures: resolved by the commune that receives it.
pub const COMMUNE_AGENCY: &str = "COMMUNE";

impl Procedure {
    /// The legal processing time as working time (days × 8 h, or hours).
    pub fn legal_time(&self) -> Result<WorkingTime, DomainError> {
        let bad = || {
            DomainError::invalid(
                ErrorCode::InvalidProcessingTime,
                format!(
                    "procedure {}: give exactly one of processing_days or processing_hours, a positive number",
                    self.code
                ),
                format!("thủ tục {}: cần đúng một trong processing_days hoặc processing_hours, là số dương", self.code),
            )
        };
        let t = match (self.processing_days, self.processing_hours) {
            (Some(d), None) => WorkingTime::from_days(d).map_err(|_| bad())?,
            (None, Some(h)) => WorkingTime::from_hours(h).map_err(|_| bad())?,
            _ => return Err(bad()),
        };
        if t.seconds() <= 0 {
            return Err(bad());
        }
        Ok(t)
    }

    /// Whether the procedure's result is a paper document (giấy tờ): the catalog lists the result
    /// documents (thành phần kết quả, NĐ 63/2010 Art. 8.2), and a procedure with a listed result
    /// document is one whose result is paper — the dossiers QĐ 766 row 4.1
    /// (`ORIGINAL_RESULT_AVAILABLE`) expects an electronic copy for (domain.md §3).
    pub fn paper_result(&self) -> bool {
        self.results.iter().any(|r| !r.trim().is_empty())
    }

    /// Checks the mandatory components and the internal process against the legal time.
    pub fn validate(&self) -> Result<(), DomainError> {
        ProcedureCode::parse(&self.code)?;
        if self.name.trim().is_empty() || self.field.trim().is_empty() || self.agency.trim().is_empty() {
            return Err(DomainError::invalid(
                ErrorCode::InvalidProcedure,
                format!("procedure {}: name, field and agency are required", self.code),
                format!("thủ tục {}: bắt buộc có tên, lĩnh vực và cơ quan thực hiện", self.code),
            ));
        }
        fees::validate_schedule(&self.fees)?;
        let legal = self.legal_time()?;
        crate::process::validate_steps(&self.steps, legal)
    }
}

pub use crate::ids::ProcedureCode;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn procedure_codes_follow_the_national_shape() {
        assert!(ProcedureCode::parse("1.001193").is_ok());
        assert!(ProcedureCode::parse("1.000948.H38").is_ok());
        assert!(ProcedureCode::parse("1001193").is_err());
        assert!(ProcedureCode::parse("1.00119").is_err());
        assert!(ProcedureCode::parse("").is_err());
        assert!(ProcedureCode::parse("1.001193.").is_err());
    }
}
