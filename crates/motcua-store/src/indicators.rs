//! QĐ 766 indicator rollups (domain.md §3): the table `indicator_rollups` holds, per month,
//! resolving unit, procedure, field and level, the additive counters of the domain's
//! [`MonthRow`]. The writer adds the [`delta`] of every change in the change's own transaction
//! ([`add_rows`]); [`Store::recompute_indicators`] rebuilds the table from the event log; a month
//! ending moves the horizon ([`Store::roll_over`]). Queries rebuild the [`Tally`] of any run of
//! months from the rows and judge the dossiers still running in the open month against "now".

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use futures_util::TryStreamExt;
use motcua_domain::audit::parse_canonical;
use motcua_domain::dossier::Dossier;
use motcua_domain::dossier::actions::create::Created;
use motcua_domain::dossier::event::{Event, EventData, apply};
use motcua_domain::dossier::timeliness::{Timeliness, classify};
use motcua_domain::indicators::{MonthRow, Period, RowKey, Tally, YearMonth, contributions, delta};
use serde::Deserialize;
use sqlx::{Any, Row, Transaction};
use time::OffsetDateTime;

use crate::snapshots::Frozen;
use crate::{Result, Store, StoreError, format_ts};

/// Which dossiers a query counts. Every filter is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// Resolving units (all units when `None`).
    pub units: Option<Vec<String>>,
    pub procedure: Option<String>,
    pub field: Option<String>,
    /// `province` / `district` / `commune`.
    pub level: Option<String>,
}

/// How a query groups its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// One group, named "".
    Total,
    Unit,
    Procedure,
    Field,
    Level,
    /// Each month of the run as its own period, named `YYYY-MM`.
    Month,
}

impl By {
    pub(crate) fn column(self) -> &'static str {
        match self {
            By::Total => "''",
            By::Unit => "unit",
            By::Procedure => "procedure_code",
            By::Field => "field",
            By::Level => "level",
            By::Month => "month",
        }
    }
}

/// What a rebuild found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recomputed {
    pub dossiers: u64,
    pub events: u64,
    pub rows: u64,
    pub open: Option<YearMonth>,
}

fn upsert_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let cols = MonthRow::COLUMNS;
        let params: Vec<String> = (0..cols.len()).map(|i| format!("${}", i + 6)).collect();
        let sets: Vec<String> = cols.iter().map(|c| format!("{c} = indicator_rollups.{c} + excluded.{c}")).collect();
        format!(
            "INSERT INTO indicator_rollups (month, unit, procedure_code, field, level, {}) VALUES ($1, $2, $3, $4, $5, {}) \
             ON CONFLICT (month, unit, procedure_code, field, level) DO UPDATE SET {}",
            cols.join(", "),
            params.join(", "),
            sets.join(", ")
        )
    })
}

