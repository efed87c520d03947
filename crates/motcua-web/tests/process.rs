//! The internal process designer (TT 01/2018 Art. 8; domain.md §6): the API reads and replaces a
//! procedure's steps as a new procedure version, parallel liên thông steps start together on a
//! dossier, the admin page saves through the same path, and the inbox flags an overdue step of
//! an on-time dossier.

mod common;

use axum::http::StatusCode;
use common::{App, Browser, procedure, setup};
use motcua_domain::calendar::Calendar;
use motcua_domain::code::{DEFAULT_TEMPLATE, render};
use motcua_domain::dossier::actions::{Action, Ctx, create, decide};
use motcua_domain::dossier::event::{Event, EventData, apply};
use motcua_domain::dossier::timeliness::VN_OFFSET;
use motcua_domain::dossier::{Actor, Applicant, Channel, DocumentRecord, Dossier, Role};
use motcua_store::CreateJob;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

const PROCESS: &str = "/api/v1/procedures/1.000001/process";

/// Reception, assignment, appraisal ∥ consultation of A2 (group "lt"), approval, return:
/// 2.75 working days counted (3.75 if the group were summed).
fn consulting_steps() -> Value {
    json!([
        {"name": "Tiếp nhận", "role": "receiver", "unit": "CENTER", "days": 0.25},
        {"name": "Phân công", "role": "leader", "unit": "AGENCY", "days": 0.25},
        {"name": "Thẩm định", "role": "specialist", "unit": "AGENCY", "days": 1.75, "parallel": "lt"},
        {"name": "Lấy ý kiến Sở Xây dựng", "role": "leader", "unit": "CONSULTED", "unit_code": "A2", "days": 1.0, "parallel": "lt"},
        {"name": "Phê duyệt", "role": "leader", "unit": "AGENCY", "days": 0.25},
        {"name": "Trả kết quả", "role": "receiver", "unit": "CENTER", "days": 0.25}
    ])
}

async fn put(app: &App, token: Option<&str>, steps: Value) -> common::Res {
    app.call("PUT", PROCESS, token, None, Some(steps)).await
}

#[tokio::test]
async fn the_process_is_read_with_its_total_against_the_legal_time() {
    let app = setup().await;
    let r = app.call("GET", PROCESS, None, None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["steps"].as_array().map(Vec::len), Some(5));
    assert_eq!((r.body["total_days"].as_f64(), r.body["legal_days"].as_f64()), (Some(3.0), Some(3.0)));
    let r = app.call("GET", "/api/v1/procedures/1.000008/process", None, None, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_administrators_change_a_process_and_each_change_is_a_new_procedure_version() {
    let app = setup().await;
    assert_eq!(put(&app, None, consulting_steps()).await.status, StatusCode::UNAUTHORIZED);
    let tn = app.login("tiepnhan").await;
    assert_eq!(put(&app, Some(&tn), consulting_steps()).await.status, StatusCode::FORBIDDEN);
    let before = app.call("GET", PROCESS, None, None, None).await.body["version"].as_i64();
    let gd = app.login("giamdoc").await;
    let r = put(&app, Some(&gd), consulting_steps()).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["total_days"].as_f64(), Some(2.75), "the parallel group counts as its longest step");
    assert!(r.body["version"].as_i64() > before, "a new procedure version binds the process");
    let r = app.call("GET", PROCESS, None, None, None).await;
    assert_eq!(r.body["steps"][3]["parallel"], "lt");
    assert_eq!(r.body["steps"][3]["unit_code"], "A2");
}

#[tokio::test]
async fn a_process_that_does_not_fit_the_rules_is_refused_with_its_reason() {
    let app = setup().await;
    let gd = app.login("giamdoc").await;
    let mut long = consulting_steps();
    long[2]["days"] = json!(2.5);
    let r = put(&app, Some(&gd), long).await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("process_exceeds_legal_time"))
    );
    assert!(r.body["message_vi"].as_str().is_some_and(|m| m.contains("vượt thời hạn")));
    let mut receiver_in_group = consulting_steps();
    receiver_in_group[0]["parallel"] = json!("lt");
    receiver_in_group[1]["parallel"] = json!("lt");
    let r = put(&app, Some(&gd), receiver_in_group).await;
    assert_eq!(r.body["code"], "receiver_step_in_parallel_group");
    let mut unknown = consulting_steps();
    unknown[3]["unit_code"] = json!("Z9");
    let r = put(&app, Some(&gd), unknown).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_unit")));
    let r = app.call("GET", PROCESS, None, None, None).await;
    assert_eq!(r.body["steps"].as_array().map(Vec::len), Some(5), "nothing was stored");
}

