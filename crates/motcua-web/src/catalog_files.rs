//! Catalog files (issue 4 item 2): JSON (national field names on export; national or our own
//! shape on import), CSV and XLSX in the flat row format of
//! [`motcua_domain::catalog::exchange`]. Shared by the export endpoint and `motcua import/export`.

use motcua_domain::catalog::Procedure;
use motcua_domain::catalog::exchange::{COLUMNS, RowError, national, parse_rows, to_rows};

/// A catalog file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
}

impl Format {
    /// `json | csv | xlsx` (a file extension or a `format=` value), case-insensitive.
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
    /// The format named by a path's extension.
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        path.extension().and_then(|e| e.to_str()).and_then(Format::parse)
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// The file of `procedures` in `format`. CSV starts with a UTF-8 byte-order mark so that Excel
/// shows Vietnamese correctly.
pub fn encode(format: Format, procedures: &[Procedure]) -> Result<Vec<u8>, String> {
    match format {
        Format::Json => serde_json::to_vec_pretty(&national::to_json(procedures)).map_err(|e| e.to_string()),
        Format::Csv => {
            let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
            w.write_record(COLUMNS).map_err(|e| e.to_string())?;
            for row in to_rows(procedures) {
                w.write_record(&row).map_err(|e| e.to_string())?;
            }
            w.into_inner().map_err(|e| e.to_string())
        }
        Format::Xlsx => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            let rows = std::iter::once(COLUMNS.iter().map(|c| c.to_string()).collect()).chain(to_rows(procedures));
            for (r, row) in rows.enumerate() {
                let r = u32::try_from(r).map_err(|e| e.to_string())?;
                for (c, cell) in row.into_iter().enumerate() {
                    sheet.write_string(r, c as u16, cell).map_err(|e| e.to_string())?;
                }
            }
            book.save_to_buffer().map_err(|e| e.to_string())
        }
    }
}

/// The procedures of a file, or every error with its row number.
pub fn decode(format: Format, bytes: &[u8]) -> Result<Vec<Procedure>, Vec<RowError>> {
    let unreadable = |e: String| {
        vec![RowError {
            row: 0,
            column: None,
            message_vi: format!("không đọc được tệp: {e}"),
            message: format!("unreadable file: {e}"),
        }]
    };
    let table: Vec<Vec<String>> = match format {
        Format::Json => {
            let text = std::str::from_utf8(bytes).map_err(|e| unreadable(e.to_string()))?;
            return national::parse_json(text.trim_start_matches('\u{feff}'));
        }
        Format::Csv => {
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
            let mut table = Vec::new();
            for rec in r.records() {
                table.push(rec.map_err(|e| unreadable(e.to_string()))?.iter().map(str::to_owned).collect());
            }
            table
        }
        Format::Xlsx => {
            use calamine::Reader;
            let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
                .map_err(|e: calamine::XlsxError| unreadable(e.to_string()))?;
            let range = book
                .worksheet_range_at(0)
                .ok_or_else(|| unreadable("no worksheet".to_owned()))?
                .map_err(|e| unreadable(e.to_string()))?;
            range.rows().map(|row| row.iter().map(|c| c.to_string()).collect::<Vec<String>>()).collect()
        }
    };
    let Some((header, rows)) = table.split_first() else {
        return Err(unreadable("the file is empty".to_owned()));
    };
    parse_rows(header, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Vec<Procedure> {
        let json = include_str!("../../../data/demo/procedures.json");
        let mut ps: Vec<Procedure> = serde_json::from_str(json).expect("demo catalog");
        ps.truncate(5);
        ps
    }

    #[test]
    fn every_format_round_trips_the_catalog() {
        for format in [Format::Json, Format::Csv, Format::Xlsx] {
            let bytes = encode(format, &catalog()).expect("encode");
            assert_eq!(decode(format, &bytes), Ok(catalog()), "{format:?}");
        }
    }

    #[test]
    fn the_json_export_uses_the_national_field_names() {
        let text = String::from_utf8(encode(Format::Json, &catalog()).expect("encode")).expect("utf-8");
        for name in ["MaTTHC", "TRINHTUTHUCHIEN", "CACHTHUCTHUCHIEN", "THOIGIANGIAIQUYET", "PHILEPHI"] {
            assert!(text.contains(name), "{name}");
        }
        for name in ["THANHPHANHOSO", "CANCUPHAPLY", "COQUANTHUCHIEN", "KETQUATHUCHIEN"] {
            assert!(text.contains(name), "{name}");
        }
    }

    #[test]
    fn a_csv_with_bad_rows_reports_each_of_them() {
        let mut text = String::from_utf8(encode(Format::Csv, &catalog()).expect("encode")).expect("utf-8");
        text = text.replacen(",commune,", ",city,", 2);
        let rows: Vec<usize> = decode(Format::Csv, text.as_bytes()).unwrap_err().iter().map(|e| e.row).collect();
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert!(rows.iter().all(|r| *r >= 2));
    }
}
