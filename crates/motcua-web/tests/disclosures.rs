//! Monthly public disclosure of the QĐ 766 indicators through the API and the public pages:
//! publish → list → get, a correction as revision 2 with its reason, an unchanged correction
//! refused, the current month refused, permissions, bad input, the month-end automation.

mod common;

use axum::http::StatusCode;
use common::{App, Browser, setup};
use motcua_domain::calendar::Calendar;
use motcua_domain::code::{DEFAULT_TEMPLATE, render};
use motcua_domain::dossier::actions::{Action, Ctx, create, decide};
use motcua_domain::dossier::event::{Event, EventData, apply};
use motcua_domain::dossier::timeliness::VN_OFFSET;
use motcua_domain::dossier::{Actor, Applicant, Channel, DocumentRecord, Dossier, Role};
use motcua_domain::indicators::YearMonth;
use motcua_store::CreateJob;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// An ended month with dossiers in it.
const MONTH: &str = "2025-03";

fn at(s: &str) -> OffsetDateTime {
    OffsetDateTime::parse(s, &Rfc3339).unwrap_or_else(|e| panic!("bad instant {s}: {e}"))
}

/// A dossier of 1.000001 received online at C1 at `received` and resolved by A1, written to the
/// store directly to put it in the past.
async fn received_at(app: &App, received: &str) -> Dossier {
    let p = app.store.procedure("1.000001").await.unwrap();
    let at = at(received);
    let day = at.to_offset(VN_OFFSET).date();
    let build = Box::new(move |seq: u64| {
        let created = create::decide(create::NewDossier {
            code: render(DEFAULT_TEMPLATE, "C1", day, seq)?,
            procedure: &p,
            channel: Channel::Online,
            applicant: Applicant { name: "Trần Thị Bình".into(), ..Default::default() },
            documents: vec![DocumentRecord::named("Tờ khai")],
            receiving_unit: motcua_domain::dossier::UnitCode::parse("C1").unwrap(),
            resolving_unit: motcua_domain::dossier::UnitCode::parse("A1").unwrap(),
            at,
        })?;
        let first = Event { at, actor: "applicant".into(), data: EventData::Create(created) };
        let d = apply(None, &first).expect("the create event applies");
        let receiver = Actor::Officer {
            username: "tiepnhan".into(),
            grants: vec![(motcua_domain::ids::UnitCode::parse("C1").unwrap(), Role::Receiver)],
        };
        let cal = Calendar::vietnam_default();
        let second = decide(&d, &Action::Receive(Default::default()), &Ctx { calendar: &cal, at, actor: &receiver })?;
        Ok(vec![first, second])
    });
    let job = CreateJob { seq_unit: "C1".into(), day: day.to_string(), secret_hash: "x".into(), build, key: None };
    app.store.writer.create(job).await.unwrap()
}

async fn publish(app: &App, token: Option<&str>, body: Value) -> common::Res {
    app.call("POST", "/api/v1/disclosures", token, None, Some(body)).await
}

fn this_month() -> String {
    YearMonth::of(OffsetDateTime::now_utc()).to_string()
}

