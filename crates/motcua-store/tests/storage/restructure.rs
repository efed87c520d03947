//! Restructures (domain.md §13): two communes merged into a new special zone with open and
//! closed dossiers — nothing lost, every chain whole, open dossiers in the successor's inbox with
//! their code and due date, closed ones untouched, officers' roles moved; a dry run writes nothing.

use motcua_domain::catalog::Level;
use motcua_domain::dossier::{Dossier, Role};
use motcua_domain::org::{Operation, RestructurePlan, Unit, UnitKind};
use motcua_store::Store;
use motcua_store::dossiers::InboxQuery;
use motcua_store::users::User;
use serde_json::json;
use time::macros::date;

use crate::common::fixtures::*;
use crate::common::rows::{total_dossiers, total_events};
use crate::storage_test;

/// The special zone the two communes merge into.
const ZONE: &str = "000.31.00.H01";

fn unit(code: &str, kind: UnitKind, level: Level) -> Unit {
    Unit {
        code: unit_code(code),
        name: format!("Đơn vị {code}"),
        kind,
        level,
        parent: None,
        slug: None,
        organ_id: None,
        office_hours: None,
        code_template: None,
        valid_from: Some("2020-01-01".into()),
        valid_to: None,
        successor: None,
        predecessors: vec![],
    }
}

fn account(username: &str, roles: &[(&str, Role)]) -> User {
    User {
        username: username.into(),
        full_name: username.into(),
        password_hash: "x".into(),
        default_password: false,
        must_change_password: false,
        active: true,
        roles: roles.iter().map(|(u, r)| (unit_code(u), *r)).collect(),
    }
}

fn plan() -> RestructurePlan {
    RestructurePlan {
        effective_on: date!(2025 - 07 - 01),
        legal_basis: "NQ 1654/NQ-UBTVQH15".into(),
        operations: vec![Operation::Merge {
            from: vec![unit_code(COMMUNE), unit_code(OTHER_COMMUNE)],
            into: Box::new(Unit { valid_from: None, ..unit(ZONE, UnitKind::SpecialZone, Level::Commune) }),
        }],
    }
}

