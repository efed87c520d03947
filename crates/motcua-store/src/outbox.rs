//! The transactional outbox: everything that leaves the system (e-mail, SMS, later edXML) is
//! first written here, in the same transaction as the fact it announces, then delivered by a
//! background dispatcher with retries.
//!
//! - Idempotency: every row has a UNIQUE key (`<dossier code>:<seq>:<channel>`,
//!   `digest:<username>:<date>`); enqueueing the same key again is a no-op.
//! - Claims: a dispatcher takes due rows by a guarded UPDATE that sets a lease; on SQLite and
//!   PostgreSQL alike only one such UPDATE of a row can match while its lease runs, so two
//!   dispatchers never send the same row. An expired lease (a crashed dispatcher) makes the row
//!   claimable again: delivery is at-least-once, and the idempotency key travels with the message
//!   (e.g. as the e-mail's Message-ID) so a receiver can drop the rare duplicate.
//! - Retries: exponential backoff ([`backoff`]) until [`MAX_ATTEMPTS`], then `failed` (shown in
//!   the daily alerts).

use motcua_domain::dossier::Dossier;
use motcua_domain::dossier::event::Event;
use motcua_domain::notify::citizen_notice;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use time::{Duration, OffsetDateTime};

use crate::{Result, Store, format_ts};

/// Attempts before a row is given up as `failed`.
pub const MAX_ATTEMPTS: i64 = 8;

/// A row to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// `email`, `sms`, `edxml`, … — the dispatcher's sender for it.
    pub kind: String,
    pub idempotency_key: String,
    pub recipient: String,
    /// Opaque to the outbox.
    pub payload: String,
    /// Template version it was rendered from, if any.
    pub template: Option<String>,
    /// What it is about (a dossier code, a username).
    pub about: Option<String>,
    /// The unit responsible (for the failed-delivery alerts).
    pub unit: Option<String>,
}

/// A stored row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: String,
    pub kind: String,
    pub idempotency_key: String,
    pub recipient: String,
    pub payload: String,
    pub template: Option<String>,
    pub about: Option<String>,
    pub unit: Option<String>,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
}

const COLUMNS: &str = "id, kind, idempotency_key, recipient, payload, template, about, unit, status, attempts, \
                       next_attempt_at, last_error, created_at, sent_at";

/// Wait before attempt `attempts + 1` after `attempts` failures: 1, 2, 4, … minutes, capped at
/// 6 hours.
pub fn backoff(attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    Duration::minutes(2i64.saturating_pow(exp).min(360))
}

