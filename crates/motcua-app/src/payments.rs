//! Online payment of a dossier's fees (issue 15 item 5; docs/FEES.md §"Online payment").
//!
//! The applicant, proving the dossier with its code and secret, starts a payment ([`start`]):
//! Motcua opens a payment record ([`motcua_store::Store::request_payment`]), asks the
//! [`PaymentProvider`] for its checkout page and sends the applicant there. The platform tells
//! the outcome, signed, server to server ([`notify`]) and through the applicant's return
//! ([`back`]); whichever comes first records it, with the transaction, amount, time, channel
//! and the next electronic receipt number, and marks the dossier paid in the same transaction.
//! A forged message is refused (`signature_invalid`), a replay changes nothing
//! (`payment_already_recorded`), another amount is refused (`payment_amount_mismatch`).
//!
//! Fees come back ([`refund_sweep`], every minute): a payment of a dossier that ended without
//! its result, or a second payment of a dossier already paid ([`motcua_domain::payment::refund_due`]).
//! [`reconcile`] sets a day's transactions at the platform against Motcua's records.

pub mod platform;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use futures_util::future::BoxFuture;
use motcua_domain::ErrorCode;
use motcua_domain::payment::{self, Outcome, Payment, PaymentState, Platform};
use motcua_store::payments::Settled;
use serde::Serialize;
use time::OffsetDateTime;

use crate::Application;
use crate::error::{AppResult, Error, Kind};

/// What Motcua asks the platform for a checkout.
#[derive(Debug, Clone)]
pub struct Checkout {
    /// Motcua's payment id (`MaGiaoDich`).
    pub payment: String,
    pub dossier: String,
    pub amount: i64,
    /// What the applicant sees on the platform's page.
    pub description: String,
    /// The collecting unit.
    pub unit: String,
    /// Where the applicant's browser comes back (the signed result in its query).
    pub return_url: String,
    /// Where the platform posts the signed result.
    pub notify_url: String,
    pub at: OffsetDateTime,
}

/// A verified message of the platform about one payment.
#[derive(Debug, Clone)]
pub struct Notice {
    pub payment: String,
    pub outcome: Outcome,
}

/// A refund Motcua asks for.
#[derive(Debug, Clone)]
pub struct RefundRequest {
    /// The payment refunded (also the request's idempotency key).
    pub payment: String,
    /// The platform's transaction of the payment.
    pub transaction: String,
    pub amount: i64,
    pub reason: String,
    pub at: OffsetDateTime,
}

/// What a platform's day list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransactionKind {
    Payment,
    Refund,
    Failed,
}

/// One transaction in the platform's list of a day.
#[derive(Debug, Clone)]
pub struct ProviderTransaction {
    pub kind: TransactionKind,
    /// Motcua's payment id it belongs to.
    pub payment: String,
    /// The platform's transaction id.
    pub transaction: String,
    pub amount: i64,
    pub at: OffsetDateTime,
}

/// How talking to a platform failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderError {
    /// No answer, or an outage (5xx): try again later.
    Unreachable(String),
    /// The platform refused the request.
    Refused(String),
    /// A message whose signature or merchant does not check out.
    Forged,
    /// A signed message with a field that cannot be read.
    Malformed(String),
}

impl std::fmt::Display for ProviderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProviderError::Unreachable(m) => write!(f, "unreachable: {m}"),
            ProviderError::Refused(m) => write!(f, "refused: {m}"),
            ProviderError::Forged => write!(f, "the signature does not check out"),
            ProviderError::Malformed(m) => write!(f, "unreadable field {m}"),
        }
    }
}

impl From<ProviderError> for Error {
    fn from(e: ProviderError) -> Error {
        match e {
            ProviderError::Forged => Error::new(
                Kind::Unauthenticated,
                ErrorCode::SignatureInvalid,
                "the payment message's signature (ChuKy) does not check out",
                "chữ ký (ChuKy) của thông báo thanh toán không hợp lệ",
            ),
            ProviderError::Malformed(f) => Error::bad_request(
                ErrorCode::InvalidPaymentNotice,
                format!("the payment message's field {f} cannot be read"),
                format!("không đọc được trường {f} của thông báo thanh toán"),
            ),
            ProviderError::Unreachable(m) | ProviderError::Refused(m) => {
                tracing::warn!(error = %m, "the payment platform failed");
                Error::new(
                    Kind::Unavailable,
                    ErrorCode::PaymentPlatformFailed,
                    "the payment platform is not answering now; try again in a few minutes",
                    "cổng thanh toán hiện không phản hồi; vui lòng thử lại sau ít phút",
                )
            }
        }
    }
}

