//! Signed electronic results (issue 16 item 4): the result is signed by its unit's key at
//! approval; anyone verifies it by its hash (the QR's page), by uploading the file, or with
//! OpenSSL from the published key and the detached signature; a changed file is no result; a
//! signature that does not verify shows as invalid; nothing about the applicant is shown.

mod common;

use axum::http::StatusCode;
use common::{App, setup};
use serde_json::json;

fn result_pdf() -> Vec<u8> {
    b"%PDF-1.7\n1 0 obj << /Title (Giay chung nhan) >> endobj\ntrailer << >>\n%%EOF\n".to_vec()
}

/// A dossier approved with `file` as its electronic result: its code.
async fn approved_with(app: &App, file: Vec<u8>) -> String {
    let (code, _, v) = app.submit_online().await;
    let tn = app.login("tiepnhan").await;
    let ld = app.login("lanhdao").await;
    let cv = app.login("chuyenvien").await;
    let r = app.act(&tn, &code, v, json!({"action": "receive"})).await;
    let r = app.assign(&ld, &code, r.body["version"].as_i64().unwrap(), "chuyenvien").await;
    let r = app.act(&cv, &code, r.body["version"].as_i64().unwrap(), json!({"action": "complete_step"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let approve = json!({"action": "approve"}).to_string();
    let r = app
        .call_multipart(
            &format!("/api/v1/dossiers/{code}/actions"),
            Some(&ld),
            Some(r.body["version"].as_i64().unwrap()),
            &[("body", &approve)],
            &[("files", "ket-qua.pdf", "application/pdf", file)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    code
}

fn sha256_hex(b: &[u8]) -> String {
    motcua_domain::audit::sha256_hex(&[b])
}

#[tokio::test]
async fn an_issued_result_is_signed_by_its_unit_and_anyone_can_verify_it() {
    let app = setup().await;
    let file = result_pdf();
    let code = approved_with(&app, file.clone()).await;
    let sha = sha256_hex(&file);
    let tn = app.login("tiepnhan").await;
    let d = app.call("GET", &format!("/api/v1/dossiers/{code}"), Some(&tn), None, None).await;
    let sig = &d.body["dossier"]["result"]["signature"];
    assert_eq!((sig["algorithm"].as_str(), sig["unit"].as_str()), (Some("ecdsa-p256-sha256"), Some("A1")), "{sig}");
    assert_eq!(sig["sha256"].as_str(), Some(sha.as_str()));

    // By its hash (the QR code's page), anonymously.
    let r = app.call("GET", &format!("/api/v1/results/{sha}"), None, None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!((r.body["status"].as_str(), r.body["unit"].as_str()), (Some("valid"), Some("A1")));
    assert_eq!(r.body["procedure_code"].as_str(), Some("1.000001"));
    assert_eq!(r.body["signature"]["valid"], true);
    let text = r.body.to_string();
    assert!(!text.contains("Nguyễn Văn An") && !text.contains("091234567890") && !text.contains(&code), "{text}");

    // By uploading the file; a file changed by one byte is no result.
    let (status, _, body) =
        app.call_raw("POST", "/api/v1/results/verify", "application/octet-stream", file.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["status"], "valid");
    let mut tampered = file.clone();
    tampered[12] ^= 0x20;
    let (status, _, _) =
        app.call_raw("POST", "/api/v1/results/verify", "application/octet-stream", tampered.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app.call_raw("POST", "/api/v1/results/verify", "application/octet-stream", Vec::new()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let r = app.call("GET", "/api/v1/results/not-a-hash", None, None, None).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_hash")));
    let r = app.call("GET", &format!("/api/v1/results/{}", sha256_hex(b"other")), None, None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // OpenSSL verifies the detached signature with the published key, and refuses the changed file.
    let key_id = sig["key_id"].as_str().unwrap();
    let (status, ct, pem) =
        app.call_raw("GET", &format!("/api/v1/result-keys/{key_id}"), "text/plain", Vec::new()).await;
    assert_eq!((status, ct.as_str()), (StatusCode::OK, "application/x-pem-file"));
    let (status, _, der) =
        app.call_raw("GET", &format!("/api/v1/results/{sha}/signature"), "text/plain", Vec::new()).await;
    assert_eq!(status, StatusCode::OK);
    let dir = std::env::temp_dir().join(format!("motcua-verify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in [("khoa.pem", &pem), ("ket-qua.sig", &der), ("ket-qua.pdf", &file), ("sua.pdf", &tampered)] {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let openssl = |file: &str| {
        std::process::Command::new("openssl")
            .args(["dgst", "-sha256", "-verify", "khoa.pem", "-signature", "ket-qua.sig", file])
            .current_dir(&dir)
            .output()
            .expect("openssl is installed (.ci/run installs it)")
    };
    let good = openssl("ket-qua.pdf");
    assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stderr));
    assert_eq!(String::from_utf8_lossy(&good.stdout).trim(), "Verified OK");
    assert!(!openssl("sua.pdf").status.success(), "a changed file fails OpenSSL's check too");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_verification_page_answers_a_qr_code_and_an_upload_without_javascript() {
    let app = setup().await;
    let file = result_pdf();
    approved_with(&app, file.clone()).await;
    let sha = sha256_hex(&file);
    let mut b = common::Browser::new(&app);
    let page = b.get(&format!("/xac-thuc/{sha}")).await;
    assert!(page.html.contains("Kết quả hợp lệ") && page.html.contains(&sha), "{}", page.html);
    assert!(page.html.contains("<svg role=\"img\""), "the page carries its own QR code");
    assert!(!page.html.contains("Nguyễn Văn An"));
    let r = b.post_multipart("/xac-thuc", &[], &[("tep", "ket-qua.pdf", "application/pdf", file.clone())]).await;
    assert!(r.html.contains("Kết quả hợp lệ") && r.html.contains("Tệp bạn tải lên"), "{}", r.html);
    let mut tampered = file;
    tampered[12] ^= 0x20;
    let r = b.post_multipart("/xac-thuc", &[], &[("tep", "ket-qua.pdf", "application/pdf", tampered)]).await;
    assert!(r.html.contains("Không tìm thấy kết quả"), "{}", r.html);
    let page = b.get(&format!("/xac-thuc/{}", sha256_hex(b"x"))).await;
    assert!(page.html.contains("Không có kết quả nào với mã này"));
}

/// A signature that no longer verifies (the stored key or the record altered) shows as invalid,
/// never as valid.
#[tokio::test]
async fn a_result_whose_signature_does_not_verify_is_shown_invalid() {
    let app = setup().await;
    let file = result_pdf();
    approved_with(&app, file.clone()).await;
    let other = approved_with(&app, b"%PDF-1.7\nkhac\n%%EOF\n".to_vec()).await;
    assert!(!other.is_empty());
    // Replace the kept public key by another unit's: the signature cannot verify with it.
    let keys: Vec<(String, String)> =
        sqlx::query_as("SELECT key_id, public_pem FROM result_keys").fetch_all(&app.store.pool).await.unwrap();
    assert_eq!(keys.len(), 1, "one unit, one key: {keys:?}");
    let foreign = motcua_app::results::ResultKeys::in_dir(
        std::env::temp_dir().join(format!("motcua-foreign-{}", std::process::id())),
    )
    .public("X9")
    .unwrap();
    sqlx::query("UPDATE result_keys SET public_pem = $1").bind(foreign.pem).execute(&app.store.pool).await.unwrap();
    let r = app.call("GET", &format!("/api/v1/results/{}", sha256_hex(&file)), None, None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!((r.body["status"].as_str(), r.body["signature"]["valid"].as_bool()), (Some("invalid"), Some(false)));
}

/// Revocation is an event with a reason, by the issuing unit's leader: the page then says
/// "revoked" with the date and the reason; revoking twice, without a reason or as another role is
/// refused.
#[tokio::test]
async fn a_revoked_result_shows_as_revoked_with_its_reason() {
    let app = setup().await;
    let file = result_pdf();
    let code = approved_with(&app, file.clone()).await;
    let sha = sha256_hex(&file);
    let ld = app.login("lanhdao").await;
    let cv = app.login("chuyenvien").await;
    let tn = app.login("tiepnhan").await;
    let v = app.call("GET", &format!("/api/v1/dossiers/{code}"), Some(&ld), None, None).await.body["version"]
        .as_i64()
        .unwrap();
    let r = app.act(&cv, &code, v, json!({"action": "revoke_result", "reason": "Cấp nhầm"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = app.act(&ld, &code, v, json!({"action": "revoke_result", "reason": " "})).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("reason_required")));
    let r = app.act(&ld, &code, v, json!({"action": "revoke_result", "reason": "Cấp nhầm số giấy chứng nhận"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "result_ready", "the dossier's state does not change");
    let r2 = app
        .act(&ld, &code, r.body["version"].as_i64().unwrap(), json!({"action": "revoke_result", "reason": "x"}))
        .await;
    assert_eq!((r2.status, r2.body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("already_revoked")));
    let r = app.call("GET", &format!("/api/v1/results/{sha}"), None, None, None).await;
    assert_eq!(r.body["status"], "revoked");
    assert_eq!(r.body["revocation_reason"], "Cấp nhầm số giấy chứng nhận");
    assert!(r.body["revoked_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert_eq!(r.body["signature"]["valid"], true, "the signature itself still checks out");
    let mut b = common::Browser::new(&app);
    let page = b.get(&format!("/xac-thuc/{sha}")).await;
    assert!(page.html.contains("Kết quả đã bị thu hồi") && page.html.contains("Cấp nhầm số giấy chứng nhận"));
    // The dossier keeps the revocation with its result.
    let d = app.call("GET", &format!("/api/v1/dossiers/{code}"), Some(&tn), None, None).await;
    assert!(d.body["dossier"]["result"]["revoked"]["reason"].is_string(), "{:?}", d.body["dossier"]["result"]);
}

/// Leaders revoking the same result at once: exactly one revocation, no 5xx.
#[tokio::test]
async fn concurrent_revocations_record_exactly_one() {
    let app = std::sync::Arc::new(setup().await);
    let code = approved_with(&app, result_pdf()).await;
    let ld = app.login("lanhdao").await;
    let v = app.call("GET", &format!("/api/v1/dossiers/{code}"), Some(&ld), None, None).await.body["version"]
        .as_i64()
        .unwrap();
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let (app, ld, code) = (app.clone(), ld.clone(), code.clone());
            tokio::spawn(async move {
                app.act(&ld, &code, v, json!({"action": "revoke_result", "reason": format!("Lý do {i}")})).await.status
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::OK => ok += 1,
            StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY => {}
            s => panic!("unexpected {s}"),
        }
    }
    assert_eq!(ok, 1);
    let events = app.store.events(&code).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.event.data.action() == "revoke_result").count(), 1);
}
