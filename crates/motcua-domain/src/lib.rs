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
//! - [`alerts`]: daily alerts — due soon, overdue, idle, escalation, the digest's date.
//! - [`notify`]: citizen notices and the versioned Vietnamese templates (`data/notify`).
//! - [`audit`]: the hash chain over each dossier's events.
//! - [`code`]: dossier codes.
//! - [`text`]: Vietnamese diacritics folding for search.
//! - [`org`]: organisational units (province, centers, agencies, communes, special zones).
//! - [`queue`]: queue tickets (lấy số thứ tự), counters, call order, waiting/service times,
//!   ratings per officer.
//! - [`feedback`]: citizen feedback (phản ánh, kiến nghị): lifecycle, deadlines, redaction, 766 rows 5.2–5.3.
//! - [`office`]: the electronic office — incoming/outgoing document registers (NĐ 30/2020), handling.
//! - [`payment`]: online payment of a dossier's fees — platforms, outcomes, receipts, refunds.
//! - [`record`]: the fold-of-events shape shared by every record with a history.
//! - [`error`]: the domain's refusal type.

pub mod alerts;
pub mod audit;
pub mod calendar;
pub mod catalog;
pub mod code;
pub mod dossier;
pub mod error;
pub mod exchange;
pub mod feedback;
pub mod ids;
pub mod indicators;
pub mod national;
pub mod notify;
pub mod office;
pub mod org;
pub mod payment;
pub mod process;
pub mod queue;
pub mod record;
pub mod role;
pub mod text;

pub use error::{DomainError, ErrorCode, ErrorKind};