/// Adds signed per-key differences to the rollups (inside the caller's transaction).
pub(crate) async fn add_rows(tx: &mut Transaction<'static, Any>, rows: &[(RowKey, Vec<i64>)]) -> Result<()> {
    for (k, values) in rows {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(upsert_sql()))
            .bind(k.month.to_string())
            .bind(k.unit.clone())
            .bind(k.procedure_code.clone())
            .bind(k.field.clone())
            .bind(k.level.clone());
        for v in values {
            q = q.bind(*v);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// The difference a change from `before` to `after` makes, written in the same transaction.
pub(crate) async fn follow(
    tx: &mut Transaction<'static, Any>,
    before: Option<&Dossier>,
    after: &Dossier,
    open: YearMonth,
) -> Result<()> {
    let before = before.map(|d| contributions(d, open)).unwrap_or_default();
    add_rows(tx, &delta(&before, &contributions(after, open))).await
}

/// The rollups' open month, if the rollups were ever built.
pub(crate) async fn horizon(tx: &mut Transaction<'static, Any>) -> Result<Option<YearMonth>> {
    let m: Option<String> =
        sqlx::query_scalar("SELECT open_month FROM indicator_horizon WHERE id = 1").fetch_optional(&mut **tx).await?;
    m.map(|m| YearMonth::parse(&m).ok_or_else(|| StoreError::Corrupt(format!("indicator horizon '{m}'")))).transpose()
}

async fn set_horizon(tx: &mut Transaction<'static, Any>, open: YearMonth) -> Result<()> {
    sqlx::query(
        "INSERT INTO indicator_horizon (id, open_month) VALUES (1, $1) \
         ON CONFLICT (id) DO UPDATE SET open_month = excluded.open_month",
    )
    .bind(open.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn parse_state(state: &str) -> Result<Dossier> {
    serde_json::from_str(state).map_err(|e| StoreError::Corrupt(format!("dossier state: {e}")))
}

fn month_start(m: YearMonth) -> Result<String> {
    Period::month(m).map(|p| format_ts(p.start)).ok_or_else(|| StoreError::Corrupt(format!("month {m}")))
}

/// Moves the horizon to `to` (inside the writer's transaction): every dossier whose contributions
/// depend on the horizon — received before `to` and still running when the old open month ended
/// — gets the difference. Nothing happens when `to` is not later.
pub(crate) async fn roll_over_in(tx: &mut Transaction<'static, Any>, to: YearMonth) -> Result<u64> {
    let Some(old) = horizon(tx).await? else {
        set_horizon(tx, to).await?;
        return Ok(0);
    };
    if to <= old {
        return Ok(0);
    }
    let states: Vec<String> = sqlx::query_scalar(
        "SELECT state FROM dossiers WHERE received_at IS NOT NULL AND received_at < $1 \
         AND (finished_at IS NULL OR finished_at >= $2)",
    )
    .bind(month_start(to)?)
    .bind(month_start(old.next())?)
    .fetch_all(&mut **tx)
    .await?;
    let n = states.len() as u64;
    for s in states {
        let d = parse_state(&s)?;
        add_rows(tx, &delta(&contributions(&d, old), &contributions(&d, to))).await?;
    }
    set_horizon(tx, to).await?;
    Ok(n)
}

/// Rebuilds the rollups from the event log with the horizon at `open` (inside the writer's
/// transaction, so no change slips between the read and the write). The events are read in one
/// ordered pass; decoding, folding and tallying run on worker threads, a batch of dossiers at a
/// time. Each distinct procedure snapshot is parsed once, up front ([`Decoder`]).
pub(crate) async fn recompute_in(tx: &mut Transaction<'static, Any>, open: YearMonth) -> Result<Recomputed> {
    let decoder = Arc::new(Decoder::load(tx).await?);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
    let mut senders = Vec::with_capacity(workers);
    let mut handles = Vec::with_capacity(workers);
    for _ in 0..workers {
        let (send, recv) = tokio::sync::mpsc::channel::<Vec<History>>(4);
        senders.push(send);
        let decoder = Arc::clone(&decoder);
        handles.push(std::thread::spawn(move || fold_batches(recv, &decoder, open)));
    }
    let read: Result<()> = async {
        let mut rows = sqlx::query(HISTORIES_SQL).bind(UNIT.to_string()).bind(RECORD.to_string()).fetch(&mut **tx);
        let mut batch: Vec<History> = Vec::with_capacity(BATCH);
        let mut next = 0usize;
        while let Some(row) = rows.try_next().await? {
            batch.push((row.try_get(0)?, row.try_get(1)?));
            if batch.len() >= BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                send_batch(&senders[next % workers], full).await?;
                next += 1;
            }
        }
        if !batch.is_empty() {
            send_batch(&senders[next % workers], batch).await?;
        }
        Ok(())
    }
    .await;
    drop(senders);
    let mut sums: HashMap<RowKey, MonthRow> = HashMap::new();
    let mut out = Recomputed { open: Some(open), ..Default::default() };
    for h in handles {
        let (part, dossiers, events) =
            h.join().map_err(|_| StoreError::Corrupt("recompute worker panicked".into()))??;
        out.dossiers += dossiers;
        out.events += events;
        for (k, r) in part {
            let acc = sums.entry(k).or_default();
            *acc = acc.merge(&r);
        }
    }
    read?;
    sqlx::query("DELETE FROM indicator_rollups").execute(&mut **tx).await?;
    let mut rows: Vec<(RowKey, MonthRow)> = sums.into_iter().filter(|(_, r)| !r.is_empty()).collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    out.rows = rows.len() as u64;
    add_rows(tx, &delta(&[], &rows)).await?;
    set_horizon(tx, open).await?;
    Ok(out)
}

/// Dossiers per batch handed to a recompute worker.
const BATCH: usize = 2000;

/// One row per dossier, in code order: its code and its whole history as one text, each event
/// `snapshot UNIT payload` (snapshot empty when NULL) in `seq` order, separated by RECORD.
/// Reading a dossier as one row instead of ~7 (the database joins the texts) is what keeps the
/// driver's per-row cost off the pass. `string_agg(… ORDER BY …)` reads the same on SQLite
/// (≥ 3.44) and PostgreSQL.
const HISTORIES_SQL: &str = "SELECT dossier_code, string_agg(COALESCE(snapshot, '') || $1 || payload, $2 ORDER BY seq) \
                             FROM dossier_events GROUP BY dossier_code ORDER BY dossier_code";

/// Separates an event's snapshot from its payload in [`HISTORIES_SQL`]. JSON text never holds a
/// raw control character (serde_json escapes them inside strings), nor does a hex hash.
const UNIT: char = '\u{1f}';
/// Separates events in [`HISTORIES_SQL`] (same reasoning as [`UNIT`]).
const RECORD: char = '\u{1e}';

/// A dossier's code and its history as read by [`HISTORIES_SQL`].
type History = (String, String);

/// Hands a batch to a recompute worker (an error when the worker has stopped on bad data).
async fn send_batch(to: &tokio::sync::mpsc::Sender<Vec<History>>, batch: Vec<History>) -> Result<()> {
    to.send(batch).await.map_err(|_| StoreError::Corrupt("recompute worker stopped".into()))
}

/// Turns stored events back into domain events for the recompute. An inline row is parsed as
/// its canonical text. A create event that names a procedure snapshot is parsed straight from its
/// compact payload (it is a valid link whose dossier lacks the snapshot's members, which default
/// to empty) and gets the members from the snapshot, parsed once here: the same event as
/// parsing [`crate::snapshots::canonical_text`], without re-reading ~2 KB of JSON per dossier.
pub struct Decoder {
    /// Every stored snapshot by hash, parsed.
    frozen: HashMap<String, Frozen>,
}

/// The parts of a compact create link the recompute needs (everything a `Created` carries).
#[derive(Deserialize)]
struct CreateLink<'a> {
    /// The link's event (its `dossier` and `seq` members are not needed: the row has them).
    #[serde(borrow)]
    event: CreateEvent<'a>,
}

/// The event of a compact create link.
#[derive(Deserialize)]
struct CreateEvent<'a> {
    /// Must be `create`: only create events name a snapshot.
    #[serde(borrow)]
    action: std::borrow::Cow<'a, str>,
    /// The event's instant.
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    /// Who created the dossier.
    actor: String,
    /// The initial projection without the snapshot's members.
    dossier: Box<Dossier>,
}

impl Decoder {
    /// Reads and parses every stored procedure snapshot.
    async fn load(tx: &mut Transaction<'static, Any>) -> Result<Decoder> {
        let rows = sqlx::query("SELECT hash, body FROM procedure_snapshots").fetch_all(&mut **tx).await?;
        let mut frozen = HashMap::with_capacity(rows.len());
        for r in rows {
            let body: String = r.try_get("body")?;
            frozen.insert(r.try_get("hash")?, Frozen::parse(&body)?);
        }
        Ok(Decoder { frozen })
    }

    /// A decoder over the given snapshots (hash → body), for tests of the fast path.
    pub fn from_bodies<'a>(bodies: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Decoder> {
        let frozen = bodies.into_iter().map(|(h, b)| Ok((h.to_owned(), Frozen::parse(b)?))).collect::<Result<_>>()?;
        Ok(Decoder { frozen })
    }

    /// The domain event of a stored row (`snapshot` column, `payload` column).
    pub fn decode(&self, snapshot: Option<&str>, payload: &str) -> Result<Event> {
        let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("stored event: {e}"));
        let Some(hash) = snapshot else { return parse_canonical(payload).map_err(|e| corrupt(&e)) };
        let frozen = self
            .frozen
            .get(hash)
            .ok_or_else(|| StoreError::Corrupt(format!("procedure snapshot {hash} is missing")))?;
        let link: CreateLink = serde_json::from_str(payload).map_err(|e| corrupt(&e))?;
        let e = link.event;
        if e.action != "create" {
            return Err(StoreError::Corrupt(format!("a {} event names procedure snapshot {hash}", e.action)));
        }
        let mut dossier = e.dossier;
        dossier.fees = frozen.fees.clone();
        dossier.steps = frozen.steps.clone();
        Ok(Event { at: e.at, actor: e.actor, data: EventData::Create(Created { dossier }) })
    }
}

