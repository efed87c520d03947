//! The one write path of every record with a history other than dossiers (feedback, office
//! documents, and every kind added later): decide → events → fold, with the dossiers' hash
//! chain and optimistic version, inside the single writer's batch transaction.
//!
//! - `record_events(kind, record_id, seq, …, payload, prev_hash, hash)` is append-only; the
//!   payload is the canonical text [`motcua_domain::record::canonical`] and
//!   `hash = SHA-256(prev_hash || payload)` ([`motcua_domain::audit::link_hash`]).
//! - `record_heads(kind, record_id, version, last_hash)`: the guarded `UPDATE … WHERE version =`
//!   of the head is the optimistic check (409 on a stale version), as for dossiers.
//! - The kind's own table is its query projection, written by [`Projection::project`] in the
//!   same transaction, and equal to the fold of the events (`verify-audit` checks it).
//!
//! Callers run [`append_in`] / [`create_in`] inside [`crate::Writer::transact`], so every write
//! is serialised by the writer (no "database is locked" between concurrent requests), shares its
//! group commit, and is isolated by a savepoint (a refused or failed request leaves nothing).

use futures_util::future::BoxFuture;
use motcua_domain::DomainError;
use motcua_domain::audit::{GENESIS, StoredLink, link_hash, verify_chain};
use motcua_domain::record::{Record, canonical, parse_canonical, replay};
use sqlx::{Any, AnyPool, Row, Transaction};

use crate::{Result, StoreError, format_ts};

/// The writer's transaction.
pub type Tx = Transaction<'static, Any>;

/// How a kind of record is kept in its own table.
pub trait Projection: Record {
    /// The current projection of `id`, if the record exists.
    fn load<'t>(tx: &'t mut Tx, id: &'t str) -> BoxFuture<'t, Result<Option<Self>>>;
    /// Writes the projection row of `after` (inserted when `before` is `None`) and whatever the
    /// `events` cause in the same transaction (notifications in the outbox).
    fn project<'t>(
        tx: &'t mut Tx,
        before: Option<&'t Self>,
        after: &'t Self,
        events: &'t [Self::Event],
    ) -> BoxFuture<'t, Result<()>>;
    /// Every record id of the kind (for `verify-audit`).
    fn ids<'p>(pool: &'p AnyPool) -> BoxFuture<'p, Result<Vec<String>>>;
    /// The projection read outside a transaction (for `verify-audit`).
    fn read<'p>(pool: &'p AnyPool, id: &'p str) -> BoxFuture<'p, Result<Option<Self>>>;
    /// Rewrites a drifted projection from the fold of its events (`verify-audit --repair`).
    fn repair<'t>(tx: &'t mut Tx, state: &'t Self) -> BoxFuture<'t, Result<()>> {
        Self::project(tx, Some(state), state, &[])
    }
}

/// Runs a pure decision without letting a panic escape: a bug in one decision fails that
/// request only ([`StoreError::Panicked`]), never the writer.
pub fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|_| {
        tracing::error!(what, "a decision panicked; the request is refused and the writer goes on");
        StoreError::Panicked
    })
}

/// One event ready to insert.
struct Link {
    seq: i64,
    action: &'static str,
    actor: String,
    at: String,
    payload: String,
    prev_hash: String,
    hash: String,
}

/// Folds `events` onto `state` and hashes them onto `last_hash`, before anything is written.
fn chain<R: Record>(
    id: &str,
    mut state: Option<R>,
    last_hash: &str,
    events: &[R::Event],
) -> Result<(R, Vec<Link>, String)> {
    let mut prev = last_hash.to_owned();
    let mut links = Vec::with_capacity(events.len());
    for e in events {
        let seq = state.as_ref().map(R::version).unwrap_or(0) + 1;
        let payload = canonical::<R>(id, seq, e).map_err(|err| StoreError::Corrupt(err.to_string()))?;
        let hash = link_hash(&prev, &payload);
        let next = guarded(R::KIND, || R::fold(state.take(), e))??;
        if next.version() != seq || next.id() != id {
            return Err(StoreError::Corrupt(format!("{} {id}: the fold did not advance to version {seq}", R::KIND)));
        }
        state = Some(next);
        links.push(Link {
            seq,
            action: R::event_action(e),
            actor: R::event_actor(e).to_owned(),
            at: format_ts(R::event_at(e)),
            payload,
            prev_hash: std::mem::replace(&mut prev, hash.clone()),
            hash,
        });
    }
    let state = state.ok_or_else(|| StoreError::Corrupt(format!("{}: no events to write", R::KIND)))?;
    Ok((state, links, prev))
}

