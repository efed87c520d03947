//! Queue tickets (lấy số thứ tự), counter groups and counters (domain.md §11).
//!
//! The rules live in `motcua_domain::queue`. A ticket's history is kept by [`crate::records`]
//! (the one write path of every record with a history; kind `queue_ticket`) and `queue_tickets`
//! is its projection. Every write runs in the single writer, so two counters calling at once are
//! serialised and the second sees the first's call; a change to a group's queue also updates the
//! group's row first (the row lock on PostgreSQL), so no ticket is ever called twice even by two
//! instances sharing one database.

use futures_util::future::BoxFuture;
use motcua_domain::DomainError;
use motcua_domain::ErrorCode;
use motcua_domain::dossier::timeliness::Timeliness;
use motcua_domain::ids::DossierCode;
use motcua_domain::queue::rating::Rated;
use motcua_domain::queue::{
    self, Counter, CounterGroup, Priority, Step, Ticket, TicketChange, TicketEvent, TicketState, order, ticket_day,
    ticket_id, ticket_number,
};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use time::{Date, OffsetDateTime};

use crate::records::{self, Projection, Tx};
use crate::{Result, Store, StoreError, format_date, format_ts, parse_ts};

const TICKET_COLUMNS: &str = "id, number, group_code, priority, issued_at, state, counter_id, officer, called_at, \
                              done_at, calls, transferred_from, dossier_code, version";

/// A ticket with where it was called, for the display board.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardRow {
    pub number: String,
    pub priority: Option<Priority>,
    pub state: TicketState,
    pub counter: String,
    pub counter_name: String,
    pub group: String,
    pub called_at: OffsetDateTime,
}

/// Tickets waiting in a group.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    pub group: String,
    pub name: String,
    pub waiting: i64,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn ts(s: &str) -> Result<OffsetDateTime> {
    parse_ts(s).map_err(|e| corrupt("queue instant", e))
}

fn opt_ts(s: Option<String>) -> Result<Option<OffsetDateTime>> {
    s.as_deref().map(ts).transpose()
}

fn ticket_row(r: &AnyRow) -> Result<Ticket> {
    let priority: Option<String> = r.try_get("priority")?;
    let state: String = r.try_get("state")?;
    let calls: i64 = r.try_get("calls")?;
    Ok(Ticket {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        group: r.try_get("group_code")?,
        priority: match priority {
            Some(p) => Priority::parse(&p).map_err(|e| corrupt("ticket priority", e))?,
            None => None,
        },
        issued_at: ts(&r.try_get::<String, _>("issued_at")?)?,
        state: TicketState::parse(&state).ok_or_else(|| corrupt("ticket state", &state))?,
        counter: r.try_get("counter_id")?,
        officer: r.try_get("officer")?,
        called_at: opt_ts(r.try_get("called_at")?)?,
        done_at: opt_ts(r.try_get("done_at")?)?,
        calls: u32::try_from(calls).unwrap_or(u32::MAX),
        transferred_from: r.try_get("transferred_from")?,
        dossier: r
            .try_get::<Option<String>, _>("dossier_code")?
            .map(|c| DossierCode::parse(&c).map_err(|e| corrupt("ticket dossier code", e)))
            .transpose()?,
        version: r.try_get("version")?,
    })
}

fn group_row(r: &AnyRow) -> Result<CounterGroup> {
    let data: String = r.try_get("data")?;
    serde_json::from_str(&data).map_err(|e| corrupt("counter group", e))
}

fn no_group(code: &str) -> StoreError {
    StoreError::Domain(DomainError::not_found(
        format!("counter group '{code}' not found"),
        format!("không tìm thấy nhóm quầy '{code}'"),
    ))
}

fn no_ticket(id: &str) -> StoreError {
    StoreError::Domain(DomainError::not_found(format!("ticket '{id}' not found"), format!("không tìm thấy số '{id}'")))
}

