//! Organisational units: the province, its one-stop centers, agencies, communes, wards and
//! special zones (đặc khu), with national codes (QĐ 19/2025/QĐ-TTg), electronic organ identifiers
//! (QĐ 20/2020/QĐ-TTg) and validity dates, so pre-2025 units stay representable after the
//! two-level reform (NQ 202/2025/QH15, NQ 203/2025/QH15; domain.md §13).

pub mod restructure;

use serde::{Deserialize, Serialize};

use crate::catalog::Level;

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
    pub code: String,
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
}
