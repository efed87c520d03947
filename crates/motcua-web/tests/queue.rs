//! Queue tickets and counter ratings through the API and the pages: fair order with priority
//! tickets, concurrent calls, recall/skip/transfer, the board, metrics, rating once per dossier,
//! ratings per officer, permissions and bad input.

mod common;

use axum::http::StatusCode;
use common::{App, Browser, setup};
use motcua_domain::queue::{Counter, CounterGroup};
use serde_json::json;

async fn counters(app: &App) {
    for (code, prefix, name) in [("C1-DD", "A", "Đất đai"), ("C1-XD", "B", "Xây dựng")] {
        app.store
            .put_queue_group(&CounterGroup {
                code: code.into(),
                unit: "C1".into(),
                name: name.into(),
                fields: vec![name.into()],
                prefix: prefix.into(),
                max_priority_run: 2,
            })
            .await
            .unwrap();
    }
    for (id, group) in [("Q1", "C1-DD"), ("Q2", "C1-DD"), ("Q3", "C1-XD")] {
        app.store
            .put_counter(&Counter { id: id.into(), name: format!("Quầy {id}"), group: group.into() })
            .await
            .unwrap();
    }
}

async fn issue(app: &App, group: &str, priority: Option<&str>) -> serde_json::Value {
    let body = match priority {
        Some(p) => json!({"group": group, "priority": p}),
        None => json!({"group": group}),
    };
    let r = app.call("POST", "/api/v1/queue/tickets", None, None, Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body
}

async fn call(app: &App, token: &str, counter: &str) -> common::Res {
    app.call("POST", &format!("/api/v1/queue/counters/{counter}/call"), Some(token), None, None).await
}

async fn step(app: &App, token: &str, id: &str, body: serde_json::Value) -> common::Res {
    app.call("POST", &format!("/api/v1/queue/tickets/{id}/actions"), Some(token), None, Some(body)).await
}

#[tokio::test]
async fn priority_tickets_go_first_but_a_normal_ticket_gets_its_turn_after_two() {
    let app = setup().await;
    counters(&app).await;
    let t = app.login("tiepnhan").await;
    let first = issue(&app, "C1-DD", None).await;
    assert_eq!((first["number"].as_str(), first["waiting_before"].as_i64()), (Some("A001"), Some(0)));
    for p in ["elderly", "pregnant", "disability"] {
        issue(&app, "C1-DD", Some(p)).await;
    }
    let mut order = vec![];
    loop {
        let r = call(&app, &t, "Q1").await;
        if r.status == StatusCode::NOT_FOUND {
            assert_eq!(r.body["code"], "queue_empty");
            break;
        }
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        order.push(r.body["number"].as_str().unwrap().to_owned());
        let id = r.body["id"].as_str().unwrap().to_owned();
        let r = step(&app, &t, &id, json!({"action": "done", "counter": "Q1"})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    assert_eq!(order, ["A002", "A003", "A001", "A004"]);
}

#[tokio::test]
async fn concurrent_calls_never_share_a_ticket_and_a_busy_counter_must_finish_first() {
    let app = setup().await;
    counters(&app).await;
    let t = app.login("tiepnhan").await;
    issue(&app, "C1-DD", None).await;
    issue(&app, "C1-DD", None).await;
    let (a, b) = tokio::join!(call(&app, &t, "Q1"), call(&app, &t, "Q2"));
    assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK));
    assert_ne!(a.body["id"], b.body["id"]);
    let r = call(&app, &t, "Q1").await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("counter_busy")));
}

