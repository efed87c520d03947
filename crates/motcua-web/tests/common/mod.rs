//! Shared test harness: the real router on a fresh SQLite database with a small province
//! (units C1 center, A1/A2 agencies, X1/X2 communes; procedures 1.000001 province/full with a
//! fee, 1.000002 commune/partial, 1.000003 not online; officers tiepnhan, chuyenvien, lanhdao,
//! giamdoc, tiepnhan.x1, lanhdao.x2 with password `demo`), driven with `oneshot` (no socket).
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use motcua_domain::catalog::Procedure;
use motcua_domain::dossier::Role;
use motcua_domain::org::Unit;
use motcua_store::Store;
use motcua_store::users::User;
use serde_json::{Value, json};
use tower::ServiceExt;

pub struct App {
    pub router: Router,
    /// The same database, for tests that write directly (backdated dossiers, result files).
    pub store: Store,
    _dir: TempDir,
}

/// A temporary folder removed on drop.
pub struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn unit(code: &str, name: &str, kind: &str, level: &str) -> Unit {
    serde_json::from_value(json!({"code": code, "name": name, "kind": kind, "level": level, "parent": "91"})).unwrap()
}

pub fn procedure(code: &str, level: &str, agency: &str, online: &str, days: f64, fee: i64) -> Procedure {
    let center = if level == "commune" { "COMMUNE" } else { "CENTER" };
    let work = if level == "commune" { "COMMUNE" } else { "AGENCY" };
    serde_json::from_value(json!({
        "code": code, "name": format!("Thủ tục {code} đất đai"), "field": "Đất đai", "level": level, "agency": agency,
        "processing_days": days, "fees": if fee > 0 { json!([{"name": "Lệ phí", "amount": fee}]) } else { json!([]) },
        "documents": [{"name": "Tờ khai", "original": true, "copies": 1}], "results": ["Giấy chứng nhận"],
        "legal_basis": ["Luật Đất đai 2024"], "online_level": online,
        "steps": [
            {"name": "Tiếp nhận", "role": "receiver", "unit": center, "days": 0.25},
            {"name": "Phân công", "role": "leader", "unit": work, "days": 0.25},
            {"name": "Thẩm định", "role": "specialist", "unit": work, "days": days - 1.0},
            {"name": "Phê duyệt", "role": "leader", "unit": work, "days": 0.25},
            {"name": "Trả kết quả", "role": "receiver", "unit": center, "days": 0.25}
        ]
    }))
    .unwrap()
}

pub async fn setup() -> App {
    setup_with_clock(std::sync::Arc::new(motcua_web::clock::SystemClock)).await
}

/// [`setup`] with the application reading the time from `clock`.
pub async fn setup_with_clock(clock: std::sync::Arc<dyn motcua_web::clock::Clock>) -> App {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "motcua-api-{}-{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.join("t.db").display())).await.unwrap();
    for u in [
        unit("91", "Tỉnh An Giang", "province", "province"),
        unit("C1", "Trung tâm Phục vụ hành chính công tỉnh", "center", "province"),
        unit("A1", "Sở Nông nghiệp và Môi trường", "agency", "province"),
        unit("A2", "Sở Xây dựng", "agency", "province"),
        unit("X1", "Phường Rạch Giá", "ward", "commune"),
        unit("X2", "Đặc khu Phú Quốc", "special_zone", "commune"),
    ] {
        store.put_unit(&u).await.unwrap();
    }
    store
        .put_procedure(&procedure("1.000001", "province", "A1", "full", 3.0, 50_000), motcua_store::today_vn())
        .await
        .unwrap();
    store
        .put_procedure(&procedure("1.000002", "commune", "COMMUNE", "partial", 2.0, 0), motcua_store::today_vn())
        .await
        .unwrap();
    store
        .put_procedure(&procedure("1.000003", "province", "A1", "none", 2.0, 0), motcua_store::today_vn())
        .await
        .unwrap();
    // Four working hours: received now, it is always due within one working day.
    let short: Procedure = serde_json::from_value(json!({
        "code": "1.000009", "name": "Thủ tục trong ngày", "field": "Đất đai", "level": "province", "agency": "A1",
        "processing_hours": 4.0, "online_level": "full",
        "steps": [
            {"name": "Tiếp nhận", "role": "receiver", "unit": "CENTER", "hours": 0.5},
            {"name": "Thẩm định", "role": "specialist", "unit": "AGENCY", "hours": 3.0},
            {"name": "Trả kết quả", "role": "receiver", "unit": "CENTER", "hours": 0.5}
        ]
    }))
    .unwrap();
    store.put_procedure(&short, motcua_store::today_vn()).await.unwrap();
    let hash = motcua_web::auth::hash_password("demo").unwrap();
    for (name, roles) in [
        ("tiepnhan", vec![("C1", Role::Receiver)]),
        ("chuyenvien", vec![("A1", Role::Specialist)]),
        ("lanhdao", vec![("A1", Role::Leader), ("A2", Role::Leader)]),
        ("giamdoc", vec![("C1", Role::CenterAdmin)]),
        ("tiepnhan.x1", vec![("X1", Role::Receiver)]),
        ("lanhdao.x2", vec![("X2", Role::Leader)]),
        ("chuyenvien2", vec![("A1", Role::Specialist)]),
    ] {
        let roles = roles.into_iter().map(|(u, r)| (motcua_domain::ids::UnitCode::parse(u).unwrap(), r)).collect();
        store
            .put_user(
                &User {
                    username: name.into(),
                    full_name: name.into(),
                    password_hash: hash.clone(),
                    default_password: true,
                    must_change_password: false,
                    active: true,
                    roles,
                },
                time::OffsetDateTime::now_utc(),
            )
            .await
            .unwrap();
    }
    let state = motcua_web::AppState::load(store.clone()).await.unwrap().with_clock(clock);
    App { router: motcua_web::app(state), store, _dir: TempDir(dir) }
}

