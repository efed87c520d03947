//! Citizen feedback through the API and Open311: lifecycle and permissions, deadlines across a
//! holiday (fixed instants), redaction on publication, search without diacritics, secrets.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::setup;
use http_body_util::BodyExt;
use motcua_domain::calendar::Calendar;
use motcua_domain::dossier::{Actor, Role};
use motcua_domain::feedback::{self, Command, Feedback, FeedbackRules, SubjectKind, Submission, Submitter};
use serde_json::{Value, json};
use time::macros::datetime;
use tower::ServiceExt;

fn body() -> Value {
    json!({"subject_kind": "procedure", "subject_ref": "1.000001",
        "title": "Thủ tục đất đai giải quyết chậm",
        "content": "Tôi là Nguyễn Văn An, số CCCD 091234567890, điện thoại 0912 345 678, hồ sơ đất đai bị trễ hẹn.",
        "submitter": {"name": "Nguyễn Văn An", "phone": "0912345678", "email": "an@example.vn"}})
}

async fn submit(app: &common::App) -> (String, String) {
    let r = app.call("POST", "/api/v1/feedback", None, None, Some(body())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    (r.body["code"].as_str().unwrap().to_owned(), r.body["secret"].as_str().unwrap().to_owned())
}

async fn act(app: &common::App, token: &str, code: &str, b: Value) -> common::Res {
    app.call("POST", &format!("/api/v1/feedback/{code}/actions"), Some(token), None, Some(b)).await
}

#[tokio::test]
async fn a_feedback_is_received_assigned_answered_approved_and_published_without_personal_data() {
    let app = setup().await;
    let (code, secret) = submit(&app).await;
    assert!(code.starts_with("FB-") && code.len() == "FB-260302-0001".len(), "{code}");
    let r = app.call("GET", &format!("/api/v1/feedback/{code}?secret={secret}"), None, None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "submitted");
    assert_eq!(r.body["current_deadline"]["stage"], "accept");
    assert_eq!(r.body["history"].as_array().unwrap().len(), 1);

    let (tiepnhan, chuyenvien, lanhdao) =
        (app.login("tiepnhan").await, app.login("chuyenvien").await, app.login("lanhdao").await);
    // The unit cannot act before it is assigned; the center cannot answer.
    assert_eq!(act(&app, &chuyenvien, &code, json!({"action": "accept"})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(act(&app, &tiepnhan, &code, json!({"action": "accept"})).await.status, StatusCode::OK);
    assert_eq!(
        act(&app, &tiepnhan, &code, json!({"action": "answer", "answer": "x"})).await.status,
        StatusCode::FORBIDDEN
    );
    let r =
        act(&app, &tiepnhan, &code, json!({"action": "assign", "unit": "ZZ", "category": "rules_procedures"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r =
        act(&app, &tiepnhan, &code, json!({"action": "assign", "unit": "A1", "category": "rules_procedures"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // The unit asks for more information; the citizen supplies it with the secret.
    let r =
        act(&app, &chuyenvien, &code, json!({"action": "request_info", "question": "Xin cho biết mã hồ sơ."})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .call(
            "POST",
            &format!("/api/v1/feedback/{code}/actions?secret={secret}"),
            None,
            None,
            Some(json!({"action": "supply_info", "text": "Hồ sơ 000.00.00.H01-260301-0001"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "assigned");
    let answer = "Trả lời ông Nguyễn Văn An (0912345678, an@example.vn): hồ sơ sẽ được trả trong tuần.";
    assert_eq!(
        act(&app, &chuyenvien, &code, json!({"action": "answer", "answer": answer})).await.status,
        StatusCode::OK
    );
    // A specialist cannot approve; the unit's leader can.
    assert_eq!(act(&app, &chuyenvien, &code, json!({"action": "approve"})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(act(&app, &lanhdao, &code, json!({"action": "approve"})).await.status, StatusCode::OK);
    // Stale version: 409.
    let r = act(&app, &tiepnhan, &code, json!({"action": "publish", "version": 2})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = act(&app, &tiepnhan, &code, json!({"action": "publish"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    // The submitter is told, by e-mail and SMS, through the outbox, once.
    let notices = app.store.outbox_about(&code).await.unwrap();
    let kinds: Vec<&str> = notices.iter().map(|m| m.kind.as_str()).collect();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    assert!(kinds.contains(&"email") && kinds.contains(&"sms"));
    assert!(notices.iter().all(|m| m.template.as_deref() == Some("feedback_answered-1")));
    assert!(notices.iter().any(|m| m.recipient == "an@example.vn"));
    let r = app.call("GET", "/api/v1/feedback?published=true", None, None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let item = &r.body[0];
    assert_eq!(item["code"], code.as_str());
    let text = item.to_string();
    for secret_bit in ["Nguyễn Văn An", "091234567890", "0912", "an@example.vn", "345 678"] {
        assert!(!text.contains(secret_bit), "{secret_bit} leaked: {text}");
    }
    assert!(item["answer"].as_str().unwrap().contains("[đã ẩn]"));
    // The citizen sees the published answer and the whole history.
    let r = app.call("GET", &format!("/api/v1/feedback/{code}?secret={secret}"), None, None, None).await;
    assert_eq!(r.body["status"], "published");
    assert_eq!(r.body["history"].as_array().unwrap().len(), 8);
    assert!(r.body["current_deadline"].is_null());
    // Votes: more dislikes than likes.
    for (voter, like) in [("voter-0001", true), ("voter-0002", false), ("voter-0003", false), ("voter-0003", false)] {
        let r = app
            .call(
                "POST",
                &format!("/api/v1/feedback/{code}/votes"),
                None,
                None,
                Some(json!({"like": like, "voter": voter})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let (fb, _) = app.store.feedback(&code).await.unwrap();
    assert_eq!((fb.likes, fb.dislikes), (1, 2));
    assert!(fb.unsatisfied());
    let now = time::OffsetDateTime::now_utc();
    let c = app
        .store
        .feedback_counts(Some("A1"), now - time::Duration::days(1), now + time::Duration::days(1), now)
        .await
        .unwrap();
    assert_eq!((c.received, c.handled_on_time, c.published, c.unsatisfied), (1, 1, 1, 1));
}

#[tokio::test]
async fn the_search_of_published_answers_ignores_diacritics() {
    let app = setup().await;
    let (code, _) = submit(&app).await;
    let t = app.login("tiepnhan").await;
    let (cv, ld) = (app.login("chuyenvien").await, app.login("lanhdao").await);
    for (tok, b) in [
        (&t, json!({"action": "assign", "unit": "A1", "category": "rules_procedures"})),
        (&cv, json!({"action": "answer", "answer": "Sở đã chấn chỉnh việc giải quyết hồ sơ đất đai."})),
        (&ld, json!({"action": "approve"})),
        (&t, json!({"action": "publish"})),
    ] {
        assert_eq!(act(&app, tok, &code, b).await.status, StatusCode::OK);
    }
    let r = app.call("GET", "/api/v1/feedback?published=true&q=chan%20chinh%20DAT%20dai", None, None, None).await;
    assert_eq!(r.body.as_array().unwrap().len(), 1, "{:?}", r.body);
    let r = app.call("GET", "/api/v1/feedback?published=true&q=hon%20nhan", None, None, None).await;
    assert_eq!(r.body.as_array().unwrap().len(), 0);
    // The submitter's name is not searchable.
    let r = app.call("GET", "/api/v1/feedback?published=true&q=nguyen%20van%20an", None, None, None).await;
    assert_eq!(r.body.as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn lookups_need_the_right_secret_and_bad_input_gets_400() {
    let app = setup().await;
    let (code, secret) = submit(&app).await;
    let wrong = app.call("GET", &format!("/api/v1/feedback/{code}?secret=WRONGSECRET2"), None, None, None).await;
    let unknown = app.call("GET", "/api/v1/feedback/FB-990101-0001?secret=WRONGSECRET2", None, None, None).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(wrong.body["code"], unknown.body["code"]);
    let r =
        app.call("GET", &format!("/api/v1/feedback/{code}?secret={}", secret.to_lowercase()), None, None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        app.call("GET", &format!("/api/v1/feedback/{code}"), None, None, None).await.status,
        StatusCode::BAD_REQUEST
    );
    // The officers' list needs a sign-in; the public one does not.
    assert_eq!(app.call("GET", "/api/v1/feedback", None, None, None).await.status, StatusCode::UNAUTHORIZED);
    let mut b = body();
    b["subject_kind"] = json!("weather");
    assert_eq!(app.call("POST", "/api/v1/feedback", None, None, Some(b)).await.status, StatusCode::BAD_REQUEST);
    let mut b = body();
    b["content"] = json!("ngắn");
    assert_eq!(app.call("POST", "/api/v1/feedback", None, None, Some(b)).await.status, StatusCode::BAD_REQUEST);
    let mut b = body();
    b["submitter"]["email"] = json!("khong-phai-email");
    assert_eq!(app.call("POST", "/api/v1/feedback", None, None, Some(b)).await.status, StatusCode::BAD_REQUEST);
    // An officer of another unit does not see it.
    let x = app.login("tiepnhan.x1").await;
    assert_eq!(
        app.call("GET", &format!("/api/v1/feedback/{code}"), Some(&x), None, None).await.status,
        StatusCode::NOT_FOUND
    );
    // Unknown actions are refused.
    let t = app.login("tiepnhan").await;
    assert_eq!(act(&app, &t, &code, json!({"action": "fly"})).await.status, StatusCode::BAD_REQUEST);
    // The center's queue lists it with its deadline.
    let r = app.call("GET", "/api/v1/feedback?status=submitted", Some(&t), None, None).await;
    assert_eq!(r.body[0]["code"], code.as_str());
    assert!(r.body[0]["due"].is_string());
}

/// Drives an item at fixed instants through the store, as the handlers do.
#[tokio::test]
async fn deadlines_run_in_working_days_across_30_april_and_1_may() {
    let app = setup().await;
    let cal = Calendar::vietnam_default();
    let rules = app.store.feedback_rules("C1").await.unwrap();
    assert_eq!(rules, FeedbackRules::default());
    let at = datetime!(2026-04-28 14:00 +7);
    let submission = Submission {
        subject_kind: SubjectKind::Officer,
        subject_ref: Some("Trần Văn Bình".into()),
        title: "Cán bộ hướng dẫn không rõ".into(),
        content: "Cán bộ Trần Văn Bình hướng dẫn không rõ ràng.".into(),
        submitter: Submitter { name: "Lê Thị Cúc".into(), ..Default::default() },
        reraise_of: None,
        location: None,
    };
    let fb = app
        .store
        .create_feedback(at, "h", {
            let (submission, cal, rules) = (submission.clone(), cal.clone(), rules);
            move |code| {
                Feedback::submit(code, motcua_domain::ids::UnitCode::parse("C1").unwrap(), submission, at, &cal, &rules)
            }
        })
        .await
        .unwrap();
    assert_eq!(fb.code, "FB-260428-0001");
    // 28/4 14:00 → 3h that day, 29/4 (8h), then 30/4–3/5 off, and 5h of 4/5 (07–11, 13–14).
    assert_eq!(fb.due.accept, datetime!(2026-05-04 14:00 +7));
    // 15 working days (120h): 28/4 (3h), 29/4, 4–8/5, 11–15/5, 18–20/5 (115h) and 5h of 21/5.
    assert_eq!(fb.due.answer, datetime!(2026-05-21 14:00 +7));
    let receiver = Actor::Officer {
        username: "tiepnhan".into(),
        grants: vec![(motcua_domain::ids::UnitCode::parse("C1").unwrap(), Role::Receiver)],
    };
    // Accepted on 4/5 at 09:00: on time despite six calendar days.
    let e = feedback::decide(&fb, &receiver, Command::Accept, datetime!(2026-05-04 09:00 +7), &cal, &rules).unwrap();
    let fb = app.store.append_feedback(&fb.code, fb.version, &e).await.unwrap();
    assert!(fb.on_time_at(datetime!(2026-05-04 09:00 +7)));
    // Not classified by the fifth working day (5/5 14:00 + …): overdue, listed for the alerts.
    let open = app.store.open_feedback_deadlines(Some("C1")).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].stage, feedback::Stage::Classify);
    assert!(fb.overdue_at(open[0].due + time::Duration::minutes(1)));
    let c = app
        .store
        .feedback_counts(
            None,
            at - time::Duration::days(1),
            at + time::Duration::days(1),
            datetime!(2026-06-01 00:00 +7),
        )
        .await
        .unwrap();
    assert_eq!((c.received, c.late, c.official_conduct), (1, 1, 1));
    assert_eq!(c.points_5_2(), 0.0);
}

async fn raw(app: &common::App, method: &str, uri: &str, ctype: Option<&str>, body: &str) -> (StatusCode, Value) {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(c) = ctype {
        b = b.header("content-type", c);
    }
    let res = app.router.clone().oneshot(b.body(Body::from(body.to_owned())).unwrap()).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn open311_lists_services_and_takes_requests_as_form_or_json() {
    let app = setup().await;
    let (s, v) = raw(&app, "GET", "/open311/v2/services.json", None, "").await;
    assert_eq!(s, StatusCode::OK);
    let services = v.as_array().unwrap();
    assert_eq!(services.len(), 5);
    for k in ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"] {
        assert!(services[0].get(k).is_some(), "{k}");
    }
    assert_eq!(services[0]["metadata"], false);
    assert_eq!(services[0]["type"], "realtime");

    let form = "service_code=procedure&description=Th%E1%BB%A7%20t%E1%BB%A5c%20c%E1%BA%A5p%20ph%C3%A9p%20x%C3%A2y%20d%E1%BB%B1ng%20qu%C3%A1%20l%C3%A2u\
                &lat=10.01&long=105.08&first_name=An&last_name=Nguy%E1%BB%85n&phone=0912345678&email=an%40example.vn";
    let (s, v) = raw(&app, "POST", "/open311/v2/requests.json", Some("application/x-www-form-urlencoded"), form).await;
    assert_eq!(s, StatusCode::CREATED, "{v:?}");
    let id = v[0]["service_request_id"].as_str().unwrap().to_owned();
    assert!(v[0]["service_notice"].as_str().unwrap().contains(&id));
    assert!(v[0].get("account_id").is_some());
    let secret = v[0]["secret"].as_str().unwrap().to_owned();
    let r = app.call("GET", &format!("/api/v1/feedback/{id}?secret={secret}"), None, None, None).await;
    assert_eq!(r.status, StatusCode::OK);

    let json_body = json!({"service_code": "unit", "description": "Phòng chờ thiếu ghế ngồi cho người dân", "address_string": "Phường Rạch Giá"});
    let (s, v) = raw(&app, "POST", "/open311/v2/requests.json", Some("application/json"), &json_body.to_string()).await;
    assert_eq!(s, StatusCode::CREATED, "{v:?}");

    let (s, v) = raw(&app, "GET", &format!("/open311/v2/requests/{id}.json"), None, "").await;
    assert_eq!(s, StatusCode::OK);
    let r = &v[0];
    for k in [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
    ] {
        assert!(r.get(k).is_some(), "{k} missing");
    }
    assert_eq!(r["status"], "open");
    let text = r.to_string();
    for personal in ["0912345678", "an@example.vn", "Nguyễn", "10.01"] {
        assert!(!text.contains(personal), "{personal} leaked: {text}");
    }
    let (s, v) = raw(&app, "GET", "/open311/v2/requests.json?status=open&service_code=procedure", None, "").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v.as_array().unwrap().len(), 1);
    let (_, v) = raw(&app, "GET", "/open311/v2/requests.json?status=closed", None, "").await;
    assert_eq!(v.as_array().unwrap().len(), 0);
    let (_, v) = raw(&app, "GET", &format!("/open311/v2/requests.json?service_request_id={id}"), None, "").await;
    assert_eq!(v.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn open311_errors_are_arrays_of_code_and_description() {
    let app = setup().await;
    let (s, v) = raw(&app, "GET", "/open311/v2/requests/FB-990101-0001.json", None, "").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(v[0]["code"], 404);
    assert!(v[0]["description"].is_string());
    let (s, v) = raw(
        &app,
        "POST",
        "/open311/v2/requests.json",
        Some("application/x-www-form-urlencoded"),
        "service_code=nope&description=abcdefghijkl",
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v[0]["code"], 400);
    let (s, _) =
        raw(&app, "POST", "/open311/v2/requests.json", Some("application/x-www-form-urlencoded"), "service_code=unit")
            .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, v) = raw(&app, "GET", "/open311/v2/requests.json?start_date=yesterday", None, "").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v[0]["code"], 400);
}

#[tokio::test]
async fn citizens_send_feedback_with_an_attachment_through_the_form_and_follow_it_and_officers_work_the_queue() {
    let app = setup().await;
    let mut b = common::Browser::new(&app);
    let form = b.get("/phan-anh/gui").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains("enctype=\"multipart/form-data\""));
    let csrf = form.csrf();
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let fields = [
        ("csrf", csrf.as_str()),
        ("subject_kind", "procedure"),
        ("subject_ref", "1.000001"),
        ("title", "Hồ sơ đất đai trễ hẹn"),
        ("content", "Hồ sơ của tôi đã quá hạn hai tuần mà chưa có kết quả."),
        ("name", "Võ Thị Em"),
        ("phone", "0909123456"),
    ];
    let done = b.post_multipart("/phan-anh/gui", &fields, &[("tep", "anh.pdf", "application/pdf", pdf)]).await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.html);
    let code = done.html.split("class=\"code\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    let secret = done.html.split("class=\"code secret\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    assert_eq!(app.store.files_of(&code).await.unwrap().len(), 1);
    let page = b.get(&format!("/phan-anh/tra-cuu?code={code}&secret={secret}")).await;
    assert!(page.html.contains("Mới tiếp nhận"), "{}", page.html);
    let page = b.get(&format!("/phan-anh/tra-cuu?code={code}&secret=WRONGSECRET2")).await;
    assert!(!page.html.contains("Mới tiếp nhận"));
    // A bad form is shown again with the problem, keeping what was typed.
    let bad = b
        .post_multipart(
            "/phan-anh/gui",
            &[
                ("csrf", csrf.as_str()),
                ("subject_kind", "unit"),
                ("title", "Tiêu đề giữ lại"),
                ("content", "ngắn"),
                ("name", "A"),
            ],
            &[],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("Tiêu đề giữ lại"));

    let mut officer = common::Browser::new(&app);
    officer.sign_in("tiepnhan").await;
    let queue = officer.get("/can-bo/phan-anh").await;
    assert!(queue.html.contains(&code), "{}", queue.html);
    let csrf = queue.csrf();
    let r = officer.post_form(&format!("/can-bo/phan-anh/{code}"), &[("csrf", &csrf), ("action", "accept")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.feedback(&code).await.unwrap().0.status, feedback::Status::Accepted);
    let list = b.get("/phan-anh?q=dat%20dai").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.html.contains("href=\"/phan-anh\""));
}

/// Four officers accept one item at the same moment: one answer is 200; each of the three others
/// is 409 (it read the item before the acceptance committed) or 422 (it read the accepted item),
/// never a 500 "database is locked"; the history holds one acceptance.
#[tokio::test]
async fn four_officers_accepting_at_once_get_one_success_and_three_conflicts() {
    let app = setup().await;
    let (code, secret) = submit(&app).await;
    let token = app.login("tiepnhan").await;
    let accept = || act(&app, &token, &code, json!({"action": "accept"}));
    let (a, b, c, d) = tokio::join!(accept(), accept(), accept(), accept());
    let mut statuses: Vec<u16> = [a, b, c, d].iter().map(|r| r.status.as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses[0], 200, "{statuses:?}");
    assert!(statuses[1..].iter().all(|s| *s == 409 || *s == 422), "{statuses:?}");
    let r = app.call("GET", &format!("/api/v1/feedback/{code}?secret={secret}"), None, None, None).await;
    assert_eq!(r.body["history"].as_array().unwrap().len(), 2, "{:?}", r.body);
}