#[tokio::test]
async fn recall_skip_requeue_and_transfer_keep_the_ticket_fair_and_the_board_shows_calls() {
    let app = setup().await;
    counters(&app).await;
    let t = app.login("tiepnhan").await;
    let a = issue(&app, "C1-DD", None).await;
    let id = a["id"].as_str().unwrap();
    call(&app, &t, "Q1").await;
    let r = step(&app, &t, id, json!({"action": "recall", "counter": "Q1"})).await;
    assert_eq!(r.body["calls"], 2);
    let r = step(&app, &t, id, json!({"action": "done", "counter": "Q2"})).await;
    assert_eq!(r.body["code"], "not_this_counter");
    let board = app.call("GET", "/api/v1/queue/board?unit=C1", None, None, None).await;
    assert_eq!(board.body["called"][0]["number"], "A001");
    assert_eq!(board.body["called"][0]["counter_name"], "Quầy Q1");
    let r = step(&app, &t, id, json!({"action": "skip", "counter": "Q1"})).await;
    assert_eq!(r.body["state"], "skipped");
    let r = step(&app, &t, id, json!({"action": "requeue", "counter": "Q2"})).await;
    assert_eq!(r.body["state"], "waiting");
    let r = step(&app, &t, id, json!({"action": "transfer", "counter": "Q1", "group": "C1-XD"})).await;
    assert_eq!((r.body["group"].as_str(), r.body["issued_at"].clone()), (Some("C1-XD"), a["issued_at"].clone()));
    // A newer ticket of the target group waits behind the transferred one.
    issue(&app, "C1-XD", None).await;
    assert_eq!(call(&app, &t, "Q3").await.body["number"], "A001");
    let page = Browser::new(&app).get("/bang-goi-so?unit=C1").await;
    assert!(page.html.contains("http-equiv=\"refresh\"") && page.html.contains("A001"), "{}", page.html);
    // A full-screen TV page: the one-stop's name, the time in UTC+7, the latest call in large type.
    assert!(page.html.contains("class=\"screen-unit\">Trung tâm Phục vụ hành chính công tỉnh"), "{}", page.html);
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
    assert!(page.html.contains(&format!("{:02}/{:02}/{:04}", now.day(), u8::from(now.month()), now.year())));
    assert!(page.html.contains("class=\"screen-now-number\">A001"), "{}", page.html);
    let kiosk = Browser::new(&app).get("/lay-so?unit=C1").await;
    assert!(kiosk.html.contains("class=\"screen-unit\">") && kiosk.html.contains("<time>"));
}

