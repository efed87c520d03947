//! The outbox: idempotent enqueueing, claims with leases that two dispatchers never share,
//! retries with backoff until failed, the writer's citizen notices in the event's transaction,
//! and the reads of the daily alerts.

use std::collections::HashSet;

use motcua_domain::dossier::Status;
use motcua_store::Store;
use motcua_store::outbox::{MAX_ATTEMPTS, NewMessage, backoff};
use serde_json::json;
use time::Duration;

use crate::common::fixtures::*;
use crate::storage_test;

fn msg(key: &str, kind: &str, unit: &str) -> NewMessage {
    NewMessage {
        kind: kind.into(),
        idempotency_key: key.into(),
        recipient: "an@example.vn".into(),
        payload: json!({"subject": "Tiêu đề", "body": "Nội dung có dấu"}).to_string(),
        template: Some("receipt-1".into()),
        about: Some(format!("about-{key}")),
        unit: Some(unit.into()),
    }
}

async fn enqueueing_the_same_idempotency_key_twice_stores_one_row(store: Store) {
    let now = at("2025-07-07T08:00:00+07:00");
    assert!(store.enqueue(&msg("k1", "email", COMMUNE), now).await.unwrap());
    let mut second = msg("k1", "email", COMMUNE);
    second.payload = "changed".into();
    assert!(!store.enqueue(&second, now).await.unwrap(), "the second enqueue is a no-op");
    let m = store.outbox_message("k1").await.unwrap().unwrap();
    assert_eq!((m.status.as_str(), m.attempts, m.template.as_deref()), ("pending", 0, Some("receipt-1")));
    assert!(m.payload.contains("Nội dung có dấu"), "the first payload is kept, UTF-8 intact");
}
storage_test!(enqueueing_the_same_idempotency_key_twice_stores_one_row);

