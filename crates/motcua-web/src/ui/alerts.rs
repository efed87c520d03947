//! `GET /can-bo/canh-bao`: the signed-in officer's daily alerts, per unit, grouped by kind —
//! the page version of `GET /api/v1/alerts`.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use crate::AppState;
use crate::notify::alerts::{AlertItem, officer_alerts};
use crate::ui::error::UiError;
use crate::ui::people::People;
use crate::ui::session::SignedIn;
use crate::ui::{Chrome, render};
use crate::views::{decimal, local_display};

/// One alert as the page shows it: people by name, instants `dd/mm/yyyy HH:MM` (UTC+7), days
/// in the page's number format.
struct Row {
    kind: String,
    code: String,
    assignee: Option<String>,
    at: Option<String>,
    elapsed_days: String,
    escalation: String,
}

/// One kind's alerts within a unit.
struct KindRows {
    label: String,
    items: Vec<Row>,
}

/// One unit's alerts.
struct UnitAlerts {
    code: String,
    name: String,
    kinds: Vec<KindRows>,
}

#[derive(Template)]
#[template(path = "alerts/page.html")]
struct AlertsPage {
    c: Chrome,
    units: Vec<UnitAlerts>,
    total: usize,
}

async fn page(State(state): State<AppState>, s: SignedIn) -> Result<Response, UiError> {
    let lang = s.visitor.lang;
    let groups = officer_alerts(&state, &s.user, state.now()).await?;
    let names = crate::ui::console::unit_names(&state).await?;
    let assignees: Vec<String> = groups.iter().flat_map(|g| &g.items).filter_map(|i| i.assignee.clone()).collect();
    let people = People::of(&state, assignees.iter()).await;
    let row = |i: AlertItem| Row {
        at: i.at.as_deref().and_then(|t| motcua_store::parse_ts(t).ok()).map(local_display).or(i.at),
        assignee: i.assignee.as_deref().map(|a| people.name(a)),
        elapsed_days: decimal(i.elapsed_days, lang),
        kind: i.kind,
        code: i.code,
        escalation: i.escalation,
    };
    let mut by_unit: BTreeMap<String, Vec<KindRows>> = BTreeMap::new();
    let mut total = 0;
    for g in groups {
        let mut per_unit: BTreeMap<String, Vec<Row>> = BTreeMap::new();
        for i in g.items {
            total += 1;
            per_unit.entry(i.unit.clone()).or_default().push(row(i));
        }
        for (unit, items) in per_unit {
            let label = lang.t(&g.label_vi, &g.label).to_owned();
            by_unit.entry(unit).or_default().push(KindRows { label, items });
        }
    }
    let units = by_unit
        .into_iter()
        .map(|(code, kinds)| UnitAlerts {
            name: names.get(&code).cloned().unwrap_or_else(|| code.clone()),
            code,
            kinds,
        })
        .collect();
    let c = Chrome::new(&s.visitor, "/can-bo/canh-bao", "Cảnh báo xử lý hồ sơ", "Daily alerts");
    Ok(render(&AlertsPage { c, units, total }))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/can-bo/canh-bao", get(page))
}
