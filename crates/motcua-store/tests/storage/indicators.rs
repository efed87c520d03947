//! Indicator counts for a reporting period (domain.md Decisions 6): received, online, finished,
//! and early / on time / late — finished dossiers judged at their finish instant, unfinished ones
//! late when past due at the end of the period. Cross-checked against the domain's one
//! classification.

use motcua_domain::dossier::timeliness::{Timeliness, classify};
use motcua_domain::dossier::{Actor, Channel, Dossier};
use motcua_store::indicators::Counts;
use motcua_store::{Store, format_ts};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::common::fixtures::*;
use crate::storage_test;

/// A marriage dossier submitted 30 minutes before `received`, received then, and taken through
/// `then` (actor, action, instant).
async fn story(
    store: &Store,
    unit: &str,
    channel: Channel,
    received: &str,
    then: Vec<(Actor, Value, OffsetDateTime)>,
) -> Dossier {
    let r = at(received);
    let mut n = NewDossier::online(marriage(), unit, unit, r - time::Duration::minutes(30));
    n.channel = channel;
    let d = create_dossier(store, &n).await;
    let mut d = act(store, &d.code, 1, receiver(unit), action(json!({"action": "receive"})), r).await.expect("receive");
    for (actor, a, when) in then {
        d = act(store, &d.code, d.version, actor, action(a.clone()), when).await.unwrap_or_else(|e| panic!("{a}: {e}"));
    }
    d
}

fn approve_at(when: OffsetDateTime) -> Vec<(Actor, Value, OffsetDateTime)> {
    vec![(leader(COMMUNE), json!({"action": "approve"}), when)]
}

/// What the domain says for every dossier received in the period (the store must agree).
fn recount(ds: &[&Dossier], from: OffsetDateTime, to: OffsetDateTime) -> Counts {
    let mut c = Counts::default();
    for d in ds.iter().filter(|d| d.received_at.is_some_and(|r| r >= from && r < to)) {
        c.received += 1;
        c.online += i64::from(d.channel == Channel::Online);
        c.finished += i64::from(d.finished_at.is_some_and(|f| f < to));
        match classify(d, to) {
            Some(Timeliness::Early) => c.early += 1,
            Some(Timeliness::OnTime) => c.on_time += 1,
            Some(Timeliness::Late) => c.late += 1,
            None => {}
        }
    }
    c
}