async fn insert_links(tx: &mut Tx, kind: &str, id: &str, links: &[Link]) -> Result<()> {
    for l in links {
        sqlx::query(
            "INSERT INTO record_events (kind, record_id, seq, occurred_at, actor, action, payload, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(kind.to_owned())
        .bind(id.to_owned())
        .bind(l.seq)
        .bind(l.at.clone())
        .bind(l.actor.clone())
        .bind(l.action)
        .bind(l.payload.clone())
        .bind(l.prev_hash.clone())
        .bind(l.hash.clone())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Creates a record from its first events; refused with a conflict when the id exists.
pub async fn create_in<R: Projection>(tx: &mut Tx, events: &[R::Event]) -> Result<R> {
    let first = events.first().ok_or_else(|| StoreError::Corrupt(format!("{}: no events to write", R::KIND)))?;
    let id = guarded(R::KIND, || R::fold(None, first))??.id().to_owned();
    let (state, links, last_hash) = chain::<R>(&id, None, GENESIS, events)?;
    let inserted = sqlx::query(
        "INSERT INTO record_heads (kind, record_id, version, last_hash) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (kind, record_id) DO NOTHING",
    )
    .bind(R::KIND)
    .bind(id.clone())
    .bind(state.version())
    .bind(last_hash)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted != 1 {
        let current: i64 = sqlx::query_scalar("SELECT version FROM record_heads WHERE kind = $1 AND record_id = $2")
            .bind(R::KIND)
            .bind(id.clone())
            .fetch_one(&mut **tx)
            .await?;
        return Err(StoreError::Conflict { current });
    }
    insert_links(tx, R::KIND, &id, &links).await?;
    R::project(tx, None, &state, events).await?;
    Ok(state)
}

/// Appends the events `decide` returns for the record's current state, when the record is at
/// `expected` (any version when `None`). Refusals (the decision's, a stale version, an unknown
/// id) write nothing.
pub async fn append_in<R: Projection>(
    tx: &mut Tx,
    id: &str,
    expected: Option<i64>,
    decide: impl FnOnce(&R) -> std::result::Result<Vec<R::Event>, DomainError>,
) -> Result<R> {
    let head = sqlx::query("SELECT version, last_hash FROM record_heads WHERE kind = $1 AND record_id = $2")
        .bind(R::KIND)
        .bind(id.to_owned())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let version: i64 = head.try_get("version")?;
    let last_hash: String = head.try_get("last_hash")?;
    if expected.is_some_and(|v| v != version) {
        return Err(StoreError::Conflict { current: version });
    }
    let before =
        R::load(tx, id).await?.ok_or_else(|| StoreError::Corrupt(format!("{} {id}: no projection", R::KIND)))?;
    if before.version() != version {
        return Err(StoreError::Corrupt(format!("{} {id}: projection and head disagree on the version", R::KIND)));
    }
    let events = guarded(R::KIND, || decide(&before))??;
    if events.is_empty() {
        return Ok(before);
    }
    let (after, links, last_hash) = chain::<R>(id, Some(before.clone()), &last_hash, &events)?;
    let n = sqlx::query(
        "UPDATE record_heads SET version = $1, last_hash = $2 WHERE kind = $3 AND record_id = $4 AND version = $5",
    )
    .bind(after.version())
    .bind(last_hash)
    .bind(R::KIND)
    .bind(id.to_owned())
    .bind(version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n != 1 {
        return Err(StoreError::Conflict { current: version });
    }
    insert_links(tx, R::KIND, id, &links).await?;
    R::project(tx, Some(&before), &after, &events).await?;
    Ok(after)
}

/// One event of a record's history as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored<E> {
    pub seq: i64,
    pub event: E,
}

/// The history of a record, oldest first.
pub async fn history<R: Record>(pool: &AnyPool, id: &str) -> Result<Vec<Stored<R::Event>>> {
    let rows = sqlx::query("SELECT seq, payload FROM record_events WHERE kind = $1 AND record_id = $2 ORDER BY seq")
        .bind(R::KIND)
        .bind(id.to_owned())
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| {
            let payload: String = r.try_get("payload")?;
            let event = parse_canonical::<R>(&payload)
                .map_err(|e| StoreError::Corrupt(format!("{} {id}: stored event: {e}", R::KIND)))?;
            Ok(Stored { seq: r.try_get("seq")?, event })
        })
        .collect()
}

/// What `verify-audit` found for one kind of record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KindAudit {
    pub records: u64,
    pub events: u64,
    /// (record id, first broken seq): a chain that does not re-walk, or a head that does not
    /// name its last event.
    pub broken: Vec<(String, i64)>,
    /// Records whose projection differs from the fold of their events.
    pub drifted: Vec<String>,
}

/// Re-walks every chain of kind `R` and compares each projection with the fold of its events;
/// with `repair`, rewrites drifted projections (events are never touched).
pub async fn verify<R: Projection>(pool: &AnyPool, repair: bool) -> Result<KindAudit> {
    let mut out = KindAudit::default();
    let mut ids = R::ids(pool).await?;
    let heads = sqlx::query("SELECT record_id FROM record_heads WHERE kind = $1").bind(R::KIND).fetch_all(pool).await?;
    for h in heads {
        ids.push(h.try_get("record_id")?);
    }
    ids.sort();
    ids.dedup();
    for id in ids {
        out.records += 1;
        let rows = sqlx::query(
            "SELECT seq, payload, prev_hash, hash FROM record_events WHERE kind = $1 AND record_id = $2 ORDER BY seq",
        )
        .bind(R::KIND)
        .bind(id.clone())
        .fetch_all(pool)
        .await?;
        out.events += rows.len() as u64;
        let mut links = Vec::with_capacity(rows.len());
        for r in &rows {
            links.push((
                r.try_get::<i64, _>("seq")?,
                r.try_get::<String, _>("payload")?,
                r.try_get::<String, _>("prev_hash")?,
                r.try_get::<String, _>("hash")?,
            ));
        }
        let walked = verify_chain(links.iter().map(|(seq, payload, prev_hash, hash)| StoredLink {
            seq: *seq,
            canonical: payload,
            prev_hash,
            hash,
        }));
        let head: Option<(i64, String)> =
            sqlx::query("SELECT version, last_hash FROM record_heads WHERE kind = $1 AND record_id = $2")
                .bind(R::KIND)
                .bind(id.clone())
                .fetch_optional(pool)
                .await?
                .map(|r| Ok::<_, sqlx::Error>((r.try_get("version")?, r.try_get("last_hash")?)))
                .transpose()?;
        let tip = links.last().map(|(seq, _, _, hash)| (*seq, hash.clone()));
        if let Err(seq) = walked {
            out.broken.push((id, seq));
            continue;
        }
        if head != tip || links.is_empty() {
            out.broken.push((id, tip.map(|(s, _)| s + 1).unwrap_or(1)));
            continue;
        }
        let events: Vec<R::Event> = match links.iter().map(|(_, p, _, _)| parse_canonical::<R>(p)).collect() {
            Ok(e) => e,
            Err(_) => {
                out.broken.push((id, 1));
                continue;
            }
        };
        let folded = match guarded(R::KIND, || replay::<R>(&events)) {
            Ok(Ok(Some(s))) => s,
            _ => {
                out.broken.push((id, 1));
                continue;
            }
        };
        let stored = R::read(pool, &id).await?;
        let same = stored.as_ref().is_some_and(|s| json(&s.audited()) == json(&folded.audited()));
        if !same {
            if repair && stored.is_some() {
                let mut tx = crate::begin_write(pool).await?;
                R::repair(&mut tx, &folded).await?;
                tx.commit().await?;
            }
            out.drifted.push(id);
        }
    }
    Ok(out)
}

fn json<T: serde::Serialize>(v: &T) -> Option<String> {
    serde_json::to_string(v).ok()
}

/// Moves a history kept before migration 0013 (one row per event, `data` = the event's JSON, no
/// chain) into `record_events` with its chain. `upgrade` completes the old events from the
/// projection (what a decision computed but the old event did not carry). Runs once: the moved
/// rows are deleted from the legacy table in the same transaction. Returns (records, drifted):
/// a drifted record's fold differs from its projection and is reported, not hidden.
pub(crate) async fn adopt_legacy<R: Projection>(
    pool: &AnyPool,
    legacy_table: &str,
    id_column: &str,
    upgrade: impl Fn(&R, Vec<serde_json::Value>) -> Vec<serde_json::Value>,
) -> Result<(u64, u64)> {
    let select = format!("SELECT DISTINCT {id_column} AS id FROM {legacy_table}");
    let ids: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(select)).fetch_all(pool).await?;
    if ids.is_empty() {
        return Ok((0, 0));
    }
    let mut tx = crate::begin_write(pool).await?;
    let mut drifted = 0;
    let by_id = format!("SELECT data FROM {legacy_table} WHERE {id_column} = $1 ORDER BY seq");
    for id in &ids {
        let Some(projection) = R::load(&mut tx, id).await? else { continue };
        let rows: Vec<String> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(by_id.clone())).bind(id.clone()).fetch_all(&mut *tx).await?;
        let old = rows
            .iter()
            .map(|d| serde_json::from_str(d))
            .collect::<std::result::Result<Vec<serde_json::Value>, _>>()
            .map_err(|e| StoreError::Corrupt(format!("{legacy_table} {id}: {e}")))?;
        let events = upgrade(&projection, old)
            .into_iter()
            .map(serde_json::from_value)
            .collect::<std::result::Result<Vec<R::Event>, _>>()
            .map_err(|e| StoreError::Corrupt(format!("{legacy_table} {id}: {e}")))?;
        let (state, links, last_hash) = chain::<R>(id, None, GENESIS, &events)?;
        if json(&state.audited()) != json(&projection.audited()) {
            drifted += 1;
        }
        sqlx::query("INSERT INTO record_heads (kind, record_id, version, last_hash) VALUES ($1, $2, $3, $4)")
            .bind(R::KIND)
            .bind(id.clone())
            .bind(state.version())
            .bind(last_hash)
            .execute(&mut *tx)
            .await?;
        insert_links(&mut tx, R::KIND, id, &links).await?;
    }
    sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {legacy_table}"))).execute(&mut *tx).await?;
    tx.commit().await?;
    if drifted > 0 {
        tracing::warn!(kind = R::KIND, drifted, "legacy histories whose fold differs from the projection");
    }
    Ok((ids.len() as u64, drifted))
}