#[tokio::test]
async fn a_center_administrator_publishes_an_ended_month_and_anyone_reads_it() {
    let app = setup().await;
    received_at(&app, "2025-03-10T09:00:00+07:00").await;
    let gd = app.login("giamdoc").await;
    let r = publish(&app, Some(&gd), json!({"month": MONTH})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!((r.body["month"].as_str(), r.body["revision"].as_i64()), (Some(MONTH), Some(1)));
    assert_eq!(r.body["published_by"], "giamdoc");
    assert_eq!(r.body["body"]["month"], MONTH);
    assert_eq!(r.body["body"]["total"]["received"], 1);
    let units = r.body["body"]["units"].as_array().expect("units");
    assert_eq!(units.len(), 1, "{units:?}");
    assert_eq!((units[0]["key"].as_str(), units[0]["received"].as_i64()), (Some("A1"), Some(1)));
    assert_eq!(units[0]["name"], "Sở Nông nghiệp và Môi trường");
    assert!(units[0]["points"]["computed_total"].as_f64().is_some());
    let sha = r.body["sha256"].as_str().expect("sha256").to_owned();
    assert_eq!(sha.len(), 64);

    let list = app.call("GET", "/api/v1/disclosures", None, None, None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body.as_array().map(Vec::len), Some(1));
    assert_eq!(list.body[0]["sha256"], sha.as_str());
    assert!(list.body[0].get("body").is_none(), "the list carries no figures");
    assert!(list.body[0]["published_at"].as_str().is_some_and(|t| t.ends_with('Z')), "stored and sent in UTC");

    let one = app.call("GET", &format!("/api/v1/disclosures/{MONTH}"), None, None, None).await;
    assert_eq!(one.status, StatusCode::OK, "{:?}", one.body);
    assert_eq!(one.body["body"], r.body["body"]);
    assert_eq!((one.body["revision"].as_i64(), one.body["latest_revision"].as_i64()), (Some(1), Some(1)));
    assert_eq!(one.body["revisions"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_correction_is_a_new_revision_with_its_reason_and_the_old_one_stays_readable() {
    let app = setup().await;
    received_at(&app, "2025-03-10T09:00:00+07:00").await;
    let gd = app.login("giamdoc").await;
    let first = publish(&app, Some(&gd), json!({"month": MONTH})).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);

    let r = publish(&app, Some(&gd), json!({"month": MONTH, "note": "Đính chính"})).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::CONFLICT, Some("disclosure_unchanged")));
    assert!(r.body["message_vi"].as_str().is_some_and(|m| !m.is_empty()));

    received_at(&app, "2025-03-11T09:00:00+07:00").await;
    for note in [json!({"month": MONTH}), json!({"month": MONTH, "note": "   "})] {
        let r = publish(&app, Some(&gd), note).await;
        assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("note_required")));
    }
    let note = "Bổ sung hồ sơ nhập muộn của Sở Nông nghiệp và Môi trường";
    let second = publish(&app, Some(&gd), json!({"month": MONTH, "note": note})).await;
    assert_eq!(second.status, StatusCode::CREATED, "{:?}", second.body);
    assert_eq!((second.body["revision"].as_i64(), second.body["note"].as_str()), (Some(2), Some(note)));
    assert_eq!(second.body["body"]["total"]["received"], 2);
    assert_ne!(second.body["sha256"], first.body["sha256"]);

    let latest = app.call("GET", &format!("/api/v1/disclosures/{MONTH}"), None, None, None).await;
    assert_eq!(latest.body["revision"], 2);
    let revisions: Vec<i64> =
        latest.body["revisions"].as_array().into_iter().flatten().filter_map(|r| r["revision"].as_i64()).collect();
    assert_eq!(revisions, [1, 2]);
    let old = app.call("GET", &format!("/api/v1/disclosures/{MONTH}?revision=1"), None, None, None).await;
    assert_eq!(old.status, StatusCode::OK, "{:?}", old.body);
    assert_eq!((old.body["revision"].as_i64(), old.body["latest_revision"].as_i64()), (Some(1), Some(2)));
    assert_eq!(old.body["body"], first.body["body"], "a published revision never changes");
    assert_eq!(old.body["sha256"], first.body["sha256"]);
    let list = app.call("GET", "/api/v1/disclosures", None, None, None).await;
    let listed: Vec<i64> = list.body.as_array().into_iter().flatten().filter_map(|r| r["revision"].as_i64()).collect();
    assert_eq!(listed, [2, 1], "newest revision first");
}

#[tokio::test]
async fn the_current_and_future_months_are_refused() {
    let app = setup().await;
    let gd = app.login("giamdoc").await;
    let next = YearMonth::of(OffsetDateTime::now_utc()).next().to_string();
    for month in [this_month(), next] {
        let r = publish(&app, Some(&gd), json!({"month": month})).await;
        assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("month_not_ended")));
    }
    let list = app.call("GET", "/api/v1/disclosures", None, None, None).await;
    assert_eq!(list.body, json!([]));
}

