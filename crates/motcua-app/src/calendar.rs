//! The working calendar's yearly announcements (the Government's holiday and make-up-day notice,
//! domain.md §4): an administrator adds one, every calendar is rebuilt from it.

use motcua_domain::ErrorCode;
use motcua_domain::calendar::Announcement;

use crate::Application;
use crate::accounts::Authority;
use crate::error::{AppResult, Error};

/// The years an announcement may be for.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// Parses the announcement `toml` (the format of `data/holidays/YYYY.toml`), stores it (`by` is
/// a center or system administrator) and rebuilds the calendars. A later announcement for the
/// same year replaces the earlier one.
#[tracing::instrument(skip_all)]
pub async fn add_announcement(state: &Application, by: Authority<'_>, toml: &str) -> AppResult<Announcement> {
    let a = Announcement::parse_toml(toml)
        .map_err(|e| invalid(e.to_string(), format!("thông báo lịch nghỉ không hợp lệ: {e}")));
    by.admin(
        "only a center administrator can change the calendar",
        "chỉ quản trị trung tâm được thay đổi lịch làm việc",
    )?;
    save_announcement(state, by, a?).await
}

fn invalid(en: String, vi: String) -> Error {
    Error::bad_request(ErrorCode::InvalidAnnouncement, en, vi)
}

/// Stores an announcement entered as a form (the administration's holiday table), after the
/// same checks as a TOML one ([`Announcement::validate`]), and rebuilds the calendars.
#[tracing::instrument(skip_all)]
pub async fn save_announcement(state: &Application, by: Authority<'_>, mut a: Announcement) -> AppResult<Announcement> {
    by.admin(
        "only a center administrator can change the calendar",
        "chỉ quản trị trung tâm được thay đổi lịch làm việc",
    )?;
    a.days_off.sort_by_key(|e| e.date);
    a.working_days.sort_by_key(|e| e.date);
    a.validate().map_err(|e| invalid(e.to_string(), format!("thông báo lịch nghỉ không hợp lệ: {e}")))?;
    if !YEARS.contains(&a.year) {
        return Err(invalid(
            "the year must be between 2000 and 2100".into(),
            "thông báo lịch nghỉ không hợp lệ: năm phải từ 2000 đến 2100".into(),
        ));
    }
    state.store.put_announcement(&a).await?;
    state.reload_calendars().await?;
    tracing::info!(year = a.year, "yearly announcement stored");
    Ok(a)
}
