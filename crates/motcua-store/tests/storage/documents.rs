//! The electronic office's registers: numbers per unit, direction and year that restart on
//! 1 January and are never given twice (also under concurrent registrations), idempotent
//! package registration, history, traces, search without diacritics, scopes.

use motcua_domain::calendar::Calendar;
use motcua_domain::dossier::{Actor, Role};
use motcua_domain::office::{
    Command, Direction, Document, EdxmlStatus, Metadata, NewIncoming, Organ, Priority, Status, TraceStatus, decide,
};
use motcua_store::Store;
use motcua_store::documents::{DocumentFilter, RegisterScope};

use crate::common::fixtures::at;
use crate::storage_test;

pub(crate) fn clerk(unit: &str) -> Actor {
    Actor::Officer {
        username: format!("vanthu.{unit}"),
        grants: vec![(crate::common::fixtures::unit_code(unit), Role::Clerk)],
    }
}

fn meta(subject: &str) -> Metadata {
    Metadata {
        code_number: Some("45".into()),
        code_notation: Some("UBND-VP".into()),
        document_type: "Công văn".into(),
        subject: subject.into(),
        content: Some("Đề nghị các đơn vị báo cáo trước ngày 20.".into()),
        promulgation_place: None,
        promulgation_date: None,
        signer: None,
        sender: Some(Organ {
            organ_id: Some("000.00.00.H01".into()), name: "Ủy ban nhân dân tỉnh An Giang".into()
        }),
        recipients: vec![],
        due_date: None,
        priority: Priority::Normal,
        steering_type: 0,
    }
}

pub(crate) fn new_doc(id: &str, unit: &str, subject: &str) -> NewIncoming {
    NewIncoming {
        id: id.into(),
        unit: unit.into(),
        meta: meta(subject),
        received_at: None,
        dossier_code: None,
        external_id: None,
    }
}

async fn register(store: &Store, id: &str, unit: &str, when: &str) -> Document {
    let d =
        Document::register_incoming(new_doc(id, unit, "Công văn về việc cải cách hành chính"), &clerk(unit), at(when))
            .expect("decide");
    store.create_document(d).await.expect("register")
}

async fn incoming_numbers_run_per_unit_and_restart_on_the_first_of_january(store: Store) {
    let a = register(&store, "d1", "U1", "2025-12-31T16:00:00+07:00").await;
    let b = register(&store, "d2", "U1", "2025-12-31T23:59:00+07:00").await;
    let other = register(&store, "d3", "U2", "2025-12-31T23:59:30+07:00").await;
    let c = register(&store, "d4", "U1", "2026-01-01T00:00:00+07:00").await;
    let d = register(&store, "d5", "U1", "2026-01-02T08:00:00+07:00").await;
    let got: Vec<_> = [&a, &b, &other, &c, &d].iter().map(|x| (x.register_year, x.register_number)).collect();
    assert_eq!(
        got,
        vec![
            (Some(2025), Some(1)),
            (Some(2025), Some(2)),
            (Some(2025), Some(1)),
            (Some(2026), Some(1)),
            (Some(2026), Some(2))
        ]
    );
    assert_eq!(store.document("d4").await.unwrap(), c);
    assert_eq!(store.register_last_number("U1", Direction::Incoming, 2025).await.unwrap(), 2);
}
storage_test!(incoming_numbers_run_per_unit_and_restart_on_the_first_of_january);

async fn concurrent_registrations_get_distinct_numbers_without_gaps(store: Store) {
    let mut tasks = Vec::new();
    for i in 0..24 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let d = Document::register_incoming(
                new_doc(&format!("c{i}"), "U1", "Công văn đồng thời"),
                &clerk("U1"),
                at("2026-03-02T09:00:00+07:00"),
            )
            .unwrap();
            store.create_document(d).await
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.unwrap().expect("registered").register_number.unwrap());
    }
    numbers.sort();
    assert_eq!(numbers, (1..=24).collect::<Vec<i64>>());
}
storage_test!(concurrent_registrations_get_distinct_numbers_without_gaps);

async fn an_outgoing_document_is_numbered_when_issued_concurrently_and_drafts_share_no_number(store: Store) {
    let specialist = Actor::Officer {
        username: "cv".into(),
        grants: vec![(crate::common::fixtures::unit_code("U1"), Role::Specialist)],
    };
    let mut ids = Vec::new();
    for i in 0..6 {
        let mut m = meta("Dự thảo công văn");
        m.sender = None;
        m.recipients =
            vec![Organ { organ_id: Some("000.00.A1.H01".into()), name: "UBND phường Rạch Giá".into() }];
        let d = Document::draft_outgoing(
            format!("o{i}"),
            "U1".into(),
            m,
            None,
            &specialist,
            at("2026-03-02T09:00:00+07:00"),
        )
        .unwrap();
        let doc = store.create_document(d).await.unwrap();
        assert_eq!((doc.status, doc.register_number), (Status::Draft, None));
        ids.push(doc);
    }
    let mut tasks = Vec::new();
    for doc in ids {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let t = at("2026-03-02T10:00:00+07:00");
            let d = decide(&doc, &clerk("U1"), Command::Issue, t, &Calendar::vietnam_default()).unwrap();
            store.append_document(&doc.id, doc.version, d).await
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        let doc = t.await.unwrap().expect("issued");
        assert_eq!(doc.meta.number_notation(), format!("{:02}/UBND-VP", doc.register_number.unwrap()));
        numbers.push(doc.register_number.unwrap());
    }
    numbers.sort();
    assert_eq!(numbers, (1..=6).collect::<Vec<i64>>());
    assert_eq!(store.register_last_number("U1", Direction::Incoming, 2026).await.unwrap(), 0, "separate registers");
}
storage_test!(an_outgoing_document_is_numbered_when_issued_concurrently_and_drafts_share_no_number);

