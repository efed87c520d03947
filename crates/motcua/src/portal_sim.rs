//! `motcua portal-sim`: a simulator of the national public-service portal's dossier sync
//! (DVCQG; issue 15 item 3), for the demo and the tests. It is an outside system to Motcua and
//! behaves like one:
//!
//! - `POST /dvcqg/hoso` with `Authorization: Bearer <token>` and an `Idempotency-Key` takes one
//!   dossier's record (`hoSo` + `tienTrinhDongBo`), checks every field
//!   ([`motcua_domain::national::validate`]) and the state transition from what it has
//!   ([`motcua_domain::national::transition_allowed`]), and answers as the portal does: HTTP 200
//!   with `{"error_code": "0", "message"}` when accepted, another `error_code` with the reason when
//!   refused (1 a field, 2 not the record's JSON, 3 a transition); 401 without the token, 400
//!   without the key. A key it has seen is acknowledged again and changes nothing.
//! - `--fail-rate` answers that share of calls 503 before looking at them, `--delay-ms` waits
//!   before answering: the faults a worker must survive.
//! - What it accepted is appended to `accepted.jsonl` in `--data` before it answers, and read
//!   back at start, so a restart loses and duplicates nothing.
//! - `GET /dvcqg/hoso/{MaHoSo}` shows what it holds of a dossier; `GET /dvcqg/thong-ke` counts.
//! - The inbound road (issue 15 item 2): `POST /dvcqg/mo-phong/nop-ho-so` stands for a citizen
//!   submitting a dossier on the portal (the record as the portal hands it on, see
//!   [`motcua_domain::national::inbound`]; the simulator gives it a portal code and a submission
//!   time when they are missing and otherwise passes it on as it is, so tests can send the
//!   province malformed records, which the real portal may also do). Submissions are kept in
//!   `submitted.jsonl`, listed to the province with Bearer token at
//!   `GET /dvcqg/hoso-moi?sau=<seq>&soluong=<n>`, and pushed to `--push-url` when set.
//!
//! - The payment platform (issue 15 item 5) under `/thanhtoan`, when a payment secret is
//!   given: see [`crate::payment_sim`].
//!
//! Written here rather than taken from a crate: it is the portal's behaviour, not plumbing.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use motcua_domain::national::{SyncRecord, transition_allowed, validate};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// How the simulator runs.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The province's bearer token.
    pub token: String,
    /// Where accepted records are kept.
    pub data: PathBuf,
    /// Share of calls answered 503 (0–1).
    pub fail_rate: f64,
    /// Wait before each answer.
    pub delay_ms: u64,
    /// Where submitted dossiers are pushed, with which token; none: pulled only.
    pub push: Option<(String, String)>,
    /// The payment platform (`/thanhtoan`, [`crate::payment_sim`]); none: not offered.
    pub payment: Option<crate::payment_sim::PaymentSimConfig>,
}

/// One accepted update, as kept on disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Accepted {
    key: String,
    code: String,
    status: u8,
    record: serde_json::Value,
}

#[derive(Default)]
struct Held {
    /// MaHoSo → (last state, accepted updates, last record).
    dossiers: HashMap<String, (u8, u64, serde_json::Value)>,
    keys: HashSet<String>,
    /// Dossiers citizens submitted on the portal, in order (position from 1).
    submitted: Vec<serde_json::Value>,
    pushed: u64,
    push_failures: u64,
    duplicates: u64,
    refused: u64,
    injected: u64,
    rng: u64,
}

struct Sim {
    config: SimConfig,
    held: Mutex<Held>,
}

fn log_path(data: &Path) -> PathBuf {
    data.join("accepted.jsonl")
}

fn submitted_path(data: &Path) -> PathBuf {
    data.join("submitted.jsonl")
}

fn answer(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"error_code": code, "message": message}))).into_response()
}

