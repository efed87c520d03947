//! The catalog (domain.md §5): the version of a procedure in force; a procedure published by an
//! administrator, imported from a file, or published, amended and abolished by a publication
//! decision (quyết định công bố, NĐ 63/2010 Art. 13–15); a new internal process (quy trình nội
//! bộ) checked against the procedure's legal time. Each stores new versions, never edits one.

use motcua_domain::ErrorCode;
use motcua_domain::catalog::decision::Decision;
use motcua_domain::catalog::{COMMUNE_AGENCY, Procedure, ProcedureCode};
use motcua_domain::process::{ProcessStep, StepUnit};

use crate::Application;
use crate::accounts::Authority;
use crate::error::{AppResult, Error};

/// A procedure whose agency is not in the unit register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownAgency {
    pub procedure: ProcedureCode,
    pub agency: String,
}

impl UnknownAgency {
    fn error(&self, with_code: bool) -> Error {
        let (en, vi) = if with_code {
            (format!("procedure {}: ", self.procedure), format!("thủ tục {}: ", self.procedure))
        } else {
            Default::default()
        };
        Error::unprocessable(
            ErrorCode::UnknownUnit,
            format!("{en}agency '{}' is not a known unit", self.agency),
            format!("{vi}cơ quan '{}' không có trong danh mục đơn vị", self.agency),
        )
    }
}

impl std::fmt::Display for UnknownAgency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.error(true).message)
    }
}

/// The procedures whose agency is neither a unit of the register nor the communes' placeholder
/// (the register read once, however many procedures a file brings).
async fn unknown_agencies(state: &Application, procedures: &[&Procedure]) -> AppResult<Vec<UnknownAgency>> {
    let units = state.store.units().await?;
    let known: std::collections::HashSet<&str> = units.iter().map(|u| u.code.as_str()).collect();
    Ok(procedures
        .iter()
        .filter(|p| p.agency != COMMUNE_AGENCY && !known.contains(p.agency.as_str()))
        .map(|p| UnknownAgency { procedure: p.code.clone(), agency: p.agency.clone() })
        .collect())
}

/// Publishes `p` (validated here) as the procedure's next version, in force from today; `by`
/// must be an administrator. Answers it with its version number.
#[tracing::instrument(skip_all, fields(procedure = %p.code))]
pub async fn publish(state: &Application, by: Authority<'_>, mut p: Procedure) -> AppResult<Procedure> {
    by.admin("only a center administrator can publish procedures", "chỉ quản trị trung tâm được công bố thủ tục")?;
    p.validate()?;
    if let Some(u) = unknown_agencies(state, &[&p]).await?.first() {
        return Err(u.error(false));
    }
    p.version = state.store.put_procedure(&p, state.today()).await?;
    Ok(p)
}

/// Records a publication decision (validated here) and, in the same transaction, the versions
/// it publishes, amends or abolishes from its effective date; `by` must be an administrator.
/// Answers the decision with the version numbers given.
#[tracing::instrument(skip_all, fields(decision = %d.number))]
pub async fn record_decision(state: &Application, by: Authority<'_>, d: Decision) -> AppResult<Decision> {
    by.admin(
        "only a center administrator can record publication decisions",
        "chỉ quản trị trung tâm được ghi nhận quyết định công bố",
    )?;
    d.validate()?;
    if let Some(u) = unknown_agencies(state, &d.new.iter().chain(&d.amended).collect::<Vec<_>>()).await?.first() {
        return Err(u.error(true));
    }
    Ok(state.store.apply_decision(&d, state.now()).await?)
}

/// Imports `procedures` (each validated when the file was read) as new versions in force from
/// today, all or none; `progress(done)` after each. Answers how many were stored, or every
/// procedure whose agency is unknown (nothing stored).
#[tracing::instrument(skip_all, fields(procedures = procedures.len()))]
pub async fn import(
    state: &Application,
    by: Authority<'_>,
    procedures: &[Procedure],
    progress: impl FnMut(usize),
) -> AppResult<Result<usize, Vec<UnknownAgency>>> {
    by.admin(
        "only a center administrator can import the catalog",
        "chỉ quản trị trung tâm được nhập danh mục thủ tục",
    )?;
    let unknown = unknown_agencies(state, &procedures.iter().collect::<Vec<_>>()).await?;
    if !unknown.is_empty() {
        return Ok(Err(unknown));
    }
    Ok(Ok(state.store.import_procedures(procedures, state.today(), progress).await?))
}

/// The procedure version that applies today, or 404.
pub async fn current(state: &Application, code: &str) -> AppResult<Procedure> {
    ProcedureCode::parse(code)?;
    state.store.procedure(code).await.map_err(|e| match e {
        motcua_store::StoreError::NotFound => {
            Error::not_found(&format!("procedure {code}"), &format!("thủ tục {code}"))
        }
        e => e.into(),
    })
}

/// Validates `steps` against the procedure's legal time and stores them as a new version of the
/// procedure, the new version in force from today (the one code path of the API and the admin
/// page).
#[tracing::instrument(skip_all, fields(procedure = %code))]
pub async fn save_process(state: &Application, code: &str, steps: Vec<ProcessStep>) -> AppResult<Procedure> {
    let mut p = current(state, code).await?;
    p.steps = steps;
    p.validate()?;
    for s in p.steps.iter().filter(|s| s.unit == StepUnit::Consulted) {
        let unit = s.unit_code.as_deref().unwrap_or_default();
        if state.store.unit(unit).await.is_err() {
            return Err(Error::unprocessable(
                ErrorCode::UnknownUnit,
                format!("step '{}': the consulted agency '{unit}' is not a known unit", s.name),
                format!("bước '{}': cơ quan được lấy ý kiến '{unit}' không có trong danh mục đơn vị", s.name),
            ));
        }
    }
    p.version = state.store.put_procedure(&p, state.today()).await?;
    Ok(p)
}