async fn two_dispatchers_claiming_at_once_never_share_a_row(store: Store) {
    let now = at("2025-07-07T08:00:00+07:00");
    for i in 0..40 {
        store.enqueue(&msg(&format!("k{i:02}"), "email", COMMUNE), now).await.unwrap();
    }
    let (a, b) = tokio::join!(
        store.claim("a", &["email"], now, Duration::minutes(5), 30),
        store.claim("b", &["email"], now, Duration::minutes(5), 30)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let ids_a: HashSet<_> = a.iter().map(|m| m.id.clone()).collect();
    let ids_b: HashSet<_> = b.iter().map(|m| m.id.clone()).collect();
    assert!(ids_a.is_disjoint(&ids_b), "a row claimed by both dispatchers");
    assert!(a.len() + b.len() >= 30, "the claims took {} + {} rows", a.len(), b.len());
    // While leased, nobody else gets them; the rest are still claimable.
    let c = store.claim("c", &["email"], now, Duration::minutes(5), 100).await.unwrap();
    assert_eq!(a.len() + b.len() + c.len(), 40);
    assert!(store.claim("d", &["email"], now, Duration::minutes(5), 100).await.unwrap().is_empty());
    // A lease that ran out (the dispatcher died) makes the row claimable again.
    let later = now + Duration::minutes(6);
    assert_eq!(store.claim("d", &["email"], later, Duration::minutes(5), 100).await.unwrap().len(), 40);
}
storage_test!(two_dispatchers_claiming_at_once_never_share_a_row);

async fn a_claim_takes_only_due_rows_of_the_kinds_asked_for(store: Store) {
    let now = at("2025-07-07T08:00:00+07:00");
    store.enqueue(&msg("e", "email", COMMUNE), now).await.unwrap();
    store.enqueue(&msg("s", "sms", COMMUNE), now).await.unwrap();
    store.enqueue(&msg("x", "edxml", COMMUNE), now + Duration::hours(1)).await.unwrap();
    let got = store.claim("a", &["sms", "edxml"], now, Duration::minutes(5), 10).await.unwrap();
    assert_eq!(got.iter().map(|m| m.idempotency_key.as_str()).collect::<Vec<_>>(), ["s"]);
}
storage_test!(a_claim_takes_only_due_rows_of_the_kinds_asked_for);

async fn a_failed_attempt_is_retried_with_backoff_then_given_up(store: Store) {
    let mut now = at("2025-07-07T08:00:00+07:00");
    store.enqueue(&msg("r", "email", COMMUNE), now).await.unwrap();
    for attempt in 1..=MAX_ATTEMPTS {
        let got = store.claim("a", &["email"], now, Duration::minutes(5), 10).await.unwrap();
        assert_eq!(got.len(), 1, "attempt {attempt} is due");
        assert!(!store.mark_sent(&got[0].id, "someone-else", now).await.unwrap(), "only the lease holder");
        assert!(store.mark_failed(&got[0].id, "a", "SMTP: connection refused", false, now).await.unwrap());
        let m = store.outbox_message("r").await.unwrap().unwrap();
        assert_eq!(m.attempts, attempt);
        if attempt < MAX_ATTEMPTS {
            assert_eq!(m.status, "pending");
            assert!(store.claim("a", &["email"], now, Duration::minutes(5), 10).await.unwrap().is_empty(), "not yet");
            now += backoff(attempt);
        } else {
            assert_eq!(m.status, "failed");
            assert_eq!(m.last_error.as_deref(), Some("SMTP: connection refused"));
        }
    }
    assert!(store.claim("a", &["email"], now + Duration::days(1), Duration::minutes(5), 10).await.unwrap().is_empty());
    let failed = store.failed_deliveries(Some(&[COMMUNE.to_owned()]), 10).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert!(store.failed_deliveries(Some(&[OTHER_COMMUNE.to_owned()]), 10).await.unwrap().is_empty());
    assert_eq!(store.failed_deliveries(None, 10).await.unwrap().len(), 1);
}
storage_test!(a_failed_attempt_is_retried_with_backoff_then_given_up);

async fn a_delivered_row_is_never_claimed_again(store: Store) {
    let now = at("2025-07-07T08:00:00+07:00");
    store.enqueue(&msg("d", "email", COMMUNE), now).await.unwrap();
    let got = store.claim("a", &["email"], now, Duration::minutes(5), 10).await.unwrap();
    assert!(store.mark_sent(&got[0].id, "a", now).await.unwrap());
    assert!(!store.mark_sent(&got[0].id, "a", now).await.unwrap(), "sent once");
    let later = now + Duration::days(2);
    assert!(store.claim("b", &["email"], later, Duration::minutes(5), 10).await.unwrap().is_empty());
    let m = store.outbox_message("d").await.unwrap().unwrap();
    assert_eq!((m.status.as_str(), m.attempts), ("sent", 1));
    assert!(m.sent_at.is_some());
}
storage_test!(a_delivered_row_is_never_claimed_again);

async fn receiving_and_asking_for_supplements_enqueue_the_applicants_notices_in_the_same_transaction(store: Store) {
    let n = NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T08:00:00+07:00"));
    let d = create_dossier(&store, &n).await;
    assert!(store.outbox_about(&d.code).await.unwrap().is_empty(), "submission notifies nobody");
    let d =
        act(&store, &d.code, d.version, receiver(COMMUNE), action(json!({"action": "receive"})), n.at).await.unwrap();
    let rows = store.outbox_about(&d.code).await.unwrap();
    let keys: Vec<&str> = rows.iter().map(|m| m.idempotency_key.as_str()).collect();
    let (email, sms) = (format!("{}:2:email", d.code), format!("{}:2:sms", d.code));
    assert_eq!(keys.iter().copied().collect::<HashSet<_>>(), HashSet::from([email.as_str(), sms.as_str()]));
    let mail = rows.iter().find(|m| m.kind == "email").unwrap();
    assert_eq!(mail.recipient, "an@example.vn");
    assert_eq!(mail.unit.as_deref(), Some(COMMUNE));
    assert_eq!(mail.template.as_deref(), Some("receipt-1"));
    assert!(mail.payload.contains("Ngày hẹn trả kết quả"), "{}", mail.payload);
    let d = act(
        &store,
        &d.code,
        d.version,
        specialist(COMMUNE),
        action(json!({"action": "request_supplement", "reason": "Thiếu bản sao", "items": ["Bản sao CCCD"]})),
        n.at + Duration::hours(1),
    )
    .await
    .unwrap();
    let rows = store.outbox_about(&d.code).await.unwrap();
    let notice = rows.iter().find(|m| m.idempotency_key == format!("{}:3:email", d.code)).unwrap();
    assert!(notice.payload.contains("Bản sao CCCD") && notice.payload.contains("Thiếu bản sao"));
    assert_eq!(notice.template.as_deref(), Some("supplement_request-1"));
    assert_eq!(rows.len(), 4, "receipt and supplementation request, each by e-mail and SMS");
}
storage_test!(receiving_and_asking_for_supplements_enqueue_the_applicants_notices_in_the_same_transaction);

async fn open_dossiers_are_read_with_their_last_action_for_the_alerts(store: Store) {
    let n = NewDossier::online(marriage(), COMMUNE, COMMUNE, at("2025-07-07T08:00:00+07:00"));
    let d = create_dossier(&store, &n).await;
    let received = n.at + Duration::hours(2);
    let d = act(&store, &d.code, d.version, receiver(COMMUNE), action(json!({"action": "receive"})), received)
        .await
        .unwrap();
    let other = create_dossier(&store, &NewDossier::online(marriage(), OTHER_COMMUNE, OTHER_COMMUNE, n.at)).await;
    let facts = store.open_dossier_facts(Some(&[COMMUNE.to_owned()])).await.unwrap();
    assert_eq!(facts.len(), 1);
    let f = &facts[0];
    assert_eq!((f.code.as_str(), f.status), (d.code.as_str(), Status::Received));
    assert_eq!(f.last_action_at, received);
    assert_eq!(f.due_at, d.appointment_at.or(d.due_at));
    assert!(f.step_due.is_some(), "the reception step runs");
    let all = store.open_dossier_facts(None).await.unwrap();
    assert_eq!(
        all.iter().map(|f| f.code.clone()).collect::<HashSet<_>>(),
        HashSet::from([d.code.to_string(), other.code.to_string()])
    );
}
storage_test!(open_dossiers_are_read_with_their_last_action_for_the_alerts);

async fn officers_e_mail_addresses_are_set_and_listed_for_the_digest(store: Store) {
    let u = motcua_store::users::User {
        username: "lanhdao".into(),
        full_name: "Lãnh đạo".into(),
        password_hash: "x".into(),
        default_password: false,
        must_change_password: false,
        active: true,
        roles: vec![],
    };
    store.put_user(&u, time::OffsetDateTime::now_utc()).await.unwrap();
    store
        .put_user(&motcua_store::users::User { username: "khac".into(), ..u.clone() }, time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    store.set_user_email("lanhdao", Some(" ld@example.vn ")).await.unwrap();
    assert_eq!(store.officer_emails().await.unwrap(), vec![("lanhdao".to_owned(), "ld@example.vn".to_owned())]);
    store.set_user_email("lanhdao", None).await.unwrap();
    assert!(store.officer_emails().await.unwrap().is_empty());
    assert!(store.set_user_email("khongco", Some("a@b.vn")).await.is_err());
}
storage_test!(officers_e_mail_addresses_are_set_and_listed_for_the_digest);
