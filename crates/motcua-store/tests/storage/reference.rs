//! Reference data and accounts: the versioned procedure catalog with diacritics-insensitive
//! search, organisational units, officers with roles per unit, API tokens, and the yearly
//! holiday announcements.

use motcua_domain::calendar::{Announcement, DayKind, HolidayEntry, shipped_announcements};
use motcua_domain::catalog::{Level, OnlineLevel};
use motcua_domain::dossier::Role;
use motcua_domain::org::{Unit, UnitKind};
use motcua_store::catalog::ProcedureQuery;
use motcua_store::users::User;
use motcua_store::{Store, StoreError};
use time::macros::date;
use time::{Duration, OffsetDateTime};

use crate::common::fixtures::*;
use crate::storage_test;

fn search(q: Option<&str>, field: Option<&str>, level: Option<&str>) -> ProcedureQuery {
    ProcedureQuery { q: q.map(Into::into), field: field.map(Into::into), level: level.map(Into::into) }
}

async fn names(store: &Store, f: ProcedureQuery) -> Vec<String> {
    store.procedures(&f).await.expect("search").into_iter().map(|p| p.name).collect()
}

async fn storing_a_procedure_again_makes_a_new_current_version_and_keeps_the_old_one(store: Store) {
    let v1 = marriage();
    assert_eq!(store.put_procedure(&v1, motcua_store::today_vn()).await.unwrap(), 1);
    let mut v2 = marriage();
    v2.processing_days = Some(3.0);
    v2.steps.truncate(1);
    v2.name = "Đăng ký kết hôn (rút gọn)".into();
    v2.version = 42; // ignored: the store numbers versions
    assert_eq!(store.put_procedure(&v2, motcua_store::today_vn()).await.unwrap(), 2);

    let current = store.procedure("1.000894").await.unwrap();
    assert_eq!(current, motcua_domain::catalog::Procedure { version: 2, ..v2.clone() });
    let old = store.procedure_version("1.000894", 1).await.unwrap();
    assert_eq!(old, v1, "the version a dossier was received under stays readable");
    assert_eq!(store.procedure_version("1.000894", 2).await.unwrap().version, 2);
    assert!(matches!(store.procedure_version("1.000894", 3).await, Err(StoreError::NotFound)));
    assert!(matches!(store.procedure("1.999999").await, Err(StoreError::NotFound)));
    assert_eq!(
        names(&store, search(None, None, None)).await,
        vec![v2.name.clone()],
        "only the current version is listed"
    );
}
storage_test!(storing_a_procedure_again_makes_a_new_current_version_and_keeps_the_old_one);

async fn catalog_search_ignores_vietnamese_diacritics_and_filters_by_field_and_level(store: Store) {
    store.put_procedure(&marriage(), motcua_store::today_vn()).await.unwrap();
    store.put_procedure(&land(), motcua_store::today_vn()).await.unwrap();
    let mut birth = marriage();
    birth.code = motcua_domain::catalog::ProcedureCode::parse("1.001193").unwrap();
    birth.name = "Đăng ký khai sinh".into();
    birth.online_level = OnlineLevel::Partial;
    store.put_procedure(&birth, motcua_store::today_vn()).await.unwrap();

    assert_eq!(names(&store, search(Some("dang ky ket hon"), None, None)).await, ["Đăng ký kết hôn"]);
    assert_eq!(names(&store, search(Some("dat"), None, None)).await, ["Đăng ký đất đai lần đầu"]);
    assert_eq!(names(&store, search(Some("ĐẤT"), None, None)).await, ["Đăng ký đất đai lần đầu"]);
    assert_eq!(names(&store, search(Some("  Kết   hôn "), None, None)).await, ["Đăng ký kết hôn"]);
    assert_eq!(
        names(&store, search(Some("khai sinh dang"), None, None)).await,
        ["Đăng ký khai sinh"],
        "words in any order"
    );
    assert_eq!(names(&store, search(Some("1.004227"), None, None)).await, ["Đăng ký đất đai lần đầu"], "by code");
    assert_eq!(names(&store, search(Some("ho tich"), None, None)).await.len(), 2, "by field name");
    assert_eq!(names(&store, search(Some("dang ky"), None, None)).await.len(), 3);
    assert!(names(&store, search(Some("ket hon dat"), None, None)).await.is_empty(), "every word must match");
    assert_eq!(names(&store, search(Some(""), None, None)).await.len(), 3, "an empty query lists everything");

    assert_eq!(names(&store, search(None, Some("Đất đai"), None)).await, ["Đăng ký đất đai lần đầu"]);
    assert_eq!(names(&store, search(None, Some("dat dai"), None)).await, ["Đăng ký đất đai lần đầu"]);
    assert_eq!(names(&store, search(None, Some("Hộ tịch"), None)).await.len(), 2);
    assert_eq!(names(&store, search(None, None, Some("province"))).await, ["Đăng ký đất đai lần đầu"]);
    assert_eq!(names(&store, search(None, None, Some("commune"))).await.len(), 2);
    assert_eq!(names(&store, search(Some("dang ky"), Some("ho tich"), Some("commune"))).await.len(), 2);
    assert!(names(&store, search(Some("dat"), None, Some("commune"))).await.is_empty());

    let all = store.procedures(&search(None, None, None)).await.unwrap();
    assert_eq!(all.iter().find(|p| p.code == "1.004227").unwrap().level, Level::Province);
    assert_eq!(store.fields().await.unwrap(), ["Đất đai", "Hộ tịch"], "in Vietnamese order, Đ after D");
}
storage_test!(catalog_search_ignores_vietnamese_diacritics_and_filters_by_field_and_level);

