//! Dossiers submitted on the national portal come into the center's intake (issue 15 item 2;
//! docs/NATIONAL_PORTAL.md "Inbound"), by two roads that end in one use case, [`import`]:
//!
//! - **push**: the portal POSTs one record to `POST /api/v1/national/inbound` with the bearer
//!   token the province gave it (`MOTCUA_DVCQG_INBOUND_TOKEN`);
//! - **pull**: the [`Intake`] worker asks the portal for the records after its cursor
//!   (`GET …/dvcqg/hoso-moi?sau=<cursor>`) on a schedule, in case a push was lost.
//!
//! A record is checked whole ([`motcua_domain::national::inbound::check`], then its files, its
//! procedure, unit and fee facts) and becomes one online dossier waiting for reception, with
//! its files, in one transaction — or it is refused with every reason, recorded (portal code
//! and reasons, no personal data) and logged. The same record by both roads, or twice, is one
//! dossier: the writer keys the creation by the portal's code.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use motcua_domain::ErrorCode;
use motcua_domain::dossier::digitization::{Provenance, Source};
use motcua_domain::dossier::{Channel, DocumentRecord};
use motcua_domain::national::inbound::{PortalDossier, check};
use serde::{Deserialize, Serialize};

use crate::Application;
use crate::dossiers::{Imported, Origin, Submission, submit_from_portal};
use crate::error::{AppResult, Error, Kind};
use crate::files::{Label, MAX_TOTAL};

/// Which road a record came by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Pull,
    Push,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Pull => "pull",
            Via::Push => "push",
        }
    }
}

/// What the intake made of one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Intaken {
    /// The portal's code of the dossier.
    pub portal_code: String,
    /// The center's dossier.
    pub dossier_code: String,
    /// False when the record had come before (nothing was written).
    pub created: bool,
}

fn refused(en: String, vi: String) -> Error {
    Error::unprocessable(ErrorCode::InvalidNationalRecord, en, vi)
}

/// The client's fault (the record), as opposed to an outage worth retrying.
fn is_refusal(e: &Error) -> bool {
    matches!(e.kind, Kind::Invalid | Kind::Unprocessable | Kind::TooLarge | Kind::NotFound | Kind::Gone)
}

/// Takes one record (the portal's JSON) into the intake. A refusal is recorded and logged; an
/// outage (the store busy) is answered as it is, to be retried.
pub async fn import(state: &Application, body: &str, via: Via) -> AppResult<Intaken> {
    let portal_code = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("MaHoSo").and_then(|c| c.as_str()).map(str::to_owned))
        .filter(|c| motcua_domain::national::inbound::valid_portal_code(c.trim()))
        .map(|c| c.trim().to_owned());
    match import_checked(state, body).await {
        Ok(i) => {
            if i.created {
                state.store.forget_inbound_refusal(&i.portal_code).await.ok();
                tracing::info!(portal = %i.portal_code, dossier = %i.dossier_code, via = via.as_str(), "dossier taken in from the national portal");
            }
            Ok(i)
        }
        Err(e) if is_refusal(&e) => {
            let code = portal_code.unwrap_or_else(|| "(không có MaHoSo)".to_owned());
            // The reasons name fields and rules, never the applicant's data.
            tracing::warn!(portal = %code, via = via.as_str(), reason = %e.message, "a national portal record was refused");
            state.store.refuse_inbound(&code, via.as_str(), &e.message_vi, state.now()).await?;
            Err(e)
        }
        Err(e) => Err(e),
    }
}

async fn import_checked(state: &Application, body: &str) -> AppResult<Intaken> {
    let record: PortalDossier = serde_json::from_str(body).map_err(|e| {
        let what = e.to_string();
        refused(
            format!("the record is not the portal's dossier JSON: {what}"),
            format!("bản ghi không đúng cấu trúc hồ sơ của Cổng: {what}"),
        )
    })?;
    let inbound = check(&record, state.now()).map_err(|errors| {
        let list = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
        refused(format!("the record is refused: {list}"), format!("bản ghi bị từ chối: {list}"))
    })?;
    if let Some(code) = state.store.inbound_dossier(&inbound.portal_code).await? {
        return Ok(Intaken { portal_code: inbound.portal_code, dossier_code: code, created: false });
    }
    let mut documents = Vec::with_capacity(inbound.components.len());
    let mut files = Vec::new();
    let mut total = 0usize;
    for c in &inbound.components {
        let Some((file_name, text)) = &c.file else {
            documents.push(DocumentRecord::named(c.name.clone()));
            continue;
        };
        let data = base64::engine::general_purpose::STANDARD.decode(text.trim()).map_err(|_| {
            refused(
                format!("TaiLieuNop: the file of “{}” is not base64", c.name),
                format!("TaiLieuNop: tệp của “{}” không phải base64", c.name),
            )
        })?;
        total += data.len();
        if total > MAX_TOTAL {
            return Err(Error::new(
                Kind::TooLarge,
                ErrorCode::FilesTooLarge,
                "TaiLieuNop: the files are larger than 30 MB in all",
                "TaiLieuNop: tổng dung lượng tệp vượt quá 30 MB",
            ));
        }
        let accepted = crate::files::check(file_name.clone(), data.len(), data, Label::same(&c.name))?;
        // Uploaded by the citizen on the portal, or taken by the portal from the citizen's
        // national data store: its word, as the store's keeper (766 rows 4.3/4.4).
        let source = if c.from_national_store { Source::NationalStore } else { Source::Online };
        let provenance = Provenance { source, by: motcua_store::national_inbound::PORTAL.to_owned(), at: state.now() };
        documents.push(accepted.record(&c.name, provenance));
        files.push(accepted.into_file(crate::files::DOCUMENT));
    }
    let submission = Submission {
        procedure_code: inbound.procedure.clone(),
        channel: Channel::Online,
        applicant: inbound.applicant.clone(),
        documents,
        unit: inbound.unit.clone(),
        fees: Vec::new(),
    };
    let origin = Origin {
        national_ref: inbound.portal_code.clone(),
        submitted_at: inbound.submitted_at,
        declared_fees: inbound.fees.clone(),
    };
    Ok(match submit_from_portal(state, submission, files, origin).await? {
        Imported::New(d) => {
            Intaken { portal_code: inbound.portal_code, dossier_code: d.code.to_string(), created: true }
        }
        Imported::Already(code) => Intaken { portal_code: inbound.portal_code, dossier_code: code, created: false },
    })
}