/// A recompute worker: folds each dossier's events and sums its contributions; answers the
/// sums, the number of dossiers and the number of events.
fn fold_batches(
    mut recv: tokio::sync::mpsc::Receiver<Vec<History>>,
    decoder: &Decoder,
    open: YearMonth,
) -> Result<(HashMap<RowKey, MonthRow>, u64, u64)> {
    let mut sums: HashMap<RowKey, MonthRow> = HashMap::new();
    let (mut dossiers, mut events) = (0u64, 0u64);
    while let Some(batch) = recv.blocking_recv() {
        for (code, history) in batch {
            let mut d: Option<Dossier> = None;
            for stored in history.split(RECORD) {
                let (snapshot, payload) = stored
                    .split_once(UNIT)
                    .ok_or_else(|| StoreError::Corrupt(format!("history of {code}: no separator")))?;
                let snapshot = (!snapshot.is_empty()).then_some(snapshot);
                let event = decoder
                    .decode(snapshot, payload)
                    .map_err(|e| StoreError::Corrupt(format!("event of {code}: {e}")))?;
                d = Some(apply(d, &event).map_err(|e| StoreError::Corrupt(format!("replay of {code}: {e}")))?);
                events += 1;
            }
            if let Some(d) = d {
                dossiers += 1;
                for (k, r) in contributions(&d, open) {
                    let acc = sums.entry(k).or_default();
                    *acc = acc.merge(&r);
                }
            }
        }
    }
    Ok((sums, dossiers, events))
}

