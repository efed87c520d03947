//! Editing a unit's settings (name, office hours, dossier code template, electronic organ id):
//! checked by the domain (`motcua_domain::org::UnitSettings`), stored, and every calendar
//! rebuilt so the new office hours count from the next deadline on; and restructuring units.

use motcua_domain::DomainError;
use motcua_domain::org::{RestructurePlan, Unit, UnitSettings};
use motcua_store::restructure::RestructureReport;

use crate::Application;
use crate::accounts::Authority;
use crate::error::AppResult;

/// Applies `settings` to `unit` (whose editing the caller has allowed). Answers the stored unit,
/// or every problem with the settings (nothing stored).
#[tracing::instrument(skip_all, fields(unit = %unit.code))]
pub async fn update(
    state: &Application,
    mut unit: Unit,
    settings: UnitSettings<'_>,
) -> AppResult<Result<Unit, Vec<DomainError>>> {
    let problems = settings.problems(&unit.code, state.today());
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let opt = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    unit.name = settings.name.trim().to_owned();
    unit.office_hours = opt(settings.office_hours);
    unit.code_template = opt(settings.code_template);
    unit.organ_id = opt(settings.organ_id);
    state.store.put_unit(&unit).await?;
    state.reload_calendars().await?;
    Ok(Ok(unit))
}

/// Applies a restructure plan (units merged, split, moved; the 2025 two-level local government,
/// domain.md §13) as `by` (an administrator), or with `dry_run` only reports what it would move. After a
/// real one the calendars are rebuilt, so the units it creates count their own office hours.
#[tracing::instrument(skip_all, fields(dry_run))]
pub async fn restructure(
    state: &Application,
    by: Authority<'_>,
    plan: &RestructurePlan,
    dry_run: bool,
) -> AppResult<RestructureReport> {
    by.admin(
        "only an administrator can restructure units",
        "chỉ quản trị hệ thống hoặc quản trị trung tâm được sắp xếp đơn vị",
    )?;
    let report = state.store.apply_restructure(plan, dry_run, state.now()).await?;
    if !dry_run {
        state.reload_calendars().await?;
    }
    Ok(report)
}
