//! Procedure snapshots (migration 0012): the process steps and fees that a `create` event freezes
//! onto its dossier (domain.md §2) are the same text for every dossier of one procedure version
//! between one pair of units, and were most of the event log's bytes. They are stored once in
//! `procedure_snapshots`, keyed by the SHA-256 of their text; the create event's row names its
//! snapshot (`dossier_events.snapshot`) and keeps the canonical text without those members.
//!
//! The hash chain still covers the whole logical event: [`canonical_text`] puts the members back
//! byte for byte, and every reader of stored payloads (history, `verify-audit`, the recompute's
//! slow path, the raw floor, the tests) goes through it. A changed snapshot body changes the
//! canonical text of every event that names it, so the chains of those dossiers break. Rows
//! written before 0012 (`snapshot` NULL) carry everything inline and read unchanged.

use std::borrow::Cow;

use motcua_domain::audit::sha256_hex;
use motcua_domain::catalog::Fee;
use motcua_domain::dossier::StepState;
use serde::Deserialize;
use serde_json::{Map, Value};
use sqlx::{Any, Transaction};

use crate::{Result, StoreError};

/// Members of the create event's dossier that move into the snapshot. Both are `#[serde(default)]`
/// on `Dossier`, so a compact payload still parses as an event (with them empty): the recompute
/// parses it directly and takes them from the parsed-once [`Frozen`].
pub const MEMBERS: [&str; 2] = ["fees", "steps"];

/// A create event's canonical text split for storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// What `dossier_events.payload` keeps: the canonical text without [`MEMBERS`].
    pub payload: String,
    /// `procedure_snapshots.hash`: SHA-256 (hex) of `body`.
    pub hash: String,
    /// `procedure_snapshots.body`: the canonical JSON object of the [`MEMBERS`].
    pub body: String,
}

/// The snapshot's members, parsed (the recompute parses each distinct snapshot once).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Frozen {
    /// The dossier's fees as frozen at creation.
    #[serde(default)]
    pub fees: Vec<Fee>,
    /// The dossier's internal-process steps as frozen at creation.
    #[serde(default)]
    pub steps: Vec<StepState>,
}

impl Frozen {
    /// Parses a snapshot body.
    pub fn parse(body: &str) -> Result<Frozen> {
        serde_json::from_str(body).map_err(|e| StoreError::Corrupt(format!("procedure snapshot: {e}")))
    }
}

/// A parse failure of stored text, as the store reports corruption.
fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

/// The create event's dossier object inside a parsed canonical link.
fn dossier_object(v: &mut Value) -> Option<&mut Map<String, Value>> {
    v.get_mut("event")?.get_mut("dossier")?.as_object_mut()
}

/// Splits the canonical text of a `create` event into the stored payload and its snapshot.
/// `None` when the text has none of the [`MEMBERS`] or when putting them back would not give the
/// same bytes (then the event is stored inline, as before 0012): the split is checked here, once,
/// so that no reader can ever see a different canonical text than the one that was hashed.
pub fn split(canonical: &str) -> Result<Option<Split>> {
    let mut v: Value = serde_json::from_str(canonical).map_err(|e| corrupt("canonical event", e))?;
    let Some(dossier) = dossier_object(&mut v) else { return Ok(None) };
    let mut members = Map::new();
    for m in MEMBERS {
        if let Some(value) = dossier.remove(m) {
            members.insert(m.to_owned(), value);
        }
    }
    if members.is_empty() {
        return Ok(None);
    }
    let body = Value::Object(members).to_string();
    let split = Split { payload: v.to_string(), hash: sha256_hex(&[body.as_bytes()]), body };
    let back = canonical_text(&split.payload, Some(&split.hash), Some(&split.body))?;
    Ok((back == canonical).then_some(split))
}

/// The canonical text (as hashed into the chain) of a stored event: `payload` itself when the
/// row names no snapshot, else `payload` with the snapshot's members put back. `snapshot` is
/// the row's `snapshot` column, `body` the named snapshot's body (`None` when it is missing:
/// the row is then corrupt, and the caller decides whether that is an error or a broken chain).
pub fn canonical_text<'a>(payload: &'a str, snapshot: Option<&str>, body: Option<&str>) -> Result<Cow<'a, str>> {
    let Some(hash) = snapshot else { return Ok(Cow::Borrowed(payload)) };
    let body = body.ok_or_else(|| StoreError::Corrupt(format!("procedure snapshot {hash} is missing")))?;
    let mut v: Value = serde_json::from_str(payload).map_err(|e| corrupt("stored event", e))?;
    let Value::Object(members) = serde_json::from_str(body).map_err(|e| corrupt("procedure snapshot", e))? else {
        return Err(StoreError::Corrupt(format!("procedure snapshot {hash} is not an object")));
    };
    let dossier = dossier_object(&mut v)
        .ok_or_else(|| StoreError::Corrupt(format!("event naming snapshot {hash} is not a create event")))?;
    dossier.extend(members);
    Ok(Cow::Owned(v.to_string()))
}

/// Stores a snapshot (inside the writer's transaction); a body already stored is left as is
/// (same hash, same text).
pub(crate) async fn store(tx: &mut Transaction<'static, Any>, split: &Split) -> Result<()> {
    sqlx::query("INSERT INTO procedure_snapshots (hash, body) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING")
        .bind(split.hash.clone())
        .bind(split.body.clone())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// SQL for a stored event with its snapshot body: `FROM dossier_events e` joined to the named
/// snapshot as `s` (readers select `e.payload, e.snapshot, s.body AS snapshot_body`).
pub(crate) const EVENTS_WITH_SNAPSHOT: &str = "dossier_events e LEFT JOIN procedure_snapshots s ON s.hash = e.snapshot";

#[cfg(test)]
mod tests {
    use super::*;

    const CREATE: &str = r#"{"dossier":"X-1","event":{"action":"create","actor":"tiepnhan","at":"2025-01-07T00:55:48Z","dossier":{"applicant":{"name":"Nguyễn Văn Tâm \"Tí\""},"code":"X-1","fee_paid":false,"fees":[{"amount":50000,"name":"Lệ phí"}],"field":"Đất đai","step":0,"steps":[{"budget":14400,"name":"Tiếp nhận","role":"receiver","unit":"H01"}],"version":0}},"seq":1}"#;

    #[test]
    fn a_split_create_event_reads_back_byte_for_byte() {
        let s = split(CREATE).unwrap().expect("has members");
        assert!(!s.payload.contains("\"steps\"") && !s.payload.contains("\"fees\""), "{}", s.payload);
        assert_eq!(s.hash, sha256_hex(&[s.body.as_bytes()]));
        assert_eq!(canonical_text(&s.payload, Some(&s.hash), Some(&s.body)).unwrap(), CREATE);
        let frozen = Frozen::parse(&s.body).unwrap();
        assert_eq!((frozen.fees.len(), frozen.steps.len()), (1, 1));
    }

    #[test]
    fn an_inline_row_is_its_own_canonical_text_and_a_missing_snapshot_is_corrupt() {
        assert!(matches!(canonical_text(CREATE, None, None).unwrap(), Cow::Borrowed(_)));
        let s = split(CREATE).unwrap().unwrap();
        assert!(canonical_text(&s.payload, Some(&s.hash), None).is_err());
    }

    #[test]
    fn events_without_the_members_are_not_split() {
        let receive =
            r#"{"dossier":"X-1","event":{"action":"receive","actor":"a","at":"2025-01-07T00:55:48Z"},"seq":2}"#;
        assert_eq!(split(receive).unwrap(), None);
    }
}
