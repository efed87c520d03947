//! The report in words and tables: Vietnamese number formatting (thousands with `.`, decimals
//! with `,`), the prose of each section in the manner of the provinces' published reports, the
//! tables shared by the HTML and the workbook, and [`html`], a standalone print-ready (A4) page.

use askama::Template;
use time::Date;

use super::{Report, TOP_FIELDS};
use motcua_app::indicators::Group;

/// 195026 → `195.026`.
pub fn vn_int(n: u64) -> String {
    crate::views::count(n, crate::views::Lang::Vi)
}

/// A decimal number the Vietnamese way ([`crate::views::decimal`]).
pub fn vn_decimal(x: f64) -> String {
    crate::views::decimal(x, crate::views::Lang::Vi)
}

/// A percentage: 96.53 → `96,53%` ([`crate::views::percent`]).
pub fn vn_percent(x: f64) -> String {
    crate::views::percent(x, crate::views::Lang::Vi)
}

/// `dd/mm/yyyy`.
pub fn vn_date(d: Date) -> String {
    crate::views::date(d)
}

/// `YYYY-MM` → `mm/yyyy`.
fn vn_month(key: &str) -> String {
    match key.split_once('-') {
        Some((y, m)) => format!("{m}/{y}"),
        None => key.to_owned(),
    }
}

/// One table cell: text or a number kept as a number (the workbook writes it as one).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(u64),
    /// A percentage (96.53 for 96,53 %).
    Percent(f64),
    /// A decimal such as 766 points.
    Decimal(f64),
}

impl Cell {
    /// Right-aligned in the HTML.
    pub fn is_num(&self) -> bool {
        !matches!(self, Cell::Text(_))
    }
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Text(s) => f.write_str(s),
            Cell::Int(n) => f.write_str(&vn_int(*n)),
            Cell::Percent(x) | Cell::Decimal(x) => f.write_str(&vn_decimal(*x)),
        }
    }
}

/// A table of the report.
#[derive(Debug, Clone)]
pub struct Table {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// A last row in bold (the period's total), if any.
    pub total: Option<Vec<Cell>>,
}

/// A numbered section: heading, paragraphs, tables.
#[derive(Debug, Clone)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub tables: Vec<Table>,
}

/// Columns of the dossier tables, after the group's name.
pub const DOSSIER_COLUMNS: [&str; 14] = [
    "Tiếp nhận",
    "Trực tuyến",
    "Tỷ lệ trực tuyến (%)",
    "Xử lý trong kỳ",
    "Đã giải quyết",
    "Trước hạn",
    "Đúng hạn",
    "Trễ hạn",
    "Quá hạn chưa giải quyết",
    "Tỷ lệ đúng hạn (%)",
    "Số hóa đầu vào (%)",
    "Số hóa kết quả (%)",
    "Số hóa cả hai (%)",
    "Điểm QĐ 766 (tối đa 50)",
];

fn dossier_row(label: String, g: &Group) -> Vec<Cell> {
    let (t, i) = (&g.tally, &g.indicators);
    vec![
        Cell::Text(label),
        Cell::Int(t.received),
        Cell::Int(t.online),
        Cell::Percent(i.online_rate),
        Cell::Int(t.processed),
        Cell::Int(t.finished),
        Cell::Int(t.early),
        Cell::Int(t.on_time),
        Cell::Int(t.finished_late()),
        Cell::Int(t.overdue_open()),
        Cell::Percent(i.on_time_rate),
        Cell::Percent(i.digitized_input_rate),
        Cell::Percent(i.digitized_output_rate),
        Cell::Percent(i.digitized_both_rate),
        Cell::Decimal(i.points.computed_total),
    ]
}

fn dossier_table(
    title: &str,
    first: &str,
    groups: &[Group],
    label: impl Fn(&Group) -> String,
    total: Option<&Group>,
) -> Table {
    Table {
        title: title.to_owned(),
        headers: std::iter::once(first.to_owned()).chain(DOSSIER_COLUMNS.iter().map(|c| c.to_string())).collect(),
        rows: groups.iter().map(|g| dossier_row(label(g), g)).collect(),
        total: total.map(|g| dossier_row("Cả kỳ".to_owned(), g)),
    }
}

