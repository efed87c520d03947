//! The background workers of a running system, started together with the HTTP server
//! (`motcua_web::server::start`) and stopped with it. Each reads the application's clock and
//! logs its failures; none of them can stop the server.
//!
//! - the outbox dispatcher: e-mail and SMS ([`crate::notify::Dispatcher`], every 15 s);
//! - edXML deliveries to peer systems ([`crate::exchange::Deliverer`]);
//! - the 07:00 daily digest to leaders ([`crate::notify::digest::run_daily`]);
//! - the month-end disclosure of the QĐ 766 indicators ([`disclose_at_month_end`], hourly);
//! - collection of orphaned files ([`collect_orphan_files`], hourly);
//! - the national portal's sync, when configured ([`crate::national::Syncer`], every 2 s);
//! - refunds of fees paid online that are due back, when a payment platform is configured
//!   ([`crate::payments::run_refunds`], every minute).

use std::sync::Arc;
use std::time::Duration;

use motcua_store::Store;
use tokio::task::JoinHandle;

use crate::Application;
use crate::clock::Clock;
use crate::exchange::{Deliverer, ExchangeConfig};
use crate::notify::{Dispatcher, NotifyConfig};

/// What the workers are configured with.
#[derive(Clone, Default)]
pub struct WorkerConfig {
    /// E-mail and SMS (`MOTCUA_SMTP_*`, `MOTCUA_SMS_*`).
    pub notify: NotifyConfig,
    /// Delivery polling and backoff.
    pub exchange: ExchangeConfig,
    /// The national portal's sync (`MOTCUA_DVCQG_URL`, `MOTCUA_DVCQG_TOKEN`); none: no sync.
    pub portal: Option<crate::national::PortalConfig>,
    /// The payment platform set up by the caller (the demo's simulator); none: the one
    /// `MOTCUA_PAYMENT_URL` names, if any ([`crate::payments::PaymentConfig::from_env`]).
    pub payments: Option<crate::payments::PaymentConfig>,
}

impl WorkerConfig {
    /// Notifications configured from the environment; default exchange timings.
    pub fn from_env() -> WorkerConfig {
        WorkerConfig {
            notify: NotifyConfig::from_env(),
            exchange: ExchangeConfig::default(),
            portal: crate::national::PortalConfig::from_env(),
            payments: None,
        }
    }
}

/// The running workers; dropping them stops them.
pub struct Workers {
    tasks: Vec<JoinHandle<()>>,
}

impl Workers {
    /// Starts every worker of `app`.
    pub fn start(app: &Application, config: &WorkerConfig) -> Workers {
        let store = app.store.clone();
        let clock = app.clock.clone();
        let dispatcher = Dispatcher::new(store.clone(), &config.notify).with_clock(clock.clone());
        let deliverer = Deliverer::new(store.clone(), config.exchange).with_clock(clock.clone());
        let mut tasks = vec![
            tokio::spawn(dispatcher.run(Duration::from_secs(15))),
            tokio::spawn(deliverer.run()),
            tokio::spawn(crate::notify::digest::run_daily(app.clone())),
            tokio::spawn(disclose_at_month_end(store.clone(), clock.clone())),
        ];
        if let Some(portal) = &config.portal {
            tasks.push(tokio::spawn(crate::national::Syncer::new(store.clone(), clock.clone(), portal.clone()).run()));
            if let Some(pull) = &portal.pull {
                tasks.push(tokio::spawn(crate::national::inbound::Intake::new(app.clone(), pull.clone()).run()));
            }
        }
        if app.payments.is_some() {
            tasks.push(tokio::spawn(crate::payments::run_refunds(app.clone())));
        }
        tasks.push(tokio::spawn(collect_orphan_files(store, clock)));
        Workers { tasks }
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// The month-end disclosure (issue 5): every hour, publishes the snapshot of the month that has
/// just ended if it is not published yet. Failures are logged and retried the next hour.
pub async fn disclose_at_month_end(store: Store, clock: Arc<dyn Clock>) {
    let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
    every_hour.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every_hour.tick().await;
        match crate::disclosures::publish_ended_months(&store, clock.now()).await {
            Ok(published) => {
                for m in published {
                    tracing::info!(month = %m.month, revision = m.revision, "month-end disclosure published");
                }
            }
            Err(e) => tracing::error!(code = %e.code, error = %e.message, "month-end disclosure failed"),
        }
    }
}

/// Every hour (and at start), removes files that have had no owner for longer than
/// [`motcua_store::web::ORPHAN_GRACE`]: leftovers of versions that stored a file first and linked
/// it in a second step (every file is now written with the record that names it).
pub async fn collect_orphan_files(store: Store, clock: Arc<dyn Clock>) {
    let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
    every_hour.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every_hour.tick().await;
        let before = clock.now() - motcua_store::web::ORPHAN_GRACE;
        match store.collect_orphan_files(before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(files = n, "orphaned files collected"),
            Err(e) => tracing::error!(error = %e, "collecting orphaned files failed"),
        }
    }
}
