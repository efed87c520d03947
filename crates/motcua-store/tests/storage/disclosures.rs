//! Monthly disclosures: revisions count up from 1, a published body never changes, the listing
//! is newest month first, a month never published is not found, and concurrent publishers of
//! the same month each get their own revision.

use motcua_domain::audit::sha256_hex;
use motcua_domain::indicators::YearMonth;
use motcua_store::{Store, StoreError};

use crate::common::fixtures::at;
use crate::storage_test;

fn month(s: &str) -> YearMonth {
    YearMonth::parse(s).unwrap_or_else(|| panic!("bad month {s}"))
}

async fn publish(store: &Store, m: &str, note: &str, body: &str) -> motcua_store::disclosures::DisclosureMeta {
    store.publish_disclosure(month(m), "giamdoc", note, body, at("2025-08-01T09:00:00+07:00")).await.unwrap()
}

async fn corrections_add_revisions_and_never_change_a_published_body(store: Store) {
    let first = publish(&store, "2025-07", "", r#"{"received":10}"#).await;
    assert_eq!(first.revision, 1);
    assert_eq!(first.month, "2025-07");
    assert_eq!(first.sha256, sha256_hex(&[br#"{"received":10}"#]));
    assert_eq!(first.published_at, at("2025-08-01T02:00:00Z"));
    let second = publish(&store, "2025-07", "Sửa số liệu đơn vị A", r#"{"received":11}"#).await;
    let third = publish(&store, "2025-07", "Bổ sung hồ sơ trễ", r#"{"received":12}"#).await;
    assert_eq!((second.revision, third.revision), (2, 3));

    for (rev, body) in [(1, r#"{"received":10}"#), (2, r#"{"received":11}"#), (3, r#"{"received":12}"#)] {
        let d = store.disclosure("2025-07", Some(rev)).await.unwrap();
        assert_eq!(d.body, body, "revision {rev} is as published");
        assert_eq!(d.meta.sha256, sha256_hex(&[body.as_bytes()]));
    }
    let latest = store.disclosure("2025-07", None).await.unwrap();
    assert_eq!(latest.meta, third);
    assert_eq!(latest.meta.note, "Bổ sung hồ sơ trễ");
    let revisions: Vec<i64> = store.disclosure_revisions("2025-07").await.unwrap().iter().map(|m| m.revision).collect();
    assert_eq!(revisions, [1, 2, 3]);
}
storage_test!(corrections_add_revisions_and_never_change_a_published_body);

async fn the_listing_is_newest_month_first_and_newest_revision_first(store: Store) {
    publish(&store, "2025-06", "", "{}").await;
    publish(&store, "2025-08", "", "{}").await;
    publish(&store, "2025-07", "", "{}").await;
    publish(&store, "2025-06", "Đính chính", r#"{"x":1}"#).await;
    publish(&store, "2024-12", "", "{}").await;
    let listed: Vec<(String, i64)> =
        store.disclosures().await.unwrap().into_iter().map(|m| (m.month, m.revision)).collect();
    let expected = [("2025-08", 1), ("2025-07", 1), ("2025-06", 2), ("2025-06", 1), ("2024-12", 1)];
    assert_eq!(listed, expected.map(|(m, r)| (m.to_owned(), r)));
}
storage_test!(the_listing_is_newest_month_first_and_newest_revision_first);

async fn a_month_never_published_is_not_found(store: Store) {
    assert!(store.disclosures().await.unwrap().is_empty());
    assert!(matches!(store.disclosure("2025-07", None).await, Err(StoreError::NotFound)));
    publish(&store, "2025-07", "", "{}").await;
    assert!(matches!(store.disclosure("2025-06", None).await, Err(StoreError::NotFound)));
    assert!(matches!(store.disclosure("2025-07", Some(2)).await, Err(StoreError::NotFound)));
    assert!(store.disclosure_revisions("2025-06").await.unwrap().is_empty());
}
storage_test!(a_month_never_published_is_not_found);

async fn concurrent_publishers_of_the_same_month_get_distinct_revisions(store: Store) {
    let mut tasks = Vec::new();
    for i in 0..12 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let body = format!(r#"{{"publisher":{i}}}"#);
            store
                .publish_disclosure(month("2025-07"), &format!("u{i}"), "song song", &body, at("2025-08-01T09:00:00Z"))
                .await
        }));
    }
    let mut revisions = Vec::new();
    for t in tasks {
        revisions.push(t.await.expect("task").expect("publish").revision);
    }
    revisions.sort_unstable();
    assert_eq!(revisions, (1..=12).collect::<Vec<i64>>());
    for m in store.disclosure_revisions("2025-07").await.unwrap() {
        let d = store.disclosure("2025-07", Some(m.revision)).await.unwrap();
        assert_eq!(d.body, format!(r#"{{"publisher":{}}}"#, &m.published_by[1..]), "each body kept its publisher");
    }
}
storage_test!(concurrent_publishers_of_the_same_month_get_distinct_revisions);
