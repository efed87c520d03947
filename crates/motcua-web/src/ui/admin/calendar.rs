//! `GET /quan-tri/lich?year=YYYY`: the year's days off and swapped working days as the default
//! calendar knows them (the official announcement when there is one, the computed statutory
//! holidays otherwise); `POST /quan-tri/lich` adds (or replaces) a yearly announcement written
//! as a form (issue 14: one row per day off or swapped working day, prefilled with the year's
//! days) or pasted in the TOML of `data/holidays/YYYY.toml`, then rebuilds every calendar
//! (domain.md Decisions 9). An invalid announcement is shown back with its problems (422).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::ErrorCode;
use motcua_domain::calendar::{Announcement, DayKind, HolidayEntry};
use motcua_domain::dossier::timeliness::VN_OFFSET;
use serde::Deserialize;
use time::macros::format_description;
use time::{Date, Weekday};

use super::{Posted, admin_of, posted};
use crate::AppState;
use crate::extract::ApiQuery;
use crate::ui::error::UiError;
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, Lang, render_status, see_other};

/// Years the page shows (the lunar calendar is computed for any year; this bounds the work).
use motcua_app::calendar::YEARS;

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<String>,
}

/// One listed day.
struct DayRow {
    date: String,
    weekday: &'static str,
    name: String,
    kind: &'static str,
    working: bool,
}

#[derive(Template)]
#[template(path = "admin/calendar.html")]
struct CalendarPage {
    c: Chrome,
    year: i32,
    days: Vec<DayRow>,
    /// The official announcement's source, when the year has one.
    source: Option<String>,
    toml: String,
    error: Option<String>,
    /// The announcement form: its source and one row per day (with blank rows to add).
    form_source: String,
    rows: Vec<DayInput>,
}

/// One row of the announcement form.
struct DayInput {
    i: usize,
    /// `YYYY-MM-DD` (an `<input type="date">` value).
    date: String,
    name: String,
    working: bool,
}

/// Blank rows offered under the year's days.
const BLANK_ROWS: usize = 4;

fn rows_with_blanks(mut rows: Vec<DayInput>) -> Vec<DayInput> {
    let n = rows.len();
    rows.extend((n..n + BLANK_ROWS).map(|i| DayInput { i, date: String::new(), name: String::new(), working: false }));
    rows
}

fn weekday(w: Weekday, lang: Lang) -> &'static str {
    match w {
        Weekday::Monday => lang.t("Thứ Hai", "Monday"),
        Weekday::Tuesday => lang.t("Thứ Ba", "Tuesday"),
        Weekday::Wednesday => lang.t("Thứ Tư", "Wednesday"),
        Weekday::Thursday => lang.t("Thứ Năm", "Thursday"),
        Weekday::Friday => lang.t("Thứ Sáu", "Friday"),
        Weekday::Saturday => lang.t("Thứ Bảy", "Saturday"),
        Weekday::Sunday => lang.t("Chủ nhật", "Sunday"),
    }
}

fn this_year(state: &AppState) -> i32 {
    state.now().to_offset(VN_OFFSET).year()
}

/// The page for `year`, with the announcement form holding `toml` and `error`.
fn calendar_page(state: &AppState, s: &SignedIn, year: i32, toml: String, error: Option<String>) -> CalendarPage {
    let lang = s.visitor.lang;
    let cal = state.calendars.get(None);
    let days = cal
        .holidays(year)
        .into_iter()
        .map(|e| DayRow {
            date: crate::views::date(e.date),
            weekday: weekday(e.date.weekday(), lang),
            name: e.name,
            kind: match e.kind {
                DayKind::Holiday => lang.t("Ngày nghỉ", "Day off"),
                DayKind::Workday => lang.t("Ngày làm bù", "Working day (swap)"),
            },
            working: e.kind == DayKind::Workday,
        })
        .collect();
    let source = cal.announcements.get(&year).map(|a| a.source.clone());
    let rows = rows_with_blanks(
        cal.holidays(year)
            .into_iter()
            .enumerate()
            .map(|(i, e)| DayInput {
                i,
                date: format!("{:04}-{:02}-{:02}", e.date.year(), u8::from(e.date.month()), e.date.day()),
                name: e.name,
                working: e.kind == DayKind::Workday,
            })
            .collect(),
    );
    let c = Chrome::new(&s.visitor, "/quan-tri/lich", "Lịch làm việc", "Working calendar");
    CalendarPage { c, year, days, form_source: source.clone().unwrap_or_default(), source, toml, error, rows }
}

