//! Queue tickets: numbers per group and local day, fair calls, and concurrent calls from many
//! counters that never get the same ticket.

use std::collections::BTreeSet;

use motcua_domain::queue::{Counter, CounterGroup, Priority, Step, TicketState};
use motcua_store::Store;
use time::macros::{date, datetime};

use crate::storage_test;

async fn setup(store: &Store, counters: usize) {
    store
        .put_queue_group(&CounterGroup {
            code: "C1-DD".into(),
            unit: "C1".into(),
            name: "Đất đai".into(),
            fields: vec!["Đất đai".into()],
            prefix: "A".into(),
            max_priority_run: 2,
        })
        .await
        .unwrap();
    for i in 1..=counters {
        store
            .put_counter(&Counter { id: format!("Q{i}"), name: format!("Quầy {i}"), group: "C1-DD".into() })
            .await
            .unwrap();
    }
}

async fn queue_numbers_restart_each_local_day_and_calls_follow_the_priority_rule(store: Store) {
    setup(&store, 1).await;
    let t0 = datetime!(2026-05-25 01:00 UTC);
    let (a, ahead) = store.issue_ticket("C1-DD", None, t0).await.unwrap();
    assert_eq!((a.number.as_str(), a.id.as_str(), ahead), ("A001", "C1-DD-20260525-A001", 0));
    let (b, ahead) =
        store.issue_ticket("C1-DD", Some(Priority::Elderly), t0 + time::Duration::minutes(1)).await.unwrap();
    assert_eq!((b.number.as_str(), ahead), ("A002", 0));
    // 17:00 UTC is midnight in Vietnam: a new day starts again at 001.
    let (c, _) = store.issue_ticket("C1-DD", None, datetime!(2026-05-25 17:00 UTC)).await.unwrap();
    assert_eq!(c.number, "A001");
    let now = datetime!(2026-05-25 02:00 UTC);
    let first = store.call_next("Q1", "tiepnhan", now).await.unwrap().unwrap();
    assert_eq!(first.number, "A002", "the priority ticket goes first");
    let busy = store.call_next("Q1", "tiepnhan", now).await.unwrap_err();
    assert!(busy.to_string().contains("counter_busy"), "{busy}");
    let done = store
        .step_ticket(
            &first.id,
            "Q1",
            "tiepnhan",
            &Step::Done,
            Some(&motcua_domain::ids::DossierCode::parse("C1-260525-0001").unwrap()),
            now,
        )
        .await
        .unwrap();
    assert_eq!((done.state, done.dossier.as_deref()), (TicketState::Done, Some("C1-260525-0001")));
    assert_eq!(store.call_next("Q1", "tiepnhan", now).await.unwrap().unwrap().number, "A001");
    let m = store.queue_metrics(&["C1".into()], date!(2026 - 05 - 25)).await.unwrap();
    assert_eq!((m.total.tickets, m.total.called, m.total.done), (2, 2, 1));
    assert_eq!(m.by_officer["tiepnhan"].avg_service_seconds, Some(0));
    let (board, waiting) = store.queue_board("C1", now, 10).await.unwrap();
    assert_eq!(board.iter().map(|r| r.number.as_str()).collect::<Vec<_>>(), ["A001"]);
    assert_eq!(waiting[0].waiting, 0);
}
storage_test!(queue_numbers_restart_each_local_day_and_calls_follow_the_priority_rule);

