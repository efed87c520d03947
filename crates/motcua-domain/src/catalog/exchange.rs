//! Catalog import/export formats (issue 4 item 2), pure: bytes are read and written by the
//! callers; this module maps rows and JSON records to [`Procedure`]s and collects *every* error
//! with its row number, so that an import is all-or-nothing.
//!
//! - **Flat rows** (CSV and XLSX): one procedure per row under the header [`COLUMNS`]. Scalar
//!   columns hold plain text; the list columns (`fees`, `documents`, `results`, `legal_basis`,
//!   `steps`) hold a JSON array in the cell (the same shape as the API), because names and legal
//!   citations routinely contain `;` and `,` and a separator would be lossy.
//! - **National JSON**: the national portal's (CSDLQG về TTHC) field names, see [`national`].

pub mod national;

use serde::Serialize;

use super::{Level, OnlineLevel, Procedure, ProcedureCode};

/// The header of the flat row format, in order.
pub const COLUMNS: [&str; 14] = [
    "code",
    "version",
    "name",
    "field",
    "level",
    "agency",
    "processing_days",
    "processing_hours",
    "online_level",
    "fees",
    "documents",
    "results",
    "legal_basis",
    "steps",
];

/// One problem in an import file. `row` is the spreadsheet row (the header is row 1, the first
/// procedure row 2) or, for JSON, the 1-based position of the record in the array; 0 when the
/// file as a whole cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub row: usize,
    /// The column (or JSON field) at fault; `None` when the row as a whole is refused.
    pub column: Option<String>,
    pub message: String,
    pub message_vi: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "row {}, column {c}: {} ({})", self.row, self.message, self.message_vi),
            None => write!(f, "row {}: {} ({})", self.row, self.message, self.message_vi),
        }
    }
}

impl RowError {
    fn new(row: usize, column: Option<&str>, en: impl Into<String>, vi: impl Into<String>) -> Self {
        RowError { row, column: column.map(str::to_owned), message: en.into(), message_vi: vi.into() }
    }
}

/// The flat rows of `procedures` (without the header, which is [`COLUMNS`]).
pub fn to_rows(procedures: &[Procedure]) -> Vec<Vec<String>> {
    let json = |v: serde_json::Result<String>| v.unwrap_or_else(|_| "[]".to_owned());
    let num = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    procedures
        .iter()
        .map(|p| {
            vec![
                p.code.to_string(),
                p.version.to_string(),
                p.name.clone(),
                p.field.clone(),
                p.level.as_str().to_owned(),
                p.agency.clone(),
                num(p.processing_days),
                num(p.processing_hours),
                p.online_level.as_str().to_owned(),
                json(serde_json::to_string(&p.fees)),
                json(serde_json::to_string(&p.documents)),
                json(serde_json::to_string(&p.results)),
                json(serde_json::to_string(&p.legal_basis)),
                json(serde_json::to_string(&p.steps)),
            ]
        })
        .collect()
}

