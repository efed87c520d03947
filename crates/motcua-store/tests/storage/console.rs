//! Reads of the officer console and the administration pages: an inbox page's projections by
//! code, open work per unit and status with the overdue ones, and the list of accounts.

use motcua_domain::dossier::{Dossier, Role, Status};
use motcua_store::Store;
use motcua_store::console::StatusCount;
use motcua_store::users::User;
use serde_json::{Value, json};

use crate::common::fixtures::*;
use crate::storage_test;

/// One action of a story: who (an officer of the dossier's unit) and the action JSON.
type Step = (fn(&str) -> motcua_domain::dossier::Actor, Value);

/// Creates a commune-level dossier in `unit` at `when` and applies `actions` half an hour apart.
async fn dossier(store: &Store, unit: &str, when: &str, actions: &[Step]) -> Dossier {
    let n = NewDossier::online(marriage(), unit, unit, at(when));
    let mut d = create_dossier(store, &n).await;
    let mut t = n.at;
    for (who, a) in actions {
        t += time::Duration::minutes(30);
        d = act(store, &d.code, d.version, who(unit), action(a.clone()), t)
            .await
            .unwrap_or_else(|e| panic!("{a}: {e}"));
    }
    d
}

fn receive() -> Value {
    json!({"action": "receive"})
}

async fn an_inbox_pages_projections_are_read_by_code_and_unknown_codes_are_skipped(store: Store) {
    let a = dossier(&store, COMMUNE, "2025-07-07T08:00:00+07:00", &[]).await;
    let b = dossier(&store, COMMUNE, "2025-07-07T09:00:00+07:00", &[(receiver, receive())]).await;
    let got = store
        .dossiers_by_code(&[b.code.to_string(), "000.30.01.H01-250707-9999".into(), a.code.to_string()])
        .await
        .unwrap();
    assert_eq!(got, vec![a.clone(), b.clone()], "the stored projections, by code");
    assert!(store.dossiers_by_code(&[]).await.unwrap().is_empty());
    // More codes than one statement takes.
    let many: Vec<String> = (0..450).map(|i| format!("X-{i}")).chain([a.code.to_string()]).collect();
    assert_eq!(store.dossiers_by_code(&many).await.unwrap(), vec![a]);
}
storage_test!(an_inbox_pages_projections_are_read_by_code_and_unknown_codes_are_skipped);

fn count(unit: &str, status: Status, count: i64, overdue: i64) -> StatusCount {
    StatusCount { unit: unit.into(), status, count, overdue }
}

async fn open_work_is_counted_per_unit_and_status_with_the_dossiers_past_their_appointment(store: Store) {
    // Five working days: received Monday 07/07 08:30 is due Monday 14/07; Thursday 10/07, 17/07.
    dossier(&store, COMMUNE, "2025-07-07T08:00:00+07:00", &[]).await;
    dossier(&store, COMMUNE, "2025-07-07T08:00:00+07:00", &[(receiver, receive())]).await;
    dossier(&store, COMMUNE, "2025-07-10T08:00:00+07:00", &[(receiver, receive())]).await;
    dossier(
        &store,
        COMMUNE,
        "2025-07-07T08:00:00+07:00",
        &[(receiver, receive()), (specialist, json!({"action": "request_supplement", "reason": "Thiếu tờ khai"}))],
    )
    .await;
    dossier(
        &store,
        COMMUNE,
        "2025-07-07T08:00:00+07:00",
        &[(receiver, receive()), (leader, json!({"action": "assign", "assignee": "chuyenvien"}))],
    )
    .await;
    dossier(
        &store,
        COMMUNE,
        "2025-07-07T08:00:00+07:00",
        &[
            (receiver, receive()),
            (specialist, json!({"action": "complete_step"})),
            (leader, json!({"action": "approve"})),
            (receiver, json!({"action": "return_result"})),
        ],
    )
    .await;
    dossier(&store, OTHER_COMMUNE, "2025-07-07T08:00:00+07:00", &[(receiver, receive())]).await;

    let now = at("2025-07-15T12:00:00+07:00");
    let counts = store.counts_by_status(&[COMMUNE.to_owned()], now).await.unwrap();
    assert_eq!(
        counts,
        vec![
            count(COMMUNE, Status::InProgress, 1, 1),
            count(COMMUNE, Status::Received, 2, 1),
            count(COMMUNE, Status::Submitted, 1, 0),
            count(COMMUNE, Status::SupplementRequested, 1, 0),
        ],
        "closed dossiers are nobody's work; a paused clock is never overdue"
    );
    let both = store.counts_by_status(&[OTHER_COMMUNE.to_owned(), COMMUNE.to_owned()], now).await.unwrap();
    assert_eq!(both.len(), 5);
    assert_eq!(both[4], count(OTHER_COMMUNE, Status::Received, 1, 1));
    let earlier = store.counts_by_status(&[COMMUNE.to_owned()], at("2025-07-11T12:00:00+07:00")).await.unwrap();
    assert!(earlier.iter().all(|c| c.overdue == 0), "nothing is overdue before its appointment");
    assert!(store.counts_by_status(&[], now).await.unwrap().is_empty());
}
storage_test!(open_work_is_counted_per_unit_and_status_with_the_dossiers_past_their_appointment);