/// Starts the history of records kept before their kind had one (`untracked`: a query of their
/// ids): one opening event built from the projection as it stands, and the projection's version
/// set from the fold. Runs at every start; finds nothing once done.
pub(crate) async fn adopt_untracked<R: Projection>(
    pool: &AnyPool,
    untracked: &'static str,
    opening: impl Fn(&R) -> R::Event,
) -> Result<u64> {
    let ids: Vec<String> = sqlx::query_scalar(untracked).fetch_all(pool).await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let mut tx = crate::begin_write(pool).await?;
    for id in &ids {
        let Some(projection) = R::load(&mut tx, id).await? else { continue };
        let (state, links, last_hash) = chain::<R>(id, None, GENESIS, &[opening(&projection)])?;
        sqlx::query("INSERT INTO record_heads (kind, record_id, version, last_hash) VALUES ($1, $2, $3, $4)")
            .bind(R::KIND)
            .bind(id.clone())
            .bind(state.version())
            .bind(last_hash)
            .execute(&mut *tx)
            .await?;
        insert_links(&mut tx, R::KIND, id, &links).await?;
        R::repair(&mut tx, &state).await?;
    }
    tx.commit().await?;
    tracing::info!(kind = R::KIND, records = ids.len(), "histories started for records kept without one");
    Ok(ids.len() as u64)
}

impl crate::Store {
    /// `verify-audit` over every kind of record kept here, by kind (see [`verify`]).
    pub async fn verify_records(&self, repair: bool) -> Result<Vec<(&'static str, KindAudit)>> {
        use motcua_domain::{feedback::Feedback, office::Document, payment::Payment, queue::Ticket};
        Ok(vec![
            (Feedback::KIND, verify::<Feedback>(&self.pool, repair).await?),
            (Document::KIND, verify::<Document>(&self.pool, repair).await?),
            (Ticket::KIND, verify::<Ticket>(&self.pool, repair).await?),
            (Payment::KIND, verify::<Payment>(&self.pool, repair).await?),
        ])
    }
}
