//! Inter-agency exchange over edXML (issue 7 parts 3–5; domain.md §9): where a package goes
//! ([`routing`]) and how a recipient's status codes move the sender's trace ([`trace`]).
//! Pure: the web layer delivers, the store persists.

pub mod routing;
pub mod trace;
