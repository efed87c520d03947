//! The page foundation: security headers, sessions, CSRF, sign-in, language switch.

mod common;

use axum::http::StatusCode;
use common::{Browser, setup};

#[tokio::test]
async fn pages_send_a_csp_without_inline_scripts_and_an_http_only_same_site_session_cookie() {
    let app = setup().await;
    let mut b = Browser::new(&app);
    let p = b.get("/").await;
    assert_eq!(p.status, StatusCode::OK);
    let csp = p.headers.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    let cookie = p.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert!(p.html.contains("Thủ tục 1.000001 đất đai"));
    assert!(!p.html.contains("<script>"), "no inline script");
}

#[tokio::test]
async fn the_catalog_search_ignores_diacritics_and_filters_by_level() {
    let app = setup().await;
    let mut b = Browser::new(&app);
    let p = b.get("/?q=thu+tuc+dat+dai&level=commune").await;
    assert!(p.html.contains("1.000002") && !p.html.contains("1.000001"));
    let p = b.get("/thu-tuc/1.000001").await;
    assert!(p.html.contains("50.000 đ") && p.html.contains("Luật Đất đai 2024"));
    let p = b.get("/thu-tuc/9.999999").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn sign_in_needs_the_forms_csrf_token_and_the_right_password() {
    let app = setup().await;
    let mut b = Browser::new(&app);
    let form = b.get("/dang-nhap").await;
    let p = b.post_form("/dang-nhap", &[("csrf", "forged"), ("username", "tiepnhan"), ("password", "demo")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = b.post_form("/dang-nhap", &[("csrf", &form.csrf()), ("username", "tiepnhan"), ("password", "nope")]).await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(p.html.contains("Sai tên đăng nhập"));
    b.sign_in("tiepnhan").await;
    let p = b.get("/").await;
    assert!(p.html.contains("Đăng xuất"));
    let p = b.post_form("/dang-xuat", &[("csrf", &p.csrf())]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(!b.get("/").await.html.contains("Đăng xuất"));
}

#[tokio::test]
async fn the_language_switch_only_returns_to_local_pages() {
    let app = setup().await;
    let mut b = Browser::new(&app);
    let p = b.get("/ngon-ngu?lang=en&next=/tra-cuu").await;
    assert_eq!(p.location.as_deref(), Some("/tra-cuu"));
    assert!(b.get("/tra-cuu").await.html.contains("Dossier lookup"));
    let p = b.get("/ngon-ngu?lang=vi&next=//evil.example").await;
    assert_eq!(p.location.as_deref(), Some("/"));
}

/// Every answer carries a request id: the caller's when it sent one, a new UUID otherwise.
#[tokio::test]
async fn every_response_carries_a_request_id() {
    use tower::ServiceExt;
    let app = setup().await;
    let send = |id: Option<&'static str>| {
        let mut r = axum::http::Request::builder().uri("/api/v1/procedures");
        if let Some(id) = id {
            r = r.header("x-request-id", id);
        }
        app.router.clone().oneshot(r.body(axum::body::Body::empty()).unwrap())
    };
    let res = send(Some("kiem-tra-123")).await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "kiem-tra-123");
    let res = send(None).await.unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "{id}");
    let other = send(None).await.unwrap();
    assert_ne!(other.headers()["x-request-id"].to_str().unwrap(), id);
}
