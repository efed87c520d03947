//! Notifications (issue 6): the outbox dispatcher that delivers e-mail (SMTP) and SMS (gateway)
//! rows with retries, the daily digest job, and who sees which alert.
//!
//! - [`Dispatcher`]: claims due outbox rows (with a lease) and sends them; a failure is retried
//!   with exponential backoff, then marked failed (motcua_store::outbox).
//! - [`email`]: SMTP through lettre. [`sms`]: the [`sms::SmsGateway`] trait and its HTTP
//!   implementation.
//! - [`digest`]: at 07:00 (UTC+7) each working day, one digest e-mail per officer with alerts.
//! - [`alerts`]: the alerts an officer sees (API, page, digest).
//!
//! Configuration comes from the environment ([`NotifyConfig::from_env`]); when a channel is not
//! configured its rows stay pending and a warning is logged once. Recipients are never logged in
//! full ([`motcua_domain::notify::mask_recipient`]).

pub mod alerts;
pub mod digest;
pub mod email;
pub mod sms;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use motcua_domain::notify::mask_recipient;
use motcua_store::Store;
use motcua_store::outbox::Message;
use time::{Duration, OffsetDateTime};

pub use email::{EmailSender, SmtpConfig, SmtpTls};
pub use sms::{HttpSmsGateway, SmsGateway};

/// Rows claimed per round.
const BATCH: i64 = 50;
/// A claim's lease: longer than the SMTP and gateway timeouts (30 s), so a live dispatcher
/// never loses a row it is sending.
const LEASE: Duration = Duration::minutes(5);

/// A failed delivery: retried later, or given up at once (`permanent`, e.g. a 5xx SMTP reply or
/// an invalid address). The message never holds a recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub message: String,
    pub permanent: bool,
}

impl SendError {
    pub fn retry(message: impl Into<String>) -> Self {
        SendError { message: message.into(), permanent: false }
    }
    pub fn permanent(message: impl Into<String>) -> Self {
        SendError { message: message.into(), permanent: true }
    }
}

/// SMS gateway settings.
#[derive(Clone)]
pub struct SmsConfig {
    pub url: String,
    pub token: String,
}

/// Which channels are configured.
#[derive(Clone, Default)]
pub struct NotifyConfig {
    pub smtp: Option<SmtpConfig>,
    pub sms: Option<SmsConfig>,
}

impl NotifyConfig {
    /// From `MOTCUA_SMTP_HOST`, `MOTCUA_SMTP_PORT` (default 25, or 587 with STARTTLS, 465 with
    /// TLS), `MOTCUA_SMTP_FROM`, `MOTCUA_SMTP_USER`, `MOTCUA_SMTP_PASSWORD`, `MOTCUA_SMTP_TLS`
    /// (`none` | `starttls` | `tls`, default `none`), `MOTCUA_SMS_URL`, `MOTCUA_SMS_TOKEN`.
    pub fn from_env() -> NotifyConfig {
        let var = |k: &str| std::env::var(k).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let tls = match var("MOTCUA_SMTP_TLS").as_deref() {
            Some("starttls") => SmtpTls::StartTls,
            Some("tls") => SmtpTls::Tls,
            Some("none") | None => SmtpTls::None,
            Some(other) => {
                tracing::warn!(value = other, "MOTCUA_SMTP_TLS must be none, starttls or tls; using none");
                SmtpTls::None
            }
        };
        let default_port = match tls {
            SmtpTls::None => 25,
            SmtpTls::StartTls => 587,
            SmtpTls::Tls => 465,
        };
        let smtp = match (var("MOTCUA_SMTP_HOST"), var("MOTCUA_SMTP_FROM")) {
            (Some(host), Some(from)) => Some(SmtpConfig {
                host,
                port: var("MOTCUA_SMTP_PORT").and_then(|p| p.parse().ok()).unwrap_or(default_port),
                from,
                user: var("MOTCUA_SMTP_USER"),
                password: var("MOTCUA_SMTP_PASSWORD"),
                tls,
            }),
            _ => None,
        };
        let sms = match (var("MOTCUA_SMS_URL"), var("MOTCUA_SMS_TOKEN")) {
            (Some(url), Some(token)) => Some(SmsConfig { url, token }),
            _ => None,
        };
        NotifyConfig { smtp, sms }
    }
}

