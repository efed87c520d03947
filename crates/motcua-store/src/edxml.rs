//! edXML exchange storage (issue 7 parts 3–5, migration 0010, docs/EXCHANGE.md): peers and
//! their credentials, packages sent and registered, and each package's trace.
//!
//! - Sending: [`record_outgoing_in`] stores the package, its "queued" trace and one outbox row
//!   (kind `edxml`) per recipient in the caller's transaction, so a document is never recorded
//!   as sent without its delivery, nor delivered without being recorded.
//! - Receiving: [`Store::register_incoming`] is idempotent on (unit, package digest without trace
//!   headers): a repeat answers the registered package and enqueues nothing new.
//! - Status messages move the sender's state with `motcua_domain::exchange::trace` (never back).

use motcua_domain::exchange::trace::DeliveryState;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use time::OffsetDateTime;

use crate::outbox::{NewMessage, enqueue_in};
use crate::{Result, Store, StoreError, format_ts};

mod recall;
mod relay;

pub use recall::{ACCEPTED, REFUSED, REQUESTED};

/// Outbox kind of a package delivery.
pub const KIND_PACKAGE: &str = "edxml";
/// Outbox kind of a status message delivery.
pub const KIND_STATUS: &str = "edxml-status";

/// A configured peer: packages for organ ids matching `pattern` go to `endpoint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// Exact organ id, an ancestor id (`H08`), or `*` (central).
    pub pattern: String,
    pub name: String,
    /// Base URL of the peer (`https://motcua.tinh.gov.vn`); the inbox path is appended.
    pub endpoint: String,
    /// The bearer credential presented to the peer.
    pub token: String,
}

/// A package sent or registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPackage {
    pub id: String,
    /// `out` or `in`.
    pub direction: String,
    /// Local unit: the sender (out) or the receiver (in).
    pub unit: String,
    pub idem: String,
    pub document_id: String,
    pub from_organ: String,
    /// Recipients' organ ids, comma-separated.
    pub to_organs: String,
    pub subject: String,
    pub xml: String,
    /// A [`DeliveryState`] name.
    pub state: String,
    /// Linked dossier (liên thông), if any.
    pub dossier: Option<String>,
    pub created_at: String,
    /// `BussinessDocType`: 0 new, 1 revoke, 2 update, 3 replace.
    pub business_type: i64,
    /// For business types 1–3: the DocumentId of the earlier document concerned.
    pub concerns: Option<String>,
    /// The open recall/update question and its answer: `requested`, `accepted`, `refused`.
    pub recall: Option<String>,
    /// A signed incoming package's verified signer: "<sha256 fingerprint> <subject>".
    pub signer: Option<String>,
    /// Whether that signer's certificate was trusted when the package arrived.
    pub signer_trusted: bool,
}

/// One trace row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceRow {
    pub at: String,
    /// `queued`, `sent`, `failed`, `registered`, or a status message `status:NN`.
    pub event: String,
    pub organ_id: Option<String>,
    pub description: Option<String>,
}

const COLUMNS: &str = "id, direction, unit, idem, document_id, from_organ, to_organs, subject, xml, state, dossier, \
                       created_at, business_type, concerns, recall, signer, signer_trusted";

fn package(r: &AnyRow) -> Result<StoredPackage> {
    Ok(StoredPackage {
        id: r.try_get("id")?,
        direction: r.try_get("direction")?,
        unit: r.try_get("unit")?,
        idem: r.try_get("idem")?,
        document_id: r.try_get("document_id")?,
        from_organ: r.try_get("from_organ")?,
        to_organs: r.try_get("to_organs")?,
        subject: r.try_get("subject")?,
        xml: r.try_get("xml")?,
        state: r.try_get("state")?,
        dossier: r.try_get("dossier")?,
        created_at: r.try_get("created_at")?,
        business_type: r.try_get("business_type")?,
        concerns: r.try_get("concerns")?,
        recall: r.try_get("recall")?,
        signer: r.try_get("signer")?,
        signer_trusted: r.try_get::<i64, _>("signer_trusted")? != 0,
    })
}

