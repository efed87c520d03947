//! The inbox: dossiers held by the caller's units, soonest due first, filtered by status and due
//! date, paged by keyset (`(due_sort, code)` of the last row) — every row exactly once.

use std::collections::BTreeSet;

use motcua_domain::dossier::{Dossier, Status};
use motcua_store::dossiers::{InboxQuery, InboxRow};
use motcua_store::{Store, format_ts};
use serde_json::{Value, json};

use crate::common::fixtures::*;
use crate::storage_test;

/// One action of a story: who (an officer of the unit), in which unit, and the action JSON.
type Step<'a> = (fn(&str) -> motcua_domain::dossier::Actor, &'a str, Value);

/// Creates a dossier and applies `actions` half an hour apart.
async fn dossier(store: &Store, n: NewDossier, actions: &[Step<'_>]) -> Dossier {
    let mut d = create_dossier(store, &n).await;
    let mut when = n.at;
    for (who, unit, a) in actions {
        when += time::Duration::minutes(30);
        d = act(store, &d.code, d.version, who(unit), action(a.clone()), when)
            .await
            .unwrap_or_else(|e| panic!("{a}: {e}"));
    }
    d
}

fn receive() -> Value {
    json!({"action": "receive"})
}

/// A populated store: open and closed dossiers across four units. Returns every dossier.
async fn populate(store: &Store) -> Vec<Dossier> {
    let mut all = Vec::new();
    let commune = |day: u32, hour: u32| {
        NewDossier::online(marriage(), COMMUNE, COMMUNE, at(&format!("2025-07-{day:02}T{hour:02}:00:00+07:00")))
    };
    // Waiting for reception (no due date yet: sorted last, ties broken by code).
    for h in [8, 9, 10] {
        all.push(dossier(store, commune(7, h), &[]).await);
    }
    // Received on different days: distinct due dates.
    for day in [10, 8, 9, 7] {
        all.push(dossier(store, commune(day, 8), &[(receiver, COMMUNE, receive())]).await);
    }
    all.push(
        dossier(
            store,
            commune(11, 8),
            &[
                (receiver, COMMUNE, receive()),
                (specialist, COMMUNE, json!({"action": "request_supplement", "reason": "Thiếu giấy xác nhận"})),
            ],
        )
        .await,
    );
    all.push(
        dossier(
            store,
            commune(14, 8),
            &[
                (receiver, COMMUNE, receive()),
                (specialist, COMMUNE, json!({"action": "complete_step"})),
                (leader, COMMUNE, json!({"action": "approve"})),
            ],
        )
        .await,
    );
    // Closed: returned, refused, rejected, withdrawn.
    all.push(
        dossier(
            store,
            commune(7, 14),
            &[
                (receiver, COMMUNE, receive()),
                (specialist, COMMUNE, json!({"action": "complete_step"})),
                (leader, COMMUNE, json!({"action": "approve"})),
                (receiver, COMMUNE, json!({"action": "return_result"})),
            ],
        )
        .await,
    );
    all.push(
        dossier(
            store,
            commune(7, 15),
            &[(receiver, COMMUNE, json!({"action": "refuse", "reason": "Không thuộc thẩm quyền"}))],
        )
        .await,
    );
    all.push(
        dossier(
            store,
            commune(7, 16),
            &[
                (receiver, COMMUNE, receive()),
                (leader, COMMUNE, json!({"action": "reject", "reason": "Không đủ điều kiện"})),
            ],
        )
        .await,
    );
    all.push(
        dossier(
            store,
            commune(8, 14),
            &[
                (receiver, COMMUNE, receive()),
                (receiver, COMMUNE, json!({"action": "withdraw", "reason": "Công dân xin rút"})),
            ],
        )
        .await,
    );
    // Another commune.
    let other = |day: u32| {
        NewDossier::online(marriage(), OTHER_COMMUNE, OTHER_COMMUNE, at(&format!("2025-07-{day:02}T08:00:00+07:00")))
    };
    all.push(dossier(store, other(7), &[]).await);
    all.push(dossier(store, other(8), &[(receiver, OTHER_COMMUNE, receive())]).await);
    all.push(dossier(store, other(9), &[(receiver, OTHER_COMMUNE, receive())]).await);
    // Province level: received at the center, resolved by the agency, returned by the center.
    let land_at =
        |day: u32| NewDossier::online(land(), CENTER, AGENCY, at(&format!("2025-07-{day:02}T08:00:00+07:00")));
    all.push(dossier(store, land_at(7), &[]).await);
    all.push(dossier(store, land_at(8), &[(receiver, CENTER, receive())]).await);
    all.push(
        dossier(
            store,
            land_at(9),
            &[(receiver, CENTER, receive()), (leader, AGENCY, json!({"action": "assign", "assignee": "cv"}))],
        )
        .await,
    );
    all.push(
        dossier(
            store,
            land_at(10),
            &[
                (receiver, CENTER, receive()),
                (specialist, AGENCY, json!({"action": "complete_step"})),
                (leader, AGENCY, json!({"action": "approve"})),
            ],
        )
        .await,
    );
    all
}

fn query(units: &[&str]) -> InboxQuery {
    InboxQuery { units: units.iter().map(|u| u.to_string()).collect(), limit: 1000, ..Default::default() }
}

fn codes(rows: &[InboxRow]) -> Vec<String> {
    rows.iter().map(|r| r.code.clone()).collect()
}

/// What the inbox of `units` must hold, in order, computed from the projections.
fn expected(all: &[Dossier], units: &[&str], keep: impl Fn(&Dossier) -> bool) -> Vec<String> {
    let mut rows: Vec<(String, String)> = all
        .iter()
        .filter(|d| d.holder_unit().is_some_and(|h| units.contains(&h)) && keep(d))
        .map(|d| (crate::common::rows::Projection::of(d).due_sort, d.code.to_string()))
        .collect();
    rows.sort();
    rows.into_iter().map(|(_, c)| c).collect()
}

/// Pages through an inbox with `limit` rows a page.
async fn all_pages(store: &Store, mut q: InboxQuery, limit: i64) -> Vec<InboxRow> {
    q.limit = limit;
    let mut out: Vec<InboxRow> = Vec::new();
    for _ in 0..100 {
        let page = store.inbox(&q).await.expect("inbox page");
        assert!(page.len() as i64 <= limit, "a page holds at most `limit` rows");
        let Some(last) = page.last() else { return out };
        q.cursor = Some((last.due_sort.clone(), last.code.clone()));
        out.extend(page);
    }
    panic!("pagination does not end");
}

async fn an_inbox_holds_the_open_dossiers_of_its_units_soonest_due_first(store: Store) {
    let all = populate(&store).await;
    let rows = store.inbox(&query(&[COMMUNE])).await.unwrap();
    assert_eq!(codes(&rows), expected(&all, &[COMMUNE], |_| true));
    assert_eq!(rows.len(), 3 + 4 + 1 + 1, "submitted, received, waiting for supplement, result ready");
    for r in &rows {
        assert_eq!(r.holder_unit, COMMUNE);
        let d = all.iter().find(|d| d.code == r.code).unwrap();
        assert_eq!((r.status.as_str(), r.version), (d.status.as_str(), d.version));
        assert_eq!(r.due_at, d.due_at.map(format_ts));
        assert_eq!(r.received_at, d.received_at.map(format_ts));
        assert_eq!(r.procedure_code, "1.000894");
    }
    assert!(rows.windows(2).all(|w| (&w[0].due_sort, &w[0].code) < (&w[1].due_sort, &w[1].code)));
    let received: Vec<String> = rows.iter().filter(|r| r.status == "received").map(|r| r.code.clone()).collect();
    let mut by_receipt: Vec<&Dossier> =
        all.iter().filter(|d| d.status == Status::Received && d.receiving_unit == COMMUNE).collect();
    by_receipt.sort_by_key(|d| d.received_at);
    assert_eq!(
        received,
        by_receipt.iter().map(|d| d.code.clone()).collect::<Vec<_>>(),
        "received earlier, due earlier"
    );
    assert!(rows[rows.len() - 3..].iter().all(|r| r.status == "submitted"), "not yet received: last");

    // Scoping: the other commune, the center (waiting + result ready), the agency (processing).
    assert_eq!(
        codes(&store.inbox(&query(&[OTHER_COMMUNE])).await.unwrap()),
        expected(&all, &[OTHER_COMMUNE], |_| true)
    );
    let center = store.inbox(&query(&[CENTER])).await.unwrap();
    assert_eq!(
        center.iter().map(|r| r.status.as_str()).collect::<BTreeSet<_>>(),
        BTreeSet::from(["submitted", "result_ready"])
    );
    let agency = store.inbox(&query(&[AGENCY])).await.unwrap();
    assert_eq!(agency.iter().map(|r| r.status.as_str()).collect::<Vec<_>>().len(), 2);
    assert!(agency.iter().all(|r| r.holder_unit == AGENCY));
    let both = store.inbox(&query(&[COMMUNE, OTHER_COMMUNE])).await.unwrap();
    assert_eq!(codes(&both), expected(&all, &[COMMUNE, OTHER_COMMUNE], |_| true), "two units merge in due order");
    assert!(store.inbox(&query(&[])).await.unwrap().is_empty(), "no unit, no inbox");
    assert!(store.inbox(&query(&["000.99.99.H99"])).await.unwrap().is_empty());
}
storage_test!(an_inbox_holds_the_open_dossiers_of_its_units_soonest_due_first);

async fn closed_dossiers_are_in_no_inbox(store: Store) {
    let all = populate(&store).await;
    let units = [COMMUNE, OTHER_COMMUNE, CENTER, AGENCY];
    let rows = store.inbox(&query(&units)).await.unwrap();
    let listed: BTreeSet<String> = codes(&rows).into_iter().collect();
    let closed: Vec<&Dossier> = all.iter().filter(|d| d.status.is_closed()).collect();
    assert_eq!(
        closed.iter().map(|d| d.status.as_str()).collect::<BTreeSet<_>>().len(),
        4,
        "returned, refused, rejected and withdrawn are all present"
    );
    for d in closed {
        assert!(!listed.contains(&d.code.to_string()), "{} ({}) is closed", d.code, d.status.as_str());
    }
    assert_eq!(listed.len(), all.iter().filter(|d| !d.status.is_closed()).count(), "every open dossier is listed");
}
storage_test!(closed_dossiers_are_in_no_inbox);

async fn the_inbox_filters_by_status_and_by_due_date(store: Store) {
    let all = populate(&store).await;
    let mut q = query(&[COMMUNE, AGENCY]);
    q.status = Some(Status::Received);
    let rows = store.inbox(&q).await.unwrap();
    assert_eq!(codes(&rows), expected(&all, &[COMMUNE, AGENCY], |d| d.status == Status::Received));
    assert_eq!(rows.len(), 5);

    q.status = Some(Status::SupplementRequested);
    assert_eq!(store.inbox(&q).await.unwrap().len(), 1);
    q.status = Some(Status::Returned);
    assert!(store.inbox(&q).await.unwrap().is_empty());

    // Due before the second soonest received dossier of the commune: only the soonest one (and
    // nothing without a due date).
    let mut received: Vec<&Dossier> =
        all.iter().filter(|d| d.status == Status::Received && d.holder_unit() == Some(COMMUNE)).collect();
    received.sort_by_key(|d| d.due_at);
    let cut = format_ts(received[1].due_at.unwrap());
    let mut q = query(&[COMMUNE]);
    q.due_before = Some(cut.clone());
    let rows = store.inbox(&q).await.unwrap();
    let due = |d: &Dossier| crate::common::rows::Projection::of(d).due_sort < cut;
    assert_eq!(codes(&rows), expected(&all, &[COMMUNE], due));
    assert!(
        codes(&rows).contains(&received[0].code.to_string()) && !codes(&rows).contains(&received[1].code.to_string())
    );
    assert!(rows.iter().all(|r| r.due_sort < cut && r.status != "submitted"));

    q.status = Some(Status::Received);
    let rows = store.inbox(&q).await.unwrap();
    assert_eq!(codes(&rows), vec![received[0].code.clone()]);
}
storage_test!(the_inbox_filters_by_status_and_by_due_date);

async fn keyset_pagination_lists_every_inbox_row_exactly_once(store: Store) {
    let all = populate(&store).await;
    // More ties on the "no due date yet" sort key, across units.
    for unit in [COMMUNE, OTHER_COMMUNE, CENTER] {
        for h in 8..12 {
            let p = if unit == CENTER { land() } else { marriage() };
            let resolving = if unit == CENTER { AGENCY } else { unit };
            create_dossier(
                &store,
                &NewDossier::online(p, unit, resolving, at(&format!("2025-07-15T{h:02}:00:00+07:00"))),
            )
            .await;
        }
    }
    let units = [COMMUNE, OTHER_COMMUNE, CENTER, AGENCY];
    let full = store.inbox(&query(&units)).await.unwrap();
    assert_eq!(full.len(), all.iter().filter(|d| !d.status.is_closed()).count() + 12);
    for limit in [1, 2, 3, 7, 1000] {
        let paged = all_pages(&store, query(&units), limit).await;
        assert_eq!(codes(&paged), codes(&full), "pages of {limit}");
        let distinct: BTreeSet<&String> = paged.iter().map(|r| &r.code).collect();
        assert_eq!(distinct.len(), paged.len(), "no duplicates with pages of {limit}");
    }
    let mut q = query(&units);
    q.status = Some(Status::Submitted);
    let paged = all_pages(&store, q.clone(), 2).await;
    q.limit = 1000;
    assert_eq!(codes(&paged), codes(&store.inbox(&q).await.unwrap()), "status filter with a cursor");
    assert_eq!(paged.len(), 3 + 1 + 1 + 12);
    let mut q = query(&units);
    q.limit = 0;
    assert!(store.inbox(&q).await.unwrap().is_empty());
}
storage_test!(keyset_pagination_lists_every_inbox_row_exactly_once);

/// Every inbox row carries the earliest deadline of the dossier's running steps, so the page
/// can say "step overdue" while the dossier is on time (domain.md §6); none once closed.
async fn an_inbox_row_carries_the_deadline_of_the_running_step(store: Store) {
    let n = NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T08:00:00+07:00"));
    let d = dossier(&store, n, &[(receiver, COMMUNE, receive())]).await;
    let expected = d.next_step_deadline().map(format_ts);
    assert!(expected.is_some(), "the appraisal step runs with its own deadline");
    assert_ne!(expected.as_deref(), d.due_at.map(format_ts).as_deref(), "a step deadline, not the dossier's");
    let rows = store.inbox(&query(&[COMMUNE])).await.unwrap();
    let row = rows.iter().find(|r| r.code == d.code).expect("the dossier is in its unit's inbox");
    assert_eq!(row.step_due, expected);
    let waiting =
        dossier(&store, NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T09:00:00+07:00")), &[]).await;
    let rows = store.inbox(&query(&[COMMUNE])).await.unwrap();
    let row = rows.iter().find(|r| r.code == waiting.code).expect("waiting dossier listed");
    assert_eq!(row.step_due, None, "no step runs before reception");
}
storage_test!(an_inbox_row_carries_the_deadline_of_the_running_step);