fn account(name: &str, roles: &[(&str, Role)]) -> User {
    User {
        username: name.into(),
        full_name: format!("Cán bộ {name}"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$x".into(),
        default_password: false,
        must_change_password: false,
        active: name != "nghihuu",
        roles: roles.iter().map(|(u, r)| (unit_code(u), *r)).collect(),
    }
}

async fn every_account_is_listed_with_its_roles_per_unit(store: Store) {
    store
        .put_user(&account("tiepnhan.x1", &[(COMMUNE, Role::Receiver)]), time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    store
        .put_user(
            &account("tiepnhan", &[(COMMUNE, Role::Receiver), (CENTER, Role::Receiver), (CENTER, Role::Clerk)]),
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    store.put_user(&account("nghihuu", &[]), time::OffsetDateTime::now_utc()).await.unwrap();
    let users = store.users().await.unwrap();
    let names: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["nghihuu", "tiepnhan", "tiepnhan.x1"]);
    assert!(users[0].roles.is_empty() && !users[0].active, "accounts without roles are listed too");
    assert_eq!(
        users[1].roles,
        vec![
            (unit_code(CENTER), Role::Clerk),
            (unit_code(CENTER), Role::Receiver),
            (unit_code(COMMUNE), Role::Receiver)
        ]
    );
    assert_eq!(users[1].full_name, "Cán bộ tiepnhan");
    assert_eq!(users[2].roles, vec![(unit_code(COMMUNE), Role::Receiver)]);
}
storage_test!(every_account_is_listed_with_its_roles_per_unit);

/// A grant row whose unit is no unit code or whose role is unknown (only a hand-edited row)
/// grants nothing, in the account list and at sign-in alike; the valid grants stay.
async fn a_hand_edited_grant_row_grants_nothing(store: Store) {
    store.put_user(&account("tiepnhan", &[(CENTER, Role::Receiver)]), time::OffsetDateTime::now_utc()).await.unwrap();
    for (unit, role) in [("Trung tâm tỉnh", "receiver"), (COMMUNE, "chief")] {
        sqlx::query("INSERT INTO user_roles (username, unit, role) VALUES ($1, $2, $3)")
            .bind("tiepnhan")
            .bind(unit)
            .bind(role)
            .execute(&store.pool)
            .await
            .unwrap();
    }
    let only = vec![(unit_code(CENTER), Role::Receiver)];
    assert_eq!(store.user("tiepnhan").await.unwrap().expect("stored").roles, only);
    assert_eq!(store.users().await.unwrap()[0].roles, only);
}
storage_test!(a_hand_edited_grant_row_grants_nothing);
