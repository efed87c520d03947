//! The electronic office over HTTP: registers numbered per unit and year (restarting on
//! 1 January), concurrent registrations, search without diacritics, assignment deadlines across
//! a holiday, scoping, bad input, links to dossiers, outgoing issue and send.

mod common;

use axum::http::StatusCode;
use common::{App, setup};
use motcua_domain::calendar::Calendar;
use motcua_domain::dossier::{Actor, Role};
use motcua_domain::office::{Document, Metadata, NewIncoming, Organ, Priority};
use serde_json::{Value, json};
use time::macros::datetime;

/// A clerk (văn thư) of `unit`, created through the store.
async fn clerk(app: &App, name: &str, unit: &str) -> String {
    common::add_clerk(app, name, unit).await;
    app.login(name).await
}

fn paper(subject: &str) -> Value {
    json!({
        "unit": "A1",
        "sender": {"organ_id": "000.00.00.H01", "name": "Ủy ban nhân dân tỉnh An Giang"},
        "document_type": "Công văn",
        "code_number": "123",
        "code_notation": "UBND-VP",
        "promulgation_date": "2026-03-01",
        "subject": subject,
    })
}

async fn register(app: &App, token: &str, subject: &str) -> Value {
    let r = app.call("POST", "/api/v1/documents/incoming", Some(token), None, Some(paper(subject))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body
}

/// Registers straight through the store at a chosen instant (the API always uses now).
async fn register_at(app: &App, id: &str, at: time::OffsetDateTime) -> Document {
    let actor = Actor::Officer {
        username: "vanthu".into(),
        grants: vec![(motcua_domain::ids::UnitCode::parse("A1").unwrap(), Role::Clerk)],
    };
    let meta = Metadata {
        code_number: None,
        code_notation: Some("STP-VP".into()),
        document_type: "Công văn".into(),
        subject: "Công văn về việc rà soát thủ tục".into(),
        content: None,
        promulgation_place: None,
        promulgation_date: None,
        signer: None,
        sender: Some(Organ { organ_id: None, name: "Sở Tư pháp".into() }),
        recipients: vec![],
        due_date: None,
        priority: Priority::Normal,
        steering_type: 0,
    };
    let new = NewIncoming {
        id: id.into(),
        unit: "A1".into(),
        meta,
        received_at: None,
        dossier_code: None,
        external_id: None,
    };
    app.store.create_document(Document::register_incoming(new, &actor, at).unwrap()).await.unwrap()
}

#[tokio::test]
async fn the_incoming_register_numbers_per_unit_per_year_and_restarts_on_the_first_of_january() {
    let app = setup().await;
    let a = register_at(&app, "y1", datetime!(2025-12-31 16:30 +7)).await;
    let b = register_at(&app, "y2", datetime!(2025-12-31 23:59 +7)).await;
    let c = register_at(&app, "y3", datetime!(2026-01-01 00:00:01 +7)).await;
    assert_eq!(
        [a, b, c].map(|d| (d.register_year.unwrap(), d.register_label())),
        [(2025, "01".to_owned()), (2025, "02".to_owned()), (2026, "01".to_owned())]
    );
    // Another unit's register is separate.
    let tx1 = clerk(&app, "vanthu.x1", "X1").await;
    let mut body = paper("Công văn gửi phường");
    body["unit"] = json!("X1");
    let r = app.call("POST", "/api/v1/documents/incoming", Some(&tx1), None, Some(body)).await;
    assert_eq!((r.status, r.body["register_number"].as_i64()), (StatusCode::CREATED, Some(1)));
}

#[tokio::test]
async fn concurrent_registrations_get_distinct_numbers() {
    let app = setup().await;
    let token = clerk(&app, "vanthu", "A1").await;
    let calls = (0..12).map(|i| {
        let (app, token) = (&app, token.clone());
        async move { register(app, &token, &format!("Công văn số {i}")).await["register_number"].as_i64().unwrap() }
    });
    let mut numbers = join_all(calls).await;
    numbers.sort();
    assert_eq!(numbers, (1..=12).collect::<Vec<i64>>());
}

/// Drives the futures together on this task (the router is called concurrently).
async fn join_all<F: std::future::Future<Output = i64>>(fs: impl Iterator<Item = F>) -> Vec<i64> {
    let mut pinned: Vec<_> = fs.map(Box::pin).collect();
    let mut results = vec![None; pinned.len()];
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if results[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => results[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    results.into_iter().flatten().collect()
}

#[tokio::test]
async fn search_without_diacritics_finds_the_document_and_scopes_hold() {
    let app = setup().await;
    let token = clerk(&app, "vanthu", "A1").await;
    let doc = register(&app, &token, "Công văn về việc đôn đốc giải quyết hồ sơ đất đai").await;
    register(&app, &token, "Giấy mời họp giao ban").await;
    let r = app
        .call(
            "GET",
            "/api/v1/documents?direction=incoming&q=cong%20van%20ve%20viec%20don%20doc",
            Some(&token),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body.as_array().unwrap().len(), 1, "{:?}", r.body);
    assert_eq!(r.body[0]["id"], doc["id"]);
    let r = app.call("GET", "/api/v1/documents?q=123%2Fubnd-vp", Some(&token), None, None).await;
    assert_eq!(r.body.as_array().unwrap().len(), 2);

    // Another unit's officer: nothing listed, 404 on the document, 403 on the unit's register.
    let other = app.login("tiepnhan.x1").await;
    let id = doc["id"].as_str().unwrap();
    let r = app.call("GET", "/api/v1/documents", Some(&other), None, None).await;
    assert_eq!(r.body.as_array().unwrap().len(), 0);
    let r = app.call("GET", &format!("/api/v1/documents/{id}"), Some(&other), None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.call("GET", "/api/v1/documents?unit=A1", Some(&other), None, None).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    let r = app
        .call("POST", &format!("/api/v1/documents/{id}/actions"), Some(&other), None, Some(json!({"action": "start"})))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A specialist of the unit sees only what is assigned to them.
    let cv = app.login("chuyenvien").await;
    let r = app.call("GET", "/api/v1/documents", Some(&cv), None, None).await;
    assert_eq!(r.body.as_array().unwrap().len(), 0);
    let r = app.call("GET", "/api/v1/documents", None, None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_assignment_deadline_in_working_days_skips_a_holiday_and_the_handler_completes() {
    let app = setup().await;
    let token = clerk(&app, "vanthu", "A1").await;
    let id = register(&app, &token, "Công văn khẩn").await["id"].as_str().unwrap().to_owned();
    let ld = app.login("lanhdao").await;
    let r = app
        .call(
            "POST",
            &format!("/api/v1/documents/{id}/actions"),
            Some(&ld),
            None,
            Some(json!({"action": "assign", "assignee": "chuyenvien", "working_days": 2, "version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "assigned");
    assert_eq!(r.body["edxml_status"], "04");
    // The same rule the API used, checked on a date across Tết 2026 (14–22/02).
    let cal = Calendar::vietnam_default();
    let doc = app.store.document(&id).await.unwrap();
    let due =
        motcua_domain::office::handling_deadline(&doc, Some(2.0), None, datetime!(2026-02-13 10:00 +7), &cal).unwrap();
    assert_eq!(due, Some(datetime!(2026-02-24 10:00 +7)));

    let cv = app.login("chuyenvien").await;
    let r = app.call("GET", "/api/v1/documents", Some(&cv), None, None).await;
    assert_eq!(r.body.as_array().unwrap().len(), 1, "assigned documents are visible to their handler");
    for action in ["start", "complete"] {
        let r = app
            .call("POST", &format!("/api/v1/documents/{id}/actions"), Some(&cv), None, Some(json!({"action": action})))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {:?}", r.body);
    }
    let r = app.call("GET", &format!("/api/v1/documents/{id}"), Some(&token), None, None).await;
    assert_eq!(r.body["status"], "completed");
    let kinds: Vec<_> =
        r.body["history"].as_array().unwrap().iter().map(|h| h["kind"].as_str().unwrap().to_owned()).collect();
    assert_eq!(kinds, ["registered", "assigned", "started", "completed"]);
    // A stale version is refused.
    let r = app
        .call(
            "POST",
            &format!("/api/v1/documents/{id}/actions"),
            Some(&ld),
            None,
            Some(json!({"action": "start", "version": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn bad_input_gets_a_code_and_a_vietnamese_message() {
    let app = setup().await;
    let token = clerk(&app, "vanthu", "A1").await;
    let cases = [
        (
            json!({"unit": "A1", "document_type": "Công văn", "subject": " ", "sender": {"name": "UBND"}}),
            StatusCode::BAD_REQUEST,
            "subject_required",
        ),
        (
            json!({"unit": "A1", "document_type": "Công văn", "subject": "X", "sender": {"organ_id": "bad id", "name": "UBND"}}),
            StatusCode::BAD_REQUEST,
            "invalid_organ_id",
        ),
        (
            json!({"unit": "A1", "document_type": "Công văn", "subject": "X", "sender": {"name": "UBND"}, "promulgation_date": "01/03/2026"}),
            StatusCode::BAD_REQUEST,
            "invalid_date",
        ),
        (
            json!({"unit": "A1", "document_type": "Công văn", "subject": "X", "sender": {"name": "UBND"}, "priority": "asap"}),
            StatusCode::BAD_REQUEST,
            "invalid_priority",
        ),
        (
            json!({"unit": "X2", "document_type": "Công văn", "subject": "X", "sender": {"name": "UBND"}}),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            json!({"unit": "A1", "document_type": "Công văn", "subject": "X", "sender": {"name": "UBND"}, "dossier_code": "NOPE-1"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_dossier",
        ),
    ];
    for (body, status, code) in cases {
        let r = app.call("POST", "/api/v1/documents/incoming", Some(&token), None, Some(body)).await;
        assert_eq!((r.status, r.body["code"].as_str()), (status, Some(code)), "{:?}", r.body);
        assert!(!r.body["message_vi"].as_str().unwrap().is_empty());
    }
    // Only the văn thư registers.
    let cv = app.login("chuyenvien").await;
    let r = app.call("POST", "/api/v1/documents/incoming", Some(&cv), None, Some(paper("X"))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let id = register(&app, &token, "Công văn").await["id"].as_str().unwrap().to_owned();
    let uri = format!("/api/v1/documents/{id}/actions");
    for (body, status, code) in [
        (json!({"action": "reject"}), StatusCode::BAD_REQUEST, "reason_required"),
        (json!({"action": "fly"}), StatusCode::BAD_REQUEST, "invalid_action"),
        (json!({"action": "assign", "assignee": "tiepnhan.x1"}), StatusCode::UNPROCESSABLE_ENTITY, "unknown_assignee"),
        (
            json!({"action": "assign", "assignee": "chuyenvien", "working_days": -1}),
            StatusCode::BAD_REQUEST,
            "invalid_working_days",
        ),
        (json!({"action": "complete"}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_transition"),
        (json!({"action": "issue"}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_transition"),
    ] {
        let r = app.call("POST", &uri, Some(&token), None, Some(body)).await;
        assert_eq!((r.status, r.body["code"].as_str()), (status, Some(code)), "{:?}", r.body);
    }
    let r = app
        .call("POST", &uri, Some(&token), None, Some(json!({"action": "reject", "reason": "Gửi nhầm đơn vị"})))
        .await;
    assert_eq!((r.status, r.body["edxml_status"].as_str()), (StatusCode::OK, Some("02")));
}

#[tokio::test]
async fn a_document_is_linked_to_a_dossier() {
    let app = setup().await;
    let token = clerk(&app, "vanthu", "A1").await;
    let (code, _, _) = app.submit_online().await;
    let id = register(&app, &token, "Văn bản trả lời hồ sơ").await["id"].as_str().unwrap().to_owned();
    let r = app
        .call(
            "POST",
            &format!("/api/v1/documents/{id}/actions"),
            Some(&token),
            None,
            Some(json!({"action": "link_dossier", "dossier_code": code})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["dossier_code"].as_str(), Some(code.as_str()));
    assert_eq!(app.store.documents_of_dossier(&code).await.unwrap().len(), 1);
    let r = app.call("GET", &format!("/api/v1/documents?q={}", code.to_lowercase()), Some(&token), None, None).await;
    assert_eq!(r.body.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_outgoing_document_is_drafted_issued_and_queued_for_each_recipient() {
    let app = setup().await;
    let vt = clerk(&app, "vanthu", "A1").await;
    let cv = app.login("chuyenvien").await;
    let body = json!({
        "unit": "A1", "document_type": "Công văn", "code_notation": "SNNMT-VP",
        "subject": "Công văn về việc hướng dẫn thủ tục đất đai",
        "recipients": [{"organ_id": "000.00.A1.H01", "name": "UBND phường Rạch Giá"}, {"name": "Công ty TNHH An Phú"}],
    });
    let r = app.call("POST", "/api/v1/documents", Some(&cv), None, Some(body.clone())).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::CREATED, Some("draft")), "{:?}", r.body);
    assert!(r.body["register_number"].is_null());
    let id = r.body["id"].as_str().unwrap().to_owned();
    let mut issue_now = body.clone();
    issue_now["issue"] = json!(true);
    let r = app.call("POST", "/api/v1/documents", Some(&cv), None, Some(issue_now)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "only the văn thư numbers");
    let r = app
        .call("POST", &format!("/api/v1/documents/{id}/actions"), Some(&vt), None, Some(json!({"action": "issue"})))
        .await;
    assert_eq!((r.body["status"].as_str(), r.body["number_notation"].as_str()), (Some("issued"), Some("01/SNNMT-VP")));
    let r = app
        .call("POST", &format!("/api/v1/documents/{id}/actions"), Some(&vt), None, Some(json!({"action": "send"})))
        .await;
    assert_eq!(r.body["status"], "sent");
    let trace = r.body["trace"].as_array().unwrap();
    assert_eq!(trace.len(), 2);
    assert!(trace.iter().all(|t| t["status"] == "queued"));
    let mut send_now = body;
    send_now["send"] = json!(true);
    let r = app.call("POST", "/api/v1/documents", Some(&vt), None, Some(send_now)).await;
    assert_eq!(
        (r.status, r.body["status"].as_str(), r.body["register_number"].as_i64()),
        (StatusCode::CREATED, Some("sent"), Some(2))
    );
    let r = app.call("GET", "/api/v1/documents?direction=outgoing", Some(&vt), None, None).await;
    assert_eq!(r.body.as_array().unwrap().len(), 2);
    let r = app.call("GET", "/api/v1/documents?direction=incoming", Some(&vt), None, None).await;
    assert_eq!(r.body.as_array().unwrap().len(), 0);
}