async fn concurrent_calls_from_many_counters_never_get_the_same_ticket(store: Store) {
    setup(&store, 8).await;
    let t0 = datetime!(2026-05-25 01:00 UTC);
    for i in 0..24 {
        let p = (i % 3 == 0).then_some(Priority::Pregnant);
        store.issue_ticket("C1-DD", p, t0 + time::Duration::seconds(i)).await.unwrap();
    }
    let now = datetime!(2026-05-25 02:00 UTC);
    let mut seen = BTreeSet::new();
    for _round in 0..3 {
        let mut tasks = Vec::new();
        for i in 1..=8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let t = store.call_next(&format!("Q{i}"), "cb", now).await.unwrap().unwrap();
                store.step_ticket(&t.id, &format!("Q{i}"), "cb", &Step::Done, None, now).await.unwrap();
                t.id
            }));
        }
        for t in tasks {
            assert!(seen.insert(t.await.unwrap()), "a ticket was called twice");
        }
    }
    assert_eq!(seen.len(), 24);
    assert!(store.call_next("Q1", "cb", now).await.unwrap().is_none());
}
storage_test!(concurrent_calls_from_many_counters_never_get_the_same_ticket);

/// Who acts, from the unit.
type Who = fn(&str) -> motcua_domain::dossier::Actor;

/// Takes a commune dossier to `returned` through the writer and rates it as the applicant.
async fn returned_and_rated(store: &Store, score: i64) -> String {
    use crate::common::fixtures::*;
    use motcua_domain::dossier::Actor;
    use serde_json::json;
    let n = NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T08:00:00+07:00"));
    let mut d = create_dossier(store, &n).await;
    let mut t = n.at;
    let steps: [(Who, serde_json::Value); 5] = [
        (receiver, json!({"action": "receive"})),
        (specialist, json!({"action": "complete_step"})),
        (leader, json!({"action": "approve"})),
        (receiver, json!({"action": "return_result"})),
        (|_| Actor::Applicant, json!({"action": "rate", "score": score})),
    ];
    for (who, a) in steps {
        t += time::Duration::minutes(30);
        d = act(store, &d.code, d.version, who(COMMUNE), action(a.clone()), t)
            .await
            .unwrap_or_else(|e| panic!("{a}: {e}"));
    }
    d.code.to_string()
}

async fn ratings_are_attributed_to_the_officer_who_served_the_ticket_or_returned_the_result(store: Store) {
    use crate::common::fixtures::{COMMUNE, OTHER_COMMUNE, at};
    let served = returned_and_rated(&store, 5).await;
    let _counter_only = returned_and_rated(&store, 1).await;
    store
        .put_queue_group(&CounterGroup {
            code: "X-HT".into(),
            unit: COMMUNE.into(),
            name: "Hộ tịch".into(),
            fields: vec![],
            prefix: "H".into(),
            max_priority_run: 3,
        })
        .await
        .unwrap();
    store.put_counter(&Counter { id: "XQ1".into(), name: "Quầy 1".into(), group: "X-HT".into() }).await.unwrap();
    let now = at("2025-07-07T10:00:00+07:00");
    store.issue_ticket("X-HT", None, now).await.unwrap();
    let t = store.call_next("XQ1", "quay.mot", now).await.unwrap().unwrap();
    store
        .step_ticket(
            &t.id,
            "XQ1",
            "quay.mot",
            &Step::Done,
            Some(&motcua_domain::ids::DossierCode::parse(&served).unwrap()),
            now,
        )
        .await
        .unwrap();
    let (from, to) = (at("2025-07-01T00:00:00+07:00"), at("2025-08-01T00:00:00+07:00"));
    let mut got = store.officer_ratings(&[COMMUNE.into()], from, to).await.unwrap();
    got.sort_by(|a, b| a.officer.cmp(&b.officer));
    let pairs: Vec<(&str, u8)> = got.iter().map(|r| (r.officer.as_str(), r.score)).collect();
    assert_eq!(pairs, [("quay.mot", 5), ("tiepnhan", 1)]);
    assert!(store.officer_ratings(&[OTHER_COMMUNE.into()], from, to).await.unwrap().is_empty());
    assert!(store.officer_ratings(&[], to, to + time::Duration::days(30)).await.unwrap().is_empty());
}
storage_test!(ratings_are_attributed_to_the_officer_who_served_the_ticket_or_returned_the_result);

