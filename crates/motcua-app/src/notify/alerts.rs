//! Who sees which alert: the rules of `motcua_domain::alerts` applied to the store's open
//! dossiers, failed deliveries and feedback, filtered for one officer — the dossiers assigned to
//! them, their units' dossiers, and the escalations that reach them up the org tree.

use std::collections::{BTreeMap, HashMap};

use motcua_domain::alerts::{Alert, AlertKind, AlertRules, Escalation, dossier_alerts, escalation_targets};
use motcua_domain::dossier::Role;
use motcua_store::users::User;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::Application;
use crate::error::AppResult;

/// Failed deliveries listed per unit at most.
const FAILED_LIMIT: i64 = 200;

/// One alert as the API and the pages show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertItem {
    /// `overdue`, `step_overdue`, `due_soon`, `idle`, `feedback`, `delivery_failed`.
    pub kind: String,
    /// Dossier (or feedback) code; for a failed delivery the dossier it was about, if any.
    pub code: String,
    /// Holding unit.
    pub unit: String,
    pub assignee: Option<String>,
    /// The deadline concerned (or the last action, for `idle`), RFC 3339 in UTC+7.
    pub at: Option<String>,
    /// Working days past the deadline, or since the last action (`idle`).
    pub elapsed_days: f64,
    /// `none`, `unit_leader`, `parent`.
    pub escalation: String,
    /// Why this officer sees it: `assigned`, `unit` or `escalation`.
    pub reason: String,
}

/// Alerts of one kind.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertGroup {
    pub kind: String,
    pub label: String,
    pub label_vi: String,
    pub items: Vec<AlertItem>,
}

/// Every alert in the system at `now` (dossiers, feedback, failed deliveries), with the parent of
/// each unit (for escalation).
pub struct Snapshot {
    pub alerts: Vec<Alert>,
    parents: HashMap<String, Option<String>>,
}

/// Alert rules from the environment: `MOTCUA_ALERT_IDLE_DAYS` (default 3 working days).
pub fn rules() -> AlertRules {
    let days = std::env::var("MOTCUA_ALERT_IDLE_DAYS").ok().and_then(|v| v.trim().parse::<u32>().ok());
    days.map(AlertRules::with_idle_days).unwrap_or_default()
}

/// Feedback (domain.md §8) whose current deadline (the 2/5/15/2 working-day rules) is past, or
/// within the due-soon lead time, for the unit that must act: the assigned unit, or the center
/// while it still has to classify. Overdue feedback escalates like an overdue dossier.
async fn feedback_alerts(
    state: &Application,
    rules: &AlertRules,
    units: Option<&[String]>,
    now: OffsetDateTime,
) -> AppResult<Vec<Alert>> {
    let open = match units {
        None => state.store.open_feedback_deadlines(None).await?,
        Some(units) => {
            let mut all = Vec::new();
            for u in units {
                all.extend(state.store.open_feedback_deadlines(Some(u)).await?);
            }
            all.sort_by(|a, b| a.code.cmp(&b.code));
            all.dedup_by(|a, b| a.code == b.code);
            all
        }
    };
    let mut out = Vec::new();
    for f in open {
        let unit = f.unit.clone().unwrap_or_else(|| f.center.clone());
        let cal = state.calendars.get(Some(&unit));
        let (elapsed, escalation) = if f.due < now {
            let late = cal.between(f.due, now);
            (late, motcua_domain::alerts::escalation(rules, late))
        } else if cal.between(now, f.due) <= rules.due_soon {
            (motcua_domain::calendar::WorkingTime::ZERO, Escalation::None)
        } else {
            continue;
        };
        out.push(Alert {
            kind: AlertKind::Feedback,
            code: f.code,
            receiving_unit: f.center,
            unit,
            assignee: None,
            at: Some(f.due),
            elapsed,
            escalation,
        });
    }
    Ok(out)
}

impl Snapshot {
    /// Computes the alerts of `units` (all units when `None`).
    pub async fn take(state: &Application, units: Option<&[String]>, now: OffsetDateTime) -> AppResult<Snapshot> {
        let rules = rules();
        let mut alerts = Vec::new();
        for f in state.store.open_dossier_facts(units).await? {
            let cal = state.calendars.get(Some(&f.holder_unit));
            alerts.extend(dossier_alerts(&cal, &rules, &f, now));
        }
        alerts.extend(feedback_alerts(state, &rules, units, now).await?);
        for m in state.store.failed_deliveries(units, FAILED_LIMIT).await? {
            let unit = m.unit.clone().unwrap_or_default();
            alerts.push(Alert {
                kind: AlertKind::DeliveryFailed,
                code: m.about.clone().unwrap_or_else(|| m.idempotency_key.clone()),
                receiving_unit: unit.clone(),
                unit,
                assignee: None,
                at: motcua_store::parse_ts(&m.next_attempt_at).ok(),
                elapsed: motcua_domain::calendar::WorkingTime::ZERO,
                escalation: Escalation::None,
            });
        }
        let parents = state.store.units().await?.into_iter().map(|u| (u.code.into_string(), u.parent)).collect();
        Ok(Snapshot { alerts, parents })
    }

    /// The alerts `user` sees, grouped by kind (most urgent kind first, then by code).
    pub fn for_user(&self, user: &User) -> Vec<AlertGroup> {
        let units = user.units();
        let mut groups: BTreeMap<AlertKind, Vec<AlertItem>> = BTreeMap::new();
        for a in &self.alerts {
            let Some(reason) = self.reason(a, user, &units) else { continue };
            groups.entry(a.kind).or_default().push(AlertItem {
                kind: a.kind.as_str().to_owned(),
                code: a.code.clone(),
                unit: a.unit.clone(),
                assignee: a.assignee.clone(),
                at: a.at.map(crate::clock::local),
                elapsed_days: (a.elapsed.days() * 100.0).round() / 100.0,
                escalation: a.escalation.as_str().to_owned(),
                reason: reason.to_owned(),
            });
        }
        groups
            .into_iter()
            .map(|(kind, mut items)| {
                items.sort_by(|a, b| a.code.cmp(&b.code));
                AlertGroup {
                    kind: kind.as_str().to_owned(),
                    label: kind.label_en().to_owned(),
                    label_vi: kind.label_vi().to_owned(),
                    items,
                }
            })
            .collect()
    }

    fn reason(&self, a: &Alert, user: &User, units: &[String]) -> Option<&'static str> {
        if a.assignee.as_deref() == Some(user.username.as_str()) {
            return Some("assigned");
        }
        if units.contains(&a.unit) {
            return Some("unit");
        }
        let parent = self.parents.get(&a.unit).cloned().flatten();
        let targets = escalation_targets(a.escalation, &a.unit, parent.as_deref(), &a.receiving_unit);
        targets.iter().any(|t| user.roles.contains(t)).then_some("escalation")
    }
}

/// True when the officer can receive escalations from outside their own units (then the whole
/// province's open dossiers must be looked at).
pub fn receives_escalations(user: &User) -> bool {
    user.roles.iter().any(|(_, r)| matches!(r, Role::Leader | Role::CenterAdmin))
}

/// The alerts of one officer at `now`.
pub async fn officer_alerts(state: &Application, user: &User, now: OffsetDateTime) -> AppResult<Vec<AlertGroup>> {
    let units = user.units();
    let scope = if receives_escalations(user) { None } else { Some(units.as_slice()) };
    Ok(Snapshot::take(state, scope, now).await?.for_user(user))
}