impl Sim {
    fn open(config: SimConfig) -> anyhow::Result<Sim> {
        std::fs::create_dir_all(&config.data).with_context(|| format!("creating {}", config.data.display()))?;
        let mut held = Held { rng: 0x9E37_79B9_7F4A_7C15, ..Held::default() };
        if let Ok(text) = std::fs::read_to_string(log_path(&config.data)) {
            // A line cut by a crash mid-write is the last one and was never acknowledged.
            for a in text.lines().filter_map(|l| serde_json::from_str::<Accepted>(l).ok()) {
                held.keys.insert(a.key);
                let entry = held.dossiers.entry(a.code).or_insert((a.status, 0, serde_json::Value::Null));
                *entry = (a.status, entry.1 + 1, a.record);
            }
        }
        if let Ok(text) = std::fs::read_to_string(submitted_path(&config.data)) {
            held.submitted = text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
        }
        Ok(Sim { config, held: Mutex::new(held) })
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        let given = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
        given.strip_prefix("Bearer ").is_some_and(|t| t == self.config.token)
    }

    /// xorshift64*: enough to spread injected failures; no need for a crate.
    fn roll(held: &mut Held) -> f64 {
        let mut x = held.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        held.rng = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

async fn sync(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: String) -> Response {
    if sim.config.delay_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(sim.config.delay_ms)).await;
    }
    if !sim.authorized(&headers) {
        return answer(StatusCode::UNAUTHORIZED, "401", "Sai hoặc thiếu mã xác thực (token)");
    }
    let Some(key) = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned) else {
        return answer(StatusCode::BAD_REQUEST, "400", "Thiếu Idempotency-Key");
    };
    let mut held = match sim.held.lock() {
        Ok(h) => h,
        Err(_) => return answer(StatusCode::INTERNAL_SERVER_ERROR, "500", "Lỗi hệ thống"),
    };
    if sim.config.fail_rate > 0.0 && Sim::roll(&mut held) < sim.config.fail_rate {
        held.injected += 1;
        return answer(StatusCode::SERVICE_UNAVAILABLE, "503", "Hệ thống đang bận, vui lòng thử lại");
    }
    if held.keys.contains(&key) {
        held.duplicates += 1;
        return answer(StatusCode::OK, "0", "Đã nhận trước đó");
    }
    let record: SyncRecord = match serde_json::from_str(&body) {
        Ok(r) => r,
        Err(e) => {
            held.refused += 1;
            return answer(StatusCode::OK, "2", &format!("Dữ liệu không đúng định dạng: {e}"));
        }
    };
    let errors = validate(&record);
    if !errors.is_empty() {
        held.refused += 1;
        let list: Vec<String> = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        return answer(StatusCode::OK, "1", &list.join("; "));
    }
    let code = record.dossier.MaHoSo.clone();
    let to = record.dossier.TrangThaiHoSo;
    let from = held.dossiers.get(&code).map(|(s, _, _)| *s);
    if !transition_allowed(from, to) {
        held.refused += 1;
        return answer(StatusCode::OK, "3", &format!("Không chuyển được trạng thái từ {from:?} sang {to}"));
    }
    let value = serde_json::to_value(&record).unwrap_or_default();
    let line = Accepted { key: key.clone(), code: code.clone(), status: to, record: value.clone() };
    // On disk before the answer: an acknowledged update survives a restart.
    let written =
        crate::jsonl::append_line(&log_path(&sim.config.data), &serde_json::to_string(&line).unwrap_or_default());
    if written.is_err() {
        return answer(StatusCode::SERVICE_UNAVAILABLE, "503", "Không ghi được dữ liệu, vui lòng thử lại");
    }
    held.keys.insert(key);
    let entry = held.dossiers.entry(code).or_insert((to, 0, serde_json::Value::Null));
    *entry = (to, entry.1 + 1, value);
    answer(StatusCode::OK, "0", "Thành công")
}

/// A citizen submits a dossier on the portal: it gets a portal code and a time when missing, is
/// kept, and is pushed to the province when a push endpoint is set.
async fn submit(State(sim): State<Arc<Sim>>, body: String) -> Response {
    let Ok(serde_json::Value::Object(record)) = serde_json::from_str::<serde_json::Value>(&body) else {
        return answer(StatusCode::BAD_REQUEST, "2", "Hồ sơ phải là một đối tượng JSON");
    };
    match take(&sim, record).await {
        Ok(taken) => Json(taken).into_response(),
        Err(r) => r,
    }
}