#[tokio::test]
async fn the_steps_of_a_parallel_group_start_together_with_their_own_deadlines() {
    let app = setup().await;
    let gd = app.login("giamdoc").await;
    assert_eq!(put(&app, Some(&gd), consulting_steps()).await.status, StatusCode::OK);
    let (code, _, version) = app.submit_online().await;
    let tn = app.login("tiepnhan").await;
    let r = app.act(&tn, &code, version, json!({"action": "receive"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let ld = app.login("lanhdao").await;
    let v = r.body["version"].as_i64().unwrap_or_default();
    let r = app.assign(&ld, &code, v, "chuyenvien").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let d = app.call("GET", &format!("/api/v1/dossiers/{code}"), Some(&ld), None, None).await.body;
    let steps = d["dossier"]["steps"].as_array().or_else(|| d["steps"].as_array()).cloned().unwrap_or_default();
    assert_eq!(steps.len(), 6, "{d}");
    assert!(steps[2]["started_at"].is_string() && steps[3]["started_at"].is_string());
    assert_eq!(steps[3]["unit"], "A2", "the consultation runs at the consulted agency");
    assert_ne!(steps[2]["due_at"], steps[3]["due_at"], "each step keeps its own deadline");
}

#[tokio::test]
async fn the_designer_page_saves_through_the_same_rules() {
    let app = setup().await;
    let mut b = Browser::new(&app);
    b.sign_in("tiepnhan").await;
    assert_eq!(b.get("/quan-tri/quy-trinh/1.000001").await.status, StatusCode::FORBIDDEN);
    let mut b = Browser::new(&app);
    b.sign_in("giamdoc").await;
    assert!(b.get("/quan-tri").await.html.contains("/quan-tri/quy-trinh"));
    assert!(b.get("/thu-tuc/1.000001").await.html.contains("href=\"/quan-tri/quy-trinh/1.000001\""));
    assert!(!Browser::new(&app).get("/thu-tuc/1.000001").await.html.contains("/quan-tri/quy-trinh"));
    let p = b.get("/quan-tri/quy-trinh?code=1.000001").await;
    assert_eq!(p.location.as_deref(), Some("/quan-tri/quy-trinh/1.000001"));
    let p = b.get("/quan-tri/quy-trinh/1.000001").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("value=\"Thẩm định\"") && p.html.contains("name=\"name_7\""), "five steps and blank rows");
    let csrf = p.csrf();
    let row = |i: usize,
               name: &'static str,
               role: &'static str,
               unit: &'static str,
               days: &'static str,
               group: &'static str| {
        [
            (format!("name_{i}"), name),
            (format!("role_{i}"), role),
            (format!("unit_{i}"), unit),
            (format!("code_{i}"), if unit == "CONSULTED" { "A2" } else { "" }),
            (format!("days_{i}"), days),
            (format!("group_{i}"), group),
        ]
    };
    let mut fields: Vec<(String, &str)> = vec![("csrf".into(), csrf.as_str())];
    for r in [
        row(0, "Tiếp nhận", "receiver", "CENTER", "0,25", ""),
        row(1, "Thẩm định", "specialist", "AGENCY", "2", "lt"),
        row(2, "Lấy ý kiến", "leader", "CONSULTED", "2", "lt"),
        row(3, "", "specialist", "AGENCY", "", ""),
        row(4, "Trả kết quả", "receiver", "CENTER", "0.5", ""),
    ] {
        fields.extend(r);
    }
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let p = b.post_form("/quan-tri/quy-trinh/1.000001", &form).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let r = app.call("GET", PROCESS, None, None, None).await;
    assert_eq!(r.body["steps"].as_array().map(Vec::len), Some(4), "the empty row was ignored");
    assert_eq!(r.body["total_days"].as_f64(), Some(2.75));

    // A step before the approval may be declared optional; a reception step may not.
    for (optional_row, status) in [(1, StatusCode::SEE_OTHER), (0, StatusCode::UNPROCESSABLE_ENTITY)] {
        let p = b.get("/quan-tri/quy-trinh/1.000001").await;
        let csrf = p.csrf();
        let mut fields: Vec<(String, &str)> = vec![("csrf".into(), csrf.as_str())];
        for r in [
            row(0, "Tiếp nhận", "receiver", "CENTER", "0,25", ""),
            row(1, "Thẩm định", "specialist", "AGENCY", "1", ""),
            row(2, "Phê duyệt", "leader", "AGENCY", "0.5", ""),
            row(3, "Trả kết quả", "receiver", "CENTER", "0.25", ""),
        ] {
            fields.extend(r);
        }
        fields.push((format!("optional_{optional_row}"), "1"));
        let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let p = b.post_form("/quan-tri/quy-trinh/1.000001", &form).await;
        assert_eq!(p.status, status, "{}", p.html);
    }
    let r = app.call("GET", PROCESS, None, None, None).await;
    assert_eq!(r.body["steps"][1]["optional"], true, "{:?}", r.body);
    let page = b.get("/quan-tri/quy-trinh/1.000001").await;
    assert!(page.html.contains("name=\"optional_1\" value=\"1\"") && page.html.contains(" checked>"));

    let p = b.get("/quan-tri/quy-trinh/1.000001").await;
    let csrf = p.csrf();
    let mut fields: Vec<(String, &str)> = vec![("csrf".into(), csrf.as_str())];
    fields.extend(row(0, "Thẩm định", "specialist", "AGENCY", "5", ""));
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let p = b.post_form("/quan-tri/quy-trinh/1.000001", &form).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("vượt thời hạn luật định"), "{}", p.html);
}

