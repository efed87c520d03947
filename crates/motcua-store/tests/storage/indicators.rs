//! QĐ 766 indicator rollups (domain.md §3, Decisions 6): tallies of a period rebuilt from the
//! monthly rollups agree with the domain's facts read from the dossiers; finished dossiers are
//! judged at their finish instant, unfinished ones late when past due at the end of the period;
//! and the rollups the writer keeps equal a full recompute from the event log.

use motcua_domain::dossier::{Actor, Channel, Dossier};
use motcua_domain::indicators::{DossierFacts, Period, Tally, YearMonth};
use motcua_store::indicators::{By, Scope};
use motcua_store::{Store, format_ts};
use proptest::prelude::*;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::common::fixtures::*;
use crate::common::rows::{assert_chain_whole, links};
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
    vec![
        (specialist(COMMUNE), json!({"action": "complete_step"}), when),
        (leader(COMMUNE), json!({"action": "approve"}), when),
    ]
}

/// What the domain says for the dossiers resolved in `scope` over `period` (the store must agree).
fn recount(ds: &[&Dossier], scope: Option<&[&str]>, period: &Period) -> Tally {
    let facts: Vec<DossierFacts> = ds
        .iter()
        .filter(|d| scope.is_none_or(|s| s.contains(&d.resolving_unit.as_str())))
        .map(|d| DossierFacts::of(d, period))
        .collect();
    Tally::of(&facts)
}

async fn tally(store: &Store, units: Option<&[&str]>, first: YearMonth, last: YearMonth) -> Tally {
    let scope = Scope { units: units.map(|u| u.iter().map(|s| s.to_string()).collect()), ..Default::default() };
    let rows =
        store.indicator_tallies(&scope, first, last, By::Total, OffsetDateTime::now_utc()).await.expect("tallies");
    assert!(rows.len() <= 1);
    rows.into_iter().next().map(|(_, t)| t).unwrap_or_default()
}

const JULY: YearMonth = YearMonth { year: 2025, month: 7 };
const JUNE: YearMonth = YearMonth { year: 2025, month: 6 };

