//! Code lists carried in edXML packages, each with its wire code. Unknown codes are refused
//! where domain.md §9 gives the full list (status codes, business document types) and kept as
//! `Other` where the list is UNCONFIRMED (document types, steering types), so a real package from
//! the national axis is not refused for a code we have not catalogued.

use crate::error::{EdxmlError, codes};

fn bad_code(path: &str, what: &str, what_vi: &str, value: &str) -> EdxmlError {
    EdxmlError::new(
        path,
        codes::BAD_CODE,
        format!("{value:?} is not a valid {what}"),
        format!("{value:?} không phải {what_vi} hợp lệ"),
    )
}

/// Parses a small unsigned decimal code (ASCII digits only, no sign, at most 5 digits).
pub(crate) fn parse_number(path: &str, what: &str, what_vi: &str, value: &str) -> Result<u32, EdxmlError> {
    if value.is_empty() || value.len() > 5 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad_code(path, what, what_vi, value));
    }
    value.parse().map_err(|_| bad_code(path, what, what_vi, value))
}

/// Status codes of an edXML status message (domain.md §9 table, source [S26-status]): the
/// domain's one list, [`motcua_domain::office::EdxmlStatus`]. The wire form is two digits (`"01"`).
pub use motcua_domain::office::EdxmlStatus as StatusCode;

/// Parses the exact two-digit status wire code.
pub fn parse_status(path: &str, value: &str) -> Result<StatusCode, EdxmlError> {
    StatusCode::ALL
        .into_iter()
        .find(|s| s.code() == value)
        .ok_or_else(|| bad_code(path, "status code (01–06, 13, 15, 16)", "mã trạng thái (01–06, 13, 15, 16)", value))
}

/// `BussinessDocType` (domain.md §9): what the package does to the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BusinessDocType {
    /// 0 — a new document.
    New,
    /// 1 — revoke (thu hồi) a document sent earlier.
    Revoke,
    /// 2 — update (cập nhật) a document sent earlier.
    Update,
    /// 3 — replace (thay thế) a document sent earlier.
    Replace,
}

impl BusinessDocType {
    /// Every value, in wire order.
    pub const ALL: [BusinessDocType; 4] =
        [BusinessDocType::New, BusinessDocType::Revoke, BusinessDocType::Update, BusinessDocType::Replace];

    /// The wire code (0–3).
    pub fn code(self) -> u32 {
        match self {
            BusinessDocType::New => 0,
            BusinessDocType::Revoke => 1,
            BusinessDocType::Update => 2,
            BusinessDocType::Replace => 3,
        }
    }

    /// Parses the wire code.
    pub fn parse(path: &str, value: &str) -> Result<BusinessDocType, EdxmlError> {
        let n = parse_number(path, "business document type (0–3)", "loại nghiệp vụ (0–3)", value)?;
        BusinessDocType::ALL
            .into_iter()
            .find(|t| t.code() == n && t.code().to_string() == value)
            .ok_or_else(|| bad_code(path, "business document type (0–3)", "loại nghiệp vụ (0–3)", value))
    }
}

/// Document kind, `DocumentType/Type`. domain.md §9 only confirms `18 = công văn` (the C# SDK
/// default); the numbering 1–29 below follows the list of administrative document kinds in
/// NĐ 30/2020/NĐ-CP Art. 7 in order, in which công văn is indeed the 18th — UNCONFIRMED as the
/// edXML code list. Other numbers are kept as `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// A kind in the NĐ 30/2020 Art. 7 list, by its 1-based position (1..=29).
    Listed(u8),
    /// Any other number (not in 1..=29).
    Other(u32),
}

/// NĐ 30/2020/NĐ-CP Art. 7 administrative document kinds, in order (UNCONFIRMED as edXML codes).
pub const DOCUMENT_KIND_NAMES: [&str; 29] = [
    "Nghị quyết",
    "Quyết định",
    "Chỉ thị",
    "Quy chế",
    "Quy định",
    "Thông cáo",
    "Thông báo",
    "Hướng dẫn",
    "Chương trình",
    "Kế hoạch",
    "Phương án",
    "Đề án",
    "Dự án",
    "Báo cáo",
    "Biên bản",
    "Tờ trình",
    "Hợp đồng",
    "Công văn",
    "Công điện",
    "Bản ghi nhớ",
    "Bản thỏa thuận",
    "Giấy ủy quyền",
    "Giấy mời",
    "Giấy giới thiệu",
    "Giấy nghỉ phép",
    "Phiếu gửi",
    "Phiếu chuyển",
    "Phiếu báo",
    "Thư công",
];

impl DocumentKind {
    /// Công văn (18), the default of the public C# SDK (domain.md §9).
    pub const CONG_VAN: DocumentKind = DocumentKind::Listed(18);

    /// Builds the kind for a wire number, `Listed` when it is in 1..=29.
    pub fn from_code(n: u32) -> DocumentKind {
        match u8::try_from(n) {
            Ok(k) if (1..=29).contains(&k) => DocumentKind::Listed(k),
            _ => DocumentKind::Other(n),
        }
    }

    /// The wire number.
    pub fn code(self) -> u32 {
        match self {
            DocumentKind::Listed(k) => u32::from(k),
            DocumentKind::Other(n) => n,
        }
    }

    /// The Vietnamese name of a listed kind.
    pub fn name_vi(self) -> Option<&'static str> {
        match self {
            DocumentKind::Listed(k) => DOCUMENT_KIND_NAMES.get(usize::from(k).wrapping_sub(1)).copied(),
            DocumentKind::Other(_) => None,
        }
    }

    /// Parses the wire number (decimal, no leading zeros beyond "0").
    pub fn parse(path: &str, value: &str) -> Result<DocumentKind, EdxmlError> {
        let n = parse_number(path, "document type number", "mã loại văn bản", value)?;
        if n.to_string() != value {
            return Err(bad_code(path, "document type number", "mã loại văn bản", value));
        }
        Ok(DocumentKind::from_code(n))
    }
}

/// `SteeringType`. domain.md §9: values UNCONFIRMED; implementations default to 0 (ordinary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SteeringType {
    /// 0 — ordinary (the default of public implementations).
    Ordinary,
    /// Any other number, kept as is (meaning UNCONFIRMED).
    Other(u32),
}

impl SteeringType {
    /// The wire number.
    pub fn code(self) -> u32 {
        match self {
            SteeringType::Ordinary => 0,
            SteeringType::Other(n) => n,
        }
    }

    /// Builds from a wire number.
    pub fn from_code(n: u32) -> SteeringType {
        if n == 0 { SteeringType::Ordinary } else { SteeringType::Other(n) }
    }

    /// Parses the wire number.
    pub fn parse(path: &str, value: &str) -> Result<SteeringType, EdxmlError> {
        let n = parse_number(path, "steering type", "loại chỉ đạo", value)?;
        if n.to_string() != value {
            return Err(bad_code(path, "steering type", "loại chỉ đạo", value));
        }
        Ok(SteeringType::from_code(n))
    }
}

/// `OtherInfo/Priority` (độ khẩn): the domain's one list, [`motcua_domain::office::Priority`]
/// (0–4; domain.md §9 calls the scale UNCONFIRMED).
pub use motcua_domain::office::Priority;

/// Parses the priority wire number (exact digits, 0–4).
pub fn parse_priority(path: &str, value: &str) -> Result<Priority, EdxmlError> {
    Priority::ALL
        .into_iter()
        .find(|p| p.code().to_string() == value)
        .ok_or_else(|| bad_code(path, "priority (0–4)", "độ khẩn (0–4)", value))
}
