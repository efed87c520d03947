//! The officer console: the inbox scoped to the officer's units and sorted by due date, urgency
//! colours with text labels, the dossier page with only the allowed action forms, forged and
//! stale posts, the result file, extensions in Vietnam time, and the leader's overview.

mod common;

use axum::http::StatusCode;
use common::{App, Browser, Page, setup};
use motcua_domain::calendar::Calendar;
use motcua_domain::code::{DEFAULT_TEMPLATE, render};
use motcua_domain::dossier::actions::{Action, Ctx, create, decide};
use motcua_domain::dossier::event::{Event, EventData, apply};
use motcua_domain::dossier::timeliness::VN_OFFSET;
use motcua_domain::dossier::{Actor, Applicant, Channel, DocumentRecord, Dossier, Role};
use motcua_store::{CreateJob, Store};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

/// The harness's province; tests also write to its store directly, to put dossiers in the past
/// (the pages judge urgency against the real clock).
async fn world() -> (App, Store) {
    let app = setup().await;
    let store = app.store.clone();
    (app, store)
}

/// An online dossier of `procedure` submitted `ago` before now and received an hour later at C1,
/// resolved by A1.
async fn received_ago(store: &Store, procedure: &str, ago: Duration) -> Dossier {
    let p = store.procedure(procedure).await.unwrap();
    let at = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() - ago;
    let day = at.to_offset(VN_OFFSET).date();
    let build = Box::new(move |seq: u64| {
        let created = create::decide(create::NewDossier {
            code: render(DEFAULT_TEMPLATE, "C1", day, seq)?,
            procedure: &p,
            channel: Channel::Online,
            applicant: Applicant {
                name: "Trần Thị Bình".into(),
                id_number: "091234567891".into(),
                phone: "0912345679".into(),
                email: "binh@example.vn".into(),
                address: "Rạch Giá".into(),
            },
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
        let ctx = Ctx { calendar: &cal, at: at + Duration::hours(1), actor: &receiver };
        let second = decide(&d, &Action::Receive(Default::default()), &ctx)?;
        Ok(vec![first, second])
    });
    let job = CreateJob { seq_unit: "C1".into(), day: day.to_string(), secret_hash: "x".into(), build, key: None };
    store.writer.create(job).await.unwrap()
}

/// Submits online and receives at the counter: the dossier waits in A1 (code, version).
async fn received(app: &App) -> (String, i64) {
    let (code, _, v) = app.submit_online().await;
    let token = app.login("tiepnhan").await;
    let r = app.act(&token, &code, v, json!({"action": "receive"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    (code, r.body["version"].as_i64().unwrap())
}

/// Received, then assigned to chuyenvien by the leader: the specialist's appraisal step.
async fn assigned(app: &App) -> (String, i64) {
    let (code, v) = received(app).await;
    let token = app.login("lanhdao").await;
    let r = app.assign(&token, &code, v, "chuyenvien").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    (code, r.body["version"].as_i64().unwrap())
}

/// Assigned, then the specialist's appraisal completed: the leader's approval step.
async fn at_approval(app: &App) -> (String, i64) {
    let (code, v) = assigned(app).await;
    let token = app.login("chuyenvien").await;
    let r = app.act(&token, &code, v, json!({"action": "complete_step"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    (code, r.body["version"].as_i64().unwrap())
}

/// The dossier as the API shows it to `user`.
async fn api_dossier(app: &App, user: &str, code: &str) -> Value {
    let token = app.login(user).await;
    let r = app.call("GET", &format!("/api/v1/dossiers/{code}"), Some(&token), None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

/// Signs `user` in with a fresh browser.
async fn browser<'a>(app: &'a App, user: &str) -> Browser<'a> {
    let mut b = Browser::new(app);
    b.sign_in(user).await;
    b
}

/// Posts an action form from the dossier page with its CSRF token.
async fn post_action(b: &mut Browser<'_>, code: &str, fields: &[(&str, &str)]) -> Page {
    let page = b.get(&format!("/can-bo/ho-so/{code}")).await;
    let csrf = page.csrf();
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    b.post_form(&format!("/can-bo/ho-so/{code}/thao-tac"), &all).await
}

fn pos(html: &str, needle: &str) -> usize {
    html.find(needle).unwrap_or_else(|| panic!("{needle} not on the page"))
}

fn has_form(html: &str, action: &str) -> bool {
    html.contains(&format!("name=\"action\" value=\"{action}\""))
}

#[tokio::test]
async fn the_inbox_shows_only_the_officers_units_soonest_due_first() {
    let app = setup().await;
    let (first, v1) = received(&app).await;
    let (second, _) = received(&app).await;
    let (third, _) = received(&app).await;
    let (waiting, _, _) = app.submit_online().await;
    let r = app
        .call(
            "POST",
            "/api/v1/dossiers",
            None,
            None,
            Some(json!({"procedure_code": "1.000002", "channel": "online", "unit": "X1",
                "applicant": {"name": "Lê Văn Cường", "id_number": "091234567892", "phone": "0912345670"},
                "documents": ["Tờ khai"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let commune = r.body["code"].as_str().unwrap().to_owned();
    // The first dossier's appointment moves two months later: it goes last.
    let later = (OffsetDateTime::now_utc() + Duration::days(60)).to_offset(VN_OFFSET);
    let token = app.login("lanhdao").await;
    let new_due = time::format_description::well_known::Rfc3339;
    let r = app
        .act(
            &token,
            &first,
            v1,
            json!({"action": "extend", "new_due_at": later.format(&new_due).unwrap(), "reason": "Chờ xác minh"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let mut b = browser(&app, "chuyenvien").await;
    let p = b.get("/can-bo").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(pos(&p.html, &second) < pos(&p.html, &third) && pos(&p.html, &third) < pos(&p.html, &first), "by due date");
    assert!(!p.html.contains(&waiting), "still at the center's counter");
    assert!(!p.html.contains(&commune), "another unit's dossier");
    assert!(p.html.contains("Thủ tục 1.000001 đất đai") && p.html.contains("Phân công"), "procedure and current step");
    assert!(p.html.contains("<tr class=\"on_track\">") && p.html.contains("Trong hạn"), "colour and text");
    assert!(p.html.contains("<label for=\"status\">"), "the filter is labelled");
    assert!(!p.html.contains("Trang sau"), "one page only");

    let p = b.get("/can-bo?status=submitted").await;
    assert!(!p.html.contains(&second) && p.html.contains("Không có hồ sơ nào"));
    assert_eq!(b.get("/can-bo?status=nope").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(b.get("/can-bo?cursor=zz").await.status, StatusCode::BAD_REQUEST);

    // The center's receiver sees the dossier waiting for reception, not the agency's work.
    let mut counter = browser(&app, "tiepnhan").await;
    let p = counter.get("/can-bo").await;
    assert!(p.html.contains(&waiting) && !p.html.contains(&second));

    // English on request; anonymous visitors are sent to sign in.
    b.get("/ngon-ngu?lang=en&next=/can-bo").await;
    assert!(b.get("/can-bo").await.html.contains("Dossiers to process"));
    let p = Browser::new(&app).get("/can-bo").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(p.location.unwrap().starts_with("/dang-nhap"));
}

#[tokio::test]
async fn the_inbox_pages_by_fifty_with_a_next_page_link() {
    let (app, store) = world().await;
    for i in 0..51 {
        received_ago(&store, "1.000001", Duration::minutes(120 - i)).await;
    }
    let mut b = browser(&app, "chuyenvien").await;
    let p = b.get("/can-bo").await;
    assert_eq!(p.html.matches("<tr class=").count(), 50);
    let i = pos(&p.html, "href=\"/can-bo?cursor=");
    let rest = &p.html[i + 6..];
    let next = rest[..rest.find('"').unwrap()].replace("&amp;", "&");
    let p = b.get(&next).await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.html.matches("<tr class=").count(), 1, "the 51st dossier");
    assert!(!p.html.contains("Trang sau"));
}

#[tokio::test]
async fn inbox_rows_are_coloured_by_urgency_with_a_text_label() {
    let (app, store) = world().await;
    let late = received_ago(&store, "1.000001", Duration::days(30)).await;
    let soon = received_ago(&store, "1.000009", Duration::hours(1)).await;
    let fine = received_ago(&store, "1.000001", Duration::hours(1)).await;
    let mut b = browser(&app, "chuyenvien").await;
    let p = b.get("/can-bo").await;
    let row = |code: &str| {
        let i = pos(&p.html, &format!("<a href=\"/can-bo/ho-so/{code}\">"));
        let start = p.html[..i].rfind("<tr class=\"").unwrap();
        p.html[start..i].to_owned()
    };
    assert!(row(&late.code).contains("overdue"));
    assert!(row(&soon.code).contains("due_soon"));
    assert!(row(&fine.code).contains("on_track"));
    assert!(
        p.html.contains("Quá hạn") && p.html.contains("Đến hạn trong 1 ngày làm việc") && p.html.contains("Trong hạn")
    );
    assert!(pos(&p.html, &late.code) < pos(&p.html, &soon.code) && pos(&p.html, &soon.code) < pos(&p.html, &fine.code));
    // The page's own stylesheet colours the classes.
    let css = b.get("/static/style.css").await.html;
    assert!(css.contains("tr.overdue") && css.contains(".tag-due_soon") && css.contains(".table-wrap"));
}

#[tokio::test]
async fn the_dossier_page_shows_only_the_forms_of_actions_the_domain_allows() {
    let app = setup().await;
    let (code, _) = assigned(&app).await;

    let mut specialist = browser(&app, "chuyenvien").await;
    let p = specialist.get(&format!("/can-bo/ho-so/{code}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(has_form(&p.html, "request_supplement") && has_form(&p.html, "complete_step"));
    for not in ["approve", "assign", "reject", "extend", "transfer", "withdraw", "receive"] {
        assert!(!has_form(&p.html, not), "no {not} form for the specialist");
    }
    // Summary, applicant, documents, steps with deadlines, timeline.
    assert!(p.html.contains("Nguyễn Văn An") && p.html.contains("091234567890") && p.html.contains("Tờ khai"));
    assert!(p.html.contains("Thẩm định") && p.html.contains("Chuyên viên xử lý") && p.html.contains("2 ngày làm việc"));
    assert!(p.html.contains("tag-step-current") && p.html.contains("Đang xử lý") && p.html.contains("Đã hoàn thành"));
    let d = api_dossier(&app, "chuyenvien", &code).await;
    let step_due = d["dossier"]["steps"][2]["due_at"].as_str().unwrap();
    let due = OffsetDateTime::parse(step_due, &time::format_description::well_known::Rfc3339).unwrap();
    assert!(p.html.contains(&motcua_web::views::local_display(due)), "the step deadline in UTC+7");
    assert!(p.html.contains("Phân công cán bộ xử lý") && p.html.contains("Phân công cho: chuyenvien"));
    assert!(p.html.contains("Hạn giải quyết theo quy định") && p.html.contains("Số lần yêu cầu bổ sung"));

    let mut leader = browser(&app, "lanhdao").await;
    let p = leader.get(&format!("/can-bo/ho-so/{code}")).await;
    for form in ["assign", "reject", "extend", "transfer", "request_supplement"] {
        assert!(has_form(&p.html, form), "the leader has the {form} form");
    }
    for not in ["approve", "complete_step"] {
        assert!(!has_form(&p.html, not), "no {not} form for the leader during the specialist's step");
    }
    assert!(p.html.contains("<option value=\"chuyenvien\" selected>"), "specialists of the resolving unit");
    assert!(p.html.contains("<option value=\"A2\">") && !p.html.contains("<option value=\"A1\">"), "other agencies");
    assert!(p.html.contains("<label for=\"new-due\">"), "inputs are labelled");

    // At the approval step the leader approves, with the result file.
    let (at_approval, _) = at_approval(&app).await;
    let p = leader.get(&format!("/can-bo/ho-so/{at_approval}")).await;
    assert!(has_form(&p.html, "approve") && !has_form(&p.html, "complete_step"));
    assert!(p.html.contains("enctype=\"multipart/form-data\""), "approve carries the result file");

    // Another unit's officer: not found.
    let mut other = browser(&app, "tiepnhan.x1").await;
    assert_eq!(other.get(&format!("/can-bo/ho-so/{code}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get("/can-bo/ho-so/khong-co").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_forged_approve_by_the_specialist_is_refused_with_422_and_changes_nothing() {
    let app = setup().await;
    let (code, v) = assigned(&app).await;
    let mut b = browser(&app, "chuyenvien").await;
    let version = v.to_string();
    let p = post_action(&mut b, &code, &[("version", &version), ("action", "approve"), ("note", "tự phê duyệt")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("Phê duyệt kết quả"));
    let p = post_action(&mut b, &code, &[("version", &version), ("action", "withdraw"), ("reason", "x")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "not a console action");
    let p = b
        .post_form(
            &format!("/can-bo/ho-so/{code}/thao-tac"),
            &[("csrf", "forged"), ("version", &version), ("action", "complete_step")],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "CSRF");
    let d = api_dossier(&app, "chuyenvien", &code).await;
    assert_eq!((d["version"].as_i64().unwrap(), d["status"].as_str().unwrap()), (v, "in_progress"));

    // The leader of another unit cannot act on it either.
    let mut outsider = browser(&app, "lanhdao.x2").await;
    let p = outsider.get("/can-bo").await;
    let p = outsider
        .post_form(
            &format!("/can-bo/ho-so/{code}/thao-tac"),
            &[("csrf", &p.csrf()), ("version", &version), ("action", "approve")],
        )
        .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_stale_version_gets_409_and_changes_nothing() {
    let app = setup().await;
    let (code, v) = assigned(&app).await;
    let token = app.login("lanhdao").await;
    let r = app.act(&token, &code, v, json!({"action": "assign", "assignee": "chuyenvien"})).await;
    assert_eq!(r.status, StatusCode::OK);
    let mut b = browser(&app, "chuyenvien").await;
    let p =
        post_action(&mut b, &code, &[("version", &v.to_string()), ("action", "complete_step"), ("note", "Đạt")]).await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    let d = api_dossier(&app, "chuyenvien", &code).await;
    assert_eq!(d["version"].as_i64().unwrap(), v + 1);
    assert_eq!(d["dossier"]["step"].as_i64().unwrap(), 2, "still at the appraisal");
}

#[tokio::test]
async fn the_specialist_completes_the_step_or_asks_for_a_supplement_and_is_sent_back() {
    let app = setup().await;
    let (code, v) = assigned(&app).await;
    let mut b = browser(&app, "chuyenvien").await;
    let p = post_action(
        &mut b,
        &code,
        &[("version", &v.to_string()), ("action", "complete_step"), ("note", "Đủ điều kiện")],
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location.as_deref(), Some(format!("/can-bo/ho-so/{code}?done=complete_step").as_str()));
    let page = b.get(p.location.as_deref().unwrap()).await;
    assert!(page.html.contains("Đã thực hiện: Hoàn thành bước") && page.html.contains("Ghi chú: Đủ điều kiện"));
    assert!(!has_form(&page.html, "complete_step"), "the leader's approval step is next");

    let (code, v) = assigned(&app).await;
    let p = post_action(
        &mut b,
        &code,
        &[
            ("version", &v.to_string()),
            ("action", "request_supplement"),
            ("reason", "Thiếu giấy tờ"),
            ("items", "Sổ hộ khẩu\r\n\r\n Trích lục \r\n"),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let d = api_dossier(&app, "chuyenvien", &code).await;
    assert_eq!(d["status"], "supplement_requested");
    assert_eq!(
        d["history"].as_array().unwrap().last().unwrap()["details"]["items"],
        json!(["Sổ hộ khẩu", "Trích lục"])
    );
    let page = b.get(&format!("/can-bo/ho-so/{code}")).await;
    assert!(page.html.contains("Cần bổ sung: Sổ hộ khẩu; Trích lục"));
    // An empty reason is the domain's refusal, shown as a page.
    let (code, v) = assigned(&app).await;
    let p =
        post_action(&mut b, &code, &[("version", &v.to_string()), ("action", "request_supplement"), ("reason", " ")])
            .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn approving_with_a_result_file_makes_it_downloadable_by_officers_of_the_dossier() {
    let app = setup().await;
    let (code, v) = at_approval(&app).await;
    let mut leader = browser(&app, "lanhdao").await;
    let page = leader.get(&format!("/can-bo/ho-so/{code}")).await;
    let csrf = page.csrf();
    let url = format!("/can-bo/ho-so/{code}/thao-tac");
    let version = v.to_string();
    let fields = [("csrf", csrf.as_str()), ("version", version.as_str()), ("action", "approve"), ("note", "Cấp giấy")];

    let p =
        leader.post_multipart(&url, &fields, &[("result", "kq.exe", "application/pdf", b"MZ\x90\x00".to_vec())]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "not a PDF whatever it claims");
    assert_eq!(api_dossier(&app, "lanhdao", &code).await["version"].as_i64().unwrap(), v);

    // Larger than the JSON API's 1 MiB body limit: the action form takes up to 10 MiB.
    let mut pdf = b"%PDF-1.4\n% Giay chung nhan\n".to_vec();
    pdf.extend(std::iter::repeat_n(b'0', 1_500_000));
    pdf.extend(b"\n%%EOF\n");
    let p = leader
        .post_multipart(&url, &fields, &[("result", "Giấy chứng nhận.pdf", "application/pdf", pdf.clone())])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let d = api_dossier(&app, "lanhdao", &code).await;
    assert_eq!(d["status"], "result_ready");
    assert_eq!(d["dossier"]["result"]["digitized"], true);
    // The result was stored with the approval, owned by the dossier at once: nothing to collect.
    let files = app.store.files_of(&code).await.unwrap();
    assert_eq!(files.iter().filter(|f| f.kind == "result").count(), 1);
    let later = OffsetDateTime::now_utc() + Duration::seconds(1);
    assert_eq!(app.store.collect_orphan_files(later).await.unwrap(), 0, "no file left without an owner");

    let page = leader.get(&format!("/can-bo/ho-so/{code}")).await;
    assert!(page.html.contains("Giấy chứng nhận.pdf") && page.html.contains("Kết quả"));
    let i = pos(&page.html, "href=\"/can-bo/tep/");
    let rest = &page.html[i + 6..];
    let href = rest[..rest.find('"').unwrap()].to_owned();
    let file = leader.get(&href).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.html.as_bytes(), pdf.as_slice());
    assert_eq!(file.headers.get("content-type").unwrap(), "application/pdf");
    let disposition = file.headers.get("content-disposition").unwrap().to_str().unwrap();
    assert!(disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''Gi%E1%BA%A5y"));
    // The receiving center returns the result: it may download it; another unit may not.
    assert_eq!(browser(&app, "tiepnhan").await.get(&href).await.status, StatusCode::OK);
    assert_eq!(browser(&app, "tiepnhan.x1").await.get(&href).await.status, StatusCode::NOT_FOUND);
    assert_eq!(Browser::new(&app).get(&href).await.status, StatusCode::SEE_OTHER, "sign in first");
    assert_eq!(leader.get("/can-bo/tep/khong-co").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_extension_is_entered_in_vietnam_time_and_only_once() {
    let app = setup().await;
    let (code, v) = received(&app).await;
    let mut b = browser(&app, "lanhdao").await;
    let local = (OffsetDateTime::now_utc() + Duration::days(40)).to_offset(VN_OFFSET);
    let typed = format!("{:02}/{:02}/{} 10:30", local.day(), u8::from(local.month()), local.year());
    let p = post_action(
        &mut b,
        &code,
        &[
            ("version", &v.to_string()),
            ("action", "extend"),
            ("new_due_at", &typed),
            ("reason", "Chờ ý kiến Sở Tài chính"),
        ],
    )
    .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let d = api_dossier(&app, "lanhdao", &code).await;
    let want = format!("{}-{:02}-{:02}T10:30:00+07:00", local.year(), u8::from(local.month()), local.day());
    assert_eq!(d["appointment_at"].as_str().unwrap(), want);
    let page = b.get(&format!("/can-bo/ho-so/{code}")).await;
    assert!(!has_form(&page.html, "extend"), "one re-appointment only");
    assert!(page.html.contains("Chờ ý kiến Sở Tài chính"));
    let p = post_action(
        &mut b,
        &code,
        &[("version", &(v + 1).to_string()), ("action", "extend"), ("new_due_at", "mai"), ("reason", "x")],
    )
    .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "not allowed any more");
}

#[tokio::test]
async fn the_leader_sees_open_work_per_unit_and_the_overdue_list_oldest_first_and_reassigns() {
    let (app, store) = world().await;
    let oldest = received_ago(&store, "1.000001", Duration::days(30)).await;
    let older = received_ago(&store, "1.000001", Duration::days(20)).await;
    let fresh = received_ago(&store, "1.000001", Duration::hours(1)).await;

    let mut b = browser(&app, "lanhdao").await;
    let p = b.get("/can-bo/lanh-dao").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("Sở Nông nghiệp và Môi trường") && p.html.contains("Sở Xây dựng"), "one card per unit");
    assert!(p.html.contains("<strong class=\"count-overdue\">2</strong>"), "A1 has two overdue dossiers");
    let list = &p.html[pos(&p.html, "id=\"overdue-h\"")..];
    assert!(pos(list, &oldest.code) < pos(list, &older.code), "oldest first");
    assert!(!list.contains(fresh.code.as_str()), "on time: not in the overdue list");
    assert!(list.contains("name=\"back\" value=\"/can-bo/lanh-dao\""), "a reassign form on each row");
    assert!(list.contains("<option value=\"chuyenvien2\">"));

    let csrf = p.csrf();
    let version = oldest.version.to_string();
    let p = b
        .post_form(
            &format!("/can-bo/ho-so/{}/thao-tac", oldest.code),
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "assign"),
                ("assignee", "chuyenvien2"),
                ("back", "/can-bo/lanh-dao"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert_eq!(p.location.as_deref(), Some("/can-bo/lanh-dao"));
    let (d, _) = store.dossier(&oldest.code).await.unwrap();
    assert_eq!(d.assignee.as_deref(), Some("chuyenvien2"));
    let p = b.get("/can-bo/lanh-dao").await;
    assert!(p.html.contains("<option value=\"chuyenvien2\" selected>"));

    // Not a leader: forbidden.
    let mut specialist = browser(&app, "chuyenvien").await;
    assert_eq!(specialist.get("/can-bo/lanh-dao").await.status, StatusCode::FORBIDDEN);
}
