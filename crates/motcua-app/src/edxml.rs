//! The edXML inbox and the answers to what arrives in it (docs/EXCHANGE.md), above the
//! transport ([`crate::exchange`]) and the registers ([`crate::documents`]):
//!
//! - [`inbox`]: who is calling, then a package registered, relayed or refused, or a status
//!   message applied;
//! - [`recall`]: a sender's recall request answered, and the register's document cancelled.

pub mod inbox;
pub mod recall;
