//! Optimistic concurrency under real concurrency, and the group-commit writer: a refused request
//! writes nothing and leaves the other requests of its batch alone.

use motcua_domain::dossier::Status;
use motcua_domain::dossier::event::Event;
use motcua_store::{Store, StoreError};
use serde_json::json;

use crate::common::fixtures::*;
use crate::common::rows::*;
use crate::storage_test;

/// A dossier received at the commune on 7 July 2025 (version 2).
async fn received(store: &Store, minute: u32) -> motcua_domain::dossier::Dossier {
    let n = NewDossier::online(marriage(), COMMUNE, COMMUNE, at(&format!("2025-07-07T08:{minute:02}:00+07:00")));
    let d = create_dossier(store, &n).await;
    act(store, &d.code, 1, receiver(COMMUNE), action(json!({"action": "receive"})), at("2025-07-07T09:00:00+07:00"))
        .await
        .expect("receive")
}

async fn of_twenty_concurrent_actions_on_the_same_version_exactly_one_wins(store: Store) {
    let d = received(&store, 0).await;
    let events_before = total_events(&store).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (store, code) = (store.clone(), d.code.clone());
        tasks.push(tokio::spawn(async move {
            let a = action(json!({"action": "assign", "assignee": format!("chuyenvien{i}")}));
            act(&store, &code, 2, leader(COMMUNE), a, at("2025-07-07T10:00:00+07:00")).await
        }));
    }
    let mut won = Vec::new();
    let mut conflicts = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(d) => won.push(d),
            Err(StoreError::Conflict { current: 3 }) => conflicts += 1,
            Err(e) => panic!("unexpected outcome: {e:?}"),
        }
    }
    assert_eq!((won.len(), conflicts), (1, 19));
    assert_eq!(total_events(&store).await, events_before + 1, "exactly one more event");
    let (now, _) = store.dossier(&d.code).await.unwrap();
    assert_eq!(now, won[0], "the winner's result is what is stored");
    assert_eq!(now.version, 3);
    assert_row_is(&store, &now).await;
    assert_chain_whole(&store, &d.code).await;
}
storage_test!(of_twenty_concurrent_actions_on_the_same_version_exactly_one_wins);

async fn a_refused_action_in_a_batch_writes_nothing_and_leaves_the_others_of_the_batch_alone(store: Store) {
    let gate = received(&store, 0).await;
    let mut dossiers = Vec::new();
    for i in 1..=40 {
        dossiers.push(received(&store, i).await);
    }
    let events_before = total_events(&store).await;

    let held = HeldWriter::hold(&store, &gate.code).await;
    let mut tasks = Vec::new();
    for (i, d) in dossiers.iter().enumerate() {
        let (store, code) = (store.clone(), d.code.clone());
        tasks.push(tokio::spawn(async move {
            // Every third request is refused by the domain: returning a result that is not ready.
            let (actor, a) = if i % 3 == 0 {
                (receiver(COMMUNE), json!({"action": "return_result"}))
            } else {
                (leader(COMMUNE), json!({"action": "assign", "assignee": "chuyenvien"}))
            };
            (i, act(&store, &code, 2, actor, action(a), at("2025-07-07T10:00:00+07:00")).await)
        }));
    }
    held.release().await;

    let mut accepted = 0;
    for t in tasks {
        let (i, r) = t.await.expect("task");
        let code = &dossiers[i].code;
        if i % 3 == 0 {
            assert!(
                matches!(&r, Err(StoreError::Domain(e)) if e.code == "invalid_transition"),
                "{code}: refused, got {r:?}"
            );
            let (stored, _) = store.dossier(code).await.unwrap();
            assert_eq!(stored, dossiers[i], "{code}: a refusal writes nothing");
            assert_eq!(event_count(&store, code).await, 2);
        } else {
            let d = r.unwrap_or_else(|e| panic!("{code}: accepted, got {e:?}"));
            assert_eq!((d.status, d.version), (Status::InProgress, 3));
            assert_row_is(&store, &d).await;
            accepted += 1;
        }
        assert_chain_whole(&store, code).await;
    }
    assert_eq!(accepted, 26);
    assert_eq!(total_events(&store).await, events_before + accepted);
    let report = store.verify_audit(false).await.unwrap();
    assert!(report.broken.is_empty() && report.drifted.is_empty(), "{report:?}");
}
storage_test!(a_refused_action_in_a_batch_writes_nothing_and_leaves_the_others_of_the_batch_alone);

