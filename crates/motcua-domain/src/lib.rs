//! Motcua domain: the pure rules of a Vietnamese public administrative service center.
//! No IO, no async, no database: the web layer loads state, asks these functions what happens
//! next, and the store persists the answer.
//!
//! - [`calendar`]: working calendar (lunar calendar, statutory holidays, yearly announcements,
//!   office hours, due-date arithmetic).
//! - [`catalog`]: procedures (thủ tục hành chính) and their validation.
//! - [`process`]: internal processes (quy trình nội bộ) and their budget rule.
//! - [`dossier`]: the dossier lifecycle — state, actions (one file each), events, timeliness.
//! - [`indicators`]: the QĐ 766/QĐ-TTg service-quality indicators (facts, tallies, rates, points).
//! - [`audit`]: the hash chain over each dossier's events.
//! - [`code`]: dossier codes.
//! - [`text`]: Vietnamese diacritics folding for search.
//! - [`org`]: organisational units (province, centers, agencies, communes, special zones).
//! - [`error`]: the domain's refusal type.

pub mod audit;
pub mod calendar;
pub mod catalog;
pub mod code;
pub mod dossier;
pub mod error;
pub mod indicators;
pub mod org;
pub mod process;
pub mod text;

pub use error::{DomainError, ErrorKind};
