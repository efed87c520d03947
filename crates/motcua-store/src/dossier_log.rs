//! The dossier event log inside a transaction: a decision's events folded onto the projection,
//! hash-chained onto the dossier's last link and written with the projection row. The writer
//! ([`crate::writer`]) runs these inside its batches; a restructure re-homes dossiers with them.

use motcua_domain::audit::{GENESIS, canonical, link_hash};
use motcua_domain::dossier::Dossier;
use motcua_domain::dossier::event::{Event, EventData, apply};
use motcua_domain::dossier::timeliness::classify;
use motcua_domain::indicators::YearMonth;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, Row, Transaction};

use crate::indicators::follow;
use crate::snapshots;

use crate::{Result, StoreError, format_ts};

/// Decides the events of an action from the current projection (pure; runs inside the batch).
pub type Decide = Box<dyn FnOnce(&Dossier) -> std::result::Result<Vec<Event>, motcua_domain::DomainError> + Send>;

pub(crate) async fn act(
    tx: &mut Transaction<'static, Any>,
    code: &str,
    expected: Option<i64>,
    decide: Decide,
    open: YearMonth,
) -> Result<Dossier> {
    let row = sqlx::query("SELECT state, version, last_hash FROM dossiers WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = row else { return Err(StoreError::NotFound) };
    let version: i64 = row.try_get("version")?;
    if expected.is_some_and(|v| v != version) {
        return Err(StoreError::Conflict { current: version });
    }
    let state: String = row.try_get("state")?;
    let last_hash: String = row.try_get("last_hash")?;
    let dossier: Dossier =
        serde_json::from_str(&state).map_err(|e| StoreError::Corrupt(format!("dossier {code}: {e}")))?;
    let events = crate::records::guarded("dossier decision", || decide(&dossier))??;
    let before = dossier.clone();
    let chain = fold(code, Some(dossier), &last_hash, &events)?;
    // The guarded UPDATE comes first: a version that moved meanwhile (another instance on the same
    // PostgreSQL) writes nothing at all, not even the events.
    let sql = "UPDATE dossiers SET resolving_unit = $1, holder_unit = $2, status = $3, received_at = $4, due_at = $5, \
               due_sort = $6, finished_at = $7, timeliness = $8, version = $9, last_hash = $10, state = $11, \
               step_due = $12, receiving_unit = $13 WHERE code = $14 AND version = $15";
    let res = bind_projection(sqlx::query(sql), &chain)?
        .bind(chain.dossier.receiving_unit.to_string())
        .bind(code)
        .bind(version)
        .execute(&mut **tx)
        .await?;
    if res.rows_affected() != 1 {
        return Err(StoreError::Conflict { current: version });
    }
    insert_links(tx, code, &chain.links).await?;
    follow(tx, Some(&before), &chain.dossier, open).await?;
    crate::outbox::notify_citizen_in(tx, &chain.dossier, version + 1, &events).await?;
    crate::edxml::dossier_events_in(tx, &events).await?;
    if let Some(last) = events.last() {
        crate::national_sync::want_in(code, chain.dossier.version, last.at);
    }
    Ok(chain.dossier)
}

pub(crate) async fn insert_history(
    tx: &mut Transaction<'static, Any>,
    secret_hash: &str,
    events: &[Event],
    open: YearMonth,
) -> Result<Dossier> {
    let code = match events.first().map(|e| &e.data) {
        Some(motcua_domain::dossier::event::EventData::Create(c)) => c.dossier.code.clone(),
        _ => return Err(StoreError::Corrupt("a dossier history must start with a create event".into())),
    };
    let chain = fold(&code, None, GENESIS, events)?;
    let d = &chain.dossier;
    let sql = "INSERT INTO dossiers (resolving_unit, holder_unit, status, received_at, due_at, due_sort, finished_at, \
               timeliness, version, last_hash, state, step_due, code, secret_hash, procedure_code, procedure_version, \
               receiving_unit, channel, submitted_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)";
    bind_projection(sqlx::query(sql), &chain)?
        .bind(code.to_string())
        .bind(secret_hash.to_owned())
        .bind(d.procedure_code.to_string())
        .bind(d.procedure_version)
        .bind(d.receiving_unit.to_string())
        .bind(d.channel.as_str())
        .bind(format_ts(d.submitted_at))
        .execute(&mut **tx)
        .await?;
    insert_links(tx, &code, &chain.links).await?;
    follow(tx, None, &chain.dossier, open).await?;
    Ok(chain.dossier)
}

/// Events folded into the projection and hashed into links before anything is written: an
/// event that cannot apply refuses the whole request and leaves nothing in the (still
/// committing) batch transaction.
pub(crate) struct Chain<'e> {
    dossier: Dossier,
    links: Vec<Link<'e>>,
    last_hash: String,
}

