//! Dossier codes: `{unit_code}-{YYMMDD}-{seq:04}` from a sequence per receiving unit per local
//! day, never reused, growing past four digits (domain.md Decisions 7).

use std::collections::BTreeSet;

use motcua_domain::code::{DEFAULT_TEMPLATE, render};
use motcua_store::Store;
use motcua_store::writer::History;
use time::macros::date;

use crate::common::fixtures::*;
use crate::common::rows::*;
use crate::storage_test;

async fn code(store: &Store, unit: &str, when: &str) -> String {
    create_dossier(store, &NewDossier::online(marriage(), unit, unit, at(when))).await.code.to_string()
}

async fn dossier_codes_number_each_unit_and_local_day_from_one(store: Store) {
    assert_eq!(code(&store, COMMUNE, "2025-07-07T08:00:00+07:00").await, format!("{COMMUNE}-250707-0001"));
    assert_eq!(code(&store, COMMUNE, "2025-07-07T09:00:00+07:00").await, format!("{COMMUNE}-250707-0002"));
    assert_eq!(code(&store, OTHER_COMMUNE, "2025-07-07T09:00:00+07:00").await, format!("{OTHER_COMMUNE}-250707-0001"));
    // 23:30 UTC on the 7th is already the 8th in Vietnam: a new local day starts a new sequence.
    assert_eq!(code(&store, COMMUNE, "2025-07-07T23:30:00Z").await, format!("{COMMUNE}-250708-0001"));
    assert_eq!(code(&store, COMMUNE, "2025-07-07T10:00:00+07:00").await, format!("{COMMUNE}-250707-0003"));
}
storage_test!(dossier_codes_number_each_unit_and_local_day_from_one);

async fn concurrent_creations_get_distinct_consecutive_codes(store: Store) {
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move { code(&store, COMMUNE, "2025-07-07T08:00:00+07:00").await }));
    }
    let mut codes = BTreeSet::new();
    for t in tasks {
        codes.insert(t.await.unwrap());
    }
    let expected: BTreeSet<String> = (1..=50).map(|i| format!("{COMMUNE}-250707-{i:04}")).collect();
    assert_eq!(codes, expected);
    assert_eq!(total_dossiers(&store).await, 50);
}
storage_test!(concurrent_creations_get_distinct_consecutive_codes);

async fn a_sequence_number_is_never_handed_out_twice_even_after_a_refused_creation(store: Store) {
    let a = code(&store, COMMUNE, "2025-07-07T08:00:00+07:00").await;
    let mut refused = NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T08:10:00+07:00"));
    refused.procedure.processing_days = None;
    assert!(store.writer.create(refused.job()).await.is_err(), "a procedure without a legal time is refused");
    let b = code(&store, COMMUNE, "2025-07-07T08:20:00+07:00").await;
    assert!(b > a, "{b} comes after {a}");
    assert_eq!(total_dossiers(&store).await, 2);
}
storage_test!(a_sequence_number_is_never_handed_out_twice_even_after_a_refused_creation);

async fn imported_histories_advance_the_sequence_and_codes_grow_past_four_digits(store: Store) {
    let day = NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-09T08:00:00+07:00"));
    let imported = render(DEFAULT_TEMPLATE, COMMUNE, date!(2025 - 07 - 09), 9999).unwrap();
    let history = |code: &str, seq: i64| History {
        secret_hash: "h".into(),
        events: vec![day.event(code.to_owned()).unwrap()],
        seq: Some((COMMUNE.to_owned(), day.day(), seq)),
        files: Vec::new(),
    };
    assert_eq!(store.writer.bulk(vec![history(&imported, 9999)]).await.unwrap(), 1);
    assert_eq!(imported, format!("{COMMUNE}-250709-9999"));

    assert_eq!(code(&store, COMMUNE, "2025-07-09T09:00:00+07:00").await, format!("{COMMUNE}-250709-10000"));
    // An older import with a lower number does not move the sequence back.
    store.writer.bulk(vec![history(&format!("{COMMUNE}-250709-0005"), 5)]).await.unwrap();
    assert_eq!(code(&store, COMMUNE, "2025-07-09T10:00:00+07:00").await, format!("{COMMUNE}-250709-10001"));
    // Other days are untouched.
    assert_eq!(code(&store, COMMUNE, "2025-07-10T09:00:00+07:00").await, format!("{COMMUNE}-250710-0001"));
    let last: i64 = sqlx::query_scalar("SELECT last_seq FROM dossier_seq WHERE unit = $1 AND day = $2")
        .bind(COMMUNE)
        .bind("2025-07-09")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(last, 10001);
}
storage_test!(imported_histories_advance_the_sequence_and_codes_grow_past_four_digits);

/// A submission key makes creation idempotent (issue 14): 16 concurrent sendings of one form
/// create one dossier and use one sequence number; the others learn its code; another officer's
/// sending with the same key is refused.
async fn one_submission_key_creates_one_dossier_however_often_it_is_sent(store: Store) {
    use motcua_store::{StoreError, SubmissionKey};
    let n = NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T08:00:00+07:00"));
    let key = |user: &str| Some(SubmissionKey { key: "k".repeat(32), username: user.to_owned() });
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (store, job) = (store.clone(), motcua_store::CreateJob { key: key("tiepnhan"), ..n.job() });
        tasks.push(tokio::spawn(async move { store.writer.create(job).await }));
    }
    let (mut created, mut already) = (Vec::new(), Vec::new());
    for t in tasks {
        match t.await.unwrap() {
            Ok(d) => created.push(d.code.to_string()),
            Err(StoreError::AlreadySubmitted { code }) => already.push(code),
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(created, [format!("{COMMUNE}-250707-0001")]);
    assert_eq!(already.len(), 15);
    assert!(already.iter().all(|c| *c == created[0]));
    let other = store.writer.create(motcua_store::CreateJob { key: key("tiepnhan.khac"), ..n.job() }).await;
    assert!(matches!(other, Err(StoreError::KeyTaken)), "{other:?}");
    // Without a key, or with another, a new dossier and the next number.
    assert_eq!(code(&store, COMMUNE, "2025-07-07T08:00:00+07:00").await, format!("{COMMUNE}-250707-0002"));
}
storage_test!(one_submission_key_creates_one_dossier_however_often_it_is_sent);
