//! The electronic office pages: a clerk registers a paper document with its scan through the
//! form, finds it by searching without diacritics, opens it, assigns it and downloads the scan;
//! officers of other units get "not found"; forms without the CSRF token are refused; the
//! printable register lists it; an outgoing document sent from the form carries its attachment
//! in the edXML package.

mod common;

use axum::http::StatusCode;
use common::{App, Browser, setup, unit};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// A clerk (văn thư) of `unit`, created through the store.
async fn clerk(app: &App, name: &str, unit: &str) {
    common::add_clerk(app, name, unit).await;
}

/// The first `href` on the page that starts with `prefix`.
fn link(html: &str, prefix: &str) -> String {
    let i = html.find(&format!("href=\"{prefix}")).unwrap_or_else(|| panic!("no link {prefix} in {html}"));
    let rest = &html[i + 6..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// Registers a paper document through the form; answers the document page's path.
async fn register(b: &mut Browser<'_>, subject: &str) -> String {
    let form = b.get("/van-ban/moi-den").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    let csrf = form.csrf();
    let p = b
        .post_multipart(
            "/van-ban/moi-den",
            &[
                ("csrf", &csrf),
                ("unit", "A1"),
                ("sender_name", "Ủy ban nhân dân tỉnh An Giang"),
                ("document_type", "Công văn"),
                ("code_number", "45"),
                ("code_notation", "UBND-VP"),
                ("promulgation_date", "2026-03-01"),
                ("priority", "normal"),
                ("subject", subject),
            ],
            &[("tep", "công văn 45.pdf", "application/pdf", PDF.to_vec())],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let to = p.location.unwrap();
    assert!(to.starts_with("/van-ban/VB-") && to.ends_with("?done=registered"), "{to}");
    to.split('?').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_clerk_registers_a_paper_document_with_its_scan_finds_it_without_diacritics_assigns_it_and_downloads_the_scan()
 {
    let app = setup().await;
    clerk(&app, "vanthu", "A1").await;
    let mut b = Browser::new(&app);
    b.sign_in("vanthu").await;
    let home = b.get("/van-ban").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.html.contains("href=\"/van-ban\""), "the nav links the office");

    let path = register(&mut b, "Về việc cải cách thủ tục hành chính năm 2026").await;
    let id = path.trim_start_matches("/van-ban/").to_owned();

    let found = b.get("/van-ban?direction=den&q=cai+cach+thu+tuc").await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.html.contains(&format!("href=\"/van-ban/{id}\"")), "{}", found.html);
    assert!(found.html.contains("45/UBND-VP"));
    let none = b.get("/van-ban?direction=den&q=xay+dung").await;
    assert!(!none.html.contains(&id));
    let outgoing = b.get("/van-ban?direction=di").await;
    assert!(!outgoing.html.contains(&id), "an incoming document is not in the outgoing register");
    let filtered = b.get("/van-ban?direction=den&status=completed").await;
    assert!(!filtered.html.contains(&id));

    let page = b.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("Đã vào sổ"), "{}", page.html);
    assert!(page.html.contains("công văn 45.pdf"));
    assert!(page.html.contains("value=\"assign\"") && page.html.contains("value=\"reject\""));
    assert!(!page.html.contains("value=\"issue\""), "no outgoing action on an incoming document");
    let file = link(&page.html, "/van-ban/tep/");

    // The action form refuses a missing CSRF token before anything is written.
    let forged = b
        .post_form(&format!("{path}/thao-tac"), &[("version", "1"), ("action", "assign"), ("assignee", "chuyenvien")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let csrf = page.csrf();
    let assigned = b
        .post_form(
            &format!("{path}/thao-tac"),
            &[
                ("csrf", &csrf),
                ("version", "1"),
                ("action", "assign"),
                ("assignee", "chuyenvien"),
                ("working_days", "2"),
                ("note", "Đề nghị tham mưu"),
            ],
        )
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.html);
    let page = b.get(&assigned.location.unwrap()).await;
    assert!(page.html.contains("Đã phân công"));
    assert!(page.html.contains("chuyenvien"));
    let stale = b
        .post_form(
            &format!("{path}/thao-tac"),
            &[("csrf", &csrf), ("version", "1"), ("action", "reject"), ("reason", "Không đúng thẩm quyền")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let not_offered =
        b.post_form(&format!("{path}/thao-tac"), &[("csrf", &csrf), ("version", "2"), ("action", "issue")]).await;
    assert_eq!(not_offered.status, StatusCode::UNPROCESSABLE_ENTITY);

    let download = b.get(&file).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.html.as_bytes(), PDF);
    assert!(download.headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(download.headers["content-type"], "application/pdf");

    // A second attachment from the document page; a program is refused.
    let exe = b
        .post_multipart(
            &format!("{path}/tep"),
            &[("csrf", &csrf)],
            &[("tep", "x.pdf", "application/pdf", b"MZ\x90\0".to_vec())],
        )
        .await;
    assert_eq!(exe.status, StatusCode::UNPROCESSABLE_ENTITY);
    let no_csrf =
        b.post_multipart(&format!("{path}/tep"), &[], &[("tep", "b.pdf", "application/pdf", PDF.to_vec())]).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    let added = b
        .post_multipart(
            &format!("{path}/tep"),
            &[("csrf", &csrf)],
            &[("tep", "phu-luc.pdf", "application/pdf", PDF.to_vec())],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html);
    assert!(b.get(&path).await.html.contains("phu-luc.pdf"));

    // The assigned officer sees it and may start it.
    let mut cv = Browser::new(&app);
    cv.sign_in("chuyenvien").await;
    let theirs = cv.get(&path).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(theirs.html.contains("value=\"start\""));
    assert!(!theirs.html.contains("value=\"assign\""), "a specialist does not assign");

    // Officers of another unit: not found, for the page, the file and the actions.
    let mut other = Browser::new(&app);
    other.sign_in("lanhdao.x2").await;
    assert_eq!(other.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&file).await.status, StatusCode::NOT_FOUND);
    let list = other.get("/van-ban?direction=den&q=cai+cach").await;
    assert!(!list.html.contains(&id));
    let csrf = other.get("/van-ban").await.csrf();
    let p =
        other.post_form(&format!("{path}/thao-tac"), &[("csrf", &csrf), ("version", "2"), ("action", "start")]).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);

    // The printable register lists it by number.
    let print = b.get("/van-ban/so?direction=den&from=2020-01-01&to=2099-12-31").await;
    assert_eq!(print.status, StatusCode::OK);
    assert!(print.html.contains("Sổ văn bản đến"));
    assert!(print.html.contains("Về việc cải cách thủ tục hành chính năm 2026"));
    assert!(print.html.contains("01/20"), "{}", print.html);
    let empty = b.get("/van-ban/so?direction=den&from=2020-01-01&to=2020-12-31").await;
    assert!(!empty.html.contains("cải cách"));
    assert_eq!(b.get("/van-ban/so?direction=den&from=hôm-qua").await.status, StatusCode::BAD_REQUEST);

    // The sender recalls it on paper (NĐ 30/2020 Art. 18 khoản 4): the clerk cancels the entry.
    let page = b.get(&path).await;
    assert!(page.html.contains("value=\"recall\""), "the clerk is offered the recall form");
    assert!(!theirs.html.contains("value=\"recall\""), "the assigned specialist is not");
    let csrf = page.csrf();
    let version = page.html.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let recalled = b
        .post_form(
            &format!("{path}/thao-tac"),
            &[("csrf", &csrf), ("version", &version), ("action", "recall"), ("reason", "CV 50/UBND-VP thu hồi")],
        )
        .await;
    assert_eq!(recalled.status, StatusCode::SEE_OTHER, "{}", recalled.html);
    let page = b.get(&recalled.location.unwrap()).await;
    assert!(page.html.contains("Đã thu hồi") && page.html.contains("Thu hồi theo thông báo của nơi gửi"));
    assert!(!page.html.contains("value=\"recall\""), "cancelled once");
}

#[tokio::test]
async fn the_office_pages_need_a_signed_in_officer_and_the_register_form_a_clerk() {
    let app = setup().await;
    let mut anon = Browser::new(&app);
    let p = anon.get("/van-ban").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(p.location.unwrap().starts_with("/dang-nhap"));
    let mut b = Browser::new(&app);
    b.sign_in("chuyenvien").await;
    let form = b.get("/van-ban/moi-den").await;
    let csrf = form.csrf();
    let p = b
        .post_multipart(
            "/van-ban/moi-den",
            &[
                ("csrf", &csrf),
                ("unit", "A1"),
                ("sender_name", "UBND"),
                ("document_type", "Công văn"),
                ("subject", "Thử"),
            ],
            &[],
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN, "only the clerk registers: {}", p.html);
    let p = b
        .post_multipart("/van-ban/moi-den", &[("unit", "A1"), ("document_type", "Công văn"), ("subject", "Thử")], &[])
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_outgoing_document_sent_from_the_form_carries_its_attachment_in_the_edxml_package() {
    let app = two_agencies().await;
    clerk(&app, "vanthu", "A1").await;
    let mut b = Browser::new(&app);
    b.sign_in("vanthu").await;
    let form = b.get("/van-ban/moi-di").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains("name=\"nhan_A2\""), "units with an organ id are offered");
    let docx = b"PK\x03\x04\x14\0\0\0\0\0word/document.xml....".to_vec();
    let p = b
        .post_multipart(
            "/van-ban/moi-di",
            &[
                ("csrf", &form.csrf()),
                ("unit", "A1"),
                ("document_type", "Công văn"),
                ("code_notation", "SNNMT-VP"),
                ("subject", "Về việc phối hợp cấp phép xây dựng"),
                ("signer_name", "Nguyễn Văn Bình"),
                ("nhan_A2", "1"),
                ("paper_recipients", "Công ty TNHH An Phú"),
                ("then", "send"),
            ],
            &[("tep", "du-thao.docx", "application/octet-stream", docx.clone())],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let path = p.location.unwrap();
    let id = path.trim_start_matches("/van-ban/").split('?').next().unwrap().to_owned();
    let page = b.get(&path).await;
    assert!(page.html.contains("Đã gửi"), "{}", page.html);
    assert!(page.html.contains("000.00.32.H01"), "a trace line per electronic recipient");
    assert!(page.html.contains("gửi bản giấy"), "the paper recipient is traced too");
    assert!(page.html.contains("du-thao.docx"));
    let doc = app.store.document(&id).await.unwrap();
    let packages = app.store.sent_with_document_id(doc.external_id.as_deref().unwrap()).await.unwrap();
    assert_eq!(packages.len(), 1);
    assert!(packages[0].xml.contains("du-thao.docx"), "{}", packages[0].xml);
    assert!(packages[0].xml.contains("application/vnd.openxmlformats-officedocument.wordprocessingml.document"));

    let print = b.get("/van-ban/so?direction=di").await;
    assert!(print.html.contains("Về việc phối hợp cấp phép xây dựng"));
    assert!(print.html.contains("Nguyễn Văn Bình"));
}

/// An application with two provincial agencies that have organ ids: A1 (000.00.31.H01) and A2
/// (000.00.32.H01).
async fn two_agencies() -> App {
    let app = setup().await;
    for (code, name, organ) in
        [("A1", "Sở Nông nghiệp và Môi trường", "000.00.31.H01"), ("A2", "Sở Xây dựng", "000.00.32.H01")]
    {
        let mut u = unit(code, name, "agency", "province");
        u.organ_id = Some(organ.into());
        app.store.put_unit(&u).await.unwrap();
    }
    app
}

/// Posts an edXML body to the inbox with a clerk's token.
async fn inbox(app: &App, token: &str, xml: String) -> serde_json::Value {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let req = axum::http::Request::post("/api/v1/edxml/inbox")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/xml")
        .body(axum::body::Body::from(xml))
        .unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let v: serde_json::Value = serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert!(status.is_success(), "{status}: {v}");
    v
}

#[tokio::test]
async fn a_document_sent_by_edxml_is_recalled_from_its_page_and_the_receiver_accepts_from_hers() {
    let app = two_agencies().await;
    clerk(&app, "vanthu", "A1").await;
    clerk(&app, "vanthu.a2", "A2").await;
    let mut a1 = Browser::new(&app);
    a1.sign_in("vanthu").await;
    let form = a1.get("/van-ban/moi-di").await;
    let fields = [
        ("csrf", form.csrf()),
        ("unit", "A1".into()),
        ("document_type", "Công văn".into()),
        ("code_notation", "SNNMT-VP".into()),
        ("subject", "Về việc lấy ý kiến quy hoạch".into()),
        ("signer_name", "Nguyễn Văn Bình".into()),
        ("nhan_A2", "1".into()),
        ("then", "send".into()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let sent = a1.post_multipart("/van-ban/moi-di", &fields, &[]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.html);
    let out_path = sent.location.unwrap().split('?').next().unwrap().to_owned();
    let doc = app.store.document(out_path.trim_start_matches("/van-ban/")).await.unwrap();
    let package = app.store.sent_with_document_id(doc.external_id.as_deref().unwrap()).await.unwrap().remove(0);
    // The delivery, by hand (no delivery task here): A2's clerk posts it to the inbox.
    let t2 = app.login("vanthu.a2").await;
    let registered = inbox(&app, &t2, package.xml.clone()).await;
    let in_path = format!("/van-ban/{}", registered["register_document"].as_str().unwrap());

    // The sender asks for the recall from the document page.
    let page = a1.get(&out_path).await;
    assert!(page.html.contains("Thu hồi qua trục liên thông") && page.html.contains("/thu-hoi\""), "{}", page.html);
    let no_reason = a1.post_form(&format!("{out_path}/thu-hoi"), &[("csrf", &page.csrf()), ("reason", " ")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let asked =
        a1.post_form(&format!("{out_path}/thu-hoi"), &[("csrf", &page.csrf()), ("reason", "Gửi nhầm dự thảo")]).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.html);
    let page = a1.get(&asked.location.unwrap()).await;
    assert!(page.html.contains("Đã yêu cầu thu hồi, chờ nơi nhận trả lời"));
    assert!(!page.html.contains("/thu-hoi\""), "asked once");
    let again = a1.post_form(&format!("{out_path}/thu-hoi"), &[("csrf", &page.csrf()), ("reason", "lần nữa")]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // The 13 reaches A2 (by hand again); A2's clerk sees the notice and accepts.
    let m = app.store.outbox_message(&format!("edxml-status:{}:13:000.00.32.H01", package.id)).await.unwrap().unwrap();
    inbox(&app, &t2, m.payload).await;
    let mut a2 = Browser::new(&app);
    a2.sign_in("vanthu.a2").await;
    let page = a2.get(&in_path).await;
    assert!(page.html.contains("Nơi gửi yêu cầu thu hồi văn bản") && page.html.contains("Gửi nhầm dự thảo"));
    let accepted =
        a2.post_form(&format!("{in_path}/tra-loi-thu-hoi"), &[("csrf", &page.csrf()), ("accept", "1")]).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.html);
    let page = a2.get(&accepted.location.unwrap()).await;
    assert!(page.html.contains("Đã thu hồi"), "the register entry is cancelled");
    assert!(page.html.contains("Đã đồng ý thu hồi/cập nhật"));
    // The 15 back at A1.
    let in_package = app.store.packages_with_document_id(&package.document_id, "in").await.unwrap().remove(0);
    let m = app.store.outbox_message(&format!("edxml-status:{}:15", in_package.id)).await.unwrap().unwrap();
    inbox(&app, &t2, m.payload).await;
    assert!(a1.get(&out_path).await.html.contains("Nơi nhận đồng ý thu hồi"));
}
