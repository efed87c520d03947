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
    by.admin(
        "only a center administrator can change the calendar",
        "chỉ quản trị trung tâm được thay đổi lịch làm việc",
    )?;
    let invalid = |en: String, vi: String| Error::bad_request(ErrorCode::InvalidAnnouncement, en, vi);
    let a = Announcement::parse_toml(toml)
        .map_err(|e| invalid(e.to_string(), format!("thông báo lịch nghỉ không hợp lệ: {e}")))?;
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
