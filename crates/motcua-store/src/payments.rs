//! Online payments of dossiers' fees (issue 15 item 5): the payment records' write path and
//! their queries.
//!
//! Every write goes through the writer ([`crate::Writer::transact`]) and the records' hash chain
//! ([`crate::records`]). A confirmed payment writes, in ONE transaction: the payment's `paid`
//! event with the next receipt number of its series (`receipt_series`, so two payments never
//! share a number and no number is skipped by a refused request), and the dossier's
//! `record_payment`. A refund writes the payment's `refunded` event and the dossier's
//! `record_refund` the same way.

use futures_util::future::BoxFuture;
use motcua_domain::calendar::Calendar;
use motcua_domain::dossier::actions::record_payment::RecordPayment;
use motcua_domain::dossier::actions::record_refund::RecordRefund;
use motcua_domain::dossier::actions::{Action, Ctx, decide};
use motcua_domain::dossier::{Actor, Dossier, PaidFees};
use motcua_domain::payment::{self, Change, Outcome, Payment, PaymentEvent, PaymentState, Receipt, Settlement};
use sqlx::{AnyPool, Row};
use std::sync::Arc;
use time::OffsetDateTime;

use crate::records::{self, Projection, Tx};
use crate::{Result, Store, StoreError, format_ts};

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("payments: {e}"))
}

/// What settling a platform's outcome did.
#[derive(Debug, Clone)]
pub enum Settled {
    /// Recorded now (paid or failed).
    Recorded(Payment),
    /// The same outcome had been recorded: nothing changed.
    AlreadyRecorded(Payment),
}

impl Settled {
    pub fn payment(&self) -> &Payment {
        match self {
            Settled::Recorded(p) | Settled::AlreadyRecorded(p) => p,
        }
    }
}

/// The dossier's projection inside the writer's transaction.
async fn dossier_in(tx: &mut Tx, code: &str) -> Result<Dossier> {
    let state: String = sqlx::query_scalar("SELECT state FROM dossiers WHERE code = $1")
        .bind(code.to_owned())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    serde_json::from_str(&state).map_err(corrupt)
}

/// A system action on a dossier in the same transaction as its payment's event.
async fn dossier_act(tx: &mut Tx, code: &str, action: Action, at: OffsetDateTime) -> Result<Dossier> {
    let open = crate::indicators::horizon(tx)
        .await?
        .unwrap_or_else(|| motcua_domain::indicators::YearMonth::of(OffsetDateTime::now_utc()));
    let calendar = Arc::new(Calendar::vietnam_default());
    let decide_it: crate::writer::Decide = Box::new(move |d: &Dossier| {
        decide(d, &action, &Ctx { calendar: &calendar, at, actor: &Actor::System }).map(|e| vec![e])
    });
    crate::dossier_log::act(tx, code, None, decide_it, open).await
}

/// The next number of `series`, written in the same transaction.
async fn next_receipt_in(tx: &mut Tx, series: &str) -> Result<u32> {
    let last: Option<i64> = sqlx::query_scalar("SELECT last_number FROM receipt_series WHERE series = $1")
        .bind(series.to_owned())
        .fetch_optional(&mut **tx)
        .await?;
    let next = last.unwrap_or(0) + 1;
    sqlx::query(
        "INSERT INTO receipt_series (series, last_number) VALUES ($1, $2) \
         ON CONFLICT (series) DO UPDATE SET last_number = excluded.last_number",
    )
    .bind(series.to_owned())
    .bind(next)
    .execute(&mut **tx)
    .await?;
    u32::try_from(next).map_err(|_| corrupt(format!("receipt series {series} is full")))
}

impl Store {
    /// Opens a payment of the dossier `code` on `provider`, or hands back the one still open
    /// (requested less than [`payment::REQUEST_TTL`] ago): clicking "pay" twice is one payment.
    /// `id` names a new payment.
    pub async fn request_payment(
        &self,
        code: &str,
        id: String,
        platform: payment::Platform,
        provider: &str,
        by: &str,
        at: OffsetDateTime,
    ) -> Result<Payment> {
        let (code, provider, by) = (code.to_owned(), provider.to_owned(), by.to_owned());
        self.writer
            .transact(move |tx| {
                Box::pin(async move {
                    let d = dossier_in(tx, &code).await?;
                    let open: Option<String> = sqlx::query_scalar(
                        "SELECT data FROM payments WHERE dossier_code = $1 AND state = 'pending' AND provider = $2 \
                         AND requested_at > $3 ORDER BY requested_at DESC LIMIT 1",
                    )
                    .bind(code.clone())
                    .bind(provider.clone())
                    .bind(format_ts(at - payment::REQUEST_TTL))
                    .fetch_optional(&mut **tx)
                    .await?;
                    let change = payment::request(&d, id, platform, &provider)?;
                    if let Some(open) = open {
                        let p: Payment = serde_json::from_str(&open).map_err(corrupt)?;
                        if matches!(&change, Change::Requested { amount, .. } if *amount == p.amount) {
                            return Ok(p);
                        }
                    }
                    records::create_in::<Payment>(tx, &[PaymentEvent { at, by, what: change }]).await
                })
            })
            .await
    }

