//! Queue tickets (lấy số thứ tự), counter groups and counters (domain.md §11).
//!
//! The rules live in `motcua_domain::queue`; here they are applied in one transaction each.
//! Every change to a group's queue (issue aside) first updates the group's row, which takes the
//! write lock on SQLite and the row lock on PostgreSQL: two counters calling at once are
//! serialised, the second sees the first's call, and no ticket is ever called twice.

use motcua_domain::DomainError;
use motcua_domain::dossier::timeliness::Timeliness;
use motcua_domain::queue::rating::Rated;
use motcua_domain::queue::{
    Counter, CounterGroup, Priority, Step, Ticket, TicketState, order, ticket_day, ticket_id, ticket_number,
};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use time::{Date, OffsetDateTime};

use crate::{Result, Store, StoreError, format_date, format_ts, parse_ts};

const TICKET_COLUMNS: &str = "id, number, group_code, priority, issued_at, state, counter_id, officer, called_at, \
                              done_at, calls, transferred_from, dossier_code";

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
        dossier: r.try_get("dossier_code")?,
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

fn no_counter(id: &str) -> StoreError {
    StoreError::Domain(DomainError::not_found(
        format!("counter '{id}' not found"),
        format!("không tìm thấy quầy '{id}'"),
    ))
}

/// Locks a group's queue for the rest of the transaction and returns the group and its run.
async fn lock_group(tx: &mut Transaction<'static, Any>, code: &str) -> Result<(CounterGroup, u32)> {
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

async fn write_ticket(
    tx: &mut Transaction<'static, Any>,
    t: &Ticket,
    was: TicketState,
    recalled: bool,
    now: OffsetDateTime,
) -> Result<()> {
    let n = sqlx::query(
        "UPDATE queue_tickets SET group_code = $1, state = $2, counter_id = $3, officer = $4, called_at = $5, done_at = $6, \
         calls = $7, transferred_from = $8, dossier_code = $9, \
         last_called_at = CASE WHEN $10 = 1 THEN $11 ELSE last_called_at END \
         WHERE id = $12 AND state = $13",
    )
    .bind(t.group.clone())
    .bind(t.state.as_str())
    .bind(t.counter.clone())
    .bind(t.officer.clone())
    .bind(t.called_at.map(format_ts))
    .bind(t.done_at.map(format_ts))
    .bind(i64::from(t.calls))
    .bind(t.transferred_from.clone())
    .bind(t.dossier.clone())
    .bind(i64::from(recalled))
    .bind(format_ts(now))
    .bind(t.id.clone())
    .bind(was.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 1 { Ok(()) } else { Err(corrupt("ticket changed under the group lock", &t.id)) }
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
        let day = ticket_day(now);
        let mut tx = self.pool.begin().await?;
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO queue_seq (group_code, day, last_seq) VALUES ($1, $2, 1) \
             ON CONFLICT (group_code, day) DO UPDATE SET last_seq = queue_seq.last_seq + 1 RETURNING last_seq",
        )
        .bind(g.code.clone())
        .bind(format_date(day))
        .fetch_one(&mut *tx)
        .await?;
        let number = ticket_number(&g.prefix, u32::try_from(seq).unwrap_or(u32::MAX));
        let t = Ticket {
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
        };
        let ahead: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM queue_tickets WHERE group_code = $1 AND state = 'waiting' AND day = $3 \
             AND ($2 = 0 OR priority IS NOT NULL)",
        )
        .bind(g.code.clone())
        .bind(i64::from(priority.is_some()))
        .bind(format_date(day))
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO queue_tickets (id, number, day, unit, group_code, priority, issued_at, state, calls) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'waiting', 0)",
        )
        .bind(t.id.clone())
        .bind(t.number.clone())
        .bind(format_date(day))
        .bind(g.unit.clone())
        .bind(g.code.clone())
        .bind(priority.map(|p| p.as_str()))
        .bind(format_ts(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((t, ahead))
    }

    /// One ticket.
    pub async fn ticket(&self, id: &str) -> Result<Ticket> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {TICKET_COLUMNS} FROM queue_tickets WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| {
                StoreError::Domain(DomainError::not_found(
                    format!("ticket '{id}' not found"),
                    format!("không tìm thấy số '{id}'"),
                ))
            })?;
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
        let mut tx = self.pool.begin().await?;
        let (g, run) = lock_group(&mut tx, &c.group).await?;
        let busy: Option<String> = sqlx::query_scalar(
            "SELECT number FROM queue_tickets WHERE counter_id = $1 AND state IN ('called', 'serving') LIMIT 1",
        )
        .bind(c.id.clone())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(number) = busy {
            return Err(StoreError::Domain(DomainError::rule(
                "counter_busy",
                format!("this counter still handles ticket {number}: finish, skip or transfer it first"),
                format!("quầy đang phục vụ số {number}: hãy kết thúc, bỏ qua hoặc chuyển số này trước"),
            )));
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {TICKET_COLUMNS} FROM queue_tickets WHERE group_code = $1 AND state = 'waiting' AND day = $2"
        )))
        .bind(g.code.clone())
        .bind(format_date(ticket_day(now)))
        .fetch_all(&mut *tx)
        .await?;
        let waiting = rows.iter().map(ticket_row).collect::<Result<Vec<_>>>()?;
        let queue = order::Queue { group: &g, tickets: &waiting, priority_run: run };
        let Some(next) = order::next_ticket(&queue, &c, now) else {
            return Ok(None);
        };
        let called = motcua_domain::queue::call(next, &c, officer, now)?;
        write_ticket(&mut tx, &called, TicketState::Waiting, true, now).await?;
        sqlx::query("UPDATE queue_groups SET priority_run = $1 WHERE code = $2")
            .bind(i64::from(order::run_after(run, &called)))
            .bind(g.code.clone())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(called))
    }

    /// Applies `step` to a ticket at `counter`, atomically; `dossier` is linked on `done`.
    /// A transfer must stay within the counter's unit.
    pub async fn step_ticket(
        &self,
        id: &str,
        counter: &str,
        officer: &str,
        step: &Step,
        dossier: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Ticket> {
        let (c, unit) = self.counter(counter).await?;
        let t = self.ticket(id).await?;
        if let Step::Transfer { to } = step {
            let target = self.queue_group(to).await?;
            if target.unit != unit {
                return Err(StoreError::Domain(DomainError::rule(
                    "other_unit",
                    "a ticket can only be transferred to a group of the same one-stop",
                    "chỉ chuyển số sang nhóm quầy của cùng bộ phận một cửa",
                )));
            }
        }
        let mut tx = self.pool.begin().await?;
        // Lock the ticket's group (and the target, in code order so two transfers never deadlock).
        let mut groups = vec![t.group.clone()];
        if let Step::Transfer { to } = step {
            groups.push(to.clone());
        }
        groups.sort();
        groups.dedup();
        for g in &groups {
            lock_group(&mut tx, g).await?;
        }
        let r = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {TICKET_COLUMNS} FROM queue_tickets WHERE id = $1")))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let current = ticket_row(&r)?;
        if current.group != t.group {
            return Err(StoreError::Domain(DomainError::rule(
                "ticket_moved",
                "the ticket was just transferred to another group; reload",
                "số thứ tự vừa được chuyển sang nhóm khác; vui lòng tải lại",
            )));
        }
        let mut next = motcua_domain::queue::apply(&current, &c, officer, step, now)?;
        if *step == Step::Done
            && let Some(d) = dossier
        {
            next.dossier = Some(d.to_owned());
        }
        write_ticket(&mut tx, &next, current.state, *step == Step::Recall, now).await?;
        tx.commit().await?;
        Ok(next)
    }

    /// Links a dossier to a ticket (the dossier received from it).
    pub async fn link_ticket(&self, id: &str, dossier: &str) -> Result<()> {
        sqlx::query("UPDATE queue_tickets SET dossier_code = $1 WHERE id = $2")
            .bind(dossier)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores the hash of a one-time rating token for a finished ticket, valid until `expires`.
    pub async fn set_rating_token(&self, id: &str, token_hash: &str, expires: OffsetDateTime) -> Result<()> {
        sqlx::query("UPDATE queue_tickets SET rating_token_hash = $1, rating_token_expires = $2 WHERE id = $3")
            .bind(token_hash)
            .bind(format_ts(expires))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
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
        let n = sqlx::query(
            "UPDATE queue_tickets SET rating_token_hash = NULL, rating_token_expires = NULL \
             WHERE id = $1 AND rating_token_hash = $2 AND rating_token_expires > $3",
        )
        .bind(id)
        .bind(token_hash)
        .bind(format_ts(now))
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
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
