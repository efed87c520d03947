//! What the national portal has of each dossier: the writer tells the sync of every committed
//! change (in memory: the transition writes nothing for it), a claim records them and leases
//! what is due, workers never share a lease, acknowledgements catch up with the version, failures
//! back off, a newer version makes a failed dossier due again, and after a restart the log itself
//! says what the portal lacks.

use motcua_store::Store;
use motcua_store::national_sync::{MAX_ATTEMPTS, backoff};
use serde_json::json;
use time::Duration;

use crate::common::fixtures::*;
use crate::storage_test;

async fn every_change_is_due_until_the_portal_acknowledges_its_version(store: Store) {
    let t0 = at("2025-07-07T08:00:00+07:00");
    let d = create_dossier(&store, &NewDossier::online(marriage(), COMMUNE, COMMUNE, t0)).await;
    let code = d.code.to_string();
    let held = store.national_sync_state(&code).await.unwrap().expect("shown while held in memory");
    assert_eq!((held.wanted_version, held.state.as_str()), (1, "pending"));
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM national_sync").fetch_one(&store.pool).await.unwrap();
    assert_eq!(rows, 0, "the creation wrote nothing for the sync");

    // Two workers: one gets it, the other nothing while the lease runs.
    let claimed = store.claim_national("a", t0, Duration::minutes(5), 10).await.unwrap();
    assert_eq!(claimed, vec![(code.clone(), 1)]);
    let s = store.national_sync_state(&code).await.unwrap().expect("recorded by the claim");
    assert_eq!((s.wanted_version, s.acked_version, s.state.as_str()), (1, 0, "pending"));
    assert!(store.claim_national("b", t0, Duration::minutes(5), 10).await.unwrap().is_empty());
    assert!(!store.ack_national(&code, 1, "b", t0, None).await.unwrap(), "only the holder records the answer");

    // The dossier changes while version 1 is on its way: acknowledging 1 leaves it due for 2.
    let t1 = t0 + Duration::minutes(1);
    act(&store, &code, 1, receiver(COMMUNE), action(json!({"action": "receive"})), t1).await.unwrap();
    assert!(store.ack_national(&code, 1, "a", t1, None).await.unwrap());
    let s = store.national_sync_state(&code).await.unwrap().unwrap();
    assert_eq!((s.wanted_version, s.acked_version, s.state.as_str()), (2, 1, "pending"));
    assert!(s.first_acked_at.is_some());
    let claimed = store.claim_national("a", t1, Duration::minutes(5), 10).await.unwrap();
    assert_eq!(claimed, vec![(code.clone(), 2)]);
    assert!(store.ack_national(&code, 2, "a", t1, None).await.unwrap());
    let s = store.national_sync_state(&code).await.unwrap().unwrap();
    assert_eq!((s.acked_version, s.state.as_str()), (2, "synced"));
    assert!(store.claim_national("a", t1 + Duration::hours(1), Duration::minutes(5), 10).await.unwrap().is_empty());
    let c = store.national_sync_counts().await.unwrap();
    assert_eq!((c.tracked, c.acknowledged, c.up_to_date, c.pending, c.failed), (1, 1, 1, 0, 0));
}
storage_test!(every_change_is_due_until_the_portal_acknowledges_its_version);

async fn failures_back_off_and_a_refused_record_waits_for_the_next_change(store: Store) {
    let t0 = at("2025-07-07T08:00:00+07:00");
    let d = create_dossier(&store, &NewDossier::online(marriage(), COMMUNE, COMMUNE, t0)).await;
    let code = d.code.to_string();
    store.claim_national("w", t0, Duration::minutes(5), 10).await.unwrap();
    assert!(store.fail_national(&code, "w", "HTTP 503", false, t0).await.unwrap());
    assert!(store.claim_national("w", t0 + Duration::seconds(4), Duration::minutes(5), 10).await.unwrap().is_empty());
    assert_eq!(
        (backoff(1), backoff(2), backoff(3), backoff(40)),
        (Duration::seconds(5), Duration::seconds(10), Duration::seconds(20), Duration::hours(1))
    );
    let retry = t0 + backoff(1);
    assert_eq!(store.claim_national("w", retry, Duration::minutes(5), 10).await.unwrap().len(), 1);
    // A lease that ran out (a crashed worker) makes it claimable again.
    let later = retry + Duration::minutes(6);
    assert_eq!(store.claim_national("v", later, Duration::minutes(5), 10).await.unwrap().len(), 1);
    assert!(store.fail_national(&code, "v", "error_code 1: NgayHenTra", true, later).await.unwrap());
    let s = store.national_sync_state(&code).await.unwrap().unwrap();
    assert_eq!((s.state.as_str(), s.last_error.as_deref()), ("failed", Some("error_code 1: NgayHenTra")));
    assert!(store.claim_national("w", later + Duration::days(1), Duration::minutes(5), 10).await.unwrap().is_empty());
    assert_eq!(store.national_sync_failures(10).await.unwrap().len(), 1);
    // The next change rebuilds the record: due again.
    act(&store, &code, 1, receiver(COMMUNE), action(json!({"action": "receive"})), later).await.unwrap();
    assert_eq!(store.claim_national("w", later, Duration::minutes(5), 10).await.unwrap(), vec![(code.clone(), 2)]);
    // Attempts run out into `failed`.
    let mut now = later;
    for _ in 0..MAX_ATTEMPTS {
        store.claim_national("w", now, Duration::minutes(5), 10).await.unwrap();
        store.fail_national(&code, "w", "timeout", false, now).await.unwrap();
        now += Duration::hours(2);
    }
    assert_eq!(store.national_sync_state(&code).await.unwrap().unwrap().state, "failed");
    assert_eq!(store.national_sync_counts().await.unwrap().failed, 1);
}
storage_test!(failures_back_off_and_a_refused_record_waits_for_the_next_change);

