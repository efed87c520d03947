//! Files through the JSON API (issue 13): a submission's documents, a supplement's files and an
//! approval's result, sent as `multipart/form-data` beside the JSON (`body` part), stored in the
//! same transaction as the dossier or the action, refused with clear codes.

mod common;

use axum::http::StatusCode;
use common::{App, setup};
use serde_json::{Value, json};

fn pdf() -> Vec<u8> {
    b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec()
}

fn submission() -> Value {
    json!({"procedure_code": "1.000001", "channel": "online",
        "applicant": {"name": "Nguyễn Văn An", "id_number": "091234567890", "phone": "0912345678"},
        "documents": ["Tờ khai", "Bản sao CCCD"]})
}

/// Files not owned by any record (none may be left by a refused request).
async fn orphans(app: &App) -> u64 {
    app.store.collect_orphan_files(time::OffsetDateTime::now_utc() + time::Duration::days(1)).await.unwrap()
}

#[tokio::test]
async fn a_submission_carries_its_documents_files_in_the_same_request() {
    let app = setup().await;
    let body = submission().to_string();
    let r = app
        .call_multipart(
            "/api/v1/dossiers",
            None,
            None,
            &[("body", &body)],
            &[("documents[1]", "cccd.pdf", "application/pdf", pdf())],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let code = r.body["code"].as_str().unwrap().to_owned();
    let files = app.store.files_of(&code).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!((files[0].name.as_str(), files[0].kind.as_str()), ("cccd.pdf", "document"));
    let tn = app.login("tiepnhan").await;
    let d = app.call("GET", &format!("/api/v1/dossiers/{code}"), Some(&tn), None, None).await;
    let docs = &d.body["dossier"]["documents"];
    assert_eq!(docs[1]["file"], files[0].id.as_str(), "{docs}");
    assert_eq!(docs[1]["digitized"], true);
    assert!(docs[0]["file"].is_null(), "{docs}");

    // The receiver opens the uploaded file from the counter page before receiving.
    let mut b = common::Browser::new(&app);
    b.sign_in("tiepnhan").await;
    let page = b.get(&format!("/quay/ho-so/{code}")).await;
    let href = format!("/can-bo/tep/{}", files[0].id);
    assert!(page.html.contains(&format!("href=\"{href}\"")) && page.html.contains("cccd.pdf"), "{}", page.html);
    let file = b.get(&href).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.html.starts_with("%PDF-"));
}

#[tokio::test]
async fn bad_uploads_are_refused_with_a_code_and_store_nothing() {
    let app = setup().await;
    let body = submission().to_string();
    type Case<'a> = (Vec<(&'a str, &'a str)>, Vec<(&'a str, &'a str, &'a str, Vec<u8>)>, StatusCode, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![("body", &body)],
            vec![("documents[2]", "x.pdf", "application/pdf", pdf())],
            StatusCode::BAD_REQUEST,
            "unexpected_file",
        ),
        (
            vec![("body", &body)],
            vec![("tep", "x.pdf", "application/pdf", pdf())],
            StatusCode::BAD_REQUEST,
            "unexpected_file",
        ),
        (
            vec![("body", &body)],
            vec![
                ("documents[0]", "a.pdf", "application/pdf", pdf()),
                ("documents[0]", "b.pdf", "application/pdf", pdf()),
            ],
            StatusCode::BAD_REQUEST,
            "unexpected_file",
        ),
        (
            vec![("body", &body)],
            vec![("documents[0]", "virus.pdf", "application/pdf", b"MZ\x90\0 a program".to_vec())],
            StatusCode::UNPROCESSABLE_ENTITY,
            "file_type_not_accepted",
        ),
        (
            vec![("body", &body)],
            vec![("documents[0]", "big.pdf", "application/pdf", vec![b'%'; 10 * 1024 * 1024 + 1])],
            StatusCode::PAYLOAD_TOO_LARGE,
            "file_too_large",
        ),
        (vec![], vec![("documents[0]", "a.pdf", "application/pdf", pdf())], StatusCode::BAD_REQUEST, "json_required"),
        (vec![("body", "{not json")], vec![], StatusCode::BAD_REQUEST, "invalid_json"),
        (vec![("body", &body), ("note", "x")], vec![], StatusCode::BAD_REQUEST, "invalid_multipart"),
    ];
    for (fields, files, status, code) in cases {
        let r = app.call_multipart("/api/v1/dossiers", None, None, &fields, &files).await;
        assert_eq!((r.status, r.body["code"].as_str()), (status, Some(code)), "{:?}", r.body);
        assert!(r.body["message_vi"].as_str().is_some_and(|m| !m.is_empty()), "{:?}", r.body);
    }
    // A file the domain refuses with its dossier (an unknown procedure) is not stored either.
    let unknown = json!({"procedure_code": "9.999999", "channel": "online",
        "applicant": {"name": "An", "id_number": "091234567890"}, "documents": ["Tờ khai"]})
    .to_string();
    let r = app
        .call_multipart(
            "/api/v1/dossiers",
            None,
            None,
            &[("body", &unknown)],
            &[("documents[0]", "a.pdf", "application/pdf", pdf())],
        )
        .await;
    assert!(r.status.is_client_error(), "{:?}", r.body);
    assert_eq!(orphans(&app).await, 0, "no file left without its dossier");
    // JSON bodies keep the JSON limit on the upload routes.
    let huge = json!({"procedure_code": "1.000001", "channel": "online", "applicant": {"name": "x".repeat(motcua_web::MAX_BODY + 10)}});
    let r = app.call("POST", "/api/v1/dossiers", None, None, Some(huge)).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")));
}

