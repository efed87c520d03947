//! Citizen feedback: per-day codes, the append-only history with a version check, votes,
//! diacritics-insensitive search over published answers only, queues, open deadlines, counts
//! and the per-center answer limit.

use motcua_domain::calendar::Calendar;
use motcua_domain::dossier::{Actor, Role};
use motcua_domain::feedback::{
    Category, Command, Feedback, FeedbackRules, Stage, Status, SubjectKind, Submission, Submitter, decide,
};
use motcua_store::feedback::FeedbackFilter;
use motcua_store::{Store, StoreError};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::storage_test;

fn submission(title: &str) -> Submission {
    Submission {
        subject_kind: SubjectKind::Procedure,
        subject_ref: Some("1.000001".into()),
        title: title.into(),
        content: "Người dân Phạm Thị Dung (0987654321) phản ánh việc cấp giấy chứng nhận quyền sử dụng đất chậm."
            .into(),
        submitter: Submitter { name: "Phạm Thị Dung".into(), ..Default::default() },
        reraise_of: None,
        location: None,
    }
}

async fn create(store: &Store, title: &str, at: OffsetDateTime) -> Feedback {
    let cal = Calendar::vietnam_default();
    let rules = store.feedback_rules("C1").await.unwrap();
    let s = submission(title);
    store
        .create_feedback(at, "hash", move |code| {
            Feedback::submit(code, crate::common::fixtures::unit_code("C1"), s, at, &cal, &rules)
        })
        .await
        .unwrap()
}

fn officer(name: &str, unit: &str, role: Role) -> Actor {
    Actor::Officer { username: name.into(), grants: vec![(crate::common::fixtures::unit_code(unit), role)] }
}

async fn step(store: &Store, fb: &Feedback, actor: &Actor, cmd: Command, at: OffsetDateTime) -> Feedback {
    let e = decide(fb, actor, cmd, at, &Calendar::vietnam_default(), &FeedbackRules::default()).unwrap();
    store.append_feedback(&fb.code, fb.version, &e).await.unwrap()
}

async fn publish(store: &Store, fb: Feedback, answer: &str, at: OffsetDateTime) -> Feedback {
    let c1 = officer("tiepnhan", "C1", Role::Receiver);
    let fb =
        step(store, &fb, &c1, Command::Assign { unit: "A1".into(), category: Category::RulesProcedures }, at).await;
    let fb =
        step(store, &fb, &officer("cv", "A1", Role::Specialist), Command::Answer { answer: answer.into() }, at).await;
    let fb = step(store, &fb, &officer("ld", "A1", Role::Leader), Command::Approve, at).await;
    step(store, &fb, &c1, Command::Publish, at).await
}

