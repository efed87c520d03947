//! The audit trail: `verify_audit` re-walks every hash chain and compares every projection with
//! the fold of its events; tampering is reported, drifted projections are repaired from events.
//! Bulk-written histories (imports, demo data) obey the same rules: rebuild == live projection.

use motcua_domain::code::{DEFAULT_TEMPLATE, render};
use motcua_domain::dossier::actions::{Ctx, decide};
use motcua_domain::dossier::event::{Event, apply, replay};
use motcua_domain::dossier::timeliness::VN_OFFSET;
use motcua_domain::dossier::{Actor, Dossier, Status};
use motcua_store::Store;
use motcua_store::writer::History;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::common::fixtures::*;
use crate::common::rows::*;
use crate::storage_test;

/// A dossier created and taken through `then` by the live writer.
async fn live(store: &Store, n: NewDossier, then: Vec<(Actor, Value, OffsetDateTime)>) -> Dossier {
    let mut d = create_dossier(store, &n).await;
    for (actor, a, when) in then {
        d = act(store, &d.code, d.version, actor, action(a.clone()), when).await.unwrap_or_else(|e| panic!("{a}: {e}"));
    }
    d
}

fn through_to_result(unit: &str, day: u32) -> Vec<(Actor, Value, OffsetDateTime)> {
    let t = |h: u32| at(&format!("2025-07-{day:02}T{h:02}:00:00+07:00"));
    vec![
        (receiver(unit), json!({"action": "receive"}), t(8)),
        (leader(unit), json!({"action": "assign", "assignee": "chuyenvien"}), t(9)),
        (specialist(unit), json!({"action": "complete_step"}), t(13)),
        (leader(unit), json!({"action": "approve"}), t(14)),
    ]
}

/// A history decided in memory, as an import or the demo generator writes it.
fn history(n: &NewDossier, seq: u64, then: Vec<(Actor, Value, OffsetDateTime)>) -> (History, Dossier) {
    let code = render(DEFAULT_TEMPLATE, &n.receiving, n.at.to_offset(VN_OFFSET).date(), seq).unwrap();
    let first = n.event(code.to_string()).unwrap();
    let mut d = apply(None, &first).unwrap();
    let mut events: Vec<Event> = vec![first];
    for (actor, a, when) in then {
        let e = decide(&d, &action(a), &Ctx { calendar: &CALENDAR, at: when, actor: &actor }).expect("valid history");
        d = apply(Some(d), &e).unwrap();
        events.push(e);
    }
    let h = History {
        secret_hash: "h".into(),
        events,
        seq: Some((n.receiving.clone(), n.day(), i64::try_from(seq).unwrap())),
        files: Vec::new(),
    };
    (h, d)
}

/// Every stored dossier equals the fold of its stored events, columns included.
async fn assert_rebuild_equals_live(store: &Store) -> usize {
    let codes: Vec<String> =
        sqlx::query_scalar("SELECT code FROM dossiers ORDER BY code").fetch_all(&store.pool).await.unwrap();
    for code in &codes {
        let events: Vec<Event> = store.events(code).await.unwrap().into_iter().map(|e| e.event).collect();
        let rebuilt = replay(&events).unwrap().expect("a history");
        let (live, _) = store.dossier(code).await.unwrap();
        assert_eq!(rebuilt, live, "{code}: rebuild == live projection");
        assert_row_is(store, &rebuilt).await;
        assert_chain_whole(store, code).await;
    }
    codes.len()
}