#[tokio::test]
async fn metrics_count_waiting_and_service_per_counter_and_officer() {
    let app = setup().await;
    counters(&app).await;
    let t = app.login("tiepnhan").await;
    issue(&app, "C1-DD", None).await;
    let r = call(&app, &t, "Q1").await;
    step(&app, &t, r.body["id"].as_str().unwrap(), json!({"action": "done", "counter": "Q1"})).await;
    issue(&app, "C1-DD", None).await;
    let m = app.call("GET", "/api/v1/queue/metrics", Some(&t), None, None).await;
    assert_eq!(m.status, StatusCode::OK, "{:?}", m.body);
    let total = &m.body["metrics"]["total"];
    assert_eq!(
        (total["tickets"].as_u64(), total["done"].as_u64(), total["waiting"].as_u64()),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(m.body["metrics"]["by_counter"]["Q1"]["done"], 1);
    assert_eq!(m.body["metrics"]["by_officer"]["tiepnhan"]["called"], 1);
    let on = app.call("GET", "/api/v1/queue/metrics?date=2020-01-01", Some(&t), None, None).await;
    assert_eq!(on.body["metrics"]["total"]["tickets"], 0);
    let bad = app.call("GET", "/api/v1/queue/metrics?date=hôm-nay", Some(&t), None, None).await;
    assert_eq!((bad.status, bad.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_date")));
    let c = app.login("chuyenvien").await;
    assert_eq!(app.call("GET", "/api/v1/queue/metrics", Some(&c), None, None).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn permissions_and_bad_input_are_refused_with_stable_codes() {
    let app = setup().await;
    counters(&app).await;
    let r =
        app.call("POST", "/api/v1/queue/tickets", None, None, Some(json!({"group": "C1-DD", "priority": "vip"}))).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_priority")));
    let r = app.call("POST", "/api/v1/queue/tickets", None, None, Some(json!({"group": "NOPE"}))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.call("POST", "/api/v1/queue/counters/Q1/call", None, None, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let x1 = app.login("tiepnhan.x1").await;
    assert_eq!(call(&app, &x1, "Q1").await.status, StatusCode::FORBIDDEN);
    let t = app.login("tiepnhan").await;
    issue(&app, "C1-DD", None).await;
    let id = call(&app, &t, "Q1").await.body["id"].as_str().unwrap().to_owned();
    let r = step(&app, &t, &id, json!({"action": "fly", "counter": "Q1"})).await;
    assert_eq!(r.body["code"], "invalid_action");
    let r = step(&app, &t, &id, json!({"action": "transfer", "counter": "Q1"})).await;
    assert_eq!(r.body["code"], "missing_group");
    let g = json!({"code": "x", "unit": "C1", "name": "Hộ tịch", "prefix": "C"});
    assert_eq!(
        app.call("PUT", "/api/v1/queue/groups/C1-HT", Some(&t), None, Some(g.clone())).await.status,
        StatusCode::FORBIDDEN
    );
    let admin = app.login("giamdoc").await;
    let r = app.call("PUT", "/api/v1/queue/groups/C1-HT", Some(&admin), None, Some(g)).await;
    assert_eq!(
        (r.status, r.body["code"].as_str(), r.body["max_priority_run"].as_u64()),
        (StatusCode::OK, Some("C1-HT"), Some(3))
    );
    let bad = json!({"code": "x", "unit": "C1", "name": "Hộ tịch", "prefix": "cc"});
    let r = app.call("PUT", "/api/v1/queue/groups/C1-HT", Some(&admin), None, Some(bad)).await;
    assert_eq!(r.body["code"], "invalid_prefix");
    let q = json!({"name": "Quầy hộ tịch", "group": "C1-HT"});
    let r = app.call("PUT", "/api/v1/queue/counters/Q9", Some(&t), None, Some(q.clone())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.call("PUT", "/api/v1/queue/counters/Q9", Some(&admin), None, Some(q)).await;
    assert_eq!((r.status, r.body["id"].as_str()), (StatusCode::OK, Some("Q9")));
    let groups = app.call("GET", "/api/v1/queue/groups?unit=C1", None, None, None).await;
    assert_eq!(groups.body.as_array().map(Vec::len), Some(3));
}

/// Takes an online dossier to `returned`, returning its code.
async fn returned_dossier(app: &App) -> String {
    let (code, _, v) = app.submit_online().await;
    let t = app.login("tiepnhan").await;
    let l = app.login("lanhdao").await;
    let c = app.login("chuyenvien").await;
    let r = app.act(&t, &code, v, json!({"action": "receive"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let mut v = r.body["version"].as_i64().unwrap();
    // Whoever may act next does: the dossier's own process decides the order.
    let candidates = [
        json!({"action": "return_result", "fee_paid": true}),
        json!({"action": "approve"}),
        json!({"action": "complete_step"}),
        json!({"action": "assign", "to": "chuyenvien"}),
    ];
    for _ in 0..12 {
        let mut moved = false;
        'find: for body in &candidates {
            for tok in [&t, &l, &c] {
                let r = app.act(tok, &code, v, body.clone()).await;
                if r.status == StatusCode::OK {
                    v = r.body["version"].as_i64().unwrap();
                    moved = true;
                    if r.body["status"] == "returned" {
                        return code;
                    }
                    break 'find;
                }
            }
        }
        assert!(moved, "the dossier is stuck");
    }
    panic!("the dossier was not returned");
}

#[tokio::test]
async fn the_tablet_rates_a_returned_dossier_once_and_ratings_aggregate_per_officer() {
    let app = setup().await;
    counters(&app).await;
    let code = returned_dossier(&app).await;
    let t = app.login("tiepnhan").await;
    issue(&app, "C1-DD", None).await;
    let id = call(&app, &t, "Q1").await.body["id"].as_str().unwrap().to_owned();
    let r = step(&app, &t, &id, json!({"action": "done", "counter": "Q1", "dossier": code})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let url = r.body["rating_url"].as_str().unwrap().to_owned();
    let mut b = Browser::new(&app);
    let page = b.get(&url).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let token = url.split("t=").nth(1).unwrap().to_owned();
    let csrf = page.csrf();
    let done = b.post_form(&format!("/danh-gia/{id}"), &[("csrf", &csrf), ("t", &token), ("score", "5")]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    // The token is single use.
    let again = b.post_form(&format!("/danh-gia/{id}"), &[("csrf", &csrf), ("t", &token), ("score", "1")]).await;
    assert_eq!(again.status, StatusCode::FORBIDDEN);
    // And the dossier itself refuses a second rating, online too.
    let (d, _) = app.store.dossier(&code).await.unwrap();
    assert_eq!(d.rating, Some(5));
    let r = app
        .call(
            "POST",
            &format!("/api/v1/dossiers/{code}/actions"),
            None,
            Some(d.version),
            Some(json!({"action": "rate", "score": 2})),
        )
        .await;
    assert_ne!(r.status, StatusCode::OK);
    let l = app.login("giamdoc").await;
    let r = app
        .call("GET", "/api/v1/ratings/officers?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z", Some(&l), None, None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["officers"][0]["officer"], "tiepnhan");
    assert_eq!(
        (r.body["officers"][0]["ratings"].as_u64(), r.body["officers"][0]["satisfied"].as_u64()),
        (Some(1), Some(1))
    );
    let c = app.login("chuyenvien").await;
    let r = app
        .call("GET", "/api/v1/ratings/officers?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z", Some(&c), None, None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_kiosk_prints_a_ticket_without_javascript_and_the_counter_page_calls_it() {
    let app = setup().await;
    counters(&app).await;
    let mut b = Browser::new(&app);
    let page = b.get("/lay-so?unit=C1").await;
    assert!(page.html.contains("Đất đai") && !page.html.contains("<script"), "{}", page.html);
    let csrf = page.csrf();
    let r = b.post_form("/lay-so", &[("csrf", &csrf), ("group", "C1-DD"), ("priority", "elderly")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let ticket = b.get(r.location.as_deref().unwrap()).await;
    assert!(ticket.html.contains("A001") && ticket.html.contains("Người cao tuổi"), "{}", ticket.html);
    let mut o = Browser::new(&app);
    o.sign_in("tiepnhan").await;
    let page = o.get("/quay/so-thu-tu?counter=Q1").await;
    let csrf = page.csrf();
    let r = o.post_form("/quay/so-thu-tu", &[("csrf", &csrf), ("counter", "Q1"), ("action", "call")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = o.get("/quay/so-thu-tu?counter=Q1").await;
    assert!(page.html.contains("A001"), "{}", page.html);
    let csrf = page.csrf();
    let id = "C1-DD-".to_owned();
    let ticket_id = page.html.split("name=\"ticket\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    assert!(ticket_id.starts_with(&id), "{ticket_id}");
    let r = o
        .post_form("/quay/so-thu-tu", &[("csrf", &csrf), ("counter", "Q1"), ("ticket", &ticket_id), ("action", "skip")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = o.get("/quay/so-thu-tu?counter=Q1").await;
    assert!(page.html.contains("value=\"requeue\""), "{}", page.html);
    // Another counter's ticket is not this officer's to finish.
    let r = o
        .post_form("/quay/so-thu-tu", &[("csrf", &csrf), ("counter", "Q1"), ("ticket", &ticket_id), ("action", "done")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let m = o.get("/can-bo/hang-doi").await;
    assert_eq!(m.status, StatusCode::OK);
}
