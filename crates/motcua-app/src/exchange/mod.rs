//! Exchange between agencies over edXML (issue 7 parts 3–5; docs/EXCHANGE.md).
//!
//! - Sending: the package is stored and its deliveries enqueued in the outbox in one transaction
//!   (`motcua_store::edxml::record_outgoing_in`); [`Deliverer`] claims outbox rows of kinds
//!   `edxml` and `edxml-status` (the notification dispatcher only claims `email`/`sms`, so the two
//!   never share a row), routes each by the recipient's organ id
//!   (`motcua_domain::exchange::routing`) and POSTs it to the peer's `/api/v1/edxml/inbox`
//!   ([`crate::http_client`]). 2xx → sent; 408/429/5xx, refused connection, timeout → retried with
//!   exponential backoff ([`ExchangeConfig::backoff_base`]); other 4xx → failed at once with the
//!   peer's reason in the trace.
//! - Receiving: `POST /api/v1/edxml/inbox` (`motcua_web::api::edxml`) registers a package once per unit
//!   and queues the "03 registered" status back; later statuses (04, 05, 06, 02) are queued by
//!   the receiving clerk, and arrive at the sender's trace.

pub mod relay;
pub mod signature;

use motcua_domain::exchange::routing::route;
use motcua_domain::exchange::trace::DeliveryState;
use motcua_domain::office::TraceStatus;
use motcua_edxml::{
    BusinessDocType, Limits, Organ, OrganId, Package, ResponseFor, StatusCode, StatusMessage, TraceHeader,
};
use motcua_store::Store;
use motcua_store::edxml::{DeliveryPayload, KIND_PACKAGE, KIND_STATUS, NewPackage};
use motcua_store::outbox::{MAX_ATTEMPTS, Message, NewMessage};
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::Application;
use crate::error::{AppResult, Error};
use crate::notify::SendError;

/// The inbox path appended to a peer's endpoint.
pub const INBOX_PATH: &str = "/api/v1/edxml/inbox";

/// Rows claimed per round.
const BATCH: i64 = 20;

/// Copies an exchange event to the trace of the outgoing documents whose `external_id` is
/// `document_id`. Failures are logged: the exchange's own trace already holds the event.
pub async fn mirror_trace(
    store: &Store,
    document_id: &str,
    organ: &str,
    status: TraceStatus,
    note: Option<&str>,
    at: OffsetDateTime,
) {
    let docs = match store.documents_by_external_id(document_id).await {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "reading documents for an exchange trace");
            return;
        }
    };
    for d in docs.iter().filter(|d| d.direction == motcua_domain::office::Direction::Outgoing) {
        if let Err(e) = store.add_document_trace(&d.id, organ, status, note, at).await {
            tracing::error!(error = %e, document = %d.id, "exchange trace not copied to the document");
        }
    }
}

/// The trace status of a status message code.
pub fn trace_status(code: &str) -> Option<TraceStatus> {
    motcua_domain::office::EdxmlStatus::parse(code).map(TraceStatus::Edxml)
}

/// Delivery settings.
#[derive(Debug, Clone, Copy)]
pub struct ExchangeConfig {
    /// Wait after the first failed attempt; doubled after each further one, capped at 6 hours.
    pub backoff_base: std::time::Duration,
    /// How often the outbox is polled.
    pub poll: std::time::Duration,
}

impl Default for ExchangeConfig {
    /// One minute, then 2, 4, … (the outbox's own policy); polled every 5 seconds.
    fn default() -> Self {
        ExchangeConfig { backoff_base: std::time::Duration::from_secs(60), poll: std::time::Duration::from_secs(5) }
    }
}

impl ExchangeConfig {
    /// Wait before the attempt after `attempts` failures.
    pub fn backoff(&self, attempts: i64) -> time::Duration {
        let exp = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
        let wait =
            self.backoff_base.saturating_mul(2u32.saturating_pow(exp)).min(std::time::Duration::from_secs(6 * 3600));
        time::Duration::try_from(wait).unwrap_or(time::Duration::HOUR)
    }
}