async fn bulk_histories_are_stored_like_live_ones_and_rebuild_equals_the_live_projection(store: Store) {
    let mut histories = Vec::new();
    let mut expected = Vec::new();
    for i in 0..12u32 {
        let day = 7 + i % 4;
        let n = NewDossier::online(marriage(), COMMUNE, COMMUNE, at(&format!("2025-07-{day:02}T07:30:00+07:00")));
        let then = match i % 3 {
            0 => vec![],
            1 => through_to_result(COMMUNE, day),
            _ => {
                let mut t = through_to_result(COMMUNE, day);
                t.push((
                    receiver(COMMUNE),
                    json!({"action": "return_result"}),
                    at(&format!("2025-07-{day:02}T16:00:00+07:00")),
                ));
                t
            }
        };
        let (h, d) = history(&n, u64::from(i / 4 + 1), then);
        histories.push(h);
        expected.push(d);
    }
    assert_eq!(store.writer.bulk(histories).await.expect("bulk"), 12);
    for d in &expected {
        assert_eq!(&store.dossier(&d.code).await.unwrap().0, d);
        assert_eq!(event_count(&store, &d.code).await, d.version);
    }
    // Live dossiers next to them: the sequence continues after the imported numbers.
    let next = live(
        &store,
        NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T10:00:00+07:00")),
        through_to_result(COMMUNE, 8),
    )
    .await;
    assert_eq!(next.code, format!("{COMMUNE}-250707-0004"));
    live(&store, NewDossier::online(land(), CENTER, AGENCY, at("2025-07-09T10:00:00+07:00")), vec![]).await;

    assert_eq!(assert_rebuild_equals_live(&store).await, 14);
    let report = store.verify_audit(false).await.unwrap();
    let events: i64 = expected.iter().map(|d| d.version).sum::<i64>() + next.version + 1;
    assert_eq!((report.dossiers, report.events), (14, u64::try_from(events).unwrap()));
    assert!(report.broken.is_empty() && report.drifted.is_empty(), "{report:?}");
}
storage_test!(bulk_histories_are_stored_like_live_ones_and_rebuild_equals_the_live_projection);

async fn a_bulk_write_with_one_bad_history_writes_nothing(store: Store) {
    let n = NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T08:00:00+07:00"));
    let (good, _) = history(&n, 1, vec![]);
    let (mut bad, _) = history(&n, 2, through_to_result(COMMUNE, 7));
    bad.events.remove(0); // does not start with `create`
    assert!(store.writer.bulk(vec![good, bad]).await.is_err());
    assert_eq!(total_dossiers(&store).await, 0);
    assert_eq!(total_events(&store).await, 0);
    assert_eq!(create_dossier(&store, &n).await.code, format!("{COMMUNE}-250707-0001"), "the sequence did not move");

    // A history whose code already exists is refused as a whole, too.
    let (fresh, _) = history(&n, 7, vec![]);
    let (dup, _) = history(&n, 1, vec![]);
    assert!(store.writer.bulk(vec![fresh, dup]).await.is_err());
    assert_eq!(total_dossiers(&store).await, 1);
    assert_eq!(total_events(&store).await, 1);
    assert_eq!(assert_rebuild_equals_live(&store).await, 1);
}
storage_test!(a_bulk_write_with_one_bad_history_writes_nothing);

