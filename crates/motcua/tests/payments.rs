//! Online payment end to end (issue 15 item 5), as a citizen and a province meet it: the portal
//! simulator's payment platform and a Motcua server as separate processes. The counter asks for
//! the fees (state 6 at the portal); the applicant's card is declined, then a payment goes
//! through: the platform's signed callback records it once with an electronic receipt, the
//! dossier goes on, the portal learns DuocThanhToanTrucTuyen 1; a replayed callback is refused
//! (409) and a forged one too (401); the dossier is withdrawn and the fees come back by
//! themselves; the day's reconciliation matches the platform's list.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::*;
use motcua_app::http_client::{Post, get, post};
use serde_json::{Value, json};

const SECRET: &str = "bi-mat-thanh-toan-thu-nghiem";

/// The query of `url` as fields (percent-decoded).
fn query_fields(url: &str) -> BTreeMap<String, String> {
    let q = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    q.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_owned(), decode(v))).collect()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("ascii");
                out.push(u8::from_str_radix(hex, 16).expect("hex"));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("utf-8")
}

/// The applicant starts paying; answers the platform's page.
async fn start_payment(base: &str, code: &str, secret: &str) -> (u16, Value) {
    call(base, &format!("/api/v1/dossiers/{code}/payments"), "", json!({"secret": secret})).await
}

/// The applicant pays on the platform's page with `card` (`hop_le` or `tu_choi`); answers where
/// the platform sends the browser.
async fn pay_on_platform(page: &str, card: &str) -> String {
    let shown = get(page, "").await.expect("the platform's page");
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert!(shown.body.contains("50.000 đ") && !shown.body.contains("<script"), "{}", shown.body);
    let a = post(Post {
        url: page,
        token: "",
        content_type: "application/x-www-form-urlencoded",
        headers: &[],
        body: format!("kenh=the_noi_dia&the={card}&nut=thanh_toan"),
    })
    .await
    .expect("the platform answers");
    assert_eq!(a.status, 303, "{}", a.body);
    a.location.expect("a redirect back to Motcua")
}

async fn payments_of(base: &str, token: &str, code: &str) -> Vec<Value> {
    let a = get(&format!("{base}/api/v1/dossiers/{code}/payments"), token).await.expect("the server answers");
    assert_eq!(a.status, 200, "{}", a.body);
    serde_json::from_str::<Value>(&a.body).expect("JSON").as_array().cloned().unwrap_or_default()
}