    /// Records what the platform says of payment `id` (its callback, or the applicant's return):
    /// see [`payment::settle`]. A payment confirmed paid marks the dossier paid in the same
    /// transaction; if the dossier cannot take it (paid meanwhile, closed), the payment stays paid
    /// and becomes due for a refund ([`payment::refund_due`]).
    pub async fn settle_payment(&self, id: &str, outcome: Outcome, at: OffsetDateTime) -> Result<Settled> {
        let id = id.to_owned();
        self.writer
            .transact(move |tx| {
                Box::pin(async move {
                    let p = <Payment as Projection>::load(tx, &id).await?.ok_or(StoreError::NotFound)?;
                    let year = outcome.paid_at.to_offset(motcua_domain::dossier::timeliness::VN_OFFSET).year();
                    let series = Receipt::series_of(&p.unit, year);
                    // Decided first without a number: only a payment recorded paid takes one.
                    let change = match payment::settle(&p, &outcome, || Receipt { series: series.clone(), number: 0 })? {
                        Settlement::AlreadyRecorded => return Ok(Settled::AlreadyRecorded(p)),
                        Settlement::Record(Change::Paid { transaction, amount, paid_at, channel, .. }) => {
                            let number = next_receipt_in(tx, &series).await?;
                            Change::Paid { transaction, amount, paid_at, channel, receipt: Receipt { series, number } }
                        }
                        Settlement::Record(c) => c,
                    };
                    let event = PaymentEvent { at, by: "system".into(), what: change };
                    let after = records::append_in::<Payment>(tx, &id, Some(p.version), |_| Ok(vec![event])).await?;
                    if let (PaymentState::Paid, Some(transaction), Some(receipt), Some(paid_at)) =
                        (after.state, after.transaction.clone(), after.receipt.as_ref(), after.paid_at)
                    {
                        let paid = PaidFees {
                            id: after.id.clone(),
                            platform: after.platform,
                            amount: after.amount,
                            transaction,
                            receipt: receipt.text(),
                            paid_at,
                            refunded: None,
                        };
                        match dossier_act(tx, &after.dossier, Action::RecordPayment(RecordPayment { paid }), at).await {
                            Ok(_) => {}
                            Err(StoreError::Domain(e)) => {
                                tracing::warn!(payment = %after.id, code = %e.code, "a payment the dossier cannot take is due for a refund");
                            }
                            Err(e) => return Err(e),
                        }
                    }
                    Ok(Settled::Recorded(after))
                })
            })
            .await
    }

    /// Records the refund of payment `id` the platform made (`transaction`), on the payment and
    /// on its dossier.
    pub async fn record_refund(
        &self,
        id: &str,
        transaction: &str,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<Payment> {
        let (id, transaction, reason) = (id.to_owned(), transaction.to_owned(), reason.to_owned());
        self.writer
            .transact(move |tx| {
                Box::pin(async move {
                    let p = <Payment as Projection>::load(tx, &id).await?.ok_or(StoreError::NotFound)?;
                    let change = payment::refund(&p, &transaction, &reason)?;
                    let event = PaymentEvent { at, by: "system".into(), what: change };
                    let after = records::append_in::<Payment>(tx, &id, Some(p.version), |_| Ok(vec![event])).await?;
                    let d = dossier_in(tx, &after.dossier).await?;
                    // Only the payment the dossier counts as paid is taken off it.
                    if d.payment.as_ref().is_some_and(|x| x.id == after.id) {
                        let action =
                            Action::RecordRefund(RecordRefund { payment: after.id.clone(), transaction, reason });
                        dossier_act(tx, &after.dossier, action, at).await?;
                    }
                    Ok(after)
                })
            })
            .await
    }

    /// A payment and its dossier code.
    pub async fn payment(&self, id: &str) -> Result<Payment> {
        <Payment as Projection>::read(&self.pool, id).await?.ok_or(StoreError::NotFound)
    }

    /// The payments of a dossier, newest first.
    pub async fn dossier_payments(&self, code: &str) -> Result<Vec<Payment>> {
        let rows = sqlx::query("SELECT data FROM payments WHERE dossier_code = $1 ORDER BY requested_at DESC, id")
            .bind(code.to_owned())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| serde_json::from_str(&r.try_get::<String, _>("data")?).map_err(corrupt)).collect()
    }

