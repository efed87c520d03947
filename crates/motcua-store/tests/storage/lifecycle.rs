//! Migrations, and one dossier through its whole life: projection columns, JSON state, version,
//! events and hash chain after every action.

use motcua_domain::audit::GENESIS;
use motcua_domain::dossier::Status;
use motcua_domain::dossier::event::replay;
use motcua_store::{Store, StoreError, format_ts};
use serde_json::json;

use crate::common::fixtures::*;
use crate::common::rows::*;
use crate::storage_test;

async fn opening_the_store_twice_applies_the_migrations_once_and_keeps_the_data(url: String) {
    let store = Store::open(&url).await.expect("first open");
    let d = create_dossier(&store, &NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T08:00:00+07:00")))
        .await;
    store.pool.close().await;

    let store = Store::open(&url).await.expect("second open");
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(&store.pool)
        .await
        .unwrap();
    assert_eq!(
        applied,
        (1..=motcua_store::migrate::count() as i64).collect::<Vec<_>>(),
        "each migration is recorded once"
    );
    let (again, _) = store.dossier(&d.code).await.expect("the dossier survives reopening");
    assert_eq!(again, d);
    let next =
        create_dossier(&store, &NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T09:00:00+07:00")))
            .await;
    assert!(next.code.ends_with("-0002"), "the code sequence survives reopening: {}", next.code);
    store.ping().await.expect("ping");
    store.pool.close().await;
}
storage_test!(url opening_the_store_twice_applies_the_migrations_once_and_keeps_the_data);

/// A database migrated by the runner before sqlx's (versions in `schema_migrations`, no
/// `_sqlx_migrations`) is adopted in place: nothing runs again, the data stays, the checksums are
/// recorded, and it verifies afterwards.
async fn a_database_migrated_by_the_earlier_runner_is_adopted_in_place(url: String) {
    let store = Store::open(&url).await.expect("first open");
    let d = create_dossier(&store, &NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T08:00:00+07:00")))
        .await;
    // Today's schema as the earlier runner left it.
    sqlx::query("DROP TABLE _sqlx_migrations").execute(&store.pool).await.unwrap();
    sqlx::query("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)")
        .execute(&store.pool)
        .await
        .unwrap();
    for v in 1..=motcua_store::migrate::count() as i64 {
        sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, '2026-11-30T00:00:00Z')")
            .bind(v)
            .execute(&store.pool)
            .await
            .unwrap();
    }
    store.pool.close().await;

    let store = Store::open(&url).await.expect("reopened by this version");
    let applied: Vec<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&store.pool)
            .await
            .unwrap();
    assert_eq!(applied.len(), motcua_store::migrate::count(), "every earlier version adopted once");
    assert!(applied.iter().all(|(_, c)| c.len() == 48), "with its SHA-384 checksum");
    assert_eq!(store.dossier(&d.code).await.unwrap().0, d, "nothing ran again");
    assert!(store.verify_audit(false).await.unwrap().ok(false));
    store.pool.close().await;
    // And the next start finds nothing to do.
    let store = Store::open(&url).await.expect("third open");
    store.pool.close().await;
}
storage_test!(url a_database_migrated_by_the_earlier_runner_is_adopted_in_place);

/// A migration file edited after it was applied stops the start with a clear error (instead of
/// two databases with different schemas under one version).
async fn a_migration_changed_after_it_was_applied_stops_the_start(url: String) {
    let store = Store::open(&url).await.expect("first open");
    sqlx::query("UPDATE _sqlx_migrations SET checksum = $1 WHERE version = 2")
        .bind(vec![0u8; 48])
        .execute(&store.pool)
        .await
        .unwrap();
    store.pool.close().await;
    let e = Store::open(&url).await.err().expect("refused");
    assert!(matches!(&e, StoreError::Corrupt(m) if m.contains("2") && m.contains("modified")), "{e}");
}
storage_test!(url a_migration_changed_after_it_was_applied_stops_the_start);

/// Two instances starting together on one new PostgreSQL database: the migrator's advisory lock
/// lets one migrate while the other waits; both then serve. (SQLite is one process's file.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_starting_together_on_postgresql_migrate_once() {
    crate::common::with_url(crate::common::Db::Postgres, |url: String| async move {
        let (a, b) = tokio::join!(Store::open(&url), Store::open(&url));
        let (a, b) = (a.expect("first instance"), b.expect("second instance"));
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations").fetch_one(&a.pool).await.unwrap();
        assert_eq!(n, motcua_store::migrate::count() as i64);
        a.pool.close().await;
        b.pool.close().await;
    })
    .await;
}