/// A package to store (sent or received).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewPackage {
    pub unit: String,
    pub idem: String,
    pub document_id: String,
    pub from_organ: String,
    pub to_organs: Vec<String>,
    pub subject: String,
    pub xml: String,
    pub dossier: Option<String>,
    /// `BussinessDocType` (0 new, 1 revoke, 2 update, 3 replace).
    pub business_type: i64,
    /// For business types 1–3: the DocumentId of the earlier document concerned.
    pub concerns: Option<String>,
    /// A signed package's verified signer ("<fingerprint> <subject>").
    pub signer: Option<String>,
    /// Whether the signer's certificate is trusted.
    pub signer_trusted: bool,
}

/// The outbox payload of a package delivery: which stored package to which recipient.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeliveryPayload {
    pub package_id: String,
    pub to: String,
}

async fn insert_package(
    tx: &mut Transaction<'static, Any>,
    direction: &str,
    p: &NewPackage,
    state: DeliveryState,
    now: OffsetDateTime,
) -> Result<(String, bool)> {
    let id = uuid::Uuid::now_v7().to_string();
    // An update or a replacement waits for the receiver's 15/16 (recall.rs).
    let recall = matches!(p.business_type, 2 | 3).then(|| REQUESTED.to_owned());
    let res = sqlx::query(
        "INSERT INTO edxml_packages (id, direction, unit, idem, document_id, from_organ, to_organs, subject, xml, state, \
         dossier, created_at, business_type, concerns, recall, signer, signer_trusted) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
         ON CONFLICT (direction, unit, idem) DO NOTHING",
    )
    .bind(id.clone())
    .bind(direction.to_owned())
    .bind(p.unit.clone())
    .bind(p.idem.clone())
    .bind(p.document_id.clone())
    .bind(p.from_organ.clone())
    .bind(p.to_organs.join(","))
    .bind(p.subject.clone())
    .bind(p.xml.clone())
    .bind(state.as_str())
    .bind(p.dossier.clone())
    .bind(format_ts(now))
    .bind(p.business_type)
    .bind(p.concerns.clone())
    .bind(recall)
    .bind(p.signer.clone())
    .bind(i64::from(p.signer_trusted))
    .execute(&mut **tx)
    .await?;
    if res.rows_affected() == 1 {
        return Ok((id, true));
    }
    let existing: String =
        sqlx::query_scalar("SELECT id FROM edxml_packages WHERE direction = $1 AND unit = $2 AND idem = $3")
            .bind(direction.to_owned())
            .bind(p.unit.clone())
            .bind(p.idem.clone())
            .fetch_one(&mut **tx)
            .await?;
    Ok((existing, false))
}

/// [`Store::register_incoming`] in `tx`.
pub(crate) async fn register_incoming_in(
    tx: &mut Transaction<'static, Any>,
    p: &NewPackage,
    replies: &[NewMessage],
    now: OffsetDateTime,
) -> Result<(String, bool)> {
    let (id, fresh) = insert_package(tx, "in", p, DeliveryState::Registered, now).await?;
    if fresh {
        trace_in(tx, &id, "registered", Some(&p.from_organ), None, None, None, now).await?;
        recall::concerning_received_in(tx, &id, p, now).await?;
        for m in replies {
            enqueue_in(tx, m, now).await?;
        }
    }
    Ok((id, fresh))
}

