//! The counter desk pages (receiver): entering a counter dossier with its receipt slip, the
//! worklist, actions on a dossier, the printable slips, and the guards (role, unit, CSRF,
//! version, allowed actions).

mod common;

use axum::http::StatusCode;
use common::{App, Browser, Page, setup};
use serde_json::{Value, json};

/// A browser signed in as `user`.
async fn desk<'a>(app: &'a App, user: &str) -> Browser<'a> {
    let mut b = Browser::new(app);
    b.sign_in(user).await;
    b
}

/// The text between `start` and the next `<` in the page.
fn text_after(p: &Page, start: &str) -> String {
    let i = p.html.find(start).unwrap_or_else(|| panic!("no {start} in the page: {}", p.html));
    let rest = &p.html[i + start.len()..];
    rest[..rest.find('<').unwrap()].to_owned()
}

/// The value of the first hidden field `name`.
fn hidden(p: &Page, name: &str) -> String {
    let start = format!("name=\"{name}\" value=\"");
    let i = p.html.find(&start).unwrap_or_else(|| panic!("no field {name} in the page: {}", p.html));
    let rest = &p.html[i + start.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// The dossier as the API shows it to `user`.
async fn api_dossier(app: &App, user: &str, code: &str) -> Value {
    let token = app.login(user).await;
    let r = app.call("GET", &format!("/api/v1/dossiers/{code}"), Some(&token), None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

/// Opens the dossier page and posts one action form with its csrf and version.
async fn act(b: &mut Browser<'_>, code: &str, fields: &[(&str, &str)]) -> Page {
    let p = b.get(&format!("/quay/ho-so/{code}")).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    let (csrf, version) = (p.csrf(), hidden(&p, "version"));
    let mut all = vec![("csrf", csrf.as_str()), ("version", version.as_str())];
    all.extend_from_slice(fields);
    b.post_form(&format!("/quay/ho-so/{code}/thao-tac"), &all).await
}

/// An online dossier received, processed and approved through the API: waiting to be returned.
async fn result_ready(app: &App) -> String {
    let (code, _, v) = app.submit_online().await;
    let (tn, ld, cv) = (app.login("tiepnhan").await, app.login("lanhdao").await, app.login("chuyenvien").await);
    let r = app.act(&tn, &code, v, json!({"action": "receive"})).await;
    let r = app.assign(&ld, &code, r.body["version"].as_i64().unwrap(), "chuyenvien").await;
    let r = app.act(&cv, &code, r.body["version"].as_i64().unwrap(), json!({"action": "complete_step"})).await;
    let r = app.act(&ld, &code, r.body["version"].as_i64().unwrap(), json!({"action": "approve"})).await;
    assert_eq!(r.body["status"], "result_ready", "{:?}", r.body);
    code
}

#[tokio::test]
async fn a_receiver_enters_a_counter_dossier_and_gets_a_receipt_slip_with_code_secret_qr_and_appointment() {
    let app = setup().await;
    let mut b = desk(&app, "tiepnhan").await;
    let choose = b.get("/quay/tiep-nhan").await;
    assert_eq!(choose.status, StatusCode::OK);
    assert!(choose.html.contains("/quay/tiep-nhan?thu_tuc=1.000001"));
    let form = b.get("/quay/tiep-nhan?thu_tuc=1.000001").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.html.contains("Tờ khai") && form.html.contains("name=\"nhan_0\"") && form.html.contains("name=\"so_0\"")
    );
    assert!(form.html.contains("<label for=\"name\">") && !form.html.contains("name=\"commune\""));
    let csrf = form.csrf();
    let idem = hidden(&form, "idem");
    assert_eq!(idem.len(), 64, "the form carries its idempotency key");

    // A wrong phone number: the form comes back with 422, the message and what was typed.
    let bad = b
        .post_form(
            "/quay/tiep-nhan",
            &[
                ("csrf", &csrf),
                ("idem", &idem),
                ("thu_tuc", "1.000001"),
                ("name", "Trần Thị Bình"),
                ("phone", "12345"),
                ("nhan_0", "1"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("số điện thoại không hợp lệ"), "{}", bad.html);
    assert!(bad.html.contains("value=\"Trần Thị Bình\"") && bad.html.contains("name=\"nhan_0\" value=\"1\" checked"));
    assert_eq!(hidden(&bad, "idem"), idem, "the corrected form keeps its key");

    let fields = [
        ("csrf", csrf.as_str()),
        ("idem", idem.as_str()),
        ("thu_tuc", "1.000001"),
        ("name", "Trần Thị Bình"),
        ("id_number", "091234567891"),
        ("phone", "0912345679"),
        ("address", "Rạch Giá, An Giang"),
        ("nhan_1", "1"),
        ("other", "Bản sao sổ hộ khẩu\n"),
    ];
    // The first document comes with its scan (so it is handed in and digitized); the second is
    // ticked as handed in on paper. Post/Redirect/Get: the answer is a redirect to the receipt.
    let scan = ("so_0", "to-khai.pdf", "application/pdf", b"%PDF-1.7 scan".to_vec());
    let posted = b.post_multipart("/quay/tiep-nhan", &fields, &[scan]).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.html);
    let slip = posted.location.clone().unwrap_or_default();
    assert!(slip.starts_with("/quay/ho-so/C1-") && slip.ends_with("/phieu/01"), "{slip}");
    let p = b.get(&slip).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    let code = text_after(&p, "id=\"code\">");
    let secret = text_after(&p, "id=\"secret\" class=\"secret\">");
    assert!(code.starts_with("C1-"), "{code}");
    assert_eq!(secret.len(), 12);
    assert!(p.html.contains("<svg") && p.html.contains("</svg>"), "QR code as inline SVG");
    assert!(p.html.contains(&format!("/tra-cuu?code={code}&#38;secret={secret}")), "the lookup address is printed");
    let appointment = text_after(&p, "id=\"appointment\">");
    assert!(appointment.len() == "dd/mm/yyyy HH:MM".len() && appointment.contains('/'), "{appointment}");
    for text in [
        "Mẫu số",
        "03/2025/TT-VPCP",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Trung tâm Phục vụ hành chính công tỉnh",
        "An Giang, ngày",
        "50.000 đ",
        "Bản sao sổ hộ khẩu",
        "Số hóa tại quầy",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "data-print",
    ] {
        assert!(p.html.contains(text), "receipt lacks {text}");
    }

    let d = api_dossier(&app, "tiepnhan", &code).await;
    assert_eq!(d["status"], "received");
    assert_eq!(d["channel"], "counter");
    let docs = d["dossier"]["documents"].as_array().unwrap();
    assert_eq!(
        (docs[0]["digitized"].as_bool(), docs[0]["provenance"]["source"].as_str()),
        (Some(true), Some("counter"))
    );
    assert_eq!(docs[0]["provenance"]["by"], "tiepnhan");
    assert!(docs[0]["file"].is_string(), "the scan is stored with the dossier: {d}");
    assert!(docs[1..].iter().all(|x| x["digitized"] == false), "paper only: {d}");
    let look = b.get(&format!("/tra-cuu?code={code}&secret={secret}")).await;
    assert!(look.html.contains("Đã tiếp nhận"), "the printed secret opens the public lookup");

    // The reprint (a refresh included) never shows the secret, and says so.
    let again = b.get(&format!("/quay/ho-so/{code}/phieu/01")).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(!again.html.contains(&secret) && again.html.contains("Bản in lại"));
    assert!(again.html.contains(&code) && again.html.contains("<svg"));

    // The same form sent again (back button and resend, a double click): the same dossier.
    let count = || async {
        let now = time::OffsetDateTime::now_utc();
        app.store.counts_by_status(&["C1".to_owned()], now).await.unwrap().iter().map(|c| c.count).sum::<i64>()
    };
    let before = count().await;
    let scan = ("so_0", "to-khai.pdf", "application/pdf", b"%PDF-1.7 scan".to_vec());
    let resent = b.post_multipart("/quay/tiep-nhan", &fields, std::slice::from_ref(&scan)).await;
    assert_eq!(resent.status, StatusCode::SEE_OTHER);
    assert_eq!(resent.location.as_deref(), Some(slip.as_str()), "no second dossier");
    assert_eq!(count().await, before);
    // Another officer cannot replay this form; a form without its key comes back with a new one.
    let mut other = desk(&app, "tiepnhan.x1").await;
    let form = other.get("/quay/tiep-nhan?thu_tuc=1.000001").await;
    let mut theirs = fields;
    let other_csrf = form.csrf();
    theirs[0].1 = other_csrf.as_str();
    let p = other.post_multipart("/quay/tiep-nhan", &theirs, std::slice::from_ref(&scan)).await;
    assert_eq!(p.status, StatusCode::CONFLICT, "{}", p.html);
    theirs[1].1 = "";
    let p = other.post_multipart("/quay/tiep-nhan", &theirs, std::slice::from_ref(&scan)).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.html);
    assert!(p.html.contains("mã biểu mẫu bị thiếu") && hidden(&p, "idem").len() == 64, "a new form to send");
}

#[tokio::test]
async fn a_commune_level_dossier_entered_at_the_provincial_center_names_its_commune() {
    let app = setup().await;
    let mut b = desk(&app, "tiepnhan").await;
    let form = b.get("/quay/tiep-nhan?thu_tuc=1.000002").await;
    assert!(form.html.contains("name=\"commune\"") && form.html.contains("Phường Rạch Giá"));
    let csrf = form.csrf();
    let idem = hidden(&form, "idem");
    let p = b
        .post_form(
            "/quay/tiep-nhan",
            &[("csrf", &csrf), ("idem", &idem), ("thu_tuc", "1.000002"), ("name", "Lê Văn C")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("thủ tục cấp xã"), "{}", p.html);
    // A required document not ticked: not received, the form says what is missing.
    let p = b
        .post_form(
            "/quay/tiep-nhan",
            &[("csrf", &csrf), ("idem", &idem), ("thu_tuc", "1.000002"), ("name", "Lê Văn C"), ("commune", "X1")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("còn thiếu: Tờ khai") && p.html.contains("value=\"Lê Văn C\""), "{}", p.html);
    // The receiver guides the applicant on form 02 instead (NĐ 61/2018 Art. 15.2.b); nothing is stored.
    assert!(p.html.contains("formaction=\"/quay/tiep-nhan/phieu-02\""), "{}", p.html);
    let incomplete = [("csrf", csrf.as_str()), ("thu_tuc", "1.000002"), ("name", "Lê Văn C"), ("commune", "X1")];
    let slip = b.post_form("/quay/tiep-nhan/phieu-02", &incomplete).await;
    assert_eq!(slip.status, StatusCode::OK, "{}", slip.html);
    assert!(
        slip.html.contains("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ") && slip.html.contains("<li>Tờ khai"),
        "{}",
        slip.html
    );
    assert!(slip.html.contains("Lê Văn C") && !slip.html.contains("Mã hồ sơ"), "no dossier code: nothing was received");
    let complete = [("csrf", csrf.as_str()), ("thu_tuc", "1.000002"), ("name", "Lê Văn C"), ("nhan_0", "1")];
    let p2 = b.post_form("/quay/tiep-nhan/phieu-02", &complete).await;
    assert_eq!(p2.status, StatusCode::UNPROCESSABLE_ENTITY, "a complete dossier is received, not sent away");
    let forged = b.post_form("/quay/tiep-nhan/phieu-02", &[("csrf", "x"), ("thu_tuc", "1.000002")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let p = b
        .post_form(
            "/quay/tiep-nhan",
            &[
                ("csrf", &csrf),
                ("idem", &idem),
                ("thu_tuc", "1.000002"),
                ("name", "Lê Văn C"),
                ("commune", "X1"),
                ("nhan_0", "1"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let p = b.get(p.location.as_deref().unwrap_or_default()).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    let code = text_after(&p, "id=\"code\">");
    let d = api_dossier(&app, "tiepnhan", &code).await;
    assert_eq!((d["receiving_unit"].as_str(), d["resolving_unit"].as_str()), (Some("C1"), Some("X1")));

    // At a commune's own one-stop there is no commune to choose.
    let mut x1 = desk(&app, "tiepnhan.x1").await;
    let form = x1.get("/quay/tiep-nhan?thu_tuc=1.000002").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(!form.html.contains("name=\"commune\""));
}

#[tokio::test]
async fn receiving_an_online_dossier_from_the_worklist() {
    let app = setup().await;
    let (code, _, _) = app.submit_online().await;
    let mut b = desk(&app, "tiepnhan").await;
    let w = b.get("/quay").await;
    assert_eq!(w.status, StatusCode::OK);
    assert!(w.html.contains(&format!("href=\"/quay/ho-so/{code}\"")) && w.html.contains("Nguyễn Văn An"));
    assert!(w.html.contains("href=\"/quay/tiep-nhan\""));

    let page = b.get(&format!("/quay/ho-so/{code}")).await;
    assert!(page.html.contains("value=\"receive\"") && page.html.contains("value=\"refuse\""));
    assert!(!page.html.contains("value=\"return_result\""), "only allowed actions are offered");
    assert!(page.html.contains("type=\"file\" id=\"so_0\""), "the scan of a paper document is attached at reception");
    let (csrf, version) = (page.csrf(), hidden(&page, "version"));
    let fields = [("csrf", csrf.as_str()), ("version", version.as_str()), ("action", "receive")];
    let uri = format!("/quay/ho-so/{code}/thao-tac");
    let program = ("so_0", "scan.pdf", "application/pdf", b"MZ\x90\0 not a scan".to_vec());
    let bad = b.post_multipart(&uri, &fields, &[program]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.html);
    assert!(bad.html.contains("không phải PDF"), "{}", bad.html);
    assert_eq!(api_dossier(&app, "tiepnhan", &code).await["status"], "submitted", "a refused scan receives nothing");
    let scan = ("so_0", "scan.pdf", "application/pdf", b"%PDF-1.7 scan at the counter".to_vec());
    let r = b.post_multipart(&uri, &fields, &[scan]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let d = api_dossier(&app, "tiepnhan", &code).await;
    let doc = &d["dossier"]["documents"][0];
    assert_eq!(
        (doc["digitized"].as_bool(), doc["provenance"]["source"].as_str()),
        (Some(true), Some("counter")),
        "{d}"
    );
    let to = r.location.unwrap();
    assert_eq!(to, format!("/quay/ho-so/{code}?ok=receive"));
    let after = b.get(&to).await;
    assert!(after.html.contains("Đã tiếp nhận hồ sơ") && after.html.contains("/phieu/01"));
    assert!(!after.html.contains("value=\"receive\""));
    assert_eq!(api_dossier(&app, "tiepnhan", &code).await["status"], "received");
    assert!(!b.get("/quay").await.html.contains(&format!("/quay/ho-so/{code}")), "no longer waiting at the desk");
}

#[tokio::test]
async fn refusing_with_a_reason_and_printing_slip_03() {
    let app = setup().await;
    let (code, _, _) = app.submit_online().await;
    let mut b = desk(&app, "tiepnhan").await;
    let empty = act(&mut b, &code, &[("action", "refuse"), ("reason", "  ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.html.contains("cần ghi lý do"), "{}", empty.html);

    let reason = "Hồ sơ không thuộc thẩm quyền giải quyết của tỉnh";
    let r = act(&mut b, &code, &[("action", "refuse"), ("reason", reason)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    assert_eq!(r.location.as_deref(), Some(format!("/quay/ho-so/{code}/phieu/03").as_str()));
    let slip = b.get(&format!("/quay/ho-so/{code}/phieu/03")).await;
    assert_eq!(slip.status, StatusCode::OK);
    for text in [
        reason,
        "Mẫu số",
        "03/2025/TT-VPCP",
        "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Nguyễn Văn An",
        "data-print",
    ] {
        assert!(slip.html.contains(text), "slip 03 lacks {text}");
    }
    assert_eq!(api_dossier(&app, "tiepnhan", &code).await["status"], "refused");
    // Slips that do not apply, and unknown forms, are not found.
    for form in ["01", "02", "04", "07", "x"] {
        assert_eq!(b.get(&format!("/quay/ho-so/{code}/phieu/{form}")).await.status, StatusCode::NOT_FOUND, "{form}");
    }
}

#[tokio::test]
async fn a_supplement_request_at_reception_lists_every_item_on_slip_02_and_the_supplement_is_taken_at_the_counter() {
    let app = setup().await;
    let (code, _, _) = app.submit_online().await;
    let mut b = desk(&app, "tiepnhan").await;
    let r = act(
        &mut b,
        &code,
        &[("action", "request_supplement"), ("reason", "Thiếu giấy tờ"), ("items", "Bản sao CCCD\n\nSơ đồ thửa đất\n")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let slip = b.get(r.location.as_deref().unwrap()).await;
    assert_eq!(slip.status, StatusCode::OK);
    assert!(slip.html.contains("<li>Bản sao CCCD</li>") && slip.html.contains("<li>Sơ đồ thửa đất</li>"));
    assert!(slip.html.contains("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ") && slip.html.contains("NGƯỜI HƯỚNG DẪN"));
    let w = b.get("/quay").await;
    assert!(w.html.contains(&format!("/quay/ho-so/{code}")), "waiting for the supplement at the desk");

    let r = act(
        &mut b,
        &code,
        &[("action", "supplement"), ("documents", "Bản sao CCCD\nSơ đồ thửa đất"), ("digitized", "1")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let d = api_dossier(&app, "tiepnhan", &code).await;
    assert_eq!(d["status"], "submitted");
    assert_eq!(d["dossier"]["documents"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn a_forged_action_that_is_not_allowed_gives_422_and_changes_nothing() {
    let app = setup().await;
    let (code, _, v) = app.submit_online().await;
    let mut b = desk(&app, "tiepnhan").await;
    for action in ["return_result", "approve", "nonsense"] {
        let r = act(&mut b, &code, &[("action", action), ("fee_paid", "1")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{action}");
        assert!(r.html.contains("không thực hiện được"), "{}", r.html);
    }
    let d = api_dossier(&app, "tiepnhan", &code).await;
    assert_eq!((d["status"].as_str(), d["version"].as_i64()), (Some("submitted"), Some(v)));
}

#[tokio::test]
async fn a_stale_version_gives_409_and_changes_nothing() {
    let app = setup().await;
    let (code, _, v) = app.submit_online().await;
    let mut b = desk(&app, "tiepnhan").await;
    let page = b.get(&format!("/quay/ho-so/{code}")).await;
    let (csrf, version) = (page.csrf(), hidden(&page, "version"));
    // Another receiver receives it meanwhile.
    let tn = app.login("tiepnhan").await;
    assert_eq!(app.act(&tn, &code, v, json!({"action": "receive"})).await.status, StatusCode::OK);
    let r = b
        .post_form(
            &format!("/quay/ho-so/{code}/thao-tac"),
            &[("csrf", &csrf), ("version", &version), ("action", "refuse"), ("reason", "Không đủ điều kiện")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.html.contains("vừa được cập nhật"), "{}", r.html);
    assert!(
        r.html.contains("Đã tiếp nhận") && !r.html.contains("value=\"refuse\""),
        "the page shows the dossier as it is now"
    );
    assert_eq!(api_dossier(&app, "tiepnhan", &code).await["status"], "received");
}

#[tokio::test]
async fn a_non_receiver_gets_403_and_an_anonymous_visitor_is_sent_to_sign_in() {
    let app = setup().await;
    let (code, _, _) = app.submit_online().await;
    let mut cv = desk(&app, "chuyenvien").await;
    for path in ["/quay".to_owned(), "/quay/tiep-nhan".to_owned(), format!("/quay/ho-so/{code}")] {
        assert_eq!(cv.get(&path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    let mut anon = Browser::new(&app);
    let p = anon.get("/quay").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(p.location.unwrap().starts_with("/dang-nhap?next="));
}

#[tokio::test]
async fn an_officer_of_another_unit_cannot_open_or_act_on_a_c1_dossier() {
    let app = setup().await;
    let (code, _, v) = app.submit_online().await;
    let mut x1 = desk(&app, "tiepnhan.x1").await;
    assert_eq!(x1.get("/quay").await.status, StatusCode::OK);
    assert!(!x1.get("/quay").await.html.contains(&code), "not in another unit's worklist");
    assert_eq!(x1.get(&format!("/quay/ho-so/{code}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(x1.get(&format!("/quay/ho-so/{code}/phieu/01")).await.status, StatusCode::NOT_FOUND);
    let csrf = x1.get("/quay").await.csrf();
    let r = x1
        .post_form(
            &format!("/quay/ho-so/{code}/thao-tac"),
            &[("csrf", &csrf), ("version", &v.to_string()), ("action", "receive")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(api_dossier(&app, "tiepnhan", &code).await["status"], "submitted");
}

#[tokio::test]
async fn a_form_without_its_csrf_token_gets_403_and_changes_nothing() {
    let app = setup().await;
    let (code, _, v) = app.submit_online().await;
    let mut b = desk(&app, "tiepnhan").await;
    let version = v.to_string();
    let r = b.post_form(&format!("/quay/ho-so/{code}/thao-tac"), &[("version", &version), ("action", "receive")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = b
        .post_form(
            &format!("/quay/ho-so/{code}/thao-tac"),
            &[("csrf", "forged"), ("version", &version), ("action", "receive")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = b.post_form("/quay/tiep-nhan", &[("thu_tuc", "1.000001"), ("name", "Trần Thị Bình")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(api_dossier(&app, "tiepnhan", &code).await["status"], "submitted");
}

#[tokio::test]
async fn returning_a_result_needs_the_fee_paid_on_a_procedure_with_fees() {
    let app = setup().await;
    let code = result_ready(&app).await;
    let mut b = desk(&app, "tiepnhan").await;
    assert!(b.get("/quay").await.html.contains(&format!("/quay/ho-so/{code}")), "listed as a result to return");
    let page = b.get(&format!("/quay/ho-so/{code}")).await;
    assert!(page.html.contains("name=\"fee_paid\"") && page.html.contains("50.000 đ"));

    let r = act(&mut b, &code, &[("action", "return_result")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.html.contains("cần thu phí, lệ phí"), "{}", r.html);
    assert_eq!(api_dossier(&app, "tiepnhan", &code).await["status"], "result_ready");

    let r = act(&mut b, &code, &[("action", "return_result"), ("fee_paid", "1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    let d = api_dossier(&app, "tiepnhan", &code).await;
    assert_eq!(d["status"], "returned");
    assert_eq!((d["fee_paid"].as_bool(), d["paid_online"].as_bool()), (Some(true), Some(false)));
    assert!(b.get(r.location.as_deref().unwrap()).await.html.contains("Đã trả kết quả"));
}

#[tokio::test]
async fn an_extended_dossier_prints_the_apology_slip_04_with_the_old_and_new_dates() {
    let app = setup().await;
    let (code, _, v) = app.submit_online().await;
    let tn = app.login("tiepnhan").await;
    let r = app.act(&tn, &code, v, json!({"action": "receive"})).await;
    let due = r.body["appointment_at"].as_str().unwrap().to_owned();
    let ld = app.login("lanhdao").await;
    let reason = "Cần xác minh thực địa";
    let r = app
        .act(
            &ld,
            &code,
            r.body["version"].as_i64().unwrap(),
            json!({"action": "extend", "new_due_at": "2099-01-05T10:00:00+07:00", "reason": reason}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let mut b = desk(&app, "tiepnhan").await;
    let slip = b.get(&format!("/quay/ho-so/{code}/phieu/04")).await;
    assert_eq!(slip.status, StatusCode::OK, "{}", slip.html);
    // 2026-03-10T10:00:00+07:00 → 10/03/2026 10:00
    let old = format!("{}/{}/{} {}", &due[8..10], &due[5..7], &due[0..4], &due[11..16]);
    assert_eq!(text_after(&slip, "id=\"old-date\">"), old);
    assert_eq!(text_after(&slip, "id=\"new-date\">"), "05/01/2099 10:00");
    assert!(slip.html.contains(reason) && slip.html.contains("Sở Nông nghiệp và Môi trường"));
    assert!(slip.html.contains("Phiếu xin lỗi và hẹn lại ngày trả kết quả"));
}

/// A commune procedure charged as TT 226/2016 writes it: per page with a tier and a cap per copy,
/// plus a line due only in the case it names.
async fn per_page_procedure(app: &App) {
    let p: motcua_domain::catalog::Procedure = serde_json::from_value(json!({
        "code": "1.000015", "name": "Chứng thực bản sao từ bản chính", "field": "Chứng thực", "level": "commune",
        "agency": "COMMUNE", "processing_hours": 4.0, "online_level": "partial",
        "documents": [{"name": "Bản chính giấy tờ", "original": true, "copies": 1}],
        "fees": [
            {"name": "Phí chứng thực bản sao từ bản chính", "amount": 2000, "per": "trang",
             "tiers": [{"from": 3, "amount": 1000}], "max": 200000, "group": "bản"},
            {"name": "Phí gửi kết quả qua bưu chính (trường hợp đăng ký)", "amount": 30000, "applies": "when_chosen"}
        ],
        "steps": [
            {"name": "Tiếp nhận", "role": "receiver", "unit": "CENTER", "hours": 0.5},
            {"name": "Chứng thực", "role": "specialist", "unit": "COMMUNE", "hours": 3.0},
            {"name": "Trả kết quả", "role": "receiver", "unit": "CENTER", "hours": 0.5}
        ]
    }))
    .unwrap();
    app.store.put_procedure(&p, motcua_store::today_vn()).await.unwrap();
}

#[tokio::test]
async fn the_receiver_states_pages_and_copies_and_the_receipt_shows_the_fee_the_law_sets() {
    let app = setup().await;
    per_page_procedure(&app).await;
    let mut b = desk(&app, "tiepnhan.x1").await;
    let form = b.get("/quay/tiep-nhan?thu_tuc=1.000015").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    assert!(form.html.contains("2.000 đ/trang; từ trang thứ 3: 1.000 đ/trang; tối đa 200.000 đ/bản"), "{}", form.html);
    assert!(form.html.contains("name=\"phi_0_sl\"") && form.html.contains("name=\"phi_1_chon\""));
    assert!(!form.html.contains("232.000"), "the schedule is never summed");
    let (csrf, idem) = (form.csrf(), hidden(&form, "idem"));
    let base = [("csrf", csrf.as_str()), ("thu_tuc", "1.000015"), ("name", "Trần Văn Bình"), ("nhan_0", "1")];
    // Without the page count the fee cannot be set: refused, nothing received.
    let mut fields = base.to_vec();
    fields.push(("idem", idem.as_str()));
    let p = b.post_form("/quay/tiep-nhan", &fields).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.html);
    assert!(p.html.contains("cần nhập số lượng"), "{}", p.html);
    // Ten pages, two copies, sent by post: 2 × (2 × 2.000 + 8 × 1.000) + 30.000.
    fields.extend([("phi_0_sl", "10"), ("phi_0_ban", "2"), ("phi_1_chon", "1")]);
    let p = b.post_form("/quay/tiep-nhan", &fields).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let slip = b.get(p.location.as_deref().unwrap_or_default()).await;
    assert!(slip.html.contains("10 trang × 2 bản: 24.000 đ"), "{}", slip.html);
    assert!(slip.html.contains("tổng cộng 54.000 đ"), "{}", slip.html);
    let code = text_after(&slip, "id=\"code\">");
    let d = api_dossier(&app, "tiepnhan.x1", &code).await;
    assert_eq!(d["fee_total"], 54_000);
    assert_eq!(d["dossier"]["fee_assessment"][0]["quantity"], 10, "{}", d["dossier"]);
    // An exemption needs its reason; with it, the line is listed at 0 đ.
    let form = b.get("/quay/tiep-nhan?thu_tuc=1.000015").await;
    let idem2 = hidden(&form, "idem");
    let mut exempt = base.to_vec();
    exempt.extend([
        ("idem", idem2.as_str()),
        ("phi_0_sl", "3"),
        ("phi_0_mien", "Người có công với cách mạng"),
        ("phi_0_giam", "100"),
    ]);
    let p = b.post_form("/quay/tiep-nhan", &exempt).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    let slip = b.get(p.location.as_deref().unwrap_or_default()).await;
    assert!(slip.html.contains("Người có công với cách mạng") && slip.html.contains("miễn"), "{}", slip.html);
    assert!(slip.html.contains("tổng cộng 0 đ"), "{}", slip.html);
}

#[tokio::test]
async fn an_online_dossier_gets_its_fee_set_when_the_counter_receives_it_and_the_api_takes_the_same_facts() {
    let app = setup().await;
    per_page_procedure(&app).await;
    let body =
        json!({"procedure_code": "1.000015", "channel": "online", "unit": "X1", "applicant": {"name": "Lê Thị Cúc"}});
    let r = app.call("POST", "/api/v1/dossiers", None, None, Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let (code, version) = (r.body["code"].as_str().unwrap().to_owned(), r.body["version"].as_i64().unwrap());
    let token = app.login("tiepnhan.x1").await;
    let r = app.act(&token, &code, version, json!({"action": "receive"})).await;
    assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("fee_quantity_required")));
    let facts = json!({"action": "receive", "fees": [{"line": 0, "quantity": 250, "groups": 1}]});
    let r = app.act(&token, &code, version, facts).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["fee_total"], 200_000, "capped at 200.000 đ a copy");
    let bad = json!({"procedure_code": "1.000015", "channel": "counter", "unit": "X1", "applicant": {"name": "Lê Cúc"},
        "documents": [{"name": "Bản chính giấy tờ"}], "fees": [{"line": 7, "quantity": 1}]});
    let r = app.call("POST", "/api/v1/dossiers", Some(&token), None, Some(bad)).await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_fee_facts")),
        "{:?}",
        r.body
    );
}