/// Shown where a module that would supply the figures is not built yet.
pub fn not_available(module: &str) -> String {
    format!("Chưa có số liệu: phân hệ {module} chưa được triển khai.")
}

const DOCUMENTS_MODULE: &str = "trao đổi văn bản điện tử (edXML)";
const FEEDBACK_MODULE: &str = "tiếp nhận, xử lý phản ánh, kiến nghị";

/// Full-process services per level, as "191 cấp tỉnh, 21 cấp huyện, 1 cấp xã".
fn full_by_level(r: &Report) -> String {
    let parts: Vec<String> = r
        .catalog
        .levels
        .iter()
        .map(|l| format!("{} {}", vn_int(l.online_full as u64), l.label().to_lowercase()))
        .collect();
    parts.join(", ")
}

/// The report written out: labels, the summary paragraph and the tables, in Vietnamese.
pub trait ReportText {
    /// `từ ngày 01/01/2025 đến ngày 30/06/2025`.
    fn period_label(&self) -> String;
    /// When the report was made, in UTC+7.
    fn generated_label(&self) -> String;
    /// The summary paragraph, in the manner of the seed article.
    fn summary(&self) -> String;
    /// The main figures as (label, value): the "Tổng hợp" sheet and the first table.
    fn figures(&self) -> Vec<(String, Cell)>;
    /// The main figures as a two-column table.
    fn figures_table(&self) -> Table;
    /// Procedures in force by level: internal processes and online levels.
    fn levels_table(&self) -> Table;
    /// The procedures published by the decisions of the period.
    fn published_table(&self) -> Table;
    fn unit_table(&self) -> Table;
    fn month_table(&self) -> Table;
    fn field_table(&self) -> Table;
    /// The QĐ 766 points computed from dossiers, row by row.
    fn points_table(&self) -> Table;
    /// The report's numbered sections.
    fn sections(&self) -> Vec<Section>;
}

impl ReportText for Report {
    /// `từ ngày 01/01/2025 đến ngày 30/06/2025`.
    fn period_label(&self) -> String {
        format!("từ ngày {} đến ngày {}", vn_date(self.from), vn_date(self.to))
    }

    /// When the report was made, in UTC+7.
    fn generated_label(&self) -> String {
        crate::views::local_display(self.generated_at)
    }

    /// The summary paragraph, in the manner of the seed article.
    fn summary(&self) -> String {
        let c = &self.catalog;
        let (t, i) = (&self.dossiers.total.tally, &self.dossiers.total.indicators);
        let n = |x: usize| vn_int(x as u64);
        let mut s = format!(
            "Trong kỳ báo cáo ({}), {} đã công bố {} thủ tục hành chính ({} mới, {} sửa đổi, bổ sung, {} bãi bỏ); \
             có {} thủ tục hành chính đang có hiệu lực, {} thủ tục đã có quy trình nội bộ; cung cấp {} dịch vụ công \
             trực tuyến toàn trình ({}) và {} dịch vụ công trực tuyến một phần. ",
            self.period_label(),
            self.unit_name,
            n(c.published_total),
            n(c.new),
            n(c.amended),
            n(c.abolished),
            n(c.in_force.procedures),
            n(c.in_force.with_process),
            n(c.in_force.online_full),
            full_by_level(self),
            n(c.in_force.online_partial),
        );
        s.push_str(&format!(
            "Tiếp nhận {} hồ sơ, trong đó {} hồ sơ trực tuyến ({}); tỷ lệ giải quyết đúng hạn {}; \
             tỷ lệ số hóa hồ sơ {} (đầu vào) / {} (kết quả) / {} (cả đầu vào và kết quả).",
            vn_int(t.received),
            vn_int(t.online),
            vn_percent(i.online_rate),
            vn_percent(i.on_time_rate),
            vn_percent(i.digitized_input_rate),
            vn_percent(i.digitized_output_rate),
            vn_percent(i.digitized_both_rate),
        ));
        if let Some(f) = &self.feedback {
            s.push_str(&format!(
                " Tiếp nhận {} phản ánh, kiến nghị, đã trả lời và công khai {}.",
                vn_int(f.received),
                vn_int(f.published)
            ));
        }
        s
    }