/// Keeps one citizen's record (a code and a time given when missing) and pushes it when a push
/// endpoint is set; answers `{error_code, MaHoSo, seq, push}`.
async fn take(
    sim: &Sim,
    mut record: serde_json::Map<String, serde_json::Value>,
) -> Result<serde_json::Value, Response> {
    let (seq, value) = {
        let mut held = match sim.held.lock() {
            Ok(h) => h,
            Err(_) => return Err(answer(StatusCode::INTERNAL_SERVER_ERROR, "500", "Lỗi hệ thống")),
        };
        let seq = held.submitted.len() + 1;
        let now = time::OffsetDateTime::now_utc();
        let stamp = motcua_domain::national::portal_time(Some(now));
        record.entry("MaHoSo").or_insert_with(|| json!(format!("G22.99-{}-{seq:04}", &stamp[2..8])));
        record.entry("NgayNopHoSo").or_insert_with(|| json!(stamp));
        let value = serde_json::Value::Object(record);
        if crate::jsonl::append_line(&submitted_path(&sim.config.data), &value.to_string()).is_err() {
            return Err(answer(StatusCode::SERVICE_UNAVAILABLE, "503", "Không ghi được dữ liệu, vui lòng thử lại"));
        }
        held.submitted.push(value.clone());
        (seq, value)
    };
    let code = value.get("MaHoSo").cloned().unwrap_or_default();
    let mut pushed = serde_json::Value::Null;
    if let Some((url, token)) = &sim.config.push {
        let sent = motcua_app::http_client::post(motcua_app::http_client::Post {
            url,
            token,
            content_type: "application/json",
            headers: &[],
            body: value.to_string(),
        })
        .await;
        let ok = matches!(&sent, Ok(a) if a.status == 200 || a.status == 201);
        if let Ok(mut held) = sim.held.lock() {
            if ok {
                held.pushed += 1;
            } else {
                held.push_failures += 1;
            }
        }
        pushed = match sent {
            Ok(a) => {
                json!({"status": a.status, "body": serde_json::from_str::<serde_json::Value>(&a.body).unwrap_or(json!(a.body))})
            }
            Err(e) => json!({"error": e}),
        };
    }
    Ok(json!({"error_code": "0", "MaHoSo": code, "seq": seq, "push": pushed}))
}

/// `GET /dvcqg/mo-phong`: the citizen's side of the simulated portal, a plain form (no script):
/// one dossier with one component and its file.
async fn citizen_form() -> axum::response::Html<&'static str> {
    axum::response::Html(CITIZEN_FORM)
}

const CITIZEN_FORM: &str = r#"<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Cổng Dịch vụ công quốc gia — mô phỏng</title></head><body>
<h1>Nộp hồ sơ trên Cổng Dịch vụ công quốc gia (mô phỏng)</h1>
<p>Hồ sơ nộp ở đây được Motcua lấy về theo lịch (hoặc được đẩy về) và chờ tiếp nhận tại Bộ phận Một cửa.</p>
<form method="post" action="/dvcqg/mo-phong" enctype="multipart/form-data">
<p><label>Mã thủ tục (MaTTHC) <input name="MaTTHC" value="2.000815" required></label></p>
<p><label>Mã xã, phường tiếp nhận (thủ tục cấp xã) <input name="MaDonViTiepNhan" value="30307"></label></p>
<p><label>Họ tên người nộp <input name="ChuHoSo" required></label></p>
<p><label>Số định danh cá nhân <input name="SoGiayToChuHoSo" inputmode="numeric"></label></p>
<p><label>Số điện thoại <input name="SoDienThoai" inputmode="tel"></label></p>
<p><label>Tên giấy tờ <input name="TenGiayTo" value="Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao" size="70" required></label></p>
<p><label>Tệp (PDF, JPG, PNG) <input type="file" name="tep" accept=".pdf,.jpg,.jpeg,.png"></label></p>
<p><label>Số trang mỗi bản <input name="SoLuong" inputmode="numeric"></label>
<label>Số bản <input name="SoBan" inputmode="numeric"></label></p>
<p><button type="submit">Nộp hồ sơ</button></p>
</form></body></html>"#;

