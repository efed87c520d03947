//! The two date formats of edXML (domain.md §9): dates `yyyy/MM/dd` (PromulgationDate, DueDate)
//! and timestamps `yyyy/MM/dd HH:mm:ss` (TraceHeader, status Timestamp). Timestamps carry no
//! offset; Motcua writes and reads them as Vietnam local time (UTC+7) — UNCONFIRMED, the standard
//! text was not seen.

use time::{Date, Month, PrimitiveDateTime, Time};

use crate::error::{EdxmlError, codes};

fn bad(path: &str, value: &str, format: &str) -> EdxmlError {
    EdxmlError::new(
        path,
        codes::BAD_DATE,
        format!("{value:?} is not a valid date in the format {format}"),
        format!("{value:?} không phải ngày hợp lệ theo định dạng {format}"),
    )
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn date_parts(value: &str) -> Option<Date> {
    let b = value.as_bytes();
    if b.len() != 10 || b[4] != b'/' || b[7] != b'/' {
        return None;
    }
    let year = digits(value.get(0..4)?)?;
    let month = digits(value.get(5..7)?)?;
    let day = digits(value.get(8..10)?)?;
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()
}

/// Parses `yyyy/MM/dd`.
pub fn parse_date(path: &str, value: &str) -> Result<Date, EdxmlError> {
    date_parts(value).ok_or_else(|| bad(path, value, "yyyy/MM/dd"))
}

/// Parses `yyyy/MM/dd HH:mm:ss`.
pub fn parse_timestamp(path: &str, value: &str) -> Result<PrimitiveDateTime, EdxmlError> {
    let fail = || bad(path, value, "yyyy/MM/dd HH:mm:ss");
    let b = value.as_bytes();
    if b.len() != 19 || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return Err(fail());
    }
    let date = value.get(0..10).and_then(date_parts).ok_or_else(fail)?;
    let part = |r: std::ops::Range<usize>| value.get(r).and_then(digits).and_then(|n| u8::try_from(n).ok());
    let (h, m, s) = (part(11..13), part(14..16), part(17..19));
    let (Some(h), Some(m), Some(s)) = (h, m, s) else { return Err(fail()) };
    let time = Time::from_hms(h, m, s).map_err(|_| fail())?;
    Ok(PrimitiveDateTime::new(date, time))
}

/// Writes `yyyy/MM/dd`. Years outside 0..=9999 cannot be written in four digits and are clamped
/// by [`crate::Package::validate`]'s check, which refuses them.
pub fn format_date(d: Date) -> String {
    format!("{:04}/{:02}/{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Writes `yyyy/MM/dd HH:mm:ss` (seconds truncated).
pub fn format_timestamp(t: PrimitiveDateTime) -> String {
    format!("{} {:02}:{:02}:{:02}", format_date(t.date()), t.hour(), t.minute(), t.second())
}

/// Whether a date can be written in the 4-digit format.
pub fn date_in_range(d: Date) -> bool {
    (0..=9999).contains(&d.year())
}
