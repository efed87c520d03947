//! The sync to the national public-service portal (DVCQG; issue 15 item 1, docs/NATIONAL_PORTAL.md).
//!
//! The writer tells the sync of every committed dossier change ([`motcua_store::national_sync`]);
//! the [`Syncer`] claims
//! the dossiers the portal is behind on, rebuilds each one's whole record from its events
//! ([`motcua_domain::national::record`]) and POSTs it with an `Idempotency-Key` of
//! `<code>:<version>`, so a record sent twice (a lost answer, a crashed worker) is one update
//! for the portal. The portal's answer decides:
//!
//! - `error_code` `0`: acknowledged — the dossier is up to date, or due again if it changed
//!   meanwhile;
//! - another `error_code`, or HTTP 400/409/422: the portal refused the record (a field, a state
//!   transition) — `failed` until the dossier changes again, shown to officers with the reason;
//! - no answer, HTTP 401/403/429/5xx: retried with back-off.

pub mod inbound;

use std::sync::Arc;
use std::time::Duration;

use motcua_domain::indicators::RowKey;
use motcua_domain::indicators::rollup::reception_key;
use motcua_domain::national::{Officer, record};
use motcua_store::Store;
use serde::Deserialize;

use crate::clock::Clock;
use crate::http_client::{Post, post};

/// Where the portal is and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalConfig {
    /// The portal's sync endpoint (`…/dvcqg/hoso` on the simulator).
    pub url: String,
    /// The province's bearer token for it.
    pub token: String,
    /// How often due dossiers are looked for.
    pub poll: Duration,
    /// Most dossiers sent per round.
    pub batch: i64,
    /// Records in flight at once (`MOTCUA_DVCQG_PARALLEL`, default 8).
    pub parallel: usize,
    /// The scheduled pull of dossiers submitted on the portal; none: push only.
    pub pull: Option<inbound::PullConfig>,
    /// The token the portal must present to push dossiers (`MOTCUA_DVCQG_INBOUND_TOKEN`); none:
    /// the push endpoint is closed.
    pub inbound_token: Option<String>,
    /// Longest the sync waits while the writer is busy (`MOTCUA_DVCQG_YIELD_SECONDS`, default
    /// 60; 0: never waits). The portal reads the scores daily: a backlog of a minute costs
    /// nothing, and the officers' actions keep the cores meanwhile.
    pub max_yield: Duration,
}

/// The writer counts as busy above this many jobs a second.
pub const BUSY_JOBS_PER_SECOND: u64 = 100;

impl PortalConfig {
    /// From `MOTCUA_DVCQG_URL` and `MOTCUA_DVCQG_TOKEN`; `None` (no sync) without the URL. The
    /// pull reads `MOTCUA_DVCQG_PULL_URL` (default: the sync URL's `…/hoso-moi`) every
    /// `MOTCUA_DVCQG_PULL_SECONDS` (default 60; 0 turns it off); pushes need
    /// `MOTCUA_DVCQG_INBOUND_TOKEN`.
    pub fn from_env() -> Option<PortalConfig> {
        let env = |k: &str| std::env::var(k).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let url = env("MOTCUA_DVCQG_URL")?;
        let token = env("MOTCUA_DVCQG_TOKEN").unwrap_or_default();
        let mut c = PortalConfig::new(&url, &token);
        let every = env("MOTCUA_DVCQG_PULL_SECONDS").and_then(|s| s.parse::<u64>().ok()).unwrap_or(60);
        c.pull = match (env("MOTCUA_DVCQG_PULL_URL").or_else(|| pull_url(&url)), every) {
            (Some(url), 1..) => {
                Some(inbound::PullConfig { url, token: token.clone(), every: Duration::from_secs(every) })
            }
            _ => None,
        };
        c.inbound_token = env("MOTCUA_DVCQG_INBOUND_TOKEN");
        if let Some(n) = env("MOTCUA_DVCQG_PARALLEL").and_then(|s| s.parse::<usize>().ok()) {
            c.parallel = n.clamp(1, 64);
        }
        if let Some(n) = env("MOTCUA_DVCQG_YIELD_SECONDS").and_then(|s| s.parse::<u64>().ok()) {
            c.max_yield = Duration::from_secs(n.min(3600));
        }
        Some(c)
    }