async fn feedback_story(store: Store) {
    let day = datetime!(2026-03-02 09:00 +7);
    let a = create(&store, "Cấp giấy chứng nhận chậm", day).await;
    let b = create(&store, "Phí chứng thực cao", day + time::Duration::hours(1)).await;
    let c = create(&store, "Thái độ cán bộ", datetime!(2026-03-03 09:00 +7)).await;
    assert_eq!(
        (a.code.as_str(), b.code.as_str(), c.code.as_str()),
        ("FB-260302-0001", "FB-260302-0002", "FB-260303-0001")
    );
    let (loaded, hash) = store.feedback(&a.code).await.unwrap();
    assert_eq!((loaded, hash.as_str()), (a.clone(), "hash"));

    // A stale version changes nothing.
    let cal = Calendar::vietnam_default();
    let e =
        decide(&a, &officer("tiepnhan", "C1", Role::Receiver), Command::Accept, day, &cal, &FeedbackRules::default())
            .unwrap();
    assert!(matches!(store.append_feedback(&a.code, 7, &e).await, Err(StoreError::Conflict { current: 1 })));
    let a = publish(&store, a, "Sở trả lời bà Phạm Thị Dung: đã cấp giấy chứng nhận quyền sử dụng đất.", day).await;
    assert_eq!(a.status, Status::Published);
    let history = store.feedback_events(&a.code).await.unwrap();
    assert_eq!(history.iter().map(|h| h.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
    assert_eq!(history.last().unwrap().event.what.name(), "published");

    // Search: published only, diacritics ignored, personal data not indexed.
    assert_eq!(store.published_feedback("quyen su dung DAT", 10, 0).await.unwrap().len(), 1);
    assert_eq!(store.published_feedback("chung thuc", 10, 0).await.unwrap().len(), 0);
    assert_eq!(store.published_feedback("pham thi dung", 10, 0).await.unwrap().len(), 0);
    assert_eq!(store.published_feedback("0987654321", 10, 0).await.unwrap().len(), 0);
    assert_eq!(store.published_feedback("100%_", 10, 0).await.unwrap().len(), 0);
    assert_eq!(store.published_feedback("", 10, 0).await.unwrap().len(), 1);

    // Votes: one per voter.
    store.vote_feedback(&a.code, "v1", false, day).await.unwrap();
    store.vote_feedback(&a.code, "v1", true, day).await.unwrap();
    let a2 = store.vote_feedback(&a.code, "v2", false, day).await.unwrap();
    assert_eq!((a2.likes, a2.dislikes), (1, 1));
    assert!(matches!(store.vote_feedback(&b.code, "v1", true, day).await, Err(StoreError::NotFound)));

    // Queues and open deadlines.
    let center = store
        .feedback_list(&FeedbackFilter { units: vec!["C1".into()], status: Some(Status::Submitted), limit: 0 })
        .await
        .unwrap();
    assert_eq!(center.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(), vec![b.code.as_str(), c.code.as_str()]);
    assert_eq!(
        store.feedback_list(&FeedbackFilter { units: vec!["A1".into()], status: None, limit: 0 }).await.unwrap().len(),
        1
    );
    let open = store.open_feedback_deadlines(None).await.unwrap();
    assert_eq!(open.len(), 2);
    assert!(open.iter().all(|o| o.stage == Stage::Accept && o.unit.is_none()));
    assert!(open[0].due <= open[1].due);
    assert!(store.open_feedback_deadlines(Some("A1")).await.unwrap().is_empty());

    // Counts over March, judged long after: b and c were never accepted.
    let counts = store
        .feedback_counts(
            None,
            datetime!(2026-03-01 00:00 +7),
            datetime!(2026-04-01 00:00 +7),
            datetime!(2026-05-01 00:00 +7),
        )
        .await
        .unwrap();
    assert_eq!(
        (counts.received, counts.handled, counts.handled_on_time, counts.published, counts.late),
        (3, 1, 1, 1, 2)
    );

    // The answer limit is set per center.
    store.set_feedback_answer_days("C1", 10.0).await.unwrap();
    assert_eq!(store.feedback_rules("C1").await.unwrap().answer_days, 10.0);
    assert_eq!(store.feedback_rules("C2").await.unwrap().answer_days, 15.0);
    assert!(store.set_feedback_answer_days("C1", 0.0).await.is_err());
}
storage_test!(feedback_story);

async fn concurrent_submissions_get_distinct_codes(store: Store) {
    let at = datetime!(2026-03-04 10:00 +7);
    let mut tasks = Vec::new();
    for i in 0..8 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move { create(&s, &format!("Phản ánh số {i}"), at).await.code }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 8);
}
storage_test!(concurrent_submissions_get_distinct_codes);

/// Four officers accept one item at the same moment: one wins, three are told the item changed
/// (a conflict, never a locked database), and the history holds one acceptance.
async fn concurrent_accepts_one_winner(store: Store) {
    let at = datetime!(2026-03-05 09:00 +7);
    let fb = create(&store, "Bốn cán bộ cùng tiếp nhận", at).await;
    let mut tasks = Vec::new();
    for i in 0..4 {
        let (s, code, version) = (store.clone(), fb.code.clone(), fb.version);
        tasks.push(tokio::spawn(async move {
            let actor = officer(&format!("tiepnhan{i}"), "C1", Role::Receiver);
            s.act_on_feedback(&code, Some(version), move |current| {
                decide(current, &actor, Command::Accept, at, &Calendar::vietnam_default(), &FeedbackRules::default())
            })
            .await
        }));
    }
    let mut won = 0;
    let mut conflicts = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => won += 1,
            Err(StoreError::Conflict { current: 2 }) => conflicts += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((won, conflicts), (1, 3));
    let history = store.feedback_events(&fb.code).await.unwrap();
    assert_eq!(history.iter().map(|h| h.event.what.name()).collect::<Vec<_>>(), vec!["submitted", "accepted"]);
    let audit = store.verify_records(false).await.unwrap();
    assert!(audit.iter().all(|(_, k)| k.broken.is_empty() && k.drifted.is_empty()), "{audit:?}");
}
storage_test!(concurrent_accepts_one_winner);

/// A decision that panics fails its own request only; the writer keeps serving the next ones.
async fn a_panicking_decision_fails_only_its_request(store: Store) {
    let at = datetime!(2026-03-06 09:00 +7);
    let fb = create(&store, "Quyết định lỗi", at).await;
    let r =
        store.act_on_feedback(&fb.code, None, |_| -> Result<_, motcua_domain::DomainError> { panic!("a bug") }).await;
    assert!(matches!(r, Err(StoreError::Panicked)), "{r:?}");
    assert_eq!(store.feedback(&fb.code).await.unwrap().0.version, 1);
    let after = step(&store, &fb, &officer("tiepnhan", "C1", Role::Receiver), Command::Accept, at).await;
    assert_eq!(after.version, 2);
    create(&store, "Sau lỗi", at).await;
}
storage_test!(a_panicking_decision_fails_only_its_request);

/// Someone edits a stored event, or the projection drifts from its events: `verify-audit`
/// reports both; repairing rewrites the projection from the events, never the chain.
async fn verify_detects_tampered_feedback(store: Store) {
    let at = datetime!(2026-03-09 09:00 +7);
    let tampered = create(&store, "Bị sửa", at).await;
    let drifted = create(&store, "Bị lệch", at).await;
    step(&store, &tampered, &officer("tiepnhan", "C1", Role::Receiver), Command::Accept, at).await;
    sqlx::query("UPDATE record_events SET payload = REPLACE(payload, $1, $2) WHERE record_id = $3 AND seq = 1")
        .bind("Bị sửa")
        .bind("Đã sửa")
        .bind(tampered.code.clone())
        .execute(&store.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE feedback SET data = REPLACE(data, $1, $2) WHERE code = $3")
        .bind("Bị lệch")
        .bind("Lệch rồi")
        .bind(drifted.code.clone())
        .execute(&store.pool)
        .await
        .unwrap();
    let report = store.verify_audit(false).await.unwrap();
    let (_, fb) = report.records.iter().find(|(k, _)| *k == "feedback").unwrap();
    assert_eq!((fb.records, fb.events), (2, 3));
    assert_eq!(fb.broken, vec![(tampered.code.clone(), 1)]);
    assert_eq!(fb.drifted, vec![drifted.code.clone()]);
    assert!(!report.ok(false));
    let repaired = store.verify_audit(true).await.unwrap();
    assert!(!repaired.ok(true), "a broken chain stays broken");
    assert_eq!(store.feedback(&drifted.code).await.unwrap().0, drifted);
    let (_, after) =
        store.verify_audit(false).await.unwrap().records.into_iter().find(|(k, _)| *k == "feedback").unwrap();
    assert!(after.drifted.is_empty());
}
storage_test!(verify_detects_tampered_feedback);

/// Histories written before migration 0013 (no chain, the submission and the deadlines only in
/// the projection) are moved into the one log on the next start, completed from the projection.
async fn legacy_feedback_histories_are_adopted(url: String) {
    let store = Store::open(&url).await.unwrap();
    let at = datetime!(2026-03-10 09:00 +7);
    let fb = create(&store, "Lịch sử cũ", at).await;
    let fb = publish(&store, fb, "Đã trả lời.", at).await;
    let before = store.feedback_events(&fb.code).await.unwrap();
    // What the store held before 0013: the old event shapes, no chain.
    for s in &before {
        let mut v = serde_json::to_value(&s.event).unwrap();
        let o = v.as_object_mut().unwrap();
        for k in ["code", "center", "submission", "due", "publish_due"] {
            o.remove(k);
        }
        sqlx::query(
            "INSERT INTO legacy_feedback_events (code, seq, kind, at, actor, data) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(fb.code.clone())
        .bind(s.seq)
        .bind(s.event.what.name())
        .bind("x")
        .bind(s.event.by.clone())
        .bind(v.to_string())
        .execute(&store.pool)
        .await
        .unwrap();
    }
    sqlx::query("DELETE FROM record_events").execute(&store.pool).await.unwrap();
    sqlx::query("DELETE FROM record_heads").execute(&store.pool).await.unwrap();
    store.pool.close().await;

    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.feedback_events(&fb.code).await.unwrap(), before);
    let left: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM legacy_feedback_events").fetch_one(&store.pool).await.unwrap();
    assert_eq!(left, 0);
    let report = store.verify_audit(false).await.unwrap();
    assert!(report.ok(false), "{report:?}");
    // The adopted chain goes on.
    let next = create(&store, "Sau khi chuyển", at).await;
    step(&store, &next, &officer("tiepnhan", "C1", Role::Receiver), Command::Accept, at).await;
    store.pool.close().await;
}
storage_test!(url legacy_feedback_histories_are_adopted);
