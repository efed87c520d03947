//! The catalog's internal processes (quy trình nội bộ, domain.md §5): the version of a procedure
//! in force, and a new internal process checked against the procedure's legal time and stored as
//! its next version.

use motcua_domain::ErrorCode;
use motcua_domain::catalog::{Procedure, ProcedureCode};
use motcua_domain::process::{ProcessStep, StepUnit};

use crate::Application;
use crate::error::{AppResult, Error};

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
    p.version = state.store.put_procedure(&p).await?;
    Ok(p)
}