async fn requests_committed_in_one_batch_see_each_others_writes_in_order(store: Store) {
    let gate = received(&store, 0).await;
    let d = received(&store, 1).await;
    let held = HeldWriter::hold(&store, &gate.code).await;
    let first = {
        let (store, code) = (store.clone(), d.code.clone());
        tokio::spawn(async move {
            let a = action(json!({"action": "assign", "assignee": "chuyenvien"}));
            act(&store, &code, 2, leader(COMMUNE), a, at("2025-07-07T10:00:00+07:00")).await
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let second = {
        let (store, code) = (store.clone(), d.code.clone());
        tokio::spawn(async move {
            let a = action(json!({"action": "complete_step"}));
            act(&store, &code, 3, specialist(COMMUNE), a, at("2025-07-08T10:00:00+07:00")).await
        })
    };
    held.release().await;
    let first = first.await.unwrap().expect("first request");
    let second = second.await.unwrap().expect("second request sees the first one's version");
    assert_eq!((first.version, second.version), (3, 4));
    assert_eq!(second.assignee.as_deref(), Some("chuyenvien"));
    assert_row_is(&store, &second).await;
    assert_chain_whole(&store, &d.code).await;
}
storage_test!(requests_committed_in_one_batch_see_each_others_writes_in_order);

async fn an_action_whose_events_cannot_all_be_applied_writes_none_of_them(store: Store) {
    let d = received(&store, 0).await;
    let n = NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T08:00:00+07:00"));
    let create_again = n.event(d.code.to_string()).unwrap();
    // A faulty decider: a valid assignment followed by a second `create` (which cannot apply).
    let faulty = Box::new(move |cur: &motcua_domain::dossier::Dossier| {
        let assign = decider(
            leader(COMMUNE),
            action(json!({"action": "assign", "assignee": "chuyenvien"})),
            at("2025-07-07T10:00:00+07:00"),
        )(cur)?;
        Ok(assign.into_iter().chain([create_again]).collect::<Vec<Event>>())
    });
    let r = store.writer.act(d.code.to_string(), Some(2), faulty).await;
    assert!(matches!(r, Err(StoreError::Corrupt(_))), "{r:?}");
    assert_eq!(event_count(&store, &d.code).await, 2, "no event of the refused action is written");
    assert_eq!(store.dossier(&d.code).await.unwrap().0, d);
    assert_chain_whole(&store, &d.code).await;

    // The dossier is still usable.
    let a = action(json!({"action": "assign", "assignee": "chuyenvien"}));
    let next = act(&store, &d.code, 2, leader(COMMUNE), a, at("2025-07-07T10:00:00+07:00")).await.expect("next action");
    assert_eq!(next.version, 3);
    assert_chain_whole(&store, &d.code).await;
    assert!(matches!(&next.assignee, Some(a) if a == "chuyenvien"));
}
storage_test!(an_action_whose_events_cannot_all_be_applied_writes_none_of_them);

async fn a_creation_refused_by_the_domain_writes_no_dossier_and_spares_its_batch(store: Store) {
    let gate = received(&store, 0).await;
    let held = HeldWriter::hold(&store, &gate.code).await;
    let mut tasks = Vec::new();
    for i in 0..10u32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = NewDossier::online(marriage(), OTHER_COMMUNE, OTHER_COMMUNE, at("2025-07-08T08:00:00+07:00"));
            if i % 2 == 1 {
                n.procedure.online_level = motcua_domain::catalog::OnlineLevel::None;
            }
            (i, store.writer.create(n.job()).await)
        }));
    }
    held.release().await;
    let mut codes = Vec::new();
    for t in tasks {
        let (i, r) = t.await.unwrap();
        if i % 2 == 1 {
            assert!(matches!(&r, Err(StoreError::Domain(e)) if e.code == "procedure_not_online"), "{r:?}");
        } else {
            codes.push(r.expect("a valid creation in the same batch").code);
        }
    }
    assert_eq!(codes.len(), 5);
    assert_eq!(total_dossiers(&store).await, 1 + 5);
    for c in &codes {
        assert_chain_whole(&store, c).await;
    }
}
storage_test!(a_creation_refused_by_the_domain_writes_no_dossier_and_spares_its_batch);

