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
        .create_feedback(at, "hash", |code| Feedback::submit(code, "C1".into(), s.clone(), at, &cal, &rules))
        .await
        .unwrap()
}

fn officer(name: &str, unit: &str, role: Role) -> Actor {
    Actor::Officer { username: name.into(), grants: vec![(unit.into(), role)] }
}

async fn step(store: &Store, fb: &Feedback, actor: &Actor, cmd: Command, at: OffsetDateTime) -> Feedback {
    let e = decide(fb, actor, cmd, at).unwrap();
    store
        .append_feedback(&fb.code, fb.version, &e, &Calendar::vietnam_default(), &FeedbackRules::default())
        .await
        .unwrap()
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
    let e = decide(&a, &officer("tiepnhan", "C1", Role::Receiver), Command::Accept, day).unwrap();
    let cal = Calendar::vietnam_default();
    assert!(matches!(
        store.append_feedback(&a.code, 7, &e, &cal, &FeedbackRules::default()).await,
        Err(StoreError::Conflict { current: 1 })
    ));
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