pub struct Res {
    pub status: StatusCode,
    pub body: Value,
}

impl App {
    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        if_match: Option<i64>,
        body: Option<Value>,
    ) -> Res {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        if let Some(v) = if_match {
            b = b.header("if-match", format!("\"{v}\""));
        }
        let req = match body {
            Some(v) => b.header("content-type", "application/json").body(Body::from(v.to_string())).unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        self.send(req).await
    }

    /// Sends `req`; the answer's JSON (or its text as a JSON string), its code checked against
    /// the OpenAPI document's list.
    async fn send(&self, req: Request<Body>) -> Res {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body =
            serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        assert_listed_code(status, &body);
        Res { status, body }
    }

    /// A request with a raw body; the answer's status, content type and bytes.
    pub async fn call_raw(
        &self,
        method: &str,
        uri: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, String, Vec<u8>) {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        (status, ct, res.into_body().collect().await.unwrap().to_bytes().to_vec())
    }

    /// [`App::call`] with a `multipart/form-data` body ([`multipart_body`]).
    pub async fn call_multipart(
        &self,
        uri: &str,
        token: Option<&str>,
        if_match: Option<i64>,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &str, Vec<u8>)],
    ) -> Res {
        let (content_type, body) = multipart_body(fields, files);
        let mut b = Request::builder().method("POST").uri(uri).header("content-type", content_type);
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        if let Some(v) = if_match {
            b = b.header("if-match", format!("\"{v}\""));
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    pub async fn login(&self, user: &str) -> String {
        let r = self
            .call("POST", "/api/v1/auth/login", None, None, Some(json!({"username": user, "password": "demo"})))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body["token"].as_str().unwrap().to_owned()
    }

    pub async fn act(&self, token: &str, code: &str, version: i64, body: Value) -> Res {
        self.call("POST", &format!("/api/v1/dossiers/{code}/actions"), Some(token), Some(version), Some(body)).await
    }

    /// The leader assigns `assignee` and completes the own assignment step (assigning alone
    /// completes no step): the answer of the second action.
    pub async fn assign(&self, token: &str, code: &str, version: i64, assignee: &str) -> Res {
        let r = self.act(token, code, version, json!({"action": "assign", "assignee": assignee})).await;
        assert_eq!(r.status, StatusCode::OK, "assign: {:?}", r.body);
        let v = r.body["version"].as_i64().unwrap_or_default();
        self.act(token, code, v, json!({"action": "complete_step"})).await
    }

    /// From a received dossier of the five-step procedure: the leader's and the specialist's
    /// steps completed by them; the version at the approval step.
    pub async fn to_approval(&self, code: &str, version: i64) -> i64 {
        let mut v = version;
        for user in ["lanhdao", "chuyenvien"] {
            let token = self.login(user).await;
            let r = self.act(&token, code, v, json!({"action": "complete_step"})).await;
            assert_eq!(r.status, StatusCode::OK, "{user}: {:?}", r.body);
            v = r.body["version"].as_i64().unwrap_or_default();
        }
        v
    }

    pub async fn submit_online(&self) -> (String, String, i64) {
        let r = self
            .call(
                "POST",
                "/api/v1/dossiers",
                None,
                None,
                Some(json!({"procedure_code": "1.000001", "channel": "online",
                    "applicant": {"name": "Nguyễn Văn An", "id_number": "091234567890", "phone": "0912345678", "email": "an@example.vn"},
                    "documents": ["Tờ khai"]})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        (
            r.body["code"].as_str().unwrap().to_owned(),
            r.body["secret"].as_str().unwrap().to_owned(),
            r.body["version"].as_i64().unwrap(),
        )
    }
}

/// A browser-like client for the pages: keeps cookies, reads CSRF tokens from forms.
pub struct Browser<'a> {
    pub app: &'a App,
    pub cookies: std::collections::BTreeMap<String, String>,
}

/// A page as the browser got it.
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub html: String,
    pub headers: axum::http::HeaderMap,
}

impl Page {
    /// The CSRF token of the first form on the page.
    pub fn csrf(&self) -> String {
        let i = self.html.find("name=\"csrf\" value=\"").expect("no csrf field on the page");
        let rest = &self.html[i + "name=\"csrf\" value=\"".len()..];
        rest[..rest.find('"').unwrap()].to_owned()
    }
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a App) -> Self {
        Browser { app, cookies: Default::default() }
    }

    async fn send(&mut self, req: axum::http::request::Builder, body: Body) -> Page {
        let cookie: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let req = if cookie.is_empty() { req } else { req.header("cookie", cookie.join("; ")) };
        let res = self.app.router.clone().oneshot(req.body(body).unwrap()).await.unwrap();
        for c in res.headers().get_all("set-cookie") {
            let c = c.to_str().unwrap();
            let kv = c.split(';').next().unwrap();
            if let Some((k, v)) = kv.split_once('=') {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let location = headers.get("location").map(|l| l.to_str().unwrap().to_owned());
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Page { status, location, html: String::from_utf8_lossy(&bytes).into_owned(), headers }
    }

    pub async fn get(&mut self, uri: &str) -> Page {
        self.send(Request::builder().method("GET").uri(uri), Body::empty()).await
    }

    /// POSTs an urlencoded form.
    pub async fn post_form(&mut self, uri: &str, fields: &[(&str, &str)]) -> Page {
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v))).collect();
        let req =
            Request::builder().method("POST").uri(uri).header("content-type", "application/x-www-form-urlencoded");
        self.send(req, Body::from(body.join("&"))).await
    }

    /// POSTs a multipart form: text fields, then files as (field, file name, content type, bytes).
    pub async fn post_multipart(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &str, Vec<u8>)],
    ) -> Page {
        let (content_type, body) = multipart_body(fields, files);
        let req = Request::builder().method("POST").uri(uri).header("content-type", content_type);
        self.send(req, Body::from(body)).await
    }

    /// Signs in through the sign-in form (password `demo`).
    pub async fn sign_in(&mut self, user: &str) {
        let form = self.get("/dang-nhap").await;
        let csrf = form.csrf();
        let p = self
            .post_form("/dang-nhap", &[("csrf", &csrf), ("username", user), ("password", "demo"), ("next", "/can-bo")])
            .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "sign-in failed: {}", p.html);
    }
}