fn no_counter(id: &str) -> StoreError {
    StoreError::Domain(DomainError::not_found(
        format!("counter '{id}' not found"),
        format!("không tìm thấy quầy '{id}'"),
    ))
}

/// Locks a group's queue for the rest of the transaction and returns the group and its run.
async fn lock_group(tx: &mut Tx, code: &str) -> Result<(CounterGroup, u32)> {
    let n = sqlx::query("UPDATE queue_groups SET priority_run = priority_run WHERE code = $1")
        .bind(code)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(no_group(code));
    }
    let r = sqlx::query("SELECT data, priority_run FROM queue_groups WHERE code = $1")
        .bind(code)
        .fetch_one(&mut **tx)
        .await?;
    let run: i64 = r.try_get("priority_run")?;
    Ok((group_row(&r)?, u32::try_from(run).unwrap_or(u32::MAX)))
}

impl Store {
    /// Creates or replaces a counter group (its priority run is kept).
    pub async fn put_queue_group(&self, g: &CounterGroup) -> Result<()> {
        g.validate()?;
        let data = serde_json::to_string(g).map_err(|e| corrupt("counter group", e))?;
        sqlx::query(
            "INSERT INTO queue_groups (code, unit, name, prefix, max_priority_run, priority_run, data) \
             VALUES ($1, $2, $3, $4, $5, 0, $6) ON CONFLICT (code) DO UPDATE SET unit = excluded.unit, \
             name = excluded.name, prefix = excluded.prefix, max_priority_run = excluded.max_priority_run, data = excluded.data",
        )
        .bind(g.code.clone())
        .bind(g.unit.clone())
        .bind(g.name.clone())
        .bind(g.prefix.clone())
        .bind(i64::from(g.max_priority_run))
        .bind(data)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Counter groups, of one unit or all, by code.
    pub async fn queue_groups(&self, unit: Option<&str>) -> Result<Vec<CounterGroup>> {
        let rows = sqlx::query("SELECT data FROM queue_groups WHERE $1 = '' OR unit = $1 ORDER BY code")
            .bind(unit.unwrap_or("").to_owned())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(group_row).collect()
    }

    /// One counter group.
    pub async fn queue_group(&self, code: &str) -> Result<CounterGroup> {
        let r =
            sqlx::query("SELECT data FROM queue_groups WHERE code = $1").bind(code).fetch_optional(&self.pool).await?;
        r.as_ref().map(group_row).transpose()?.ok_or_else(|| no_group(code))
    }

    /// Creates or replaces a counter; its unit is its group's.
    pub async fn put_counter(&self, c: &Counter) -> Result<()> {
        c.validate()?;
        let g = self.queue_group(&c.group).await?;
        sqlx::query(
            "INSERT INTO queue_counters (id, name, group_code, unit) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, group_code = excluded.group_code, unit = excluded.unit",
        )
        .bind(c.id.clone())
        .bind(c.name.clone())
        .bind(c.group.clone())
        .bind(g.unit)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// One counter and the unit it belongs to.
    pub async fn counter(&self, id: &str) -> Result<(Counter, String)> {
        let r = sqlx::query("SELECT id, name, group_code, unit FROM queue_counters WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| no_counter(id))?;
        Ok((
            Counter { id: r.try_get("id")?, name: r.try_get("name")?, group: r.try_get("group_code")? },
            r.try_get("unit")?,
        ))
    }

    /// Counters of some units (all when `units` is empty), by id.
    pub async fn counters(&self, units: &[String]) -> Result<Vec<(Counter, String)>> {
        let rows = sqlx::query("SELECT id, name, group_code, unit FROM queue_counters ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::new();
        for r in rows {
            let unit: String = r.try_get("unit")?;
            if units.is_empty() || units.contains(&unit) {
                out.push((
                    Counter { id: r.try_get("id")?, name: r.try_get("name")?, group: r.try_get("group_code")? },
                    unit,
                ));
            }
        }
        Ok(out)
    }

    /// Issues the next number of `group` for the local day of `now`; returns the ticket and how
    /// many tickets of its class wait ahead of it (an estimate: priority rules may reorder).
    pub async fn issue_ticket(
        &self,
        group: &str,
        priority: Option<Priority>,
        now: OffsetDateTime,
    ) -> Result<(Ticket, i64)> {
        let g = self.queue_group(group).await?;
        self.writer
            .transact(move |tx| {
                Box::pin(async move {
                    let day = ticket_day(now);
                    let seq: i64 = sqlx::query_scalar(
                        "INSERT INTO queue_seq (group_code, day, last_seq) VALUES ($1, $2, 1) \
                         ON CONFLICT (group_code, day) DO UPDATE SET last_seq = queue_seq.last_seq + 1 RETURNING last_seq",
                    )
                    .bind(g.code.clone())
                    .bind(format_date(day))
                    .fetch_one(&mut **tx)
                    .await?;
                    let number = ticket_number(&g.prefix, u32::try_from(seq).unwrap_or(u32::MAX));
                    let ticket = Ticket {
                        id: ticket_id(&g.code, day, &number),
                        number,
                        group: g.code.clone(),
                        priority,
                        issued_at: now,
                        state: TicketState::Waiting,
                        counter: None,
                        officer: None,
                        called_at: None,
                        done_at: None,
                        calls: 0,
                        transferred_from: None,
                        dossier: None,
                        version: 0,
                    };
                    let ahead: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM queue_tickets WHERE group_code = $1 AND state = 'waiting' AND day = $3 \
                         AND ($2 = 0 OR priority IS NOT NULL)",
                    )
                    .bind(g.code.clone())
                    .bind(i64::from(priority.is_some()))
                    .bind(format_date(day))
                    .fetch_one(&mut **tx)
                    .await?;
                    let issued =
                        TicketEvent { at: now, by: "kiosk".into(), what: TicketChange::Issued { ticket: Box::new(ticket) } };
                    let t = records::create_in::<Ticket>(tx, std::slice::from_ref(&issued)).await?;
                    Ok((t, ahead))
                })
            })
            .await
    }

    /// One ticket.
    pub async fn ticket(&self, id: &str) -> Result<Ticket> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {TICKET_COLUMNS} FROM queue_tickets WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| no_ticket(id))?;
        ticket_row(&r)
    }

    /// The ticket a counter is handling (called or serving), if any.
    pub async fn counter_ticket(&self, counter: &str) -> Result<Option<Ticket>> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {TICKET_COLUMNS} FROM queue_tickets WHERE counter_id = $1 AND state IN ('called', 'serving') \
             ORDER BY last_called_at DESC LIMIT 1"
        )))
        .bind(counter)
        .fetch_optional(&self.pool)
        .await?;
        r.as_ref().map(ticket_row).transpose()
    }

    /// Calls the next ticket at `counter` (the domain's fair order), atomically. `Ok(None)` when
    /// nobody waits; refused with `counter_busy` while the counter still handles a ticket.
    pub async fn call_next(&self, counter: &str, officer: &str, now: OffsetDateTime) -> Result<Option<Ticket>> {
        let (c, _) = self.counter(counter).await?;
        let officer = officer.to_owned();
        self.writer
            .transact(move |tx| {
                Box::pin(async move {
                    let (g, run) = lock_group(tx, &c.group).await?;
                    let busy: Option<String> = sqlx::query_scalar(
                        "SELECT number FROM queue_tickets WHERE counter_id = $1 AND state IN ('called', 'serving') LIMIT 1",
                    )
                    .bind(c.id.clone())
                    .fetch_optional(&mut **tx)
                    .await?;
                    if let Some(number) = busy {
                        return Err(StoreError::Domain(DomainError::rule(
                            ErrorCode::CounterBusy,
                            format!("this counter still handles ticket {number}: finish, skip or transfer it first"),
                            format!("quầy đang phục vụ số {number}: hãy kết thúc, bỏ qua hoặc chuyển số này trước"),
                        )));
                    }
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {TICKET_COLUMNS} FROM queue_tickets WHERE group_code = $1 AND state = 'waiting' AND day = $2"
                    )))
                    .bind(g.code.clone())
                    .bind(format_date(ticket_day(now)))
                    .fetch_all(&mut **tx)
                    .await?;
                    let waiting = rows.iter().map(ticket_row).collect::<Result<Vec<_>>>()?;
                    let queue = order::Queue { group: &g, tickets: &waiting, priority_run: run };
                    let Some(next) = order::next_ticket(&queue, &c, now) else {
                        return Ok(None);
                    };
                    let called = records::append_in::<Ticket>(tx, &next.id, Some(next.version), |t| {
                        Ok(vec![queue::decide_call(t, &c, &officer, now)?])
                    })
                    .await?;
                    sqlx::query("UPDATE queue_groups SET priority_run = $1 WHERE code = $2")
                        .bind(i64::from(order::run_after(run, &called)))
                        .bind(g.code.clone())
                        .execute(&mut **tx)
                        .await?;
                    Ok(Some(called))
                })
            })
            .await
    }

    /// Applies `step` to a ticket at `counter`, atomically; `dossier` is linked on `done`.
    /// A transfer must stay within the counter's unit.
    pub async fn step_ticket(
        &self,
        id: &str,
        counter: &str,
        officer: &str,
        step: &Step,
        dossier: Option<&DossierCode>,
        now: OffsetDateTime,
    ) -> Result<Ticket> {
        let (c, unit) = self.counter(counter).await?;
        let t = self.ticket(id).await?;
        if let Step::Transfer { to } = step {
            let target = self.queue_group(to).await?;
            if target.unit != unit {
                return Err(StoreError::Domain(DomainError::rule(
                    ErrorCode::OtherUnit,
                    "a ticket can only be transferred to a group of the same one-stop",
                    "chỉ chuyển số sang nhóm quầy của cùng bộ phận một cửa",
                )));
            }
        }
        let (id, officer, step, dossier) = (id.to_owned(), officer.to_owned(), step.clone(), dossier.cloned());
        self.writer
            .transact(move |tx| {
                Box::pin(async move {
                    // Lock the ticket's group (and the target, in code order so two transfers
                    // never deadlock between instances sharing one PostgreSQL).
                    let mut groups = vec![t.group.clone()];
                    if let Step::Transfer { to } = &step {
                        groups.push(to.clone());
                    }
                    groups.sort();
                    groups.dedup();
                    for g in &groups {
                        lock_group(tx, g).await?;
                    }
                    records::append_in::<Ticket>(tx, &id, None, |current| {
                        if current.group != t.group {
                            return Err(DomainError::rule(
                                ErrorCode::TicketMoved,
                                "the ticket was just transferred to another group; reload",
                                "số thứ tự vừa được chuyển sang nhóm khác; vui lòng tải lại",
                            ));
                        }
                        Ok(vec![queue::decide(current, &c, &officer, &step, dossier.as_ref(), now)?])
                    })
                    .await
                })
            })
            .await
    }

    /// Links a dossier to a ticket (the dossier received from it), as an event of its history.
    pub async fn link_ticket(&self, id: &str, dossier: &DossierCode, by: &str, at: OffsetDateTime) -> Result<Ticket> {
        let e = TicketEvent { at, by: by.to_owned(), what: TicketChange::LinkedDossier { dossier: dossier.clone() } };
        let id = id.to_owned();
        self.writer
            .transact(move |tx| {
                Box::pin(async move { records::append_in::<Ticket>(tx, &id, None, |_| Ok(vec![e])).await })
            })
            .await
    }

    /// Stores the hash of a one-time rating token for a finished ticket, valid until `expires`
    /// (beside the history, like a feedback vote).
    pub async fn set_rating_token(&self, id: &str, token_hash: &str, expires: OffsetDateTime) -> Result<()> {
        let (id, token_hash) = (id.to_owned(), token_hash.to_owned());
        self.writer
            .transact(move |tx| {
                Box::pin(async move {
                    sqlx::query(
                        "UPDATE queue_tickets SET rating_token_hash = $1, rating_token_expires = $2 WHERE id = $3",
                    )
                    .bind(token_hash)
                    .bind(format_ts(expires))
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    /// Whether `token_hash` is the ticket's unexpired rating token.
    pub async fn rating_token_valid(&self, id: &str, token_hash: &str, now: OffsetDateTime) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM queue_tickets WHERE id = $1 AND rating_token_hash = $2 AND rating_token_expires > $3",
        )
        .bind(id)
        .bind(token_hash)
        .bind(format_ts(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(n == 1)
    }

    /// Consumes the rating token: true exactly once for a valid, unexpired token.
    pub async fn take_rating_token(&self, id: &str, token_hash: &str, now: OffsetDateTime) -> Result<bool> {
        let (id, token_hash) = (id.to_owned(), token_hash.to_owned());
        self.writer
            .transact(move |tx| {
                Box::pin(async move {
                    let n = sqlx::query(
                        "UPDATE queue_tickets SET rating_token_hash = NULL, rating_token_expires = NULL \
                         WHERE id = $1 AND rating_token_hash = $2 AND rating_token_expires > $3",
                    )
                    .bind(id)
                    .bind(token_hash)
                    .bind(format_ts(now))
                    .execute(&mut **tx)
                    .await?
                    .rows_affected();
                    Ok(n == 1)
                })
            })
            .await
    }

    /// The display board of a unit for the local day of `now`: the tickets being called or
    /// served, latest call first, and how many wait per group.
    pub async fn queue_board(
        &self,
        unit: &str,
        now: OffsetDateTime,
        limit: i64,
    ) -> Result<(Vec<BoardRow>, Vec<Waiting>)> {
        let day = format_date(ticket_day(now));
        let rows = sqlx::query(
            "SELECT t.number, t.priority, t.state, t.counter_id, c.name AS counter_name, t.group_code, t.last_called_at \
             FROM queue_tickets t JOIN queue_counters c ON c.id = t.counter_id \
             WHERE t.unit = $1 AND t.day = $2 AND t.state IN ('called', 'serving') \
             ORDER BY t.last_called_at DESC, t.number LIMIT $3",
        )
        .bind(unit)
        .bind(day.clone())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut called = Vec::new();
        for r in rows {
            let state: String = r.try_get("state")?;
            let priority: Option<String> = r.try_get("priority")?;
            called.push(BoardRow {
                number: r.try_get("number")?,
                priority: priority
                    .as_deref()
                    .map(Priority::parse)
                    .transpose()
                    .map_err(|e| corrupt("priority", e))?
                    .flatten(),
                state: TicketState::parse(&state).ok_or_else(|| corrupt("ticket state", &state))?,
                counter: r.try_get("counter_id")?,
                counter_name: r.try_get("counter_name")?,
                group: r.try_get("group_code")?,
                called_at: ts(&r.try_get::<String, _>("last_called_at")?)?,
            });
        }
        let rows = sqlx::query(
            "SELECT g.code, g.name, (SELECT COUNT(*) FROM queue_tickets t WHERE t.group_code = g.code AND t.state = 'waiting' AND t.day = $2) AS n \
             FROM queue_groups g WHERE g.unit = $1 ORDER BY g.code",
        )
        .bind(unit)
        .bind(day)
        .fetch_all(&self.pool)
        .await?;
        let waiting = rows
            .iter()
            .map(|r| Ok(Waiting { group: r.try_get("code")?, name: r.try_get("name")?, waiting: r.try_get("n")? }))
            .collect::<Result<Vec<_>>>()?;
        Ok((called, waiting))
    }

    /// The tickets of some units (all when empty) for a local day, for the metrics
    /// (`motcua_domain::queue::metrics::compute`) — also what a public dashboard can show.
    pub async fn tickets_on(&self, units: &[String], day: Date) -> Result<Vec<Ticket>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {TICKET_COLUMNS}, unit FROM queue_tickets WHERE day = $1 ORDER BY issued_at, id"
        )))
        .bind(format_date(day))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let unit: String = r.try_get("unit")?;
            if units.is_empty() || units.contains(&unit) {
                out.push(ticket_row(&r)?);
            }
        }
        Ok(out)
    }

    /// Queue metrics of some units (all when empty) for a local day.
    pub async fn queue_metrics(
        &self,
        units: &[String],
        day: Date,
    ) -> Result<motcua_domain::queue::metrics::QueueMetrics> {
        Ok(motcua_domain::queue::metrics::compute(&self.tickets_on(units, day).await?))
    }

    /// Ratings given in `[from, to)` to dossiers received or resolved by `units` (all when
    /// empty), each attributed to the officer who served the citizen: the officer of the last
    /// finished ticket linked to the dossier, otherwise the one who recorded `return_result`.
    pub async fn officer_ratings(
        &self,
        units: &[String],
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<Rated>> {
        let rows = sqlx::query(
            "SELECT e.dossier_code, e.payload, d.receiving_unit, d.resolving_unit, d.timeliness, \
             (SELECT t.officer FROM queue_tickets t WHERE t.dossier_code = e.dossier_code AND t.state = 'done' \
              ORDER BY t.done_at DESC LIMIT 1) AS ticket_officer, \
             (SELECT r.actor FROM dossier_events r WHERE r.dossier_code = e.dossier_code AND r.action = 'return_result' \
              ORDER BY r.seq DESC LIMIT 1) AS returned_by \
             FROM dossier_events e JOIN dossiers d ON d.code = e.dossier_code \
             WHERE e.action = 'rate' AND e.occurred_at >= $1 AND e.occurred_at < $2 ORDER BY e.occurred_at",
        )
        .bind(format_ts(from))
        .bind(format_ts(to))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let receiving: String = r.try_get("receiving_unit")?;
            let resolving: String = r.try_get("resolving_unit")?;
            if !units.is_empty() && !units.contains(&receiving) && !units.contains(&resolving) {
                continue;
            }
            let payload: String = r.try_get("payload")?;
            let v: serde_json::Value = serde_json::from_str(&payload).map_err(|e| corrupt("rate event", e))?;
            // The stored payload is the canonical link {dossier, event, seq}.
            let score = v
                .get("event")
                .unwrap_or(&v)
                .get("score")
                .and_then(serde_json::Value::as_u64)
                .and_then(|s| u8::try_from(s).ok())
                .ok_or_else(|| corrupt("rate event score", &payload))?;
            let ticket_officer: Option<String> = r.try_get("ticket_officer")?;
            let returned_by: Option<String> = r.try_get("returned_by")?;
            let Some(officer) = ticket_officer.or(returned_by) else { continue };
            let timeliness: Option<String> = r.try_get("timeliness")?;
            out.push(Rated {
                officer,
                score,
                timeliness: match timeliness.as_deref() {
                    Some("early") => Some(Timeliness::Early),
                    Some("on_time") => Some(Timeliness::OnTime),
                    Some("late") => Some(Timeliness::Late),
                    _ => None,
                },
            });
        }
        Ok(out)
    }
}

