//! The public indicator dashboard (`/chi-so`) and its downloads (`/api/v1/indicators/export`).

mod common;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use calamine::Reader;
use common::{App, Browser, setup};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

/// The current month (UTC+7), `YYYY-MM`.
fn this_month() -> String {
    let d = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7)).date();
    format!("{:04}-{:02}", d.year(), u8::from(d.month()))
}

/// A GET answered as raw bytes.
async fn fetch(app: &App, uri: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let res = app.router.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, res.into_body().collect().await.unwrap().to_bytes().to_vec())
}

/// Two online dossiers received at the provincial center (resolved by A1) and one commune
/// dossier received at X1.
async fn receive_some(app: &App) {
    let tn = app.login("tiepnhan").await;
    for _ in 0..2 {
        let (code, _, version) = app.submit_online().await;
        let r = app.act(&tn, &code, version, json!({"action": "receive"})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let body =
        json!({"procedure_code": "1.000002", "channel": "online", "unit": "X1", "applicant": {"name": "Võ Tâm"}});
    let r = app.call("POST", "/api/v1/dossiers", None, None, Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let code = r.body["code"].as_str().unwrap().to_owned();
    let tx = app.login("tiepnhan.x1").await;
    let r = app.act(&tx, &code, r.body["version"].as_i64().unwrap(), json!({"action": "receive"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

#[tokio::test]
async fn the_dashboard_answers_without_sign_in_and_says_when_there_is_no_data() {
    let app = setup().await;
    let mut b = Browser::new(&app);
    let p = b.get("/chi-so").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.html.contains("Chưa có dữ liệu"));
    assert!(p.html.contains("Toàn tỉnh") && p.html.contains("0 / 50"), "headline figures are shown");
    assert!(p.html.contains(&format!("value=\"{}\"", this_month())), "the period ends with this month");
    assert!(p.html.contains("/api/v1/indicators/export?format=csv&#38;by=unit"), "a CSV download link");
    assert!(p.html.contains("/api/v1/indicators/export?format=xlsx"), "an XLSX download link");
    assert!(!p.html.contains("NaN") && !p.html.contains("inf\""));
    assert!(p.html.contains("href=\"/chi-so\""), "the navigation links the dashboard");
    // Every commune is ranked, even without dossiers.
    assert!(p.html.contains("Phường Rạch Giá") && p.html.contains("Đặc khu Phú Quốc"));
    let p = b.get("/ngon-ngu?lang=en&next=/chi-so").await;
    assert_eq!(p.location.as_deref(), Some("/chi-so"));
    let p = b.get("/chi-so").await;
    assert!(p.html.contains("Service quality indicators") && p.html.contains("No data yet"));
}

#[tokio::test]
async fn the_dashboard_shows_the_figures_charts_and_ranking_of_received_dossiers() {
    let app = setup().await;
    receive_some(&app).await;
    let mut b = Browser::new(&app);
    let p = b.get("/chi-so").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(!p.html.contains("id=\"no-data\""), "there is data");
    assert!(p.html.contains("<strong>3</strong>"), "three dossiers received");
    assert!(
        p.html.contains("<tfoot><tr class=\"total\"><th scope=\"row\">Tổng cộng</th><td class=\"num\">3</td>"),
        "the unit table ends on the total of its rows"
    );
    assert!(p.html.contains("<strong>100%</strong>"), "all online");
    for id in ["trend", "units", "ranking"] {
        assert!(p.html.contains(&format!("aria-labelledby=\"{id}-t {id}-d\"")), "{id} chart");
    }
    assert!(p.html.contains("<title id=\"units-t\">Hồ sơ tiếp nhận theo đơn vị</title>"));
    assert!(p.html.contains("Sở Nông nghiệp và Môi trường"), "units are named");
    assert!(!p.html.contains("NaN"));
    // The commune with dossiers ranks first.
    let ranking = &p.html[p.html.find("id=\"ranking\"").expect("ranking table")..];
    let (x1, x2) = (ranking.find("Phường Rạch Giá").unwrap(), ranking.find("Đặc khu Phú Quốc").unwrap());
    assert!(x1 < x2, "X1 (with a dossier) ranks before X2");
    // One unit, and a one-month period.
    let month = this_month();
    let p = b.get(&format!("/chi-so?unit=X1&from={month}&to={month}")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("<strong>1</strong>") && !p.html.contains("Sở Nông nghiệp và Môi trường</th>"));
    assert!(p.html.contains("unit=X1"), "downloads keep the unit");
}

#[tokio::test]
async fn bad_parameters_are_explained_in_both_languages_with_400_and_unknown_units_404() {
    let app = setup().await;
    let mut b = Browser::new(&app);
    let p = b.get("/chi-so?from=2025-13").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.html.contains("phải là tháng dạng 2025-07") && p.html.contains("must be a month like 2025-07"));
    assert!(p.html.contains("value=\"2025-13\""), "the form keeps what was typed");
    let p = b.get("/chi-so?from=2025-05&to=2025-03").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    let p = b.get("/chi-so?from=2001-01&to=2025-03").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST, "too long a period");
    let p = b.get("/chi-so?unit=NOPE").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(p.html.contains("NOPE") && p.html.contains("role=\"alert\""));
    let (status, _, _) = fetch(&app, "/api/v1/indicators/export?unit=NOPE").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for uri in
        ["/api/v1/indicators/export?format=pdf", "/api/v1/indicators/export?by=total", "/api/v1/indicators/export?to=x"]
    {
        let (status, _, _) = fetch(&app, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
    }
}

#[tokio::test]
async fn the_csv_export_has_the_api_header_and_a_row_per_unit() {
    let app = setup().await;
    receive_some(&app).await;
    let (status, headers, bytes) = fetch(&app, "/api/v1/indicators/export?format=csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"chi-so-766_toan-tinh_") && disposition.ends_with("_unit.csv\"")
    );
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "key,name,received,online,online_rate,processed,finished,early,on_time,late,on_time_rate,\
         digitized_input_rate,digitized_output_rate,digitized_both_rate,reused_data_rate,online_payment_rate,\
         satisfaction_rate,receiving_satisfaction_rate,points_total"
    );
    assert_eq!(lines.len(), 3, "A1 and X1: {text}");
    assert!(lines[1].starts_with("A1,Sở Nông nghiệp và Môi trường,2,2,100,"), "{}", lines[1]);
    assert!(lines[2].starts_with("X1,Phường Rạch Giá,1,1,100,"), "{}", lines[2]);
}

#[tokio::test]
async fn the_xlsx_export_is_a_workbook_with_a_notes_sheet() {
    let app = setup().await;
    receive_some(&app).await;
    let month = this_month();
    let (status, headers, bytes) =
        fetch(&app, &format!("/api/v1/indicators/export?format=xlsx&from={month}&to={month}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(headers["content-disposition"].to_str().unwrap().contains(".xlsx"));
    assert!(bytes.starts_with(b"PK"), "a zip");
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    assert_eq!(book.sheet_names(), vec!["Chỉ số".to_owned(), "Ghi chú".to_owned()]);
    let data = book.worksheet_range("Chỉ số").unwrap();
    assert_eq!(data.get_value((0, 2)).map(|c| c.to_string()), Some("Tiếp nhận".into()));
    assert_eq!(data.height(), 3, "header and two units");
    let notes = book.worksheet_range("Ghi chú").unwrap();
    let text: Vec<String> = notes.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    let text = text.join("\n");
    assert!(
        text.contains(&month) && text.contains("766/QĐ-TTg") && text.contains("UTC+7") && text.contains("Toàn tỉnh")
    );
}

#[tokio::test]
async fn the_export_by_month_has_a_row_per_month_with_dossiers() {
    let app = setup().await;
    receive_some(&app).await;
    let (status, headers, bytes) = fetch(&app, "/api/v1/indicators/export?format=csv&by=month&unit=A1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().contains("_A1_"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let month = this_month();
    assert!(lines[1].starts_with(&format!("{month},{month},2,")), "{}", lines[1]);
}