pub(super) async fn page(
    State(state): State<AppState>,
    s: SignedIn,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> Result<Response, UiError> {
    admin_of(&s)?;
    let year = match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        Some(y) => y.parse::<i32>().ok().filter(|y| YEARS.contains(y)).ok_or_else(|| {
            crate::ui::console::bad_request(
                s.visitor.lang,
                "Năm phải từ 2000 đến 2100.",
                "The year must be between 2000 and 2100.",
            )
        })?,
        None => this_year(&state),
    };
    Ok(render_status(StatusCode::OK, &calendar_page(&state, &s, year, String::new(), None)))
}

/// The announcement the form's rows describe, or the problems with its dates.
fn from_rows(f: &Posted, year: i32) -> Result<Announcement, String> {
    let mut a =
        Announcement { year, source: f.get("source").to_owned(), days_off: Vec::new(), working_days: Vec::new() };
    let mut bad = Vec::new();
    for i in (0..400).take_while(|i| f.has(&format!("date_{i}"))) {
        let (date, name) = (f.get(&format!("date_{i}")).to_owned(), f.get(&format!("name_{i}")).to_owned());
        if date.is_empty() && name.is_empty() {
            continue;
        }
        let Ok(date) = Date::parse(&date, &format_description!("[year]-[month]-[day]")) else {
            bad.push(format!("'{date}' ({name})"));
            continue;
        };
        let working = f.get(&format!("kind_{i}")) == "workday";
        let kind = if working { DayKind::Workday } else { DayKind::Holiday };
        let entry = HolidayEntry { date, name, kind };
        if working { a.working_days.push(entry) } else { a.days_off.push(entry) }
    }
    if bad.is_empty() { Ok(a) } else { Err(bad.join(", ")) }
}

/// The rows as sent, shown back with the problems.
fn rows_as_sent(f: &Posted) -> Vec<DayInput> {
    let rows = (0..400)
        .take_while(|i| f.has(&format!("date_{i}")))
        .map(|i| DayInput {
            i,
            date: f.get(&format!("date_{i}")).to_owned(),
            name: f.get(&format!("name_{i}")).to_owned(),
            working: f.get(&format!("kind_{i}")) == "workday",
        })
        .filter(|r| !r.date.is_empty() || !r.name.is_empty())
        .enumerate()
        .map(|(i, r)| DayInput { i, ..r })
        .collect();
    rows_with_blanks(rows)
}

pub(super) async fn add(
    State(state): State<AppState>,
    s: SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, UiError> {
    let (_, f) = posted(&s, form)?;
    let lang = s.visitor.lang;
    let field = |k: &str| f.get(k);
    let by = motcua_app::accounts::Authority::Account(&s.user);
    let toml = field("toml").to_owned();
    let year =
        field("year").trim().parse::<i32>().ok().filter(|y| YEARS.contains(y)).unwrap_or_else(|| this_year(&state));
    let result = if !toml.trim().is_empty() {
        motcua_app::calendar::add_announcement(&state, by, &toml).await
    } else {
        match from_rows(&f, year) {
            Ok(a) => motcua_app::calendar::save_announcement(&state, by, a).await,
            Err(bad) => {
                let error = lang
                    .t("Ngày không hợp lệ (cần dạng năm-tháng-ngày): ", "Invalid dates (year-month-day expected): ");
                let mut page = calendar_page(&state, &s, year, toml, Some(format!("{error}{bad}")));
                page.rows = rows_as_sent(&f);
                page.form_source = field("source").to_owned();
                return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
            }
        }
    };
    let a = match result {
        Ok(a) => a,
        Err(e) if e.code == ErrorCode::InvalidAnnouncement => {
            let error = lang.t(&e.message_vi, &e.message).to_owned();
            let from_form = toml.trim().is_empty();
            let shown = if from_form { year } else { this_year(&state) };
            let mut page = calendar_page(&state, &s, shown, toml, Some(error));
            if from_form {
                page.rows = rows_as_sent(&f);
                page.form_source = field("source").to_owned();
            }
            return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
        Err(e) => return Err(UiError::from(e).in_lang(lang)),
    };
    Ok(see_other(&format!("/quan-tri/lich?year={}", a.year)))
}
