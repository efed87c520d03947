//! `GET /can-bo/lanh-dao` (leaders): per unit the leader heads, the open dossiers by status and
//! how many are overdue; the overdue list, oldest appointment first (the inbox cut at "now",
//! keeping the rows whose clock runs); and on each row the reassignment form when the domain
//! allows the leader to assign.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use motcua_domain::dossier::Role;
use motcua_domain::dossier::actions::{ActionKind, allowed_actions};
use motcua_store::dossiers::InboxQuery;
use motcua_store::format_ts;
use serde::Deserialize;

use super::{Opt, PAGE, Row, cursor, next_cursor, rows, specialists, status_label, unit_names, units_with};
use crate::AppState;
use crate::extract::ApiQuery;
use crate::ui::error::UiError;
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, render};
use crate::views::Urgency;

#[derive(Deserialize)]
pub struct LeaderParams {
    cursor: Option<String>,
}

/// One unit's open work.
struct UnitSummary {
    code: String,
    name: String,
    open: i64,
    overdue: i64,
    by_status: Vec<(String, i64, i64)>,
}

/// An overdue dossier with its reassignment choices (`None`: the leader may not assign it).
struct OverdueRow {
    row: Row,
    reassign: Option<Vec<Opt>>,
}

#[derive(Template)]
#[template(path = "console/leader.html")]
struct LeaderPage {
    c: Chrome,
    units: Vec<UnitSummary>,
    overdue: Vec<OverdueRow>,
    next: Option<String>,
    first_page: bool,
}

pub(super) async fn page(
    State(state): State<AppState>,
    s: SignedIn,
    ApiQuery(q): ApiQuery<LeaderParams>,
) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    if !s.has(Role::Leader) {
        return Err(UiError::forbidden(lang));
    }
    let units = units_with(&s, Role::Leader);
    let cursor = cursor(q.cursor.as_deref(), lang)?;
    let first_page = cursor.is_none();
    let now = state.now();
    let names = unit_names(&state).await?;
    let mut summaries: Vec<UnitSummary> = units
        .iter()
        .map(|u| UnitSummary {
            code: u.clone(),
            name: names.get(u).cloned().unwrap_or_else(|| u.clone()),
            open: 0,
            overdue: 0,
            by_status: Vec::new(),
        })
        .collect();
    for c in state.store.counts_by_status(&units, now).await? {
        if let Some(sum) = summaries.iter_mut().find(|x| x.code == c.unit) {
            sum.open += c.count;
            sum.overdue += c.overdue;
            sum.by_status.push((status_label(c.status, lang), c.count, c.overdue));
        }
    }
    let query = InboxQuery { units, status: None, due_before: Some(format_ts(now)), cursor, limit: PAGE };
    let found = state.store.inbox(&query).await?;
    let next = next_cursor(&found, PAGE).map(|c| format!("/can-bo/lanh-dao?cursor={c}"));
    let actor = s.actor();
    let mut choices: HashMap<String, Vec<Opt>> = HashMap::new();
    let mut overdue = Vec::new();
    for row in rows(&state, found, now, lang).await? {
        if row.urgency != Urgency::Overdue {
            continue;
        }
        let reassign = match &row.dossier {
            Some(d) if allowed_actions(d, &actor).contains(&ActionKind::Assign) => {
                if !choices.contains_key(d.resolving_unit.as_str()) {
                    choices.insert(d.resolving_unit.to_string(), specialists(&state, &d.resolving_unit, None).await?);
                }
                let current = d.assignee.as_deref();
                choices.get(d.resolving_unit.as_str()).map(|opts| {
                    opts.iter()
                        .map(|o| Opt {
                            value: o.value.clone(),
                            label: o.label.clone(),
                            selected: current == Some(o.value.as_str()),
                        })
                        .collect()
                })
            }
            _ => None,
        };
        overdue.push(OverdueRow { row, reassign });
    }
    let c = Chrome::new(&s.visitor, "/can-bo/lanh-dao", "Điều hành của lãnh đạo", "Leader view");
    Ok(render(&LeaderPage { c, units: summaries, overdue, next, first_page }))
}