#[tokio::test]
async fn only_a_center_administrator_may_publish() {
    let app = setup().await;
    let r = publish(&app, None, json!({"month": MONTH})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    for user in ["tiepnhan", "lanhdao", "chuyenvien"] {
        let token = app.login(user).await;
        let r = publish(&app, Some(&token), json!({"month": MONTH})).await;
        assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{user}");
    }
    let list = app.call("GET", "/api/v1/disclosures", None, None, None).await;
    assert_eq!(list.body, json!([]), "nothing was published");
}

#[tokio::test]
async fn bad_input_gets_a_clear_400_and_unknown_months_404() {
    let app = setup().await;
    let gd = app.login("giamdoc").await;
    for month in ["2025-13", "2025-3", "tháng 3", "", "1999-12", "2025-03-01"] {
        let r = publish(&app, Some(&gd), json!({"month": month})).await;
        assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_month")), "{month}");
        assert!(r.body["message_vi"].as_str().is_some_and(|m| m.contains("tháng")));
        assert!(r.body["message"].as_str().is_some_and(|m| m.contains("month")));
    }
    let r = publish(&app, Some(&gd), json!({"note": "x"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = publish(&app, Some(&gd), json!({"month": MONTH, "note": "x".repeat(2001)})).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("note_too_long")));

    let get = |uri: &'static str| app.call("GET", uri, None, None, None);
    let r = get("/api/v1/disclosures/2025-3").await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_month")));
    let r = get("/api/v1/disclosures/2025-03?revision=abc").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = get("/api/v1/disclosures/2025-03?revision=0").await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_revision")));
    let r = get("/api/v1/disclosures/2025-03").await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    assert!(r.body["message_vi"].as_str().is_some_and(|m| m.contains("2025-03")));

    publish(&app, Some(&gd), json!({"month": MONTH})).await;
    let r = get("/api/v1/disclosures/2025-03?revision=5").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_month_end_automation_publishes_the_ended_month_once() {
    let app = setup().await;
    received_at(&app, "2025-03-10T09:00:00+07:00").await;
    let publish = |now: &str| motcua_web::disclosures::publish_ended_months(&app.store, at(now));
    // Still March in Vietnam (UTC+7): nothing has ended that has dossiers.
    let r = publish("2025-03-31T16:30:00Z").await.expect("automation");
    assert!(r.is_empty(), "{r:?}");
    let r = publish("2025-03-31T17:30:00Z").await.expect("automation");
    assert_eq!(r.iter().map(|m| (m.month.as_str(), m.revision)).collect::<Vec<_>>(), [(MONTH, 1)]);
    assert_eq!((r[0].published_by.as_str(), r[0].note.as_str()), ("system", "Công bố tự động cuối tháng"));
    assert!(publish("2025-04-01T09:00:00Z").await.expect("automation").is_empty(), "never re-published");
    received_at(&app, "2025-03-12T09:00:00+07:00").await;
    assert!(publish("2025-04-02T09:00:00Z").await.expect("automation").is_empty(), "corrections are made by people");
    let april = publish("2025-05-02T09:00:00Z").await.expect("automation");
    assert_eq!(april.iter().map(|m| m.month.as_str()).collect::<Vec<_>>(), ["2025-04"], "carried-over dossiers");
    let months: Vec<(String, i64)> =
        app.store.disclosures().await.unwrap().into_iter().map(|m| (m.month, m.revision)).collect();
    assert_eq!(months, [("2025-04".to_owned(), 1), (MONTH.to_owned(), 1)]);
}

#[tokio::test]
async fn the_command_line_publishes_with_the_same_rules() {
    let app = setup().await;
    received_at(&app, "2025-03-10T09:00:00+07:00").await;
    let application = motcua_app::Application::load(app.store.clone()).await.unwrap();
    let cli = motcua_app::accounts::Authority::Operator("cli");
    let disclose = |month, note| motcua_app::disclosures::publish(&application, cli, month, note);
    let m = disclose(MONTH, "").await.expect("published").meta;
    assert_eq!((m.revision, m.published_by.as_str()), (1, "cli"));
    let e = disclose(MONTH, "lý do").await.expect_err("unchanged");
    assert_eq!(e.code, "disclosure_unchanged");
    let e = disclose("03/2025", "").await.expect_err("bad month");
    assert_eq!(e.code, "invalid_month");
    assert!(e.to_string().contains("2025-07"), "{e}");
}

#[tokio::test]
async fn the_public_pages_list_the_months_and_show_the_table_and_history() {
    let app = setup().await;
    let mut b = Browser::new(&app);
    let empty = b.get("/cong-khai").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.html.contains("Chưa có tháng nào được công khai"));
    assert!(empty.html.contains("href=\"/cong-khai\""), "linked from the public navigation");

    received_at(&app, "2025-03-10T09:00:00+07:00").await;
    let gd = app.login("giamdoc").await;
    let first = publish(&app, Some(&gd), json!({"month": MONTH})).await;
    received_at(&app, "2025-03-11T09:00:00+07:00").await;
    let second = publish(&app, Some(&gd), json!({"month": MONTH, "note": "Bổ sung hồ sơ <nhập muộn>"})).await;
    assert_eq!(second.status, StatusCode::CREATED, "{:?}", second.body);

    let list = b.get("/cong-khai").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.html.contains("href=\"/cong-khai/2025-03\""), "{}", list.html);
    let published = OffsetDateTime::parse(second.body["published_at"].as_str().unwrap(), &Rfc3339).unwrap();
    let local = published.to_offset(VN_OFFSET);
    let shown = format!(
        "{:02}/{:02}/{:04} {:02}:{:02}",
        local.day(),
        u8::from(local.month()),
        local.year(),
        local.hour(),
        local.minute()
    );
    assert!(list.html.contains(&shown), "publication time in UTC+7: {shown}");

    let page = b.get("/cong-khai/2025-03").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("Sở Nông nghiệp và Môi trường"));
    assert!(page.html.contains("Toàn tỉnh"));
    assert!(page.html.contains("Bổ sung hồ sơ &#60;nhập muộn&#62;"), "notes are escaped");
    assert!(page.html.contains("href=\"/cong-khai/2025-03?revision=1\""));
    let prefix = &first.body["sha256"].as_str().unwrap()[..12];
    assert!(page.html.contains(prefix));
    assert!(!page.html.contains("newer-revision"), "the latest revision is shown");

    let old = b.get("/cong-khai/2025-03?revision=1").await;
    assert_eq!(old.status, StatusCode::OK);
    assert!(old.html.contains("newer-revision"), "an older revision says a newer one exists");
    assert!(old.html.contains("bản hiện hành là"));

    for uri in
        ["/cong-khai/2025-04", "/cong-khai/2025-03?revision=9", "/cong-khai/abc", "/cong-khai/2025-03?revision=x"]
    {
        assert_eq!(b.get(uri).await.status, StatusCode::NOT_FOUND, "{uri}");
    }
}
