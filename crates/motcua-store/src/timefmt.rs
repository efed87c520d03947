//! Instants are stored as fixed-width RFC 3339 UTC text (`2025-07-03T02:15:00Z`), so text order is
//! time order on both databases.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// Formats an instant for storage (UTC, whole seconds).
pub fn format_ts(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Parses a stored instant.
pub fn parse_ts(s: &str) -> Result<OffsetDateTime, time::error::Parse> {
    OffsetDateTime::parse(s, &Rfc3339)
}

/// Formats a calendar date for storage (`2025-07-01`; text order is date order).
pub fn format_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Today's date in Vietnam (UTC+7) by the system's clock, the date that decides which
/// procedure version applies (the CLI's; the application uses [`date_vn`] of its own clock).
pub fn today_vn() -> time::Date {
    date_vn(OffsetDateTime::now_utc())
}

/// The date in Vietnam (UTC+7) at instant `at`.
pub fn date_vn(at: OffsetDateTime) -> time::Date {
    at.to_offset(time::macros::offset!(+7)).date()
}