async fn period_counts_split_finished_dossiers_by_timeliness_and_count_overdue_ones_late(store: Store) {
    let (from, to) = (at("2025-07-01T00:00:00+07:00"), at("2025-08-01T00:00:00+07:00"));
    let on = Channel::Online;
    // Received Monday 7 July 08:00, 5 working days: due Monday 14 July 08:00.
    let early = story(
        &store,
        COMMUNE,
        Channel::Counter,
        "2025-07-07T08:00:00+07:00",
        approve_at(at("2025-07-08T10:00:00+07:00")),
    )
    .await;
    let due = early.due_at.expect("received dossiers have a due instant");
    assert_eq!(format_ts(due), "2025-07-14T01:00:00Z");
    let on_time =
        story(&store, COMMUNE, on, "2025-07-07T08:00:00+07:00", approve_at(due - time::Duration::minutes(30))).await;
    let late = story(
        &store,
        COMMUNE,
        on,
        "2025-07-07T08:00:00+07:00",
        vec![
            (leader(COMMUNE), json!({"action": "approve"}), at("2025-07-16T10:00:00+07:00")),
            (receiver(COMMUNE), json!({"action": "return_result"}), at("2025-07-17T10:00:00+07:00")),
        ],
    )
    .await;
    let overdue = story(&store, COMMUNE, on, "2025-07-07T08:00:00+07:00", vec![]).await;
    let running = story(&store, COMMUNE, on, "2025-07-29T08:00:00+07:00", vec![]).await;
    let paused = story(
        &store,
        COMMUNE,
        on,
        "2025-07-08T08:00:00+07:00",
        vec![(
            specialist(COMMUNE),
            json!({"action": "request_supplement", "reason": "Thiếu giấy tờ"}),
            at("2025-07-09T08:00:00+07:00"),
        )],
    )
    .await;
    // Asked for supplementation only after its due instant: its clock stopped too late.
    let paused_late = story(
        &store,
        COMMUNE,
        on,
        "2025-07-01T08:00:00+07:00",
        vec![(
            specialist(COMMUNE),
            json!({"action": "request_supplement", "reason": "Thiếu giấy tờ"}),
            at("2025-07-10T08:00:00+07:00"),
        )],
    )
    .await;
    let rejected = story(
        &store,
        COMMUNE,
        on,
        "2025-07-10T08:00:00+07:00",
        vec![(
            leader(COMMUNE),
            json!({"action": "reject", "reason": "Không đủ điều kiện"}),
            at("2025-07-11T08:00:00+07:00"),
        )],
    )
    .await;
    let withdrawn = story(
        &store,
        COMMUNE,
        on,
        "2025-07-07T08:00:00+07:00",
        vec![(
            receiver(COMMUNE),
            json!({"action": "withdraw", "reason": "Công dân xin rút"}),
            at("2025-07-08T08:00:00+07:00"),
        )],
    )
    .await;
    // Finished after the period: judged as unfinished at its end (late only if already past due).
    let finished_after_overdue =
        story(&store, COMMUNE, on, "2025-07-21T08:00:00+07:00", approve_at(at("2025-08-05T08:00:00+07:00"))).await;
    let finished_after_in_time =
        story(&store, COMMUNE, on, "2025-07-25T08:00:00+07:00", approve_at(at("2025-08-01T07:30:00+07:00"))).await;
    // Outside the period or the scope.
    let june =
        story(&store, COMMUNE, on, "2025-06-20T08:00:00+07:00", approve_at(at("2025-07-02T08:00:00+07:00"))).await;
    let elsewhere = story(&store, OTHER_COMMUNE, on, "2025-07-07T08:00:00+07:00", vec![]).await;
    let never_received =
        create_dossier(&store, &NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T08:00:00+07:00")))
            .await;
    let refused = {
        let d =
            create_dossier(&store, &NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T08:00:00+07:00")))
                .await;
        act(
            &store,
            &d.code,
            1,
            receiver(COMMUNE),
            action(json!({"action": "refuse", "reason": "Sai thẩm quyền"})),
            at("2025-07-07T09:00:00+07:00"),
        )
        .await
        .unwrap()
    };
    // Province level: received at the center, resolved by the agency.
    let province = {
        let d =
            create_dossier(&store, &NewDossier::online(land(), CENTER, AGENCY, at("2025-07-07T08:00:00+07:00"))).await;
        act(&store, &d.code, 1, receiver(CENTER), action(json!({"action": "receive"})), at("2025-07-07T09:00:00+07:00"))
            .await
            .unwrap()
    };

    let commune = [COMMUNE.to_owned()];
    let (f, t) = (format_ts(from), format_ts(to));
    let counts = store.counts(Some(&commune), &f, &t).await.unwrap();
    assert_eq!(
        counts,
        Counts { received: 11, online: 10, finished: 5, early: 3, on_time: 1, late: 4 },
        "early: {}, {}, {}; on time: {}; late: {} (finished late), {} (unfinished, past due), {} (finished after the period, \
         past due at its end), {} (waiting for supplementation asked after the due instant); not judged: {} (running), {} (waiting for supplementation), {} (not yet due at the end)",
        early.code,
        rejected.code,
        withdrawn.code,
        on_time.code,
        late.code,
        overdue.code,
        finished_after_overdue.code,
        paused_late.code,
        running.code,
        paused.code,
        finished_after_in_time.code,
    );
    let everyone = [
        &early,
        &on_time,
        &late,
        &overdue,
        &running,
        &paused,
        &paused_late,
        &rejected,
        &withdrawn,
        &finished_after_overdue,
        &finished_after_in_time,
        &june,
        &elsewhere,
        &never_received,
        &refused,
        &province,
    ];
    let in_commune: Vec<&Dossier> = everyone.iter().copied().filter(|d| d.resolving_unit == COMMUNE).collect();
    assert_eq!(counts, recount(&in_commune, from, to), "the store agrees with the domain's classification");

    let all = store.counts(None, &f, &t).await.unwrap();
    assert_eq!(all, recount(&everyone, from, to));
    assert_eq!((all.received, all.late), (13, 6), "plus the other commune's overdue dossier and the province one");

    let two = [COMMUNE.to_owned(), OTHER_COMMUNE.to_owned()];
    assert_eq!(store.counts(Some(&two), &f, &t).await.unwrap().received, 12);
    for scope in [AGENCY, CENTER] {
        let c = store.counts(Some(&[scope.to_owned()]), &f, &t).await.unwrap();
        assert_eq!((c.received, c.online), (1, 1), "{scope}: receiving or resolving unit");
    }
    let june_counts = store.counts(Some(&commune), "2025-05-31T17:00:00Z", &f).await.unwrap();
    assert_eq!(
        june_counts,
        Counts { received: 1, online: 1, finished: 0, early: 0, on_time: 0, late: 1 },
        "finished in July, past due at the end of June: late in June"
    );
    let empty = store.counts(Some(&["000.99.99.H99".to_owned()]), &f, &t).await.unwrap();
    assert_eq!(empty, Counts::default());
}
storage_test!(period_counts_split_finished_dossiers_by_timeliness_and_count_overdue_ones_late);
