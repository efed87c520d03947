//! The counter queue (issue 4): tickets issued at the kiosk, called and served at counters by
//! the one-stop's receivers, the display board, counter configuration, and the officers'
//! ratings. Ticket steps are decided by the domain (`motcua_domain::queue`) on the records' write
//! path.

use motcua_domain::ErrorCode;
use motcua_domain::dossier::{Actor, Role, Status};
use motcua_domain::queue::rating::{OfficerRating, per_officer};
use motcua_domain::queue::{Counter, CounterGroup, Priority, Step, Ticket};
use motcua_store::queue::{BoardRow, Waiting};
use time::{Duration, OffsetDateTime};

use crate::Application;
use crate::error::{AppResult, Error, Kind};

/// How long the counter tablet may use a rating token after the service ends.
pub const RATING_TOKEN_MINUTES: i64 = 30;

/// Issues a ticket of `group` (`priority` as the kiosk sends it; empty for a normal ticket);
/// answers it and how many of its class wait ahead.
#[tracing::instrument(skip_all, fields(group = %group))]
pub async fn issue(state: &Application, group: &str, priority: &str) -> AppResult<(Ticket, i64)> {
    let priority = Priority::parse(priority)?;
    Ok(state.store.issue_ticket(group.trim(), priority, state.now()).await?)
}

/// The counter and its unit, if `actor` is a receiver of that unit.
pub async fn counter_for(state: &Application, actor: &Actor, id: &str) -> AppResult<(Counter, String)> {
    let (c, unit) = state.store.counter(id).await?;
    if !actor.is(Role::Receiver, &unit) {
        return Err(Error::forbidden(
            "only a receiver of this one-stop may work at its counters",
            "chỉ cán bộ tiếp nhận của bộ phận một cửa này được làm việc tại quầy",
        ));
    }
    Ok((c, unit))
}

/// Calls the next ticket to `counter`.
#[tracing::instrument(skip_all, fields(counter = %counter))]
pub async fn call(state: &Application, actor: &Actor, counter: &str) -> AppResult<Ticket> {
    let (c, _) = counter_for(state, actor, counter).await?;
    state.store.call_next(&c.id, actor.name(), state.now()).await?.ok_or_else(|| {
        Error::new(
            Kind::NotFound,
            ErrorCode::QueueEmpty,
            "nobody is waiting in this group",
            "không còn người chờ trong nhóm quầy này",
        )
    })
}

/// A ticket after a step, with the one-time rating token for the counter tablet when the
/// service handed over the result of a dossier not yet rated.
pub struct Stepped {
    pub ticket: Ticket,
    pub rating_token: Option<String>,
}

/// Applies `step` to ticket `id` at `counter`; `dossier` links the dossier received (or returned)
/// with `done`.
#[tracing::instrument(skip_all, fields(ticket = %id, counter = %counter))]
pub async fn step(
    state: &Application,
    actor: &Actor,
    id: &str,
    counter: &str,
    step: Step,
    dossier: Option<&str>,
) -> AppResult<Stepped> {
    let (c, unit) = counter_for(state, actor, counter).await?;
    let dossier = match dossier.map(str::trim).filter(|d| !d.is_empty()) {
        Some(code) if step == Step::Done => {
            let d = crate::dossiers::load_for_officer(state, actor, code).await?;
            if d.receiving_unit != unit {
                return Err(Error::unprocessable(
                    ErrorCode::DossierOtherUnit,
                    "the dossier was not received by this one-stop",
                    "hồ sơ không do bộ phận một cửa này tiếp nhận",
                ));
            }
            Some(d)
        }
        Some(_) => {
            return Err(Error::bad_request(
                ErrorCode::UnexpectedDossier,
                "a dossier is linked only with 'done'",
                "chỉ gắn hồ sơ khi kết thúc phục vụ",
            ));
        }
        None => None,
    };
    let t =
        state.store.step_ticket(id, &c.id, actor.name(), &step, dossier.as_ref().map(|d| &d.code), state.now()).await?;
    let mut rating_token = None;
    if dossier.as_ref().is_some_and(|d| d.status == Status::Returned && d.rating.is_none()) {
        let token = crate::auth::new_token();
        let expires = state.now() + Duration::minutes(RATING_TOKEN_MINUTES);
        state.store.set_rating_token(&t.id, &crate::auth::token_hash(&token), expires).await?;
        rating_token = Some(token);
    }
    Ok(Stepped { ticket: t, rating_token })
}

/// The display board of `unit` (default: the provincial center): today's latest twelve numbers
/// called or served, and how many wait per group.
pub async fn board(state: &Application, unit: Option<&str>) -> AppResult<(String, Vec<BoardRow>, Vec<Waiting>)> {
    let unit = unit.map(str::trim).filter(|u| !u.is_empty()).unwrap_or(&state.province_center).to_owned();
    let (called, waiting) = state.store.queue_board(&unit, state.now(), 12).await?;
    Ok((unit, called, waiting))
}

fn require_admin(actor: &Actor, unit: &str) -> AppResult<()> {
    let scope = match actor {
        Actor::Officer { grants, .. } => crate::accounts::AdminScope::of_grants(grants),
        _ => None,
    };
    if scope.is_some_and(|s| s.covers(unit)) {
        Ok(())
    } else {
        Err(Error::forbidden(
            "only the one-stop's administrator may configure its counters",
            "chỉ quản trị của bộ phận một cửa được cấu hình quầy",
        ))
    }
}

/// Creates or replaces counter group `code` (the one-stop's administrator, of both the old and
/// the new unit).
#[tracing::instrument(skip_all, fields(group = %code))]
pub async fn put_group(state: &Application, actor: &Actor, code: &str, mut g: CounterGroup) -> AppResult<CounterGroup> {
    require_admin(actor, &g.unit)?;
    if let Ok(old) = state.store.queue_group(code).await {
        require_admin(actor, &old.unit)?;
    }
    if state.store.unit(&g.unit).await.is_err() {
        return Err(Error::unprocessable(ErrorCode::UnknownUnit, "unknown unit", "đơn vị không tồn tại"));
    }
    g.code = code.to_owned();
    state.store.put_queue_group(&g).await?;
    Ok(g)
}

/// Creates or replaces counter `id` in its group (the group's one-stop administrator).
#[tracing::instrument(skip_all, fields(counter = %id))]
pub async fn put_counter(state: &Application, actor: &Actor, id: &str, mut c: Counter) -> AppResult<Counter> {
    let g = state.store.queue_group(&c.group).await?;
    require_admin(actor, &g.unit)?;
    c.id = id.to_owned();
    state.store.put_counter(&c).await?;
    Ok(c)
}

/// Ratings per officer in a period, scoped to `units` (empty = all).
pub async fn officer_ratings(
    state: &Application,
    units: &[String],
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> AppResult<Vec<OfficerRating>> {
    Ok(per_officer(&state.store.officer_ratings(units, from, to).await?))
}
