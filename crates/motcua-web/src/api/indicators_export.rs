//! `GET /api/v1/indicators/export`: the QĐ 766 indicators of a period, one row per group, as a
//! CSV or XLSX download (public, like `/api/v1/indicators`; issue 5 item 3). The public dashboard
//! (`/chi-so`) reads its parameters through [`select`] and links here.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use motcua_domain::ErrorCode;
use motcua_domain::indicators::YearMonth;
use motcua_domain::org::Unit;
use motcua_store::Store;
use motcua_store::indicators::{By, Scope};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::IntoParams;

use crate::AppState;
use crate::catalog_files::Format;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::indicators::{Group, groups, parse_by, parse_period, units_of};

/// The API names of the columns, in order (also the CSV header).
pub const COLUMNS: [&str; 19] = [
    "key",
    "name",
    "received",
    "online",
    "online_rate",
    "processed",
    "finished",
    "early",
    "on_time",
    "late",
    "on_time_rate",
    "digitized_input_rate",
    "digitized_output_rate",
    "digitized_both_rate",
    "reused_data_rate",
    "online_payment_rate",
    "satisfaction_rate",
    "receiving_satisfaction_rate",
    "points_total",
];

/// The Vietnamese headers of [`COLUMNS`] (the XLSX header row).
const COLUMNS_VI: [&str; 19] = [
    "Mã",
    "Tên",
    "Tiếp nhận",
    "Trực tuyến",
    "Tỷ lệ trực tuyến (%)",
    "Phải giải quyết",
    "Đã giải quyết",
    "Trước hạn",
    "Đúng hạn",
    "Trễ hạn",
    "Tỷ lệ đúng hạn (%)",
    "Tỷ lệ số hóa hồ sơ đầu vào (%)",
    "Tỷ lệ số hóa kết quả (%)",
    "Tỷ lệ số hóa đầu vào và kết quả (%)",
    "Tỷ lệ tái sử dụng dữ liệu số hóa (%)",
    "Tỷ lệ thanh toán trực tuyến (%)",
    "Tỷ lệ hài lòng (%)",
    "Mức độ hài lòng tiếp nhận, giải quyết (%)",
    "Điểm QĐ 766 tính được (/50)",
];

#[derive(Deserialize, IntoParams)]
pub struct ExportQuery {
    /// `csv` (UTF-8 with BOM, the default) or `xlsx`.
    pub format: Option<String>,
    /// Unit code (the resolving authority); the whole province when absent or a province.
    pub unit: Option<String>,
    /// First month `YYYY-MM`; default 11 months before `to`.
    pub from: Option<String>,
    /// Last month `YYYY-MM`; default the current month (Asia/Ho_Chi_Minh).
    pub to: Option<String>,
    /// National procedure code.
    pub procedure: Option<String>,
    /// Field (lĩnh vực), exactly as in the catalog.
    pub field: Option<String>,
    /// One row per `unit` (default), `month`, `procedure`, `field` or `level`.
    pub by: Option<String>,
}

/// What an indicator page or file is about: the unit (none for the province), the filters and
/// the months, checked.
#[derive(Debug, Clone)]
pub struct Selection {
    pub unit: Option<Unit>,
    pub scope: Scope,
    pub first: YearMonth,
    pub last: YearMonth,
}

impl Selection {
    /// The scope in words, Vietnamese: "Toàn tỉnh" or the unit, with the filters.
    pub fn describe_vi(&self) -> String {
        let mut s = self.unit.as_ref().map(|u| u.name.clone()).unwrap_or_else(|| "Toàn tỉnh".into());
        if let Some(p) = &self.scope.procedure {
            s.push_str(&format!("; thủ tục {p}"));
        }
        if let Some(f) = &self.scope.field {
            s.push_str(&format!("; lĩnh vực {f}"));
        }
        s
    }
}

fn clean(v: Option<&str>) -> Option<String> {
    v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// Checks the parameters the dashboard and the export share. The period defaults to the twelve
/// months ending with the current one (UTC+7); a missing `from` is eleven months before `to`.
pub async fn select(
    store: &Store,
    unit: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    procedure: Option<&str>,
    field: Option<&str>,
    now: OffsetDateTime,
) -> ApiResult<Selection> {
    let to = clean(to).unwrap_or_else(|| YearMonth::of(now).to_string());
    let from = match clean(from) {
        Some(f) => f,
        None => {
            let last = crate::indicators::parse_month("to", &to, true)?;
            (0..11).fold(last, |m, _| m.prev()).to_string()
        }
    };
    let (first, last) = parse_period(&from, &to)?;
    let (unit, units) = units_of(store, unit, false).await?;
    let scope = Scope { units, procedure: clean(procedure), field: clean(field), level: None };
    Ok(Selection { unit, scope, first, last })
}

/// The grouping in Vietnamese, for the notes sheet.
fn by_vi(by: By) -> &'static str {
    match by {
        By::Total => "toàn bộ",
        By::Unit => "đơn vị",
        By::Procedure => "thủ tục",
        By::Field => "lĩnh vực",
        By::Level => "cấp thực hiện",
        By::Month => "tháng",
    }
}

