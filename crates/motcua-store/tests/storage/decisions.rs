//! Publication decisions: applying one creates versions effective from its date, a future-dated
//! decision leaves today's catalog alone, abolition hides a procedure from that date on.

use motcua_domain::catalog::decision::Decision;
use motcua_store::catalog::ProcedureQuery;
use motcua_store::{Store, StoreError, today_vn};
use time::{Date, Duration};

use crate::common::fixtures::*;
use crate::storage_test;

fn decision(number: &str, effective_from: Date) -> Decision {
    Decision {
        number: number.into(),
        signed_on: effective_from - Duration::days(5),
        effective_from,
        signer: "Chủ tịch UBND tỉnh".into(),
        new: vec![],
        amended: vec![],
        abolished: vec![],
    }
}

fn code_of(e: StoreError) -> &'static str {
    match e {
        StoreError::Domain(d) => d.code.as_str(),
        _ => "other",
    }
}

async fn a_decision_creates_versions_effective_from_its_date(store: Store) {
    let today = today_vn();
    let mut d = decision("1/QĐ-UBND", today);
    d.new = vec![marriage()];
    let stored = store.apply_decision(&d, time::OffsetDateTime::now_utc()).await.unwrap();
    assert_eq!(stored.new[0].version, 1);

    let mut amended = marriage();
    amended.processing_days = Some(3.0);
    amended.steps.truncate(1);
    let mut d2 = decision("2/QĐ-UBND", today);
    d2.amended = vec![amended.clone()];
    d2.new = vec![land()];
    let stored = store.apply_decision(&d2, time::OffsetDateTime::now_utc()).await.unwrap();
    assert_eq!(stored.amended[0].version, 2);

    assert_eq!(store.procedure("1.000894").await.unwrap().processing_days, Some(3.0));
    assert_eq!(store.procedure_version("1.000894", 1).await.unwrap().processing_days, marriage().processing_days);
    let versions = store.versions("1.000894").await.unwrap();
    assert_eq!(versions.iter().map(|v| v.status.as_str()).collect::<Vec<_>>(), ["new", "amended"]);
    assert_eq!(versions[1].decision.as_deref(), Some("2/QĐ-UBND"));
    assert_eq!(versions[1].effective_from, motcua_store::format_date(today));
    let numbers: Vec<String> = store.decisions().await.unwrap().into_iter().map(|d| d.number).collect();
    assert_eq!(numbers.len(), 2);
    assert!(numbers.contains(&"2/QĐ-UBND".to_owned()));
}
storage_test!(a_decision_creates_versions_effective_from_its_date);

async fn a_future_decision_changes_nothing_until_its_date(store: Store) {
    store.put_procedure(&marriage(), motcua_store::today_vn()).await.unwrap();
    let later = today_vn() + Duration::days(30);
    let mut amended = marriage();
    amended.processing_days = Some(3.0);
    amended.steps.truncate(1);
    let mut d = decision("3/QĐ-UBND", later);
    d.amended = vec![amended];
    store.apply_decision(&d, time::OffsetDateTime::now_utc()).await.unwrap();

    assert_eq!(store.procedure("1.000894").await.unwrap().version, 1, "today's catalog is unchanged");
    assert_eq!(store.procedures(&ProcedureQuery::default()).await.unwrap()[0].version, 1);
    assert_eq!(store.procedure_at("1.000894", later).await.unwrap().version, 2);
    assert_eq!(store.procedure_at("1.000894", later - Duration::days(1)).await.unwrap().version, 1);
}
storage_test!(a_future_decision_changes_nothing_until_its_date);

async fn an_abolished_procedure_disappears_from_the_catalog_from_its_date(store: Store) {
    let mut published = decision("3a/QĐ-UBND", today_vn() - Duration::days(10));
    published.new = vec![marriage(), land()];
    store.apply_decision(&published, time::OffsetDateTime::now_utc()).await.unwrap();
    let mut d = decision("4/QĐ-UBND", today_vn());
    d.abolished = vec!["1.000894".into()];
    store.apply_decision(&d, time::OffsetDateTime::now_utc()).await.unwrap();

    assert!(matches!(store.procedure("1.000894").await, Err(StoreError::NotFound)));
    let at = store.version_at("1.000894", today_vn()).await.unwrap();
    assert_eq!((at.status.as_str(), at.decision.as_deref()), ("abolished", Some("4/QĐ-UBND")));
    assert_eq!(store.procedure_version("1.000894", 1).await.unwrap(), marriage(), "old versions stay readable");
    let listed: Vec<String> =
        store.procedures(&ProcedureQuery::default()).await.unwrap().into_iter().map(|p| p.code.to_string()).collect();
    assert_eq!(listed, ["1.004227"]);
    assert_eq!(store.fields().await.unwrap().len(), 1);
    let yesterday = today_vn() - Duration::days(1);
    assert!(store.procedure_at("1.000894", yesterday).await.is_ok(), "it applied until the day before");
}
storage_test!(an_abolished_procedure_disappears_from_the_catalog_from_its_date);

async fn inconsistent_decisions_are_refused_and_change_nothing(store: Store) {
    store.put_procedure(&marriage(), motcua_store::today_vn()).await.unwrap();
    let mut d = decision("5/QĐ-UBND", today_vn());
    d.new = vec![marriage()];
    assert_eq!(
        store.apply_decision(&d, time::OffsetDateTime::now_utc()).await.map_err(code_of).err(),
        Some("procedure_exists")
    );
    let mut d = decision("5/QĐ-UBND", today_vn());
    d.amended = vec![land()];
    assert_eq!(
        store.apply_decision(&d, time::OffsetDateTime::now_utc()).await.map_err(code_of).err(),
        Some("unknown_procedure")
    );
    assert!(store.decisions().await.unwrap().is_empty(), "a refused decision is not recorded");

    let mut d = decision("5/QĐ-UBND", today_vn());
    d.new = vec![land()];
    store.apply_decision(&d, time::OffsetDateTime::now_utc()).await.unwrap();
    assert_eq!(
        store.apply_decision(&d, time::OffsetDateTime::now_utc()).await.map_err(code_of).err(),
        Some("decision_exists")
    );
    assert_eq!(store.versions("1.004227").await.unwrap().len(), 1);
}
storage_test!(inconsistent_decisions_are_refused_and_change_nothing);
