//! Motcua's application layer: the use cases the adapters (the JSON API, the pages, the CLI)
//! call, and the background workers. It sits between the adapters and the store:
//! `motcua-web` / `motcua` → `motcua-app` → `motcua-store` → `motcua-domain`
//! (docs/ARCHITECTURE.md). Nothing here knows HTTP: a use case takes parsed input and an
//! [`Application`], and returns a value or an [`error::Error`] that each adapter maps once.
//!
//! - [`state`]: the [`Application`] (store, calendars, clock, signing key).
//! - [`accounts`]: signing in (both fronts) and API tokens.
//! - [`calendar`]: yearly holiday announcements.
//! - [`catalog`]: procedures in force, published one by one, imported, or by publication
//!   decisions; their internal processes.
//! - [`dossiers`]: submit (routing by competence), load with scoping, act through the writer.
//! - [`documents`]: e-office registers: register, draft, issue, send, later commands.
//! - [`exchange`]: the edXML transport: packages out, relaying, signatures, the delivery
//!   worker.
//! - [`edxml`]: the edXML inbox (packages and status messages arriving) and recalls.
//! - [`disclosures`], [`indicators`]: the monthly QĐ 766 disclosure and the indicator groups.
//! - [`feedback`]: citizens' feedback: submit, look up, act, vote.
//! - [`files`]: which uploads are accepted (type by signature, sizes) and the rows they become.
//! - [`queue`]: the counter queue: tickets, counters, board, ratings.
//! - [`report`]: the progress report's figures (`motcua report`, `/quan-tri/bao-cao`).
//! - [`notify`]: the outbox dispatcher (e-mail, SMS), the daily digest, officers' alerts.
//! - [`error`]: the one error type of the use cases.
//! - [`auth`]: passwords, tokens, dossier secrets.
//! - [`clock`]: where "now" comes from.
//! - [`http_client`]: the one outgoing HTTP client.
//! - [`units`]: a unit's settings edited; restructures.
//! - [`workers`]: the background workers, started and stopped with the server.

pub mod accounts;
pub mod auth;
pub mod calendar;
pub mod catalog;
pub mod clock;
pub mod disclosures;
pub mod documents;
pub mod dossiers;
pub mod edxml;
pub mod error;
pub mod exchange;
pub mod feedback;
pub mod files;
pub mod http_client;
pub mod indicators;
pub mod input;
pub mod national;
pub mod notify;
pub mod payments;
pub mod queue;
pub mod report;
pub mod results;
pub mod state;
pub mod units;
pub mod workers;

pub use state::{Application, Calendars};
