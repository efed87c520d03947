//! `GET /quan-tri/lich?year=YYYY`: the year's days off and swapped working days as the default
//! calendar knows them (the official announcement when there is one, the computed statutory
//! holidays otherwise); `POST /quan-tri/lich` adds (or replaces) a yearly announcement written
//! in the TOML of `data/holidays/YYYY.toml`, then rebuilds every calendar (domain.md
//! Decisions 9). An invalid announcement is shown back with its problems (422).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::ErrorCode;
use motcua_domain::calendar::DayKind;
use motcua_domain::dossier::timeliness::VN_OFFSET;
use serde::Deserialize;
use time::Weekday;

use super::admin_of;
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
            date: format!("{:02}/{:02}/{:04}", e.date.day(), u8::from(e.date.month()), e.date.year()),
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
    let c = Chrome::new(&s.visitor, "/quan-tri/lich", "Lịch làm việc", "Working calendar");
    CalendarPage { c, year, days, source, toml, error }
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

#[derive(Deserialize)]
pub struct AnnouncementForm {
    csrf: String,
    toml: String,
}

pub(super) async fn add(
    State(state): State<AppState>,
    s: SignedIn,
    form: Result<Form<AnnouncementForm>, FormRejection>,
) -> Result<Response, UiError> {
    admin_of(&s)?;
    let lang = s.visitor.lang;
    let Form(f) =
        form.map_err(|_| crate::ui::console::bad_request(lang, "Biểu mẫu không hợp lệ.", "The form is malformed."))?;
    s.visitor.check_csrf(&f.csrf)?;
    let a = match motcua_app::calendar::add_announcement(
        &state,
        motcua_app::accounts::Authority::Account(&s.user),
        &f.toml,
    )
    .await
    {
        Ok(a) => a,
        Err(e) if e.code == ErrorCode::InvalidAnnouncement => {
            let error = lang.t(&e.message_vi, &e.message).to_owned();
            let page = calendar_page(&state, &s, this_year(&state), f.toml, Some(error));
            return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
        Err(e) => return Err(UiError::from(e).in_lang(lang)),
    };
    Ok(see_other(&format!("/quan-tri/lich?year={}", a.year)))
}