    /// `url` and `token` with the default timings (every 2 s, 200 dossiers a round), no pull and
    /// no push.
    pub fn new(url: &str, token: &str) -> PortalConfig {
        PortalConfig {
            url: url.to_owned(),
            token: token.to_owned(),
            poll: Duration::from_secs(2),
            batch: 200,
            parallel: 8,
            pull: None,
            inbound_token: None,
            max_yield: Duration::from_secs(60),
        }
    }
}

/// The list of new dossiers next to a sync endpoint `…/hoso` (the simulator's layout).
pub fn pull_url(sync_url: &str) -> Option<String> {
    sync_url.trim_end_matches('/').strip_suffix("/hoso").map(|base| format!("{base}/hoso-moi"))
}

/// The portal's answer body.
#[derive(Debug, Deserialize)]
struct PortalAnswer {
    error_code: serde_json::Value,
    #[serde(default)]
    message: String,
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Acknowledged,
    /// Refused as invalid: not retried until the dossier changes.
    Refused(String),
    /// Worth retrying.
    Retry(String),
}

/// Reads the portal's HTTP answer.
pub fn outcome(status: u16, body: &str) -> Outcome {
    let short = |s: &str| s.chars().take(300).collect::<String>();
    match status {
        200 | 201 => match serde_json::from_str::<PortalAnswer>(body) {
            Ok(a) => {
                let code = match &a.error_code {
                    serde_json::Value::String(s) => s.trim().to_owned(),
                    other => other.to_string(),
                };
                if code == "0" {
                    Outcome::Acknowledged
                } else {
                    Outcome::Refused(short(&format!("error_code {code}: {}", a.message)))
                }
            }
            Err(_) => Outcome::Retry("the portal's answer is not the expected JSON".to_owned()),
        },
        400 | 409 | 422 => Outcome::Refused(short(&format!("HTTP {status}: {body}"))),
        _ => Outcome::Retry(format!("HTTP {status}")),
    }
}

/// The background sync.
pub struct Syncer {
    store: Store,
    clock: Arc<dyn Clock>,
    config: PortalConfig,
    owner: String,
}

