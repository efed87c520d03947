//! Online payments (issue 15 item 5): a click twice is one payment, the platform's outcome is
//! recorded once with the next receipt number of its unit's series (never shared, never
//! skipped, also under concurrency), the dossier is marked paid in the same transaction, and a
//! payment the dossier cannot take or a rejected dossier's fees are due for a refund.

use motcua_domain::payment::{self, Outcome, PaymentState, Platform};
use motcua_store::Store;
use motcua_store::payments::Settled;
use serde_json::json;
use time::{Duration, OffsetDateTime};

use crate::common::fixtures::*;
use crate::common::rows::event_count;
use crate::storage_test;

/// A received land dossier (100,000 đ of fees): its code.
async fn received(store: &Store, t: OffsetDateTime) -> String {
    let d = create_dossier(store, &NewDossier::online(land(), CENTER, AGENCY, t)).await;
    let code = d.code.to_string();
    act(store, &code, 1, receiver(CENTER), action(json!({"action": "receive"})), t).await.unwrap();
    code
}

fn paid(transaction: &str, amount: i64, at: OffsetDateTime) -> Outcome {
    Outcome {
        transaction: transaction.into(),
        amount,
        success: true,
        paid_at: at,
        channel: "the_noi_dia".into(),
        message: String::new(),
    }
}

async fn a_confirmed_payment_is_recorded_once_and_marks_the_dossier_paid(store: Store) {
    let t0 = at("2025-07-07T08:00:00+07:00");
    let code = received(&store, t0).await;
    let p = store.request_payment(&code, "TT1".into(), Platform::Portal, "sim", "citizen", t0).await.unwrap();
    assert_eq!((p.amount, p.state), (100_000, PaymentState::Pending));
    // A second click within the request's life is the same payment; after it, a new one.
    let again =
        store.request_payment(&code, "TT2".into(), Platform::Portal, "sim", "citizen", t0 + Duration::minutes(1));
    assert_eq!(again.await.unwrap().id, "TT1");

    let t1 = t0 + Duration::minutes(3);
    let done = store.settle_payment("TT1", paid("GD-1", 100_000, t1), t1).await.unwrap();
    let Settled::Recorded(p) = done else { panic!("recorded") };
    assert_eq!(p.state, PaymentState::Paid);
    assert_eq!(p.receipt.as_ref().map(|r| r.number), Some(1));
    let d = store.dossier(&code).await.unwrap().0;
    assert!(d.fee_paid);
    let on_dossier = d.payment.expect("the dossier names its payment");
    assert_eq!((on_dossier.id.as_str(), on_dossier.transaction.as_str(), on_dossier.amount), ("TT1", "GD-1", 100_000));
    assert_eq!(on_dossier.receipt, p.receipt.as_ref().unwrap().text());

    // The callback again (a replay, the browser's return): nothing changes.
    let events = event_count(&store, &code).await;
    let replay = store.settle_payment("TT1", paid("GD-1", 100_000, t1), t1 + Duration::seconds(5)).await.unwrap();
    assert!(matches!(replay, Settled::AlreadyRecorded(_)));
    assert_eq!(event_count(&store, &code).await, events);
    assert_eq!(store.payment("TT1").await.unwrap().version, p.version);
    // Another amount or a contradicting outcome is refused, the record untouched.
    let failed = Outcome { success: false, message: "declined".into(), ..paid("GD-1", 100_000, t1) };
    assert!(store.settle_payment("TT1", failed, t1).await.is_err());
    assert!(store.settle_payment("TT1", paid("GD-1", 90_000, t1), t1).await.is_err());
    assert_eq!(store.payment("TT1").await.unwrap().version, p.version);
    // Nothing is left to pay.
    assert!(store.request_payment(&code, "TT3".into(), Platform::Portal, "sim", "citizen", t1).await.is_err());
    assert_eq!(store.dossier_payments(&code).await.unwrap().len(), 1);
    assert!(store.settle_payment("nope", paid("GD-9", 1, t1), t1).await.is_err());
}
storage_test!(a_confirmed_payment_is_recorded_once_and_marks_the_dossier_paid);

async fn a_failed_payment_leaves_the_dossier_unpaid_and_takes_no_receipt_number(store: Store) {
    let t0 = at("2025-07-07T08:00:00+07:00");
    let code = received(&store, t0).await;
    store.request_payment(&code, "F1".into(), Platform::Province, "sim", "citizen", t0).await.unwrap();
    let failed = Outcome { success: false, message: "Thẻ bị từ chối".into(), ..paid("GD-F", 100_000, t0) };
    let Settled::Recorded(p) = store.settle_payment("F1", failed, t0).await.unwrap() else { panic!("recorded") };
    assert_eq!((p.state, p.receipt.is_none()), (PaymentState::Failed, true));
    assert!(!store.dossier(&code).await.unwrap().0.fee_paid);
    // A new request after the failure, paid: receipt number 1 of the series.
    let later = t0 + Duration::minutes(1);
    store.request_payment(&code, "F2".into(), Platform::Province, "sim", "citizen", later).await.unwrap();
    let Settled::Recorded(p) = store.settle_payment("F2", paid("GD-F2", 100_000, later), later).await.unwrap() else {
        panic!("recorded")
    };
    assert_eq!(p.receipt.map(|r| r.number), Some(1));
}
storage_test!(a_failed_payment_leaves_the_dossier_unpaid_and_takes_no_receipt_number);

