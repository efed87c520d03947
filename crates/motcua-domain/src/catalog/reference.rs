//! Reference data for the catalog (issue 4 item 5): the fields (lĩnh vực) and the levels of
//! authority.
//!
//! Field codes: TT 01/2018 Art. 20 gives the shape `MX1X2-LV` with sector codes from a list
//! issued by the Government Office (domain.md §5.3); that list itself is **UNCONFIRMED** here,
//! so every code is `None` until it is sourced. Names follow the demo catalog (An Giang 2025
//! publication decisions) plus the sectors of the ministries after the 2025 reorganisation.

use serde::Serialize;

use super::Level;

/// One field (lĩnh vực) of procedures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Field {
    /// VPCP sector code (`LV` of TT 01/2018 Art. 20), when known. UNCONFIRMED: none sourced yet.
    pub code: Option<&'static str>,
    pub name: &'static str,
}

const fn field(name: &'static str) -> Field {
    Field { code: None, name }
}

/// The fields (lĩnh vực) known to Motcua, by name.
pub const FIELDS: &[Field] = &[
    field("Công Thương"),
    field("Dân tộc và Tôn giáo"),
    field("Du lịch"),
    field("Đất đai"),
    field("Giáo dục"),
    field("Khoa học và Công nghệ"),
    field("Lao động - Việc làm"),
    field("Môi trường"),
    field("Nông nghiệp"),
    field("Nội vụ"),
    field("Tài chính"),
    field("Tư pháp - Chứng thực"),
    field("Tư pháp - Hộ tịch"),
    field("Văn hóa - Thể thao"),
    field("Xây dựng"),
    field("Y tế"),
];

/// A level of authority with its Vietnamese label and whether it is history only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LevelInfo {
    pub level: Level,
    pub name_vi: &'static str,
    /// The district level ended on 1/7/2025 (NQ 203/2025/QH15, domain.md §13): kept for
    /// pre-2025 data only.
    pub historical: bool,
}

/// The levels: province and commune, and the historical district level.
pub const LEVELS: &[LevelInfo] = &[
    LevelInfo { level: Level::Province, name_vi: "Cấp tỉnh", historical: false },
    LevelInfo { level: Level::Commune, name_vi: "Cấp xã", historical: false },
    LevelInfo { level: Level::District, name_vi: "Cấp huyện", historical: true },
];