/// The file name: `chi-so-766_<unit or toan-tinh>_<from>_<to>_<by>.<ext>`, ASCII only.
fn file_name(sel: &Selection, by: &str, format: Format) -> String {
    let unit = sel.unit.as_ref().map(|u| u.code.as_str()).unwrap_or("toan-tinh");
    let safe: String =
        unit.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).take(40).collect();
    format!("chi-so-766_{safe}_{}_{}_{by}.{}", sel.first, sel.last, format.extension())
}

/// The numeric cells of one group: [`COLUMNS`] after `key` and `name`.
fn numbers(g: &Group) -> [f64; 17] {
    let (t, r) = (&g.tally, &g.indicators);
    [
        t.received as f64,
        t.online as f64,
        r.online_rate,
        t.processed as f64,
        t.finished as f64,
        t.early as f64,
        t.on_time as f64,
        t.late as f64,
        r.on_time_rate,
        r.digitized_input_rate,
        r.digitized_output_rate,
        r.digitized_both_rate,
        r.reused_data_rate,
        r.online_payment_rate,
        r.satisfaction_rate,
        r.receiving_satisfaction_rate,
        r.points.computed_total,
    ]
}

fn csv(rows: &[Group]) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(COLUMNS).map_err(|e| e.to_string())?;
    for g in rows {
        let cells = [g.key.clone(), g.name.clone()].into_iter().chain(numbers(g).into_iter().map(|n| n.to_string()));
        w.write_record(cells).map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

fn xlsx(rows: &[Group], notes: &[(&str, String)]) -> Result<Vec<u8>, String> {
    let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet().set_name("Chỉ số").map_err(e)?;
    for (c, h) in COLUMNS_VI.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(e)?;
    }
    for (r, g) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|e| e.to_string())?;
        sheet.write_string(r, 0, &g.key).map_err(e)?;
        sheet.write_string(r, 1, &g.name).map_err(e)?;
        for (c, n) in numbers(g).iter().enumerate() {
            sheet.write_number(r, c as u16 + 2, *n).map_err(e)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(e)?;
    let sheet = book.add_worksheet().set_name("Ghi chú").map_err(e)?;
    for (r, (k, v)) in notes.iter().enumerate() {
        sheet.write_string_with_format(r as u32, 0, *k, &bold).map_err(e)?;
        sheet.write_string(r as u32, 1, v).map_err(e)?;
    }
    sheet.set_column_width(0, 24).map_err(e)?;
    sheet.set_column_width(1, 80).map_err(e)?;
    book.save_to_buffer().map_err(e)
}

#[utoipa::path(get, path = "/api/v1/indicators/export", tag = "indicators", params(ExportQuery),
    responses(
        (status = 200, description = "the indicators as a file (Content-Disposition: attachment), one row per group",
            content(("text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn export(State(state): State<AppState>, ApiQuery(q): ApiQuery<ExportQuery>) -> ApiResult<Response> {
    let format = match q.format.as_deref().map(str::trim).unwrap_or("csv") {
        "" | "csv" => Format::Csv,
        "xlsx" => Format::Xlsx,
        _ => {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidFormat,
                "format must be csv or xlsx",
                "định dạng phải là csv hoặc xlsx",
            ));
        }
    };
    let by_name = clean(q.by.as_deref()).unwrap_or_else(|| "unit".into());
    let by = match parse_by(Some(&by_name))? {
        By::Total => {
            return Err(ApiError::bad_request(
                ErrorCode::InvalidGroup,
                "'by' must be one of unit, month, procedure, field, level",
                "'by' phải là một trong unit, month, procedure, field, level",
            ));
        }
        by => by,
    };
    let now = state.now();
    let sel = select(
        &state.store,
        q.unit.as_deref(),
        q.from.as_deref(),
        q.to.as_deref(),
        q.procedure.as_deref(),
        q.field.as_deref(),
        now,
    )
    .await?;
    let rows = groups(&state.store, &sel.scope, sel.first, sel.last, by, now).await?;
    let name = file_name(&sel, &by_name, format);
    let notes = [
        ("Kỳ báo cáo", format!("{} đến {}", sel.first, sel.last)),
        ("Phạm vi", sel.describe_vi()),
        ("Nhóm theo", by_vi(by).to_owned()),
        ("Thời điểm lập", format!("{} (UTC+7)", crate::views::local_display(now))),
        (
            "Nguồn",
            "Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp theo \
             Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ; phần tính được từ hồ sơ (tối đa 50 điểm)."
                .to_owned(),
        ),
    ];
    let bytes = tokio::task::spawn_blocking(move || match format {
        Format::Xlsx => xlsx(&rows, &notes),
        _ => csv(&rows),
    })
    .await
    .map_err(|e| {
        tracing::error!("indicator export task: {e}");
        ApiError::internal()
    })?
    .map_err(|e| {
        tracing::error!("indicator export encoding: {e}");
        ApiError::internal()
    })?;
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok(([(header::CONTENT_TYPE, format.content_type().to_owned()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response())
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/indicators/export", get(export))
}