#[tokio::test]
async fn a_supplement_and_an_approval_carry_their_files_with_the_action() {
    let app = setup().await;
    let (code, secret, v) = app.submit_online().await;
    let tn = app.login("tiepnhan").await;
    let ld = app.login("lanhdao").await;
    let cv = app.login("chuyenvien").await;
    let r = app.act(&tn, &code, v, json!({"action": "receive"})).await;
    let r = app.assign(&ld, &code, r.body["version"].as_i64().unwrap(), "chuyenvien").await;
    let action = json!({"action": "request_supplement", "reason": "Thiếu bản sao CCCD", "items": ["Bản sao CCCD"]});
    let r = app.act(&cv, &code, r.body["version"].as_i64().unwrap(), action).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let v = r.body["version"].as_i64().unwrap();
    let uri = format!("/api/v1/dossiers/{code}/actions?secret={secret}");
    let supplement = json!({"action": "supplement", "note": "Bản sao CCCD"}).to_string();

    // A stale version stores neither the action nor its file.
    let r = app
        .call_multipart(
            &uri,
            None,
            Some(v - 1),
            &[("body", &supplement)],
            &[("files", "cccd.pdf", "application/pdf", pdf())],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert!(app.store.files_of(&code).await.unwrap().is_empty());
    // A file id is never taken from the sender.
    let claims = json!({"action": "supplement", "documents": [{"name": "CCCD", "file": "someone-elses"}]}).to_string();
    let r = app.call_multipart(&uri, None, Some(v), &[("body", &claims)], &[]).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("unexpected_file")));

    let r = app
        .call_multipart(
            &uri,
            None,
            Some(v),
            &[("body", &supplement)],
            &[("files", "cccd.pdf", "application/pdf", pdf())],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let files = app.store.files_of(&code).await.unwrap();
    assert_eq!(
        files.iter().map(|f| (f.name.as_str(), f.kind.as_str())).collect::<Vec<_>>(),
        [("cccd.pdf", "document")]
    );
    let events = app.store.events(&code).await.unwrap();
    let last = serde_json::to_value(&events.last().unwrap().event).unwrap().to_string();
    assert!(last.contains(&files[0].id), "the supplement names its stored file: {last}");

    let r = app.act(&cv, &code, r.body["version"].as_i64().unwrap(), json!({"action": "complete_step"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let v = r.body["version"].as_i64().unwrap();
    let uri = format!("/api/v1/dossiers/{code}/actions");
    let approve = json!({"action": "approve"}).to_string();
    let two = [("files", "a.pdf", "application/pdf", pdf()), ("files", "b.pdf", "application/pdf", pdf())];
    let r = app.call_multipart(&uri, Some(&ld), Some(v), &[("body", &approve)], &two).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("too_many_files")));
    let reject = json!({"action": "reject", "reason": "x"}).to_string();
    let r = app.call_multipart(&uri, Some(&ld), Some(v), &[("body", &reject)], &two[..1]).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("unexpected_file")));
    let r = app.call_multipart(&uri, Some(&ld), Some(v), &[("body", &approve)], &two[..1]).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["dossier"]["result"]["digitized"], true, "the result is digitized because its file is stored");
    let kinds: Vec<String> = app.store.files_of(&code).await.unwrap().into_iter().map(|f| f.kind).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "result").count(), 1, "{kinds:?}");
    assert_eq!(orphans(&app).await, 0);
}