    /// The main figures as (label, value): the "Tổng hợp" sheet and the first table.
    fn figures(&self) -> Vec<(String, Cell)> {
        let c = &self.catalog;
        let (t, i) = (&self.dossiers.total.tally, &self.dossiers.total.indicators);
        let n = |x: usize| Cell::Int(x as u64);
        let mut out: Vec<(String, Cell)> = vec![
            ("Thủ tục hành chính được công bố trong kỳ".into(), n(c.published_total)),
            ("  – công bố mới".into(), n(c.new)),
            ("  – sửa đổi, bổ sung".into(), n(c.amended)),
            ("  – bãi bỏ".into(), n(c.abolished)),
            ("Quyết định công bố trong kỳ".into(), n(c.decisions.len())),
            (format!("Thủ tục hành chính có hiệu lực ngày {}", vn_date(self.to)), n(c.in_force.procedures)),
            ("Thủ tục có quy trình nội bộ".into(), n(c.in_force.with_process)),
            ("Dịch vụ công trực tuyến toàn trình".into(), n(c.in_force.online_full)),
        ];
        for l in &c.levels {
            out.push((format!("  – {}", l.label().to_lowercase()), n(l.online_full)));
        }
        out.extend([
            ("Dịch vụ công trực tuyến một phần".into(), n(c.in_force.online_partial)),
            ("Hồ sơ tiếp nhận".into(), Cell::Int(t.received)),
            ("  – trực tuyến".into(), Cell::Int(t.online)),
            ("Tỷ lệ hồ sơ trực tuyến (%)".into(), Cell::Percent(i.online_rate)),
            ("Hồ sơ xử lý trong kỳ (tiếp nhận mới và kỳ trước chuyển sang)".into(), Cell::Int(t.processed)),
            ("Hồ sơ đã giải quyết".into(), Cell::Int(t.finished)),
            ("  – trước hạn".into(), Cell::Int(t.early)),
            ("  – đúng hạn".into(), Cell::Int(t.on_time)),
            ("  – trễ hạn".into(), Cell::Int(t.finished_late())),
            ("Hồ sơ quá hạn chưa giải quyết".into(), Cell::Int(t.overdue_open())),
            ("Tỷ lệ giải quyết đúng hạn (%)".into(), Cell::Percent(i.on_time_rate)),
            ("Tỷ lệ số hóa hồ sơ đầu vào (%)".into(), Cell::Percent(i.digitized_input_rate)),
            ("Tỷ lệ số hóa kết quả (%)".into(), Cell::Percent(i.digitized_output_rate)),
            ("Tỷ lệ số hóa cả đầu vào và kết quả (%)".into(), Cell::Percent(i.digitized_both_rate)),
            ("Tỷ lệ tái sử dụng dữ liệu số hóa (%)".into(), Cell::Percent(i.reused_data_rate)),
            ("Tỷ lệ thanh toán trực tuyến (%)".into(), Cell::Percent(i.online_payment_rate)),
            ("Tỷ lệ hài lòng (đánh giá 4–5 sao) (%)".into(), Cell::Percent(i.satisfaction_rate)),
            ("Điểm QĐ 766 tính từ hồ sơ (tối đa 50)".into(), Cell::Decimal(i.points.computed_total)),
        ]);
        match &self.documents {
            Some(d) => out.extend([
                ("Văn bản điện tử đã gửi".into(), Cell::Int(d.sent)),
                ("Văn bản điện tử đã nhận".into(), Cell::Int(d.received)),
            ]),
            None => out.push(("Văn bản điện tử trao đổi".into(), Cell::Text(not_available(DOCUMENTS_MODULE)))),
        }
        match &self.feedback {
            Some(f) => out.extend([
                ("Phản ánh, kiến nghị tiếp nhận".into(), Cell::Int(f.received)),
                ("Phản ánh, kiến nghị đã trả lời".into(), Cell::Int(f.handled)),
                ("  – đã công khai".into(), Cell::Int(f.published)),
            ]),
            None => out.push(("Phản ánh, kiến nghị".into(), Cell::Text(not_available(FEEDBACK_MODULE)))),
        }
        out
    }