/// Issue 14: the catalog lists procedures in Vietnamese alphabetical order on both backends
/// ("Cấp" before "Chứng", "Đ" right after "D"), not by character code.
async fn the_catalog_is_listed_in_vietnamese_alphabetical_order(store: Store) {
    for (i, name) in ["Đăng ký kết hôn", "Chứng thực bản sao", "Cấp phiếu lý lịch tư pháp", "Dịch thuật", "Xác nhận"]
        .into_iter()
        .enumerate()
    {
        let mut p = marriage();
        p.code = motcua_domain::catalog::ProcedureCode::parse(&format!("1.00100{i}")).unwrap();
        p.name = name.into();
        store.put_procedure(&p, motcua_store::today_vn()).await.unwrap();
    }
    assert_eq!(
        names(&store, search(None, None, None)).await,
        ["Cấp phiếu lý lịch tư pháp", "Chứng thực bản sao", "Dịch thuật", "Đăng ký kết hôn", "Xác nhận"]
    );
}
storage_test!(the_catalog_is_listed_in_vietnamese_alphabetical_order);

fn unit(code: &str, name: &str, kind: UnitKind, level: Level) -> Unit {
    Unit {
        code: unit_code(code),
        name: name.into(),
        kind,
        level,
        parent: Some("91".into()),
        slug: Some("phuquoc".into()),
        organ_id: Some("000.30.01.H01".into()),
        office_hours: None,
        code_template: Some("{unit_code}-{YYMMDD}-{seq:05}".into()),
        valid_from: Some("2025-07-01".into()),
        valid_to: None,
        successor: None,
        predecessors: vec!["000.29.29.H01".into(), "000.29.30.H01".into()],
    }
}

async fn units_round_trip_and_storing_one_again_replaces_it(store: Store) {
    let commune = unit(COMMUNE, "Đặc khu Phú Quốc", UnitKind::SpecialZone, Level::Commune);
    let center = Unit {
        parent: None,
        slug: None,
        organ_id: None,
        code_template: None,
        valid_from: None,
        predecessors: vec![],
        ..unit(CENTER, "Trung tâm Phục vụ hành chính công tỉnh An Giang", UnitKind::Center, Level::Province)
    };
    store.put_unit(&commune).await.unwrap();
    store.put_unit(&center).await.unwrap();
    assert_eq!(store.unit(COMMUNE).await.unwrap(), commune);
    assert_eq!(store.units().await.unwrap(), vec![center.clone(), commune.clone()], "by code");

    let old = Unit { valid_to: Some("2025-06-30".into()), successor: Some(COMMUNE.into()), ..commune.clone() };
    store.put_unit(&old).await.unwrap();
    assert_eq!(store.unit(COMMUNE).await.unwrap(), old);
    assert_eq!(store.units().await.unwrap().len(), 2);
    assert!(matches!(store.unit("000.99.99.H99").await, Err(StoreError::NotFound)));
}
storage_test!(units_round_trip_and_storing_one_again_replaces_it);

fn user(name: &str, roles: &[(&str, Role)], default_password: bool, active: bool) -> User {
    User {
        username: name.into(),
        full_name: format!("Cán bộ {name}"),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1${name}"),
        default_password,
        must_change_password: false,
        active,
        roles: roles.iter().map(|(u, r)| (unit_code(u), *r)).collect(),
    }
}

