//! `verify-audit` and `rebuild`: re-walk every dossier's hash chain, and check (or restore) that
//! each projection equals the fold of its events.

use motcua_domain::audit::{StoredLink, verify_chain};
use motcua_domain::dossier::event::{Event, replay};
use sqlx::Row;

use crate::{Result, Store, StoreError};

/// What a verification found.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct AuditReport {
    pub dossiers: u64,
    pub events: u64,
    /// Codes whose chain is broken, with the first bad sequence number.
    pub broken: Vec<(String, i64)>,
    /// Codes whose projection differs from the fold of the events.
    pub drifted: Vec<String>,
}

impl Store {
    /// Verifies every chain and projection. With `repair`, drifted projections are rewritten from
    /// their events (chains are never rewritten).
    pub async fn verify_audit(&self, repair: bool) -> Result<AuditReport> {
        let codes: Vec<String> =
            sqlx::query_scalar("SELECT code FROM dossiers ORDER BY code").fetch_all(&self.pool).await?;
        let mut report = AuditReport::default();
        for code in codes {
            report.dossiers += 1;
            let rows = sqlx::query(
                "SELECT seq, payload, prev_hash, hash FROM dossier_events WHERE dossier_code = $1 ORDER BY seq",
            )
            .bind(code.clone())
            .fetch_all(&self.pool)
            .await?;
            report.events += rows.len() as u64;
            let mut texts = Vec::with_capacity(rows.len());
            for r in &rows {
                texts.push((
                    r.try_get::<i64, _>("seq")?,
                    r.try_get::<String, _>("payload")?,
                    r.try_get::<String, _>("prev_hash")?,
                    r.try_get::<String, _>("hash")?,
                ));
            }
            let links =
                texts.iter().map(|(seq, c, p, h)| StoredLink { seq: *seq, canonical: c, prev_hash: p, hash: h });
            if let Err(seq) = verify_chain(links) {
                report.broken.push((code, seq));
                continue;
            }
            let events: Vec<Event> = texts
                .iter()
                .map(|(_, c, _, _)| motcua_domain::audit::parse_canonical(c))
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| StoreError::Corrupt(format!("event of {code}: {e}")))?;
            let rebuilt = replay(&events).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let (live, _) = self.dossier(&code).await?;
            if rebuilt.as_ref() != Some(&live) {
                if repair && let Some(d) = rebuilt {
                    sqlx::query("UPDATE dossiers SET state = $1, version = $2 WHERE code = $3")
                        .bind(crate::writer::state_json(&d)?)
                        .bind(d.version)
                        .bind(code.clone())
                        .execute(&self.pool)
                        .await?;
                }
                report.drifted.push(code);
            }
        }
        Ok(report)
    }
}
