//! The publication decisions and procedure versions pages: administrators only; a decision
//! posted through the API is listed, and the versions page shows the procedure's versions and
//! what changed between two of them.

mod common;

use axum::http::StatusCode;
use common::{App, Browser, procedure, setup};
use motcua_store::{format_date, today_vn};
use serde_json::json;
use time::Duration;

/// Signs `user` in with a fresh browser.
async fn browser<'a>(app: &'a App, user: &str) -> Browser<'a> {
    let mut b = Browser::new(app);
    b.sign_in(user).await;
    b
}

/// Publishes, as giamdoc through the API, a decision amending 1.000001 (5 days, 70 000 đ).
async fn amend(app: &App, number: &str) {
    let from = today_vn();
    let amended =
        serde_json::to_value(procedure("1.000001", "province", "A1", "full", 5.0, 70_000)).expect("procedure");
    let body = json!({"number": number, "signed_on": format_date(from - Duration::days(5)),
        "effective_from": format_date(from), "signer": "Chủ tịch UBND tỉnh",
        "new": [], "amended": [amended], "abolished": []});
    let token = app.login("giamdoc").await;
    let r = app.call("POST", "/api/v1/decisions", Some(&token), None, Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
}

#[tokio::test]
async fn officers_without_an_administrator_role_get_403_on_both_pages() {
    let app = setup().await;
    let mut b = browser(&app, "chuyenvien").await;
    for page in ["/quan-tri/quyet-dinh", "/quan-tri/thu-tuc/1.000001/phien-ban"] {
        assert_eq!(b.get(page).await.status, StatusCode::FORBIDDEN, "{page}");
    }
}

#[tokio::test]
async fn an_amending_decision_is_listed_and_the_versions_page_shows_both_versions_and_what_changed() {
    let app = setup().await;
    amend(&app, "101/QĐ-UBND").await;
    let mut b = browser(&app, "giamdoc").await;
    assert!(b.get("/quan-tri").await.html.contains("href=\"/quan-tri/quyet-dinh\""), "linked from home");

    let list = b.get("/quan-tri/quyet-dinh").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.html);
    assert!(list.html.contains("101/QĐ-UBND"), "{}", list.html);
    assert!(list.html.contains("Chủ tịch UBND tỉnh"));
    assert!(list.html.contains("href=\"/quan-tri/thu-tuc/1.000001/phien-ban\""), "{}", list.html);

    let page = b.get("/quan-tri/thu-tuc/1.000001/phien-ban").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("<option value=\"1\" selected>") && page.html.contains("<option value=\"2\" selected>"));
    assert!(page.html.contains("<label for=\"diff-from\">") && page.html.contains("<label for=\"diff-to\">"));
    assert!(page.html.contains("<td class=\"num\">1</td>") && page.html.contains("<td class=\"num\">2</td>"));
    assert!(page.html.contains("101/QĐ-UBND"));
    assert!(page.html.contains("<th scope=\"row\">processing_days</th>"), "{}", page.html);
    assert!(page.html.contains("<th scope=\"row\">fees</th>"));
    assert!(page.html.contains("70000") && page.html.contains("50000"), "before and after fees");
    assert!(!page.html.contains("style=") && !page.html.contains("<script>"));

    let same = b.get("/quan-tri/thu-tuc/1.000001/phien-ban?from=2&to=2").await;
    assert_eq!(same.status, StatusCode::OK);
    assert!(!same.html.contains("<th scope=\"row\">processing_days</th>"));
}

#[tokio::test]
async fn an_unknown_procedure_gets_404_and_an_unknown_version_gets_400() {
    let app = setup().await;
    let mut b = browser(&app, "giamdoc").await;
    assert_eq!(b.get("/quan-tri/thu-tuc/1.999999/phien-ban").await.status, StatusCode::NOT_FOUND);
    assert_eq!(b.get("/quan-tri/thu-tuc/khong-co/phien-ban").await.status, StatusCode::NOT_FOUND);
    assert_eq!(b.get("/quan-tri/thu-tuc/1.000001/phien-ban?from=1&to=9").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(b.get("/quan-tri/thu-tuc/1.000001/phien-ban?from=x").await.status, StatusCode::BAD_REQUEST);
    let only = b.get("/quan-tri/thu-tuc/1.000001/phien-ban").await;
    assert_eq!(only.status, StatusCode::OK, "a single version compares with itself");
    assert!(b.get("/quan-tri/quyet-dinh").await.html.contains("Chưa có quyết định"));
}

#[tokio::test]
async fn an_abolished_procedures_page_says_it_was_abolished_and_by_which_decision() {
    let app = setup().await;
    let today = today_vn();
    let body = json!({"number": "77/QĐ-UBND", "signed_on": format_date(today - Duration::days(10)),
        "effective_from": format_date(today - Duration::days(1)), "signer": "Chủ tịch UBND tỉnh",
        "new": [], "amended": [], "abolished": ["1.000003"]});
    let token = app.login("giamdoc").await;
    let r = app.call("POST", "/api/v1/decisions", Some(&token), None, Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let mut b = Browser::new(&app);
    let p = b.get("/thu-tuc/1.000003").await;
    assert_eq!(p.status, StatusCode::GONE);
    assert!(p.html.contains("đã bị bãi bỏ") && p.html.contains("77/QĐ-UBND"), "{}", p.html);
    assert_eq!(b.get("/thu-tuc/1.000099").await.status, StatusCode::NOT_FOUND);
}
