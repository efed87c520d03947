//! The report as a workbook: "Tổng hợp" (the main figures), "Theo đơn vị", "Theo tháng",
//! "Theo lĩnh vực" and "Thủ tục" (procedures by level, then those published in the period).
//! Numbers stay numbers, so that the sheets can be summed and charted; Excel shows them with the
//! reader's separators.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::Report;
use super::text::{Cell, ReportText, Table};

/// Cell formats of the workbook.
struct Styles {
    title: Format,
    header: Format,
    int: Format,
    decimal: Format,
    bold_int: Format,
    bold_decimal: Format,
    bold: Format,
}

impl Styles {
    fn new() -> Styles {
        let bold = Format::new().set_bold();
        Styles {
            title: Format::new().set_bold().set_font_size(13),
            header: Format::new().set_bold().set_text_wrap().set_border(rust_xlsxwriter::FormatBorder::Thin),
            int: Format::new().set_num_format("#,##0"),
            decimal: Format::new().set_num_format("0.00"),
            bold_int: bold.clone().set_num_format("#,##0"),
            bold_decimal: bold.clone().set_num_format("0.00"),
            bold,
        }
    }
}

fn row_index(r: usize) -> Result<u32, XlsxError> {
    u32::try_from(r).map_err(|_| XlsxError::RowColumnLimitError)
}

fn col_index(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)
}

fn write_cell(sheet: &mut Worksheet, row: u32, col: u16, cell: &Cell, s: &Styles, bold: bool) -> Result<(), XlsxError> {
    match cell {
        Cell::Text(t) if bold => sheet.write_string_with_format(row, col, t, &s.bold)?,
        Cell::Text(t) => sheet.write_string(row, col, t)?,
        Cell::Int(n) => sheet.write_number_with_format(row, col, *n as f64, if bold { &s.bold_int } else { &s.int })?,
        Cell::Percent(x) | Cell::Decimal(x) => {
            sheet.write_number_with_format(row, col, *x, if bold { &s.bold_decimal } else { &s.decimal })?
        }
    };
    Ok(())
}

/// Writes `table` from row `at`; answers the first free row after it.
fn write_table(sheet: &mut Worksheet, at: usize, table: &Table, s: &Styles) -> Result<usize, XlsxError> {
    sheet.write_string_with_format(row_index(at)?, 0, &table.title, &s.title)?;
    let header_row = row_index(at + 1)?;
    for (c, h) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(header_row, col_index(c)?, h, &s.header)?;
    }
    let mut r = at + 2;
    for (row, bold) in table.rows.iter().map(|row| (row, false)).chain(table.total.iter().map(|row| (row, true))) {
        for (c, cell) in row.iter().enumerate() {
            write_cell(sheet, row_index(r)?, col_index(c)?, cell, s, bold)?;
        }
        r += 1;
    }
    Ok(r)
}

/// A sheet named `name` with the report's heading lines; answers the first free row.
fn new_sheet<'a>(
    book: &'a mut Workbook,
    name: &str,
    r: &Report,
    s: &Styles,
) -> Result<(&'a mut Worksheet, usize), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name(name)?;
    sheet.set_paper_size(9); // A4
    sheet.set_column_width(0, 36)?;
    sheet.write_string_with_format(0, 0, "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", &s.title)?;
    sheet.write_string(1, 0, format!("Đơn vị: {} — kỳ báo cáo {}", r.unit_name, r.period_label()))?;
    sheet.write_string(2, 0, format!("Lập lúc {} (giờ Việt Nam)", r.generated_label()))?;
    Ok((sheet, 4))
}

/// The report as an XLSX workbook.
pub fn xlsx(r: &Report) -> Result<Vec<u8>, XlsxError> {
    let s = Styles::new();
    let mut book = Workbook::new();

    let (sheet, at) = new_sheet(&mut book, "Tổng hợp", r, &s)?;
    sheet.set_column_width(0, 60)?;
    sheet.set_column_width(1, 16)?;
    write_table(sheet, at, &r.figures_table(), &s)?;

    for (name, table) in
        [("Theo đơn vị", r.unit_table()), ("Theo tháng", r.month_table()), ("Theo lĩnh vực", r.field_table())]
    {
        let (sheet, at) = new_sheet(&mut book, name, r, &s)?;
        sheet.set_landscape();
        for c in 1..=table.headers.len() {
            sheet.set_column_width(col_index(c)?, 12)?;
        }
        write_table(sheet, at, &table, &s)?;
    }

    let (sheet, at) = new_sheet(&mut book, "Thủ tục", r, &s)?;
    sheet.set_column_width(0, 20)?;
    for (c, width) in [(1, 12), (2, 14), (3, 60), (4, 18), (5, 14)] {
        sheet.set_column_width(c, width)?;
    }
    let next = write_table(sheet, at, &r.levels_table(), &s)?;
    write_table(sheet, next + 1, &r.published_table(), &s)?;

    book.save_to_buffer()
}
