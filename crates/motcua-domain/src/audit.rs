//! The tamper-evident event chain: `hash = SHA-256(prev_hash || canonical event)` per dossier
//! (DESIGN.md "Dossier = event log + projection"). Canonical = compact JSON of the event with
//! object keys in sorted order (serde_json's default map is ordered), so any store can re-walk it.

use sha2::{Digest, Sha256};

use crate::dossier::event::Event;

/// The `prev_hash` of a dossier's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Canonical text of an event, as hashed and stored: `{"dossier": code, "event": {...}, "seq": n}`.
pub fn canonical(dossier_code: &str, seq: i64, event: &Event) -> Result<String, serde_json::Error> {
    let v = serde_json::json!({ "dossier": dossier_code, "seq": seq, "event": serde_json::to_value(event)? });
    serde_json::to_string(&v)
}

/// The event inside a stored canonical text.
pub fn parse_canonical(text: &str) -> Result<Event, serde_json::Error> {
    #[derive(serde::Deserialize)]
    struct Link {
        event: Event,
    }
    serde_json::from_str::<Link>(text).map(|l| l.event)
}

/// Hash of one link of the chain, lower-case hex.
pub fn link_hash(prev_hash: &str, canonical: &str) -> String {
    sha256_hex(&[prev_hash.as_bytes(), canonical.as_bytes()])
}

/// SHA-256 of the concatenated parts, lower-case hex (also used for secrets and tokens at rest).
pub fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A stored link of the chain, as read back for verification.
pub struct StoredLink<'a> {
    pub seq: i64,
    pub canonical: &'a str,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

/// Re-walks a dossier's chain; returns the first broken sequence number, if any.
pub fn verify_chain<'a>(links: impl IntoIterator<Item = StoredLink<'a>>) -> Result<(), i64> {
    let mut prev = GENESIS.to_owned();
    for (expected_seq, l) in (1..).zip(links) {
        if l.seq != expected_seq || l.prev_hash != prev || link_hash(&prev, l.canonical) != l.hash {
            return Err(l.seq);
        }
        prev = l.hash.to_owned();
    }
    Ok(())
}