/// Enqueues `m` inside `tx` (the caller's transaction). Answers false when the key exists.
pub async fn enqueue_in(tx: &mut Transaction<'static, Any>, m: &NewMessage, now: OffsetDateTime) -> Result<bool> {
    let res = sqlx::query(
        "INSERT INTO outbox (id, kind, idempotency_key, recipient, payload, template, about, unit, status, attempts, \
         next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $10) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(m.kind.clone())
    .bind(m.idempotency_key.clone())
    .bind(m.recipient.clone())
    .bind(m.payload.clone())
    .bind(m.template.clone())
    .bind(m.about.clone())
    .bind(m.unit.clone())
    .bind(format_ts(now))
    .bind(format_ts(now))
    .execute(&mut **tx)
    .await?;
    Ok(res.rows_affected() == 1)
}

/// The writer's hook: after `events` (the first numbered `first_seq`) were appended to `d`'s
/// log, enqueues the applicant's notices (receipt, supplementation request, result ready) by
/// e-mail and SMS when the applicant gave an address/number, keyed `<code>:<seq>:<channel>`.
pub(crate) async fn notify_citizen_in(
    tx: &mut Transaction<'static, Any>,
    d: &Dossier,
    first_seq: i64,
    events: &[Event],
) -> Result<()> {
    let mut unit_name: Option<String> = None;
    for (i, event) in events.iter().enumerate() {
        if !matches!(event.data.action(), "receive" | "request_supplement" | "approve") {
            continue;
        }
        if unit_name.is_none() {
            let name: Option<String> = sqlx::query_scalar("SELECT name FROM units WHERE code = $1")
                .bind(d.receiving_unit.to_string())
                .fetch_optional(&mut **tx)
                .await?;
            unit_name = Some(name.unwrap_or_else(|| d.receiving_unit.to_string()));
        }
        let Some(rendered) = citizen_notice(d, event, unit_name.as_deref().unwrap_or_default()) else { continue };
        let rendered = match rendered {
            Ok(r) => r,
            Err(e) => {
                // A template bug must not refuse the citizen's dossier action: log and go on.
                tracing::error!(error = %e, dossier = %d.code, "notification template failed");
                continue;
            }
        };
        let seq = first_seq + i64::try_from(i).unwrap_or(0);
        let channels = [
            ("email", d.applicant.email.trim(), rendered.email_payload()),
            ("sms", d.applicant.phone.trim(), rendered.sms_payload()),
        ];
        for (kind, to, payload) in channels {
            if to.is_empty() {
                continue;
            }
            let m = NewMessage {
                kind: kind.to_owned(),
                idempotency_key: format!("{}:{seq}:{kind}", d.code),
                recipient: to.to_owned(),
                payload,
                template: Some(rendered.template.clone()),
                about: Some(d.code.to_string()),
                unit: Some(d.receiving_unit.to_string()),
            };
            enqueue_in(tx, &m, event.at).await?;
        }
    }
    Ok(())
}

/// Enqueues the "feedback answered" notice (e-mail and SMS to whatever the submitter gave) when
/// `event` publishes the answer, inside the feedback's own transaction; the key
/// `<feedback code>:<seq>:<channel>` makes a repeat a no-op. The submitter gets the full answer;
/// the public page shows the redacted one.
pub(crate) async fn notify_feedback_in(
    tx: &mut Transaction<'static, Any>,
    fb: &motcua_domain::feedback::Feedback,
    seq: i64,
    event: &motcua_domain::feedback::Event,
) -> Result<()> {
    if !matches!(event.what, motcua_domain::feedback::EventKind::Published { .. }) {
        return Ok(());
    }
    let submitter = &fb.submission.submitter;
    let answer = fb.answer.as_deref().or(fb.public_answer.as_deref()).unwrap_or_default();
    let vars = [("code", fb.code.as_str()), ("applicant", submitter.name.as_str()), ("answer", answer)];
    let rendered = match motcua_domain::notify::Template::FeedbackAnswered.render(&vars) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, feedback = %fb.code, "notification template failed");
            return Ok(());
        }
    };
    let channels = [
        ("email", submitter.email.as_deref().unwrap_or("").trim(), rendered.email_payload()),
        ("sms", submitter.phone.as_deref().unwrap_or("").trim(), rendered.sms_payload()),
    ];
    for (kind, to, payload) in channels {
        if to.is_empty() {
            continue;
        }
        let m = NewMessage {
            kind: kind.to_owned(),
            idempotency_key: format!("{}:{seq}:{kind}", fb.code),
            recipient: to.to_owned(),
            payload,
            template: Some(rendered.template.clone()),
            about: Some(fb.code.clone()),
            unit: Some(fb.unit.as_ref().unwrap_or(&fb.center).to_string()),
        };
        enqueue_in(tx, &m, event.at).await?;
    }
    Ok(())
}

fn message(r: &AnyRow) -> Result<Message> {
    Ok(Message {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        idempotency_key: r.try_get("idempotency_key")?,
        recipient: r.try_get("recipient")?,
        payload: r.try_get("payload")?,
        template: r.try_get("template")?,
        about: r.try_get("about")?,
        unit: r.try_get("unit")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
        sent_at: r.try_get("sent_at")?,
    })
}

impl Store {
    /// Enqueues one message in its own transaction. Answers false when the key exists.
    pub async fn enqueue(&self, m: &NewMessage, now: OffsetDateTime) -> Result<bool> {
        let mut tx = crate::begin_write(&self.pool).await?;
        let fresh = enqueue_in(&mut tx, m, now).await?;
        tx.commit().await?;
        Ok(fresh)
    }