/// Vietnam local time (edXML timestamps carry no offset; docs/EDXML.md), whole seconds.
pub fn vn_local(now: OffsetDateTime) -> PrimitiveDateTime {
    let t = now.to_offset(UtcOffset::from_hms(7, 0, 0).unwrap_or(UtcOffset::UTC));
    PrimitiveDateTime::new(t.date(), t.time().replace_nanosecond(0).unwrap_or(t.time()))
}

/// The idempotency digest of a package: SHA-256 of its canonical XML without trace headers
/// (each hop appends one, yet it is the same document).
pub fn idem_digest(p: &Package) -> String {
    let mut bare = p.clone();
    bare.header.traces.clear();
    bare.digest_hex()
}

/// The status message `code` about `incoming`, from `local`, queued back to the sender
/// (outbox kind `edxml-status`, key `edxml-status:<package id>:<code>`).
pub fn status_reply(
    package_id: &str,
    incoming: &Package,
    local: &Organ,
    code: StatusCode,
    description: Option<String>,
    now: OffsetDateTime,
) -> Result<NewMessage, motcua_edxml::EdxmlError> {
    let to = incoming.header.from.id.as_str().to_owned();
    let key = format!("edxml-status:{package_id}:{}", code.code());
    status_to(key, to, incoming, local, code, description, now)
}

/// The status message `code` about document `about` (its ResponseFor), from `local`, queued
/// to organ `to` under outbox key `key`: answers go to the document's sender, a recall request
/// (13) from the sender to each recipient.
pub fn status_to(
    key: String,
    to: String,
    about: &Package,
    local: &Organ,
    code: StatusCode,
    description: Option<String>,
    now: OffsetDateTime,
) -> Result<NewMessage, motcua_edxml::EdxmlError> {
    let h = &about.header;
    let msg = StatusMessage {
        response_for: ResponseFor {
            organ_id: h.from.id.clone(),
            code: format!("{}/{}", h.code.number, h.code.notation),
            promulgation_date: h.promulgation.date,
            document_id: h.document_id(),
        },
        from: local.clone(),
        status: code,
        description,
        timestamp: vn_local(now),
        staff: None,
    };
    msg.validate(&motcua_edxml::Limits::default())?;
    Ok(NewMessage {
        kind: KIND_STATUS.to_owned(),
        idempotency_key: key,
        recipient: to,
        payload: msg.to_xml(),
        template: None,
        about: Some(h.document_id()),
        unit: None,
    })
}

/// The row that stores `package` for local `unit` (sent, registered or relayed), with `xml` as
/// it is kept (canonical, or as received when signed).
pub fn package_row(unit: &str, package: &Package, xml: String, dossier: Option<String>) -> NewPackage {
    let h = &package.header;
    NewPackage {
        unit: unit.to_owned(),
        idem: idem_digest(package),
        document_id: h.document_id(),
        from_organ: h.from.id.as_str().to_owned(),
        to_organs: h.to.iter().map(|o| o.id.as_str().to_owned()).collect(),
        subject: h.subject.clone(),
        xml,
        dossier,
        business_type: h.business.as_ref().map_or(0, |b| i64::from(b.doc_type.code())),
        concerns: h
            .business
            .as_ref()
            .filter(|b| b.doc_type != BusinessDocType::New)
            .and_then(|b| b.document_id.clone()),
        signer: None,
        signer_trusted: false,
    }
}

/// The organ a local unit speaks as, if it has an electronic identifier.
pub fn local_organ(unit: &motcua_domain::org::Unit) -> Option<Organ> {
    let id = OrganId::parse(unit.organ_id.as_deref()?).ok()?;
    Some(Organ::new(id, unit.name.clone()))
}