impl Syncer {
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: PortalConfig) -> Syncer {
        Syncer { store, clock, config, owner: format!("sync-{}-{}", std::process::id(), crate::auth::new_secret()) }
    }

    /// Forever: a round, then a pause — none after a full round, so a backlog (a province
    /// connecting with its past dossiers, the portal back after an outage) drains at full speed.
    pub async fn run(self) {
        // Dossiers the sync does not know at their current version (written in bulk, changed
        // while no sync ran, or changed just before the last stop) are marked once at start:
        // every dossier reaches the portal.
        match self.store.reconcile_national(self.clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(dossiers = n, "dossiers marked for their first national portal sync"),
            Err(e) => tracing::warn!(error = %e, "marking dossiers for the national portal sync failed"),
        }
        let mut last = (self.store.writer.jobs_taken(), tokio::time::Instant::now());
        loop {
            self.yield_to_the_writer(&mut last).await;
            let full = match self.round().await {
                Ok(n) if n > 0 => {
                    tracing::debug!(sent = n, "national portal sync round");
                    i64::try_from(n).unwrap_or(i64::MAX) >= self.config.batch
                }
                Ok(_) => false,
                Err(e) => {
                    tracing::warn!(error = %e, "national portal sync round failed");
                    false
                }
            };
            if !full {
                tokio::time::sleep(self.config.poll).await;
            }
        }
    }

    /// Waits while the writer takes more than [`BUSY_JOBS_PER_SECOND`] (officers at work, a
    /// bulk import), at most [`PortalConfig::max_yield`]: rebuilding and sending records would
    /// take the cores their actions need. `last` is the previous reading (jobs, when); reading
    /// costs nothing, so an idle writer delays nothing.
    async fn yield_to_the_writer(&self, last: &mut (u64, tokio::time::Instant)) {
        let started = tokio::time::Instant::now();
        loop {
            let now = (self.store.writer.jobs_taken(), tokio::time::Instant::now());
            let elapsed = now.1.duration_since(last.1).as_secs_f64().max(0.001);
            let rate = now.0.saturating_sub(last.0) as f64 / elapsed;
            *last = now;
            if rate <= BUSY_JOBS_PER_SECOND as f64 || started.elapsed() >= self.config.max_yield {
                return;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Sends every due dossier once (at most `batch`, `parallel` at a time); answers how many
    /// were tried.
    pub async fn round(&self) -> Result<usize, motcua_store::StoreError> {
        use futures_util::StreamExt;
        let now = self.clock.now();
        let due = self.store.claim_national(&self.owner, now, time::Duration::minutes(2), self.config.batch).await?;
        let n = due.len();
        let sent: Vec<_> = futures_util::stream::iter(due.into_iter().map(|(code, _)| async move {
            let r = self.send(&code).await;
            (code, r)
        }))
        .buffer_unordered(self.config.parallel.max(1))
        .collect()
        .await;
        let mut acks = Vec::with_capacity(sent.len());
        for (code, r) in sent {
            let (version, received, result) = r?;
            let now = self.clock.now();
            match result {
                Outcome::Acknowledged => acks.push((code, version, received)),
                Outcome::Refused(why) => {
                    tracing::warn!(dossier = %code, reason = %why, "the national portal refused a record");
                    self.store.fail_national(&code, &self.owner, &why, true, now).await?;
                }
                Outcome::Retry(why) => {
                    self.store.fail_national(&code, &self.owner, &why, false, now).await?;
                }
            }
        }
        // One transaction for the round's acknowledgements.
        self.store.ack_national_many(&self.owner, self.clock.now(), &acks).await?;
        Ok(n)
    }

    /// Rebuilds and POSTs one dossier's record: (the version sent, its reception row for row
    /// 1.4 if it was received, the outcome).
    async fn send(&self, code: &str) -> Result<(i64, Option<RowKey>, Outcome), motcua_store::StoreError> {
        let stored = self.store.events(code).await?;
        let events: Vec<_> = stored.into_iter().map(|e| e.event).collect();
        let version = i64::try_from(events.len()).unwrap_or(i64::MAX);
        let received = events
            .iter()
            .try_fold(None, |d, e| motcua_domain::dossier::event::apply(d, e).map(Some))
            .ok()
            .flatten()
            .and_then(|d| reception_key(&d));
        let mut officers = std::collections::HashMap::new();
        for e in &events {
            if officers.contains_key(&e.actor) || matches!(e.actor.as_str(), "applicant" | "system") {
                continue;
            }
            let o = match self.store.user(&e.actor).await? {
                Some(u) => {
                    let first = u.roles.first();
                    Officer {
                        name: if u.full_name.trim().is_empty() { u.username.clone() } else { u.full_name.clone() },
                        title: first.map(|(_, r)| r.label_vi().to_owned()).unwrap_or_default(),
                        department: first.map(|(unit, _)| unit.to_string()).unwrap_or_default(),
                    }
                }
                None => Officer { name: e.actor.clone(), ..Officer::default() },
            };
            officers.insert(e.actor.clone(), o);
        }
        let who =
            |u: &str| officers.get(u).cloned().unwrap_or_else(|| Officer { name: u.to_owned(), ..Officer::default() });
        let Some(r) = record(&events, &who, &|_| String::new()) else {
            return Ok((version, None, Outcome::Refused("the dossier's history does not fold".to_owned())));
        };
        let body = serde_json::to_string(&r).unwrap_or_default();
        let key = format!("{code}:{version}");
        let answer = post(Post {
            url: &self.config.url,
            token: &self.config.token,
            content_type: "application/json",
            headers: &[("Idempotency-Key", key.as_str())],
            body,
        })
        .await;
        Ok((
            version,
            received,
            match answer {
                Ok(a) => outcome(a.status, &a.body),
                Err(e) => Outcome::Retry(e),
            },
        ))
    }
}

/// What administrators see of the sync: counts, the share the portal acknowledged (QĐ 766 row
/// 1.4 as the portal's answers show it) and the dossiers it refused or that are retrying.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Overview {
    /// Whether a portal endpoint is configured (`MOTCUA_DVCQG_URL`, or the demo's simulator).
    pub configured: bool,
    /// Dossiers the sync knows (created or changed since it exists).
    pub tracked: i64,
    /// Acknowledged by the portal at least once.
    pub acknowledged: i64,
    /// The portal has their latest version.
    pub up_to_date: i64,
    pub pending: i64,
    pub failed: i64,
    /// acknowledged ÷ tracked, percent (two decimals); none while nothing is tracked.
    pub acknowledged_rate: Option<f64>,
    /// The most recent refusals and errors.
    pub problems: Vec<Problem>,
    /// What came in from the portal (dossiers submitted there).
    pub intake: inbound::IntakeOverview,
}

/// A dossier the portal refused or that is waiting for a retry.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub dossier_code: String,
    /// `pending` (retrying) or `failed` (refused, or out of attempts).
    pub state: String,
    pub attempts: i64,
    pub error: Option<String>,
    /// The version the portal should have and the one it acknowledged.
    pub wanted_version: i64,
    pub acked_version: i64,
    /// When the state last changed, UTC (RFC 3339).
    pub updated_at: String,
}

