use super::*;
use crate::record::replay;
use proptest::prelude::*;
use time::macros::datetime;

fn requested() -> PaymentEvent {
    PaymentEvent {
        at: datetime!(2026-12-07 09:00 +7),
        by: "applicant".into(),
        what: Change::Requested {
            id: "TT-1".into(),
            dossier: "30307-261207-0001".into(),
            unit: "30307".into(),
            amount: 14_000,
            platform: Platform::Portal,
            provider: "dvcqg".into(),
        },
    }
}

fn outcome(txn: &str, amount: i64, success: bool) -> Outcome {
    Outcome {
        transaction: txn.into(),
        amount,
        success,
        paid_at: datetime!(2026-12-07 02:05 UTC),
        channel: "the_noi_dia".into(),
        message: if success { String::new() } else { "Thẻ bị từ chối".into() },
    }
}

fn receipt() -> Receipt {
    Receipt { series: Receipt::series_of("30307", 2026), number: 12 }
}

fn pending() -> Payment {
    replay::<Payment>(&[requested()]).unwrap().unwrap()
}

fn after(p: &Payment, c: Change) -> Payment {
    Payment::fold(Some(p.clone()), &PaymentEvent { at: datetime!(2026-12-07 09:06 +7), by: "system".into(), what: c })
        .unwrap()
}

#[test]
fn a_success_with_the_amount_asked_is_recorded_with_its_receipt() {
    let p = pending();
    let Settlement::Record(c) = settle(&p, &outcome("GD1", 14_000, true), receipt).unwrap() else { panic!() };
    let paid = after(&p, c);
    assert_eq!(paid.state, PaymentState::Paid);
    assert_eq!(paid.receipt.as_ref().map(Receipt::text).as_deref(), Some("BL26-30307 0000012"));
    assert_eq!((paid.transaction.as_deref(), paid.version), (Some("GD1"), 2));
}

#[test]
fn the_same_success_again_changes_nothing_and_asks_no_receipt() {
    let p = pending();
    let Settlement::Record(c) = settle(&p, &outcome("GD1", 14_000, true), receipt).unwrap() else { panic!() };
    let paid = after(&p, c);
    let again = settle(&paid, &outcome("GD1", 14_000, true), || panic!("no second receipt")).unwrap();
    assert_eq!(again, Settlement::AlreadyRecorded);
}

#[test]
fn another_amount_or_a_contradicting_outcome_is_refused() {
    let p = pending();
    let e = settle(&p, &outcome("GD1", 1_000, true), receipt).unwrap_err();
    assert_eq!(e.code, ErrorCode::PaymentAmountMismatch);
    let Settlement::Record(c) = settle(&p, &outcome("GD1", 14_000, true), receipt).unwrap() else { panic!() };
    let paid = after(&p, c);
    for o in [outcome("GD2", 14_000, true), outcome("GD1", 14_000, false)] {
        assert_eq!(settle(&paid, &o, receipt).unwrap_err().code, ErrorCode::PaymentAlreadySettled);
    }
}

#[test]
fn a_failure_is_recorded_once_and_a_late_success_after_it_is_refused() {
    let p = pending();
    let Settlement::Record(c) = settle(&p, &outcome("GD9", 14_000, false), receipt).unwrap() else { panic!() };
    let failed = after(&p, c);
    assert_eq!((failed.state, failed.failure.as_deref()), (PaymentState::Failed, Some("Thẻ bị từ chối")));
    assert_eq!(settle(&failed, &outcome("GD9", 14_000, false), receipt).unwrap(), Settlement::AlreadyRecorded);
    assert_eq!(
        settle(&failed, &outcome("GD9", 14_000, true), receipt).unwrap_err().code,
        ErrorCode::PaymentAlreadySettled
    );
}

#[test]
fn only_a_paid_payment_is_refunded_and_only_once() {
    let p = pending();
    assert!(refund(&p, "HT1", "x").is_err());
    let Settlement::Record(c) = settle(&p, &outcome("GD1", 14_000, true), receipt).unwrap() else { panic!() };
    let paid = after(&p, c);
    let r = after(&paid, refund(&paid, "HT1", "Hồ sơ không được giải quyết").unwrap());
    assert_eq!((r.state, r.refund.as_ref().map(|x| x.amount)), (PaymentState::Refunded, Some(14_000)));
    assert!(refund(&r, "HT2", "x").is_err());
    // The refunded payment's success, replayed, still changes nothing.
    assert_eq!(settle(&r, &outcome("GD1", 14_000, true), receipt).unwrap(), Settlement::AlreadyRecorded);
}

#[test]
fn a_history_must_start_with_a_request_and_folds_refuse_out_of_turn_events() {
    let paid = Change::Paid {
        transaction: "GD1".into(),
        amount: 14_000,
        paid_at: datetime!(2026-12-07 02:05 UTC),
        channel: "qr".into(),
        receipt: receipt(),
    };
    let e = PaymentEvent { at: datetime!(2026-12-07 09:00 +7), by: "system".into(), what: paid.clone() };
    assert!(Payment::fold(None, &e).is_err());
    assert!(Payment::fold(Some(pending()), &requested()).is_err());
    let wrong = Change::Paid {
        transaction: "GD1".into(),
        amount: 1,
        paid_at: datetime!(2026-12-07 02:05 UTC),
        channel: "qr".into(),
        receipt: receipt(),
    };
    assert!(Payment::fold(Some(pending()), &PaymentEvent { what: wrong, ..e.clone() }).is_err());
    let once = after(&pending(), paid);
    assert!(Payment::fold(Some(once), &e).is_err());
}

#[test]
fn platforms_carry_the_portals_codes() {
    assert_eq!((Platform::Portal.code(), Platform::Province.code()), (1, 2));
    assert_eq!(Platform::parse("province"), Some(Platform::Province));
    assert_eq!(Receipt::series_of("00070", 2031), "BL31-00070");
}

fn any_outcome() -> impl Strategy<Value = Outcome> {
    (prop::sample::select(vec!["GD1", "GD2", ""]), prop::sample::select(vec![14_000_i64, 13_999, 0]), any::<bool>())
        .prop_map(|(t, a, s)| outcome(t, a, s))
}

proptest! {
    /// Whatever the platform sends and however often, a payment is paid at most once, with the
    /// amount asked, keeps its first transaction, and every recorded outcome folds.
    #[test]
    fn any_sequence_of_outcomes_pays_at_most_once_with_the_amount_asked(outcomes in prop::collection::vec(any_outcome(), 1..12)) {
        let mut p = pending();
        let mut receipts = 0;
        let mut first_txn: Option<String> = None;
        for o in &outcomes {
            match settle(&p, o, || { receipts += 1; receipt() }) {
                Ok(Settlement::Record(c)) => {
                    p = after(&p, c);
                    first_txn = first_txn.or(p.transaction.clone());
                }
                Ok(Settlement::AlreadyRecorded) | Err(_) => {}
            }
        }
        prop_assert!(receipts <= 1);
        prop_assert!(p.version <= 2);
        if p.state == PaymentState::Paid {
            prop_assert_eq!(p.amount, 14_000);
            prop_assert_eq!(p.transaction.clone(), first_txn);
        }
    }
}