async fn officers_keep_their_roles_per_unit_and_default_passwords_are_counted(store: Store) {
    store
        .put_user(
            &user(
                "tiepnhan",
                &[(COMMUNE, Role::Receiver), (CENTER, Role::Receiver), (COMMUNE, Role::Clerk)],
                true,
                true,
            ),
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    store
        .put_user(&user("lanhdao", &[(COMMUNE, Role::Leader)], false, true), time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    store
        .put_user(&user("an", &[(COMMUNE, Role::Receiver)], true, true), time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    store
        .put_user(&user("nghihuu", &[(COMMUNE, Role::Receiver)], true, false), time::OffsetDateTime::now_utc())
        .await
        .unwrap();

    let u = store.user("tiepnhan").await.unwrap().expect("stored");
    assert_eq!(u.full_name, "Cán bộ tiepnhan");
    assert!(u.password_hash.starts_with("$argon2id$"));
    assert!(u.default_password && u.active);
    assert_eq!(
        u.roles,
        vec![
            (unit_code(CENTER), Role::Receiver),
            (unit_code(COMMUNE), Role::Clerk),
            (unit_code(COMMUNE), Role::Receiver)
        ]
    );
    assert_eq!(u.role_set(), vec![Role::Receiver, Role::Clerk]);
    assert_eq!(u.units(), vec![CENTER.to_owned(), COMMUNE.to_owned()]);
    assert!(store.user("khongco").await.unwrap().is_none());

    assert_eq!(store.users_with_role(COMMUNE, Role::Receiver).await.unwrap(), ["an", "nghihuu", "tiepnhan"]);
    assert_eq!(store.users_with_role(CENTER, Role::Receiver).await.unwrap(), ["tiepnhan"]);
    assert_eq!(store.users_with_role(COMMUNE, Role::Leader).await.unwrap(), ["lanhdao"]);
    assert!(store.users_with_role(CENTER, Role::SystemAdmin).await.unwrap().is_empty());
    assert_eq!(store.default_password_accounts().await.unwrap(), 2, "active accounts only");

    // Storing an account again replaces its roles and password state.
    store
        .put_user(&user("tiepnhan", &[(CENTER, Role::Receiver)], false, true), time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    let u = store.user("tiepnhan").await.unwrap().unwrap();
    assert_eq!(u.roles, vec![(unit_code(CENTER), Role::Receiver)]);
    assert_eq!(store.users_with_role(COMMUNE, Role::Receiver).await.unwrap(), ["an", "nghihuu"]);
    assert_eq!(store.default_password_accounts().await.unwrap(), 1);
}
storage_test!(officers_keep_their_roles_per_unit_and_default_passwords_are_counted);

async fn a_token_opens_its_account_until_it_expires(store: Store) {
    store
        .put_user(&user("tiepnhan", &[(COMMUNE, Role::Receiver)], false, true), time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    store
        .put_user(&user("nghihuu", &[(COMMUNE, Role::Receiver)], false, false), time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    let now = OffsetDateTime::now_utc();
    store.put_token("live", "tiepnhan", now, now + Duration::hours(8)).await.unwrap();
    store.put_token("expired", "tiepnhan", now, now - Duration::seconds(2)).await.unwrap();
    store.put_token("inactive", "nghihuu", now, now + Duration::hours(8)).await.unwrap();
    store.put_token("orphan", "khongco", now, now + Duration::hours(8)).await.unwrap();

    let u = store.token_user("live", now).await.unwrap().expect("a live token");
    assert_eq!(u.username, "tiepnhan");
    assert_eq!(u.roles, vec![(unit_code(COMMUNE), Role::Receiver)]);
    assert!(store.token_user("expired", now).await.unwrap().is_none(), "an expired token is refused");
    assert!(store.token_user("inactive", now).await.unwrap().is_none(), "a disabled account's token is refused");
    assert!(store.token_user("orphan", now).await.unwrap().is_none());
    assert!(store.token_user("unknown", now).await.unwrap().is_none());
    assert!(store.put_token("live", "tiepnhan", now, now).await.is_err(), "a token hash is unique");
}
storage_test!(a_token_opens_its_account_until_it_expires);

async fn holiday_announcements_round_trip_one_per_year(store: Store) {
    assert!(store.announcements().await.unwrap().is_empty());
    let shipped: Vec<Announcement> = shipped_announcements().to_vec();
    assert_eq!(shipped.first().map(|a| a.year), Some(2024));
    for a in shipped.iter().rev() {
        store.put_announcement(a).await.unwrap();
    }
    assert_eq!(store.announcements().await.unwrap(), shipped, "by year");

    let mut replaced = shipped[0].clone();
    replaced.source = "Thông báo điều chỉnh".into();
    replaced.days_off.push(HolidayEntry {
        date: date!(2024 - 12 - 31),
        name: "Nghỉ bù (thử nghiệm)".into(),
        kind: DayKind::Holiday,
    });
    store.put_announcement(&replaced).await.unwrap();
    let stored = store.announcements().await.unwrap();
    assert_eq!(stored.len(), shipped.len(), "one announcement per year");
    assert_eq!(stored.iter().find(|a| a.year == replaced.year), Some(&replaced));
}
storage_test!(holiday_announcements_round_trip_one_per_year);

async fn importing_a_catalog_stores_every_procedure_as_a_new_version_at_once(store: Store) {
    store.put_procedure(&marriage(), motcua_store::today_vn()).await.unwrap();
    let mut seen = Vec::new();
    let n =
        store.import_procedures(&[marriage(), land()], motcua_store::today_vn(), |done| seen.push(done)).await.unwrap();
    assert_eq!((n, seen), (2, vec![1, 2]));
    assert_eq!(store.procedure("1.000894").await.unwrap().version, 2, "an existing procedure gets a new version");
    assert_eq!(store.procedure(&land().code).await.unwrap(), land());
    assert_eq!(store.import_procedures(&[], motcua_store::today_vn(), |_| ()).await.unwrap(), 0);
}
storage_test!(importing_a_catalog_stores_every_procedure_as_a_new_version_at_once);