    /// The main figures as a two-column table.
    fn figures_table(&self) -> Table {
        Table {
            title: "Các chỉ tiêu chính".into(),
            headers: vec!["Chỉ tiêu".into(), "Số liệu".into()],
            rows: self.figures().into_iter().map(|(k, v)| vec![Cell::Text(k), v]).collect(),
            total: None,
        }
    }

    /// Procedures in force by level: internal processes and online levels.
    fn levels_table(&self) -> Table {
        let row = |l: &super::LevelLine| {
            let n = |x: usize| Cell::Int(x as u64);
            vec![
                Cell::Text(l.label().to_owned()),
                n(l.procedures),
                n(l.with_process),
                n(l.online_full),
                n(l.online_partial),
                n(l.not_online),
            ]
        };
        Table {
            title: format!("Thủ tục hành chính có hiệu lực ngày {} theo cấp", vn_date(self.to)),
            headers: [
                "Cấp thực hiện",
                "Thủ tục",
                "Có quy trình nội bộ",
                "DVC trực tuyến toàn trình",
                "DVC trực tuyến một phần",
                "Chưa trực tuyến",
            ]
            .map(String::from)
            .to_vec(),
            rows: self.catalog.levels.iter().map(row).collect(),
            total: Some(row(&self.catalog.in_force)),
        }
    }

    /// The procedures published by the decisions of the period.
    fn published_table(&self) -> Table {
        Table {
            title: "Thủ tục hành chính được công bố trong kỳ".into(),
            headers: ["Quyết định", "Ngày ký", "Mã thủ tục", "Tên thủ tục", "Hình thức"].map(String::from).to_vec(),
            rows: self
                .catalog
                .published
                .iter()
                .map(|p| {
                    vec![
                        Cell::Text(p.decision.clone()),
                        Cell::Text(vn_date(p.signed_on)),
                        Cell::Text(p.code.clone()),
                        Cell::Text(p.name.clone()),
                        Cell::Text(p.kind.label().to_owned()),
                    ]
                })
                .collect(),
            total: None,
        }
    }

    fn unit_table(&self) -> Table {
        let d = &self.dossiers;
        dossier_table("Kết quả giải quyết hồ sơ theo đơn vị", "Đơn vị", &d.by_unit, |g| g.name.clone(), Some(&d.total))
    }

    fn month_table(&self) -> Table {
        let d = &self.dossiers;
        // A dossier carried over is processed in every month it is open, so those two columns of
        // the period's row are not the sum of the months; the other counts are.
        let title = "Kết quả giải quyết hồ sơ theo tháng (hồ sơ chuyển sang tháng sau được tính ở mỗi tháng \
                     xử lý, nên cột “Xử lý trong kỳ” và “Quá hạn chưa giải quyết” của dòng Cả kỳ không phải \
                     tổng các tháng)";
        dossier_table(title, "Tháng", &d.by_month, |g| vn_month(&g.key), Some(&d.total))
    }

    fn field_table(&self) -> Table {
        let title = format!("{} lĩnh vực có nhiều hồ sơ nhất", TOP_FIELDS);
        dossier_table(&title, "Lĩnh vực", &self.dossiers.top_fields, |g| g.name.clone(), None)
    }

    /// The QĐ 766 points computed from dossiers, row by row.
    fn points_table(&self) -> Table {
        let p = &self.dossiers.total.indicators.points;
        let rows = [
            ("2.1", "Giải quyết hồ sơ trước hạn, đúng hạn", p.resolved_on_time, 20.0),
            ("3.3", "Hồ sơ nộp trực tuyến", p.online_dossiers, 6.0),
            ("3.6", "Hồ sơ thanh toán trực tuyến", p.paid_online, 6.0),
            ("4.1", "Hồ sơ có kết quả điện tử", p.electronic_result, 6.0),
            ("4.2", "Hồ sơ số hóa (đầu vào và kết quả)", p.digitized, 4.0),
            ("4.3", "Hồ sơ tái sử dụng dữ liệu số hóa", p.reused_data, 2.0),
            ("5.4", "Hài lòng trong tiếp nhận, giải quyết", p.receiving_satisfaction, 6.0),
        ];
        Table {
            title: "Điểm các chỉ số QĐ 766/QĐ-TTg tính từ dữ liệu hồ sơ".into(),
            headers: ["Chỉ số", "Nội dung", "Điểm", "Tối đa"].map(String::from).to_vec(),
            rows: rows
                .iter()
                .map(|(code, name, got, max)| {
                    vec![
                        Cell::Text((*code).into()),
                        Cell::Text((*name).into()),
                        Cell::Decimal(*got),
                        Cell::Decimal(*max),
                    ]
                })
                .collect(),
            total: Some(vec![
                Cell::Text(String::new()),
                Cell::Text("Cộng".into()),
                Cell::Decimal(p.computed_total),
                Cell::Decimal(motcua_domain::indicators::rates::COMPUTED_MAX),
            ]),
        }
    }