async fn period_counts_split_finished_dossiers_by_timeliness_and_count_overdue_ones_late(store: Store) {
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
            (specialist(COMMUNE), json!({"action": "complete_step"}), at("2025-07-16T10:00:00+07:00")),
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

    let july = Period::month(JULY).expect("July");
    let commune = tally(&store, Some(&[COMMUNE]), JULY, JULY).await;
    assert_eq!(
        (commune.processed, commune.received, commune.online, commune.finished),
        (12, 11, 10, 6),
        "processed: the 11 received in July plus the June dossier carried over; finished: 5 received in July plus June's"
    );
    assert_eq!(
        (commune.early, commune.on_time, commune.late),
        (3, 1, 5),
        "early: {}, {}, {}; on time: {}; late: {} (finished late), {} (carried over from June, finished late), {} \
         (unfinished, past due), {} (finished after the period, past due at its end), {} (waiting for supplementation \
         asked after the due instant); not judged: {} (running), {} (waiting for supplementation), {} (not yet due at the end)",
        early.code,
        rejected.code,
        withdrawn.code,
        on_time.code,
        late.code,
        june.code,
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
    assert_eq!(commune, recount(&everyone, Some(&[COMMUNE]), &july), "the store agrees with the domain's facts");
    let all = tally(&store, None, JULY, JULY).await;
    assert_eq!(all, recount(&everyone, None, &july));
    assert_eq!((all.received, all.late), (13, 7), "plus the other commune's overdue dossier and the province one");
    assert_eq!(tally(&store, Some(&[COMMUNE, OTHER_COMMUNE]), JULY, JULY).await.received, 12);
    let agency = tally(&store, Some(&[AGENCY]), JULY, JULY).await;
    assert_eq!((agency.received, agency.online), (1, 1), "counted for the resolving authority");
    assert_eq!(tally(&store, Some(&[CENTER]), JULY, JULY).await, Tally::default(), "the one-stop only received it");
    let june_tally = tally(&store, Some(&[COMMUNE]), JUNE, JUNE).await;
    assert_eq!(
        (june_tally.received, june_tally.online, june_tally.finished, june_tally.late),
        (1, 1, 0, 1),
        "finished in July, past due at the end of June: late in June"
    );
    let both = tally(&store, Some(&[COMMUNE]), JUNE, JULY).await;
    let june_july = Period::months(JUNE, JULY).expect("June–July");
    assert_eq!(both, recount(&everyone, Some(&[COMMUNE]), &june_july), "two months as one period");
    assert_eq!(both.processed, 12, "the June dossier counts once in the two months");
    assert_eq!(tally(&store, Some(&["000.99.99.H99"]), JULY, JULY).await, Tally::default());
    assert_eq!(tally(&store, Some(&[]), JULY, JULY).await, Tally::default(), "an empty list of units is nobody");
}
storage_test!(period_counts_split_finished_dossiers_by_timeliness_and_count_overdue_ones_late);

// ---- rollups == recompute on random histories ----

/// One random dossier: when it arrives, where, and what is tried on it afterwards.
#[derive(Debug, Clone)]
struct Script {
    /// Minutes after 2025-06-25 08:00 (+7): spans four months.
    start: i64,
    land: bool,
    counter: bool,
    resolving: usize,
    steps: Vec<(u8, i64, bool)>,
    /// Move the rollups' horizon before this dossier starts (a month ended meanwhile).
    roll: bool,
}

fn a_script() -> impl Strategy<Value = Script> {
    (
        0..(100 * 24 * 60i64),
        any::<bool>(),
        any::<bool>(),
        0..3usize,
        prop::collection::vec((0u8..9, 0..(6 * 24 * 60i64), any::<bool>()), 0..7),
        prop::bool::weighted(0.3),
    )
        .prop_map(|(start, land, counter, resolving, steps, roll)| Script {
            start,
            land,
            counter,
            resolving,
            steps,
            roll,
        })
}

/// The action `kind` (0..9) by a plausible actor; refusals by the rules are expected and skipped.
fn step(kind: u8, flag: bool, unit: &str, d: &Dossier, when: OffsetDateTime) -> (Actor, Value) {
    match kind {
        0 => (specialist(unit), json!({"action": "request_supplement", "reason": "Thiếu giấy tờ"})),
        1 => (Actor::Applicant, json!({"action": "supplement"})),
        2 => (leader(unit), json!({"action": "approve", "electronic": flag})),
        3 => (leader(unit), json!({"action": "reject", "reason": "Không đủ điều kiện"})),
        4 => (receiver(unit), json!({"action": "withdraw", "reason": "Công dân xin rút"})),
        5 => {
            let new_due = d.due_at.unwrap_or(when) + time::Duration::days(7);
            (leader(unit), json!({"action": "extend", "new_due_at": format_ts(new_due), "reason": "Cần xác minh"}))
        }
        6 => (receiver(unit), json!({"action": "return_result", "fee_paid": true, "paid_online": flag})),
        7 => (Actor::Applicant, json!({"action": "rate", "score": if flag { 5 } else { 1 }})),
        _ => (leader(unit), json!({"action": "complete_step"})),
    }
}

/// The action of a script step; `"electronic": true` on an approval stands for its result file
/// (set by the server, never read from JSON).
fn scripted(mut a: Value) -> motcua_domain::dossier::actions::Action {
    let electronic = a.as_object_mut().and_then(|o| o.remove("electronic")).is_some_and(|v| v == true);
    let mut action = action(a);
    if let motcua_domain::dossier::actions::Action::Approve(ap) = &mut action {
        ap.result_file = electronic.then(|| "kq".to_owned());
    }
    action
}

async fn play(store: &Store, scripts: &[Script]) {
    let units = [COMMUNE, OTHER_COMMUNE, AGENCY];
    let base = at("2025-06-25T08:00:00+07:00");
    for s in scripts {
        let when = base + time::Duration::minutes(s.start);
        if s.roll {
            store.roll_over(YearMonth::of(when)).await.expect("roll over");
        }
        let unit = units[s.resolving];
        let procedure = if s.land { land() } else { marriage() };
        let receiving = if unit == AGENCY { CENTER } else { unit };
        let mut n = NewDossier::online(procedure, receiving, unit, when);
        if s.counter {
            n.channel = Channel::Counter;
        }
        let d = create_dossier(store, &n).await;
        let mut d = match act(store, &d.code, 1, receiver(receiving), action(json!({"action": "receive"})), when).await
        {
            Ok(d) => d,
            Err(_) => continue,
        };
        let mut t = when;
        for (kind, minutes, flag) in &s.steps {
            t += time::Duration::minutes(*minutes);
            let acting_unit = if matches!(kind, 4 | 6) { receiving } else { unit };
            let (actor, a) = step(*kind, *flag, acting_unit, &d, t);
            if let Ok(next) = act(store, &d.code, d.version, actor, scripted(a), t).await {
                d = next;
            }
        }
    }
}

async fn rollups_kept_by_the_writer_equal_a_recompute_from_the_event_log(store: Store) {
    // Start with the horizon in the past, so that months end (and roll over) while dossiers run.
    store.recompute_indicators(at("2025-06-10T08:00:00+07:00")).await.expect("recompute");
    let handle = tokio::runtime::Handle::current();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig { cases: 6, ..ProptestConfig::default() });
    let result = tokio::task::block_in_place(|| {
        runner.run(&prop::collection::vec(a_script(), 1..25), |scripts| {
            handle.block_on(async {
                play(&store, &scripts).await;
                let kept = store.rollup_rows().await.expect("rows");
                let open: String = sqlx::query_scalar("SELECT open_month FROM indicator_horizon")
                    .fetch_one(&store.pool)
                    .await
                    .expect("horizon");
                let open = YearMonth::parse(&open).expect("month");
                let instant = Period::month(open).expect("open month").start;
                store.recompute_indicators(instant).await.expect("recompute");
                let rebuilt = store.rollup_rows().await.expect("rows");
                prop_assert_eq!(&kept, &rebuilt);
                prop_assert!(!rebuilt.is_empty());
                Ok(())
            })
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // Catching up to today judges every month since; still equal to a rebuild.
    store.ensure_indicators(OffsetDateTime::now_utc()).await.expect("roll over to now");
    let kept = store.rollup_rows().await.expect("rows");
    let r = store.recompute_indicators(OffsetDateTime::now_utc()).await.expect("recompute");
    assert_eq!(kept, store.rollup_rows().await.expect("rows"));
    assert!(r.dossiers > 0 && r.events > r.dossiers && r.rows > 0, "{r:?}");
}
storage_test!(rollups_kept_by_the_writer_equal_a_recompute_from_the_event_log);

// ---- procedure snapshots (migration 0012) ----

/// The stored rows of a dossier's events: (seq, snapshot column, payload column).
async fn stored_rows(store: &Store, code: &str) -> Vec<(i64, Option<String>, String)> {
    sqlx::query_as("SELECT seq, snapshot, payload FROM dossier_events WHERE dossier_code = $1 ORDER BY seq")
        .bind(code.to_owned())
        .fetch_all(&store.pool)
        .await
        .expect("stored rows")
}

async fn create_events_keep_their_frozen_procedure_once_and_every_reader_sees_the_whole_event(store: Store) {
    let july = |d: u8| format!("2025-07-{d:02}T08:00:00+07:00");
    let mut ds = Vec::new();
    for day in [1u8, 2, 3] {
        ds.push(story(&store, COMMUNE, Channel::Online, &july(day), approve_at(at(&july(day + 7)))).await);
    }
    ds.push(story(&store, OTHER_COMMUNE, Channel::Counter, &july(4), vec![]).await);
    // Three dossiers of one procedure at one unit share one snapshot; the other unit has its own.
    let snapshots: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM procedure_snapshots").fetch_one(&store.pool).await.expect("count");
    assert_eq!(snapshots, 2);
    let bodies: Vec<(String, String)> =
        sqlx::query_as("SELECT hash, body FROM procedure_snapshots").fetch_all(&store.pool).await.expect("bodies");
    let decoder = motcua_store::indicators::Decoder::from_bodies(bodies.iter().map(|(h, b)| (h.as_str(), b.as_str())))
        .expect("decoder");
    for d in &ds {
        let rows = stored_rows(&store, &d.code).await;
        let links = links(&store, &d.code).await;
        let events = store.events(&d.code).await.expect("events");
        assert!(rows[0].1.is_some() && !rows[0].2.contains("\"steps\""), "the create row names its snapshot");
        assert!(rows[1..].iter().all(|r| r.1.is_none()), "only create events have a snapshot");
        for ((row, link), stored) in rows.iter().zip(&links).zip(&events) {
            let whole = motcua_domain::audit::parse_canonical(&link.payload).expect("canonical");
            assert_eq!(decoder.decode(row.1.as_deref(), &row.2).expect("fast path"), whole, "seq {}", row.0);
            assert_eq!(stored.event, whole);
        }
        assert!(!events[0].event.data.action().is_empty());
        assert_chain_whole(&store, &d.code).await;
    }
    let report = store.verify_audit(false).await.expect("audit");
    assert!(report.broken.is_empty() && report.drifted.is_empty(), "{report:?}");
    let now = OffsetDateTime::now_utc();
    store.recompute_indicators(now).await.expect("recompute");
    let rollups = store.rollup_rows().await.expect("rows");

    // A row written before 0012 (procedure inline, no snapshot) reads, verifies and counts the same.
    let old = &ds[0];
    let canonical = links(&store, &old.code).await[0].payload.clone();
    sqlx::query("UPDATE dossier_events SET payload = $1, snapshot = NULL WHERE dossier_code = $2 AND seq = 1")
        .bind(canonical)
        .bind(old.code.to_string())
        .execute(&store.pool)
        .await
        .expect("inline");
    assert_chain_whole(&store, &old.code).await;
    let report = store.verify_audit(false).await.expect("audit");
    assert!(report.broken.is_empty() && report.drifted.is_empty(), "{report:?}");
    store.recompute_indicators(now).await.expect("recompute");
    assert_eq!(store.rollup_rows().await.expect("rows"), rollups);

    // Editing a snapshot breaks the chain of every dossier that names it, at its create event.
    sqlx::query("UPDATE procedure_snapshots SET body = REPLACE(body, $1, $2)")
        .bind("\"budget\":")
        .bind("\"budget\":1")
        .execute(&store.pool)
        .await
        .expect("tamper");
    let mut broken = store.verify_audit(false).await.expect("audit").broken;
    broken.sort();
    let mut want: Vec<(String, i64)> = ds[1..].iter().map(|d| (d.code.to_string(), 1)).collect();
    want.sort();
    assert_eq!(broken, want);
}
storage_test!(create_events_keep_their_frozen_procedure_once_and_every_reader_sees_the_whole_event);