#[tokio::test]
async fn concurrent_supplements_with_files_have_one_winner_and_store_only_its_file() {
    let app = setup().await;
    let (code, secret, v) = app.submit_online().await;
    let tn = app.login("tiepnhan").await;
    let ld = app.login("lanhdao").await;
    let cv = app.login("chuyenvien").await;
    let r = app.act(&tn, &code, v, json!({"action": "receive"})).await;
    let r = app.assign(&ld, &code, r.body["version"].as_i64().unwrap(), "chuyenvien").await;
    let action = json!({"action": "request_supplement", "reason": "Thiếu bản sao CCCD", "items": ["Bản sao CCCD"]});
    let r = app.act(&cv, &code, r.body["version"].as_i64().unwrap(), action).await;
    let v = r.body["version"].as_i64().unwrap();
    let uri = format!("/api/v1/dossiers/{code}/actions?secret={secret}");
    let body = json!({"action": "supplement"}).to_string();
    let send = |name: &'static str| {
        let (uri, body) = (uri.clone(), body.clone());
        let app = &app;
        async move {
            let files = [("files", name, "application/pdf", pdf())];
            app.call_multipart(&uri, None, Some(v), &[("body", &body)], &files).await
        }
    };
    let (a, b, c, d) = tokio::join!(send("a.pdf"), send("b.pdf"), send("c.pdf"), send("d.pdf"));
    let statuses: Vec<StatusCode> = [&a, &b, &c, &d].iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 3, "{statuses:?}");
    let files = app.store.files_of(&code).await.unwrap();
    assert_eq!(files.len(), 1, "only the winner's file is stored");
    assert_eq!(orphans(&app).await, 0);
}

#[tokio::test]
async fn digitized_and_reused_are_facts_of_stored_files_never_a_clients_flags() {
    let app = setup().await;
    let with = |docs: Value| {
        let mut s = submission();
        s["documents"] = docs;
        s
    };
    // Re-use is the server's decision; a flag is refused, whatever else is sent.
    let r = app
        .call("POST", "/api/v1/dossiers", None, None, Some(with(json!([{"name": "Tờ khai", "reused": true}]))))
        .await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reuse_not_declared")));
    // "Digitized" without its file is refused; with the file it is a fact, with its source.
    let claim = with(json!([{"name": "Tờ khai", "digitized": true}, "Bản sao CCCD"]));
    let r = app.call("POST", "/api/v1/dossiers", None, None, Some(claim.clone())).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("scan_required")));
    let body = claim.to_string();
    let r = app
        .call_multipart(
            "/api/v1/dossiers",
            None,
            None,
            &[("body", &body)],
            &[("documents[0]", "tk.pdf", "application/pdf", pdf())],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let code = r.body["code"].as_str().unwrap().to_owned();
    let tn = app.login("tiepnhan").await;
    let d = app.call("GET", &format!("/api/v1/dossiers/{code}"), Some(&tn), None, None).await;
    let docs = &d.body["dossier"]["documents"];
    assert_eq!((docs[0]["digitized"].as_bool(), docs[0]["reused"].as_bool()), (Some(true), Some(false)), "{docs}");
    assert_eq!(
        (docs[0]["provenance"]["source"].as_str(), docs[0]["provenance"]["by"].as_str()),
        (Some("online"), Some("applicant"))
    );
    assert_eq!(docs[1]["digitized"], false, "an online document without its file is not digitized: {docs}");

    // At reception a tick is refused; the scan of the second document is attached as documents[1].
    let v = d.body["version"].as_i64().unwrap();
    let r = app
        .call(
            "POST",
            &format!("/api/v1/dossiers/{code}/actions"),
            Some(&tn),
            Some(v),
            Some(json!({"action": "receive", "digitized": ["Bản sao CCCD"]})),
        )
        .await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("scan_required")),
        "{:?}",
        r.body
    );
    let action = json!({"action": "receive"}).to_string();
    let r = app
        .call_multipart(
            &format!("/api/v1/dossiers/{code}/actions"),
            Some(&tn),
            Some(v),
            &[("body", &action)],
            &[("documents[1]", "cccd-scan.pdf", "application/pdf", pdf())],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let docs = &r.body["dossier"]["documents"];
    assert_eq!(
        (docs[1]["digitized"].as_bool(), docs[1]["provenance"]["source"].as_str()),
        (Some(true), Some("counter")),
        "{docs}"
    );
    assert_eq!(docs[1]["provenance"]["by"], "tiepnhan");
    // Both scans are stored, and the same bytes twice are kept once (content-addressed).
    let files = app.store.files_of(&code).await.unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0].sha256, files[1].sha256);
    assert_eq!(app.store.blob_count().await.unwrap(), 1);
    // A scan for a document the dossier does not have is refused.
    let v = r.body["version"].as_i64().unwrap();
    let r = app
        .call_multipart(
            &format!("/api/v1/dossiers/{code}/actions"),
            Some(&tn),
            Some(v),
            &[("body", &json!({"action": "complete_step"}).to_string())],
            &[("documents[9]", "x.pdf", "application/pdf", pdf())],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    assert_eq!(orphans(&app).await, 0);
}
