//! `verify-audit` and `rebuild`: re-walk every dossier's hash chain, and check (or restore) that
//! each projection equals the fold of its events.

use motcua_domain::audit::{StoredLink, verify_chain};
use motcua_domain::dossier::Dossier;
use motcua_domain::dossier::event::{Event, replay};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::dossier_log::{due_sort, state_json, timeliness};
use crate::{Result, Store, StoreError, format_ts, snapshots};

/// A dossier row: the projection columns (in [`Columns`] order), the chain anchor and the state.
const ROW: &str = "SELECT procedure_code, procedure_version, receiving_unit, resolving_unit, holder_unit, status, \
                   channel, submitted_at, received_at, due_at, due_sort, finished_at, timeliness, version, last_hash, \
                   state, step_due FROM dossiers WHERE code = $1";

/// The projection columns of a `dossiers` row.
#[derive(Debug, PartialEq)]
struct Columns(
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    i64,
    Option<String>,
);

impl Columns {
    /// The columns as the writer derives them from a dossier.
    fn of(d: &Dossier) -> Columns {
        Columns(
            d.procedure_code.to_string(),
            d.procedure_version,
            d.receiving_unit.to_string(),
            d.resolving_unit.to_string(),
            d.holder_unit().unwrap_or("").to_owned(),
            d.status.as_str().to_owned(),
            d.channel.as_str().to_owned(),
            format_ts(d.submitted_at),
            d.received_at.map(format_ts),
            d.due_at.map(format_ts),
            due_sort(d),
            d.finished_at.map(format_ts),
            timeliness(d).map(str::to_owned),
            d.version,
            d.next_step_deadline().map(format_ts),
        )
    }

    /// The columns as stored.
    fn read(r: &AnyRow) -> Result<Columns> {
        Ok(Columns(
            r.try_get("procedure_code")?,
            r.try_get("procedure_version")?,
            r.try_get("receiving_unit")?,
            r.try_get("resolving_unit")?,
            r.try_get("holder_unit")?,
            r.try_get("status")?,
            r.try_get("channel")?,
            r.try_get("submitted_at")?,
            r.try_get("received_at")?,
            r.try_get("due_at")?,
            r.try_get("due_sort")?,
            r.try_get("finished_at")?,
            r.try_get("timeliness")?,
            r.try_get("version")?,
            r.try_get("step_due")?,
        ))
    }
}

/// What a verification found.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct AuditReport {
    pub dossiers: u64,
    pub events: u64,
    /// Codes whose chain is broken, with the first bad sequence number.
    pub broken: Vec<(String, i64)>,
    /// Codes whose projection differs from the fold of the events.
    pub drifted: Vec<String>,
    /// The same checks over every other kind of record ([`crate::records`]), by kind.
    pub records: Vec<(&'static str, crate::records::KindAudit)>,
}

impl AuditReport {
    /// Every chain re-walks and every projection equals its fold (after `repair`, drift is fixed).
    pub fn ok(&self, repaired: bool) -> bool {
        let clean = |broken: bool, drifted: bool| !broken && (!drifted || repaired);
        clean(!self.broken.is_empty(), !self.drifted.is_empty())
            && self.records.iter().all(|(_, k)| clean(!k.broken.is_empty(), !k.drifted.is_empty()))
    }
}