/// The sync's [`Overview`]; for administrators (the caller checks).
pub async fn overview(state: &crate::Application, configured: bool) -> crate::error::AppResult<Overview> {
    let c = state.store.national_sync_counts().await?;
    let problems = state
        .store
        .national_sync_failures(50)
        .await?
        .into_iter()
        .map(|s| Problem {
            dossier_code: s.dossier_code,
            state: s.state,
            attempts: s.attempts,
            error: s.last_error,
            wanted_version: s.wanted_version,
            acked_version: s.acked_version,
            updated_at: s.updated_at,
        })
        .collect();
    let rate = (c.tracked > 0).then(|| (c.acknowledged as f64 * 10_000.0 / c.tracked as f64).round() / 100.0);
    Ok(Overview {
        configured,
        tracked: c.tracked,
        acknowledged: c.acknowledged,
        up_to_date: c.up_to_date,
        pending: c.pending,
        failed: c.failed,
        acknowledged_rate: rate,
        problems,
        intake: inbound::overview(state).await?,
    })
}

/// What the portal has of one dossier, for the officers who may see the dossier.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DossierSync {
    pub dossier_code: String,
    /// `unknown` (the sync has not seen it yet: no portal configured since it changed),
    /// `pending` (to be sent, or retrying after an error), `synced` or `failed`.
    pub state: String,
    /// The dossier's version the portal should have, and the last one it acknowledged (0: none).
    pub wanted_version: i64,
    pub acked_version: i64,
    pub attempts: i64,
    /// The portal's reason or the transport's error of the last failed attempt.
    pub error: Option<String>,
    /// First and last acknowledgement, and the next attempt while pending, UTC (RFC 3339).
    pub first_acked_at: Option<String>,
    pub acked_at: Option<String>,
    pub next_attempt_at: Option<String>,
}

/// One dossier's [`DossierSync`]; the caller checks that the officer may see the dossier.
pub async fn dossier_sync(state: &crate::Application, code: &str) -> crate::error::AppResult<DossierSync> {
    Ok(match state.store.national_sync_state(code).await? {
        Some(s) => DossierSync {
            dossier_code: s.dossier_code,
            next_attempt_at: (s.state == "pending").then_some(s.next_attempt_at),
            state: s.state,
            wanted_version: s.wanted_version,
            acked_version: s.acked_version,
            attempts: s.attempts,
            error: s.last_error,
            first_acked_at: s.first_acked_at,
            acked_at: s.acked_at,
        },
        None => DossierSync {
            dossier_code: code.to_owned(),
            state: "unknown".to_owned(),
            wanted_version: 0,
            acked_version: 0,
            attempts: 0,
            error: None,
            first_acked_at: None,
            acked_at: None,
            next_attempt_at: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portals_answers_are_read_as_the_integration_documents_give_them() {
        assert_eq!(outcome(200, r#"{"error_code": "0", "message": "Thành công"}"#), Outcome::Acknowledged);
        assert_eq!(outcome(200, r#"{"error_code": 0}"#), Outcome::Acknowledged);
        assert!(
            matches!(outcome(200, r#"{"error_code": "1", "message": "NgayHenTra"}"#), Outcome::Refused(m) if m.contains("NgayHenTra"))
        );
        assert!(matches!(outcome(422, "bad"), Outcome::Refused(_)));
        assert!(matches!(outcome(503, ""), Outcome::Retry(_)));
        assert!(
            matches!(outcome(401, ""), Outcome::Retry(_)),
            "a token problem is fixed by configuration, not by the record"
        );
        assert!(matches!(outcome(200, "<html>"), Outcome::Retry(_)));
    }
}