/// Parses flat rows: `header` is the first row of the file, `rows` the others. Every row is
/// parsed and validated ([`Procedure::validate`]) and duplicate codes are refused; either all
/// rows are good or every error is returned.
pub fn parse_rows(header: &[String], rows: &[Vec<String>]) -> Result<Vec<Procedure>, Vec<RowError>> {
    let mut index = Vec::with_capacity(COLUMNS.len());
    let mut errors = Vec::new();
    for c in COLUMNS {
        match header.iter().position(|h| h.trim() == c) {
            Some(i) => index.push(i),
            None => errors.push(RowError::new(1, Some(c), "missing column", "thiếu cột")),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |c: usize| row.get(index[c]).map(|s| s.trim()).unwrap_or("");
        let cells: Vec<&str> = (0..COLUMNS.len()).map(cell).collect();
        match parse_row(i + 2, &cells) {
            Ok(p) => out.push(p),
            Err(mut e) => errors.append(&mut e),
        }
    }
    finish(out, errors)
}

/// Validates parsed procedures and refuses duplicate codes; `rows[i]` is the row of `items[i]`.
pub(crate) fn finish(
    items: Vec<(usize, Procedure)>,
    mut errors: Vec<RowError>,
) -> Result<Vec<Procedure>, Vec<RowError>> {
    let mut seen = std::collections::HashMap::new();
    for (row, p) in &items {
        if let Err(e) = p.validate() {
            errors.push(RowError::new(*row, None, e.message, e.message_vi));
        }
        if let Some(first) = seen.insert(p.code.clone(), *row) {
            errors.push(RowError::new(
                *row,
                Some("code"),
                format!("procedure {} already appears in row {first}", p.code),
                format!("thủ tục {} đã có ở dòng {first}", p.code),
            ));
        }
    }
    if errors.is_empty() {
        Ok(items.into_iter().map(|(_, p)| p).collect())
    } else {
        errors.sort_by_key(|e| e.row);
        Err(errors)
    }
}

fn parse_row(row: usize, c: &[&str]) -> Result<(usize, Procedure), Vec<RowError>> {
    let mut errors = Vec::new();
    let mut bad = |col: usize, en: String, vi: String| errors.push(RowError::new(row, Some(COLUMNS[col]), en, vi));
    let code = ProcedureCode::parse(c[0]).unwrap_or_else(|e| {
        bad(0, e.message, e.message_vi);
        ProcedureCode::default()
    });
    let version = if c[1].is_empty() {
        1
    } else {
        c[1].parse::<i64>().unwrap_or_else(|_| {
            bad(1, format!("'{}' is not a whole number", c[1]), format!("'{}' không phải số nguyên", c[1]));
            1
        })
    };
    let level = parse_level(c[4]).unwrap_or_else(|| {
        bad(4, format!("unknown level '{}'", c[4]), format!("cấp '{}' không hợp lệ", c[4]));
        Level::Province
    });
    let online_level = parse_online(c[8]).unwrap_or_else(|| {
        bad(8, format!("unknown online level '{}'", c[8]), format!("mức độ trực tuyến '{}' không hợp lệ", c[8]));
        OnlineLevel::None
    });
    let mut number = |col: usize| -> Option<f64> {
        if c[col].is_empty() {
            return None;
        }
        let v = c[col].replace(',', ".").parse::<f64>().ok().filter(|v| v.is_finite());
        if v.is_none() {
            bad(col, format!("'{}' is not a number", c[col]), format!("'{}' không phải là số", c[col]));
        }
        v
    };
    let processing_days = number(6);
    let processing_hours = number(7);
    let fees = list(row, 9, c[9], &mut errors);
    let documents = list(row, 10, c[10], &mut errors);
    let results = list(row, 11, c[11], &mut errors);
    let legal_basis = list(row, 12, c[12], &mut errors);
    let steps = list(row, 13, c[13], &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let p = Procedure {
        code,
        version,
        name: c[2].to_owned(),
        field: c[3].to_owned(),
        level,
        agency: c[5].to_owned(),
        processing_days,
        processing_hours,
        fees,
        documents,
        results,
        legal_basis,
        online_level,
        steps,
    };
    Ok((row, p))
}

/// A JSON-array cell; empty means an empty list.
fn list<T: serde::de::DeserializeOwned>(row: usize, col: usize, cell: &str, errors: &mut Vec<RowError>) -> Vec<T> {
    if cell.is_empty() {
        return Vec::new();
    }
    serde_json::from_str(cell).unwrap_or_else(|e| {
        errors.push(RowError::new(
            row,
            Some(COLUMNS[col]),
            format!("not a valid JSON list: {e}"),
            format!("không phải danh sách JSON hợp lệ: {e}"),
        ));
        Vec::new()
    })
}

/// `province | commune | district`, or the Vietnamese `tỉnh | xã | huyện` (optionally "cấp …").
pub fn parse_level(s: &str) -> Option<Level> {
    let s = crate::text::fold(s);
    match s.trim().trim_start_matches("cap ") {
        "province" | "tinh" => Some(Level::Province),
        "commune" | "xa" => Some(Level::Commune),
        "district" | "huyen" => Some(Level::District),
        _ => None,
    }
}

/// `full | partial | none`, or `toàn trình | một phần | không`.
pub fn parse_online(s: &str) -> Option<OnlineLevel> {
    match crate::text::fold(s).trim() {
        "full" | "toan trinh" => Some(OnlineLevel::Full),
        "partial" | "mot phan" => Some(OnlineLevel::Partial),
        "none" | "khong" | "" => Some(OnlineLevel::None),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