/// Issue 15 item 2: a portal dossier created under its portal key is one dossier however often
/// it comes, even from concurrent requests; refusals are kept once per portal code with a count;
/// the pull's cursor moves on.
async fn a_portal_dossier_is_created_once_and_refusals_and_the_cursor_are_kept(store: Store) {
    use motcua_store::national_inbound::{PORTAL, key};
    use motcua_store::{StoreError, SubmissionKey};
    let t0 = at("2025-07-07T08:00:00+07:00");
    let n = NewDossier::online(marriage(), COMMUNE, COMMUNE, t0);
    let job = || {
        let mut j = n.job();
        j.key = Some(SubmissionKey { key: key("G22.99-250707-0001"), username: PORTAL.into() });
        j
    };
    let (a, b) = tokio::join!(store.writer.create(job()), store.writer.create(job()));
    let (made, again) = match (a, b) {
        (Ok(d), Err(StoreError::AlreadySubmitted { code })) | (Err(StoreError::AlreadySubmitted { code }), Ok(d)) => {
            (d, code)
        }
        other => panic!("one creation and one refusal, got {other:?}"),
    };
    assert_eq!(made.code.to_string(), again);
    assert_eq!(store.inbound_dossier("G22.99-250707-0001").await.unwrap(), Some(again.clone()));
    assert_eq!(store.inbound_dossier("G22.99-250707-0002").await.unwrap(), None);

    store.refuse_inbound("G22.99-250707-0009", "push", "NgayNopHoSo: yyyyMMddHHmmss", t0).await.unwrap();
    store.refuse_inbound("G22.99-250707-0009", "pull", "ChuHoSo: required", t0 + Duration::minutes(1)).await.unwrap();
    let r = store.inbound_refusals(10).await.unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!((r[0].via.as_str(), r[0].error.as_str(), r[0].times), ("pull", "ChuHoSo: required", 2));
    let c = store.inbound_counts().await.unwrap();
    assert_eq!((c.imported, c.refused), (1, 1));
    store.forget_inbound_refusal("G22.99-250707-0009").await.unwrap();
    assert_eq!(store.inbound_counts().await.unwrap().refused, 0);

    assert_eq!(store.national_cursor("dvcqg-inbound").await.unwrap(), None);
    store.set_national_cursor("dvcqg-inbound", "7", t0).await.unwrap();
    store.set_national_cursor("dvcqg-inbound", "9", t0).await.unwrap();
    assert_eq!(store.national_cursor("dvcqg-inbound").await.unwrap().as_deref(), Some("9"));
}
storage_test!(a_portal_dossier_is_created_once_and_refusals_and_the_cursor_are_kept);

