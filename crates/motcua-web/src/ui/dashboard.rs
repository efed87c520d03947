//! `/chi-so`: the public dashboard of the QĐ 766 service-quality indicators (issue 5 item 3) by
//! unit and month. No sign-in and no JavaScript: a GET form chooses the unit, the months and the
//! filters; the headline figures, three SVG charts ([`charts`]) with their tables, and a table
//! of every unit come from three rollup queries (total, by month, by unit). The same selection
//! downloads as CSV or XLSX from `/api/v1/indicators/export`.

mod charts;

use motcua_domain::ErrorCode;
use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use motcua_domain::indicators::rates::COMPUTED_MAX;
use motcua_domain::indicators::{Tally, YearMonth};
use motcua_domain::org::{Unit, UnitKind};
use motcua_store::indicators::By;
use serde::Deserialize;

use super::error::{UiError, urlencode};
use super::{Chrome, Lang, Visitor, render, render_status};
use crate::AppState;
use crate::api::indicators_export::{Selection, select};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::indicators::{Group, Rates};
use charts::{Bar, Series};

/// The longest run of months the page draws.
const MAX_MONTHS: usize = 120;

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    unit: Option<String>,
    from: Option<String>,
    to: Option<String>,
    procedure: Option<String>,
    field: Option<String>,
}

/// Numbers as the page language writes them: `1.234` and `95,5%` in Vietnamese.
#[derive(Clone, Copy)]
pub struct Num(Lang);

impl Num {
    /// A count with thousands separators.
    pub fn count(&self, n: &u64) -> String {
        crate::views::count(*n, self.0)
    }
    /// A number with at most 2 decimals, trailing zeros dropped.
    pub fn dec(&self, v: &f64) -> String {
        crate::views::decimal(*v, self.0)
    }
    /// A percentage.
    pub fn pct(&self, v: &f64) -> String {
        crate::views::percent(*v, self.0)
    }
}

/// The form's values as the visitor typed them (shown back, also after an error).
#[derive(Default)]
struct FormValues {
    unit: String,
    from: String,
    to: String,
    procedure: String,
    field: String,
}

/// One headline figure.
struct Figure {
    label: &'static str,
    value: String,
    note: String,
}

/// One row of the commune ranking.
struct RankRow {
    rank: usize,
    name: String,
    received: String,
    on_time_rate: String,
    points: String,
}

/// What the page shows for a valid selection.
struct View {
    scope: String,
    period: String,
    as_of: String,
    has_data: bool,
    figures: Vec<Figure>,
    trend_svg: Option<String>,
    /// Month, processed, on-time rate, received, online rate, digitized-both rate.
    trend: Vec<[String; 6]>,
    units_svg: Option<String>,
    /// Every unit's indicators, cells as text (see the template's header).
    units: Vec<Vec<String>>,
    /// The same cells for the whole selection: every count is the sum of the units' above.
    units_total: Vec<String>,
    ranking_svg: Option<String>,
    ranking: Vec<RankRow>,
    downloads: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "dashboard/index.html")]
struct DashboardPage {
    c: Chrome,
    form: FormValues,
    /// Unit choices: code and name.
    unit_options: Vec<(String, String)>,
    /// Vietnamese and English message of a bad parameter.
    error: Option<(String, String)>,
    view: Option<View>,
}