    /// The report's numbered sections.
    fn sections(&self) -> Vec<Section> {
        let c = &self.catalog;
        let (t, i) = (&self.dossiers.total.tally, &self.dossiers.total.indicators);
        let n = |x: usize| vn_int(x as u64);
        let catalog = format!(
            "Trong kỳ có {} quyết định công bố, công bố {} thủ tục hành chính ({} công bố mới, {} sửa đổi, bổ sung, \
             {} bãi bỏ). Ngày {} có {} thủ tục hành chính có hiệu lực, trong đó {} thủ tục đã có quy trình nội bộ \
             giải quyết (quy trình điện tử).",
            n(c.decisions.len()),
            n(c.published_total),
            n(c.new),
            n(c.amended),
            n(c.abolished),
            vn_date(self.to),
            n(c.in_force.procedures),
            n(c.in_force.with_process),
        );
        let online = format!(
            "Cung cấp {} dịch vụ công trực tuyến toàn trình ({}) và {} dịch vụ công trực tuyến một phần; \
             {} thủ tục chưa cung cấp trực tuyến.",
            n(c.in_force.online_full),
            full_by_level(self),
            n(c.in_force.online_partial),
            n(c.in_force.not_online),
        );
        let dossiers = format!(
            "Tiếp nhận {} hồ sơ, trong đó {} hồ sơ trực tuyến (tỷ lệ {}). Trong kỳ xử lý {} hồ sơ (kể cả hồ sơ kỳ \
             trước chuyển sang), đã giải quyết {} hồ sơ: {} trước hạn, {} đúng hạn, {} trễ hạn; {} hồ sơ quá hạn \
             chưa giải quyết; tỷ lệ giải quyết đúng hạn {}.",
            vn_int(t.received),
            vn_int(t.online),
            vn_percent(i.online_rate),
            vn_int(t.processed),
            vn_int(t.finished),
            vn_int(t.early),
            vn_int(t.on_time),
            vn_int(t.finished_late()),
            vn_int(t.overdue_open()),
            vn_percent(i.on_time_rate),
        );
        let digitization = format!(
            "Tỷ lệ số hóa hồ sơ đầu vào {}, số hóa kết quả giải quyết {}, số hóa cả đầu vào và kết quả {}; \
             tỷ lệ hồ sơ tái sử dụng dữ liệu số hóa {}. Tỷ lệ thanh toán trực tuyến {}; tỷ lệ hài lòng {}. \
             Điểm các chỉ số QĐ 766 tính từ dữ liệu hồ sơ: {}/50.",
            vn_percent(i.digitized_input_rate),
            vn_percent(i.digitized_output_rate),
            vn_percent(i.digitized_both_rate),
            vn_percent(i.reused_data_rate),
            vn_percent(i.online_payment_rate),
            vn_percent(i.satisfaction_rate),
            vn_decimal(i.points.computed_total),
        );
        let documents = match &self.documents {
            Some(d) => format!("Gửi {} văn bản điện tử, nhận {} văn bản điện tử.", vn_int(d.sent), vn_int(d.received)),
            None => not_available(DOCUMENTS_MODULE),
        };
        let feedback = match &self.feedback {
            Some(f) => format!(
                "Tiếp nhận {} phản ánh, kiến nghị; đã trả lời {}, trong đó công khai {}.",
                vn_int(f.received),
                vn_int(f.handled),
                vn_int(f.published)
            ),
            None => not_available(FEEDBACK_MODULE),
        };
        let mut catalog_tables = vec![self.levels_table()];
        if !c.published.is_empty() {
            catalog_tables.push(self.published_table());
        }
        let section = |heading: &str, paragraph: String, tables: Vec<Table>| Section {
            heading: heading.to_owned(),
            paragraphs: vec![paragraph],
            tables,
        };
        vec![
            section("1. Công bố thủ tục hành chính và quy trình nội bộ", catalog, catalog_tables),
            section("2. Dịch vụ công trực tuyến", online, Vec::new()),
            section(
                "3. Tiếp nhận và giải quyết hồ sơ",
                dossiers,
                vec![self.unit_table(), self.month_table(), self.field_table()],
            ),
            section("4. Số hóa hồ sơ, thanh toán trực tuyến và điểm QĐ 766", digitization, vec![self.points_table()]),
            section("5. Văn bản điện tử trao đổi", documents, Vec::new()),
            section("6. Tiếp nhận, xử lý phản ánh, kiến nghị", feedback, Vec::new()),
        ]
    }
}