/// Appends a trace row (dropped when `dedup` was seen) and advances the package's state.
#[allow(clippy::too_many_arguments)]
/// Answers false for a duplicate.
pub async fn trace_in(
    tx: &mut Transaction<'static, Any>,
    package_id: &str,
    event: &str,
    organ_id: Option<&str>,
    description: Option<&str>,
    dedup: Option<&str>,
    state: Option<DeliveryState>,
    now: OffsetDateTime,
) -> Result<bool> {
    let res = sqlx::query(
        "INSERT INTO edxml_traces (id, package_id, at, event, organ_id, description, dedup) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedup) DO NOTHING",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(package_id.to_owned())
    .bind(format_ts(now))
    .bind(event.to_owned())
    .bind(organ_id.map(str::to_owned))
    .bind(description.map(|d| d.chars().take(2000).collect::<String>()))
    .bind(dedup.map(str::to_owned))
    .execute(&mut **tx)
    .await?;
    if res.rows_affected() == 0 {
        return Ok(false);
    }
    if let Some(next) = state {
        let current: Option<String> = sqlx::query_scalar("SELECT state FROM edxml_packages WHERE id = $1")
            .bind(package_id.to_owned())
            .fetch_optional(&mut **tx)
            .await?;
        let current = current.ok_or(StoreError::NotFound)?;
        let current = DeliveryState::parse(&current)
            .ok_or_else(|| StoreError::Corrupt(format!("package {package_id} has state '{current}'")))?;
        let advanced = current.advance(next);
        if advanced != current {
            sqlx::query("UPDATE edxml_packages SET state = $1 WHERE id = $2")
                .bind(advanced.as_str())
                .bind(package_id.to_owned())
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(true)
}

/// Records an outgoing package in the caller's transaction: the row, a `queued` trace and one
/// outbox row per recipient (key `edxml:<package id>:<organ id>`). Sending the same package
/// again from the same unit changes nothing and answers the first id.
pub async fn record_outgoing_in(
    tx: &mut Transaction<'static, Any>,
    p: &NewPackage,
    now: OffsetDateTime,
) -> Result<(String, bool)> {
    let (id, fresh) = insert_package(tx, "out", p, DeliveryState::Queued, now).await?;
    if !fresh {
        return Ok((id, false));
    }
    recall::concerning_sent_in(tx, p, now).await?;
    let about = p.dossier.clone().unwrap_or_else(|| p.document_id.clone());
    queue_deliveries_in(tx, &id, &p.unit, &about, &p.to_organs, now).await?;
    Ok((id, true))
}

/// The writer's hook (same transaction as the dossier events): a `sent_to_agency` event releases
/// its draft package to the outbox, so the step is recorded as sent exactly when its delivery is
/// queued.
pub(crate) async fn dossier_events_in(
    tx: &mut Transaction<'static, Any>,
    events: &[motcua_domain::dossier::event::Event],
) -> Result<()> {
    use motcua_domain::dossier::event::EventData;
    for e in events {
        let EventData::SentToAgency(s) = &e.data else { continue };
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM edxml_packages WHERE id = $1 AND direction = 'out'"
        )))
        .bind(s.package_id.clone())
        .fetch_optional(&mut **tx)
        .await?;
        let Some(row) = row else {
            return Err(StoreError::Corrupt(format!("liên thông package {} is not stored", s.package_id)));
        };
        let p = package(&row)?;
        if p.state != DeliveryState::Draft.as_str() {
            continue;
        }
        sqlx::query("UPDATE edxml_packages SET state = $1 WHERE id = $2")
            .bind(DeliveryState::Queued.as_str())
            .bind(p.id.clone())
            .execute(&mut **tx)
            .await?;
        queue_deliveries_in(
            tx,
            &p.id,
            &p.unit,
            p.dossier.as_deref().unwrap_or(&p.document_id),
            std::slice::from_ref(&s.organ_id),
            e.at,
        )
        .await?;
    }
    Ok(())
}

async fn queue_deliveries_in(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    unit: &str,
    about: &str,
    to_organs: &[String],
    now: OffsetDateTime,
) -> Result<()> {
    for to in to_organs {
        let payload = DeliveryPayload { package_id: id.to_owned(), to: to.clone() };
        let m = NewMessage {
            kind: KIND_PACKAGE.to_owned(),
            idempotency_key: format!("edxml:{id}:{to}"),
            recipient: to.clone(),
            payload: serde_json::to_string(&payload).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            template: None,
            about: Some(about.to_owned()),
            unit: Some(unit.to_owned()),
        };
        if enqueue_in(tx, &m, now).await? {
            trace_in(tx, id, "queued", Some(to), None, None, None, now).await?;
        }
    }
    Ok(())
}