/// Units, officers, and four dossiers: waiting, received, received elsewhere, refused.
async fn populate(store: &Store) -> (Vec<Dossier>, Dossier) {
    store.put_unit(&unit(CENTER, UnitKind::Center, Level::Province)).await.unwrap();
    for c in [COMMUNE, OTHER_COMMUNE] {
        store.put_unit(&unit(c, UnitKind::Commune, Level::Commune)).await.unwrap();
    }
    store
        .put_user(&account("tiepnhan.a", &[(COMMUNE, Role::Receiver)]), time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    store
        .put_user(
            &account("lanhdao.ab", &[(COMMUNE, Role::Leader), (OTHER_COMMUNE, Role::Leader)]),
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    store.put_user(&account("giamdoc", &[(CENTER, Role::CenterAdmin)]), time::OffsetDateTime::now_utc()).await.unwrap();
    let new = |unit: &str, hour: u32| {
        NewDossier::online(marriage(), unit, unit, at(&format!("2025-06-26T{hour:02}:00:00+07:00")))
    };
    let waiting = create_dossier(store, &new(COMMUNE, 8)).await;
    let mut open = vec![waiting];
    for unit in [COMMUNE, OTHER_COMMUNE] {
        let d = create_dossier(store, &new(unit, 9)).await;
        let received = act(
            store,
            &d.code,
            d.version,
            receiver(unit),
            action(json!({"action": "receive"})),
            at("2025-06-26T10:00:00+07:00"),
        )
        .await
        .unwrap();
        open.push(received);
    }
    let d = create_dossier(store, &new(COMMUNE, 11)).await;
    let refusal = action(json!({"action": "refuse", "reason": "Không thuộc thẩm quyền"}));
    let refused =
        act(store, &d.code, d.version, receiver(COMMUNE), refusal, at("2025-06-26T11:30:00+07:00")).await.unwrap();
    (open, refused)
}

async fn a_merge_of_two_communes_rehomes_open_dossiers_and_loses_nothing(store: Store) {
    let (open, refused) = populate(&store).await;
    let (dossiers, events) = (total_dossiers(&store).await, total_events(&store).await);

    let preview = store.apply_restructure(&plan(), true, time::OffsetDateTime::now_utc()).await.unwrap();
    assert!(preview.dry_run);
    assert_eq!(preview.dossiers_rehomed.len(), 3);
    assert_eq!(preview.units_created, vec![ZONE.to_owned()]);
    assert_eq!(preview.grants_moved.len(), 3);
    assert_eq!(
        (total_dossiers(&store).await, total_events(&store).await),
        (dossiers, events),
        "a dry run writes nothing"
    );
    assert!(store.unit(COMMUNE).await.unwrap().is_current());
    assert!(store.unit(ZONE).await.is_err());

    let report = store.apply_restructure(&plan(), false, time::OffsetDateTime::now_utc()).await.unwrap();
    assert_eq!(report.dossiers_rehomed, preview.dossiers_rehomed);
    assert_eq!(total_dossiers(&store).await, dossiers, "no dossier lost or added");
    assert_eq!(total_events(&store).await, events + 3, "one rehome event per open dossier");
    let audit = store.verify_audit(false).await.unwrap();
    assert!(audit.broken.is_empty() && audit.drifted.is_empty(), "{audit:?}");

    for before in &open {
        let (after, _) = store.dossier(&before.code).await.unwrap();
        assert_eq!((after.receiving_unit.as_str(), after.resolving_unit.as_str()), (ZONE, ZONE));
        assert_eq!((after.due_at, after.status, after.version), (before.due_at, before.status, before.version + 1));
        let history = store.events(&before.code).await.unwrap();
        assert_eq!(history.len() as i64, after.version, "the whole history is kept");
        assert_eq!(history.last().map(|e| e.event.data.action()), Some("rehome"));
    }
    let q = InboxQuery { units: vec![ZONE.into()], status: None, due_before: None, cursor: None, limit: 50 };
    let mut inbox: Vec<String> = store.inbox(&q).await.unwrap().into_iter().map(|r| r.code).collect();
    let mut expected: Vec<String> = open.iter().map(|d| d.code.to_string()).collect();
    inbox.sort();
    expected.sort();
    assert_eq!(inbox, expected, "the successor's inbox holds every open dossier");
    assert_eq!(store.dossier(&refused.code).await.unwrap().0, refused, "closed dossiers keep their units");

    let ended = store.unit(COMMUNE).await.unwrap();
    assert_eq!((ended.valid_to.as_deref(), ended.successor.as_deref()), (Some("2025-06-30"), Some(ZONE)));
    let zone = store.unit(ZONE).await.unwrap();
    assert_eq!(zone.predecessors, vec![COMMUNE.to_owned(), OTHER_COMMUNE.to_owned()]);
    let roles = |u: &str| {
        let store = store.clone();
        let u = u.to_owned();
        async move { store.user(&u).await.unwrap().unwrap().roles }
    };
    assert_eq!(roles("tiepnhan.a").await, vec![(unit_code(ZONE), Role::Receiver)]);
    assert_eq!(roles("lanhdao.ab").await, vec![(unit_code(ZONE), Role::Leader)], "no duplicate grant");
    assert_eq!(roles("giamdoc").await, vec![(unit_code(CENTER), Role::CenterAdmin)]);

    let again = store.apply_restructure(&plan(), false, time::OffsetDateTime::now_utc()).await.unwrap_err();
    assert!(again.to_string().contains("unit_already_ended"), "{again}");
}
storage_test!(a_merge_of_two_communes_rehomes_open_dossiers_and_loses_nothing);

/// A plan dated in the future can be previewed but not applied before its date.
async fn a_future_plan_is_previewed_but_not_applied_before_its_date(store: Store) {
    populate(&store).await;
    let mut future = plan();
    future.effective_on = motcua_store::today_vn() + time::Duration::days(30);
    let before = (total_dossiers(&store).await, total_events(&store).await);
    let preview = store.apply_restructure(&future, true, time::OffsetDateTime::now_utc()).await.unwrap();
    assert!(preview.dry_run && !preview.dossiers_rehomed.is_empty());
    let err = store.apply_restructure(&future, false, time::OffsetDateTime::now_utc()).await.unwrap_err();
    assert!(
        matches!(err, motcua_store::StoreError::Domain(ref e) if e.code == "restructure_not_yet_effective"),
        "{err:?}"
    );
    assert_eq!((total_dossiers(&store).await, total_events(&store).await), before);
    assert!(store.unit(COMMUNE).await.unwrap().valid_to.is_none(), "units unchanged");
}

storage_test!(a_future_plan_is_previewed_but_not_applied_before_its_date);
