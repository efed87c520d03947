//! Black-box tests of the HTTP API (harness in `common`). The storage suite runs the same store on
//! PostgreSQL too.

mod common;

use axum::http::StatusCode;
use common::{procedure, setup};
use serde_json::json;

#[tokio::test]
async fn a_citizen_submits_online_and_follows_the_dossier_until_the_result_is_returned_and_rated() {
    let app = setup().await;
    let (code, secret, v) = app.submit_online().await;
    assert!(code.starts_with("C1-"), "online province-level dossiers go to the provincial center: {code}");
    let look = app.call("GET", &format!("/api/v1/lookup/{code}?secret={secret}"), None, None, None).await;
    assert_eq!(look.status, StatusCode::OK);
    assert_eq!(look.body["status"], "submitted");
    assert!(
        look.body.get("applicant").is_none() && !look.body.to_string().contains("091234567890"),
        "no personal data in lookups"
    );

    let tn = app.login("tiepnhan").await;
    let r = app.act(&tn, &code, v, json!({"action": "receive"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "received");
    assert!(r.body["due_at"].as_str().unwrap().ends_with("+07:00"));
    let v = r.body["version"].as_i64().unwrap();

    let ld = app.login("lanhdao").await;
    let cv = app.login("chuyenvien").await;
    let r = app.assign(&ld, &code, v, "chuyenvien").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .act(
            &cv,
            &code,
            r.body["version"].as_i64().unwrap(),
            json!({"action": "request_supplement", "reason": "Thiếu bản sao CCCD", "items": ["Bản sao CCCD"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "supplement_requested");

    // The applicant answers with code + secret.
    let v = r.body["version"].as_i64().unwrap();
    let r = app
        .call(
            "POST",
            &format!("/api/v1/dossiers/{code}/actions?secret={secret}"),
            None,
            Some(v),
            Some(json!({"action": "supplement", "documents": [{"name": "Bản sao CCCD"}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "in_progress");

    let r = app
        .act(
            &cv,
            &code,
            r.body["version"].as_i64().unwrap(),
            json!({"action": "complete_step", "note": "Đủ điều kiện"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let v = r.body["version"].as_i64().unwrap();
    // An electronic result is its file: a tick without one is refused and changes nothing.
    let r = app.act(&ld, &code, v, json!({"action": "approve", "result_digitized": true})).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("result_file_required")));
    let r = app.act(&ld, &code, v, json!({"action": "approve"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["dossier"]["result"]["digitized"], false, "no file, no electronic result");
    assert_eq!(r.body["status"], "result_ready");
    let v = r.body["version"].as_i64().unwrap();
    let r = app.act(&tn, &code, v, json!({"action": "return_result"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["code"], "fee_unpaid");
    let r = app.act(&tn, &code, v, json!({"action": "return_result", "fee_paid": true, "paid_online": true})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let v = r.body["version"].as_i64().unwrap();
    let r = app
        .call(
            "POST",
            &format!("/api/v1/dossiers/{code}/actions?secret={secret}"),
            None,
            Some(v),
            Some(json!({"action": "rate", "score": 5})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .call(
            "POST",
            &format!("/api/v1/dossiers/{code}/actions?secret={secret}"),
            None,
            Some(v + 1),
            Some(json!({"action": "rate", "score": 4})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["code"], "already_rated");

    let full = app.call("GET", &format!("/api/v1/dossiers/{code}"), Some(&tn), None, None).await;
    assert_eq!(full.status, StatusCode::OK);
    assert_eq!(full.body["status"], "returned");
    assert_eq!(full.body["national_status"], 10);
    assert_eq!(full.body["supplement_rounds"], 1);
    let actions: Vec<&str> =
        full.body["history"].as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "create",
            "receive",
            "assign",
            "complete_step",
            "request_supplement",
            "supplement",
            "complete_step",
            "approve",
            "return_result",
            "rate"
        ]
    );
    let look = app.call("GET", &format!("/api/v1/lookup/{code}?secret={secret}"), None, None, None).await;
    assert_eq!(look.body["status_label"], "Đã trả kết quả");
}

/// Without a payment platform (no `MOTCUA_PAYMENT_URL`), online payment is refused as not
/// offered (422, never a 5xx), the officers' list is empty, and the lookup shows no button.
#[tokio::test]
async fn a_system_without_a_payment_platform_refuses_online_payment_clearly() {
    let app = setup().await;
    let (code, secret, _) = app.submit_online().await;
    let r = app
        .call("POST", &format!("/api/v1/dossiers/{code}/payments"), None, None, Some(json!({"secret": secret})))
        .await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("online_payment_not_offered"))
    );
    assert!(r.body["message_vi"].as_str().is_some_and(|m| m.contains("Bộ phận Một cửa")), "{:?}", r.body);
    let r = app
        .call("POST", "/api/v1/payments/callback", None, None, Some(json!({"MaGiaoDich": "TT1", "ChuKy": "00"})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let r = app.call("POST", "/api/v1/payments/callback", None, None, Some(json!([1, 2]))).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_payment_notice")));
    let r = app.call("POST", &format!("/api/v1/dossiers/{code}/payments"), None, None, Some(json!({"nope": 1}))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    let tn = app.login("tiepnhan").await;
    let r = app.call("GET", &format!("/api/v1/dossiers/{code}/payments"), Some(&tn), None, None).await;
    assert_eq!((r.status, r.body.as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "{:?}", r.body);
    let r = app.call("GET", "/api/v1/dossiers/XX-000000-0000/payments", Some(&tn), None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.call("GET", &format!("/api/v1/dossiers/{code}/payments"), None, None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app.call("GET", "/api/v1/payments/reconciliation?date=2025-07-01", Some(&tn), None, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let admin = app.login("giamdoc").await;
    let r = app.call("GET", "/api/v1/payments/reconciliation?date=2025-07-01", Some(&admin), None, None).await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("online_payment_not_offered"))
    );
    let r = app.call("GET", "/api/v1/payments/reconciliation?date=1-2-3", Some(&admin), None, None).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_date")));
}

#[tokio::test]
async fn a_stale_version_gets_409_and_changes_nothing() {
    let app = setup().await;
    let (code, _, v) = app.submit_online().await;
    let tn = app.login("tiepnhan").await;
    let r = app.act(&tn, &code, v + 5, json!({"action": "receive"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.body["code"], "version_conflict");
    assert!(r.body["message_vi"].as_str().unwrap().contains("phiên bản"));
    let d = app.call("GET", &format!("/api/v1/dossiers/{code}"), Some(&tn), None, None).await;
    assert_eq!(d.body["status"], "submitted");
    assert_eq!(d.body["version"], v);
}

#[tokio::test]
async fn concurrent_actions_on_the_same_version_let_exactly_one_through() {
    let app = std::sync::Arc::new(setup().await);
    let (code, _, v) = app.submit_online().await;
    let tn = app.login("tiepnhan").await;
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let (app, tn, code) = (app.clone(), tn.clone(), code.clone());
        tasks.push(tokio::spawn(async move { app.act(&tn, &code, v, json!({"action": "receive"})).await.status }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::OK => ok += 1,
            StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY => {}
            s => panic!("unexpected {s}"),
        }
    }
    assert_eq!(ok, 1);
    let d = app.call("GET", &format!("/api/v1/dossiers/{code}"), Some(&tn), None, None).await;
    assert_eq!(d.body["history"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn impossible_actions_get_422_and_bad_action_bodies_get_400() {
    let app = setup().await;
    let (code, _, v) = app.submit_online().await;
    let ld = app.login("lanhdao").await;
    let tn = app.login("tiepnhan").await;
    let r = app.act(&tn, &code, v, json!({"action": "return_result"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["code"], "invalid_transition");
    let r = app.act(&ld, &code, v, json!({"action": "approve"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let r = app.act(&tn, &code, v, json!({"action": "fly"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["code"], "unknown_action");
    let r = app.act(&tn, &code, v, json!({"action": "refuse"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["code"], "invalid_action");
    let r = app
        .call("POST", &format!("/api/v1/dossiers/{code}/actions"), Some(&tn), None, Some(json!({"action": "receive"})))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["code"], "if_match_required");
    let r = app.act(&tn, &code, v, json!({"action": "receive"})).await;
    let r = app
        .act(&ld, &code, r.body["version"].as_i64().unwrap(), json!({"action": "assign", "assignee": "nobody"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.body["code"], "unknown_assignee");
}

#[tokio::test]
async fn officers_never_see_another_units_dossiers() {
    let app = setup().await;
    let (code, _, v) = app.submit_online().await;
    let other = app.login("lanhdao.x2").await;
    let r = app.call("GET", &format!("/api/v1/dossiers/{code}"), Some(&other), None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.act(&other, &code, v, json!({"action": "receive"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let inbox = app.call("GET", "/api/v1/inbox", Some(&other), None, None).await;
    assert_eq!(inbox.body["items"].as_array().unwrap().len(), 0);
    let tn = app.login("tiepnhan").await;
    let inbox = app.call("GET", "/api/v1/inbox", Some(&tn), None, None).await;
    assert_eq!(inbox.body["items"][0]["code"], code.as_str());
    let r = app.call("GET", "/api/v1/inbox", None, None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app.call("GET", "/api/v1/inbox", Some("forged"), None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

/// Issue 15 item 1: each dossier's sync state, for the officers who may see the dossier. With no
/// portal configured the change waits: shown pending at its version, the portal having none.
#[tokio::test]
async fn each_dossiers_national_sync_state_is_shown_to_the_officers_who_see_it() {
    let app = setup().await;
    let (code, _, v) = app.submit_online().await;
    let tn = app.login("tiepnhan").await;
    let r = app.act(&tn, &code, v, json!({"action": "receive"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let uri = format!("/api/v1/dossiers/{code}/national-sync");
    let r = app.call("GET", &uri, Some(&tn), None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        (r.body["state"].as_str(), r.body["wanted_version"].as_i64(), r.body["acked_version"].as_i64()),
        (Some("pending"), Some(v + 1), Some(0))
    );
    let other = app.login("lanhdao.x2").await;
    assert_eq!(app.call("GET", &uri, Some(&other), None, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.call("GET", &uri, None, None, None).await.status, StatusCode::UNAUTHORIZED);
    let r = app.call("GET", "/api/v1/dossiers/NO-SUCH/national-sync", Some(&tn), None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let mut b = common::Browser::new(&app);
    b.sign_in("tiepnhan").await;
    let page = b.get(&format!("/can-bo/ho-so/{code}")).await;
    assert!(page.html.contains("Cổng Dịch vụ công quốc gia") && page.html.contains("Chờ gửi"), "{}", page.html);
}

#[tokio::test]
async fn lookups_need_the_right_secret() {
    let app = setup().await;
    let (code, secret, _) = app.submit_online().await;
    let r = app.call("GET", &format!("/api/v1/lookup/{code}?secret=WRONGSECRET2"), None, None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.call("GET", &format!("/api/v1/lookup/{code}"), None, None, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["code"], "secret_required");
    let r = app.call("GET", &format!("/api/v1/lookup/{code}?secret={}", secret.to_lowercase()), None, None, None).await;
    assert_eq!(r.status, StatusCode::OK, "secrets are case-insensitive");
    let page = app.call("GET", &format!("/tra-cuu?code={code}&secret={secret}"), None, None, None).await;
    assert!(page.body.as_str().unwrap().contains("Đã nộp, chờ tiếp nhận"));
}

#[tokio::test]
async fn bad_submissions_get_clear_errors_and_create_nothing() {
    let app = setup().await;
    let base = json!({"procedure_code": "1.000001", "channel": "online", "applicant": {"name": "Lê Thị Hà"}});
    let mut b = base.clone();
    b["procedure_code"] = json!("9.999999");
    let r = app.call("POST", "/api/v1/dossiers", None, None, Some(b)).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_procedure")));
    let mut b = base.clone();
    b["procedure_code"] = json!("not-a-code");
    let r = app.call("POST", "/api/v1/dossiers", None, None, Some(b)).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_procedure_code")));
    let mut b = base.clone();
    b["channel"] = json!("fax");
    let r = app.call("POST", "/api/v1/dossiers", None, None, Some(b)).await;
    assert_eq!(r.body["code"], "invalid_channel");
    let mut b = base.clone();
    b["applicant"]["id_number"] = json!("12345");
    let r = app.call("POST", "/api/v1/dossiers", None, None, Some(b)).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_id_number")));
    let mut b = base.clone();
    b["procedure_code"] = json!("1.000003");
    let r = app.call("POST", "/api/v1/dossiers", None, None, Some(b)).await;
    assert_eq!(r.body["code"], "procedure_not_online");
    let mut b = base.clone();
    b["procedure_code"] = json!("1.000002");
    let r = app.call("POST", "/api/v1/dossiers", None, None, Some(b.clone())).await;
    assert_eq!(r.body["code"], "commune_required");
    b["unit"] = json!("X1");
    let r = app.call("POST", "/api/v1/dossiers", None, None, Some(b)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!((r.body["receiving_unit"].as_str(), r.body["resolving_unit"].as_str()), (Some("X1"), Some("X1")));
    let mut b = base.clone();
    b["channel"] = json!("counter");
    let r = app.call("POST", "/api/v1/dossiers", None, None, Some(b)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app.call("POST", "/api/v1/dossiers", None, None, Some(json!({"procedure_code": 5}))).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_json")));
    let huge = "x".repeat(motcua_web::MAX_BODY + 10);
    let r = app.call("POST", "/api/v1/dossiers", None, None, Some(json!({"procedure_code": huge}))).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")));
    // Only the commune dossier exists.
    let tn = app.login("tiepnhan.x1").await;
    let inbox = app.call("GET", "/api/v1/inbox", Some(&tn), None, None).await;
    assert_eq!(inbox.body["items"].as_array().unwrap().len(), 1);
    let tn = app.login("tiepnhan").await;
    let inbox = app.call("GET", "/api/v1/inbox", Some(&tn), None, None).await;
    assert_eq!(inbox.body["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_counter_dossier_is_received_at_once_with_its_due_date() {
    let app = setup().await;
    let tn = app.login("tiepnhan").await;
    let r = app
        .call("POST", "/api/v1/dossiers", Some(&tn), None, Some(json!({"procedure_code": "1.000001", "channel": "counter", "applicant": {"name": "Trần Bình"}, "documents": ["Tờ khai"]})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["status"], "received");
    assert!(r.body["due_at"].is_string());
    assert_eq!(r.body["version"], 2);
    let cv = app.login("chuyenvien").await;
    let r = app
        .call(
            "POST",
            "/api/v1/dossiers",
            Some(&cv),
            None,
            Some(json!({"procedure_code": "1.000001", "channel": "counter", "applicant": {"name": "Trần Bình"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// The application reads the time from its clock: a dossier received at the counter on the
/// afternoon before the 30/4–1/5 holidays gets the same instants and the same due date whenever
/// the test runs, and is late once the clock passes that date.
#[tokio::test]
async fn a_dossier_received_before_the_reunification_holidays_is_due_after_them_whenever_the_test_runs() {
    let clock =
        std::sync::Arc::new(motcua_web::clock::FixedClock::at(time::macros::datetime!(2026-04-29 16:00:00.75 +07)));
    let app = common::setup_with_clock(clock.clone()).await;
    let tn = app.login("tiepnhan").await;
    let r = app
        .call("POST", "/api/v1/dossiers", Some(&tn), None, Some(json!({"procedure_code": "1.000001", "channel": "counter", "applicant": {"name": "Trần Bình"}, "documents": ["Tờ khai"]})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["received_at"], "2026-04-29T16:00:00+07:00", "whole seconds of the clock");
    // 3 working days: 1 hour on Wednesday, none on 30/4, 1/5 and the weekend, then Monday to
    // Wednesday.
    assert_eq!(r.body["due_at"], "2026-05-06T16:00:00+07:00");
    let code = r.body["code"].as_str().unwrap().to_owned();
    let r = app.call("GET", &format!("/api/v1/dossiers/{code}"), Some(&tn), None, None).await;
    assert_eq!(
        (r.body["submitted_at"].as_str(), r.body["urgency"].as_str()),
        (Some("2026-04-29T16:00:00+07:00"), Some("on_track"))
    );

    // A week later by the application's clock: that afternoon's token has expired (12 h, also
    // past the verified-token cache), and the dossier is overdue.
    clock.set(time::macros::datetime!(2026-05-07 08:00 +07));
    let r = app.call("GET", &format!("/api/v1/dossiers/{code}"), Some(&tn), None, None).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_token")));
    let lanhdao = app.login("lanhdao").await;
    let r = app.call("GET", &format!("/api/v1/dossiers/{code}"), Some(&lanhdao), None, None).await;
    assert_eq!(r.body["urgency"], "overdue", "{:?}", r.body);
}

#[tokio::test]
async fn the_calendar_endpoints_follow_the_decisions_and_reject_bad_dates() {
    let app = setup().await;
    let r = app
        .call("GET", "/api/v1/calendar/deadline?start=2025-07-04T18:30:00%2B07:00&working_days=1", None, None, None)
        .await;
    assert_eq!(r.body["due_at"], "2025-07-07T17:00:00+07:00");
    let r = app
        .call("GET", "/api/v1/calendar/deadline?start=2025-07-07T10:00:00%2B07:00&working_days=1", None, None, None)
        .await;
    assert_eq!(r.body["due_at"], "2025-07-08T10:00:00+07:00");
    let r = app.call("GET", "/api/v1/calendar/deadline?start=2025-13-01&working_days=1", None, None, None).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_datetime")));
    let r = app
        .call("GET", "/api/v1/calendar/deadline?start=2025-07-07T10:00:00%2B07:00&working_days=-1", None, None, None)
        .await;
    assert_eq!(r.body["code"], "invalid_duration");
    let r = app
        .call(
            "GET",
            "/api/v1/calendar/deadline?start=2025-07-07T10:00:00%2B07:00&working_days=1&unit=NOPE",
            None,
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.call("GET", "/api/v1/calendar/holidays?year=2026", None, None, None).await;
    let days = r.body.as_array().unwrap();
    assert!(days.iter().any(|d| d["date"] == "2026-08-22" && d["kind"] == "workday"));
    assert!(days.iter().any(|d| d["date"] == "2026-02-17" && d["kind"] == "holiday"));
    let r = app.call("GET", "/api/v1/calendar/holidays?year=abc", None, None, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .call(
            "GET",
            "/api/v1/calendar/working-time?from=2025-07-07T07:00:00%2B07:00&to=2025-07-08T07:00:00%2B07:00",
            None,
            None,
            None,
        )
        .await;
    assert_eq!(r.body["working_hours"], 8.0);
}

#[tokio::test]
async fn the_catalog_search_ignores_diacritics_and_admins_publish_new_versions() {
    let app = setup().await;
    let r = app.call("GET", "/api/v1/procedures?q=thu%20tuc%20dat%20dai&level=commune", None, None, None).await;
    assert_eq!(r.body.as_array().unwrap().len(), 1);
    let r = app.call("GET", "/api/v1/procedures?level=city", None, None, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app.call("GET", "/api/v1/procedures/1.000008", None, None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let mut p = serde_json::to_value(procedure("1.000001", "province", "A1", "full", 3.0, 70_000)).unwrap();
    let tn = app.login("tiepnhan").await;
    let r = app.call("POST", "/api/v1/procedures", Some(&tn), None, Some(p.clone())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let gd = app.login("giamdoc").await;
    let r = app.call("POST", "/api/v1/procedures", Some(&gd), None, Some(p.clone())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["version"], 2);
    p["steps"][2]["days"] = json!(9.0);
    let r = app.call("POST", "/api/v1/procedures", Some(&gd), None, Some(p)).await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("process_exceeds_legal_time"))
    );
}

#[tokio::test]
async fn wrong_credentials_get_401() {
    let app = setup().await;
    let r = app
        .call("POST", "/api/v1/auth/login", None, None, Some(json!({"username": "tiepnhan", "password": "nope"})))
        .await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_credentials")));
    let r = app
        .call("POST", "/api/v1/auth/login", None, None, Some(json!({"username": "ghost", "password": "demo"})))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn indicators_count_received_online_and_on_time_dossiers() {
    let app = setup().await;
    let (code, _, version) = app.submit_online().await;
    let month = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7)).date();
    let month = format!("{:04}-{:02}", month.year(), u8::from(month.month()));
    let get = |uri: String| {
        let app = &app;
        async move { app.call("GET", &uri, None, None, None).await }
    };
    let r = get(format!("/api/v1/indicators?from={month}&to={month}")).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["received"], 0, "an online dossier counts once received");
    let tn = app.login("tiepnhan").await;
    let r = app.act(&tn, &code, version, json!({"action": "receive"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = get(format!("/api/v1/indicators?from={month}&to={month}&by=unit")).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    for name in [
        "received",
        "online",
        "online_rate",
        "processed",
        "finished",
        "early",
        "on_time",
        "late",
        "on_time_rate",
        "digitized_input_rate",
        "digitized_output_rate",
        "digitized_both_rate",
        "online_payment_rate",
        "satisfaction_rate",
        "points",
    ] {
        assert!(r.body.get(name).is_some(), "{name} missing: {}", r.body);
    }
    assert_eq!((r.body["received"].as_i64(), r.body["online"].as_i64()), (Some(1), Some(1)));
    assert_eq!((r.body["online_rate"].as_f64(), r.body["on_time_rate"].as_f64()), (Some(100.0), Some(100.0)));
    assert!(r.body["points"]["resolved_on_time"].as_f64().is_some());
    let groups = r.body["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!((groups[0]["key"].as_str(), groups[0]["received"].as_i64()), (Some("A1"), Some(1)));
    assert_ne!(groups[0]["name"], groups[0]["key"], "units are named");
    let days = get(format!("/api/v1/indicators?from={month}-01&to={month}&procedure=1.000001&unit=A1")).await;
    assert_eq!(days.status, StatusCode::OK, "{:?}", days.body);

    for (uri, code) in [
        ("/api/v1/indicators?from=2025-02-30&to=2025-03", "invalid_period"),
        ("/api/v1/indicators?from=2025-03-02&to=2025-03", "period_not_monthly"),
        ("/api/v1/indicators?from=2025-03&to=2025-03-30", "period_not_monthly"),
        ("/api/v1/indicators?from=2025-04&to=2025-03", "invalid_period"),
        ("/api/v1/indicators?from=2025-03&to=2025-03&by=commune", "invalid_group"),
    ] {
        let r = get(uri.to_owned()).await;
        assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some(code)), "{uri}");
        assert!(r.body["message_vi"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let r = get("/api/v1/indicators?from=2025-03&to=2025-03-31&unit=NOPE".to_owned()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn administrators_restructure_units_and_others_get_403() {
    let app = setup().await;
    let merge = |from: &[&str], into: &str| {
        json!({"effective_on": "2025-07-01", "legal_basis": "NQ 1654/NQ-UBTVQH15", "operations": [
            {"op": "merge", "from": from, "into": {"code": into, "name": "Đặc khu mới", "kind": "special_zone", "level": "commune", "parent": "91"}}
        ]})
    };
    let tn = app.login("tiepnhan").await;
    let r = app.call("POST", "/api/v1/restructures", Some(&tn), None, Some(merge(&["X1", "X2"], "X9"))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.call("POST", "/api/v1/restructures", None, None, Some(merge(&["X1", "X2"], "X9"))).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let gd = app.login("giamdoc").await;
    let r = app.call("POST", "/api/v1/restructures", Some(&gd), None, Some(merge(&["X1", "X2"], "X1"))).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("merge_into_itself")));
    assert!(r.body["message_vi"].as_str().is_some_and(|m| !m.is_empty()));
    let mut undated = merge(&["X1", "X2"], "X9");
    undated.as_object_mut().unwrap().remove("effective_on");
    let r = app.call("POST", "/api/v1/restructures", Some(&gd), None, Some(undated)).await;
    assert!(r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.status);

    let mut dry = merge(&["X1", "X2"], "X9");
    dry["dry_run"] = json!(true);
    let r = app.call("POST", "/api/v1/restructures", Some(&gd), None, Some(dry)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!((r.body["dry_run"].as_bool(), r.body["units_created"].clone()), (Some(true), json!(["X9"])));
    let units = app.call("GET", "/api/v1/units", None, None, None).await.body;
    assert!(units.as_array().unwrap().iter().all(|u| u["code"] != "X9"), "a dry run writes nothing");

    let r = app.call("POST", "/api/v1/restructures", Some(&gd), None, Some(merge(&["X1", "X2"], "X 9"))).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_unit_code")));

    let mut real = merge(&["X1", "X2"], "X9");
    real["operations"][0]["into"]["office_hours"] = json!("mon-fri 07:30-11:30,13:30-17:30; sat 07:30-11:30");
    let r = app.call("POST", "/api/v1/restructures", Some(&gd), None, Some(real)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["grants_moved"].as_array().map(Vec::len), Some(2));
    // The new unit's deadlines count its own office hours at once (the calendars are rebuilt):
    // Friday 17:00 + 2 working hours is half an hour on Friday and 1.5 hours on Saturday.
    let uri = "/api/v1/calendar/deadline?start=2025-07-04T17:00:00%2B07:00&working_hours=2&unit=X9";
    let r = app.call("GET", uri, None, None, None).await;
    assert_eq!(r.body["due_at"], "2025-07-05T09:00:00+07:00", "{:?}", r.body);
    let units = app.call("GET", "/api/v1/units", None, None, None).await.body;
    let x1 = units.as_array().unwrap().iter().find(|u| u["code"] == "X1").unwrap();
    assert_eq!((x1["valid_to"].as_str(), x1["successor"].as_str()), (Some("2025-06-30"), Some("X9")));
    let x9 = units.as_array().unwrap().iter().find(|u| u["code"] == "X9").unwrap();
    assert_eq!((x9["valid_from"].as_str(), x9["predecessors"].clone()), (Some("2025-07-01"), json!(["X1", "X2"])));
}

#[tokio::test]
async fn past_figures_stay_with_the_unit_as_it_was_and_roll_up_under_its_successor() {
    let app = setup().await;
    // A commune dossier received and then withdrawn at X1: closed before the merge.
    let r = app
        .call(
            "POST",
            "/api/v1/dossiers",
            None,
            None,
            Some(json!({"procedure_code": "1.000002", "channel": "online", "unit": "X1", "applicant": {"name": "Võ Tâm"}})),
        )
        .await;
    let code = r.body["code"].as_str().unwrap().to_owned();
    let tn = app.login("tiepnhan.x1").await;
    let r = app.act(&tn, &code, 1, json!({"action": "receive"})).await;
    let r = app
        .act(&tn, &code, r.body["version"].as_i64().unwrap(), json!({"action": "withdraw", "reason": "Công dân rút"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let gd = app.login("giamdoc").await;
    let plan = json!({"effective_on": "2025-07-01", "legal_basis": "NQ 1654/NQ-UBTVQH15", "operations": [
        {"op": "merge", "from": ["X1", "X2"], "into": {"code": "X9", "name": "Đặc khu mới", "kind": "special_zone", "level": "commune", "parent": "91"}}
    ]});
    let r = app.call("POST", "/api/v1/restructures", Some(&gd), None, Some(plan)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let today = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7)).date();
    let month = format!("{:04}-{:02}", today.year(), u8::from(today.month()));
    let received = |unit: &str, rollup: bool| {
        let uri = format!("/api/v1/indicators?unit={unit}&from={month}&to={month}&rollup={rollup}");
        let app = &app;
        async move { app.call("GET", &uri, None, None, None).await.body["received"].as_i64() }
    };
    assert_eq!(received("X1", false).await, Some(1), "the closed dossier still reports under X1");
    assert_eq!(received("X9", false).await, Some(0));
    assert_eq!(received("X9", true).await, Some(1), "rolled up under the successor");
}

#[tokio::test]
async fn no_client_can_send_the_systems_rehome_action() {
    let app = setup().await;
    let (code, _, version) = app.submit_online().await;
    let tn = app.login("tiepnhan").await;
    let body = json!({"action": "rehome", "moves": [{"from_unit": "C1", "to_unit": "X1"}], "legal_basis": "x"});
    let r = app.act(&tn, &code, version, body).await;
    assert!(r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = app.act(&tn, &code, version, json!({"action": "receive"})).await;
    assert_eq!(r.status, StatusCode::OK, "the refused rehome changed nothing: {:?}", r.body);
}

/// Every route the router serves is documented, and every documented path is served.
#[tokio::test]
async fn every_endpoint_is_in_the_openapi_document() {
    const ROUTES: &[(&str, &str)] = &[
        ("post", "/api/v1/auth/login"),
        ("post", "/api/v1/auth/password"),
        ("get", "/api/v1/national-sync"),
        ("get", "/api/v1/dossiers/{code}/national-sync"),
        ("get", "/api/v1/results/{sha256}"),
        ("get", "/api/v1/results/{sha256}/signature"),
        ("post", "/api/v1/results/verify"),
        ("get", "/api/v1/result-keys/{key_id}"),
        ("post", "/api/v1/national/inbound"),
        ("post", "/api/v1/dossiers/{code}/payments"),
        ("get", "/api/v1/dossiers/{code}/payments"),
        ("post", "/api/v1/payments/callback"),
        ("get", "/api/v1/payments/reconciliation"),
        ("get", "/api/v1/me"),
        ("get", "/api/v1/calendar/deadline"),
        ("get", "/api/v1/calendar/holidays"),
        ("get", "/api/v1/calendar/working-time"),
        ("post", "/api/v1/calendar/announcements"),
        ("get", "/api/v1/procedures"),
        ("post", "/api/v1/procedures"),
        ("get", "/api/v1/procedures/export"),
        ("get", "/api/v1/reference/fields"),
        ("get", "/api/v1/reference/levels"),
        ("get", "/api/v1/procedures/{code}"),
        ("get", "/api/v1/procedures/{code}/versions"),
        ("get", "/api/v1/procedures/{code}/diff"),
        ("get", "/api/v1/procedures/{code}/process"),
        ("put", "/api/v1/procedures/{code}/process"),
        ("get", "/api/v1/decisions"),
        ("post", "/api/v1/decisions"),
        ("get", "/api/v1/units"),
        ("post", "/api/v1/restructures"),
        ("post", "/api/v1/dossiers"),
        ("get", "/api/v1/dossiers/{code}"),
        ("post", "/api/v1/dossiers/{code}/actions"),
        ("get", "/api/v1/lookup/{code}"),
        ("get", "/api/v1/inbox"),
        ("post", "/api/v1/feedback"),
        ("get", "/api/v1/feedback"),
        ("get", "/api/v1/feedback/{code}"),
        ("post", "/api/v1/feedback/{code}/actions"),
        ("post", "/api/v1/feedback/{code}/votes"),
        ("get", "/api/v1/documents"),
        ("post", "/api/v1/documents"),
        ("post", "/api/v1/documents/incoming"),
        ("get", "/api/v1/documents/{id}"),
        ("post", "/api/v1/documents/{id}/actions"),
        ("get", "/open311/v2/services.json"),
        ("get", "/open311/v2/requests.json"),
        ("post", "/open311/v2/requests.json"),
        ("get", "/open311/v2/requests/{id}.json"),
        ("get", "/api/v1/alerts"),
        ("get", "/api/v1/indicators"),
        ("get", "/api/v1/disclosures"),
        ("post", "/api/v1/disclosures"),
        ("get", "/api/v1/disclosures/{month}"),
        ("get", "/api/v1/indicators/export"),
        ("get", "/api/v1/queue/groups"),
        ("put", "/api/v1/queue/groups/{code}"),
        ("put", "/api/v1/queue/counters/{id}"),
        ("post", "/api/v1/queue/counters/{id}/call"),
        ("post", "/api/v1/queue/tickets"),
        ("get", "/api/v1/queue/tickets/{id}"),
        ("post", "/api/v1/queue/tickets/{id}/actions"),
        ("get", "/api/v1/queue/board"),
        ("get", "/api/v1/queue/metrics"),
        ("post", "/api/v1/edxml/inbox"),
        ("post", "/api/v1/edxml/outbox"),
        ("get", "/api/v1/edxml/packages"),
        ("get", "/api/v1/edxml/packages/{id}"),
        ("post", "/api/v1/edxml/packages/{id}/status"),
        ("post", "/api/v1/edxml/packages/{id}/recall"),
        ("post", "/api/v1/edxml/packages/{id}/recall-answer"),
        ("post", "/api/v1/edxml/dossiers/{code}/send"),
        ("post", "/api/v1/edxml/packages/{id}/reply"),
        ("get", "/api/v1/ratings/officers"),
        ("get", "/healthz"),
        ("get", "/metrics"),
        ("get", "/api/openapi.json"),
    ];
    let app = setup().await;
    let doc = app.call("GET", "/api/openapi.json", None, None, None).await.body;
    let paths = doc["paths"].as_object().unwrap();
    let mut documented = 0;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            documented += 1;
            assert!(
                ROUTES.contains(&(method.as_str(), path.as_str())),
                "documented but not listed here: {method} {path}"
            );
        }
    }
    assert_eq!(documented, ROUTES.len(), "a route is missing from the OpenAPI document");
    for (method, path) in ROUTES {
        let uri = path.replace("{code}", "1.000001").replace("{id}", "FB-000000-0000");
        let r = app.call(&method.to_uppercase(), &uri, None, None, None).await;
        assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path} is not routed");
        assert!(
            // A path naming a record answers 404 for one that does not exist.
            r.status != StatusCode::NOT_FOUND || path.contains('{'),
            "{method} {path} is not routed"
        );
    }
}

#[tokio::test]
async fn the_openapi_document_lists_every_error_code_and_only_those() {
    let app = setup().await;
    let doc = app.call("GET", "/api/openapi.json", None, None, None).await.body;
    let all: std::collections::BTreeSet<&str> = motcua_domain::ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert!(all.len() > 150, "every layer's codes are in the one enum");
    for schema in ["ErrorBody", "EdxmlErrorBody"] {
        let listed: std::collections::BTreeSet<&str> =
            doc["components"]["schemas"][schema]["properties"]["code"]["enum"]
                .as_array()
                .unwrap_or_else(|| panic!("{schema}.code lists no codes"))
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
        assert_eq!(listed, all, "{schema}.code");
    }
    // A refusal from each layer answers a listed code: the adapter (malformed JSON), the
    // application (no secret), the domain (unknown procedure code format).
    for (method, uri, body) in [
        ("POST", "/api/v1/dossiers", Some(json!("not an object"))),
        ("GET", "/api/v1/dossiers/X1-250101-0001", None),
        (
            "POST",
            "/api/v1/dossiers",
            Some(json!({"procedure_code": "bad", "channel": "online", "applicant": {}, "documents": []})),
        ),
    ] {
        let r = app.call(method, uri, None, None, body).await;
        assert!(r.status.is_client_error(), "{uri}: {:?}", r.body);
        let code = r.body["code"].as_str().unwrap();
        assert!(all.contains(code), "{code}");
    }
}

#[tokio::test]
async fn an_announcement_is_checked_the_same_way_as_on_the_calendar_page() {
    let app = setup().await;
    let uri = "/api/v1/calendar/announcements";
    let specialist = app.login("chuyenvien").await;
    let r = app.call("POST", uri, Some(&specialist), None, Some(json!({"toml": "year = 2027"}))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let admin = app.login("giamdoc").await;
    for toml in ["year = 1999", "không phải TOML"] {
        let r = app.call("POST", uri, Some(&admin), None, Some(json!({"toml": toml}))).await;
        assert_eq!(
            (r.status, r.body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_announcement")),
            "{toml}"
        );
    }
    let valid = "year = 2027\nsource = \"TB thử\"\n\n[[days_off]]\ndate = 2027-09-03\nname = \"Nghỉ bù\"\n";
    let r = app.call("POST", uri, Some(&admin), None, Some(json!({"toml": valid}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
}
