//! The payment platform of the portal simulator (`/thanhtoan`, issue 15 item 5): behaves like
//! the national portal's payment platform towards Motcua, speaking the protocol of
//! [`motcua_app::payments::platform`] and failing the way the real one does.
//!
//! - `POST /thanhtoan/giao-dich` (signed JSON) opens a transaction: a bad signature or merchant
//!   is 401 (`error_code` 97), a missing or bad field 400 (02), the same `MaGiaoDich` with
//!   another amount 409 (03), one already paid 409 (09); the same request again gets the same
//!   page.
//! - `GET /thanhtoan/trang/{MaGiaoDich}` is the applicant's checkout page (HTML, no script): the
//!   channel, a test card (a valid one, or one the bank declines) and pay or cancel. The result
//!   is kept, posted signed to `UrlThongBao` (retried with back-off while Motcua does not
//!   acknowledge it) and the browser is sent to `UrlTraVe` with the same signed fields.
//! - `POST /thanhtoan/hoan-tien` refunds a paid transaction once per `MaYeuCau`.
//! - `GET /thanhtoan/doi-soat?MaDoiTac&Ngay&ChuKy` lists a day's transactions (Vietnam time).
//! - `GET /thanhtoan/thong-ke` counts, for people.
//!
//! Every change is appended to `payments.jsonl` before it is answered and read back at start.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use motcua_app::http_client::{Post, post as http_post};
use motcua_app::payments::platform::{SUCCESS, fields_of, notice_fields, platform_answer, signed, verify};
use motcua_domain::payment::Outcome;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The platform's side of the shared secret.
#[derive(Debug, Clone)]
pub struct PaymentSimConfig {
    pub secret: String,
    pub merchant: String,
}

/// One transaction as kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Txn {
    payment: String,
    dossier: String,
    amount: i64,
    description: String,
    return_url: String,
    notify_url: String,
    /// `open`, or the `KetQua` of its end (`00` paid).
    result: String,
    message: String,
    transaction: String,
    channel: String,
    #[serde(with = "time::serde::rfc3339::option", default)]
    done_at: Option<OffsetDateTime>,
    /// (MaYeuCau, refund transaction, at).
    #[serde(default)]
    refund: Option<(String, String, String)>,
    /// Motcua acknowledged the notice.
    #[serde(default)]
    notified: bool,
}

struct PaySim {
    config: PaymentSimConfig,
    path: PathBuf,
    txns: Mutex<HashMap<String, Txn>>,
}

fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(0).unwrap_or(t)
}

fn refused(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(platform_answer(code, message))).into_response()
}

impl PaySim {
    fn open(config: PaymentSimConfig, data: &std::path::Path) -> anyhow::Result<PaySim> {
        let path = data.join("payments.jsonl");
        let mut txns = HashMap::new();
        if let Ok(text) = std::fs::read_to_string(&path) {
            // The last state of each transaction wins; a line cut by a crash was never answered.
            for t in text.lines().filter_map(|l| serde_json::from_str::<Txn>(l).ok()) {
                txns.insert(t.payment.clone(), t);
            }
        }
        Ok(PaySim { config, path, txns: Mutex::new(txns) })
    }

    /// Keeps `t` (on disk first) and answers it.
    fn keep(&self, t: Txn) -> std::io::Result<Txn> {
        crate::jsonl::append_line(&self.path, &serde_json::to_string(&t).unwrap_or_default())?;
        if let Ok(mut g) = self.txns.lock() {
            g.insert(t.payment.clone(), t.clone());
        }
        Ok(t)
    }

    fn get(&self, payment: &str) -> Option<Txn> {
        self.txns.lock().ok()?.get(payment).cloned()
    }

    /// The signed fields telling `t`'s result.
    fn notice(&self, t: &Txn) -> BTreeMap<String, String> {
        let o = Outcome {
            transaction: t.transaction.clone(),
            amount: t.amount,
            success: t.result == SUCCESS,
            paid_at: t.done_at.unwrap_or_else(now),
            channel: t.channel.clone(),
            message: t.message.clone(),
        };
        signed(&self.config.secret, notice_fields(&self.config.merchant, &t.payment, &o, &t.result))
    }

    fn checks(&self, fields: &BTreeMap<String, String>) -> Result<(), Box<Response>> {
        if !verify(&self.config.secret, fields) || fields.get("MaDoiTac") != Some(&self.config.merchant) {
            return Err(Box::new(refused(StatusCode::UNAUTHORIZED, "97", "Sai chữ ký hoặc mã đối tác")));
        }
        Ok(())
    }
}