/// A ticket's history is hash-chained like every record's: each step is one event, a stale step
/// is refused, `verify-audit` re-walks it and spots an edited event.
async fn a_ticket_keeps_a_verified_history(store: Store) {
    setup(&store, 1).await;
    let t0 = datetime!(2026-05-26 01:00 UTC);
    let (t, _) = store.issue_ticket("C1-DD", None, t0).await.unwrap();
    assert_eq!(t.version, 1);
    let called = store.call_next("Q1", "tiepnhan", t0).await.unwrap().unwrap();
    let served = store.step_ticket(&t.id, "Q1", "tiepnhan", &Step::Serve, None, t0).await.unwrap();
    let done = store.step_ticket(&t.id, "Q1", "tiepnhan", &Step::Done, None, t0).await.unwrap();
    assert_eq!((called.version, served.version, done.version), (2, 3, 4));
    let linked = store
        .link_ticket(&t.id, &motcua_domain::ids::DossierCode::parse("C1-260526-0001").unwrap(), "tiepnhan", t0)
        .await
        .unwrap();
    assert_eq!((linked.version, linked.dossier.as_deref()), (5, Some("C1-260526-0001")));
    assert_eq!(store.ticket(&t.id).await.unwrap(), linked);
    // Finishing twice is refused and writes nothing.
    assert!(store.step_ticket(&t.id, "Q1", "tiepnhan", &Step::Done, None, t0).await.is_err());
    let report = store.verify_audit(false).await.unwrap();
    let (_, k) = report.records.iter().find(|(k, _)| *k == "queue_ticket").unwrap();
    assert_eq!((k.records, k.events), (1, 5));
    assert!(report.ok(false), "{report:?}");
    sqlx::query(
        "UPDATE record_events SET payload = REPLACE(payload, 'tiepnhan', 'nguoikhac') WHERE record_id = $1 AND seq = 2",
    )
    .bind(t.id.clone())
    .execute(&store.pool)
    .await
    .unwrap();
    let report = store.verify_audit(false).await.unwrap();
    let (_, k) = report.records.iter().find(|(k, _)| *k == "queue_ticket").unwrap();
    assert_eq!(k.broken, vec![(t.id.clone(), 2)]);
}
storage_test!(a_ticket_keeps_a_verified_history);

/// Tickets issued before tickets had a history (migration 0014: version 0, no events) get one on
/// the next start: one `adopted` event holding the ticket as it stood; their steps go on.
async fn tickets_without_a_history_are_adopted_on_start(url: String) {
    let store = Store::open(&url).await.unwrap();
    setup(&store, 1).await;
    let t0 = datetime!(2026-05-27 01:00 UTC);
    let (t, _) = store.issue_ticket("C1-DD", None, t0).await.unwrap();
    let called = store.call_next("Q1", "tiepnhan", t0).await.unwrap().unwrap();
    // What a database of the previous schema holds: the row, no history.
    sqlx::query("DELETE FROM record_events WHERE kind = 'queue_ticket'").execute(&store.pool).await.unwrap();
    sqlx::query("DELETE FROM record_heads WHERE kind = 'queue_ticket'").execute(&store.pool).await.unwrap();
    sqlx::query("UPDATE queue_tickets SET version = 0").execute(&store.pool).await.unwrap();
    store.pool.close().await;

    let store = Store::open(&url).await.unwrap();
    let adopted = store.ticket(&t.id).await.unwrap();
    assert_eq!(adopted, motcua_domain::queue::Ticket { version: 1, ..called.clone() });
    let report = store.verify_audit(false).await.unwrap();
    assert!(report.ok(false), "{report:?}");
    let done = store.step_ticket(&t.id, "Q1", "tiepnhan", &Step::Done, None, t0).await.unwrap();
    assert_eq!((done.version, done.state), (2, TicketState::Done));
    store.pool.close().await;
    // Opening again adopts nothing more.
    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.ticket(&t.id).await.unwrap().version, 2);
    store.pool.close().await;
}
storage_test!(url tickets_without_a_history_are_adopted_on_start);
