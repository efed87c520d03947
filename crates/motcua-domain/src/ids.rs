//! Identifiers that carry their proof: once parsed at the edge (a request, a file, the
//! catalog), a code travels as its type through the domain model, the use cases and the store,
//! so a function that takes a [`DossierCode`] never checks the shape again and two kinds of code
//! cannot be swapped. Each is a string on the wire and in stored state (`serde(transparent)`:
//! the events' canonical text, and so the hash chain, is unchanged); reading stored state does
//! not re-check what was checked when it was written.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

use crate::{DomainError, ErrorCode};

/// Reads as the string it holds: `&code` passes where a `&str` is taken, `code == "..."`
/// compares, `{code}` prints it.
macro_rules! text_newtype {
    ($t:ident) => {
        impl $t {
            /// A value this crate has already checked (a code from a decided event, the catalog,
            /// a rendered template): only the domain may vouch for it.
            #[allow(dead_code)]
            pub(crate) fn trusted(s: impl Into<String>) -> $t {
                $t(s.into())
            }
            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// The text, owned.
            pub fn into_string(self) -> String {
                self.0
            }
        }
        impl Deref for $t {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl Borrow<str> for $t {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl PartialEq<str> for $t {
            fn eq(&self, o: &str) -> bool {
                self.0 == o
            }
        }
        impl PartialEq<&str> for $t {
            fn eq(&self, o: &&str) -> bool {
                self.0 == *o
            }
        }
        impl PartialEq<String> for $t {
            fn eq(&self, o: &String) -> bool {
                &self.0 == o
            }
        }
        impl PartialEq<$t> for String {
            fn eq(&self, o: &$t) -> bool {
                *self == o.0
            }
        }
        impl PartialEq<$t> for &str {
            fn eq(&self, o: &$t) -> bool {
                *self == o.0
            }
        }
        impl From<$t> for String {
            fn from(c: $t) -> String {
                c.0
            }
        }
    };
}

/// The characters a dossier or unit code may hold (they travel in URLs and file names).
fn code_chars(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
}

/// A dossier's code (mã hồ sơ, domain.md §2: rendered from the receiving unit's template, e.g.
/// `000.00.01.H56-250703-0007`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DossierCode(String);

impl DossierCode {
    /// A code as typed or sent: at most 64 letters, digits, `-`, `.`, `_`.
    pub fn parse(s: &str) -> Result<DossierCode, DomainError> {
        if code_chars(s) {
            Ok(DossierCode(s.to_owned()))
        } else {
            Err(DomainError::not_found(format!("dossier {s} not found"), format!("không tìm thấy hồ sơ {s}")))
        }
    }
}

text_newtype!(DossierCode);

/// The code of an organisational unit (mã đơn vị: a one-stop, an agency, a commune), as in the
/// unit register.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnitCode(String);

impl UnitCode {
    /// A unit code: at most 64 letters, digits, `-`, `.`, `_`.
    pub fn parse(s: &str) -> Result<UnitCode, DomainError> {
        let s = s.trim();
        if code_chars(s) {
            Ok(UnitCode(s.to_owned()))
        } else {
            Err(DomainError::invalid(
                ErrorCode::InvalidUnitCode,
                format!("'{s}' is not a unit code"),
                format!("'{s}' không phải mã đơn vị"),
            ))
        }
    }
}

text_newtype!(UnitCode);

/// A personal identification number (số định danh cá nhân): the 12 digits printed on the căn
/// cước / CCCD card (Law on Identification, 26/2023/QH15) or the 9 digits of an old CMND, still
/// found on older papers; empty when not given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CitizenId(String);

impl CitizenId {
    /// The number as typed, trimmed; empty is "not given".
    pub fn parse(s: &str) -> Result<CitizenId, DomainError> {
        let id = s.trim();
        if id.is_empty() || ((id.len() == 12 || id.len() == 9) && id.bytes().all(|b| b.is_ascii_digit())) {
            Ok(CitizenId(id.to_owned()))
        } else {
            Err(DomainError::invalid(
                ErrorCode::InvalidIdNumber,
                "the ID number must have 12 digits (CCCD) or 9 digits (CMND)",
                "số định danh cá nhân phải gồm 12 chữ số (CCCD) hoặc 9 chữ số (CMND)",
            ))
        }
    }

    /// A number as the applicant sent it, not yet checked: an applicant block arrives this way
    /// (from a form or JSON) and [`crate::dossier::actions::create::validate_applicant`] checks
    /// it when the dossier is decided; build with [`CitizenId::parse`] to check at once.
    pub fn as_received(s: impl Into<String>) -> CitizenId {
        CitizenId(s.into())
    }

    /// Whether a number was given.
    pub fn is_given(&self) -> bool {
        !self.0.is_empty()
    }
}

text_newtype!(CitizenId);

impl From<&str> for CitizenId {
    /// [`CitizenId::as_received`].
    fn from(s: &str) -> CitizenId {
        CitizenId::as_received(s)
    }
}

impl From<String> for CitizenId {
    /// [`CitizenId::as_received`].
    fn from(s: String) -> CitizenId {
        CitizenId::as_received(s)
    }
}

/// A national procedure code such as `1.001193` or a local variant `1.000948.H38`
/// (domain.md §5.4: `N.NNNNNN`, optionally a dotted local suffix).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProcedureCode(String);

impl ProcedureCode {
    /// Validates the shape once; afterwards the type is the proof.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let mut parts = s.split('.');
        let ok = matches!(parts.next(), Some(p) if p.len() == 1 && p.bytes().all(|b| b.is_ascii_digit()))
            && matches!(parts.next(), Some(p) if p.len() == 6 && p.bytes().all(|b| b.is_ascii_digit()))
            && parts.all(|p| !p.is_empty() && p.len() <= 8 && p.bytes().all(|b| b.is_ascii_alphanumeric()));
        if ok && s.len() <= 32 {
            Ok(ProcedureCode(s.to_owned()))
        } else {
            Err(DomainError::invalid(
                ErrorCode::InvalidProcedureCode,
                format!("'{s}' is not a procedure code (expected N.NNNNNN, e.g. 1.001193)"),
                format!("'{s}' không phải mã thủ tục (dạng N.NNNNNN, ví dụ 1.001193)"),
            ))
        }
    }
}

text_newtype!(ProcedureCode);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_codes_read_as_their_text() {
        let c = DossierCode::parse("000.00.01.H56-250703-0007").unwrap();
        assert_eq!(c, "000.00.01.H56-250703-0007");
        assert_eq!(c.len(), 25, "derefs to str");
        assert_eq!(format!("{c}"), "000.00.01.H56-250703-0007");
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"000.00.01.H56-250703-0007\"", "a string on the wire");
        let back: DossierCode = serde_json::from_str("\"X1-250101-0001\"").unwrap();
        assert_eq!(back.as_str(), "X1-250101-0001");
    }

    #[test]
    fn bad_codes_are_refused_with_their_codes() {
        assert_eq!(DossierCode::parse("").unwrap_err().code, ErrorCode::NotFound);
        assert_eq!(DossierCode::parse("a/b").unwrap_err().code, ErrorCode::NotFound);
        assert_eq!(UnitCode::parse("  ").unwrap_err().code, ErrorCode::InvalidUnitCode);
        assert_eq!(UnitCode::parse(" X1 ").unwrap(), "X1");
        assert_eq!(CitizenId::parse("12345").unwrap_err().code, ErrorCode::InvalidIdNumber);
        assert_eq!(CitizenId::parse(" 001234567890 ").unwrap(), "001234567890");
        assert!(!CitizenId::parse("").unwrap().is_given());
    }

    proptest! {
        #[test]
        fn twelve_or_nine_digits_are_an_id_and_nothing_else_is(digits in "[0-9]{1,15}", junk in "[^0-9 \t\n]") {
            let ok = CitizenId::parse(&digits).is_ok();
            prop_assert_eq!(ok, digits.len() == 12 || digits.len() == 9);
            let mut bad = digits.clone();
            bad.insert_str(bad.len() / 2, &junk);
            prop_assert!(CitizenId::parse(&bad).is_err());
        }

        #[test]
        fn a_code_parses_exactly_when_its_characters_are_allowed(s in "\\PC{0,70}") {
            let allowed = !s.is_empty()
                && s.len() <= 64
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
            prop_assert_eq!(DossierCode::parse(&s).is_ok(), allowed);
            if let Ok(c) = DossierCode::parse(&s) {
                prop_assert_eq!(c.as_str(), s.as_str());
            }
        }
    }
}