/// What the report templates read: the report laid out once.
pub struct View {
    pub unit_name: String,
    pub period: String,
    pub generated: String,
    pub summary: String,
    /// The main figures (one table, a list for the templates' loop).
    pub figures: Vec<Table>,
    pub sections: Vec<Section>,
}

impl View {
    pub fn of(r: &Report) -> View {
        View {
            unit_name: r.unit_name.clone(),
            period: r.period_label(),
            generated: r.generated_label(),
            summary: r.summary(),
            figures: vec![r.figures_table()],
            sections: r.sections(),
        }
    }
}

/// The report CSS: the part of the site's stylesheet between `/* report */` and
/// `/* end report */`, inlined in the standalone page so that the file prints the same anywhere.
pub fn css() -> &'static str {
    let all = include_str!("../../static/style.css");
    let start = all.find("/* report */").unwrap_or(all.len());
    let end = all.find("/* end report */").filter(|e| *e >= start).unwrap_or(all.len());
    &all[start..end]
}

#[derive(Template)]
#[template(path = "report/report.html")]
struct Standalone<'a> {
    v: &'a View,
    css: &'static str,
}

/// The report as a standalone HTML page, print-ready on A4 (its CSS inline, no script).
pub fn html(r: &Report) -> String {
    let v = View::of(r);
    Standalone { v: &v, css: css() }.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "report template");
        format!("<!doctype html><meta charset=\"utf-8\"><p>{}</p>", "Lỗi dựng báo cáo.")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_group_thousands_with_dots() {
        assert_eq!(vn_int(0), "0");
        assert_eq!(vn_int(999), "999");
        assert_eq!(vn_int(1000), "1.000");
        assert_eq!(vn_int(195_026), "195.026");
        assert_eq!(vn_int(1_234_567), "1.234.567");
    }

    #[test]
    fn decimals_use_a_comma_and_drop_trailing_zeros() {
        assert_eq!(vn_decimal(96.53), "96,53");
        assert_eq!(vn_decimal(90.1), "90,1");
        assert_eq!(vn_decimal(88.0), "88");
        assert_eq!(vn_decimal(1234.5), "1.234,5");
        assert_eq!(vn_decimal(0.004), "0");
        assert_eq!(vn_decimal(-2.5), "-2,5");
        assert_eq!(vn_decimal(f64::NAN), "—");
        assert_eq!(vn_percent(77.68), "77,68%");
    }

    #[test]
    fn dates_and_months_read_day_first() {
        let d = Date::from_calendar_date(2025, time::Month::June, 30).expect("date");
        assert_eq!(vn_date(d), "30/06/2025");
        assert_eq!(vn_month("2025-01"), "01/2025");
    }

    #[test]
    fn cells_show_numbers_the_vietnamese_way() {
        assert_eq!(Cell::Int(195_026).to_string(), "195.026");
        assert_eq!(Cell::Percent(91.18).to_string(), "91,18");
        assert!(Cell::Int(1).is_num() && !Cell::Text("a".into()).is_num());
    }
}
