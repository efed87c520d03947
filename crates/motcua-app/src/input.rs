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

/// Hexadecimal text (either case) as bytes; `None` when it is not (odd length, other
/// characters). A signature of the payment platform, a cursor of the inbox.
pub fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    // (`from_str_radix` alone would take a sign: "+f".)
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect()
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

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_read_in_either_case_and_anything_else_is_refused() {
        assert_eq!(super::hex_bytes("00ffA0"), Some(vec![0, 255, 160]));
        assert_eq!(super::hex_bytes(""), Some(vec![]));
        for bad in ["0", "+f", "0g", "é0"] {
            assert_eq!(super::hex_bytes(bad), None, "{bad}");
        }
    }
}