/// QĐ 766 row 1.4's numerator: a received dossier counts once, under its reception month, at the
/// first acknowledgement of a received version; acknowledgements before reception and later
/// ones add nothing.
async fn a_received_dossier_counts_once_as_synced_in_its_reception_month(store: Store) {
    use motcua_domain::indicators::YearMonth;
    use motcua_domain::indicators::rollup::reception_key;
    use motcua_store::indicators::{By, Scope};
    let t0 = at("2025-07-31T16:00:00+07:00");
    let d = create_dossier(&store, &NewDossier::online(marriage(), COMMUNE, COMMUNE, t0)).await;
    let code = d.code.to_string();
    store.claim_national("a", t0, Duration::minutes(5), 10).await.unwrap();
    assert!(store.ack_national(&code, 1, "a", t0, reception_key(&d).as_ref()).await.unwrap());
    let july = YearMonth { year: 2025, month: 7 };
    let all = Scope::default();
    assert!(store.national_synced(&all, july, july, By::Total).await.unwrap().is_empty(), "not received yet");
    let t1 = at("2025-08-01T09:00:00+07:00");
    let r = act(&store, &code, 1, receiver(COMMUNE), action(json!({"action": "receive"})), t1).await.unwrap();
    for _ in 0..2 {
        store.claim_national("a", t1, Duration::minutes(5), 10).await.unwrap();
        store.ack_national(&code, 2, "a", t1, reception_key(&r).as_ref()).await.unwrap();
    }
    let august = YearMonth { year: 2025, month: 8 };
    assert_eq!(store.national_synced(&all, august, august, By::Total).await.unwrap(), vec![(String::new(), 1)]);
    assert_eq!(store.national_synced(&all, july, august, By::Unit).await.unwrap(), vec![(COMMUNE.to_owned(), 1)]);
    let other = Scope { units: Some(vec!["H01.004".into()]), ..Scope::default() };
    assert!(store.national_synced(&other, july, august, By::Total).await.unwrap().is_empty());
}
storage_test!(a_received_dossier_counts_once_as_synced_in_its_reception_month);

/// Concurrent actions on many dossiers (one batch, or a few) each leave their dossier due at its
/// new version, and a refused action in the same batch marks nothing.
async fn a_batch_of_concurrent_actions_marks_every_dossier_at_its_version(store: Store) {
    let t0 = at("2025-07-07T08:00:00+07:00");
    let mut codes = Vec::new();
    for _ in 0..40 {
        codes
            .push(create_dossier(&store, &NewDossier::online(marriage(), COMMUNE, COMMUNE, t0)).await.code.to_string());
    }
    let acts = codes.iter().enumerate().map(|(i, code)| {
        let (store, code) = (store.clone(), code.clone());
        // Every fifth one names a stale version: refused, and its mark stays at version 1.
        let version = if i % 5 == 0 { 7 } else { 1 };
        tokio::spawn(async move {
            act(&store, &code, version, receiver(COMMUNE), action(json!({"action": "receive"})), t0).await.is_ok()
        })
    });
    let done: Vec<bool> = futures_util::future::join_all(acts).await.into_iter().map(|r| r.unwrap()).collect();
    let claimed = store.claim_national("w", t0, Duration::minutes(5), 100).await.unwrap();
    assert_eq!(claimed.len(), 40);
    for (i, code) in codes.iter().enumerate() {
        let s = store.national_sync_state(code).await.unwrap().expect("marked");
        let want = if done[i] { 2 } else { 1 };
        assert_eq!((done[i], s.wanted_version), (i % 5 != 0, want), "{code}");
    }
}
storage_test!(a_batch_of_concurrent_actions_marks_every_dossier_at_its_version);

/// A crash between a commit and the sync's next claim loses the in-memory change, not the sync:
/// the next process's sync compares the dossiers with what it knows at start and finds it; a
/// dossier it knows at its version is left as it is.
async fn after_a_restart_the_log_says_what_the_portal_lacks(url: String) {
    let t0 = at("2025-07-07T08:00:00+07:00");
    let store = Store::open(&url).await.unwrap();
    let known = create_dossier(&store, &NewDossier::online(marriage(), COMMUNE, COMMUNE, t0)).await.code.to_string();
    assert_eq!(store.claim_national("a", t0, Duration::minutes(5), 10).await.unwrap(), vec![(known.clone(), 1)]);
    assert!(store.ack_national(&known, 1, "a", t0, None).await.unwrap());
    let lost = create_dossier(&store, &NewDossier::online(marriage(), COMMUNE, COMMUNE, t0)).await.code.to_string();
    act(&store, &known, 1, receiver(COMMUNE), action(json!({"action": "receive"})), t0).await.unwrap();
    // The process stops before its sync looked again.
    store.pool.close().await;

    let store = Store::open(&url).await.unwrap();
    assert!(store.claim_national("b", t0, Duration::minutes(5), 10).await.unwrap().is_empty());
    assert_eq!(store.reconcile_national(t0).await.unwrap(), 2);
    assert_eq!(store.reconcile_national(t0).await.unwrap(), 0, "once known, nothing to add");
    let mut claimed = store.claim_national("b", t0, Duration::minutes(5), 10).await.unwrap();
    claimed.sort();
    let mut want = vec![(known.clone(), 2), (lost.clone(), 1)];
    want.sort();
    assert_eq!(claimed, want);
    let s = store.national_sync_state(&known).await.unwrap().unwrap();
    assert_eq!((s.acked_version, s.first_acked_at.is_some()), (1, true), "what the portal has is kept");
    store.pool.close().await;
}
storage_test!(url after_a_restart_the_log_says_what_the_portal_lacks);