/// A dossier decision that panics (a bug) fails that request only: nothing of it is written,
/// the other requests of its batch and every later request are served.
async fn a_panicking_dossier_decision_fails_only_its_request(store: Store) {
    let d = received(&store, 30).await;
    let other = received(&store, 31).await;
    let events_before = total_events(&store).await;
    let (s, code) = (store.clone(), d.code.clone());
    let bug = tokio::spawn(async move {
        s.writer.act(code.to_string(), Some(2), Box::new(|_| panic!("a bug in a decision"))).await
    });
    let fine = act(
        &store,
        &other.code,
        2,
        leader(COMMUNE),
        action(json!({"action": "assign", "assignee": "chuyenvien"})),
        at("2025-07-07T10:00:00+07:00"),
    );
    let (bug, fine) = tokio::join!(bug, fine);
    assert!(matches!(bug.expect("task"), Err(StoreError::Panicked)));
    assert_eq!(fine.expect("the other request").version, 3);
    assert_eq!(total_events(&store).await, events_before + 1);
    let later = act(
        &store,
        &d.code,
        2,
        leader(COMMUNE),
        action(json!({"action": "assign", "assignee": "chuyenvien"})),
        at("2025-07-07T10:05:00+07:00"),
    )
    .await
    .expect("the writer still serves");
    assert_eq!(later.version, 3);
}
storage_test!(a_panicking_dossier_decision_fails_only_its_request);

/// Writes outside the dossier writer (an edXML package received, a message queued) run at the
/// same moment as the writer's batches and none of them fails: on SQLite every write
/// transaction takes the write lock when it begins and waits its turn, instead of failing with
/// "database is locked" when another connection commits between its first read and its first
/// write (a CI run lost a received document that way).
async fn writes_beside_the_writer_wait_their_turn_instead_of_failing(store: Store) {
    let mut dossiers = Vec::new();
    for i in 0..24 {
        dossiers.push(received(&store, i).await);
    }
    let now = at("2026-03-02T08:00:00+07:00");
    let mut tasks = Vec::new();
    for (i, d) in dossiers.into_iter().enumerate() {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let a = action(json!({"action": "assign", "assignee": "chuyenvien"}));
            act(&s, &d.code, 2, leader(COMMUNE), a, at("2025-07-07T10:00:00+07:00"))
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }));
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let p = motcua_store::edxml::NewPackage {
                unit: "A1".into(),
                idem: format!("busy-{i}"),
                document_id: format!("000.01.01.H08,2026/03/02,{i}/CV"),
                from_organ: "000.01.01.H08".into(),
                to_organs: vec!["000.00.12.H08".into()],
                subject: "Công văn".into(),
                xml: "<edXML/>".into(),
                ..Default::default()
            };
            let reply = motcua_store::outbox::NewMessage {
                kind: "edxml-status".into(),
                idempotency_key: format!("edxml-status:A1:busy-{i}:03"),
                recipient: "000.01.01.H08".into(),
                payload: "<edXML/>".into(),
                template: None,
                about: None,
                unit: None,
            };
            s.register_incoming(&p, &[reply], now).await.map(|_| ()).map_err(|e| e.to_string())
        }));
    }
    for t in tasks {
        t.await.expect("task").expect("no write fails because another one runs");
    }
    assert_eq!(store.edxml_packages("in", &["A1".to_owned()], None).await.unwrap().len(), 24);
}
storage_test!(writes_beside_the_writer_wait_their_turn_instead_of_failing);