/// Sends `package` from local `unit`: appends this system's trace header, validates, stores it
/// and queues one delivery per recipient, in one transaction. Answers (id, first time).
pub async fn send_package(
    state: &Application,
    unit: &str,
    package: &mut Package,
    dossier: Option<String>,
    t: time::OffsetDateTime,
) -> AppResult<(String, bool)> {
    let new = new_package(state, unit, package, dossier, t)?;
    Ok(state.store.send_package(&new, t).await?)
}

/// Stamps this hop's trace header on `package`, validates it, signs it when the system has a
/// key, and makes the row that queues it
/// for delivery (written by the caller, in the caller's transaction).
pub fn new_package(
    state: &Application,
    unit: &str,
    package: &mut Package,
    dossier: Option<String>,
    t: time::OffsetDateTime,
) -> AppResult<NewPackage> {
    package.header.traces.push(TraceHeader { organ_id: package.header.from.id.clone(), timestamp: vn_local(t) });
    if let Err(e) = package.validate(&Limits::default()) {
        return Err(Error::unprocessable(e.code, format!("{} at {}", e.reason, e.path), e.reason_vi));
    }
    let xml = signature::sign_outgoing(state.signing_key.as_deref(), package.to_xml())
        .map_err(|e| Error::unprocessable(e.code, format!("{} at {}", e.reason, e.path), e.reason_vi))?;
    Ok(package_row(unit, package, xml, dossier))
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

/// Delivers `edxml` and `edxml-status` outbox rows to peers.
pub struct Deliverer {
    store: Store,
    config: ExchangeConfig,
    owner: String,
    clock: std::sync::Arc<dyn crate::clock::Clock>,
}

impl Deliverer {
    pub fn new(store: Store, config: ExchangeConfig) -> Deliverer {
        let owner = format!("edxml-{}-{}", std::process::id(), crate::auth::new_secret());
        Deliverer { store, config, owner, clock: std::sync::Arc::new(crate::clock::SystemClock) }
    }

    /// The same deliverer, reading the time from `clock` (the application's).
    pub fn with_clock(mut self, clock: std::sync::Arc<dyn crate::clock::Clock>) -> Deliverer {
        self.clock = clock;
        self
    }

    /// One round: claims due rows and delivers them.
    pub async fn run_once(&self) -> Result<Round, motcua_store::StoreError> {
        let now = self.clock.now();
        let lease = time::Duration::seconds(i64::try_from(crate::http_client::TIMEOUT.as_secs()).unwrap_or(30) * 4);
        let mut round = Round::default();
        for m in self.store.claim(&self.owner, &[KIND_PACKAGE, KIND_STATUS], now, lease, BATCH).await? {
            let package =
                if m.kind == KIND_PACKAGE { serde_json::from_str::<DeliveryPayload>(&m.payload).ok() } else { None };
            let outcome = self.deliver(&m, package.as_ref()).await;
            let done = self.clock.now();
            match outcome {
                Ok(()) => {
                    if self.store.mark_sent(&m.id, &self.owner, done).await? {
                        if let Some(p) = &package {
                            self.store.trace_delivery(&p.package_id, &p.to, DeliveryState::Sent, None, done).await?;
                            self.mirror(p, TraceStatus::Sent, None).await;
                        }
                        tracing::info!(kind = %m.kind, to = %m.recipient, key = %m.idempotency_key, "edXML delivered");
                        round.sent += 1;
                    }
                }
                Err(e) => {
                    if !self.store.mark_failed(&m.id, &self.owner, &e.message, e.permanent, done).await? {
                        continue;
                    }
                    let gave_up = e.permanent || m.attempts + 1 >= MAX_ATTEMPTS;
                    if gave_up {
                        round.failed += 1;
                        if let Some(p) = &package {
                            let state = DeliveryState::Failed;
                            self.store.trace_delivery(&p.package_id, &p.to, state, Some(&e.message), done).await?;
                            self.mirror(p, TraceStatus::Failed, Some(&e.message)).await;
                        }
                    } else {
                        round.retried += 1;
                        self.store.reschedule_outbox(&m.id, done + self.config.backoff(m.attempts + 1)).await?;
                    }
                    tracing::warn!(kind = %m.kind, to = %m.recipient, key = %m.idempotency_key, error = %e.message, gave_up,
                        "edXML not delivered");
                }
            }
        }
        Ok(round)
    }

    /// Copies a delivery outcome to the office documents sent as this package.
    async fn mirror(&self, p: &DeliveryPayload, status: TraceStatus, note: Option<&str>) {
        match self.store.edxml_package(&p.package_id).await {
            Ok(Some(stored)) => {
                mirror_trace(&self.store, &stored.document_id, &p.to, status, note, self.clock.now()).await
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "reading a delivered package"),
        }
    }

    async fn deliver(&self, m: &Message, package: Option<&DeliveryPayload>) -> Result<(), SendError> {
        let db = |e: motcua_store::StoreError| SendError::retry(format!("database: {e}"));
        let body = match (m.kind.as_str(), package) {
            (KIND_PACKAGE, Some(p)) => match self.store.edxml_package(&p.package_id).await.map_err(db)? {
                Some(stored) => stored.xml,
                None => return Err(SendError::permanent("the package is no longer stored")),
            },
            (KIND_PACKAGE, None) => return Err(SendError::permanent("unreadable delivery payload")),
            _ => m.payload.clone(),
        };
        let peers = self.store.peers().await.map_err(db)?;
        let Some((peer, hop)) = route(&m.recipient, &peers, |p| p.pattern.as_str()) else {
            return Err(SendError::permanent(format!("no peer configured for {} (nor a central '*')", m.recipient)));
        };
        let url = format!("{}{INBOX_PATH}", peer.endpoint.trim_end_matches('/'));
        tracing::debug!(to = %m.recipient, peer = %peer.pattern, ?hop, "routing edXML");
        match crate::http_client::post_xml(&url, &peer.token, body).await {
            Err(e) => Err(SendError::retry(format!("{}: {e}", peer.name))),
            Ok(a) if (200..300).contains(&a.status) => Ok(()),
            Ok(a) if a.status == 408 || a.status == 429 || a.status >= 500 => {
                Err(SendError::retry(format!("{} answered {}", peer.name, a.status)))
            }
            Ok(a) => Err(SendError::permanent(format!("{} refused ({}): {}", peer.name, a.status, refusal(&a.body)))),
        }
    }

    /// Runs rounds forever, every [`ExchangeConfig::poll`].
    pub async fn run(self) {
        let mut tick = tokio::time::interval(self.config.poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = self.run_once().await {
                tracing::error!(error = %e, "edXML delivery round failed");
            }
        }
    }
}

/// The peer's reason from its JSON error (`code`, `path`, `message`), else the raw text.
fn refusal(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(v) => {
            let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_owned();
            let path = field("path");
            let mut s = format!("{}: {}", field("code"), field("message"));
            if !path.is_empty() {
                s.push_str(&format!(" at {path}"));
            }
            s
        }
        Err(_) => body.chars().take(300).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_its_base_and_is_capped() {
        let c = ExchangeConfig { backoff_base: std::time::Duration::from_millis(100), ..ExchangeConfig::default() };
        assert_eq!(c.backoff(1), time::Duration::milliseconds(100));
        assert_eq!(c.backoff(3), time::Duration::milliseconds(400));
        assert_eq!(ExchangeConfig::default().backoff(20), time::Duration::hours(6));
    }

    #[test]
    fn a_peer_refusal_names_the_element_path() {
        let r = refusal(r#"{"code":"missing_element","message":"Subject is missing","path":"edXML/x/Subject"}"#);
        assert_eq!(r, "missing_element: Subject is missing at edXML/x/Subject");
    }
}