async fn verify_audit_reports_edited_and_deleted_events_as_broken_chains(store: Store) {
    let edited = live(
        &store,
        NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T07:30:00+07:00")),
        through_to_result(COMMUNE, 7),
    )
    .await;
    let deleted = live(
        &store,
        NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-08T07:30:00+07:00")),
        through_to_result(COMMUNE, 8),
    )
    .await;
    let relinked = live(
        &store,
        NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-09T07:30:00+07:00")),
        through_to_result(COMMUNE, 9),
    )
    .await;
    let truncated = live(
        &store,
        NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-11T07:30:00+07:00")),
        through_to_result(COMMUNE, 11),
    )
    .await;
    let intact = live(
        &store,
        NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-10T07:30:00+07:00")),
        through_to_result(COMMUNE, 10),
    )
    .await;
    let clean = store.verify_audit(false).await.unwrap();
    assert!(clean.broken.is_empty() && clean.drifted.is_empty(), "{clean:?}");
    assert_eq!((clean.dossiers, clean.events), (5, 25));

    // Someone rewrites the applicant's name in the first event.
    sqlx::query("UPDATE dossier_events SET payload = REPLACE(payload, $1, $2) WHERE dossier_code = $3 AND seq = 1")
        .bind("Nguyễn Văn An")
        .bind("Trần Thị Bình")
        .bind(edited.code.to_string())
        .execute(&store.pool)
        .await
        .unwrap();
    // Someone deletes the assignment.
    sqlx::query("DELETE FROM dossier_events WHERE dossier_code = $1 AND seq = 3")
        .bind(deleted.code.to_string())
        .execute(&store.pool)
        .await
        .unwrap();
    // Someone deletes the approval (seq 5, the last event): what is left is a valid prefix, but no
    // longer reaches the projection's anchor.
    sqlx::query("DELETE FROM dossier_events WHERE dossier_code = $1 AND seq = 5")
        .bind(truncated.code.to_string())
        .execute(&store.pool)
        .await
        .unwrap();
    // Someone edits an event and recomputes its hash (but cannot fix the next link).
    let links = links(&store, &relinked.code).await;
    let forged = links[1].payload.replace("\"tiepnhan\"", "\"mao_danh\"");
    assert_ne!(forged, links[1].payload);
    sqlx::query("UPDATE dossier_events SET payload = $1, hash = $2 WHERE dossier_code = $3 AND seq = 2")
        .bind(forged.clone())
        .bind(motcua_domain::audit::link_hash(&links[1].prev_hash, &forged))
        .bind(relinked.code.to_string())
        .execute(&store.pool)
        .await
        .unwrap();

    let report = store.verify_audit(false).await.unwrap();
    let mut broken = report.broken.clone();
    broken.sort();
    let mut want = vec![
        (edited.code.to_string(), 1),
        (deleted.code.to_string(), 4),
        (relinked.code.to_string(), 3),
        (truncated.code.to_string(), 5),
    ];
    want.sort();
    assert_eq!(broken, want, "{report:?}");
    assert!(report.drifted.is_empty(), "{report:?}");
    assert!(!broken.iter().any(|(c, _)| *c == intact.code));
    // Repairing never rewrites a chain.
    let again = store.verify_audit(true).await.unwrap();
    assert_eq!(again.broken.len(), 4);
    assert!(again.drifted.is_empty(), "a broken chain is not \"repaired\" into its prefix: {again:?}");
    assert_eq!(self::links(&store, &relinked.code).await[1].payload, forged);
    assert_eq!(store.dossier(&truncated.code).await.unwrap().0, truncated, "the projection is left as evidence");
}
storage_test!(verify_audit_reports_edited_and_deleted_events_as_broken_chains);