/// A payment platform: the national portal's, or a province's gateway.
pub trait PaymentProvider: Send + Sync {
    /// Its name in Motcua's records.
    fn name(&self) -> &str;
    /// Which `DuocThanhToanTrucTuyen` its payments count as.
    fn platform(&self) -> Platform;
    /// Opens a transaction; answers the page to send the applicant to.
    fn checkout<'a>(&'a self, c: &'a Checkout) -> BoxFuture<'a, Result<String, ProviderError>>;
    /// Checks a message (callback body or return query) and reads it.
    fn verify(&self, fields: &BTreeMap<String, String>) -> Result<Notice, ProviderError>;
    /// Gives a paid transaction back; answers the refund's transaction.
    fn refund<'a>(&'a self, r: &'a RefundRequest) -> BoxFuture<'a, Result<String, ProviderError>>;
    /// The transactions of a day (Vietnam time).
    fn transactions<'a>(&'a self, day: time::Date) -> BoxFuture<'a, Result<Vec<ProviderTransaction>, ProviderError>>;
}

/// How the payment platform is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentConfig {
    /// The platform's base URL (`…/thanhtoan` on the simulator).
    pub url: String,
    pub secret: String,
    /// Motcua's merchant code there.
    pub merchant: String,
    pub platform: Platform,
    /// The provider's name in the records.
    pub name: String,
    /// Motcua's public address for the platform's callback (`MOTCUA_PUBLIC_URL`); none: the
    /// address the applicant's browser used.
    pub public_url: Option<String>,
    /// How often refunds due are looked for (`MOTCUA_PAYMENT_REFUND_SECONDS`, default 60).
    pub refund_every: std::time::Duration,
}

impl PaymentConfig {
    /// From `MOTCUA_PAYMENT_URL` (none: no online payment), `MOTCUA_PAYMENT_SECRET`,
    /// `MOTCUA_PAYMENT_MERCHANT` (default `motcua`), `MOTCUA_PAYMENT_PLATFORM` (`portal`, the
    /// default, or `province`), `MOTCUA_PAYMENT_NAME` and `MOTCUA_PUBLIC_URL`.
    pub fn from_env() -> Result<Option<PaymentConfig>, String> {
        let env = |k: &str| std::env::var(k).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let Some(url) = env("MOTCUA_PAYMENT_URL") else { return Ok(None) };
        let secret = env("MOTCUA_PAYMENT_SECRET").ok_or("MOTCUA_PAYMENT_URL is set: set MOTCUA_PAYMENT_SECRET too")?;
        let platform = match env("MOTCUA_PAYMENT_PLATFORM") {
            None => Platform::Portal,
            Some(p) => {
                Platform::parse(&p).ok_or(format!("MOTCUA_PAYMENT_PLATFORM is 'portal' or 'province', not '{p}'"))?
            }
        };
        crate::http_client::endpoint(&url)?;
        Ok(Some(PaymentConfig {
            url,
            secret,
            merchant: env("MOTCUA_PAYMENT_MERCHANT").unwrap_or_else(|| "motcua".to_owned()),
            platform,
            name: env("MOTCUA_PAYMENT_NAME").unwrap_or_else(|| platform.as_str().to_owned()),
            public_url: env("MOTCUA_PUBLIC_URL"),
            refund_every: refund_every(),
        }))
    }

    /// Payments through the provider speaking [`platform`]'s protocol.
    pub fn payments(&self) -> Payments {
        Payments {
            provider: Arc::new(platform::HttpPlatform {
                name: self.name.clone(),
                platform: self.platform,
                base: self.url.clone(),
                merchant: self.merchant.clone(),
                secret: self.secret.clone(),
            }),
            public_url: self.public_url.clone(),
            refund_every: self.refund_every,
        }
    }
}

/// `MOTCUA_PAYMENT_REFUND_SECONDS` (default 60, at least 1).
pub fn refund_every() -> std::time::Duration {
    let s = std::env::var("MOTCUA_PAYMENT_REFUND_SECONDS").ok().and_then(|s| s.trim().parse::<u64>().ok());
    std::time::Duration::from_secs(s.unwrap_or(60).max(1))
}

/// Online payment as the application has it.
#[derive(Clone)]
pub struct Payments {
    pub provider: Arc<dyn PaymentProvider>,
    /// Motcua's public address, when configured.
    pub public_url: Option<String>,
    pub refund_every: std::time::Duration,
}