async fn page(
    State(state): State<AppState>,
    v: Visitor,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> Result<Response, UiError> {
    let c = Chrome::new(&v, "/chi-so", "Chỉ số chất lượng phục vụ", "Service quality indicators");
    let n = Num(v.lang);
    let units = state.store.units().await.map_err(|e| UiError::from(e).in_lang(v.lang))?;
    let unit_options = units
        .iter()
        .filter(|u| !matches!(u.kind, UnitKind::Province | UnitKind::Counter))
        .map(|u| {
            let ended = if u.is_current() { "" } else { v.lang.t(" (đã giải thể)", " (dissolved)") };
            (u.code.to_string(), format!("{}{ended}", u.name))
        })
        .collect();
    let text = |o: &Option<String>| o.as_deref().map(str::trim).unwrap_or("").to_owned();
    let form = FormValues {
        unit: text(&q.unit),
        from: text(&q.from),
        to: text(&q.to),
        procedure: text(&q.procedure),
        field: text(&q.field),
    };
    let mut page = DashboardPage { c, form, unit_options, error: None, view: None };
    match load(&state, &q, &units, v.lang, n).await {
        Ok((sel, view)) => {
            page.form.from = sel.first.to_string();
            page.form.to = sel.last.to_string();
            page.view = Some(view);
            Ok(render(&page))
        }
        Err(e) if e.status.is_client_error() => {
            let status = e.status;
            page.error = Some((e.body.message_vi, e.body.message));
            Ok(render_status(status, &page))
        }
        Err(e) => Err(UiError::from(e).in_lang(v.lang)),
    }
}

/// The three rollup queries and everything drawn from them.
async fn load(
    state: &AppState,
    q: &DashboardQuery,
    units: &[Unit],
    lang: Lang,
    n: Num,
) -> Result<(Selection, View), ApiError> {
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
    let months: Vec<YearMonth> = sel.first.through(sel.last).take(MAX_MONTHS + 1).collect();
    if months.len() > MAX_MONTHS {
        return Err(ApiError::bad_request(
            ErrorCode::PeriodTooLong,
            format!("the dashboard shows at most {MAX_MONTHS} months; choose a shorter period"),
            format!("trang chỉ số hiển thị tối đa {MAX_MONTHS} tháng; vui lòng chọn kỳ ngắn hơn"),
        ));
    }
    let store = &state.store;
    let total = store.indicator_tallies(&sel.scope, sel.first, sel.last, By::Total, now).await?;
    let total = total.into_iter().next().map(|(_, t)| t).unwrap_or_default();
    let by_month: HashMap<String, Tally> =
        store.indicator_tallies(&sel.scope, sel.first, sel.last, By::Month, now).await?.into_iter().collect();
    let by_unit = store.indicator_tallies(&sel.scope, sel.first, sel.last, By::Unit, now).await?;

    let unit_of: HashMap<&str, &Unit> = units.iter().map(|u| (u.code.as_str(), u)).collect();
    let name = |code: &str| unit_of.get(code).map(|u| u.name.clone()).unwrap_or_else(|| code.to_owned());
    let mut unit_groups: Vec<Group> = by_unit
        .into_iter()
        .map(|(key, tally)| Group { name: name(&key), indicators: Rates::from(&tally), tally, key })
        .collect();
    unit_groups.sort_by(|a, b| {
        b.tally.received.cmp(&a.tally.received).then_with(|| motcua_domain::text::collate(&a.name, &b.name))
    });

    let total = Group { key: String::new(), name: String::new(), indicators: Rates::from(&total), tally: total };
    let has_data = total.tally.received > 0 || total.tally.processed > 0;
    let view = View {
        scope: sel
            .unit
            .as_ref()
            .map(|u| u.name.clone())
            .unwrap_or_else(|| lang.t("Toàn tỉnh", "Whole province").into()),
        period: format!("{} – {}", month_label(sel.first), month_label(sel.last)),
        as_of: crate::views::local_display(now),
        has_data,
        figures: figures(&total, lang, n),
        trend_svg: None,
        trend: Vec::new(),
        units_svg: units_chart(&unit_groups, lang, n),
        units: unit_groups.iter().map(|g| unit_cells(g, n)).collect(),
        units_total: unit_cells(&Group { name: lang.t("Tổng cộng", "Total").into(), ..total.clone() }, n),
        ranking_svg: None,
        ranking: Vec::new(),
        downloads: downloads(&sel, lang),
    };
    let (trend_svg, trend) = trend(&months, &by_month, lang, n);
    let (ranking_svg, ranking) = ranking(&sel, units, &unit_groups, lang, n);
    Ok((sel, View { trend_svg, trend, ranking_svg, ranking, ..view }))
}

/// `07/2025`.
fn month_label(m: YearMonth) -> String {
    format!("{:02}/{}", m.month, m.year)
}

fn figures(g: &Group, lang: Lang, n: Num) -> Vec<Figure> {
    let (t, r) = (&g.tally, &g.indicators);
    let of = |count: u64, vi: &str, en: &str| format!("{} {}", n.count(&count), lang.t(vi, en));
    vec![
        Figure {
            label: lang.t("Hồ sơ tiếp nhận", "Dossiers received"),
            value: n.count(&t.received),
            note: String::new(),
        },
        Figure {
            label: lang.t("Tỷ lệ nộp trực tuyến", "Submitted online"),
            value: n.pct(&r.online_rate),
            note: of(t.online, "hồ sơ trực tuyến", "online dossiers"),
        },
        Figure {
            label: lang.t("Tỷ lệ giải quyết đúng hạn", "Resolved on time"),
            value: n.pct(&r.on_time_rate),
            note: of(t.processed, "hồ sơ phải giải quyết", "dossiers to resolve"),
        },
        Figure {
            label: lang.t("Trước hạn / đúng hạn / trễ hạn", "Early / on time / late"),
            value: format!("{} / {} / {}", n.count(&t.early), n.count(&t.on_time), n.count(&t.finished_late())),
            note: of(t.finished, "hồ sơ đã giải quyết", "dossiers finished"),
        },
        Figure {
            label: lang.t("Quá hạn chưa giải quyết", "Overdue, not finished"),
            value: n.count(&t.overdue_open()),
            note: of(t.processed.saturating_sub(t.finished), "hồ sơ đang giải quyết", "dossiers in progress"),
        },
        Figure {
            label: lang.t("Số hóa đầu vào / kết quả / cả hai", "Digitized input / result / both"),
            value: format!(
                "{} / {} / {}",
                n.pct(&r.digitized_input_rate),
                n.pct(&r.digitized_output_rate),
                n.pct(&r.digitized_both_rate)
            ),
            note: String::new(),
        },
        Figure {
            label: lang.t("Thanh toán trực tuyến", "Paid online"),
            value: n.pct(&r.online_payment_rate),
            note: of(t.fee_bearing, "hồ sơ có phí, lệ phí", "dossiers with fees"),
        },
        Figure {
            label: lang.t("Mức độ hài lòng", "Satisfaction"),
            value: n.pct(&r.satisfaction_rate),
            note: of(t.rated, "lượt đánh giá", "ratings"),
        },
        Figure {
            label: lang.t("Điểm QĐ 766 (phần tính từ hồ sơ)", "QĐ 766 points (from dossiers)"),
            value: format!("{} / {}", n.dec(&r.points.computed_total), n.dec(&COMPUTED_MAX)),
            note: String::new(),
        },
    ]
}

/// The trend chart and its table: on-time, online and digitized-both rates by month. A month
/// without a denominator has no point.
fn trend(
    months: &[YearMonth],
    by_month: &HashMap<String, Tally>,
    lang: Lang,
    n: Num,
) -> (Option<String>, Vec<[String; 6]>) {
    let empty = Tally::default();
    let rows: Vec<(YearMonth, &Tally, Rates)> = months
        .iter()
        .map(|m| {
            let t = by_month.get(&m.to_string()).unwrap_or(&empty);
            (*m, t, Rates::from(t))
        })
        .collect();
    let point = |has: bool, v: f64| has.then(|| (v, n.pct(&v)));
    let series = [
        Series {
            label: lang.t("Đúng hạn", "On time"),
            class: "s1",
            points: rows.iter().map(|(_, t, r)| point(t.processed > 0, r.on_time_rate)).collect(),
        },
        Series {
            label: lang.t("Trực tuyến", "Online"),
            class: "s2",
            points: rows.iter().map(|(_, t, r)| point(t.received > 0, r.online_rate)).collect(),
        },
        Series {
            label: lang.t("Số hóa đầu vào và kết quả", "Digitized input and result"),
            class: "s3",
            points: rows.iter().map(|(_, t, r)| point(t.received > 0, r.digitized_both_rate)).collect(),
        },
    ];
    let labels: Vec<String> = months.iter().map(|m| month_label(*m)).collect();
    let svg = charts::lines(
        "trend",
        lang.t("Xu hướng theo tháng", "Trend by month"),
        lang.t(
            "Tỷ lệ giải quyết đúng hạn, tỷ lệ nộp trực tuyến và tỷ lệ số hóa đầu vào và kết quả theo từng tháng, \
             từ 0% đến 100%. Số liệu chi tiết ở bảng ngay dưới biểu đồ.",
            "On-time, online and digitized-both rates by month, from 0% to 100%. The table below the chart \
             has the figures.",
        ),
        &labels,
        &series,
    );
    let rate = |has: bool, v: f64| if has { n.pct(&v) } else { "—".into() };
    let table = rows
        .iter()
        .filter(|(_, t, _)| t.received > 0 || t.processed > 0)
        .map(|(m, t, r)| {
            [
                month_label(*m),
                n.count(&t.processed),
                rate(t.processed > 0, r.on_time_rate),
                n.count(&t.received),
                rate(t.received > 0, r.online_rate),
                rate(t.received > 0, r.digitized_both_rate),
            ]
        })
        .collect();
    (svg, table)
}

fn units_chart(groups: &[Group], lang: Lang, n: Num) -> Option<String> {
    let bars: Vec<Bar> = groups
        .iter()
        .map(|g| Bar {
            label: g.name.clone(),
            value: g.tally.received as f64,
            part: g.tally.late as f64,
            text: format!(
                "{} ({} {})",
                n.count(&g.tally.received),
                n.count(&g.tally.late),
                lang.t("trễ hạn, quá hạn", "late or overdue")
            ),
        })
        .collect();
    charts::bars(
        "units",
        lang.t("Hồ sơ tiếp nhận theo đơn vị", "Dossiers received by unit"),
        lang.t(
            "Số hồ sơ tiếp nhận của từng đơn vị trong kỳ; phần màu đỏ là số hồ sơ giải quyết trễ hạn và \
             quá hạn chưa giải quyết. \
             Bảng chỉ số theo đơn vị bên dưới có đầy đủ số liệu.",
            "Dossiers received by each unit in the period; the red part is the dossiers finished late and \
             those overdue, not finished. \
             The table of units below has all the figures.",
        ),
        &bars,
        None,
        (lang.t("Tiếp nhận", "Received"), lang.t("Trễ hạn, quá hạn", "Late or overdue")),
    )
}

fn unit_cells(g: &Group, n: Num) -> Vec<String> {
    let (t, r) = (&g.tally, &g.indicators);
    vec![
        g.name.clone(),
        n.count(&t.received),
        n.count(&t.online),
        n.pct(&r.online_rate),
        n.count(&t.processed),
        n.count(&t.finished),
        n.count(&t.early),
        n.count(&t.on_time),
        n.count(&t.finished_late()),
        n.count(&t.overdue_open()),
        n.pct(&r.on_time_rate),
        n.pct(&r.digitized_input_rate),
        n.pct(&r.digitized_output_rate),
        n.pct(&r.digitized_both_rate),
        n.pct(&r.reused_data_rate),
        n.pct(&r.online_payment_rate),
        n.pct(&r.satisfaction_rate),
        n.pct(&r.receiving_satisfaction_rate),
        n.dec(&r.points.computed_total),
    ]
}

/// Commune-level units (communes, wards, special zones) in scope, with or without dossiers,
/// ranked by on-time rate, then dossiers received; units with nothing to resolve come last.
fn ranking(sel: &Selection, units: &[Unit], groups: &[Group], lang: Lang, n: Num) -> (Option<String>, Vec<RankRow>) {
    let commune = |k: UnitKind| matches!(k, UnitKind::Commune | UnitKind::Ward | UnitKind::SpecialZone);
    let kind: HashMap<&str, UnitKind> = units.iter().map(|u| (u.code.as_str(), u.kind)).collect();
    let mut rows: Vec<Group> =
        groups.iter().filter(|g| kind.get(g.key.as_str()).is_some_and(|k| commune(*k))).cloned().collect();
    let in_scope = |code: &str| sel.scope.units.as_ref().is_none_or(|s| s.iter().any(|c| c == code));
    for u in units.iter().filter(|u| commune(u.kind) && u.is_current() && in_scope(&u.code)) {
        if !rows.iter().any(|g| g.key == u.code) {
            rows.push(Group { name: u.name.clone(), ..Group::empty(u.code.to_string()) });
        }
    }
    rows.sort_by(|a, b| {
        (b.tally.processed > 0)
            .cmp(&(a.tally.processed > 0))
            .then(b.indicators.on_time_rate.total_cmp(&a.indicators.on_time_rate))
            .then(b.tally.received.cmp(&a.tally.received))
            .then_with(|| motcua_domain::text::collate(&a.name, &b.name))
    });
    let rate = |g: &Group| if g.tally.processed > 0 { n.pct(&g.indicators.on_time_rate) } else { "—".into() };
    let bars: Vec<Bar> = rows
        .iter()
        .enumerate()
        .map(|(i, g)| Bar {
            label: format!("{}. {}", i + 1, g.name),
            value: if g.tally.processed > 0 { g.indicators.on_time_rate } else { 0.0 },
            part: 0.0,
            text: rate(g),
        })
        .collect();
    let svg = if rows.iter().any(|g| g.tally.processed > 0) {
        charts::bars(
            "ranking",
            lang.t("Xếp hạng cấp xã theo tỷ lệ đúng hạn", "Communes ranked by on-time rate"),
            lang.t(
                "Tỷ lệ giải quyết đúng hạn của từng xã, phường, đặc khu, từ cao đến thấp (thang 0–100%). \
                 Bảng xếp hạng bên dưới có đầy đủ số liệu.",
                "On-time rate of each commune, ward and special zone, highest first (0–100%). \
                 The ranking table below has all the figures.",
            ),
            &bars,
            Some(100.0),
            (lang.t("Tỷ lệ đúng hạn", "On-time rate"), ""),
        )
    } else {
        None
    };
    let table = rows
        .iter()
        .enumerate()
        .map(|(i, g)| RankRow {
            rank: i + 1,
            name: g.name.clone(),
            received: n.count(&g.tally.received),
            on_time_rate: rate(g),
            points: n.dec(&g.indicators.points.computed_total),
        })
        .collect();
    (svg, table)
}

/// Download links for the selection: CSV and XLSX by unit and by month.
fn downloads(sel: &Selection, lang: Lang) -> Vec<(&'static str, String)> {
    let mut query = format!("from={}&to={}", sel.first, sel.last);
    if let Some(u) = &sel.unit {
        query.push_str(&format!("&unit={}", urlencode(&u.code)));
    }
    if let Some(p) = &sel.scope.procedure {
        query.push_str(&format!("&procedure={}", urlencode(p)));
    }
    if let Some(f) = &sel.scope.field {
        query.push_str(&format!("&field={}", urlencode(f)));
    }
    let link = |format: &str, by: &str| format!("/api/v1/indicators/export?format={format}&by={by}&{query}");
    vec![
        (lang.t("CSV theo đơn vị", "CSV by unit"), link("csv", "unit")),
        (lang.t("Excel (XLSX) theo đơn vị", "Excel (XLSX) by unit"), link("xlsx", "unit")),
        (lang.t("CSV theo tháng", "CSV by month"), link("csv", "month")),
        (lang.t("Excel (XLSX) theo tháng", "Excel (XLSX) by month"), link("xlsx", "month")),
    ]
}

pub fn router() -> Router<AppState> {
    Router::new().route("/chi-so", get(page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_page_language() {
        let (vi, en) = (Num(Lang::Vi), Num(Lang::En));
        assert_eq!((vi.count(&1_234_567), en.count(&1_234_567)), ("1.234.567".to_owned(), "1,234,567".to_owned()));
        assert_eq!((vi.pct(&95.5), en.pct(&95.5), vi.pct(&100.0)), ("95,5%".into(), "95.5%".into(), "100%".into()));
        assert_eq!((vi.count(&0), vi.dec(&f64::NAN)), ("0".into(), "—".into()), "not a number is a dash");
    }
}
