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

/// The limits packages that arrive (and packages an officer composes) are read with: QCVN 102
/// packages without Motcua's `ContentHash` are accepted, a present hash is checked; with
/// `MOTCUA_EDXML_STRICT=1` (or `true`) every attachment must carry it. Read once.
pub fn limits() -> &'static motcua_edxml::limits::Limits {
    static LIMITS: std::sync::OnceLock<motcua_edxml::limits::Limits> = std::sync::OnceLock::new();
    LIMITS.get_or_init(|| {
        let strict = std::env::var("MOTCUA_EDXML_STRICT")
            .is_ok_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"));
        if strict { motcua_edxml::limits::Limits::strict() } else { motcua_edxml::limits::Limits::default() }
    })
}