impl Store {
    /// Brings the rollups up to `now`'s month: built from the event log if they never were
    /// (a database from before the rollups existed), rolled over if a month has ended since.
    pub async fn ensure_indicators(&self, now: OffsetDateTime) -> Result<()> {
        let month = YearMonth::of(now);
        let open: Option<String> = sqlx::query_scalar("SELECT open_month FROM indicator_horizon WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        match open.as_deref().and_then(YearMonth::parse) {
            None => {
                self.recompute_indicators(now).await?;
            }
            Some(open) if open < month => {
                self.roll_over(month).await?;
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// Rebuilds every rollup row from the event log (`motcua recompute-indicators`).
    pub async fn recompute_indicators(&self, now: OffsetDateTime) -> Result<Recomputed> {
        self.writer.recompute(YearMonth::of(now)).await
    }

    /// Moves the rollups' horizon to `to` (a month has ended); answers how many dossiers were
    /// re-judged.
    pub async fn roll_over(&self, to: YearMonth) -> Result<u64> {
        self.writer.roll_over(to).await
    }

    /// The earliest reception instant of any dossier (the first month with figures).
    pub async fn first_received_at(&self) -> Result<Option<OffsetDateTime>> {
        let first: Option<String> =
            sqlx::query_scalar("SELECT MIN(received_at) FROM dossiers").fetch_one(&self.pool).await?;
        first
            .map(|s| crate::parse_ts(&s).map_err(|e| StoreError::Corrupt(format!("received_at '{s}': {e}"))))
            .transpose()
    }

    /// Received dossiers by code after `after`, at most `limit` (exports walk them page by page).
    pub async fn received_dossiers_after(&self, after: &str, limit: i64) -> Result<Vec<Dossier>> {
        let states: Vec<String> = sqlx::query_scalar(
            "SELECT state FROM dossiers WHERE received_at IS NOT NULL AND code > $1 ORDER BY code LIMIT $2",
        )
        .bind(after.to_owned())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        states.iter().map(|s| parse_state(s)).collect()
    }

    /// The rollup rows themselves, summed per key (tests compare them with a recompute).
    pub async fn rollup_rows(&self) -> Result<BTreeMap<RowKey, MonthRow>> {
        let sql = format!(
            "SELECT month, unit, procedure_code, field, level, {} FROM indicator_rollups",
            MonthRow::COLUMNS.join(", ")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
        let mut out = BTreeMap::new();
        for r in rows {
            let month: String = r.try_get("month")?;
            let key = RowKey {
                month: YearMonth::parse(&month)
                    .ok_or_else(|| StoreError::Corrupt(format!("rollup month '{month}'")))?,
                unit: r.try_get("unit")?,
                procedure_code: r.try_get("procedure_code")?,
                field: r.try_get("field")?,
                level: r.try_get("level")?,
            };
            let values: Vec<i64> =
                MonthRow::COLUMNS.iter().map(|c| r.try_get::<i64, _>(*c)).collect::<std::result::Result<_, _>>()?;
            let row = MonthRow::from_values(&values);
            if !row.is_empty() {
                out.insert(key, row);
            }
        }
        Ok(out)
    }

    /// The tallies of the months `first..=last` for `scope`, grouped `by`, from the rollups; the
    /// dossiers still running in the open month are judged at `now` (late when past due by then).
    /// Groups come sorted by name.
    pub async fn indicator_tallies(
        &self,
        scope: &Scope,
        first: YearMonth,
        last: YearMonth,
        by: By,
        now: OffsetDateTime,
    ) -> Result<Vec<(String, Tally)>> {
        self.ensure_indicators(now).await?;
        let open: Option<String> = sqlx::query_scalar("SELECT open_month FROM indicator_horizon WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        let open = open.as_deref().and_then(YearMonth::parse).unwrap_or(YearMonth::of(now));
        let (filter, binds) = scope_filter(scope, "unit", 3);
        let sums: Vec<String> = MonthRow::COLUMNS.iter().map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}")).collect();
        let sql = format!(
            "SELECT {g} AS g, month, {sums} FROM indicator_rollups WHERE month >= $1 AND month <= $2{filter} \
             GROUP BY {group}month",
            g = by.column(),
            group = if by == By::Total { String::new() } else { format!("{}, ", by.column()) },
            sums = sums.join(", "),
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(first.to_string()).bind(last.to_string());
        for b in &binds {
            q = q.bind(b.clone());
        }
        let mut groups: BTreeMap<String, Vec<(YearMonth, MonthRow)>> = BTreeMap::new();
        for r in q.fetch_all(&self.pool).await? {
            let month: String = r.try_get("month")?;
            let month =
                YearMonth::parse(&month).ok_or_else(|| StoreError::Corrupt(format!("rollup month '{month}'")))?;
            let values: Vec<i64> =
                MonthRow::COLUMNS.iter().map(|c| r.try_get::<i64, _>(*c)).collect::<std::result::Result<_, _>>()?;
            groups.entry(r.try_get("g")?).or_default().push((month, MonthRow::from_values(&values)));
        }
        let mut out: BTreeMap<String, Tally> = groups
            .into_iter()
            .map(|(g, rows)| {
                let (f, l) = if by == By::Month { (rows[0].0, rows[0].0) } else { (first, last) };
                (g, Tally::over(f, l, rows.iter().map(|(m, r)| (*m, r))))
            })
            .collect();
        if last >= open {
            for d in self.running_past_due(scope, last, now).await? {
                if classify(&d, now) != Some(Timeliness::Late) {
                    continue;
                }
                let name = match by {
                    By::Total => String::new(),
                    By::Unit => d.resolving_unit.to_string(),
                    By::Procedure => d.procedure_code.to_string(),
                    By::Field => d.field.clone(),
                    By::Level => d.level.map(|l| l.as_str().to_owned()).unwrap_or_default(),
                    By::Month if open >= first => open.to_string(),
                    By::Month => continue,
                };
                out.entry(name).or_default().late += 1;
            }
        }
        Ok(out.into_iter().collect())
    }

    /// Running dossiers in `scope` received before the end of `last` and past their due instant
    /// at `now` (a superset of the late ones: `classify` decides).
    async fn running_past_due(&self, scope: &Scope, last: YearMonth, now: OffsetDateTime) -> Result<Vec<Dossier>> {
        let end =
            Period::month(last).map(|p| format_ts(p.end)).ok_or_else(|| StoreError::Corrupt(format!("{last}")))?;
        let mut s = scope.clone();
        // field and level live in the state: filtered below.
        let (field, level) = (s.field.take(), s.level.take());
        let (filter, binds) = scope_filter(&s, "resolving_unit", 3);
        let sql = format!(
            "SELECT state FROM dossiers WHERE finished_at IS NULL AND due_at < $1 AND received_at < $2{filter}"
        );
        let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql)).bind(format_ts(now)).bind(end);
        for b in &binds {
            q = q.bind(b.clone());
        }
        let mut out = Vec::new();
        for state in q.fetch_all(&self.pool).await? {
            let d = parse_state(&state)?;
            let level_ok = level.as_deref().is_none_or(|l| d.level.is_some_and(|x| x.as_str() == l));
            if field.as_deref().is_none_or(|f| d.field == f) && level_ok {
                out.push(d);
            }
        }
        Ok(out)
    }
}

/// ` AND …` conditions of a scope (units in `unit_column`), with parameters numbered from `from`.
pub(crate) fn scope_filter(scope: &Scope, unit_column: &str, from: usize) -> (String, Vec<String>) {
    let mut sql = String::new();
    let mut binds = Vec::new();
    let next = |v: &str, binds: &mut Vec<String>| {
        binds.push(v.to_owned());
        format!("${}", from + binds.len() - 1)
    };
    if let Some(units) = &scope.units {
        if units.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            let list: Vec<String> = units.iter().map(|u| next(u, &mut binds)).collect();
            sql.push_str(&format!(" AND {unit_column} IN ({})", list.join(", ")));
        }
    }
    for (col, v) in [("procedure_code", &scope.procedure), ("field", &scope.field), ("level", &scope.level)] {
        if let Some(v) = v {
            let p = next(v, &mut binds);
            sql.push_str(&format!(" AND {col} = {p}"));
        }
    }
    (sql, binds)
}