/// One event ready to insert.
pub(crate) struct Link<'e> {
    seq: i64,
    event: &'e Event,
    canonical: String,
    prev_hash: String,
    hash: String,
}

pub(crate) fn fold<'e>(code: &str, mut d: Option<Dossier>, last_hash: &str, events: &'e [Event]) -> Result<Chain<'e>> {
    let mut prev = last_hash.to_owned();
    let mut links = Vec::with_capacity(events.len());
    for event in events {
        let seq = d.as_ref().map(|d| d.version).unwrap_or(0) + 1;
        let canonical = canonical(code, seq, event).map_err(|err| StoreError::Corrupt(err.to_string()))?;
        let hash = link_hash(&prev, &canonical);
        d = Some(apply(d, event).map_err(|err| StoreError::Corrupt(err.to_string()))?);
        links.push(Link { seq, event, canonical, prev_hash: std::mem::replace(&mut prev, hash.clone()), hash });
    }
    let dossier = d.ok_or_else(|| StoreError::Corrupt("no events to write".into()))?;
    Ok(Chain { dossier, links, last_hash: prev })
}

/// Binds the projection columns shared by the INSERT and the UPDATE, as `$1..$12` in the order
/// resolving_unit, holder_unit, status, received_at, due_at, due_sort, finished_at, timeliness,
/// version, last_hash, state, step_due (earliest deadline of the running steps, domain.md §6).
pub(crate) fn bind_projection<'q>(q: Query<'q, Any, AnyArguments>, c: &Chain) -> Result<Query<'q, Any, AnyArguments>> {
    let d = &c.dossier;
    Ok(q.bind(d.resolving_unit.to_string())
        .bind(d.holder_unit().unwrap_or("").to_owned())
        .bind(d.status.as_str())
        .bind(d.received_at.map(format_ts))
        .bind(d.due_at.map(format_ts))
        .bind(due_sort(d))
        .bind(d.finished_at.map(format_ts))
        .bind(timeliness(d))
        .bind(d.version)
        .bind(c.last_hash.clone())
        .bind(state_json(d)?)
        .bind(d.next_step_deadline().map(format_ts)))
}

/// Appends the links to the event log. A create event's frozen procedure parts go to
/// `procedure_snapshots` (once per distinct text) and its row names them ([`crate::snapshots`]);
/// the hash is always that of the full canonical text.
pub(crate) async fn insert_links(tx: &mut Transaction<'static, Any>, code: &str, links: &[Link<'_>]) -> Result<()> {
    for l in links {
        let split = match l.event.data {
            EventData::Create(_) => snapshots::split(&l.canonical)?,
            _ => None,
        };
        if let Some(s) = &split {
            snapshots::store(tx, s).await?;
        }
        let (payload, snapshot) = match split {
            Some(s) => (s.payload, Some(s.hash)),
            None => (l.canonical.clone(), None),
        };
        sqlx::query(
            "INSERT INTO dossier_events (dossier_code, seq, occurred_at, actor, action, payload, prev_hash, hash, \
             snapshot) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(code.to_owned())
        .bind(l.seq)
        .bind(format_ts(l.event.at))
        .bind(l.event.actor.clone())
        .bind(l.event.data.action())
        .bind(payload)
        .bind(l.prev_hash.clone())
        .bind(l.hash.clone())
        .bind(snapshot)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Inbox sort key: the appointment the citizen was given, then unreceived dossiers last.
pub(crate) fn due_sort(d: &Dossier) -> String {
    d.appointment_at.or(d.due_at).map(format_ts).unwrap_or_else(|| "9999-12-31T23:59:59Z".to_owned())
}

/// Timeliness of a finished dossier (frozen at its finish instant), for the counts.
pub(crate) fn timeliness(d: &Dossier) -> Option<&'static str> {
    d.finished_at.and_then(|f| classify(d, f)).map(|t| t.as_str())
}

pub(crate) fn state_json(d: &Dossier) -> Result<String> {
    serde_json::to_string(d).map_err(|e| StoreError::Corrupt(e.to_string()))
}