impl Store {
    /// Stores a package to send later, when its dossier event is written (liên thông): nothing
    /// is queued yet. Idempotent like [`record_outgoing_in`].
    pub async fn store_draft(&self, p: &NewPackage, now: OffsetDateTime) -> Result<(String, bool)> {
        let mut tx = crate::begin_write(&self.pool).await?;
        let out = insert_package(&mut tx, "out", p, DeliveryState::Draft, now).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Outgoing packages with DocumentId `document_id`.
    pub async fn sent_with_document_id(&self, document_id: &str) -> Result<Vec<StoredPackage>> {
        self.packages_with_document_id(document_id, "out").await
    }

    /// Packages of `direction` (`in`, `out`, `relay`) with DocumentId `document_id`.
    pub async fn packages_with_document_id(&self, document_id: &str, direction: &str) -> Result<Vec<StoredPackage>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM edxml_packages WHERE document_id = $1 AND direction = $2 ORDER BY id"
        )))
        .bind(document_id.to_owned())
        .bind(direction.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(package).collect()
    }

    /// Adds or replaces a peer.
    pub async fn put_peer(&self, p: &Peer, now: OffsetDateTime) -> Result<()> {
        let mut tx = crate::begin_write(&self.pool).await?;
        sqlx::query("DELETE FROM edxml_peers WHERE pattern = $1").bind(p.pattern.clone()).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO edxml_peers (pattern, name, endpoint, token, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(p.pattern.clone())
            .bind(p.name.clone())
            .bind(p.endpoint.clone())
            .bind(p.token.clone())
            .bind(format_ts(now))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every peer, by pattern.
    pub async fn peers(&self) -> Result<Vec<Peer>> {
        let rows: Vec<(String, String, String, String)> =
            sqlx::query_as("SELECT pattern, name, endpoint, token FROM edxml_peers ORDER BY pattern")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(pattern, name, endpoint, token)| Peer { pattern, name, endpoint, token }).collect())
    }

    /// Accepts a peer credential (its SHA-256, see motcua_web::auth::token_hash) named `name`.
    pub async fn add_peer_token(&self, token_hash: &str, name: &str, now: OffsetDateTime) -> Result<()> {
        sqlx::query(
            "INSERT INTO edxml_peer_tokens (token_hash, name, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (token_hash) DO NOTHING",
        )
        .bind(token_hash.to_owned())
        .bind(name.to_owned())
        .bind(format_ts(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The peer holding a credential, by its hash.
    pub async fn peer_by_token(&self, token_hash: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT name FROM edxml_peer_tokens WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Records an outgoing package and its deliveries in one transaction (see
    /// [`record_outgoing_in`]).
    pub async fn send_package(&self, p: &NewPackage, now: OffsetDateTime) -> Result<(String, bool)> {
        let mut tx = crate::begin_write(&self.pool).await?;
        let out = record_outgoing_in(&mut tx, p, now).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Registers an incoming package for `p.unit`, once: a repeat (same unit, same digest)
    /// answers the registered id and `false`. On first registration `replies` (e.g. the "03
    /// registered" status message back to the sender) are enqueued in the same transaction.
    /// With its entry in the incoming register: [`Store::receive_package`].
    pub async fn register_incoming(
        &self,
        p: &NewPackage,
        replies: &[NewMessage],
        now: OffsetDateTime,
    ) -> Result<(String, bool)> {
        let (p, replies) = (p.clone(), replies.to_vec());
        self.writer.transact(move |tx| Box::pin(async move { register_incoming_in(tx, &p, &replies, now).await })).await
    }

    /// Records a local status change of an incoming package and enqueues its status message
    /// back (`reply`, keyed so that the same status is sent once).
    pub async fn record_incoming_status(
        &self,
        package_id: &str,
        state: DeliveryState,
        description: Option<&str>,
        reply: &NewMessage,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut tx = crate::begin_write(&self.pool).await?;
        let fresh = trace_in(
            &mut tx,
            package_id,
            state.as_str(),
            None,
            description,
            Some(&reply.idempotency_key),
            Some(state),
            now,
        )
        .await?;
        if fresh {
            enqueue_in(&mut tx, reply, now).await?;
        }
        tx.commit().await?;
        Ok(fresh)
    }

    /// Applies a status message received for a package this instance sent (matched by its
    /// DocumentId); answers how many packages matched (0: unknown document) and how many
    /// traces were new. A status delivered twice (`dedup` = its digest) is recorded once.
    pub async fn apply_status(
        &self,
        document_id: &str,
        code: &str,
        from_organ: &str,
        description: Option<&str>,
        dedup: &str,
        now: OffsetDateTime,
    ) -> Result<(usize, usize)> {
        let mut tx = crate::begin_write(&self.pool).await?;
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM edxml_packages WHERE document_id = $1 AND direction = 'out' ORDER BY id",
        )
        .bind(document_id.to_owned())
        .fetch_all(&mut *tx)
        .await?;
        let mut fresh = 0;
        for id in &ids {
            fresh += usize::from(
                trace_in(
                    &mut tx,
                    id,
                    &format!("status:{code}"),
                    Some(from_organ),
                    description,
                    Some(&format!("{dedup}:{id}")),
                    DeliveryState::from_status_code(code),
                    now,
                )
                .await?,
            );
            recall::answer_arrived_in(&mut tx, id, code).await?;
        }
        tx.commit().await?;
        Ok((ids.len(), fresh))
    }

    /// Records a delivery outcome (`sent` or `failed`) of a package to `to`.
    pub async fn trace_delivery(
        &self,
        package_id: &str,
        to: &str,
        state: DeliveryState,
        description: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<()> {
        let mut tx = crate::begin_write(&self.pool).await?;
        trace_in(&mut tx, package_id, state.as_str(), Some(to), description, None, Some(state), now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a pending outbox row's next attempt (the exchange's own backoff policy).
    pub async fn reschedule_outbox(&self, id: &str, at: OffsetDateTime) -> Result<()> {
        sqlx::query("UPDATE outbox SET next_attempt_at = $1 WHERE id = $2 AND status = 'pending'")
            .bind(format_ts(at))
            .bind(id.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A package by id.
    pub async fn edxml_package(&self, id: &str) -> Result<Option<StoredPackage>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM edxml_packages WHERE id = $1")))
            .bind(id.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(package).transpose()
    }

    /// Packages of `direction` (`in`/`out`) of `units`, newest first; `q` filters on the
    /// subject or DocumentId (substring, case-sensitive).
    pub async fn edxml_packages(
        &self,
        direction: &str,
        units: &[String],
        q: Option<&str>,
    ) -> Result<Vec<StoredPackage>> {
        let mut out = Vec::new();
        for unit in units {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM edxml_packages WHERE direction = $1 AND unit = $2 ORDER BY created_at DESC, id DESC"
            )))
            .bind(direction.to_owned())
            .bind(unit.clone())
            .fetch_all(&self.pool)
            .await?;
            for r in &rows {
                let p = package(r)?;
                if q.is_none_or(|q| p.subject.contains(q) || p.document_id.contains(q)) {
                    out.push(p);
                }
            }
        }
        Ok(out)
    }

    /// A package's trace, oldest first.
    pub async fn edxml_trace(&self, package_id: &str) -> Result<Vec<TraceRow>> {
        let rows: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT at, event, organ_id, description FROM edxml_traces WHERE package_id = $1 ORDER BY at, id",
        )
        .bind(package_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(at, event, organ_id, description)| TraceRow { at, event, organ_id, description })
            .collect())
    }
}