/// The payment platform, or "not offered here" (422: a fact of this system, not an outage).
pub fn configured(app: &Application) -> AppResult<&Payments> {
    app.payments.as_deref().ok_or_else(|| {
        Error::new(
            Kind::Unprocessable,
            ErrorCode::OnlinePaymentNotOffered,
            "online payment is not set up on this system; pay at the counter",
            "hệ thống chưa kết nối cổng thanh toán trực tuyến; vui lòng nộp phí tại Bộ phận Một cửa",
        )
    })
}

/// Path of the platform's callback and of the applicant's return.
pub const CALLBACK_PATH: &str = "/api/v1/payments/callback";
pub const RETURN_PATH: &str = "/thanh-toan/ket-qua";

/// A new payment id: `TT` and 20 random characters (unguessable: it is in the applicant's URL).
fn new_id() -> String {
    format!("TT{}", &crate::auth::new_token()[..20])
}

/// A started payment: where to send the applicant.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Started {
    pub payment_id: String,
    pub amount: i64,
    /// The platform's checkout page.
    pub redirect_url: String,
}

/// The applicant pays dossier `code` (proven by `secret`). `origin` is the address the
/// applicant reached Motcua at (`http://host`), used when no public URL is configured.
pub async fn start(app: &Application, code: &str, secret: &str, origin: &str) -> AppResult<Started> {
    let p = configured(app)?;
    let d = crate::dossiers::load_with_secret(app, code, Some(secret)).await?;
    let at = app.now();
    let pay =
        app.store.request_payment(&d.code, new_id(), p.provider.platform(), p.provider.name(), "applicant", at).await?;
    let base = p.public_url.as_deref().unwrap_or(origin).trim_end_matches('/').to_owned();
    let checkout = Checkout {
        payment: pay.id.clone(),
        dossier: d.code.to_string(),
        amount: pay.amount,
        description: format!("Nộp phí, lệ phí hồ sơ {} — {}", d.code, d.procedure_name),
        unit: pay.unit.clone(),
        return_url: format!("{base}{RETURN_PATH}"),
        notify_url: format!("{base}{CALLBACK_PATH}"),
        at,
    };
    let redirect_url = p.provider.checkout(&checkout).await?;
    Ok(Started { payment_id: pay.id, amount: pay.amount, redirect_url })
}

/// What a platform message did.
#[derive(Debug, Clone)]
pub struct Settlement {
    /// Recorded now (false: it had been, nothing changed).
    pub recorded: bool,
    pub payment: Payment,
}

/// A message of the platform (its callback, or the applicant's return): verified, then recorded
/// once.
async fn settle(app: &Application, fields: &BTreeMap<String, String>) -> AppResult<Settlement> {
    let p = configured(app)?;
    let notice = p.provider.verify(fields)?;
    let settled = app.store.settle_payment(&notice.payment, notice.outcome, app.now()).await.map_err(|e| match e {
        motcua_store::StoreError::NotFound => {
            Error::not_found(&format!("payment {}", notice.payment), &format!("giao dịch {}", notice.payment))
        }
        e => e.into(),
    })?;
    Ok(match settled {
        Settled::Recorded(payment) => {
            tracing::info!(payment = %payment.id, state = payment.state.as_str(), "payment outcome recorded");
            Settlement { recorded: true, payment }
        }
        Settled::AlreadyRecorded(payment) => Settlement { recorded: false, payment },
    })
}

/// The platform's server-to-server callback: a replay is refused (`payment_already_recorded`,
/// 409), the record unchanged.
pub async fn notify(app: &Application, fields: &BTreeMap<String, String>) -> AppResult<Payment> {
    let s = settle(app, fields).await?;
    if !s.recorded {
        return Err(Error::new(
            Kind::Conflict,
            ErrorCode::PaymentAlreadyRecorded,
            format!("the outcome of payment {} is recorded already; nothing changed", s.payment.id),
            format!("kết quả giao dịch {} đã được ghi nhận; không có thay đổi", s.payment.id),
        ));
    }
    Ok(s.payment)
}

/// The applicant's return from the platform: the same check; an outcome the callback recorded
/// first is simply shown.
pub async fn back(app: &Application, fields: &BTreeMap<String, String>) -> AppResult<Payment> {
    Ok(settle(app, fields).await?.payment)
}