/// Percent-encodes a form value.
/// A `multipart/form-data` body: text fields, then files as (field, file name, content type,
/// bytes). Answers the content type and the body.
pub fn multipart_body(fields: &[(&str, &str)], files: &[(&str, &str, &str, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "----motcua-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    for (k, name, ct, data) in files {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: {ct}\r\n\r\n")
                .as_bytes(),
        );
        body.extend(data);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A clerk (văn thư) of `unit`, password `demo`, created through the store.
pub async fn add_clerk(app: &App, name: &str, unit: &str) {
    app.store
        .put_user(
            &User {
                username: name.into(),
                full_name: name.into(),
                password_hash: motcua_web::auth::hash_password("demo").unwrap(),
                default_password: true,
                must_change_password: false,
                active: true,
                roles: vec![(motcua_domain::ids::UnitCode::parse(unit).unwrap(), Role::Clerk)],
            },
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Every error any test meets carries a code of [`motcua_domain::ErrorCode::ALL`] (what the
/// OpenAPI document lists), whichever handler answered it.
pub fn assert_listed_code(status: StatusCode, body: &Value) {
    if !(status.is_client_error() || status.is_server_error()) {
        return;
    }
    if let Some(code) = body.get("code").and_then(Value::as_str) {
        assert!(motcua_domain::ErrorCode::parse(code).is_some(), "{status}: code '{code}' is not in ErrorCode::ALL");
    }
}
