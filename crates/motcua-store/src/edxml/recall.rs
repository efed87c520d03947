//! Recall, update and replacement of a document already exchanged (domain.md §9: status codes
//! 13 recall request, 15 accepted, 16 refused; `BussinessDocType` 1 revoke, 2 update, 3
//! replace). The open question lives in `edxml_packages.recall` (migration 0011):
//!
//! - the sender asks once: a recall (status 13 to every recipient, or a revoke package) marks
//!   its outgoing package `requested`; an update/replacement package is itself `requested`;
//! - the receiver's package gets `requested` when the 13 (or the 1/2/3 package) arrives, and its
//!   clerk answers once: `accepted` (15) or `refused` (16), sent back to the sender;
//! - the answer arriving at the sender moves its package from `requested` to the same word.
//!
//! Every step is also a trace row, so the history shows who asked, when and why.

use sqlx::{Any, Transaction};
use time::OffsetDateTime;

use super::{NewPackage, trace_in};
use crate::outbox::{NewMessage, enqueue_in};
use crate::{Result, Store};

/// The question is open.
pub const REQUESTED: &str = "requested";
/// Answered 15 (đồng ý thu hồi / cập nhật).
pub const ACCEPTED: &str = "accepted";
/// Answered 16 (từ chối thu hồi / cập nhật).
pub const REFUSED: &str = "refused";

/// Sets `recall` on package `id` to `to` when it is `from` (NULL for none); answers whether it
/// moved (a second request or answer changes nothing).
async fn move_recall(tx: &mut Transaction<'static, Any>, id: &str, from: Option<&str>, to: &str) -> Result<bool> {
    let res = match from {
        None => {
            sqlx::query("UPDATE edxml_packages SET recall = $1 WHERE id = $2 AND recall IS NULL")
                .bind(to.to_owned())
                .bind(id.to_owned())
                .execute(&mut **tx)
                .await?
        }
        Some(from) => {
            sqlx::query("UPDATE edxml_packages SET recall = $1 WHERE id = $2 AND recall = $3")
                .bind(to.to_owned())
                .bind(id.to_owned())
                .bind(from.to_owned())
                .execute(&mut **tx)
                .await?
        }
    };
    Ok(res.rows_affected() == 1)
}

/// Ids of `direction` packages of `unit` (any unit when `None`) with `document_id` sent by
/// `from_organ`.
async fn ids_of(
    tx: &mut Transaction<'static, Any>,
    direction: &str,
    unit: Option<&str>,
    document_id: &str,
    from_organ: &str,
) -> Result<Vec<String>> {
    let ids: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, unit FROM edxml_packages WHERE direction = $1 AND document_id = $2 AND from_organ = $3 ORDER BY id",
    )
    .bind(direction.to_owned())
    .bind(document_id.to_owned())
    .bind(from_organ.to_owned())
    .fetch_all(&mut **tx)
    .await?;
    Ok(ids.into_iter().filter(|(_, u)| unit.is_none_or(|w| w == u)).map(|(id, _)| id).collect())
}

/// The sender's side of a revoke package (business type 1): the earlier outgoing package it is
/// about waits for the answer like a recall.
pub(super) async fn concerning_sent_in(
    tx: &mut Transaction<'static, Any>,
    p: &NewPackage,
    now: OffsetDateTime,
) -> Result<()> {
    let (1, Some(concerns)) = (p.business_type, p.concerns.as_deref()) else { return Ok(()) };
    for id in ids_of(tx, "out", Some(&p.unit), concerns, &p.from_organ).await? {
        if move_recall(tx, &id, None, REQUESTED).await? {
            trace_in(tx, &id, "recall_requested", None, Some("BussinessDocType 1"), None, None, now).await?;
        }
    }
    Ok(())
}

/// The receiver's side of a package of business type 1–3 just registered as `new_id`: a revoke
/// opens the recall question on the earlier incoming package it names; an update or a
/// replacement (itself `requested` from its insertion) leaves a line on the earlier one.
pub(super) async fn concerning_received_in(
    tx: &mut Transaction<'static, Any>,
    new_id: &str,
    p: &NewPackage,
    now: OffsetDateTime,
) -> Result<()> {
    let Some(concerns) = p.concerns.as_deref() else { return Ok(()) };
    let event = match p.business_type {
        1 => "recall_requested",
        2 => "updated_by",
        3 => "replaced_by",
        _ => return Ok(()),
    };
    for id in ids_of(tx, "in", Some(&p.unit), concerns, &p.from_organ).await? {
        if p.business_type == 1 && !move_recall(tx, &id, None, REQUESTED).await? {
            continue;
        }
        trace_in(tx, &id, event, Some(&p.from_organ), Some(new_id), Some(&format!("{event}:{new_id}:{id}")), None, now)
            .await?;
    }
    Ok(())
}

/// A 15/16 arriving at the sender for its package `id`.
pub(super) async fn answer_arrived_in(tx: &mut Transaction<'static, Any>, id: &str, code: &str) -> Result<()> {
    let to = match code {
        "15" => ACCEPTED,
        "16" => REFUSED,
        _ => return Ok(()),
    };
    move_recall(tx, id, Some(REQUESTED), to).await?;
    Ok(())
}

impl Store {
    /// The sender asks to recall its outgoing package `id` (status 13, one message per
    /// recipient in `messages`), once: answers false when a recall was already asked.
    pub async fn request_recall(
        &self,
        id: &str,
        reason: &str,
        messages: &[NewMessage],
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut tx = crate::begin_write(&self.pool).await?;
        if !move_recall(&mut tx, id, None, REQUESTED).await? {
            return Ok(false);
        }
        trace_in(&mut tx, id, "recall_requested", None, Some(reason), None, None, now).await?;
        for m in messages {
            enqueue_in(&mut tx, m, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// A recall request (13) from `from_organ` for its document `document_id` arrived: the
    /// incoming packages registered from it get the open question. Answers how many packages
    /// matched (0: unknown document); a repeat (`dedup`) changes nothing.
    pub async fn recall_arrived(
        &self,
        document_id: &str,
        from_organ: &str,
        reason: Option<&str>,
        dedup: &str,
        now: OffsetDateTime,
    ) -> Result<usize> {
        let mut tx = crate::begin_write(&self.pool).await?;
        let ids = ids_of(&mut tx, "in", None, document_id, from_organ).await?;
        for id in &ids {
            if trace_in(&mut tx, id, "status:13", Some(from_organ), reason, Some(&format!("{dedup}:{id}")), None, now)
                .await?
            {
                move_recall(&mut tx, id, None, REQUESTED).await?;
            }
        }
        tx.commit().await?;
        Ok(ids.len())
    }

    /// The receiver's clerk answers the open question on incoming package `id` (15 accepted or
    /// 16 refused, `reply` queued back), once: answers false when nothing was open.
    pub async fn answer_recall(
        &self,
        id: &str,
        accept: bool,
        reason: Option<&str>,
        reply: &NewMessage,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let mut tx = crate::begin_write(&self.pool).await?;
        let to = if accept { ACCEPTED } else { REFUSED };
        if !move_recall(&mut tx, id, Some(REQUESTED), to).await? {
            return Ok(false);
        }
        let event = if accept { "recall_accepted" } else { "recall_refused" };
        trace_in(&mut tx, id, event, None, reason, None, None, now).await?;
        enqueue_in(&mut tx, reply, now).await?;
        tx.commit().await?;
        Ok(true)
    }
}
