//! Publication decisions through the API: an amendment mid-flight, an abolition, a future-dated
//! decision, validation and permissions.

mod common;

use axum::http::StatusCode;
use common::{App, procedure, setup};
use motcua_store::{format_date, today_vn};
use serde_json::{Value, json};
use time::Duration;

fn decision(number: &str, days_from_today: i64) -> Value {
    let from = today_vn() + Duration::days(days_from_today);
    json!({"number": number, "signed_on": format_date(from - Duration::days(5)), "effective_from": format_date(from),
        "signer": "Chủ tịch UBND tỉnh", "new": [], "amended": [], "abolished": []})
}

fn amended_1_000001() -> Value {
    serde_json::to_value(procedure("1.000001", "province", "A1", "full", 5.0, 70_000)).expect("procedure")
}

async fn publish(app: &App, body: Value) -> common::Res {
    let token = app.login("giamdoc").await;
    app.call("POST", "/api/v1/decisions", Some(&token), None, Some(body)).await
}

async fn counter_dossier(app: &App, tn: &str) -> common::Res {
    let body = json!({"procedure_code": "1.000001", "channel": "counter", "applicant": {"name": "Trần Bình"},
        "documents": ["Tờ khai"]});
    app.call("POST", "/api/v1/dossiers", Some(tn), None, Some(body)).await
}

