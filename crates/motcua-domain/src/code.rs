//! Dossier codes and lookup secrets (domain.md Decisions 7; TT 01/2018/TT-VPCP Art. 19 shape
//! `{unit_code}-{YYMMDD}-{seq:04}`, sequence per unit per day, never reused, growing past 4
//! digits when needed). The secret is random (made by the caller) and never derived from the code.

use crate::ErrorCode;
use time::Date;

use crate::error::DomainError;

/// Default template (TT 01/2018 shape).
pub const DEFAULT_TEMPLATE: &str = "{unit_code}-{YYMMDD}-{seq:04}";

/// Renders a code template. Supported placeholders: `{unit_code}`, `{YYMMDD}`, `{seq:0N}` / `{seq}`.
pub fn render(template: &str, unit_code: &str, date: Date, seq: u64) -> Result<crate::ids::DossierCode, DomainError> {
    let bad = || {
        DomainError::invalid(
            ErrorCode::InvalidCodeTemplate,
            format!("unsupported dossier code template '{template}'"),
            format!("mẫu mã hồ sơ không hợp lệ '{template}'"),
        )
    };
    let mut out = String::new();
    let mut rest = template;
    let mut has_seq = false;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').ok_or_else(bad)? + open;
        let key = &rest[open + 1..close];
        match key {
            "unit_code" => out.push_str(unit_code),
            "YYMMDD" => out.push_str(&format!(
                "{:02}{:02}{:02}",
                date.year().rem_euclid(100),
                u8::from(date.month()),
                date.day()
            )),
            "seq" => {
                has_seq = true;
                out.push_str(&seq.to_string())
            }
            k if k.starts_with("seq:0") => {
                let w: usize = k[5..].parse().map_err(|_| bad())?;
                has_seq = true;
                out.push_str(&format!("{seq:0w$}"))
            }
            _ => return Err(bad()),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    if !has_seq {
        return Err(bad());
    }
    Ok(crate::ids::DossierCode::trusted(out))
}

/// Checks that a string could be a dossier code before it reaches the database.
pub fn looks_like_code(s: &str) -> bool {
    crate::ids::DossierCode::parse(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_default_code_has_the_unit_the_date_and_a_four_digit_sequence_that_can_grow() {
        assert_eq!(
            render(DEFAULT_TEMPLATE, "000.00.01.H56", date!(2025 - 07 - 03), 7).unwrap(),
            "000.00.01.H56-250703-0007"
        );
        assert_eq!(render(DEFAULT_TEMPLATE, "91", date!(2025 - 07 - 03), 12345).unwrap(), "91-250703-12345");
        assert!(render("{unit_code}-{YYMMDD}", "91", date!(2025 - 07 - 03), 1).is_err());
    }
}
