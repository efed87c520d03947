//! The storage story: one suite, run on SQLite and on PostgreSQL in the same `cargo test`
//! (atuin's `tests-database`, but always on both). Every test is an `async fn(Store)` turned into
//! `<sentence>::on_sqlite` and `<sentence>::on_postgres` by [`storage_test!`].
//!
//! - `lifecycle`: migrations, a dossier through its life, projection, events, hash chain.
//! - `concurrency`: optimistic concurrency, group-commit batches with refusals.
//! - `codes`: dossier codes from the per-unit, per-day sequence.
//! - `inbox`: scoping, ordering, filters, keyset pagination.
//! - `console`: an inbox page's projections by code, open work per unit and status, accounts.
//! - `decisions`: publication decisions, effective-dated versions, abolition.
//! - `disclosures`: monthly indicator snapshots, revisions, concurrent publishers.
//! - `queue`: ticket numbers, fair calls, concurrent calls that never share a ticket.
//! - `reference`: catalog, units, users, tokens, holiday announcements.
//! - `documents`: office registers — yearly numbers, concurrent registrations, idempotent packages.
//! - `files`: a file and the action naming it commit together, also across a killed process;
//!   content-addressed bytes, in the database or an object store (a directory).
//! - `s3`: the same object-store checks against an S3-compatible server (moto, started by the test).
//! - `feedback`: citizen feedback codes, history, votes, search, queues, deadlines, counts.
//! - `indicators`: received / online / finished / early / on-time / late counts.
//! - `restructure`: merging units re-homes open dossiers and roles, losing nothing.
//! - `edxml`: packages sent and registered once, traces moving forward only, peers.
//! - `outbox`: idempotent enqueue, leases two dispatchers never share, retries, citizen notices.
//! - `payments`: one payment per click, outcomes recorded once, consecutive receipt numbers,
//!   refunds of a second payment and of a rejected dossier's fees.
//! - `audit`: tamper detection, repair, bulk histories, rebuild == live projection.
//!
//! PostgreSQL: `MOTCUA_TEST_PG` (default `postgres://postgres@127.0.0.1:5432`); when it is not
//! reachable the PostgreSQL half fails, saying so.

mod common;

#[path = "storage/audit.rs"]
mod audit;
#[path = "storage/codes.rs"]
mod codes;
#[path = "storage/concurrency.rs"]
mod concurrency;
#[path = "storage/console.rs"]
mod console;
#[path = "storage/decisions.rs"]
mod decisions;
#[path = "storage/disclosures.rs"]
mod disclosures;
#[path = "storage/documents.rs"]
mod documents;
#[path = "storage/edxml.rs"]
mod edxml;
#[path = "storage/feedback.rs"]
mod feedback;
#[path = "storage/files.rs"]
mod files;
#[path = "storage/inbox.rs"]
mod inbox;
#[path = "storage/indicators.rs"]
mod indicators;
#[path = "storage/lifecycle.rs"]
mod lifecycle;
#[path = "storage/national_sync.rs"]
mod national_sync;
#[path = "storage/outbox.rs"]
mod outbox;
#[path = "storage/payments.rs"]
mod payments;
#[path = "storage/queue.rs"]
mod queue;
#[path = "storage/reference.rs"]
mod reference;
#[path = "storage/restructure.rs"]
mod restructure;
#[path = "storage/s3.rs"]
mod s3;
