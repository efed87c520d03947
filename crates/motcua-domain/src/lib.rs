//! Motcua domain: the pure rules. No IO, no async, no database.
//!
//! - [`calendar`]: working calendar (lunar calendar, holidays, office hours, due dates).

pub mod calendar;
