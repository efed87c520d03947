//! Editing a unit's settings (name, office hours, dossier code template, electronic organ id):
//! checked by the domain (`motcua_domain::org::UnitSettings`), stored, and every calendar
//! rebuilt so the new office hours count from the next deadline on; and restructuring units.

use motcua_domain::DomainError;
use motcua_domain::org::{RestructurePlan, Unit, UnitSettings};
use motcua_store::restructure::RestructureReport;

use crate::Application;
use crate::accounts::Authority;
use crate::error::{AppResult, Error};

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

/// Creates a unit that did not exist (a new agency, one-stop or reception point), in force from
/// today, by a system administrator, or a center administrator under a parent they administer.
/// A unit that replaces others is a restructure ([`restructure`]), not a creation.
#[tracing::instrument(skip_all, fields(unit = %unit.code))]
pub async fn create(state: &Application, by: Authority<'_>, mut unit: Unit) -> AppResult<Unit> {
    let scope = by.admin("only an administrator can create units", "chỉ quản trị được tạo đơn vị")?;
    use motcua_domain::ErrorCode;
    unit.name = unit.name.trim().to_owned();
    if unit.name.is_empty() || unit.name.chars().count() > 200 {
        return Err(Error::unprocessable(
            ErrorCode::InvalidUnitName,
            "the name must have 1–200 characters",
            "tên đơn vị phải có 1–200 ký tự",
        ));
    }
    if state.store.unit(&unit.code).await.is_ok() {
        return Err(Error::unprocessable(
            ErrorCode::InvalidUnitCode,
            "a unit with this code exists",
            "đã có đơn vị mang mã này",
        ));
    }
    unit.parent = unit.parent.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
    match unit.parent.as_deref() {
        Some(p) if state.store.unit(p).await.is_err() => {
            return Err(Error::unprocessable(
                ErrorCode::UnknownUnit,
                "the parent unit does not exist",
                "đơn vị cấp trên không có trong danh mục",
            ));
        }
        Some(p) if !scope.covers(p) => {
            return Err(Error::forbidden(
                "you may create units only under the units you administer",
                "chỉ được tạo đơn vị trực thuộc đơn vị mình quản trị",
            ));
        }
        None if !matches!(scope, crate::accounts::AdminScope::System) => {
            return Err(Error::forbidden(
                "only a system administrator creates a unit without a parent",
                "chỉ quản trị hệ thống được tạo đơn vị không có đơn vị cấp trên",
            ));
        }
        _ => {}
    }
    unit.valid_from = Some(motcua_domain::org::restructure::format_day(state.today()));
    unit.valid_to = None;
    unit.successor = None;
    unit.predecessors = Vec::new();
    state.store.put_unit(&unit).await?;
    state.reload_calendars().await?;
    tracing::info!("unit created");
    Ok(unit)
}
