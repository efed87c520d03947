//! Two Motcua instances on loopback exchange edXML (issue 7 part 5): each has its own SQLite
//! database, units, peers and credentials, the real router on a real socket and the real
//! delivery task (with a short backoff). A is a commune (000.01.01.H08), B a provincial agency
//! (000.00.12.H08); A routes to B through its province pattern `H08`, B to A by A's exact id.

mod instances;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use instances::{Instance, eventually, incoming, instance, state_of, unit};
use motcua_domain::dossier::Role;
use motcua_edxml::{Organ, OrganId, Package};
use motcua_store::edxml::Peer;
use motcua_store::users::User;
use serde_json::{Value, json};
use tower::ServiceExt;

const A_ORGAN: &str = "000.01.01.H08";
const B_ORGAN: &str = "000.00.12.H08";

/// Two instances that know each other: A → B through the province pattern, B → A exactly.
async fn pair() -> (Instance, Instance) {
    let a = instance("a", unit("XA", "UBND xã An Bình", "commune", "commune", A_ORGAN)).await;
    let b = instance("b", unit("SB", "Sở Nông nghiệp và Môi trường", "agency", "province", B_ORGAN)).await;
    let now = time::OffsetDateTime::now_utc();
    let (a_key, b_key) = (motcua_web::auth::new_token(), motcua_web::auth::new_token());
    b.store.add_peer_token(&motcua_web::auth::token_hash(&a_key), "xã An Bình", now).await.unwrap();
    a.store.add_peer_token(&motcua_web::auth::token_hash(&b_key), "Sở NN&MT", now).await.unwrap();
    a.store
        .put_peer(&Peer { pattern: "H08".into(), name: "tỉnh".into(), endpoint: b.url(), token: a_key }, now)
        .await
        .unwrap();
    b.store
        .put_peer(&Peer { pattern: A_ORGAN.into(), name: "xã".into(), endpoint: a.url(), token: b_key }, now)
        .await
        .unwrap();
    (a, b)
}

