//! The progress report (issue 5 item 5): the admin page for center administrators and leaders
//! (403 for anyone else), its figures from dossiers received through the API, the XLSX workbook,
//! the print version, and periods that are not whole months.

mod common;

use axum::http::StatusCode;
use common::{App, Browser, setup};
use serde_json::json;
use time::{Date, OffsetDateTime};

/// Signs `user` in with a fresh browser.
async fn browser<'a>(app: &'a App, user: &str) -> Browser<'a> {
    let mut b = Browser::new(app);
    b.sign_in(user).await;
    b
}

/// The current month (UTC+7) as its first and last day.
fn this_month() -> (Date, Date) {
    let today = OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7)).date();
    let first = today.replace_day(1).unwrap();
    let last = first.replace_day(first.month().length(first.year())).unwrap();
    (first, last)
}

/// `from=…&to=…` of the current month.
fn this_month_query() -> String {
    let (from, to) = this_month();
    format!("from={from}&to={to}")
}

/// Two online dossiers received at the counter and one counter dossier, through the API.
async fn receive_three(app: &App) {
    let tn = app.login("tiepnhan").await;
    for _ in 0..2 {
        let (code, _, version) = app.submit_online().await;
        let r = app.act(&tn, &code, version, json!({"action": "receive"})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let r = app
        .call(
            "POST",
            "/api/v1/dossiers",
            Some(&tn),
            None,
            Some(json!({"procedure_code": "1.000001", "channel": "counter",
                "applicant": {"name": "Trần Thị Bình", "id_number": "091234567891", "phone": "0912345679"},
                "documents": ["Tờ khai"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
}

#[tokio::test]
async fn the_report_needs_a_sign_in_and_a_center_administrator_or_leader() {
    let app = setup().await;
    let p = Browser::new(&app).get("/quan-tri/bao-cao").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(p.location.unwrap().starts_with("/dang-nhap"));

    let mut receiver = browser(&app, "tiepnhan").await;
    for page in ["/quan-tri/bao-cao", "/quan-tri/bao-cao.xlsx", "/quan-tri/bao-cao.html"] {
        assert_eq!(receiver.get(page).await.status, StatusCode::FORBIDDEN, "{page}");
    }

    let mut admin = browser(&app, "giamdoc").await;
    assert_eq!(admin.get("/quan-tri/bao-cao").await.status, StatusCode::OK);
    assert!(admin.get("/quan-tri").await.html.contains("href=\"/quan-tri/bao-cao\""), "linked from the admin home");

    let mut leader = browser(&app, "lanhdao").await;
    let p = leader.get("/quan-tri/bao-cao").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("Sở Nông nghiệp và Môi trường"), "a leader's report is on their own unit");
    assert_eq!(leader.get("/quan-tri/bao-cao?unit=X1").await.status, StatusCode::FORBIDDEN, "not their unit");
}

#[tokio::test]
async fn with_no_data_the_report_shows_every_section_for_the_last_complete_month() {
    let app = setup().await;
    let mut admin = browser(&app, "giamdoc").await;
    let p = admin.get("/quan-tri/bao-cao").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    let today = OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7)).date();
    let first = today.replace_day(1).unwrap().previous_day().unwrap().replace_day(1).unwrap();
    let last = today.replace_day(1).unwrap().previous_day().unwrap();
    let iso = |d: time::Date| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
    let (from, to) = (iso(first), iso(last));
    assert!(p.html.contains(&format!("value=\"{from}\"")) && p.html.contains(&format!("value=\"{to}\"")), "{}", p.html);
    for heading in [
        "Báo cáo tình hình, kết quả giải quyết thủ tục hành chính",
        "1. Công bố thủ tục hành chính và quy trình nội bộ",
        "2. Dịch vụ công trực tuyến",
        "3. Tiếp nhận và giải quyết hồ sơ",
        "4. Số hóa hồ sơ",
        "5. Văn bản điện tử trao đổi",
        "6. Tiếp nhận, xử lý phản ánh, kiến nghị",
        "Gửi 0 văn bản điện tử, nhận 0 văn bản điện tử.",
        "Tiếp nhận 0 phản ánh, kiến nghị; đã trả lời 0, trong đó công khai 0.",
        "Tiếp nhận 0 hồ sơ",
        "Tải XLSX",
        "/quan-tri/bao-cao.xlsx?from=",
    ] {
        assert!(p.html.contains(heading), "{heading} missing");
    }
}

#[tokio::test]
async fn dossiers_received_through_the_api_are_counted_in_the_report() {
    let app = setup().await;
    receive_three(&app).await;
    let mut admin = browser(&app, "giamdoc").await;
    let p = admin.get(&format!("/quan-tri/bao-cao?{}&unit=", this_month_query())).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("Tiếp nhận 3 hồ sơ, trong đó 2 hồ sơ trực tuyến (66,67%)"), "{}", p.html);
    assert!(
        p.html.contains("có 4 thủ tục hành chính đang có hiệu lực, 4 thủ tục đã có quy trình nội bộ"),
        "{}",
        p.html
    );
    assert!(p.html.contains("2 dịch vụ công trực tuyến toàn trình (2 cấp tỉnh, 0 cấp xã)"), "{}", p.html);
    assert!(p.html.contains("Sở Nông nghiệp và Môi trường"), "the unit table names the unit");
    assert!(p.html.contains("Đất đai"), "the field table");

    let p = admin.get(&format!("/quan-tri/bao-cao?{}&unit=X1", this_month_query())).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("Tiếp nhận 0 hồ sơ"), "a commune has none of them");
}

#[tokio::test]
async fn the_workbook_downloads_as_xlsx_with_its_sheets() {
    let app = setup().await;
    receive_three(&app).await;
    let mut admin = browser(&app, "giamdoc").await;
    let p = admin.get(&format!("/quan-tri/bao-cao.xlsx?{}", this_month_query())).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert_eq!(p.headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(p.headers["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert!(p.html.starts_with("PK"), "a zip file");

    let (from, to) = this_month();
    let r = motcua_web::report::build(&app.store, from, to, None, OffsetDateTime::now_utc()).await.unwrap();
    let bytes = motcua_web::report::xlsx(&r).unwrap();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["Tổng hợp", "Theo đơn vị", "Theo tháng", "Theo lĩnh vực", "Thủ tục"]);
    let summary = book.worksheet_range("Tổng hợp").unwrap();
    let received = summary
        .rows()
        .find(|row| row.first().is_some_and(|c| *c == "Hồ sơ tiếp nhận"))
        .and_then(|row| row.get(1).map(|c| c.to_string()));
    assert_eq!(received.as_deref(), Some("3"));
}

#[tokio::test]
async fn a_period_that_is_not_whole_months_is_a_400_in_vietnamese() {
    let app = setup().await;
    let mut admin = browser(&app, "giamdoc").await;
    let p = admin.get("/quan-tri/bao-cao?from=2025-01-02&to=2025-06-30").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.html.contains("phải là ngày đầu tháng"), "{}", p.html);
    let p = admin.get("/quan-tri/bao-cao.xlsx?from=2025-07-01&to=2025-06-30").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.html.contains("trước"), "{}", p.html);
    let p = admin.get("/quan-tri/bao-cao?from=hôm-qua&to=2025-06-30").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);

    let first = Date::from_calendar_date(2025, time::Month::January, 15).unwrap();
    let last = Date::from_calendar_date(2025, time::Month::June, 30).unwrap();
    let e = motcua_web::report::build(&app.store, first, last, None, OffsetDateTime::now_utc()).await.unwrap_err();
    assert_eq!((e.kind, e.code), (motcua_app::error::Kind::Invalid, motcua_domain::ErrorCode::PeriodNotMonthly));
}

#[tokio::test]
async fn the_print_version_is_a_standalone_a4_page_with_every_section() {
    let app = setup().await;
    receive_three(&app).await;
    let (from, to) = this_month();
    let r = motcua_web::report::build(&app.store, from, to, Some("91"), OffsetDateTime::now_utc()).await.unwrap();
    let html = motcua_web::report::html(&r);
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("@page report") && html.contains("size: A4"), "print CSS inline");
    assert!(!html.contains("<script"), "no script");
    assert!(html.contains("Tỉnh An Giang"));
    for heading in [
        "Tóm tắt",
        "Các chỉ tiêu chính",
        "1. Công bố thủ tục hành chính và quy trình nội bộ",
        "2. Dịch vụ công trực tuyến",
        "3. Tiếp nhận và giải quyết hồ sơ",
        "Kết quả giải quyết hồ sơ theo đơn vị",
        "Kết quả giải quyết hồ sơ theo tháng",
        "lĩnh vực có nhiều hồ sơ nhất",
        "4. Số hóa hồ sơ, thanh toán trực tuyến và điểm QĐ 766",
        "5. Văn bản điện tử trao đổi",
        "6. Tiếp nhận, xử lý phản ánh, kiến nghị",
    ] {
        assert!(html.contains(heading), "{heading} missing");
    }

    let mut admin = browser(&app, "giamdoc").await;
    let p = admin.get(&format!("/quan-tri/bao-cao.html?{}", this_month_query())).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("Tiếp nhận 3 hồ sơ"));
    let csp = p.headers["content-security-policy"].to_str().unwrap();
    assert!(!csp.contains("script-src"), "{csp}");
}