/// A signed JSON request's fields, or the platform's refusal (not JSON 400/02, a bad signature
/// or merchant 401/97).
fn signed_request(sim: &PaySim, body: &str) -> Result<BTreeMap<String, String>, Box<Response>> {
    let fields = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| fields_of(&v))
        .ok_or_else(|| Box::new(refused(StatusCode::BAD_REQUEST, "02", "Dữ liệu không phải JSON")))?;
    sim.checks(&fields)?;
    Ok(fields)
}

fn is_url(s: &str) -> bool {
    motcua_app::http_client::endpoint(s).is_ok()
}

async fn open_txn(State(sim): State<Arc<PaySim>>, headers: HeaderMap, body: String) -> Response {
    let fields = match signed_request(&sim, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let get = |k: &str| fields.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let payment = get("MaGiaoDich");
    let amount = get("SoTien").parse::<i64>().ok().filter(|a| (1..=100_000_000_000).contains(a));
    let missing = [
        (
            "MaGiaoDich",
            !payment.is_empty() && payment.len() <= 64 && payment.chars().all(|c| c.is_ascii_alphanumeric()),
        ),
        ("SoTien", amount.is_some()),
        ("MaHoSo", !get("MaHoSo").is_empty()),
        ("UrlTraVe", is_url(&get("UrlTraVe"))),
        ("UrlThongBao", is_url(&get("UrlThongBao"))),
        ("ThoiGian", motcua_store::parse_ts(&get("ThoiGian")).is_ok()),
    ];
    if let Some((name, _)) = missing.iter().find(|(_, ok)| !ok) {
        return refused(StatusCode::BAD_REQUEST, "02", &format!("Trường {name} thiếu hoặc không hợp lệ"));
    }
    let amount = amount.unwrap_or_default();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    let page = format!("http://{host}/thanhtoan/trang/{payment}");
    match sim.get(&payment) {
        Some(t) if t.amount != amount => {
            return refused(StatusCode::CONFLICT, "03", "Mã giao dịch đã dùng với số tiền khác");
        }
        Some(t) if t.result == SUCCESS => return refused(StatusCode::CONFLICT, "09", "Giao dịch đã được thanh toán"),
        Some(t) if t.result == "open" => {}
        _ => {
            let t = Txn {
                payment: payment.clone(),
                dossier: get("MaHoSo"),
                amount,
                description: get("NoiDung"),
                return_url: get("UrlTraVe"),
                notify_url: get("UrlThongBao"),
                result: "open".into(),
                message: String::new(),
                transaction: String::new(),
                channel: String::new(),
                done_at: None,
                refund: None,
                notified: false,
            };
            if sim.keep(t).is_err() {
                return refused(StatusCode::SERVICE_UNAVAILABLE, "99", "Lỗi hệ thống");
            }
        }
    }
    (StatusCode::OK, Json(serde_json::json!({"error_code": "0", "message": "Thành công", "UrlThanhToan": page})))
        .into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// 404 page for a transaction the platform does not have.
fn unknown_transaction() -> Response {
    (StatusCode::NOT_FOUND, Html("<!doctype html><title>Không tìm thấy</title><p>Không tìm thấy giao dịch.</p>"))
        .into_response()
}

/// Where the browser goes with the signed result.
fn return_to(sim: &PaySim, t: &Txn) -> String {
    let q: Vec<String> =
        sim.notice(t).iter().map(|(k, v)| format!("{k}={}", motcua_app::input::urlencode(v))).collect();
    format!("{}?{}", t.return_url, q.join("&"))
}

async fn checkout_page(State(sim): State<Arc<PaySim>>, UrlPath(payment): UrlPath<String>) -> Response {
    let Some(t) = sim.get(&payment) else { return unknown_transaction() };
    if t.result != "open" {
        let back = escape(&return_to(&sim, &t));
        return Html(format!(
            "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Giao dịch đã kết thúc</title></head><body>\
             <h1>Giao dịch đã kết thúc</h1><p><a href=\"{back}\">Quay lại cổng dịch vụ công</a></p></body></html>"
        ))
        .into_response();
    }
    Html(format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>Thanh toán trực tuyến — mô phỏng</title></head><body>\
         <h1>Nền tảng thanh toán (mô phỏng)</h1>\
         <p>{desc}</p><p>Hồ sơ: <strong>{dossier}</strong></p><p>Số tiền: <strong>{amount}</strong></p>\
         <form method=\"post\" action=\"/thanhtoan/trang/{id}\">\
         <fieldset><legend>Hình thức thanh toán</legend>\
         <input type=\"radio\" id=\"k1\" name=\"kenh\" value=\"the_noi_dia\" checked><label for=\"k1\">Thẻ ATM nội địa</label><br>\
         <input type=\"radio\" id=\"k2\" name=\"kenh\" value=\"the_quoc_te\"><label for=\"k2\">Thẻ quốc tế</label><br>\
         <input type=\"radio\" id=\"k3\" name=\"kenh\" value=\"vi_dien_tu\"><label for=\"k3\">Ví điện tử</label><br>\
         <input type=\"radio\" id=\"k4\" name=\"kenh\" value=\"qr\"><label for=\"k4\">Mã QR ngân hàng</label></fieldset>\
         <label for=\"the\">Thẻ thử nghiệm</label>\
         <select id=\"the\" name=\"the\"><option value=\"hop_le\">9704 0000 0000 0018 — hợp lệ</option>\
         <option value=\"tu_choi\">9704 0000 0000 0026 — ngân hàng từ chối (không đủ số dư)</option></select>\
         <p><button type=\"submit\" name=\"nut\" value=\"thanh_toan\">Thanh toán</button> \
         <button type=\"submit\" name=\"nut\" value=\"huy\">Hủy giao dịch</button></p></form></body></html>",
        desc = escape(&t.description),
        dossier = escape(&t.dossier),
        amount = motcua_web::views::dong(t.amount),
        id = escape(&t.payment),
    ))
    .into_response()
}

#[derive(Deserialize)]
struct PayForm {
    #[serde(default)]
    kenh: String,
    #[serde(default)]
    the: String,
    #[serde(default)]
    nut: String,
}

/// Posts `t`'s notice until Motcua acknowledges it (2xx, or 409: it has it already).
async fn deliver(sim: Arc<PaySim>, payment: String) {
    let mut wait = std::time::Duration::from_millis(500);
    for _ in 0..8 {
        let Some(t) = sim.get(&payment) else { return };
        if t.notified {
            return;
        }
        let body = serde_json::to_string(&sim.notice(&t)).unwrap_or_default();
        let sent =
            http_post(Post { url: &t.notify_url, token: "", content_type: "application/json", headers: &[], body })
                .await;
        match sent {
            Ok(a) if (200..300).contains(&a.status) || a.status == 409 => {
                let _ = sim.keep(Txn { notified: true, ..t });
                return;
            }
            Ok(a) => tracing::warn!(status = a.status, "payment simulator: the callback was not acknowledged"),
            Err(e) => tracing::warn!(error = %e, "payment simulator: the callback did not get through"),
        }
        tokio::time::sleep(wait).await;
        wait *= 2;
    }
}

async fn pay(State(sim): State<Arc<PaySim>>, UrlPath(payment): UrlPath<String>, Form(f): Form<PayForm>) -> Response {
    let Some(t) = sim.get(&payment) else { return unknown_transaction() };
    if t.result != "open" {
        return (StatusCode::SEE_OTHER, [(header::LOCATION, return_to(&sim, &t))]).into_response();
    }
    let channel = match f.kenh.as_str() {
        c @ ("the_noi_dia" | "the_quoc_te" | "vi_dien_tu" | "qr") => c.to_owned(),
        _ => "the_noi_dia".to_owned(),
    };
    let (result, message) = match (f.nut.as_str(), f.the.as_str()) {
        ("huy", _) => ("24", "Khách hàng hủy giao dịch"),
        (_, "tu_choi") => ("51", "Ngân hàng từ chối: tài khoản không đủ số dư"),
        _ => (SUCCESS, ""),
    };
    let seq = sim.txns.lock().map(|g| g.values().filter(|t| !t.transaction.is_empty()).count() + 1).unwrap_or(1);
    let at = now();
    let day = motcua_store::date_vn(at).to_string().replace('-', "");
    let t = Txn {
        result: result.into(),
        message: message.into(),
        transaction: format!("NT{day}{seq:06}"),
        channel,
        done_at: Some(at),
        ..t
    };
    let t = match sim.keep(t) {
        Ok(t) => t,
        Err(_) => return refused(StatusCode::SERVICE_UNAVAILABLE, "99", "Lỗi hệ thống"),
    };
    // The server-to-server notice first (as the platform does), then the browser.
    tokio::spawn(deliver(sim.clone(), t.payment.clone()));
    (StatusCode::SEE_OTHER, [(header::LOCATION, return_to(&sim, &t))]).into_response()
}

async fn refund(State(sim): State<Arc<PaySim>>, body: String) -> Response {
    let fields = match signed_request(&sim, &body) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let get = |k: &str| fields.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let (request, transaction) = (get("MaYeuCau"), get("MaGiaoDichNenTang"));
    if request.is_empty() || transaction.is_empty() || get("LyDo").is_empty() {
        return refused(StatusCode::BAD_REQUEST, "02", "Thiếu MaYeuCau, MaGiaoDichNenTang hoặc LyDo");
    }
    let found = sim.txns.lock().ok().and_then(|g| g.values().find(|t| t.transaction == transaction).cloned());
    let Some(t) = found else { return refused(StatusCode::NOT_FOUND, "04", "Không tìm thấy giao dịch") };
    if t.result != SUCCESS {
        return refused(StatusCode::CONFLICT, "05", "Giao dịch chưa được thanh toán");
    }
    if get("SoTien") != t.amount.to_string() {
        return refused(StatusCode::BAD_REQUEST, "06", "Số tiền hoàn khác số tiền đã thanh toán");
    }
    let id = match &t.refund {
        Some((r, id, _)) if *r == request => id.clone(),
        Some(_) => return refused(StatusCode::CONFLICT, "07", "Giao dịch đã được hoàn tiền"),
        None => {
            let id = format!("HT{}", &t.transaction[2..]);
            if sim.keep(Txn { refund: Some((request, id.clone(), motcua_store::format_ts(now()))), ..t }).is_err() {
                return refused(StatusCode::SERVICE_UNAVAILABLE, "99", "Lỗi hệ thống");
            }
            id
        }
    };
    Json(serde_json::json!({"error_code": "0", "message": "Thành công", "MaGiaoDichHoanTien": id})).into_response()
}

async fn day_list(State(sim): State<Arc<PaySim>>, Query(q): Query<BTreeMap<String, String>>) -> Response {
    if let Err(r) = sim.checks(&q) {
        return *r;
    }
    let Some(day) = q.get("Ngay").and_then(|d| motcua_app::input::date("Ngay", d).ok()) else {
        return refused(StatusCode::BAD_REQUEST, "02", "Ngay phải có dạng YYYY-MM-DD");
    };
    let on_day = |t: OffsetDateTime| motcua_store::date_vn(t) == day;
    let mut list = Vec::new();
    if let Ok(g) = sim.txns.lock() {
        let mut all: Vec<&Txn> = g.values().collect();
        all.sort_by(|a, b| a.done_at.cmp(&b.done_at).then(a.payment.cmp(&b.payment)));
        for t in all {
            if let Some(at) = t.done_at.filter(|at| on_day(*at)) {
                list.push(serde_json::json!({"Loai": "thanh_toan", "MaGiaoDich": t.payment, "MaGiaoDichNenTang": t.transaction,
                    "SoTien": t.amount, "KetQua": t.result, "ThoiGian": motcua_store::format_ts(at)}));
            }
            if let Some((_, id, at)) = &t.refund {
                let when = motcua_store::parse_ts(at).ok();
                if when.is_some_and(on_day) {
                    list.push(
                        serde_json::json!({"Loai": "hoan_tien", "MaGiaoDich": t.payment, "MaGiaoDichNenTang": id,
                        "SoTien": t.amount, "KetQua": SUCCESS, "ThoiGian": at}),
                    );
                }
            }
        }
    }
    Json(serde_json::json!({"error_code": "0", "message": "Thành công", "DanhSach": list})).into_response()
}

async fn counts(State(sim): State<Arc<PaySim>>) -> Response {
    let g = match sim.txns.lock() {
        Ok(g) => g,
        Err(_) => return refused(StatusCode::SERVICE_UNAVAILABLE, "99", "Lỗi hệ thống"),
    };
    let n = |f: &dyn Fn(&Txn) -> bool| g.values().filter(|t| f(t)).count();
    Json(serde_json::json!({
        "giao_dich": g.len(),
        "da_thanh_toan": n(&|t| t.result == SUCCESS),
        "that_bai": n(&|t| t.result != SUCCESS && t.result != "open"),
        "dang_mo": n(&|t| t.result == "open"),
        "da_hoan_tien": n(&|t| t.refund.is_some()),
        "chua_bao_duoc": n(&|t| t.result != "open" && !t.notified),
    }))
    .into_response()
}

/// The payment platform's routes, keeping its state in `data`.
pub fn router(config: PaymentSimConfig, data: &std::path::Path) -> anyhow::Result<Router> {
    let sim = Arc::new(PaySim::open(config, data)?);
    // Notices Motcua had not acknowledged when the simulator stopped are sent again.
    let pending: Vec<String> = sim
        .txns
        .lock()
        .map(|g| g.values().filter(|t| t.result != "open" && !t.notified).map(|t| t.payment.clone()).collect())
        .unwrap_or_default();
    for p in pending {
        tokio::spawn(deliver(sim.clone(), p));
    }
    Ok(Router::new()
        .route("/thanhtoan/giao-dich", post(open_txn))
        .route("/thanhtoan/trang/{payment}", get(checkout_page).post(pay))
        .route("/thanhtoan/hoan-tien", post(refund))
        .route("/thanhtoan/doi-soat", get(day_list))
        .route("/thanhtoan/thong-ke", get(counts))
        .with_state(sim))
}
