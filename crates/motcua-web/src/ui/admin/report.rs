//! The progress report pages (issue 5 item 5), for center administrators, leaders and system
//! administrators; anyone else gets 403:
//!
//! - `GET /quan-tri/bao-cao?from=&to=&unit=`: the form (by default the last complete month and
//!   the officer's own current unit, issue 14) and the report;
//! - `GET /quan-tri/bao-cao.xlsx?…`: the workbook;
//! - `GET /quan-tri/bao-cao.html?…`: the standalone print version (A4).
//!
//! A system administrator, or a center administrator of a province-level unit, reports on any
//! unit or the whole province; other center administrators and leaders on their own units.
//! A period that is not whole months is a 400 with the reason in Vietnamese.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use motcua_domain::ErrorCode;
use motcua_domain::catalog::Level;
use motcua_domain::dossier::Role;
use motcua_domain::dossier::timeliness::VN_OFFSET;
use motcua_domain::indicators::YearMonth;
use motcua_domain::org::Unit;
use serde::Deserialize;
use time::{Date, OffsetDateTime};

use crate::AppState;
use crate::extract::ApiQuery;
use crate::indicators::parse_period;
use crate::report::{self, Report, text::View};
use crate::ui::error::{UiError, urlencode};
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, render, secure_headers};

#[derive(Deserialize)]
pub struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
    unit: Option<String>,
}

/// Which units an officer may report on.
enum Reach {
    All,
    /// Units where the officer is a center administrator or a leader.
    Units(Vec<String>),
}

impl Reach {
    async fn of(state: &AppState, s: &SignedIn) -> Result<Reach, UiError> {
        if s.has(Role::SystemAdmin) {
            return Ok(Reach::All);
        }
        let mut own: Vec<String> = s
            .user
            .roles
            .iter()
            .filter(|(_, r)| matches!(r, Role::CenterAdmin | Role::Leader))
            .map(|(u, _)| u.to_string())
            .collect();
        if own.is_empty() {
            return Err(UiError::forbidden(s.visitor.lang));
        }
        own.sort();
        own.dedup();
        let units = state.store.units().await?;
        let provincial_admin =
            s.user.roles.iter().any(|(u, r)| {
                *r == Role::CenterAdmin && units.iter().any(|x| x.code == *u && x.level == Level::Province)
            });
        Ok(if provincial_admin { Reach::All } else { Reach::Units(own) })
    }

    /// The unit to report on: the one asked for if allowed, else a 403. By default (issue 14)
    /// the whole province for those who report on all of it (titled with the province as it
    /// stood in the period); for the others their own current unit: a one-stop they work at
    /// first, else the one with the most open dossiers.
    async fn pick(&self, state: &AppState, asked: Option<&str>, s: &SignedIn) -> Result<Option<String>, UiError> {
        let asked = asked.map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned);
        let own = match (self, asked) {
            (Reach::All, asked) => return Ok(asked),
            (Reach::Units(own), Some(u)) if own.contains(&u) => return Ok(Some(u)),
            (Reach::Units(_), Some(_)) => return Err(UiError::forbidden(s.visitor.lang)),
            (Reach::Units(own), None) => own,
        };
        let units = state.store.units().await?;
        let mut mine: Vec<&Unit> =
            units.iter().filter(|u| u.is_current() && own.iter().any(|o| u.code == *o)).collect();
        if let Some(one_stop) = mine.iter().find(|u| u.receives_dossiers()) {
            return Ok(Some(one_stop.code.to_string()));
        }
        let codes: Vec<String> = mine.iter().map(|u| u.code.to_string()).collect();
        let counts = state.store.counts_by_status(&codes, state.now()).await?;
        let open = |code: &str| counts.iter().filter(|c| c.unit == code).map(|c| c.count).sum::<i64>();
        mine.sort_by(|a, b| open(&b.code).cmp(&open(&a.code)).then(a.code.cmp(&b.code)));
        Ok(mine.first().map(|u| u.code.to_string()).or_else(|| own.first().cloned()))
    }
}

/// The last complete month before `now` (UTC+7).
fn last_month(now: OffsetDateTime) -> (YearMonth, YearMonth) {
    let today = now.to_offset(VN_OFFSET).date();
    let m = match u8::from(today.month()) {
        1 => YearMonth { year: today.year() - 1, month: 12 },
        m => YearMonth { year: today.year(), month: m - 1 },
    };
    (m, m)
}

fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The period of a query (the default when both bounds are blank), as days.
fn period(q: &ReportQuery, now: OffsetDateTime) -> Result<(Date, Date), UiError> {
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
    let (first, last) = if blank(&q.from) && blank(&q.to) {
        last_month(now)
    } else {
        parse_period(q.from.as_deref().unwrap_or(""), q.to.as_deref().unwrap_or(""))?
    };
    report::period_dates(first, last).ok_or_else(|| {
        UiError::from(crate::error::ApiError::bad_request(
            ErrorCode::InvalidPeriod,
            "the period is out of range",
            "kỳ báo cáo không hợp lệ",
        ))
    })
}

/// Checks the officer and the query, and builds the report.
async fn prepare(state: &AppState, s: &SignedIn, q: &ReportQuery) -> Result<(Report, String, Reach), UiError> {
    let lang = s.visitor.lang;
    let reach = Reach::of(state, s).await?;
    let unit = reach.pick(state, q.unit.as_deref(), s).await?;
    let now = state.now();
    let (from, to) = period(q, now).map_err(|e| e.in_lang(lang))?;
    let r = report::build(&state.store, from, to, unit.as_deref(), now)
        .await
        .map_err(|e| UiError::from(e).in_lang(lang))?;
    let query = format!("from={}&to={}&unit={}", iso(from), iso(to), urlencode(unit.as_deref().unwrap_or("")));
    Ok((r, query, reach))
}

#[derive(Template)]
#[template(path = "admin/report.html")]
struct ReportPage {
    c: Chrome,
    from: String,
    to: String,
    unit: String,
    /// (code, name); code "" for the whole province.
    units: Vec<(String, String)>,
    /// The query string of the shown report (for the download and print links).
    query: Option<String>,
    report: Option<View>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    s: SignedIn,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, UiError> {
    let (r, query, reach) = prepare(&state, &s, &q).await?;
    let mut units: Vec<(String, String)> = Vec::new();
    if matches!(reach, Reach::All) {
        units.push((String::new(), "Toàn tỉnh".to_owned()));
    }
    for u in state.store.units().await? {
        if matches!(&reach, Reach::All) || matches!(&reach, Reach::Units(own) if own.iter().any(|o| u.code == *o)) {
            units.push((u.code.to_string(), u.name));
        }
    }
    let c = Chrome::new(
        &s.visitor,
        "/quan-tri/bao-cao",
        "Báo cáo tình hình giải quyết thủ tục hành chính",
        "Progress report",
    );
    Ok(render(&ReportPage {
        c,
        from: iso(r.from),
        to: iso(r.to),
        unit: r.unit_code.clone().unwrap_or_default(),
        units,
        query: Some(query),
        report: Some(View::of(&r)),
    }))
}

/// `bao-cao-<unit>-YYYY-MM-YYYY-MM.xlsx`.
fn file_name(r: &Report) -> String {
    let unit = r.unit_code.as_deref().unwrap_or("tinh");
    let unit: String = unit.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    format!("bao-cao-{unit}-{}-{}.xlsx", r.first, r.last)
}

pub(super) async fn xlsx(
    State(state): State<AppState>,
    s: SignedIn,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, UiError> {
    let (r, _, _) = prepare(&state, &s, &q).await?;
    let bytes = report::xlsx(&r).map_err(|e| {
        tracing::error!(error = %e, "report workbook");
        UiError::internal(s.visitor.lang)
    })?;
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file_name(&r)))
        .unwrap_or(HeaderValue::from_static("attachment"));
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(crate::catalog_files::Format::Xlsx.content_type())),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    ];
    Ok((headers, bytes).into_response())
}

/// The standalone page carries its CSS inline and no script: its policy allows exactly that.
const PRINT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
                         form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

pub(super) async fn print(
    State(state): State<AppState>,
    s: SignedIn,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Response, UiError> {
    let (r, _, _) = prepare(&state, &s, &q).await?;
    let mut res = axum::response::Html(report::html(&r)).into_response();
    let h = res.headers_mut();
    for (k, v) in secure_headers() {
        h.insert(k, v);
    }
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PRINT_CSP));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(res)
}
