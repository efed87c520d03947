//! Editing a unit's settings (name, office hours, dossier code template, electronic organ id):
//! checked by the domain (`motcua_domain::org::UnitSettings`), stored, and every calendar
//! rebuilt so the new office hours count from the next deadline on.

use motcua_domain::DomainError;
use motcua_domain::org::{Unit, UnitSettings};

use crate::Application;
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