/// A công văn from A to B numbered `number`.
fn package(number: &str) -> Package {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../motcua-edxml/tests/data/package_cong_van.xml");
    let mut p = Package::from_xml(&std::fs::read(path).unwrap()).unwrap();
    p.header.from = Organ::new(OrganId::parse(A_ORGAN).unwrap(), "UBND xã An Bình");
    p.header.to = vec![Organ::new(OrganId::parse(B_ORGAN).unwrap(), "Sở Nông nghiệp và Môi trường")];
    p.header.code.number = number.to_owned();
    p.header.traces.clear();
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_sent_from_a_is_registered_once_at_b_and_b_statuses_reach_a_trace() {
    let (a, b) = pair().await;
    let (ta, tb) = (a.login().await, b.login().await);
    let (s, sent) = a.post_xml("/api/v1/edxml/outbox", &ta, package("101").to_xml()).await;
    assert_eq!(s, 201, "{sent}");
    let id = sent["id"].as_str().unwrap().to_owned();
    let got = eventually("registration at B", || async {
        let items = incoming(&b, &tb).await;
        (!items.is_empty()).then_some(items)
    })
    .await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["document_id"], sent["document_id"]);
    let in_id = got[0]["id"].as_str().unwrap().to_owned();
    eventually("03 at A", || async { (state_of(&a, &ta, &id).await.0 == "registered").then_some(()) }).await;
    for st in ["assigned", "processing", "completed"] {
        let (s, v) =
            b.call("POST", &format!("/api/v1/edxml/packages/{in_id}/status"), &tb, Some(json!({"status": st}))).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let (_, events) = eventually("06 at A", || async {
        let r = state_of(&a, &ta, &id).await;
        (r.0 == "completed").then_some(r)
    })
    .await;
    for e in ["queued", "sent", "status:03", "status:04", "status:05", "status:06"] {
        assert!(events.iter().any(|x| x == e), "{e} missing from {events:?}");
    }
    // The same package once more, directly: registered once, the repeat answers the first.
    let xml = a.store.edxml_package(&id).await.unwrap().unwrap().xml;
    let (s, again) = b.post_xml("/api/v1/edxml/inbox", &tb, xml).await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(again["id"], in_id.as_str());
    assert_eq!(again["duplicate"], true);
    assert_eq!(incoming(&b, &tb).await.len(), 1);
    assert!(again["register_document"].is_string());
    let (_, register) = b.call("GET", "/api/v1/documents?direction=incoming", &tb, None).await;
    assert_eq!(register.as_array().unwrap().len(), 1, "one entry in B's incoming register");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejection_with_its_reason_reaches_the_sender() {
    let (a, b) = pair().await;
    let (ta, tb) = (a.login().await, b.login().await);
    let (_, sent) = a.post_xml("/api/v1/edxml/outbox", &ta, package("102").to_xml()).await;
    let id = sent["id"].as_str().unwrap().to_owned();
    let in_id = eventually("registration", || async {
        incoming(&b, &tb).await.first().map(|p| p["id"].as_str().unwrap().to_owned())
    })
    .await;
    let (s, _) = b
        .call("POST", &format!("/api/v1/edxml/packages/{in_id}/status"), &tb, Some(json!({"status": "rejected"})))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a rejection needs a reason");
    let body = json!({"status": "rejected", "reason": "Sai thẩm quyền"});
    let (s, _) = b.call("POST", &format!("/api/v1/edxml/packages/{in_id}/status"), &tb, Some(body)).await;
    assert_eq!(s, StatusCode::OK);
    eventually("02 at A", || async { (state_of(&a, &ta, &id).await.0 == "rejected").then_some(()) }).await;
    let (_, v) = a.call("GET", &format!("/api/v1/edxml/packages/{id}"), &ta, None).await;
    let t = v["trace"].as_array().unwrap().iter().find(|t| t["event"] == "status:02").unwrap().clone();
    assert_eq!(t["description"], "Sai thẩm quyền");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_b_is_down_nothing_is_lost_and_it_is_delivered_once_when_b_is_back() {
    let (a, mut b) = pair().await;
    let (ta, tb) = (a.login().await, b.login().await);
    b.stop();
    let (s, sent) = a.post_xml("/api/v1/edxml/outbox", &ta, package("103").to_xml()).await;
    assert_eq!(s, 201);
    let id = sent["id"].as_str().unwrap().to_owned();
    let key = format!("edxml:{id}:{B_ORGAN}");
    let m = eventually("three failed attempts", || async {
        let m = a.store.outbox_message(&key).await.unwrap().unwrap();
        (m.attempts >= 3).then_some(m)
    })
    .await;
    assert_eq!(m.status, "pending", "still retried: {:?}", m.last_error);
    assert!(m.last_error.unwrap_or_default().contains("connect"));
    assert!(incoming(&b, &tb).await.is_empty());
    b.restart().await;
    eventually("delivery after restart", || async {
        let m = a.store.outbox_message(&key).await.unwrap().unwrap();
        (m.status == "sent").then_some(())
    })
    .await;
    eventually("03 at A", || async { (state_of(&a, &ta, &id).await.0 == "registered").then_some(()) }).await;
    assert_eq!(incoming(&b, &tb).await.len(), 1, "delivered exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_package_is_refused_naming_the_element_path_and_the_sender_does_not_retry() {
    let (a, b) = pair().await;
    let tb = b.login().await;
    let xml = package("104")
        .to_xml()
        .replace("<edXML:Subject>", "<edXML:Subjet>")
        .replace("</edXML:Subject>", "</edXML:Subjet>");
    let (s, v) = b.post_xml("/api/v1/edxml/inbox", &tb, xml).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["path"].as_str().unwrap().starts_with("edXML/edXMLEnvelope/edXMLHeader/MessageHeader"), "{v}");
    assert!(v["code"].as_str().is_some() && v["message_vi"].as_str().is_some());
    // Without a credential the inbox is closed.
    let (s, _) = b.post_xml("/api/v1/edxml/inbox", "wrong", package("105").to_xml()).await;
    assert_eq!(s, 401);
    // A package for an organ B does not host is refused for good at A (4xx → failed, no retry).
    let ta = a.login().await;
    let mut p = package("106");
    p.header.to = vec![Organ::new(OrganId::parse("000.00.99.H08").unwrap(), "Không có")];
    let (_, sent) = a.post_xml("/api/v1/edxml/outbox", &ta, p.to_xml()).await;
    let id = sent["id"].as_str().unwrap().to_owned();
    let (state, _) = eventually("failure at A", || async {
        let r = state_of(&a, &ta, &id).await;
        (r.0 == "failed").then_some(r)
    })
    .await;
    assert_eq!(state, "failed");
    let m = a.store.outbox_message(&format!("edxml:{id}:000.00.99.H08")).await.unwrap().unwrap();
    assert_eq!(m.attempts, 1);
    assert!(m.last_error.unwrap().contains("unknown_recipient"));
}

/// At A: a commune procedure whose third step is done by B (liên thông), its officers, and a
/// dossier received, assigned and waiting at that step. Answers the dossier code.
async fn dossier_at_consulted_step(a: &Instance) -> String {
    let p: motcua_domain::catalog::Procedure = serde_json::from_value(json!({
        "code": "1.000777", "name": "Chuyển mục đích sử dụng đất", "field": "Đất đai", "level": "commune",
        "agency": "COMMUNE", "processing_days": 4.0, "fees": [], "documents": [{"name": "Đơn", "original": true, "copies": 1}],
        "results": ["Quyết định"], "legal_basis": ["Luật Đất đai 2024"], "online_level": "full",
        "steps": [
            {"name": "Tiếp nhận", "role": "receiver", "unit": "COMMUNE", "days": 0.5},
            {"name": "Phân công", "role": "leader", "unit": "COMMUNE", "days": 0.5},
            {"name": "Xác định nghĩa vụ tài chính", "role": "specialist", "unit": "CONSULTED", "unit_code": "SB", "days": 2.0},
            {"name": "Phê duyệt", "role": "leader", "unit": "COMMUNE", "days": 0.5},
            {"name": "Trả kết quả", "role": "receiver", "unit": "COMMUNE", "days": 0.5}
        ]
    }))
    .unwrap();
    a.store.put_procedure(&p, motcua_store::today_vn()).await.unwrap();
    let hash = motcua_web::auth::hash_password("demo").unwrap();
    for (name, role) in [("tiepnhan", Role::Receiver), ("lanhdao", Role::Leader), ("chuyenvien", Role::Specialist)] {
        let user = User {
            username: name.into(),
            full_name: name.into(),
            password_hash: hash.clone(),
            default_password: true,
            must_change_password: false,
            active: true,
            roles: vec![(motcua_domain::ids::UnitCode::parse("XA").unwrap(), role)],
        };
        a.store.put_user(&user, time::OffsetDateTime::now_utc()).await.unwrap();
    }
    let req = Request::post("/api/v1/dossiers")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"procedure_code": "1.000777", "channel": "online", "unit": "XA",
                "applicant": {"name": "Lê Thị Bình", "id_number": "091234567891", "phone": "", "email": ""},
                "documents": ["Đơn"]})
            .to_string(),
        ))
        .unwrap();
    let res = a.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: Value = serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    let code = v["code"].as_str().unwrap().to_owned();
    for (user, action) in [
        ("tiepnhan", json!({"action": "receive"})),
        ("lanhdao", json!({"action": "assign", "assignee": "chuyenvien"})),
        ("lanhdao", json!({"action": "complete_step"})),
    ] {
        let token = login_as(a, user).await;
        let (d, _) = a.store.dossier(&code).await.unwrap();
        let req = Request::post(format!("/api/v1/dossiers/{code}/actions"))
            .header("authorization", format!("Bearer {token}"))
            .header("if-match", d.version.to_string())
            .header("content-type", "application/json")
            .body(Body::from(action.to_string()))
            .unwrap();
        let res = a.router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{user}");
    }
    let (d, _) = a.store.dossier(&code).await.unwrap();
    assert_eq!(d.current_step().unwrap().name, "Xác định nghĩa vụ tài chính");
    code
}