async fn a_package_delivered_twice_is_registered_once(store: Store) {
    let mk = |id: &str| {
        Document::register_incoming(
            new_doc(id, "U1", "Công văn liên thông"),
            &clerk("U1"),
            at("2026-03-02T09:00:00+07:00"),
        )
        .unwrap()
    };
    let (first, created) = store.register_document(mk("p1"), Some("abc123")).await.unwrap();
    assert!(created);
    let (again, created) = store.register_document(mk("p2"), Some("abc123")).await.unwrap();
    assert!(!created);
    assert_eq!(again.id, first.id);
    let (elsewhere, created) = store
        .register_document(
            Document::register_incoming(
                new_doc("p3", "U2", "Công văn liên thông"),
                &clerk("U2"),
                at("2026-03-02T09:00:00+07:00"),
            )
            .unwrap(),
            Some("abc123"),
        )
        .await
        .unwrap();
    assert!(created && elsewhere.id == "p3", "another receiving unit registers it too");
    assert_eq!(store.register_last_number("U1", Direction::Incoming, 2026).await.unwrap(), 1, "no number wasted");
}
storage_test!(a_package_delivered_twice_is_registered_once);

async fn history_traces_search_and_scopes(store: Store) {
    let doc = register(&store, "h1", "U1", "2026-03-02T09:00:00+07:00").await;
    let leader = Actor::Officer {
        username: "ld".into(),
        grants: vec![(crate::common::fixtures::unit_code("U1"), Role::Leader)],
    };
    let cmd = Command::Assign { assignee: "cv".into(), working_days: Some(3.0), due_at: None, note: None };
    let d = decide(&doc, &leader, cmd, at("2026-03-02T10:00:00+07:00"), &Calendar::vietnam_default()).unwrap();
    let doc = store.append_document("h1", 1, d.clone()).await.unwrap();
    assert_eq!((doc.status, doc.version, doc.assignee.as_deref()), (Status::Assigned, 2, Some("cv")));
    assert!(matches!(store.append_document("h1", 1, d).await, Err(motcua_store::StoreError::Conflict { current: 2 })));
    let link = Command::LinkDossier { dossier_code: "C1-260302-0001".into() };
    let d = decide(&doc, &leader, link, at("2026-03-02T10:05:00+07:00"), &Calendar::vietnam_default()).unwrap();
    store.append_document("h1", 2, d).await.unwrap();
    let events = store.document_events("h1").await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.event.what.name()).collect::<Vec<_>>(),
        vec!["registered", "assigned", "linked_dossier"]
    );
    assert_eq!(store.documents_of_dossier("C1-260302-0001").await.unwrap().len(), 1);

    store
        .add_document_trace("h1", "000.00.00.H01", TraceStatus::Queued, None, at("2026-03-02T10:00:00+07:00"))
        .await
        .unwrap();
    store
        .add_document_trace(
            "h1",
            "000.00.00.H01",
            TraceStatus::Edxml(EdxmlStatus::Rejected),
            Some("Sai thẩm quyền"),
            at("2026-03-02T10:00:00+07:00"),
        )
        .await
        .unwrap();
    let traces = store.document_traces("h1").await.unwrap();
    assert_eq!(traces.iter().map(|t| t.status.as_str()).collect::<Vec<_>>(), vec!["queued", "02"]);
    assert_eq!(traces[1].description.as_deref(), Some("Sai thẩm quyền"));

    register(&store, "h2", "U2", "2026-03-02T09:00:00+07:00").await;
    let whole = |q: &str| DocumentFilter {
        scopes: vec![RegisterScope { unit: "U1".into(), person: None }],
        q: q.into(),
        ..Default::default()
    };
    assert_eq!(store.documents_list(&whole("cong van ve viec CAI CACH")).await.unwrap().len(), 1);
    assert_eq!(store.documents_list(&whole("45/ubnd-vp")).await.unwrap().len(), 1);
    assert_eq!(store.documents_list(&whole("uy ban nhan dan tinh")).await.unwrap().len(), 1);
    assert_eq!(store.documents_list(&whole("100%_")).await.unwrap().len(), 0);
    let mine = |p: &str| DocumentFilter {
        scopes: vec![RegisterScope { unit: "U1".into(), person: Some(p.into()) }],
        direction: Some(Direction::Incoming),
        status: Some(Status::Assigned),
        ..Default::default()
    };
    assert_eq!(store.documents_list(&mine("cv")).await.unwrap().len(), 1);
    assert_eq!(store.documents_list(&mine("someone")).await.unwrap().len(), 0);
    let ranged = DocumentFilter {
        scopes: vec![
            RegisterScope { unit: "U1".into(), person: None },
            RegisterScope { unit: "U2".into(), person: None },
        ],
        from: Some(at("2026-03-02T00:00:00+07:00")),
        to: Some(at("2026-03-03T00:00:00+07:00")),
        register_order: true,
        ..Default::default()
    };
    assert_eq!(store.documents_list(&ranged).await.unwrap().len(), 2);
}
storage_test!(history_traces_search_and_scopes);
