//! Formats every adapter reads the same way (the API, the pages, the CLI).

use crate::error::{AppResult, Error};
use motcua_domain::ErrorCode;

/// A calendar date `YYYY-MM-DD`; `name` is the field, for the message.
pub fn date(name: &str, value: &str) -> AppResult<time::Date> {
    time::Date::parse(value.trim(), time::macros::format_description!("[year]-[month]-[day]")).map_err(|_| {
        Error::bad_request(
            ErrorCode::InvalidDate,
            format!("'{name}' must be a date like 2025-07-01"),
            format!("'{name}' phải là ngày dạng 2025-07-01"),
        )
    })
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}