/// Gives back every payment due for a refund; answers how many were refunded. A refund the
/// platform refuses or cannot take now is tried again next time.
pub async fn refund_sweep(app: &Application) -> AppResult<usize> {
    let p = configured(app)?;
    let mut done = 0;
    for (pay, d) in app.store.paid_payments_with_dossiers(100).await? {
        let Some(reason) = payment::refund_due(&pay, &d) else { continue };
        if pay.provider != p.provider.name() {
            continue;
        }
        let Some(transaction) = pay.transaction.clone() else { continue };
        let at = app.now();
        let request =
            RefundRequest { payment: pay.id.clone(), transaction, amount: pay.amount, reason: reason.into(), at };
        match p.provider.refund(&request).await {
            Ok(refund) => {
                app.store.record_refund(&pay.id, &refund, reason, at).await?;
                tracing::info!(payment = %pay.id, "fees refunded");
                done += 1;
            }
            Err(e) => tracing::warn!(payment = %pay.id, error = %e, "a refund failed; tried again later"),
        }
    }
    Ok(done)
}

/// Every [`Payments::refund_every`], [`refund_sweep`].
pub async fn run_refunds(app: Application) {
    let period = app.payments.as_ref().map_or(std::time::Duration::from_secs(60), |p| p.refund_every);
    let mut every = tokio::time::interval(period);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(e) = refund_sweep(&app).await {
            tracing::warn!(code = %e.code, error = %e.message, "the refund sweep failed");
        }
    }
}

/// How a line of the reconciliation came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    /// The platform and Motcua agree.
    Matched,
    /// The platform has it, Motcua does not (a callback never arrived, or not ours).
    OnlyProvider,
    /// Motcua has it, the platform does not list it.
    OnlyMotcua,
    /// Both have it with other amounts.
    AmountMismatch,
}

impl Match {
    pub fn label_vi(self) -> &'static str {
        match self {
            Match::Matched => "Khớp",
            Match::OnlyProvider => "Chỉ có ở cổng thanh toán",
            Match::OnlyMotcua => "Chỉ có ở Motcua",
            Match::AmountMismatch => "Lệch số tiền",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Match::Matched => "matched",
            Match::OnlyProvider => "only_provider",
            Match::OnlyMotcua => "only_motcua",
            Match::AmountMismatch => "amount_mismatch",
        }
    }
}

/// One line of the reconciliation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReconciliationLine {
    /// `payment` or `refund`.
    pub kind: TransactionKind,
    pub payment_id: String,
    /// The dossier, when Motcua knows the payment.
    pub dossier_code: Option<String>,
    /// The platform's transaction.
    pub transaction: String,
    pub provider_amount: Option<i64>,
    pub motcua_amount: Option<i64>,
    /// The electronic receipt, for a payment.
    pub receipt: Option<String>,
    pub result: Match,
}

/// A day's reconciliation of the platform's transactions against Motcua's records.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reconciliation {
    /// `YYYY-MM-DD`, Vietnam time.
    pub date: String,
    pub provider: String,
    pub matched: usize,
    pub only_provider: usize,
    pub only_motcua: usize,
    pub amount_mismatch: usize,
    /// Paid in minus refunded, per the platform and per Motcua (đồng).
    pub provider_total: i64,
    pub motcua_total: i64,
    pub lines: Vec<ReconciliationLine>,
}

/// The day asked for (`YYYY-MM-DD`), or yesterday in Vietnam: the reconciliation's day.
pub fn day_or_yesterday(app: &Application, date: Option<&str>) -> AppResult<time::Date> {
    match date.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => crate::input::date("date", d),
        None => Ok(app.today().previous_day().unwrap_or(app.today())),
    }
}