/// The time of the newest call among `events` (a call or a recall), for the display board.
fn last_call(events: &[TicketEvent]) -> Option<String> {
    events
        .iter()
        .rev()
        .find(|e| matches!(e.what, TicketChange::Called { .. } | TicketChange::Recalled))
        .map(|e| format_ts(e.at))
}

/// `queue_tickets` is the query projection of the ticket histories (the rating token lies outside
/// the history).
impl Projection for Ticket {
    fn load<'t>(tx: &'t mut Tx, id: &'t str) -> BoxFuture<'t, Result<Option<Ticket>>> {
        Box::pin(async move {
            let r =
                sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {TICKET_COLUMNS} FROM queue_tickets WHERE id = $1")))
                    .bind(id.to_owned())
                    .fetch_optional(&mut **tx)
                    .await?;
            r.as_ref().map(ticket_row).transpose()
        })
    }

    fn project<'t>(
        tx: &'t mut Tx,
        before: Option<&'t Ticket>,
        t: &'t Ticket,
        events: &'t [TicketEvent],
    ) -> BoxFuture<'t, Result<()>> {
        Box::pin(async move {
            if before.is_none() {
                let unit: String = sqlx::query_scalar("SELECT unit FROM queue_groups WHERE code = $1")
                    .bind(t.group.clone())
                    .fetch_optional(&mut **tx)
                    .await?
                    .ok_or_else(|| no_group(&t.group))?;
                sqlx::query(
                    "INSERT INTO queue_tickets (id, number, day, unit, group_code, priority, issued_at, state, counter_id, \
                     officer, called_at, last_called_at, done_at, calls, transferred_from, dossier_code, version) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
                )
                .bind(t.id.clone())
                .bind(t.number.clone())
                .bind(format_date(ticket_day(t.issued_at)))
                .bind(unit)
                .bind(t.group.clone())
                .bind(t.priority.map(|p| p.as_str()))
                .bind(format_ts(t.issued_at))
                .bind(t.state.as_str())
                .bind(t.counter.clone())
                .bind(t.officer.clone())
                .bind(t.called_at.map(format_ts))
                .bind(last_call(events))
                .bind(t.done_at.map(format_ts))
                .bind(i64::from(t.calls))
                .bind(t.transferred_from.clone())
                .bind(t.dossier.as_ref().map(ToString::to_string))
                .bind(t.version)
                .execute(&mut **tx)
                .await?;
            } else {
                sqlx::query(
                    "UPDATE queue_tickets SET group_code = $1, state = $2, counter_id = $3, officer = $4, called_at = $5, \
                     done_at = $6, calls = $7, transferred_from = $8, dossier_code = $9, version = $10, \
                     last_called_at = COALESCE($11, last_called_at) WHERE id = $12",
                )
                .bind(t.group.clone())
                .bind(t.state.as_str())
                .bind(t.counter.clone())
                .bind(t.officer.clone())
                .bind(t.called_at.map(format_ts))
                .bind(t.done_at.map(format_ts))
                .bind(i64::from(t.calls))
                .bind(t.transferred_from.clone())
                .bind(t.dossier.as_ref().map(ToString::to_string))
                .bind(t.version)
                .bind(last_call(events))
                .bind(t.id.clone())
                .execute(&mut **tx)
                .await?;
            }
            Ok(())
        })
    }

    fn ids<'p>(pool: &'p AnyPool) -> BoxFuture<'p, Result<Vec<String>>> {
        Box::pin(async move { Ok(sqlx::query_scalar("SELECT id FROM queue_tickets").fetch_all(pool).await?) })
    }

    fn read<'p>(pool: &'p AnyPool, id: &'p str) -> BoxFuture<'p, Result<Option<Ticket>>> {
        Box::pin(async move {
            let r =
                sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {TICKET_COLUMNS} FROM queue_tickets WHERE id = $1")))
                    .bind(id.to_owned())
                    .fetch_optional(pool)
                    .await?;
            r.as_ref().map(ticket_row).transpose()
        })
    }
}

/// The opening event of a ticket issued before tickets had a history (migration 0014).
pub(crate) fn adopted(t: &Ticket) -> TicketEvent {
    let at = OffsetDateTime::now_utc();
    TicketEvent { at, by: "system".into(), what: TicketChange::Adopted { ticket: Box::new(t.clone()) } }
}