async fn a_drifted_projection_is_reported_and_repaired_from_its_events(store: Store) {
    let state_edited = live(
        &store,
        NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T07:30:00+07:00")),
        through_to_result(COMMUNE, 7),
    )
    .await;
    let columns_edited = live(
        &store,
        NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-08T07:30:00+07:00")),
        through_to_result(COMMUNE, 8),
    )
    .await;
    let intact =
        live(&store, NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-09T07:30:00+07:00")), vec![]).await;
    assert_eq!(state_edited.status, Status::ResultReady);

    // Someone marks a dossier returned in its JSON state and hides it from the inbox.
    let mut forged = serde_json::to_value(dossier_row(&store, &state_edited.code).await.2).unwrap();
    forged["status"] = json!("returned");
    forged["version"] = json!(9);
    sqlx::query("UPDATE dossiers SET state = $1, status = $2, holder_unit = $3 WHERE code = $4")
        .bind(forged.to_string())
        .bind("returned")
        .bind("")
        .bind(state_edited.code.to_string())
        .execute(&store.pool)
        .await
        .unwrap();
    // Someone edits only the queryable columns (the JSON state is intact).
    sqlx::query("UPDATE dossiers SET status = $1, holder_unit = $2, due_sort = $3, finished_at = $4 WHERE code = $5")
        .bind("withdrawn")
        .bind("")
        .bind("9999-12-31T23:59:59Z")
        .bind(None::<String>)
        .bind(columns_edited.code.to_string())
        .execute(&store.pool)
        .await
        .unwrap();

    let report = store.verify_audit(false).await.unwrap();
    let mut drifted = report.drifted.clone();
    drifted.sort();
    assert_eq!(drifted, vec![state_edited.code.clone(), columns_edited.code.clone()], "{report:?}");
    assert!(report.broken.is_empty());
    assert_eq!(store.dossier(&state_edited.code).await.unwrap().0.status, Status::Returned, "a report changes nothing");

    let repaired = store.verify_audit(true).await.unwrap();
    assert_eq!(repaired.drifted.len(), 2, "the repair reports what it repaired");
    for d in [&state_edited, &columns_edited, &intact] {
        assert_eq!(&store.dossier(&d.code).await.unwrap().0, d);
        assert_row_is(&store, d).await;
    }
    let after = store.verify_audit(false).await.unwrap();
    assert!(after.broken.is_empty() && after.drifted.is_empty(), "clean after the repair: {after:?}");
    let inbox = store
        .inbox(&motcua_store::dossiers::InboxQuery { units: vec![COMMUNE.into()], limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(inbox.len(), 3, "the repaired dossiers are back in the inbox");

    // The repaired dossier accepts the next action on its real version.
    let a = action(json!({"action": "return_result"}));
    let returned =
        act(&store, &state_edited.code, state_edited.version, receiver(COMMUNE), a, at("2025-07-08T08:00:00+07:00"))
            .await
            .unwrap();
    assert_eq!(returned.status, Status::Returned);
    assert_chain_whole(&store, &state_edited.code).await;
}
storage_test!(a_drifted_projection_is_reported_and_repaired_from_its_events);

async fn verifying_while_the_writer_works_reports_and_repairs_nothing(store: Store) {
    let mut codes = Vec::new();
    for i in 0..20u32 {
        let n = NewDossier::online(marriage(), COMMUNE, COMMUNE, at(&format!("2025-07-07T07:{i:02}:00+07:00")));
        codes.push(live(&store, n, vec![]).await.code);
    }
    let writing = {
        let store = store.clone();
        let codes = codes.clone();
        tokio::spawn(async move {
            for (actor, a, version) in [
                (receiver(COMMUNE), json!({"action": "receive"}), 1),
                (leader(COMMUNE), json!({"action": "assign", "assignee": "chuyenvien"}), 2),
                (specialist(COMMUNE), json!({"action": "complete_step"}), 3),
                (leader(COMMUNE), json!({"action": "approve"}), 4),
                (receiver(COMMUNE), json!({"action": "return_result"}), 5),
            ] {
                for code in &codes {
                    act(&store, code, version, actor.clone(), action(a.clone()), at("2025-07-08T09:00:00+07:00"))
                        .await
                        .unwrap_or_else(|e| panic!("{code} {a}: {e}"));
                }
            }
        })
    };
    let mut rounds = 0;
    while !writing.is_finished() || rounds == 0 {
        let r = store.verify_audit(true).await.unwrap();
        assert!(r.broken.is_empty() && r.drifted.is_empty(), "a live write is neither tampering nor drift: {r:?}");
        rounds += 1;
    }
    writing.await.unwrap();
    assert_rebuild_equals_live(&store).await;
    let r = store.verify_audit(false).await.unwrap();
    assert_eq!((r.dossiers, r.events), (20, 120));
}
storage_test!(verifying_while_the_writer_works_reports_and_repairs_nothing);

async fn the_raw_write_floor_of_the_benchmark_runs_on_a_stored_dossier_and_leaves_nothing(store: Store) {
    assert!(store.raw_append_floor(10, 4).await.is_err(), "an empty database is refused");
    let n = NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T08:00:00+07:00"));
    create_dossier(&store, &n).await;
    let before = total_events(&store).await;
    store.raw_append_floor(10, 4).await.unwrap();
    assert_eq!(total_events(&store).await, before, "the scratch rows are removed");
    assert_eq!(total_dossiers(&store).await, 1);
}
storage_test!(the_raw_write_floor_of_the_benchmark_runs_on_a_stored_dossier_and_leaves_nothing);