async fn dossier(app: &App, tn: &str, code: &str) -> Value {
    let r = app.call("GET", &format!("/api/v1/dossiers/{code}"), Some(tn), None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

#[tokio::test]
async fn a_dossier_received_before_an_amendment_keeps_its_version_and_legal_time_while_new_ones_get_the_new_one() {
    let app = setup().await;
    let tn = app.login("tiepnhan").await;
    let before = counter_dossier(&app, &tn).await;
    assert_eq!(before.status, StatusCode::CREATED, "{:?}", before.body);
    let old_code = before.body["code"].as_str().unwrap_or_default().to_owned();
    let old = dossier(&app, &tn, &old_code).await;

    let mut d = decision("101/QĐ-UBND", 0);
    d["amended"] = json!([amended_1_000001()]);
    let r = publish(&app, d).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["amended"][0]["version"], 2);

    let kept = dossier(&app, &tn, &old_code).await;
    assert_eq!(kept["procedure_version"], 1);
    assert_eq!(kept["due_at"], old["due_at"], "the legal time it was received under stands");
    let after = counter_dossier(&app, &tn).await;
    assert_eq!(after.status, StatusCode::CREATED, "{:?}", after.body);
    let new = dossier(&app, &tn, after.body["code"].as_str().unwrap_or_default()).await;
    assert_eq!(new["procedure_version"], 2);

    let v = app.call("GET", "/api/v1/procedures/1.000001/versions", None, None, None).await;
    assert_eq!(v.status, StatusCode::OK);
    assert_eq!(v.body[1]["decision"], "101/QĐ-UBND");
    assert_eq!(v.body[1]["status"], "amended");
    let diff = app.call("GET", "/api/v1/procedures/1.000001/diff?from=1&to=2", None, None, None).await;
    assert_eq!(diff.status, StatusCode::OK, "{:?}", diff.body);
    let fields: Vec<&str> = diff.body.as_array().into_iter().flatten().filter_map(|c| c["field"].as_str()).collect();
    assert_eq!(fields, ["fees", "processing_days", "steps"]);
    let missing = app.call("GET", "/api/v1/procedures/1.000001/diff?from=1&to=9", None, None, None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_abolished_procedure_refuses_new_dossiers_while_in_flight_ones_finish() {
    let app = setup().await;
    let (code, _, version) = app.submit_online().await;
    let mut d = decision("102/QĐ-UBND", 0);
    d["abolished"] = json!(["1.000001"]);
    let r = publish(&app, d).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);

    let tn = app.login("tiepnhan").await;
    let refused = counter_dossier(&app, &tn).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.body["code"], "procedure_abolished");
    let message = refused.body["message"].as_str().unwrap_or_default();
    assert!(message.contains("102/QĐ-UBND") && message.contains(&format_date(today_vn())), "{message}");
    assert!(refused.body["message_vi"].as_str().unwrap_or_default().contains("bãi bỏ"));

    let received = app.act(&tn, &code, version, json!({"action": "receive"})).await;
    assert_eq!(received.status, StatusCode::OK, "{:?}", received.body);
    let gone = app.call("GET", "/api/v1/procedures/1.000001", None, None, None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let v = app.call("GET", "/api/v1/procedures/1.000001/versions", None, None, None).await;
    assert_eq!(v.body[1]["status"], "abolished");
}

#[tokio::test]
async fn a_decision_effective_in_the_future_leaves_todays_catalog_unchanged() {
    let app = setup().await;
    let mut d = decision("103/QĐ-UBND", 30);
    d["amended"] = json!([amended_1_000001()]);
    d["new"] = json!([procedure("1.000077", "province", "A1", "full", 3.0, 0)]);
    let r = publish(&app, d).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);

    let today = app.call("GET", "/api/v1/procedures/1.000001", None, None, None).await;
    assert_eq!(today.body["version"], 1);
    let not_yet = app.call("GET", "/api/v1/procedures/1.000077", None, None, None).await;
    assert_eq!(not_yet.status, StatusCode::NOT_FOUND);
    let tn = app.login("tiepnhan").await;
    let r = counter_dossier(&app, &tn).await;
    let created = dossier(&app, &tn, r.body["code"].as_str().unwrap_or_default()).await;
    assert_eq!(created["procedure_version"], 1);
    let listed = app.call("GET", "/api/v1/decisions", None, None, None).await;
    assert_eq!(listed.body[0]["number"], "103/QĐ-UBND");
    assert_eq!(listed.body[0]["effective_from"], format_date(today_vn() + Duration::days(30)));
}

#[tokio::test]
async fn malformed_or_conflicting_decisions_are_refused_with_a_clear_code() {
    let app = setup().await;
    let check = |body: Value, status: StatusCode, code: &'static str| {
        let app = &app;
        async move {
            let r = publish(app, body).await;
            assert_eq!((r.status, r.body["code"].as_str()), (status, Some(code)), "{:?}", r.body);
        }
    };
    let mut d = decision("104/QĐ-UBND", 0);
    d["signer"] = json!("");
    check(d, StatusCode::BAD_REQUEST, "invalid_decision").await;
    let mut d = decision("104/QĐ-UBND", 0);
    d["signed_on"] = json!(format_date(today_vn() + Duration::days(1)));
    d["abolished"] = json!(["1.000003"]);
    check(d, StatusCode::BAD_REQUEST, "invalid_effective_date").await;
    check(decision("104/QĐ-UBND", 0), StatusCode::BAD_REQUEST, "empty_decision").await;
    let mut d = decision("104/QĐ-UBND", 0);
    d["new"] = json!([procedure("1.000001", "province", "A1", "full", 3.0, 0)]);
    check(d, StatusCode::UNPROCESSABLE_ENTITY, "procedure_exists").await;
    let mut d = decision("104/QĐ-UBND", 0);
    d["new"] = json!([procedure("1.000078", "province", "ZZ", "full", 3.0, 0)]);
    check(d, StatusCode::UNPROCESSABLE_ENTITY, "unknown_unit").await;
    let mut d = decision("104/QĐ-UBND", 0);
    d["abolished"] = json!(["1.000003"]);
    assert_eq!(publish(&app, d.clone()).await.status, StatusCode::CREATED);
    check(d, StatusCode::UNPROCESSABLE_ENTITY, "decision_exists").await;
}

#[tokio::test]
async fn only_center_or_system_administrators_record_decisions() {
    let app = setup().await;
    let mut d = decision("105/QĐ-UBND", 0);
    d["abolished"] = json!(["1.000003"]);
    let anonymous = app.call("POST", "/api/v1/decisions", None, None, Some(d.clone())).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let tn = app.login("tiepnhan").await;
    let r = app.call("POST", "/api/v1/decisions", Some(&tn), None, Some(d)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let listed = app.call("GET", "/api/v1/decisions", None, None, None).await;
    assert_eq!(listed.body, json!([]), "nothing was recorded");
    assert_eq!(app.call("GET", "/api/v1/procedures/1.000003", None, None, None).await.status, StatusCode::OK);
}