    /// Claims up to `limit` pending rows of `kinds` due at `now` for `owner` until `now + lease`.
    /// Each row is taken by a guarded UPDATE, so concurrent dispatchers split the rows between
    /// them and never share one.
    pub async fn claim(
        &self,
        owner: &str,
        kinds: &[&str],
        now: OffsetDateTime,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<Message>> {
        let now_s = format_ts(now);
        let ids: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, kind FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
             AND (lease_until IS NULL OR lease_until <= $1) ORDER BY next_attempt_at, id LIMIT $2",
        )
        .bind(now_s.clone())
        .bind(limit.saturating_mul(4))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for (id, kind) in ids {
            if out.len() as i64 >= limit {
                break;
            }
            if !kinds.contains(&kind.as_str()) {
                continue;
            }
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE outbox SET lease_owner = $1, lease_until = $2 WHERE id = $3 AND status = 'pending' \
                 AND (lease_until IS NULL OR lease_until <= $4) RETURNING {COLUMNS}"
            )))
            .bind(owner.to_owned())
            .bind(format_ts(now + lease))
            .bind(id)
            .bind(now_s.clone())
            .fetch_optional(&self.pool)
            .await?;
            if let Some(r) = row {
                out.push(message(&r)?);
            }
        }
        Ok(out)
    }

    /// Records a delivery of a row `owner` holds. False when the lease was lost meanwhile.
    pub async fn mark_sent(&self, id: &str, owner: &str, now: OffsetDateTime) -> Result<bool> {
        let res = sqlx::query(
            "UPDATE outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1, last_error = NULL, \
             lease_owner = NULL, lease_until = NULL WHERE id = $2 AND lease_owner = $3 AND status = 'pending'",
        )
        .bind(format_ts(now))
        .bind(id.to_owned())
        .bind(owner.to_owned())
        .execute(&self.pool)
        .await?;
        Ok(res.rows_affected() == 1)
    }

    /// Records a failed attempt: the row is retried after [`backoff`], or becomes `failed` after
    /// [`MAX_ATTEMPTS`] (or at once when `permanent`, e.g. an invalid address). `error` must not
    /// hold personal data.
    pub async fn mark_failed(
        &self,
        id: &str,
        owner: &str,
        error: &str,
        permanent: bool,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let attempts: Option<i64> =
            sqlx::query_scalar("SELECT attempts FROM outbox WHERE id = $1 AND lease_owner = $2 AND status = 'pending'")
                .bind(id.to_owned())
                .bind(owner.to_owned())
                .fetch_optional(&self.pool)
                .await?;
        let Some(attempts) = attempts else { return Ok(false) };
        let attempts = attempts + 1;
        let status = if permanent || attempts >= MAX_ATTEMPTS { "failed" } else { "pending" };
        let error: String = error.chars().take(500).collect();
        let res = sqlx::query(
            "UPDATE outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4, lease_owner = NULL, \
             lease_until = NULL WHERE id = $5 AND lease_owner = $6 AND status = 'pending'",
        )
        .bind(status)
        .bind(attempts)
        .bind(format_ts(now + backoff(attempts)))
        .bind(error)
        .bind(id.to_owned())
        .bind(owner.to_owned())
        .execute(&self.pool)
        .await?;
        Ok(res.rows_affected() == 1)
    }

    /// A row by idempotency key.
    pub async fn outbox_message(&self, key: &str) -> Result<Option<Message>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM outbox WHERE idempotency_key = $1")))
            .bind(key.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(message).transpose()
    }

    /// Rows about `about` (a dossier code), oldest first.
    pub async fn outbox_about(&self, about: &str) -> Result<Vec<Message>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM outbox WHERE about = $1 ORDER BY created_at, idempotency_key"
        )))
        .bind(about.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(message).collect()
    }

    /// Failed deliveries of `units` (all units when `units` is `None`), newest first, at most
    /// `limit` per unit.
    pub async fn failed_deliveries(&self, units: Option<&[String]>, limit: i64) -> Result<Vec<Message>> {
        let mut out = Vec::new();
        match units {
            None => {
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM outbox WHERE status = 'failed' ORDER BY next_attempt_at DESC, id LIMIT $1"
                )))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                for r in &rows {
                    out.push(message(r)?);
                }
            }
            Some(units) => {
                for unit in units {
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {COLUMNS} FROM outbox WHERE unit = $1 AND status = 'failed' \
                         ORDER BY next_attempt_at DESC, id LIMIT $2"
                    )))
                    .bind(unit.clone())
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                    for r in &rows {
                        out.push(message(r)?);
                    }
                }
            }
        }
        Ok(out)
    }
}
