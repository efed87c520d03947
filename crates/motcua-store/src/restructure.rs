//! Applying a restructure plan (domain.md §13): units ended and created, officers' role grants
//! moved to the successor, and every open dossier of an ended unit re-homed with a `rehome` event
//! in its hash chain — all in one writer transaction, through the same event path as any other
//! action. Closed dossiers keep their units, so past indicators still report under the unit as it
//! was at the time.

use motcua_domain::indicators::YearMonth;
use std::collections::BTreeSet;
use std::sync::Arc;

use motcua_domain::calendar::Calendar;
use motcua_domain::dossier::actions::rehome::{Rehome, UnitMove};
use motcua_domain::dossier::actions::{Action, Ctx, decide};
use motcua_domain::dossier::{Actor, Status};
use motcua_domain::org::{RestructurePlan, Unit};
use serde::{Deserialize, Serialize};
use sqlx::{Any, Row, Transaction};

use crate::dossier_log::{Decide, act};
use crate::units::put_unit_in;
use crate::{Result, Store, StoreError};

/// What a restructure changes (or would change, on a dry run).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestructureReport {
    pub dry_run: bool,
    pub units_ended: Vec<String>,
    pub units_created: Vec<String>,
    pub dossiers_rehomed: Vec<RehomedDossier>,
    pub grants_moved: Vec<GrantMoved>,
}

/// One open dossier moved from an ended unit to its successor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RehomedDossier {
    pub code: String,
    pub from_unit: String,
    pub to_unit: String,
}

/// One officer's role moved from an ended unit to its successor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantMoved {
    pub username: String,
    pub role: String,
    pub from_unit: String,
    pub to_unit: String,
}

/// The writes of a restructure, run by the writer task in one transaction.
pub struct RestructureBatch {
    units: Vec<Unit>,
    grant_moves: Vec<(String, String)>,
    rehomes: Vec<(String, Decide)>,
}

impl Store {
    /// Validates `plan` against the stored units and reports what it moves; unless `dry_run`,
    /// applies it. A refused plan writes nothing.
    pub async fn apply_restructure(
        &self,
        plan: &RestructurePlan,
        dry_run: bool,
        at: time::OffsetDateTime,
    ) -> Result<RestructureReport> {
        let current = self.units().await?;
        plan.validate(&current)?;
        let moves = plan.moves();
        let mut report = RestructureReport {
            dry_run,
            units_ended: moves.iter().map(|(f, _)| f.clone()).collect(),
            units_created: plan.created(&current),
            ..RestructureReport::default()
        };
        for (from, to) in &moves {
            report.dossiers_rehomed.extend(self.open_dossiers_of(from, to).await?);
            report.grants_moved.extend(self.grants_of(from, to).await?);
        }
        if dry_run {
            return Ok(report);
        }
        motcua_domain::org::restructure::check_effective(plan, crate::timefmt::date_vn(at))?;
        let codes: BTreeSet<String> = report.dossiers_rehomed.iter().map(|r| r.code.clone()).collect();
        let rehome = Rehome {
            moves: moves.iter().map(|(f, t)| UnitMove { from_unit: f.clone(), to_unit: t.clone() }).collect(),
            legal_basis: plan.legal_basis.clone(),
        };
        let calendar = Arc::new(Calendar::vietnam_default());
        let rehomes = codes
            .into_iter()
            .map(|code| {
                let (action, calendar) = (Action::Rehome(rehome.clone()), Arc::clone(&calendar));
                let decide: Decide = Box::new(move |d| {
                    decide(d, &action, &Ctx { calendar: &calendar, at, actor: &Actor::System }).map(|e| vec![e])
                });
                (code, decide)
            })
            .collect();
        let after = plan.apply_to_units(&current);
        let units = after.into_iter().filter(|u| !current.contains(u)).collect();
        let batch = RestructureBatch { units, grant_moves: moves, rehomes };
        let done = self.writer.restructure(batch).await?;
        report.dossiers_rehomed.retain(|r| done.contains(&r.code));
        Ok(report)
    }

    /// Open dossiers received or resolved by `from`, as they would move to `to`.
    async fn open_dossiers_of(&self, from: &str, to: &str) -> Result<Vec<RehomedDossier>> {
        let rows = sqlx::query(
            "SELECT code, status FROM dossiers WHERE receiving_unit = $1 OR resolving_unit = $1 ORDER BY code",
        )
        .bind(from)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for row in rows {
            let status: String = row.try_get("status")?;
            if Status::parse(&status).is_some_and(|s| !s.is_closed()) {
                out.push(RehomedDossier { code: row.try_get("code")?, from_unit: from.into(), to_unit: to.into() });
            }
        }
        Ok(out)
    }

    /// Role grants held in `from`, as they would move to `to`.
    async fn grants_of(&self, from: &str, to: &str) -> Result<Vec<GrantMoved>> {
        let rows = sqlx::query("SELECT username, role FROM user_roles WHERE unit = $1 ORDER BY username, role")
            .bind(from)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(GrantMoved {
                    username: r.try_get("username")?,
                    role: r.try_get("role")?,
                    from_unit: from.into(),
                    to_unit: to.into(),
                })
            })
            .collect()
    }
}

/// Runs a restructure inside the writer's transaction; answers the codes re-homed. A dossier the
/// rules no longer re-home (closed meanwhile) is skipped; a database error aborts everything.
pub(crate) async fn restructure_in(
    tx: &mut Transaction<'static, Any>,
    batch: RestructureBatch,
    open: YearMonth,
) -> Result<Vec<String>> {
    for u in &batch.units {
        put_unit_in(tx, u).await?;
    }
    for (from, to) in &batch.grant_moves {
        sqlx::query(
            "INSERT INTO user_roles (username, unit, role) SELECT username, $2, role FROM user_roles WHERE unit = $1 \
             ON CONFLICT (username, unit, role) DO NOTHING",
        )
        .bind(from.clone())
        .bind(to.clone())
        .execute(&mut **tx)
        .await?;
        sqlx::query("DELETE FROM user_roles WHERE unit = $1").bind(from.clone()).execute(&mut **tx).await?;
    }
    let mut done = Vec::new();
    for (code, decide) in batch.rehomes {
        match act(tx, &code, None, decide, open).await {
            Ok(_) => done.push(code),
            Err(StoreError::Domain(_) | StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}
