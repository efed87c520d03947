//! Reads for the daily alerts: the open dossiers of some units with what the rules need
//! (motcua_domain::alerts), officers' e-mail addresses for the digest, and the feedback
//! extension point.

use motcua_domain::alerts::DossierFacts;
use motcua_domain::dossier::{Dossier, Status};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, parse_ts};

/// States a dossier can raise alerts in.
const OPEN: &str = "('submitted', 'received', 'in_progress', 'supplement_requested', 'result_ready')";

impl Store {
    /// The open dossiers held by `units` (every unit when `None`), with their last event's
    /// instant. One indexed scan per unit (`dossiers_inbox_status`), and the last event by the
    /// events' primary key.
    pub async fn open_dossier_facts(&self, units: Option<&[String]>) -> Result<Vec<DossierFacts>> {
        let select = "SELECT d.state, d.holder_unit, d.step_due, \
                      (SELECT MAX(e.occurred_at) FROM dossier_events e WHERE e.dossier_code = d.code) AS last_at \
                      FROM dossiers d WHERE d.status IN ";
        let mut out = Vec::new();
        match units {
            None => {
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{select}{OPEN} ORDER BY d.code")))
                    .fetch_all(&self.pool)
                    .await?;
                for r in &rows {
                    out.push(facts(r)?);
                }
            }
            Some(units) => {
                for unit in units {
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "{select}{OPEN} AND d.holder_unit = $1 ORDER BY d.code"
                    )))
                    .bind(unit.clone())
                    .fetch_all(&self.pool)
                    .await?;
                    for r in &rows {
                        out.push(facts(r)?);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Alerts about citizen feedback (phản ánh, kiến nghị) near or past its answer deadline, for
    /// `units`.
    ///
    /// Sets (or clears, with `None`) an officer's e-mail address for the daily digest.
    pub async fn set_user_email(&self, username: &str, email: Option<&str>) -> Result<()> {
        let exists: Option<String> = sqlx::query_scalar("SELECT username FROM users WHERE username = $1")
            .bind(username.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        let mut tx = crate::begin_write(&self.pool).await?;
        sqlx::query("DELETE FROM officer_contacts WHERE username = $1")
            .bind(username.to_owned())
            .execute(&mut *tx)
            .await?;
        if let Some(email) = email.map(str::trim).filter(|e| !e.is_empty()) {
            sqlx::query("INSERT INTO officer_contacts (username, email) VALUES ($1, $2)")
                .bind(username.to_owned())
                .bind(email.to_owned())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// An officer's e-mail address, if set.
    pub async fn user_email(&self, username: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT email FROM officer_contacts WHERE username = $1")
            .bind(username.to_owned())
            .fetch_optional(&self.pool)
            .await?)
    }

    /// (username, e-mail) of the active officers with an address, by username.
    pub async fn officer_emails(&self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT u.username, c.email FROM users u JOIN officer_contacts c ON c.username = u.username \
             WHERE u.active = 1 ORDER BY u.username",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}

fn facts(r: &AnyRow) -> Result<DossierFacts> {
    let state: String = r.try_get("state")?;
    let d: Dossier = serde_json::from_str(&state).map_err(|e| StoreError::Corrupt(format!("dossier state: {e}")))?;
    let step_due: Option<String> = r.try_get("step_due")?;
    let last_at: Option<String> = r.try_get("last_at")?;
    let last_action_at = match last_at {
        Some(s) => parse_ts(&s).map_err(|e| StoreError::Corrupt(format!("event instant: {e}")))?,
        None => d.submitted_at,
    };
    Ok(DossierFacts {
        status: Status::parse(d.status.as_str()).unwrap_or(d.status),
        holder_unit: r.try_get("holder_unit")?,
        receiving_unit: d.receiving_unit.to_string(),
        assignee: d.assignee.clone(),
        due_at: d.appointment_at.or(d.due_at),
        step_due: step_due
            .as_deref()
            .map(parse_ts)
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("step_due: {e}")))?
            .or_else(|| d.next_step_deadline()),
        last_action_at,
        code: d.code.into_string(),
    })
}