    /// The payments that touched `[from, to)`: requested, paid or refunded in it (for the
    /// reconciliation of a day).
    pub async fn payments_between(&self, from: OffsetDateTime, to: OffsetDateTime) -> Result<Vec<Payment>> {
        let (f, t) = (format_ts(from), format_ts(to));
        let rows = sqlx::query(
            "SELECT data FROM payments WHERE (requested_at >= $1 AND requested_at < $2) \
             OR (paid_at >= $3 AND paid_at < $4) OR (refunded_at >= $5 AND refunded_at < $6) ORDER BY requested_at, id",
        )
        .bind(f.clone())
        .bind(t.clone())
        .bind(f.clone())
        .bind(t.clone())
        .bind(f)
        .bind(t)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| serde_json::from_str(&r.try_get::<String, _>("data")?).map_err(corrupt)).collect()
    }

    /// Paid payments that may be due for a refund, with their dossiers: those whose dossier ended
    /// without its result or does not name them as its payment (its JSON state does not hold the
    /// payment's id as a string). A pre-filter only: [`payment::refund_due`] decides.
    pub async fn paid_payments_with_dossiers(&self, limit: i64) -> Result<Vec<(Payment, Dossier)>> {
        let rows = sqlx::query(
            "SELECT p.data AS payment, d.state AS dossier FROM payments p JOIN dossiers d ON d.code = p.dossier_code \
             WHERE p.state = 'paid' AND (d.status IN ('refused', 'rejected', 'withdrawn') OR d.state NOT LIKE '%\"' || p.id || '\"%') \
             ORDER BY p.paid_at LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let p: Payment = serde_json::from_str(&r.try_get::<String, _>("payment")?).map_err(corrupt)?;
                let d: Dossier = serde_json::from_str(&r.try_get::<String, _>("dossier")?).map_err(corrupt)?;
                Ok((p, d))
            })
            .collect()
    }
}

/// `payments` is the query projection of the payment histories.
impl Projection for Payment {
    fn load<'t>(tx: &'t mut Tx, id: &'t str) -> BoxFuture<'t, Result<Option<Payment>>> {
        Box::pin(async move {
            let data: Option<String> = sqlx::query_scalar("SELECT data FROM payments WHERE id = $1")
                .bind(id.to_owned())
                .fetch_optional(&mut **tx)
                .await?;
            data.map(|d| serde_json::from_str(&d).map_err(corrupt)).transpose()
        })
    }

    fn project<'t>(
        tx: &'t mut Tx,
        before: Option<&'t Payment>,
        p: &'t Payment,
        _events: &'t [PaymentEvent],
    ) -> BoxFuture<'t, Result<()>> {
        Box::pin(async move {
            let data = serde_json::to_string(p).map_err(corrupt)?;
            let refund = p.refund.as_ref();
            if before.is_none() {
                sqlx::query(
                    "INSERT INTO payments (id, dossier_code, unit, amount, platform, provider, state, requested_at, \
                     transaction_id, paid_at, receipt, refund_transaction, refunded_at, data, version) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                )
                .bind(p.id.clone())
                .bind(p.dossier.clone())
                .bind(p.unit.clone())
                .bind(p.amount)
                .bind(p.platform.as_str())
                .bind(p.provider.clone())
                .bind(p.state.as_str())
                .bind(format_ts(p.requested_at))
                .bind(p.transaction.clone())
                .bind(p.paid_at.map(format_ts))
                .bind(p.receipt.as_ref().map(Receipt::text))
                .bind(refund.map(|r| r.transaction.clone()))
                .bind(refund.map(|r| format_ts(r.at)))
                .bind(data)
                .bind(p.version)
                .execute(&mut **tx)
                .await?;
            } else {
                sqlx::query(
                    "UPDATE payments SET state = $1, transaction_id = $2, paid_at = $3, receipt = $4, \
                     refund_transaction = $5, refunded_at = $6, data = $7, version = $8 WHERE id = $9",
                )
                .bind(p.state.as_str())
                .bind(p.transaction.clone())
                .bind(p.paid_at.map(format_ts))
                .bind(p.receipt.as_ref().map(Receipt::text))
                .bind(refund.map(|r| r.transaction.clone()))
                .bind(refund.map(|r| format_ts(r.at)))
                .bind(data)
                .bind(p.version)
                .bind(p.id.clone())
                .execute(&mut **tx)
                .await?;
            }
            Ok(())
        })
    }

    fn ids<'p>(pool: &'p AnyPool) -> BoxFuture<'p, Result<Vec<String>>> {
        Box::pin(async move { Ok(sqlx::query_scalar("SELECT id FROM payments").fetch_all(pool).await?) })
    }

    fn read<'p>(pool: &'p AnyPool, id: &'p str) -> BoxFuture<'p, Result<Option<Payment>>> {
        Box::pin(async move {
            let data: Option<String> = sqlx::query_scalar("SELECT data FROM payments WHERE id = $1")
                .bind(id.to_owned())
                .fetch_optional(pool)
                .await?;
            data.map(|d| serde_json::from_str(&d).map_err(corrupt)).transpose()
        })
    }
}