async fn a_dossier_keeps_its_projection_state_events_and_hash_chain_in_step_through_its_life(store: Store) {
    let n = NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T08:00:00+07:00"));
    let d = create_dossier(&store, &n).await;
    assert_eq!(d.code, format!("{COMMUNE}-250707-0001"));
    assert_eq!((d.status, d.version), (Status::Submitted, 1));
    assert_row_is(&store, &d).await;
    let (p, last_hash, _) = dossier_row(&store, &d.code).await;
    assert_eq!((p.holder_unit.as_str(), p.due_sort.as_str()), (COMMUNE, "9999-12-31T23:59:59Z"));
    let first = links(&store, &d.code).await;
    assert_eq!(first.len(), 1);
    assert_eq!((first[0].seq, first[0].action.as_str(), first[0].prev_hash.as_str()), (1, "create", GENESIS));
    assert_eq!(first[0].hash, last_hash);

    let steps = [
        (receiver(COMMUNE), json!({"action": "receive"}), "2025-07-07T08:30:00+07:00", Status::Received),
        (
            leader(COMMUNE),
            json!({"action": "assign", "assignee": "chuyenvien"}),
            "2025-07-07T09:00:00+07:00",
            Status::InProgress,
        ),
        (
            specialist(COMMUNE),
            json!({"action": "complete_step", "note": "Đủ điều kiện"}),
            "2025-07-08T10:00:00+07:00",
            Status::InProgress,
        ),
        (leader(COMMUNE), json!({"action": "approve"}), "2025-07-09T10:00:00+07:00", Status::ResultReady),
        (receiver(COMMUNE), json!({"action": "return_result"}), "2025-07-09T15:00:00+07:00", Status::Returned),
    ];
    let mut current = d;
    for (actor, a, when, status) in steps {
        let before = current.version;
        let next = act(&store, &current.code, before, actor, action(a.clone()), at(when))
            .await
            .unwrap_or_else(|e| panic!("{a}: {e}"));
        assert_eq!(next.status, status, "{a}");
        assert_eq!(next.version, before + 1, "{a}: the version counts the events");
        assert_row_is(&store, &next).await;
        assert_eq!(store.dossier(&next.code).await.unwrap().0, next, "{a}: store.dossier reads the projection");
        assert_eq!(event_count(&store, &next.code).await, next.version, "{a}: one event per action");
        assert_chain_whole(&store, &next.code).await;
        current = next;
    }

    let d = current;
    let (p, _, _) = dossier_row(&store, &d.code).await;
    assert_eq!(p.holder_unit, "", "a returned dossier is in nobody's inbox");
    assert_eq!(p.received_at.as_deref(), Some("2025-07-07T01:30:00Z"));
    assert_eq!(p.finished_at.as_deref(), Some("2025-07-09T03:00:00Z"), "approval is the finish instant");
    assert_eq!(p.timeliness.as_deref(), Some("early"));
    assert_eq!(d.assignee.as_deref(), Some("chuyenvien"));
    assert!(d.due_at.is_some() && p.due_at == d.due_at.map(format_ts));

    let stored = store.events(&d.code).await.expect("events");
    assert_eq!(stored.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5, 6]);
    let actions: Vec<&str> = stored.iter().map(|e| e.event.data.action()).collect();
    assert_eq!(actions, ["create", "receive", "assign", "complete_step", "approve", "return_result"]);
    let actors: Vec<String> = links(&store, &d.code).await.into_iter().map(|l| l.actor).collect();
    assert_eq!(actors, ["applicant", "tiepnhan", "lanhdao", "chuyenvien", "lanhdao", "tiepnhan"]);
    assert_eq!(stored.last().unwrap().hash, dossier_row(&store, &d.code).await.1);
    let events: Vec<_> = stored.iter().map(|e| e.event.clone()).collect();
    assert_eq!(replay(&events).unwrap().as_ref(), Some(&d), "the projection is the fold of the events");

    let report = store.verify_audit(false).await.expect("verify");
    assert_eq!((report.dossiers, report.events), (1, 6));
    assert!(report.broken.is_empty() && report.drifted.is_empty(), "{report:?}");
}
storage_test!(a_dossier_keeps_its_projection_state_events_and_hash_chain_in_step_through_its_life);

async fn an_action_with_a_stale_version_is_a_conflict_and_writes_nothing(store: Store) {
    let n = NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T08:00:00+07:00"));
    let d = create_dossier(&store, &n).await;
    let d = act(
        &store,
        &d.code,
        1,
        receiver(COMMUNE),
        action(json!({"action": "receive"})),
        at("2025-07-07T08:30:00+07:00"),
    )
    .await
    .unwrap();
    let before = dossier_row(&store, &d.code).await;

    let stale = act(
        &store,
        &d.code,
        1,
        leader(COMMUNE),
        action(json!({"action": "assign", "assignee": "chuyenvien"})),
        at("2025-07-07T09:00:00+07:00"),
    )
    .await;
    assert!(matches!(stale, Err(StoreError::Conflict { current: 2 })), "{stale:?}");
    let ahead = act(
        &store,
        &d.code,
        7,
        leader(COMMUNE),
        action(json!({"action": "assign", "assignee": "chuyenvien"})),
        at("2025-07-07T09:00:00+07:00"),
    )
    .await;
    assert!(matches!(ahead, Err(StoreError::Conflict { current: 2 })), "{ahead:?}");

    let after = dossier_row(&store, &d.code).await;
    assert_eq!((after.0, after.1, after.2), (before.0, before.1, before.2), "nothing was written");
    assert_eq!(event_count(&store, &d.code).await, 2);
    assert_chain_whole(&store, &d.code).await;

    // Without a version (internal callers) the action applies to whatever is current.
    let d = store
        .writer
        .act(
            d.code.to_string(),
            None,
            decider(
                leader(COMMUNE),
                action(json!({"action": "assign", "assignee": "chuyenvien"})),
                at("2025-07-07T09:00:00+07:00"),
            ),
        )
        .await
        .expect("unversioned act");
    assert_eq!(d.version, 3);
}
storage_test!(an_action_with_a_stale_version_is_a_conflict_and_writes_nothing);

async fn an_unknown_dossier_is_not_found_for_reads_and_actions(store: Store) {
    assert!(matches!(store.dossier("000.30.01.H01-250707-0001").await, Err(StoreError::NotFound)));
    assert!(store.events("000.30.01.H01-250707-0001").await.unwrap().is_empty());
    let r = act(
        &store,
        "000.30.01.H01-250707-0001",
        1,
        receiver(COMMUNE),
        action(json!({"action": "receive"})),
        at("2025-07-07T08:30:00+07:00"),
    )
    .await;
    assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
    assert_eq!(total_events(&store).await, 0);
}
storage_test!(an_unknown_dossier_is_not_found_for_reads_and_actions);
