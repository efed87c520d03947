//! Relaying and signer trust (docs/EXCHANGE.md, migration 0011).
//!
//! - A system that receives a package for an organ hosted elsewhere (a province system between
//!   its communes and the central axis) stores it once as direction `relay` and queues one
//!   delivery per such recipient (keys `edxml:<id>:<organ>`, so a repeat queues nothing); the
//!   status messages coming back are traced on the relay row and passed on.
//! - `edxml_trusted_signers` lists the certificates (SHA-256 of the DER) whose XML-DSig
//!   signatures this system trusts.

use time::OffsetDateTime;

use super::{NewPackage, insert_package, queue_deliveries_in, trace_in};
use crate::outbox::{NewMessage, enqueue_in};
use crate::{Result, Store, format_ts};
use motcua_domain::exchange::trace::DeliveryState;

impl Store {
    /// Stores package `p` for relaying (once per relaying unit and digest) and queues its
    /// delivery to each organ of `to` not queued before. Answers the relay row's id.
    pub async fn relay_package(&self, p: &NewPackage, to: &[String], now: OffsetDateTime) -> Result<String> {
        let mut tx = crate::begin_write(&self.pool).await?;
        let (id, _) = insert_package(&mut tx, "relay", p, DeliveryState::Queued, now).await?;
        queue_deliveries_in(&mut tx, &id, &p.unit, &p.document_id, to, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A status message `code` from `from_organ` about relayed package `relay_id` is passed on
    /// (`message`, queued once) and traced on the relay row; a repeat (`dedup`) changes nothing.
    /// Answers whether it was new.
    #[allow(clippy::too_many_arguments)]
    pub async fn relay_status(
        &self,
        relay_id: &str,
        code: &str,
        from_organ: &str,
        description: Option<&str>,
        dedup: &str,
        message: &NewMessage,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut tx = crate::begin_write(&self.pool).await?;
        let event = format!("status:{code}");
        let state = DeliveryState::from_status_code(code);
        let fresh = trace_in(&mut tx, relay_id, &event, Some(from_organ), description, Some(dedup), state, now).await?;
        if fresh {
            enqueue_in(&mut tx, message, now).await?;
        }
        tx.commit().await?;
        Ok(fresh)
    }

    /// Trusts the certificate with SHA-256 `fingerprint` (lowercase hex of the DER), named
    /// `name` (its holder) for the administrators.
    pub async fn trust_signer(&self, fingerprint: &str, name: &str, now: OffsetDateTime) -> Result<()> {
        sqlx::query(
            "INSERT INTO edxml_trusted_signers (fingerprint, name, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (fingerprint) DO UPDATE SET name = excluded.name",
        )
        .bind(fingerprint.to_ascii_lowercase())
        .bind(name.to_owned())
        .bind(format_ts(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The holder's name when the certificate `fingerprint` is trusted.
    pub async fn trusted_signer(&self, fingerprint: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT name FROM edxml_trusted_signers WHERE fingerprint = $1")
            .bind(fingerprint.to_ascii_lowercase())
            .fetch_optional(&self.pool)
            .await?)
    }
}