async fn login_as(i: &Instance, user: &str) -> String {
    let req = Request::post("/api/v1/auth/login")
        .header("content-type", "application/json")
        .body(Body::from(json!({"username": user, "password": "demo"}).to_string()))
        .unwrap();
    let res = i.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    v["token"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consulted_step_goes_to_b_with_its_attachment_and_b_result_completes_it_at_a() {
    use base64::Engine;
    let (a, b) = pair().await;
    let code = dossier_at_consulted_step(&a).await;
    let (before, _) = a.store.dossier(&code).await.unwrap();
    let lead = login_as(&a, "lanhdao").await;
    let pdf = b"%PDF-1.4 to khai".to_vec();
    let body = json!({"organ_id": B_ORGAN, "note": "Đề nghị xác định nghĩa vụ tài chính.",
        "attachments": [{"name": "don.pdf", "content_type": "application/pdf",
            "content_base64": base64::engine::general_purpose::STANDARD.encode(&pdf)}]});
    let (s, sent) = a.call("POST", &format!("/api/v1/edxml/dossiers/{code}/send"), &lead, Some(body.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{sent}");
    let (waiting, _) = a.store.dossier(&code).await.unwrap();
    assert_eq!(waiting.status, motcua_domain::dossier::Status::InProgress, "never closed while B works");
    assert_eq!(waiting.due_at, before.due_at);
    assert!(waiting.steps[2].completed_at.is_none() && waiting.steps[2].exchange.is_some());
    // Sending the same step again is refused: it already went out.
    let (s, _) = a.call("POST", &format!("/api/v1/edxml/dossiers/{code}/send"), &lead, Some(body)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // B registers it with the attachment and the step's due date, works on it, answers.
    let tb = b.login().await;
    let in_id = eventually("registration at B", || async {
        incoming(&b, &tb).await.first().map(|p| p["id"].as_str().unwrap().to_owned())
    })
    .await;
    let got = Package::from_xml(b.store.edxml_package(&in_id).await.unwrap().unwrap().xml.as_bytes()).unwrap();
    assert_eq!(got.attachments.len(), 1);
    assert_eq!(got.attachments[0].content, pdf);
    assert!(got.header.due_date.is_some());
    assert_eq!(got.header.traces.len(), 1, "A's hop is traced");
    let (s, _) = b
        .call("POST", &format!("/api/v1/edxml/packages/{in_id}/status"), &tb, Some(json!({"status": "processing"})))
        .await;
    assert_eq!(s, StatusCode::OK);
    let result = b"%PDF-1.4 thong bao thue".to_vec();
    let reply = json!({"number": "15", "notation": "TB-SNNMT", "subject": "Thông báo nghĩa vụ tài chính",
        "content": "Đã xác định.", "attachments": [{"name": "thong-bao.pdf", "content_type": "application/pdf",
            "content_base64": base64::engine::general_purpose::STANDARD.encode(&result)}]});
    let (s, v) = b.call("POST", &format!("/api/v1/edxml/packages/{in_id}/reply"), &tb, Some(reply)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    // At A the step completes with B's result; deadline and history intact.
    let d = eventually("the step completed at A", || async {
        let (d, _) = a.store.dossier(&code).await.unwrap();
        d.steps[2].completed_at.is_some().then_some(d)
    })
    .await;
    let r = d.steps[2].exchange.as_ref().unwrap().result.as_ref().unwrap();
    assert_eq!(r.attachments[0].name, "thong-bao.pdf");
    assert_eq!(d.step, 3, "the process moved on to approval");
    assert_eq!(d.due_at, before.due_at, "legal due instant unchanged");
    assert_eq!(d.status, motcua_domain::dossier::Status::InProgress);
    let actions: Vec<String> =
        a.store.events(&code).await.unwrap().iter().map(|e| e.event.data.action().to_owned()).collect();
    assert_eq!(actions, ["create", "receive", "assign", "complete_step", "sent_to_agency", "agency_result_received"]);
    // B's 06 reaches A's trace, and the answer delivered again changes nothing.
    let ta = a.login().await;
    let (_, out) = a.call("GET", "/api/v1/edxml/packages?direction=out&q=Li%C3%AAn", &ta, None).await;
    let id = out[0]["id"].as_str().unwrap().to_owned();
    eventually("06 at A", || async { (state_of(&a, &ta, &id).await.0 == "completed").then_some(()) }).await;
    let answer = b.store.edxml_packages("out", &["SB".to_owned()], None).await.unwrap();
    let (s, _) = a.post_xml("/api/v1/edxml/inbox", &ta, answer[0].xml.clone()).await;
    assert_eq!(s, 200);
    assert_eq!(a.store.events(&code).await.unwrap().len(), 6, "a repeated result is recorded once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_office_document_sent_at_a_lands_in_b_incoming_register_and_its_trace_comes_back() {
    let (a, b) = pair().await;
    let (ta, tb) = (a.login().await, b.login().await);
    let body = json!({"unit": "XA", "document_type": "Công văn", "code_notation": "UBND-VP",
        "subject": "V/v phối hợp xác minh nguồn gốc đất",
        "recipients": [{"organ_id": B_ORGAN, "name": "Sở Nông nghiệp và Môi trường"}], "send": true});
    let (s, doc) = a.call("POST", "/api/v1/documents", &ta, Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{doc}");
    let id = doc["id"].as_str().unwrap().to_owned();
    let registered = eventually("B's incoming register", || async {
        let (_, v) = b.call("GET", "/api/v1/documents?direction=incoming&q=nguồn", &tb, None).await;
        v.as_array().filter(|a| !a.is_empty()).cloned()
    })
    .await;
    assert_eq!(registered.len(), 1);
    assert_eq!(registered[0]["subject"], "V/v phối hợp xác minh nguồn gốc đất");
    let trace = eventually("03 in A's document trace", || async {
        let (_, v) = a.call("GET", &format!("/api/v1/documents/{id}"), &ta, None).await;
        let t = v["trace"].as_array().cloned().unwrap_or_default();
        t.iter().any(|x| x["status"] == "03").then_some(t)
    })
    .await;
    assert!(trace.iter().any(|x| x["status"] == "sent"), "{trace:?}");
}