/// Where and how the pull reads the portal's new dossiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullConfig {
    /// The portal's list of new dossiers (`…/dvcqg/hoso-moi` on the simulator).
    pub url: String,
    pub token: String,
    pub every: Duration,
}

/// One page of the portal's list.
#[derive(Debug, Deserialize)]
struct Page {
    /// Records after the cursor, in the portal's order, each with its position.
    #[serde(default)]
    data: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
struct Entry {
    /// The record's position in the portal's list: the next cursor.
    seq: u64,
    #[serde(rename = "hoSo")]
    record: serde_json::Value,
}

/// Cursor name of the pull.
const CURSOR: &str = "dvcqg-inbound";

/// The scheduled pull.
pub struct Intake {
    app: Application,
    config: PullConfig,
}

/// What one pull round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub created: usize,
    pub already: usize,
    pub refused: usize,
}

impl Intake {
    pub fn new(app: Application, config: PullConfig) -> Intake {
        Intake { app, config }
    }

    /// Forever: a round, then a pause.
    pub async fn run(self) {
        let this = Arc::new(self);
        loop {
            match this.round().await {
                Ok(r) if r != Round::default() => tracing::info!(?r, "national portal intake round"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "national portal intake round failed"),
            }
            tokio::time::sleep(this.config.every).await;
        }
    }

    /// Reads the records after the cursor and takes each in; the cursor moves past a record only
    /// once it is imported or refused for good, so an outage in the middle repeats the rest.
    pub async fn round(&self) -> Result<Round, String> {
        let after: u64 = match self.app.store.national_cursor(CURSOR).await {
            Ok(c) => c.and_then(|c| c.parse().ok()).unwrap_or(0),
            Err(e) => return Err(e.to_string()),
        };
        let sep = if self.config.url.contains('?') { '&' } else { '?' };
        let url = format!("{}{sep}sau={after}", self.config.url);
        let answer = crate::http_client::get_large(&url, &self.config.token, 64 * 1024 * 1024).await?;
        if answer.status != 200 {
            return Err(format!("the portal answered HTTP {}", answer.status));
        }
        let page: Page =
            serde_json::from_str(&answer.body).map_err(|e| format!("the portal's list is not JSON: {e}"))?;
        let mut round = Round::default();
        for entry in page.data.into_iter().filter(|e| e.seq > after) {
            let body = entry.record.to_string();
            match import(&self.app, &body, Via::Pull).await {
                Ok(i) if i.created => round.created += 1,
                Ok(_) => round.already += 1,
                Err(e) if is_refusal(&e) => round.refused += 1,
                Err(e) => return Err(e.message),
            }
            self.app
                .store
                .set_national_cursor(CURSOR, &entry.seq.to_string(), self.app.now())
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(round)
    }
}

/// What administrators see of the intake.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IntakeOverview {
    /// Dossiers created from the portal's records.
    pub imported: i64,
    /// Portal records refused (one per portal code).
    pub refused: i64,
    /// The most recent refusals.
    pub refusals: Vec<InboundRefusal>,
}

/// A portal record the intake refused.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InboundRefusal {
    pub portal_code: String,
    /// `pull` or `push`.
    pub via: String,
    /// Why, in Vietnamese (field names and rules; no personal data).
    pub error: String,
    pub times: i64,
    /// UTC (RFC 3339).
    pub last_at: String,
}

/// The intake's [`IntakeOverview`]; for administrators (the caller checks).
pub async fn overview(state: &Application) -> AppResult<IntakeOverview> {
    let c = state.store.inbound_counts().await?;
    let refusals = state
        .store
        .inbound_refusals(50)
        .await?
        .into_iter()
        .map(|r| InboundRefusal {
            portal_code: r.portal_code,
            via: r.via,
            error: r.error,
            times: r.times,
            last_at: r.last_at,
        })
        .collect();
    Ok(IntakeOverview { imported: c.imported, refused: c.refused, refusals })
}