/// `POST /dvcqg/mo-phong`: the form above as the portal's record.
async fn citizen_submit(State(sim): State<Arc<Sim>>, mut form: axum::extract::Multipart) -> Response {
    use base64::Engine;
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match form.next_field().await {
            Ok(Some(f)) => {
                let name = f.name().unwrap_or_default().to_owned();
                let file_name = f.file_name().map(str::to_owned);
                let Ok(bytes) = f.bytes().await else {
                    return answer(StatusCode::BAD_REQUEST, "2", "Không đọc được biểu mẫu");
                };
                match (name.as_str(), file_name) {
                    ("tep", Some(n)) if !bytes.is_empty() => file = Some((n, bytes.to_vec())),
                    ("tep", _) => {}
                    _ => {
                        fields.insert(name, String::from_utf8_lossy(&bytes).trim().to_owned());
                    }
                }
            }
            Ok(None) => break,
            Err(_) => return answer(StatusCode::BAD_REQUEST, "2", "Không đọc được biểu mẫu"),
        }
    }
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let mut component = json!({"TenGiayTo": get("TenGiayTo")});
    if let Some((name, data)) = file {
        component["TenTepDinhKem"] = json!(name);
        component["NoiDungTep"] = json!(base64::engine::general_purpose::STANDARD.encode(data));
    }
    let number = |k: &str| get(k).parse::<u32>().ok();
    let mut record = serde_json::Map::new();
    for k in ["MaTTHC", "MaDonViTiepNhan", "ChuHoSo", "SoGiayToChuHoSo", "SoDienThoai"] {
        record.insert(k.to_owned(), json!(get(k)));
    }
    record.insert("TaiLieuNop".into(), json!([component]));
    if number("SoLuong").is_some() || number("SoBan").is_some() {
        record.insert(
            "DanhSachLePhi".into(),
            json!([{"STT": 1, "SoLuong": number("SoLuong"), "SoBan": number("SoBan")}]),
        );
    }
    match take(&sim, record).await {
        Ok(t) => axum::response::Html(format!(
            "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Đã nộp hồ sơ</title></head><body>\
             <h1>Đã nộp hồ sơ</h1><p>Mã hồ sơ trên Cổng: <strong>{}</strong>. Hệ thống của tỉnh lấy hồ sơ về trong vài giây; \
             hồ sơ chờ tiếp nhận tại Bộ phận Một cửa.</p><p><a href=\"/dvcqg/mo-phong\">Nộp hồ sơ khác</a></p></body></html>",
            t["MaHoSo"].as_str().unwrap_or_default()
        ))
        .into_response(),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
struct After {
    #[serde(default)]
    sau: usize,
    #[serde(default)]
    soluong: Option<usize>,
}

/// The province reads the dossiers submitted after position `sau` (at most `soluong`, 50 by
/// default, 200 at most).
async fn new_dossiers(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<After>,
) -> Response {
    if !sim.authorized(&headers) {
        return answer(StatusCode::UNAUTHORIZED, "401", "Sai hoặc thiếu mã xác thực (token)");
    }
    let held = match sim.held.lock() {
        Ok(h) => h,
        Err(_) => return answer(StatusCode::INTERNAL_SERVER_ERROR, "500", "Lỗi hệ thống"),
    };
    let n = q.soluong.unwrap_or(50).clamp(1, 200);
    let data: Vec<serde_json::Value> =
        held.submitted.iter().enumerate().skip(q.sau).take(n).map(|(i, r)| json!({"seq": i + 1, "hoSo": r})).collect();
    Json(json!({"error_code": "0", "data": data, "tong": held.submitted.len()})).into_response()
}

async fn dossier(State(sim): State<Arc<Sim>>, headers: HeaderMap, UrlPath(code): UrlPath<String>) -> Response {
    if !sim.authorized(&headers) {
        return answer(StatusCode::UNAUTHORIZED, "401", "Sai hoặc thiếu mã xác thực (token)");
    }
    let held = match sim.held.lock() {
        Ok(h) => h,
        Err(_) => return answer(StatusCode::INTERNAL_SERVER_ERROR, "500", "Lỗi hệ thống"),
    };
    match held.dossiers.get(&code) {
        Some((status, updates, record)) => {
            Json(json!({"MaHoSo": code, "TrangThaiHoSo": status, "updates": updates, "record": record})).into_response()
        }
        None => answer(StatusCode::NOT_FOUND, "404", "Không có hồ sơ này"),
    }
}

async fn counts(State(sim): State<Arc<Sim>>) -> Response {
    let held = match sim.held.lock() {
        Ok(h) => h,
        Err(_) => return answer(StatusCode::INTERNAL_SERVER_ERROR, "500", "Lỗi hệ thống"),
    };
    let updates: u64 = held.dossiers.values().map(|(_, n, _)| n).sum();
    Json(json!({
        "dossiers": held.dossiers.len(),
        "updates": updates,
        "duplicates": held.duplicates,
        "refused": held.refused,
        "failures_injected": held.injected,
        "submitted": held.submitted.len(),
        "pushed": held.pushed,
        "push_failures": held.push_failures,
    }))
    .into_response()
}

/// Submits one sample dossier on the simulated portal at `sim` (a certified copy at Phường Long
/// Xuyên, with a one-page PDF): what the demo shows in the intake on its first start.
pub async fn submit_sample(sim: std::net::SocketAddr) {
    // The smallest PDF a viewer opens: a catalog and a trailer.
    let pdf = b"%PDF-1.4\n1 0 obj\n<</Type/Catalog>>\nendobj\ntrailer\n<</Root 1 0 R>>\n%%EOF\n";
    use base64::Engine;
    let file = base64::engine::general_purpose::STANDARD.encode(pdf);
    let record = json!({
        "MaTTHC": "2.000815",
        "MaDonViTiepNhan": "30307",
        "ChuHoSo": "Lê Thị Mẫu",
        "SoGiayToChuHoSo": "089190000001",
        "SoDienThoai": "0912000001",
        "TaiLieuNop": [
            {"TenGiayTo": "Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao",
             "TenTepDinhKem": "ban-chinh.pdf", "NoiDungTep": file, "DuocLayTuKhoDMQG": 1}
        ],
        "DanhSachLePhi": [{"STT": 1, "SoLuong": 4, "SoBan": 3}]
    });
    let url = format!("http://{sim}/dvcqg/mo-phong/nop-ho-so");
    let sent = motcua_app::http_client::post(motcua_app::http_client::Post {
        url: &url,
        token: "",
        content_type: "application/json",
        headers: &[],
        body: record.to_string(),
    })
    .await;
    if !matches!(sent, Ok(ref a) if a.status == 200) {
        tracing::warn!("the sample dossier was not submitted to the portal simulator");
    }
}

/// The simulator's routes over its state (read from `config.data`).
pub fn router(config: SimConfig) -> anyhow::Result<Router> {
    let payments = match &config.payment {
        Some(p) => crate::payment_sim::router(p.clone(), &config.data)?,
        None => Router::new(),
    };
    let sim = Arc::new(Sim::open(config)?);
    Ok(Router::new()
        .route("/dvcqg/hoso", post(sync))
        .route("/dvcqg/hoso/{code}", get(dossier))
        .route("/dvcqg/thong-ke", get(counts))
        .route("/dvcqg/mo-phong/nop-ho-so", post(submit))
        .route("/dvcqg/mo-phong", get(citizen_form).post(citizen_submit))
        .route("/dvcqg/hoso-moi", get(new_dossiers))
        .with_state(sim)
        .merge(payments))
}

/// Binds `addr` and serves the simulator in the background; answers the bound address.
pub async fn spawn(addr: &str, config: SimConfig) -> anyhow::Result<std::net::SocketAddr> {
    let app = router(config)?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    let local = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the national portal simulator stopped");
        }
    });
    Ok(local)
}

/// `motcua portal-sim`: serves until Ctrl-C.
pub async fn run(addr: &str, config: SimConfig) -> anyhow::Result<()> {
    let data = config.data.clone();
    let local = spawn(addr, config).await?;
    println!("National portal (DVCQG) simulator on http://{local}/dvcqg/hoso — data in {}", data.display());
    let _ = tokio::signal::ctrl_c().await;
    Ok(())
}