impl Store {
    /// Verifies every chain (including its anchor, the row's `last_hash`) and every projection
    /// (JSON state and queryable columns). With `repair`, drifted projections are rewritten from
    /// their events (chains are never rewritten).
    pub async fn verify_audit(&self, repair: bool) -> Result<AuditReport> {
        let codes: Vec<String> =
            sqlx::query_scalar("SELECT code FROM dossiers ORDER BY code").fetch_all(&self.pool).await?;
        let mut report = AuditReport::default();
        for code in codes {
            report.dossiers += 1;
            // The row first: events the writer appends after this read are beyond its anchor.
            let row = sqlx::query(ROW).bind(code.clone()).fetch_one(&self.pool).await?;
            let anchor: String = row.try_get("last_hash")?;
            let sql = format!(
                "SELECT e.seq, e.payload, e.prev_hash, e.hash, e.snapshot, s.body AS snapshot_body FROM {} \
                 WHERE e.dossier_code = $1 ORDER BY e.seq",
                snapshots::EVENTS_WITH_SNAPSHOT
            );
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(code.clone()).fetch_all(&self.pool).await?;
            report.events += rows.len() as u64;
            let mut texts = Vec::with_capacity(rows.len());
            // A row whose snapshot is gone has no canonical text: its link is broken.
            let mut unreadable = None;
            for r in &rows {
                let seq = r.try_get::<i64, _>("seq")?;
                let payload: String = r.try_get("payload")?;
                let snapshot: Option<String> = r.try_get("snapshot")?;
                let body: Option<String> = r.try_get("snapshot_body")?;
                let Ok(text) = snapshots::canonical_text(&payload, snapshot.as_deref(), body.as_deref()) else {
                    unreadable = Some(seq);
                    break;
                };
                let text = text.into_owned();
                texts.push((seq, text, r.try_get::<String, _>("prev_hash")?, r.try_get::<String, _>("hash")?));
            }
            let links =
                texts.iter().map(|(seq, c, p, h)| StoredLink { seq: *seq, canonical: c, prev_hash: p, hash: h });
            if let Some(seq) = verify_chain(links).err().or(unreadable) {
                report.broken.push((code, seq));
                continue;
            }
            // The projection is anchored to a link of its chain: if that link is missing (the last
            // events were deleted), the chain is broken where it now ends.
            let Some(end) = texts.iter().position(|(_, _, _, h)| *h == anchor) else {
                report.broken.push((code, texts.len() as i64 + 1));
                continue;
            };
            let events: Vec<Event> = texts[..=end]
                .iter()
                .map(|(_, c, _, _)| motcua_domain::audit::parse_canonical(c))
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| StoreError::Corrupt(format!("event of {code}: {e}")))?;
            let rebuilt = replay(&events).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let Some(d) = rebuilt else {
                report.drifted.push(code);
                continue;
            };
            let live: Option<Dossier> = serde_json::from_str(&row.try_get::<String, _>("state")?).ok();
            // The queryable columns (inbox, counts) must agree with the fold as much as the state.
            if live.as_ref() != Some(&d) || Columns::read(&row)? != Columns::of(&d) {
                if repair {
                    let c = Columns::of(&d);
                    sqlx::query(
                        "UPDATE dossiers SET procedure_code = $1, procedure_version = $2, receiving_unit = $3, \
                         resolving_unit = $4, holder_unit = $5, status = $6, channel = $7, submitted_at = $8, \
                         received_at = $9, due_at = $10, due_sort = $11, finished_at = $12, timeliness = $13, \
                         version = $14, state = $15, step_due = $16 WHERE code = $17 AND last_hash = $18",
                    )
                    .bind(c.0)
                    .bind(c.1)
                    .bind(c.2)
                    .bind(c.3)
                    .bind(c.4)
                    .bind(c.5)
                    .bind(c.6)
                    .bind(c.7)
                    .bind(c.8)
                    .bind(c.9)
                    .bind(c.10)
                    .bind(c.11)
                    .bind(c.12)
                    .bind(c.13)
                    .bind(state_json(&d)?)
                    .bind(c.14)
                    .bind(code.clone())
                    .bind(anchor)
                    .execute(&self.pool)
                    .await?;
                }
                report.drifted.push(code);
            }
        }
        if repair && !report.drifted.is_empty() {
            // Repaired projections bypassed the writer: rebuild the indicator rollups from them.
            self.recompute_indicators(time::OffsetDateTime::now_utc()).await?;
        }
        report.records = self.verify_records(repair).await?;
        Ok(report)
    }
}