/// Sets `day`'s transactions at the platform against Motcua's payments (paid or refunded that
/// day, Vietnam time). Failed attempts are not money and are left out.
pub async fn reconcile(app: &Application, day: time::Date) -> AppResult<Reconciliation> {
    let p = configured(app)?;
    let theirs = p.provider.transactions(day).await?;
    let from = day.midnight().assume_offset(motcua_domain::dossier::timeliness::VN_OFFSET);
    let to = from + time::Duration::days(1);
    let ours: Vec<Payment> =
        app.store.payments_between(from, to).await?.into_iter().filter(|x| x.provider == p.provider.name()).collect();
    let in_day = |t: Option<OffsetDateTime>| t.is_some_and(|t| t >= from && t < to);
    // Motcua's money movements of the day: (kind, payment id) → (payment, transaction, amount).
    let mut mine: HashMap<(TransactionKind, String), (&Payment, String, i64)> = HashMap::new();
    for x in &ours {
        if matches!(x.state, PaymentState::Paid | PaymentState::Refunded) && in_day(x.paid_at) {
            mine.insert(
                (TransactionKind::Payment, x.id.clone()),
                (x, x.transaction.clone().unwrap_or_default(), x.amount),
            );
        }
        if let Some(r) = x.refund.as_ref().filter(|r| in_day(Some(r.at))) {
            mine.insert((TransactionKind::Refund, x.id.clone()), (x, r.transaction.clone(), r.amount));
        }
    }
    let mut lines = Vec::new();
    let mut provider_total = 0;
    for t in theirs.iter().filter(|t| t.kind != TransactionKind::Failed) {
        provider_total += if t.kind == TransactionKind::Refund { -t.amount } else { t.amount };
        let line = match mine.remove(&(t.kind, t.payment.clone())) {
            Some((x, _, amount)) => ReconciliationLine {
                kind: t.kind,
                payment_id: t.payment.clone(),
                dossier_code: Some(x.dossier.clone()),
                transaction: t.transaction.clone(),
                provider_amount: Some(t.amount),
                motcua_amount: Some(amount),
                receipt: x.receipt.as_ref().map(payment::Receipt::text),
                result: if amount == t.amount { Match::Matched } else { Match::AmountMismatch },
            },
            None => ReconciliationLine {
                kind: t.kind,
                payment_id: t.payment.clone(),
                dossier_code: ours.iter().find(|x| x.id == t.payment).map(|x| x.dossier.clone()),
                transaction: t.transaction.clone(),
                provider_amount: Some(t.amount),
                motcua_amount: None,
                receipt: None,
                result: Match::OnlyProvider,
            },
        };
        lines.push(line);
    }
    let mut rest: Vec<_> = mine.into_iter().collect();
    rest.sort_by(|a, b| a.0.1.cmp(&b.0.1));
    for ((kind, id), (x, transaction, amount)) in rest {
        lines.push(ReconciliationLine {
            kind,
            payment_id: id,
            dossier_code: Some(x.dossier.clone()),
            transaction,
            provider_amount: None,
            motcua_amount: Some(amount),
            receipt: x.receipt.as_ref().map(payment::Receipt::text),
            result: Match::OnlyMotcua,
        });
    }
    let count = |m: Match| lines.iter().filter(|l| l.result == m).count();
    let motcua_total = lines
        .iter()
        .filter_map(|l| l.motcua_amount.map(|a| if l.kind == TransactionKind::Refund { -a } else { a }))
        .sum();
    Ok(Reconciliation {
        date: day.to_string(),
        provider: p.provider.name().to_owned(),
        matched: count(Match::Matched),
        only_provider: count(Match::OnlyProvider),
        only_motcua: count(Match::OnlyMotcua),
        amount_mismatch: count(Match::AmountMismatch),
        provider_total,
        motcua_total,
        lines,
    })
}

/// A payment as officers and the API see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PaymentView {
    pub id: String,
    pub dossier_code: String,
    pub amount: i64,
    /// `portal` (DuocThanhToanTrucTuyen 1) or `province` (2).
    pub platform: String,
    pub provider: String,
    /// `pending`, `paid`, `failed` or `refunded`.
    pub state: String,
    /// UTC, RFC 3339.
    pub requested_at: String,
    pub transaction: Option<String>,
    pub paid_at: Option<String>,
    pub channel: Option<String>,
    /// The electronic receipt (`BL26-… 0000012`).
    pub receipt: Option<String>,
    pub failure: Option<String>,
    pub refund_transaction: Option<String>,
    pub refund_reason: Option<String>,
    pub refunded_at: Option<String>,
}

impl From<&Payment> for PaymentView {
    fn from(p: &Payment) -> PaymentView {
        let ts = motcua_store::format_ts;
        PaymentView {
            id: p.id.clone(),
            dossier_code: p.dossier.clone(),
            amount: p.amount,
            platform: p.platform.as_str().to_owned(),
            provider: p.provider.clone(),
            state: p.state.as_str().to_owned(),
            requested_at: ts(p.requested_at),
            transaction: p.transaction.clone(),
            paid_at: p.paid_at.map(ts),
            channel: p.channel.clone(),
            receipt: p.receipt.as_ref().map(payment::Receipt::text),
            failure: p.failure.clone(),
            refund_transaction: p.refund.as_ref().map(|r| r.transaction.clone()),
            refund_reason: p.refund.as_ref().map(|r| r.reason.clone()),
            refunded_at: p.refund.as_ref().map(|r| ts(r.at)),
        }
    }
}

/// The payments of a dossier, newest first (the caller checks the officer may see it).
pub async fn of_dossier(app: &Application, code: &str) -> AppResult<Vec<PaymentView>> {
    Ok(app.store.dossier_payments(code).await?.iter().map(PaymentView::from).collect())
}
