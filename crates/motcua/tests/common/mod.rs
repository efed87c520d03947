//! What the end-to-end tests of the `motcua` binary share: free ports, temporary folders, the
//! portal simulator and a demo server as child processes killed on drop, polling, JSON calls.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use motcua_app::http_client::{Post, get, post};
use serde_json::{Value, json};

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("motcua-sync-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Kills the process when dropped (a failed assertion must not leave servers behind).
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub const TOKEN: &str = "tinh-an-giang-dvcqg-thu-nghiem";

pub fn portal(port: u16, data: &PathBuf) -> Proc {
    portal_with(port, data, &[])
}

/// The simulator with more arguments (`--payment-secret …`).
pub fn portal_with(port: u16, data: &PathBuf, args: &[&str]) -> Proc {
    let child = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["portal-sim", "--addr", &format!("127.0.0.1:{port}"), "--token", TOKEN, "--data"])
        .arg(data)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the portal simulator");
    Proc(child)
}

/// A demo server on `port` syncing to the simulator on `portal_port`, with more settings.
pub fn demo_server(port: u16, portal_port: u16, name: &str, env: &[(&str, &str)]) -> Proc {
    let mut c = Command::new(env!("CARGO_BIN_EXE_motcua"));
    c.args(["demo", "--addr", &format!("127.0.0.1:{port}"), "--per-day", "1", "--data"])
        .arg(temp_dir(name))
        .env("MOTCUA_DVCQG_URL", format!("http://127.0.0.1:{portal_port}/dvcqg/hoso"))
        .env("MOTCUA_DVCQG_TOKEN", TOKEN)
        .env_remove("MOTCUA_DATABASE")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    Proc(c.spawn().expect("start the server"))
}

pub async fn wait_for<T, F, Fut>(what: &str, within: Duration, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(start.elapsed() < within, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub async fn call(base: &str, path: &str, token: &str, body: Value) -> (u16, Value) {
    let url = format!("{base}{path}");
    let a = post(Post { url: &url, token, content_type: "application/json", headers: &[], body: body.to_string() })
        .await
        .expect("the server answers");
    (a.status, serde_json::from_str(&a.body).unwrap_or(Value::Null))
}

pub async fn at_portal(port: u16, code: &str) -> Option<Value> {
    let a = get(&format!("http://127.0.0.1:{port}/dvcqg/hoso/{code}"), TOKEN).await.ok()?;
    (a.status == 200).then(|| serde_json::from_str(&a.body).ok()).flatten()
}

/// Submits an online dossier and receives it; answers its code.
pub async fn submit_and_receive(base: &str, receiver: &str) -> String {
    submit_and_receive_with_secret(base, receiver).await.0
}

/// As [`submit_and_receive`], with the lookup secret.
pub async fn submit_and_receive_with_secret(base: &str, receiver: &str) -> (String, String) {
    let body = json!({"procedure_code": "1.012786", "channel": "online",
        "applicant": {"name": "Phạm Văn Đồng Bộ", "id_number": "091234567890"},
        "documents": [{"name": "Đơn đăng ký biến động đất đai, tài sản gắn liền với đất"},
                      {"name": "Giấy xác nhận của UBND cấp xã về việc đã niêm yết thông báo mất Giấy chứng nhận"}]});
    let (s, v) = call(base, "/api/v1/dossiers", "", body).await;
    assert_eq!(s, 201, "{v}");
    let code = v["code"].as_str().expect("a code").to_owned();
    let secret = v["secret"].as_str().expect("a secret").to_owned();
    let version = v["version"].as_i64().expect("a version");
    let (s, v) = act(base, receiver, &code, version, json!({"action": "receive"})).await;
    assert_eq!(s, 200, "{v}");
    (code, secret)
}

/// One action on a dossier at `version` (`If-Match`): the status and the answer.
pub async fn act(base: &str, token: &str, code: &str, version: i64, action: Value) -> (u16, Value) {
    let url = format!("{base}/api/v1/dossiers/{code}/actions");
    let if_match = format!("\"{version}\"");
    let a = post(Post {
        url: &url,
        token,
        content_type: "application/json",
        headers: &[("If-Match", if_match.as_str())],
        body: action.to_string(),
    })
    .await
    .expect("the server answers");
    (a.status, serde_json::from_str(&a.body).unwrap_or(Value::Null))
}

/// Signs in; answers the bearer token.
pub async fn login(base: &str, username: &str) -> String {
    let (s, v) = call(base, "/api/v1/auth/login", "", json!({"username": username, "password": "demo"})).await;
    assert_eq!(s, 200, "{v}");
    v["token"].as_str().expect("a token").to_owned()
}