/// What one dispatch round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

/// Delivers outbox rows of the configured channels.
pub struct Dispatcher {
    store: Store,
    email: Option<EmailSender>,
    sms: Option<Arc<dyn SmsGateway>>,
    owner: String,
    warned: AtomicBool,
    clock: Arc<dyn crate::clock::Clock>,
}

impl Dispatcher {
    /// A dispatcher for `config`; a channel whose settings are invalid is logged and left off.
    pub fn new(store: Store, config: &NotifyConfig) -> Dispatcher {
        let email = config.smtp.as_ref().and_then(|c| match EmailSender::new(c) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::error!(error = %e, "e-mail notifications are off");
                None
            }
        });
        let sms = config.sms.as_ref().and_then(|c| match HttpSmsGateway::configured(&c.url, &c.token) {
            Ok(g) => Some(g),
            Err(e) => {
                tracing::error!(error = %e, "SMS notifications are off");
                None
            }
        });
        Dispatcher::with(store, email, sms)
    }

    /// A dispatcher with explicit senders (another province's [`SmsGateway`]).
    pub fn with(store: Store, email: Option<EmailSender>, sms: Option<Arc<dyn SmsGateway>>) -> Dispatcher {
        let owner = format!("dispatcher-{}-{}", std::process::id(), crate::auth::new_secret());
        Dispatcher {
            store,
            email,
            sms,
            owner,
            warned: AtomicBool::new(false),
            clock: Arc::new(crate::clock::SystemClock),
        }
    }

    /// The same dispatcher, reading the time from `clock` (the application's).
    pub fn with_clock(mut self, clock: Arc<dyn crate::clock::Clock>) -> Dispatcher {
        self.clock = clock;
        self
    }

    /// One round at `now`: claims due rows of the configured channels and sends them.
    pub async fn run_once(&self, now: OffsetDateTime) -> Result<Round, motcua_store::StoreError> {
        let mut kinds = Vec::new();
        if self.email.is_some() {
            kinds.push("email");
        }
        if self.sms.is_some() {
            kinds.push("sms");
        }
        if kinds.len() < 2 && !self.warned.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                email = self.email.is_some(),
                sms = self.sms.is_some(),
                "notifications for unconfigured channels stay pending (set MOTCUA_SMTP_HOST/FROM, MOTCUA_SMS_URL/TOKEN)"
            );
        }
        let mut round = Round::default();
        if kinds.is_empty() {
            return Ok(round);
        }
        for m in self.store.claim(&self.owner, &kinds, now, LEASE, BATCH).await? {
            match self.deliver(&m).await {
                Ok(()) => {
                    if self.store.mark_sent(&m.id, &self.owner, self.clock.now()).await? {
                        tracing::info!(kind = %m.kind, to = %mask_recipient(&m.recipient), key = %m.idempotency_key, "notification sent");
                        round.sent += 1;
                    }
                }
                Err(e) => {
                    self.store.mark_failed(&m.id, &self.owner, &e.message, e.permanent, now).await?;
                    let gave_up = e.permanent || m.attempts + 1 >= motcua_store::outbox::MAX_ATTEMPTS;
                    tracing::warn!(kind = %m.kind, to = %mask_recipient(&m.recipient), key = %m.idempotency_key,
                        error = %e.message, gave_up, "notification not delivered");
                    if gave_up {
                        round.failed += 1;
                    } else {
                        round.retried += 1;
                    }
                }
            }
        }
        Ok(round)
    }

    async fn deliver(&self, m: &Message) -> Result<(), SendError> {
        match (m.kind.as_str(), &self.email, &self.sms) {
            ("email", Some(e), _) => e.send(&m.recipient, &m.payload, &m.idempotency_key).await,
            ("sms", _, Some(g)) => sms::send(g.as_ref(), &m.recipient, &m.payload, &m.idempotency_key).await,
            (kind, _, _) => Err(SendError::retry(format!("no sender for {kind}"))),
        }
    }

    /// Runs rounds forever, every `every`; errors are logged and retried next round.
    pub async fn run(self, every: std::time::Duration) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = self.run_once(self.clock.now()).await {
                tracing::error!(error = %e, "outbox dispatch round failed");
            }
        }
    }
}