async fn dossier(base: &str, token: &str, code: &str) -> Value {
    let a = get(&format!("{base}/api/v1/dossiers/{code}"), token).await.expect("the server answers");
    assert_eq!(a.status, 200, "{}", a.body);
    serde_json::from_str(&a.body).expect("JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fees_are_paid_online_once_with_a_receipt_and_refunded_when_the_dossier_is_withdrawn() {
    let (portal_port, server_port) = (free_port(), free_port());
    let _sim = portal_with(portal_port, &temp_dir("pay-portal"), &["--payment-secret", SECRET]);
    let platform = format!("http://127.0.0.1:{portal_port}/thanhtoan");
    let _server = demo_server(
        server_port,
        portal_port,
        "pay-server",
        &[
            ("MOTCUA_PAYMENT_URL", platform.as_str()),
            ("MOTCUA_PAYMENT_SECRET", SECRET),
            ("MOTCUA_PAYMENT_REFUND_SECONDS", "1"),
        ],
    );
    let base = format!("http://127.0.0.1:{server_port}");
    wait_for("the server", Duration::from_secs(120), || async {
        get(&format!("{base}/healthz"), "").await.ok().filter(|a| a.status == 200)
    })
    .await;
    let receiver = login(&base, "tiepnhan").await;
    let (code, secret) = submit_and_receive_with_secret(&base, &receiver).await;

    // The counter asks for the fees first: state 6 at the portal.
    let v = dossier(&base, &receiver, &code).await["version"].as_i64().expect("a version");
    let (s, d) = act(
        &base,
        &receiver,
        &code,
        v,
        json!({"action": "request_fees", "note": "Nộp lệ phí 50.000 đ trước khi giải quyết"}),
    )
    .await;
    assert_eq!((s, d["status"].as_str()), (200, Some("awaiting_fees")), "{d}");
    wait_for("state 6 at the portal", Duration::from_secs(30), || async {
        at_portal(portal_port, &code).await.filter(|v| v["TrangThaiHoSo"] == 6)
    })
    .await;

    // A wrong secret pays nothing.
    let (s, e) = start_payment(&base, &code, "SAI-BI-MAT").await;
    assert_eq!((s, e["code"].as_str()), (404, Some("not_found")), "{e}");

    // The bank declines the card: the payment failed, nothing is paid, the page says so.
    let (s, started) = start_payment(&base, &code, &secret).await;
    assert_eq!((s, started["amount"].as_i64()), (201, Some(50_000)), "{started}");
    let back = pay_on_platform(started["redirect_url"].as_str().expect("a page"), "tu_choi").await;
    let shown = get(&back, "").await.expect("the return page");
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert!(shown.body.contains("Thanh toán không thành công"), "{}", shown.body);
    let list = payments_of(&base, &receiver, &code).await;
    assert_eq!((list.len(), list[0]["state"].as_str()), (1, Some("failed")), "{list:?}");
    assert_eq!(dossier(&base, &receiver, &code).await["status"], "awaiting_fees");

    // Again, with a card that works. The platform's callback records it before the browser is back.
    // Eight clicks at once are one payment: every answer names it, none is a 5xx.
    let clicks = (0..8).map(|_| start_payment(&base, &code, &secret));
    let answers = futures_util::future::join_all(clicks).await;
    let (s, started) = answers[0].clone();
    assert_eq!(s, 201, "{started}");
    for (s, a) in &answers {
        assert_eq!((*s, &a["payment_id"]), (201, &started["payment_id"]), "{a}");
    }
    assert_ne!(started["payment_id"], list[0]["id"], "a failed payment is not reused");
    let back = pay_on_platform(started["redirect_url"].as_str().expect("a page"), "hop_le").await;
    let paid = wait_for("the callback", Duration::from_secs(20), || async {
        payments_of(&base, &receiver, &code).await.into_iter().find(|p| p["state"] == "paid")
    })
    .await;
    let receipt = paid["receipt"].as_str().expect("an electronic receipt").to_owned();
    assert!(receipt.starts_with("BL") && receipt.ends_with("0000001"), "{receipt}");
    assert_eq!((paid["amount"].as_i64(), paid["platform"].as_str()), (Some(50_000), Some("portal")));
    assert!(paid["transaction"].as_str().is_some_and(|t| t.starts_with("NT")), "{paid}");
    assert_eq!(paid["channel"], "the_noi_dia");
    let d = dossier(&base, &receiver, &code).await;
    assert_eq!(d["status"], "received", "back where it was before the fees were asked: {d}");
    // The browser's return shows the same receipt; the record does not change.
    let shown = get(&back, "").await.expect("the return page");
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert!(shown.body.contains(&receipt), "{}", shown.body);
    let lookup = get(&format!("{base}/tra-cuu?code={code}&secret={secret}"), "").await.expect("the lookup");
    assert!(lookup.body.contains(&receipt) && !lookup.body.contains("action=\"/tra-cuu/{code}/thanh-toan\""));
    let held = wait_for("DuocThanhToanTrucTuyen at the portal", Duration::from_secs(30), || async {
        at_portal(portal_port, &code).await.filter(|v| v["record"]["hoSo"]["DuocThanhToanTrucTuyen"] == 1)
    })
    .await;
    assert_eq!(held["TrangThaiHoSo"], 2, "{held}");

    // The same callback again is refused and changes nothing; a forged one is refused.
    let fields = query_fields(&back);
    let replays = (0..8).map(|_| call(&base, "/api/v1/payments/callback", "", json!(fields)));
    for (s, e) in futures_util::future::join_all(replays).await {
        assert_eq!((s, e["code"].as_str()), (409, Some("payment_already_recorded")), "{e}");
    }
    let mut forged = fields.clone();
    forged.insert("SoTien".into(), "5000".into());
    let (s, e) = call(&base, "/api/v1/payments/callback", "", json!(forged)).await;
    assert_eq!((s, e["code"].as_str()), (401, Some("signature_invalid")), "{e}");
    let (s, e) = call(&base, "/api/v1/payments/callback", "", json!("not an object")).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("invalid_payment_notice")), "{e}");
    // Nothing left to pay.
    let (s, e) = start_payment(&base, &code, &secret).await;
    assert_eq!((s, e["code"].as_str()), (422, Some("already_paid")), "{e}");
    let after = payments_of(&base, &receiver, &code).await;
    assert_eq!(after.len(), 2);

    // The applicant withdraws before any result: the fees come back by themselves.
    let v = dossier(&base, &receiver, &code).await["version"].as_i64().expect("a version");
    let (s, d) =
        act(&base, &receiver, &code, v, json!({"action": "withdraw", "reason": "Đã tìm thấy Giấy chứng nhận"})).await;
    assert_eq!((s, d["status"].as_str()), (200, Some("withdrawn")), "{d}");
    let refunded = wait_for("the refund", Duration::from_secs(20), || async {
        payments_of(&base, &receiver, &code).await.into_iter().find(|p| p["state"] == "refunded")
    })
    .await;
    assert!(refunded["refund_transaction"].as_str().is_some_and(|t| t.starts_with("HT")), "{refunded}");
    wait_for("the refund at the portal", Duration::from_secs(30), || async {
        at_portal(portal_port, &code).await.filter(|v| v["record"]["hoSo"]["DuocThanhToanTrucTuyen"] == 0)
    })
    .await;

    // The day's reconciliation: the payment and its refund match; the declined card is no money.
    let admin = login(&base, "admin").await;
    let today = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7)).date();
    let a =
        get(&format!("{base}/api/v1/payments/reconciliation?date={today}"), &admin).await.expect("the server answers");
    assert_eq!(a.status, 200, "{}", a.body);
    let r: Value = serde_json::from_str(&a.body).expect("JSON");
    assert_eq!(
        (r["matched"].as_u64(), r["only_provider"].as_u64(), r["only_motcua"].as_u64()),
        (Some(2), Some(0), Some(0)),
        "{r}"
    );
    assert_eq!((r["provider_total"].as_i64(), r["motcua_total"].as_i64()), (Some(0), Some(0)), "{r}");
    let a = get(&format!("{base}/api/v1/payments/reconciliation?date=2025-13-40"), &admin).await.expect("answers");
    assert_eq!(a.status, 400, "{}", a.body);
    let a = get(&format!("{base}/api/v1/payments/reconciliation"), &receiver).await.expect("answers");
    assert_eq!(a.status, 403, "{}", a.body);
}
