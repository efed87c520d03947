//! The daily digest: at 07:00 (UTC+7) on each working day (motcua_domain::alerts::digest_date),
//! one e-mail per officer who has an address and at least one alert, enqueued in the outbox
//! under `digest:<username>:<date>` — so however often the job runs that day, each officer gets
//! one digest.

use motcua_domain::alerts::digest_date;
use motcua_domain::notify::Template;
use motcua_store::outbox::NewMessage;
use time::OffsetDateTime;

use super::alerts::{AlertGroup, Snapshot};
use crate::Application;
use crate::error::AppResult;

/// Enqueues the digests due at `now`; answers how many were newly enqueued.
pub async fn enqueue_digests(state: &Application, now: OffsetDateTime) -> AppResult<usize> {
    let Some(date) = digest_date(&state.calendars.get(None), now) else { return Ok(0) };
    let officers = state.store.officer_emails().await?;
    if officers.is_empty() {
        return Ok(0);
    }
    let snapshot = Snapshot::take(state, None, now).await?;
    let date_vi = format!("{:02}/{:02}/{:04}", date.day(), u8::from(date.month()), date.year());
    let mut fresh = 0;
    for (username, email) in officers {
        let Some(user) = state.store.user(&username).await? else { continue };
        let groups = snapshot.for_user(&user);
        let total: usize = groups.iter().map(|g| g.items.len()).sum();
        if total == 0 {
            continue;
        }
        let lines = lines(&groups);
        let rendered = match Template::DailyDigest.render(&[
            ("date", &date_vi),
            ("total", &total.to_string()),
            ("officer", &user.full_name),
            ("lines", &lines),
        ]) {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, "digest template failed");
                return Ok(fresh);
            }
        };
        let m = NewMessage {
            kind: "email".into(),
            idempotency_key: format!("digest:{username}:{date}"),
            recipient: email,
            payload: rendered.email_payload(),
            template: Some(rendered.template),
            about: Some(username.clone()),
            unit: None,
        };
        if state.store.enqueue(&m, now).await? {
            fresh += 1;
        }
    }
    Ok(fresh)
}

/// The digest's body: per kind a heading with the count, then one line per item.
fn lines(groups: &[AlertGroup]) -> String {
    let mut out = String::new();
    for g in groups {
        out.push_str(&format!("{} ({}):\n", g.label_vi, g.items.len()));
        for i in &g.items {
            let at = i.at.as_deref().map(|a| format!(", mốc {}", a.replace('T', " "))).unwrap_or_default();
            out.push_str(&format!("- {} — đơn vị {}{}\n", i.code, i.unit, at));
        }
        out.push('\n');
    }
    out.trim_end().to_owned()
}

/// Checks every minute whether today's digests are due (once a day's digests are enqueued the
/// day is skipped; a restart re-runs it harmlessly thanks to the idempotency keys); logs and goes
/// on after errors.
pub async fn run_daily(state: Application) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut done = None;
    loop {
        tick.tick().await;
        let now = state.now();
        let due = digest_date(&state.calendars.get(None), now);
        if due.is_none() || due == done {
            continue;
        }
        match enqueue_digests(&state, now).await {
            Ok(n) => {
                done = due;
                tracing::info!(digests = n, "daily digests enqueued");
            }
            Err(e) => tracing::error!(code = %e.code, error = %e.message, "daily digest failed"),
        }
    }
}
