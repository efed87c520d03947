//! Motcua instances on loopback for the exchange tests (issue 7 part 5): each has its own SQLite
//! database, one unit with a clerk `vanthu`/`demo`, the real router on a real socket and the real
//! delivery task with a short backoff; it can be stopped and restarted on the same port.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use motcua_domain::dossier::Role;
use motcua_domain::org::Unit;
use motcua_store::Store;
use motcua_store::users::User;
use motcua_web::exchange::{Deliverer, ExchangeConfig};
use motcua_web::http_client::post_xml;
use serde_json::{Value, json};
use tokio::task::JoinHandle;
use tower::ServiceExt;

pub struct Instance {
    pub store: Store,
    pub router: Router,
    pub addr: SocketAddr,
    server: Option<JoinHandle<()>>,
    deliverer: JoinHandle<()>,
    dir: std::path::PathBuf,
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            s.abort();
        }
        self.deliverer.abort();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn unit(code: &str, name: &str, kind: &str, level: &str, organ: &str) -> Unit {
    serde_json::from_value(json!({"code": code, "name": name, "kind": kind, "level": level, "organ_id": organ}))
        .unwrap()
}

async fn serve(router: Router, listener: tokio::net::TcpListener) -> JoinHandle<()> {
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    })
}

pub async fn instance(name: &str, u: Unit) -> Instance {
    instance_with(name, u, None).await
}

/// An instance that signs its outgoing packages with `key`.
pub async fn instance_with(name: &str, u: Unit, key: Option<motcua_edxml::dsig::SigningKey>) -> Instance {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "motcua-x2-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.join("t.db").display())).await.unwrap();
    store.put_unit(&u).await.unwrap();
    let hash = motcua_web::auth::hash_password("demo").unwrap();
    store
        .put_user(
            &User {
                username: "vanthu".into(),
                full_name: "Văn thư".into(),
                password_hash: hash,
                default_password: true,
                must_change_password: false,
                active: true,
                roles: vec![(u.code.clone(), Role::Clerk)],
            },
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    let mut state = motcua_web::AppState::load(store.clone()).await.unwrap();
    if let Some(k) = key {
        state = state.with_signing_key(k);
    }
    let router = motcua_web::app(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = Some(serve(router.clone(), listener).await);
    let config = ExchangeConfig { backoff_base: Duration::from_millis(150), poll: Duration::from_millis(50) };
    let deliverer = tokio::spawn(Deliverer::new(store.clone(), config).run());
    Instance { store, router, addr, server, deliverer, dir }
}

impl Instance {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn call(&self, method: &str, uri: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
        let b = Request::builder().method(method).uri(uri).header("authorization", format!("Bearer {token}"));
        let req = match body {
            Some(v) => b.header("content-type", "application/json").body(Body::from(v.to_string())).unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    pub async fn login(&self) -> String {
        let req = Request::post("/api/v1/auth/login")
            .header("content-type", "application/json")
            .body(Body::from(json!({"username": "vanthu", "password": "demo"}).to_string()))
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let v: Value = serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
        v["token"].as_str().unwrap().to_owned()
    }

    /// Posts an edXML body to this instance's socket.
    pub async fn post_xml(&self, path: &str, token: &str, xml: String) -> (u16, Value) {
        let a = post_xml(&format!("{}{path}", self.url()), token, xml).await.unwrap();
        (a.status, serde_json::from_str(&a.body).unwrap_or(Value::Null))
    }

    pub fn stop(&mut self) {
        if let Some(s) = self.server.take() {
            s.abort();
        }
    }

    pub async fn restart(&mut self) {
        let listener = tokio::net::TcpListener::bind(self.addr).await.unwrap();
        self.server = Some(serve(self.router.clone(), listener).await);
    }
}

/// Polls `f` every 20 ms until it answers `Some`, for at most 10 s.
pub async fn eventually<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub async fn incoming(b: &Instance, token: &str) -> Vec<Value> {
    let (s, v) = b.call("GET", "/api/v1/edxml/packages?direction=in", token, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v.as_array().unwrap().clone()
}

pub async fn state_of(a: &Instance, token: &str, id: &str) -> (String, Vec<String>) {
    let (s, v) = a.call("GET", &format!("/api/v1/edxml/packages/{id}"), token, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let events = v["trace"].as_array().unwrap().iter().map(|t| t["event"].as_str().unwrap().to_owned()).collect();
    (v["state"].as_str().unwrap().to_owned(), events)
}
