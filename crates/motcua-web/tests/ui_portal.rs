//! The citizen portal pages: online submission with uploads, the confirmation with code, secret
//! and QR code, and what the applicant does from the lookup page (supplement, result download,
//! rating, withdrawal).

mod common;

use axum::http::StatusCode;
use common::{App, Browser, Page, setup};
use motcua_store::Store;
use motcua_store::web::FileMeta;
use serde_json::json;

async fn app() -> App {
    setup().await
}

/// The app and its store, to put an e-result file the way the officers' result upload does.
async fn app_with_store() -> (App, Store) {
    let app = setup().await;
    let store = app.store.clone();
    (app, store)
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

/// The text between `before` and the next `<` or `"`.
fn after(html: &str, before: &str) -> String {
    let i = html.find(before).unwrap_or_else(|| panic!("no {before:?} in {html}"));
    let rest = &html[i + before.len()..];
    rest[..rest.find(['<', '"']).unwrap()].to_owned()
}

/// A hidden field's value (the first with that name).
fn hidden(page: &Page, name: &str) -> String {
    after(&page.html, &format!("name=\"{name}\" value=\""))
}

const APPLICANT: [(&str, &str); 5] = [
    ("name", "Nguyễn Văn An"),
    ("id_number", "091234567890"),
    ("phone", "0912345678"),
    ("email", "an@example.vn"),
    ("address", "Phường Rạch Giá, An Giang"),
];

/// Fills the form of `procedure` with the applicant plus `extra` fields and posts it.
async fn apply(
    b: &mut Browser<'_>,
    procedure: &str,
    extra: &[(&str, &str)],
    files: &[(&str, &str, &str, Vec<u8>)],
) -> Page {
    let form = b.get(&format!("/nop-ho-so/{procedure}")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    let csrf = form.csrf();
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend(APPLICANT);
    fields.extend(extra);
    b.post_multipart(&format!("/nop-ho-so/{procedure}"), &fields, files).await
}

/// Submits 1.000001 (province, fully online) with a PDF; returns (code, secret).
async fn submit_with_pdf(b: &mut Browser<'_>) -> (String, String) {
    let p = apply(b, "1.000001", &[], &[("doc_0", "to-khai.pdf", "application/pdf", pdf())]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    (after(&p.html, "<strong class=\"code\">"), after(&p.html, "<strong class=\"code secret\">"))
}

async fn inbox_len(app: &App) -> usize {
    let tn = app.login("tiepnhan").await;
    let r = app.call("GET", "/api/v1/inbox", Some(&tn), None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().len()
}

async fn officer_view_as(app: &App, user: &str, code: &str) -> serde_json::Value {
    let tn = app.login(user).await;
    let r = app.call("GET", &format!("/api/v1/dossiers/{code}"), Some(&tn), None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

async fn officer_view(app: &App, code: &str) -> serde_json::Value {
    officer_view_as(app, "tiepnhan", code).await
}

#[tokio::test]
async fn an_online_submission_with_a_pdf_shows_the_code_the_secret_and_a_qr_code_and_the_lookup_says_it_waits() {
    let (app, store) = app_with_store().await;
    let mut b = Browser::new(&app);
    let form = b.get("/nop-ho-so/1.000001").await;
    for label in [
        "<label for=\"name\"",
        "<label for=\"id_number\"",
        "<label for=\"phone\"",
        "<label for=\"doc_0\"",
        "<label for=\"extra\"",
    ] {
        assert!(form.html.contains(label), "missing {label}");
    }
    assert!(form.html.contains("enctype=\"multipart/form-data\"") && form.html.contains("Tờ khai"));
    assert!(!form.html.contains("name=\"unit\""), "a province procedure names no commune");

    let p = apply(&mut b, "1.000001", &[], &[("doc_0", "to-khai.pdf", "application/pdf", pdf())]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert_eq!(p.headers.get("cache-control").unwrap(), "no-store");
    let code = after(&p.html, "<strong class=\"code\">");
    let secret = after(&p.html, "<strong class=\"code secret\">");
    assert!(code.starts_with("C1-") && secret.len() == 12, "{code} {secret}");
    assert!(p.html.contains("<svg") && !p.html.contains("<?xml"));
    assert!(p.html.contains(&format!("/tra-cuu?code={code}&#38;secret={secret}")), "{}", p.html);
    assert!(p.html.contains("Trung tâm Phục vụ hành chính công tỉnh") && p.html.contains("Các bước tiếp theo"));
    assert!(p.html.contains("data-print"));

    let files = store.files_of(&code).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!((files[0].kind.as_str(), files[0].content_type.as_str()), ("document", "application/pdf"));
    assert_eq!(files[0].sha256, motcua_domain::audit::sha256_hex(&[&pdf()]));
    let view = officer_view(&app, &code).await;
    let doc = &view["dossier"]["documents"][0];
    assert_eq!((doc["name"].as_str(), doc["digitized"].as_bool()), (Some("Tờ khai"), Some(true)));
    assert_eq!(doc["file"].as_str(), Some(files[0].id.as_str()));
    assert_eq!(view["channel"], "online");

    let look = b.get(&format!("/tra-cuu?code={code}&secret={secret}")).await;
    assert!(look.html.contains("Đã nộp, chờ tiếp nhận"), "{}", look.html);
    assert!(look.html.contains("Tờ khai") && look.html.contains("Có sau khi Bộ phận Một cửa tiếp nhận hồ sơ"));
    assert!(look.html.contains("Hồ sơ được nộp"), "the timeline reads in plain Vietnamese");
    assert!(look.html.contains("/rut-ho-so"), "a waiting dossier may be withdrawn");
    assert!(!look.html.contains("/bo-sung") && !look.html.contains("/danh-gia"), "only allowed actions are shown");
}

#[tokio::test]
async fn the_form_and_the_receipt_are_in_english_when_the_citizen_chose_english() {
    let app = app().await;
    let mut b = Browser::new(&app);
    b.get("/ngon-ngu?lang=en&next=/").await;
    let form = b.get("/nop-ho-so/1.000001").await;
    assert!(form.html.contains("Applicant&#39;s full name") || form.html.contains("Applicant's full name"));
    let p =
        apply(&mut b, "1.000001", &[], &[("doc_0", "scan.png", "image/png", b"\x89PNG\r\n\x1a\n0000".to_vec())]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("What happens next") && p.html.contains("aria-label=\"QR code to look up the dossier\""));
    let bad = apply(&mut b, "1.000001", &[], &[("doc_0", "a.pdf", "application/pdf", b"text".to_vec())]).await;
    assert!(bad.html.contains("is not a PDF, JPEG or PNG file"), "{}", bad.html);
}

#[tokio::test]
async fn an_upload_that_is_not_a_pdf_jpeg_or_png_is_refused_with_422_and_nothing_is_created() {
    let app = app().await;
    let mut b = Browser::new(&app);
    let text = b"This is only text, renamed to look like a PDF".to_vec();
    let p = apply(&mut b, "1.000001", &[], &[("doc_0", "to-khai.pdf", "application/pdf", text)]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("role=\"alert\""));
    assert!(p.html.contains("không phải PDF, JPG hoặc PNG"), "{}", p.html);
    assert!(p.html.contains("value=\"Nguyễn Văn An\"") && p.html.contains("value=\"091234567890\""), "values are kept");
    assert!(p.html.contains("aria-invalid=\"true\"") && p.html.contains("href=\"#doc_0\""));

    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00 program".to_vec();
    let p = apply(&mut b, "1.000001", &[], &[("doc_0", "setup.exe", "application/octet-stream", exe)]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("setup.exe"));
    assert_eq!(inbox_len(&app).await, 0, "nothing was created");
}

#[tokio::test]
async fn a_file_over_10_mb_is_refused_with_422_and_every_other_problem_is_listed_too() {
    let app = app().await;
    let mut b = Browser::new(&app);
    let mut big = pdf();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let form = b.get("/nop-ho-so/1.000001").await;
    let csrf = form.csrf();
    let fields = [("csrf", csrf.as_str()), ("name", ""), ("id_number", "12345"), ("phone", "0912345678")];
    let p = b.post_multipart("/nop-ho-so/1.000001", &fields, &[("doc_0", "big.pdf", "application/pdf", big)]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("lớn hơn 10 MB"), "{}", p.html);
    assert!(p.html.contains("Cần nhập họ tên người nộp") && p.html.contains("12 chữ số"));
    assert!(p.html.contains("value=\"12345\"") && p.html.contains("chọn lại"));
    assert_eq!(inbox_len(&app).await, 0);
}

#[tokio::test]
async fn a_fully_online_procedure_needs_every_document_as_a_file() {
    let app = app().await;
    let mut b = Browser::new(&app);
    let p = apply(&mut b, "1.000001", &[], &[]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("Tờ khai: cần tải lên tệp"), "{}", p.html);
    assert_eq!(inbox_len(&app).await, 0);
}

#[tokio::test]
async fn a_submission_without_the_csrf_token_is_forbidden() {
    let app = app().await;
    let mut b = Browser::new(&app);
    b.get("/nop-ho-so/1.000001").await;
    let mut fields = APPLICANT.to_vec();
    let p = b.post_multipart("/nop-ho-so/1.000001", &fields, &[("doc_0", "a.pdf", "application/pdf", pdf())]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    fields.push(("csrf", "forged"));
    let p = b.post_multipart("/nop-ho-so/1.000001", &fields, &[("doc_0", "a.pdf", "application/pdf", pdf())]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(inbox_len(&app).await, 0);
}

#[tokio::test]
async fn a_commune_procedure_needs_a_commune_and_goes_to_its_one_stop() {
    let app = app().await;
    let mut b = Browser::new(&app);
    let form = b.get("/nop-ho-so/1.000002").await;
    assert!(form.html.contains("<label for=\"unit\"") && form.html.contains("<select id=\"unit\" name=\"unit\""));
    assert!(form.html.contains("Phường Rạch Giá") && form.html.contains("Đặc khu Phú Quốc"));
    assert!(!form.html.contains("Sở Xây dựng") && !form.html.contains("công tỉnh</option>"), "only communes");

    let p = apply(&mut b, "1.000002", &[], &[]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("hãy chọn xã, phường hoặc đặc khu"), "{}", p.html);
    let p = apply(&mut b, "1.000002", &[("unit", "C1")], &[]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "a center is not a commune");

    let p = apply(&mut b, "1.000002", &[("unit", "X2")], &[]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("Đặc khu Phú Quốc"));
    let code = after(&p.html, "<strong class=\"code\">");
    assert!(code.starts_with("X2-"), "{code}");
    let view = officer_view_as(&app, "lanhdao.x2", &code).await;
    assert_eq!(view["dossier"]["documents"][0]["digitized"], false, "partly online: paper may follow");
}

#[tokio::test]
async fn a_procedure_not_offered_online_says_so_and_links_back_and_an_unknown_one_is_404() {
    let app = app().await;
    let mut b = Browser::new(&app);
    let p = b.get("/nop-ho-so/1.000003").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("chưa cung cấp dịch vụ công trực tuyến") && p.html.contains("href=\"/thu-tuc/1.000003\""));
    assert!(!p.html.contains("type=\"file\""));
    let p = b.get("/nop-ho-so/9.999999").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_applicant_answers_a_supplement_request_with_a_file_and_processing_resumes() {
    let app = app().await;
    let mut b = Browser::new(&app);
    let (code, secret) = submit_with_pdf(&mut b).await;
    let (tn, ld, cv) = (app.login("tiepnhan").await, app.login("lanhdao").await, app.login("chuyenvien").await);
    let r = app.act(&tn, &code, 1, json!({"action": "receive"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app.assign(&ld, &code, r.body["version"].as_i64().unwrap(), "chuyenvien").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let ask =
        json!({"action": "request_supplement", "reason": "Thiếu bản sao CCCD", "items": ["Bản sao CCCD còn hạn"]});
    let r = app.act(&cv, &code, r.body["version"].as_i64().unwrap(), ask).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let lookup = format!("/tra-cuu?code={code}&secret={secret}");
    let look = b.get(&lookup).await;
    assert!(look.html.contains("Thiếu bản sao CCCD") && look.html.contains("Bản sao CCCD còn hạn"));
    assert!(
        look.html.contains(&format!("action=\"/tra-cuu/{code}/bo-sung\""))
            && look.html.contains("<label for=\"sup-files\"")
    );
    let (csrf, version) = (look.csrf(), hidden(&look, "version"));
    let stale = (version.parse::<i64>().unwrap() - 1).to_string();
    let cccd = || vec![("files", "cccd.jpg", "image/jpeg", vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3])];
    let url = format!("/tra-cuu/{code}/bo-sung");

    let p = b.post_multipart(&url, &[("csrf", &csrf), ("secret", &secret), ("version", &stale)], &cccd()).await;
    assert_eq!(p.status, StatusCode::CONFLICT, "{}", p.html);
    let p =
        b.post_multipart(&url, &[("csrf", &csrf), ("secret", "WRONGSECRET2"), ("version", &version)], &cccd()).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let p = b.post_multipart(&url, &[("secret", &secret), ("version", &version)], &cccd()).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let notes = [("csrf", csrf.as_str()), ("secret", &secret), ("version", &version)];
    let p = b.post_multipart(&url, &notes, &[("files", "x.pdf", "application/pdf", b"<html>".to_vec())]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("không phải PDF, JPG hoặc PNG"));
    assert!(b.get(&lookup).await.html.contains("Yêu cầu bổ sung hồ sơ"), "nothing changed");

    let fields = [("csrf", csrf.as_str()), ("secret", &secret), ("version", &version), ("note", "Gửi bản sao CCCD")];
    let p = b.post_multipart(&url, &fields, &cccd()).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert_eq!(p.location.as_deref(), Some(lookup.as_str()));
    let look = b.get(&lookup).await;
    assert!(look.html.contains("Đang giải quyết") && look.html.contains("Đã bổ sung hồ sơ"), "{}", look.html);
    assert!(look.html.contains("cccd.jpg") && !look.html.contains("/bo-sung\""));
    let view = officer_view(&app, &code).await;
    let docs = view["dossier"]["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!((docs[1]["name"].as_str(), docs[1]["digitized"].as_bool()), (Some("cccd.jpg"), Some(true)));
    assert!(docs[1]["file"].is_string());
}

#[tokio::test]
async fn the_result_downloads_only_with_the_right_secret_once_the_dossier_has_a_result() {
    let (app, store) = app_with_store().await;
    let mut b = Browser::new(&app);
    let (code, secret, v) = app.submit_online().await;
    let (tn, ld) = (app.login("tiepnhan").await, app.login("lanhdao").await);
    let r = app.act(&tn, &code, v, json!({"action": "receive"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let result = |id: &str, kind: &str| FileMeta {
        id: id.into(),
        dossier_code: Some(code.clone()),
        kind: kind.into(),
        name: "Giấy chứng nhận.pdf".into(),
        content_type: "application/pdf".into(),
        size: pdf().len() as i64,
        sha256: motcua_domain::audit::sha256_hex(&[&pdf()]),
    };
    store
        .put_file(&result("r0000000000000000000000000000001", "result"), pdf(), time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    store
        .put_file(&result("d0000000000000000000000000000001", "document"), pdf(), time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    let url = |id: &str, s: &str| format!("/tra-cuu/{code}/ket-qua/{id}?secret={s}");

    let p = b.get(&url("r0000000000000000000000000000001", &secret)).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "no download before the result is approved");
    let v = app.to_approval(&code, r.body["version"].as_i64().unwrap()).await;
    let r = app.act(&ld, &code, v, json!({"action": "approve"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let look = b.get(&format!("/tra-cuu?code={code}&secret={secret}")).await;
    assert!(look.html.contains("Có kết quả, chờ trả"));
    assert!(look.html.contains(&format!("/tra-cuu/{code}/ket-qua/r0000000000000000000000000000001?secret={secret}")));
    assert!(!look.html.contains("d0000000000000000000000000000001"), "documents are not results");

    let p = b.get(&url("r0000000000000000000000000000001", "WRONGSECRET2")).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let p = b.get(&format!("/tra-cuu/{code}/ket-qua/r0000000000000000000000000000001")).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let p = b.get(&url("d0000000000000000000000000000001", &secret)).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "only result files download here");
    let (other, other_secret, _) = app.submit_online().await;
    let p = b.get(&format!("/tra-cuu/{other}/ket-qua/r0000000000000000000000000000001?secret={other_secret}")).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND, "another dossier's secret does not open this file");

    let p = b.get(&url("r0000000000000000000000000000001", &secret)).await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.headers.get("content-type").unwrap(), "application/pdf");
    assert_eq!(p.headers.get("x-content-type-options").unwrap(), "nosniff");
    let cd = p.headers.get("content-disposition").unwrap().to_str().unwrap();
    assert!(cd.starts_with("attachment;") && cd.contains("filename*=UTF-8''Gi%E1%BA%A5y"), "{cd}");
    assert!(p.html.starts_with("%PDF-"));
}

#[tokio::test]
async fn a_returned_dossier_can_be_rated_once() {
    let app = app().await;
    let mut b = Browser::new(&app);
    let (code, secret, v) = app.submit_online().await;
    let (tn, ld) = (app.login("tiepnhan").await, app.login("lanhdao").await);
    let r = app.act(&tn, &code, v, json!({"action": "receive"})).await;
    let v = app.to_approval(&code, r.body["version"].as_i64().unwrap()).await;
    let r = app.act(&ld, &code, v, json!({"action": "approve"})).await;
    let lookup = format!("/tra-cuu?code={code}&secret={secret}");
    assert!(!b.get(&lookup).await.html.contains("/danh-gia"), "no rating before the result is returned");
    let r = app
        .act(&tn, &code, r.body["version"].as_i64().unwrap(), json!({"action": "return_result", "fee_paid": true}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let look = b.get(&lookup).await;
    assert!(look.html.contains(&format!("action=\"/tra-cuu/{code}/danh-gia\"")));
    for (score, label) in
        [(5, "Rất hài lòng"), (4, "Hài lòng"), (3, "Bình thường"), (2, "Không hài lòng"), (1, "Rất không hài lòng")]
    {
        assert!(look.html.contains(&format!("<label for=\"score-{score}\">{label}</label>")), "{label}");
    }
    assert!(!look.html.contains("/rut-ho-so"), "a returned dossier cannot be withdrawn");
    let (csrf, version) = (look.csrf(), hidden(&look, "version"));
    let url = format!("/tra-cuu/{code}/danh-gia");
    let p = b.post_form(&url, &[("secret", &secret), ("version", &version), ("score", "5")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = b.post_form(&url, &[("csrf", &csrf), ("secret", &secret), ("version", &version)]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "a score must be chosen");
    let p = b
        .post_form(
            &url,
            &[("csrf", &csrf), ("secret", &secret), ("version", &version), ("score", "5"), ("comment", "Nhanh")],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    assert_eq!(p.location.as_deref(), Some(lookup.as_str()));

    let look = b.get(&lookup).await;
    assert!(look.html.contains("Đánh giá của bạn") && look.html.contains("Đã đánh giá mức độ hài lòng"));
    assert!(!look.html.contains("/danh-gia"), "the form is gone");
    let fresh = officer_view(&app, &code).await["version"].as_i64().unwrap().to_string();
    let p = b.post_form(&url, &[("csrf", &csrf), ("secret", &secret), ("version", &fresh), ("score", "1")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("đã được đánh giá"), "{}", p.html);
    let p = b.post_form(&url, &[("csrf", &csrf), ("secret", &secret), ("version", &version), ("score", "1")]).await;
    assert_eq!(p.status, StatusCode::CONFLICT, "a stale page is refused");
    assert_eq!(officer_view(&app, &code).await["rating"], 5);
}

#[tokio::test]
async fn the_applicant_can_withdraw_with_a_reason_while_processing_has_not_finished() {
    let app = app().await;
    let mut b = Browser::new(&app);
    let (code, secret, _) = app.submit_online().await;
    let lookup = format!("/tra-cuu?code={code}&secret={secret}");
    let look = b.get(&lookup).await;
    assert!(look.html.contains("<label for=\"withdraw-reason\"") && look.html.contains("data-confirm"));
    let (csrf, version) = (look.csrf(), hidden(&look, "version"));
    let url = format!("/tra-cuu/{code}/rut-ho-so");
    let p = b.post_form(&url, &[("csrf", &csrf), ("secret", &secret), ("version", &version), ("reason", " ")]).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "a reason is needed");
    let p =
        b.post_form(&url, &[("csrf", &csrf), ("secret", "WRONGSECRET2"), ("version", &version), ("reason", "x")]).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let fields = [("csrf", csrf.as_str()), ("secret", &secret), ("version", &version), ("reason", "Nộp nhầm thủ tục")];
    let p = b.post_form(&url, &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let look = b.get(&lookup).await;
    assert!(look.html.contains("Đã rút hồ sơ") && look.html.contains("Nộp nhầm thủ tục"));
    assert!(!look.html.contains("/rut-ho-so"));
}

/// The applicant's withdrawal form on the lookup page, sent.
async fn ask_withdrawal(b: &mut Browser<'_>, code: &str, secret: &str) -> StatusCode {
    let look = b.get(&format!("/tra-cuu?code={code}&secret={secret}")).await;
    let (csrf, version) = (look.csrf(), hidden(&look, "version"));
    let fields =
        [("csrf", csrf.as_str()), ("secret", secret), ("version", &version), ("reason", "Đã có việc làm khác")];
    b.post_form(&format!("/tra-cuu/{code}/rut-ho-so"), &fields).await.status
}

/// NĐ 118/2025 Art. 21 (issue 15, national state 7): once the dossier was received, the
/// applicant's withdrawal is a request; the counter sees it with the two answers, declines it
/// (processing goes on) or confirms it (stopped).
#[tokio::test]
async fn a_withdrawal_asked_after_reception_waits_for_the_counter_which_declines_or_confirms_it() {
    let app = app().await;
    let mut b = Browser::new(&app);
    let (code, secret, v) = app.submit_online().await;
    let tn = app.login("tiepnhan").await;
    assert_eq!(app.act(&tn, &code, v, json!({"action": "receive"})).await.status, StatusCode::OK);
    let lookup = format!("/tra-cuu?code={code}&secret={secret}");
    assert_eq!(ask_withdrawal(&mut b, &code, &secret).await, StatusCode::SEE_OTHER);
    let view = officer_view(&app, &code).await;
    assert_eq!(
        (view["status"].as_str(), view["national_status"].as_i64()),
        (Some("withdrawal_requested"), Some(7)),
        "{view}"
    );
    let look = b.get(&lookup).await;
    assert!(look.html.contains("Đề nghị rút hồ sơ, chờ xác nhận"), "{}", look.html);
    assert!(look.html.contains("chờ Bộ phận Một cửa xác nhận"));
    assert!(!look.html.contains("/rut-ho-so"), "asked once");

    // The counter sees the request and both answers.
    let mut desk = Browser::new(&app);
    desk.sign_in("tiepnhan").await;
    let page = desk.get(&format!("/quay/ho-so/{code}")).await;
    assert!(
        page.html.contains("id=\"withdrawal-request\"") && page.html.contains("Đã có việc làm khác"),
        "{}",
        page.html
    );
    assert!(page.html.contains("value=\"decline_withdrawal\"") && page.html.contains("value=\"withdraw\""));

    // Declined: processing goes on where it was.
    let version = view["version"].as_i64().unwrap();
    let r = app
        .act(&tn, &code, version, json!({"action": "decline_withdrawal", "reason": "Hồ sơ đã được phê duyệt"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "received");
    let look = b.get(&lookup).await;
    assert!(look.html.contains("Không dừng giải quyết") && look.html.contains("Hồ sơ đã được phê duyệt"));

    // Asked again and confirmed: stopped.
    assert_eq!(ask_withdrawal(&mut b, &code, &secret).await, StatusCode::SEE_OTHER);
    let version = officer_view(&app, &code).await["version"].as_i64().unwrap();
    let r = app.act(&tn, &code, version, json!({"action": "withdraw", "reason": "Theo đề nghị của người nộp"})).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("withdrawn")), "{:?}", r.body);
}

#[tokio::test]
async fn files_over_30_mb_in_total_are_refused_and_a_body_over_35_mb_is_too_large() {
    let app = app().await;
    let mut b = Browser::new(&app);
    let (code, secret, v) = app.submit_online().await;
    let tn = app.login("tiepnhan").await;
    let ask = json!({"action": "request_supplement", "reason": "Thiếu giấy tờ", "items": ["Bản vẽ"]});
    assert_eq!(app.act(&tn, &code, v, ask).await.status, StatusCode::OK);
    let look = b.get(&format!("/tra-cuu?code={code}&secret={secret}")).await;
    let (csrf, version) = (look.csrf(), hidden(&look, "version"));
    let sized = |mb: usize| {
        let mut f = pdf();
        f.resize(mb * 1024 * 1024, b' ');
        ("files", "ban-ve.pdf", "application/pdf", f)
    };
    let fields = [("csrf", csrf.as_str()), ("secret", &secret), ("version", &version)];
    let url = format!("/tra-cuu/{code}/bo-sung");
    let p = b.post_multipart(&url, &fields, &[sized(10), sized(10), sized(10), sized(1)]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("vượt quá 30 MB"), "{}", p.html);
    let p = b.post_multipart(&url, &fields, &[sized(10), sized(10), sized(10), sized(6)]).await;
    assert_eq!(p.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(b.get(&format!("/tra-cuu?code={code}&secret={secret}")).await.html.contains("Yêu cầu bổ sung hồ sơ"));
}
