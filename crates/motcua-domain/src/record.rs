//! Records with a history other than dossiers — feedback, office documents, and every record
//! added later — share one shape: the state is the fold of the record's events, and the events
//! are chained by hash exactly like a dossier's ([`crate::audit`]).
//!
//! A decision (the domain's `decide` functions) computes everything that needs the calendar or
//! the clock (deadlines, instants) and writes it into the event; [`Record::fold`] only reads
//! the event, so replaying a history gives the same state on any day, with any calendar.

use crate::ErrorCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use crate::DomainError;

/// A record whose state is the fold of its events.
pub trait Record: Clone + Serialize + DeserializeOwned + Send + Sync + 'static {
    /// Stable name of the kind (the `kind` of its events in the log).
    const KIND: &'static str;
    /// One entry of the history.
    type Event: Clone + Serialize + DeserializeOwned + Send + Sync + 'static;

    /// The record's id (code) in its kind.
    fn id(&self) -> &str;
    /// Number of events folded so far (the optimistic version).
    fn version(&self) -> i64;
    /// Folds one event; `None` before the first. Pure: no clock, no calendar, no database.
    fn fold(state: Option<Self>, event: &Self::Event) -> Result<Self, DomainError>;
    /// When the event happened.
    fn event_at(event: &Self::Event) -> OffsetDateTime;
    /// Who did it (a username, `citizen` or `system`).
    fn event_actor(event: &Self::Event) -> &str;
    /// The event's kind name (stable snake_case).
    fn event_action(event: &Self::Event) -> &'static str;
    /// The state as the fold of the events gives it, for comparing with a stored projection:
    /// parts kept outside the history (e.g. feedback votes) are reset. Default: the state itself.
    fn audited(&self) -> Self {
        self.clone()
    }
}

/// Canonical text of a record's event, as hashed and stored:
/// `{"event": {...}, "kind": kind, "record": id, "seq": n}` (compact JSON, keys sorted).
pub fn canonical<R: Record>(id: &str, seq: i64, event: &R::Event) -> Result<String, serde_json::Error> {
    let v = serde_json::json!({ "kind": R::KIND, "record": id, "seq": seq, "event": serde_json::to_value(event)? });
    serde_json::to_string(&v)
}

/// The event inside a stored canonical text.
pub fn parse_canonical<R: Record>(text: &str) -> Result<R::Event, serde_json::Error> {
    let mut v: serde_json::Value = serde_json::from_str(text)?;
    serde_json::from_value(v.get_mut("event").map(serde_json::Value::take).unwrap_or_default())
}

/// Folds a whole history from the start.
pub fn replay<'e, R: Record>(events: impl IntoIterator<Item = &'e R::Event>) -> Result<Option<R>, DomainError> {
    let mut state = None;
    for e in events {
        state = Some(R::fold(state, e)?);
    }
    Ok(state)
}

/// The error of an event that does not fit the state it is folded into (a corrupt history).
pub fn unfit(kind: &str, what: &str) -> DomainError {
    DomainError::invalid(
        ErrorCode::HistoryUnfit,
        format!("{kind}: {what}"),
        format!("{kind}: lịch sử không khớp trạng thái ({what})"),
    )
}