async fn receipts_of_concurrent_payments_are_consecutive(store: Store) {
    let t0 = at("2025-07-07T08:00:00+07:00");
    let mut codes = Vec::new();
    for _ in 0..12 {
        codes.push(received(&store, t0).await);
    }
    for (i, code) in codes.iter().enumerate() {
        store.request_payment(code, format!("C{i}"), Platform::Portal, "sim", "citizen", t0).await.unwrap();
    }
    let settles = (0..codes.len()).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            // Each callback arrives twice at the same time.
            let (id, tr) = (format!("C{i}"), format!("G{i}"));
            let a = store.settle_payment(&id, paid(&tr, 100_000, t0), t0);
            let b = store.settle_payment(&id, paid(&tr, 100_000, t0), t0);
            let (a, b) = tokio::join!(a, b);
            (a.unwrap(), b.unwrap())
        })
    });
    let mut numbers = Vec::new();
    for s in futures_util::future::join_all(settles).await {
        let (a, b) = s.unwrap();
        let recorded = [&a, &b].iter().filter(|s| matches!(s, Settled::Recorded(_))).count();
        assert_eq!(recorded, 1, "one of the two records it");
        numbers.push(a.payment().receipt.as_ref().or(b.payment().receipt.as_ref()).unwrap().number);
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=12).collect::<Vec<u32>>());
    for code in &codes {
        assert!(store.dossier(code).await.unwrap().0.fee_paid);
    }
}
storage_test!(receipts_of_concurrent_payments_are_consecutive);

async fn a_second_payment_and_a_rejected_dossiers_fees_are_refunded(store: Store) {
    let t0 = at("2025-07-07T08:00:00+07:00");
    let code = received(&store, t0).await;
    // Two platforms opened before either answered: both get paid.
    store.request_payment(&code, "TT-A".into(), Platform::Portal, "portal", "citizen", t0).await.unwrap();
    store.request_payment(&code, "TT-B".into(), Platform::Province, "province", "citizen", t0).await.unwrap();
    store.settle_payment("TT-A", paid("GA", 100_000, t0), t0).await.unwrap();
    let Settled::Recorded(b) = store.settle_payment("TT-B", paid("GB", 100_000, t0), t0).await.unwrap() else {
        panic!("recorded")
    };
    assert_eq!(b.state, PaymentState::Paid, "the platform took the money: recorded, and due back");
    let due = store.paid_payments_with_dossiers(10).await.unwrap();
    let reasons: Vec<_> =
        due.iter().filter_map(|(p, d)| payment::refund_due(p, d).map(|r| (p.id.clone(), r))).collect();
    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0].0, "TT-B");
    store.record_refund("TT-B", "RF-B", reasons[0].1, t0).await.unwrap();
    let d = store.dossier(&code).await.unwrap().0;
    assert_eq!(d.payment.as_ref().map(|p| (p.id.as_str(), p.refunded.is_none())), Some(("TT-A", true)));
    // A refund is recorded once.
    assert!(store.record_refund("TT-B", "RF-B", "again", t0).await.is_err());

    // The leader rejects the dossier: A is due back, and the dossier says so.
    let v = d.version;
    act(&store, &code, v, leader(AGENCY), action(json!({"action": "reject", "reason": "Không đủ điều kiện"})), t0)
        .await
        .unwrap();
    let due = store.paid_payments_with_dossiers(10).await.unwrap();
    let (p, d) = due.iter().find(|(p, _)| p.id == "TT-A").expect("due");
    let reason = payment::refund_due(p, d).expect("rejected after payment");
    store.record_refund("TT-A", "RF-A", reason, t0 + Duration::hours(1)).await.unwrap();
    let d = store.dossier(&code).await.unwrap().0;
    assert_eq!(d.payment.and_then(|p| p.refunded).as_deref(), Some("RF-A"));
    assert!(store.paid_payments_with_dossiers(10).await.unwrap().is_empty());
    let between = store.payments_between(t0 - Duration::hours(1), t0 + Duration::days(1)).await.unwrap();
    assert_eq!(between.len(), 2);
    let audit = store.verify_records(false).await.unwrap();
    let (_, payments) = audit.iter().find(|(kind, _)| *kind == "payment").expect("payments audited");
    assert_eq!((payments.records, payments.broken.len(), payments.drifted.len()), (2, 0, 0));
}
storage_test!(a_second_payment_and_a_rejected_dossiers_fees_are_refunded);