#[tokio::test]
async fn the_report_opens_on_the_officers_unit_with_work_and_the_province_as_it_stood() {
    let app = setup().await;
    // The province before the 2025 arrangement, dissolved on 30/06/2025, listed first.
    let old: motcua_domain::org::Unit =
        serde_json::from_value(json!({"code": "90", "name": "Tỉnh Kiên Giang (trước sắp xếp)",
        "kind": "province", "level": "province", "valid_to": "2025-06-30", "successor": "91"}))
        .unwrap();
    app.store.put_unit(&old).await.unwrap();
    let mut director = browser(&app, "giamdoc").await;
    let p = director.get("/quan-tri/bao-cao").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("Tỉnh An Giang") && !p.html.contains("Kiên Giang (trước sắp xếp)</h"), "{}", p.html);
    let p = director.get("/quan-tri/bao-cao?from=2025-01-01&to=2025-06-30").await;
    assert!(p.html.contains("Tỉnh Kiên Giang (trước sắp xếp)"), "the first half of 2025 belongs to the old province");

    // The leader of A1 and A2: the report opens on the agency holding open dossiers.
    let (code, _, v) = app.submit_online().await;
    let tn = app.login("tiepnhan").await;
    let r = app.act(&tn, &code, v, json!({"action": "receive"})).await;
    let ld = app.login("lanhdao").await;
    let v = r.body["version"].as_i64().unwrap();
    let r = app.act(&ld, &code, v, json!({"action": "transfer", "to_unit": "A2", "reason": "Thuộc thẩm quyền"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let mut leader = browser(&app, "lanhdao").await;
    let p = leader.get("/quan-tri/bao-cao").await;
    assert!(p.html.contains("<option value=\"A2\" selected"), "{}", p.html);
}