/// A dossier of 1.000001 received `ago` before now at C1, resolved by A1 (written to the store
/// directly, to put it in the past).
async fn received_ago(app: &App, ago: Duration) -> Dossier {
    let p = app.store.procedure("1.000001").await.unwrap();
    let at = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() - ago;
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

#[tokio::test]
async fn the_inbox_flags_an_overdue_step_of_a_dossier_that_is_on_time() {
    let app = setup().await;
    // Thirty working days of legal time, the assignment step half a day.
    app.store
        .put_procedure(&procedure("1.000001", "province", "A1", "full", 30.0, 0), motcua_store::today_vn())
        .await
        .unwrap();
    let late_step = received_ago(&app, Duration::days(10)).await;
    let fresh = received_ago(&app, Duration::minutes(5)).await;
    let mut b = Browser::new(&app);
    b.sign_in("lanhdao").await;
    let p = b.get("/can-bo").await;
    let row = |code: &str| {
        let i = p.html.find(&format!("<a href=\"/can-bo/ho-so/{code}\">")).expect("row listed");
        let end = p.html[i..].find("</tr>").map_or(p.html.len(), |e| i + e);
        p.html[i..end].to_owned()
    };
    assert!(row(&late_step.code).contains("Bước quá hạn"), "{}", row(&late_step.code));
    assert!(!row(&late_step.code).contains("tag-overdue\">Quá hạn"), "the dossier itself is on time");
    assert!(!row(&fresh.code).contains("Bước quá hạn"));
}
