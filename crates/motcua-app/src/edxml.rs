//! The edXML inbox and the answers to what arrives in it (docs/EXCHANGE.md), above the
//! transport ([`crate::exchange`]) and the registers ([`crate::documents`]):
//!
//! - [`inbox`]: who is calling, then a package registered, relayed or refused, or a status
//!   message applied;
//! - [`outbox`]: a clerk's package sent, statuses recorded on incoming packages;
//! - [`liaison`]: liên thông: a dossier's consulted step sent to another agency, its answer;
//! - [`recall`]: a sender's recall request answered, and the register's document cancelled.

pub mod inbox;
pub mod liaison;
pub mod outbox;
pub mod recall;
