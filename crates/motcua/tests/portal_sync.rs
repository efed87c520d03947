//! The national portal's sync end to end, as a province runs it (issue 15 items 1 and 3): the
//! portal simulator and a Motcua server as separate processes; dossiers submitted and received
//! through the API reach the portal with their whole history; the portal is killed mid-run
//! (SIGKILL) and restarted on the same data, and afterwards it holds every dossier in its latest
//! state, once, with nothing lost or duplicated.

mod common;

use common::*;

use std::process::{Command, Stdio};
use std::time::Duration;

use motcua_app::http_client::{Post, get, post};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dossiers_reach_the_portal_and_a_portal_restart_loses_and_duplicates_nothing() {
    let (portal_port, server_port) = (free_port(), free_port());
    let portal_data = temp_dir("portal");
    let mut sim = portal(portal_port, &portal_data);
    let _server = demo_server(server_port, portal_port, "server", &[]);
    let base = format!("http://127.0.0.1:{server_port}");
    wait_for("the server", Duration::from_secs(120), || async {
        get(&format!("{base}/healthz"), "").await.ok().filter(|a| a.status == 200)
    })
    .await;
    let (s, login) = call(&base, "/api/v1/auth/login", "", json!({"username": "tiepnhan", "password": "demo"})).await;
    assert_eq!(s, 200, "{login}");
    let receiver = login["token"].as_str().expect("a token").to_owned();

    // A dossier reaches the portal: submitted (1), then received (2), with its history.
    let first = submit_and_receive(&base, &receiver).await;
    let held = wait_for("the first dossier at the portal", Duration::from_secs(30), || async {
        at_portal(portal_port, &first).await.filter(|v| v["TrangThaiHoSo"] == 2)
    })
    .await;
    assert_eq!(held["record"]["tienTrinhDongBo"].as_array().map(Vec::len), Some(2), "{held}");
    assert_eq!(held["record"]["hoSo"]["DanhSachLePhi"][0]["Gia"], 50_000);

    // The portal dies; the province goes on working.
    let _ = sim.0.kill();
    let _ = sim.0.wait();
    let second = submit_and_receive(&base, &receiver).await;
    let third = submit_and_receive(&base, &receiver).await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    // Back on the same data: it catches up, and holds each dossier once, in its latest state.
    sim = portal(portal_port, &portal_data);
    for code in [&first, &second, &third] {
        let held = wait_for("every dossier at the portal after the restart", Duration::from_secs(60), || async {
            at_portal(portal_port, code).await.filter(|v| v["TrangThaiHoSo"] == 2)
        })
        .await;
        assert_eq!(held["record"]["tienTrinhDongBo"].as_array().map(Vec::len), Some(2), "{code}: {held}");
        assert!(held["updates"].as_u64().unwrap_or(0) <= 2, "{code}: one update per version at most: {held}");
    }
    let counts = get(&format!("http://127.0.0.1:{portal_port}/dvcqg/thong-ke"), TOKEN).await.expect("counts");
    let counts: Value = serde_json::from_str(&counts.body).expect("JSON");
    // The demo's seeded history (written in bulk) is marked at start and synced too.
    assert!(counts["dossiers"].as_u64().unwrap_or(0) >= 3, "{counts}");

    // The administrators see it.
    let (s, admin) = call(&base, "/api/v1/auth/login", "", json!({"username": "giamdoc", "password": "demo"})).await;
    assert_eq!(s, 200);
    let state =
        get(&format!("{base}/api/v1/national-sync"), admin["token"].as_str().unwrap_or_default()).await.unwrap();
    let state: Value = serde_json::from_str(&state.body).expect("JSON");
    assert_eq!(state["configured"].as_bool(), Some(true), "{state}");
    let done = wait_for("all acknowledged", Duration::from_secs(60), || async {
        let a = get(&format!("{base}/api/v1/national-sync"), admin["token"].as_str().unwrap_or_default()).await.ok()?;
        let v: Value = serde_json::from_str(&a.body).ok()?;
        (v["pending"] == 0 && v["tracked"].as_i64() > Some(3)).then_some(v)
    })
    .await;
    assert_eq!((done["failed"].as_i64(), done["acknowledged_rate"].as_f64()), (Some(0), Some(100.0)), "{done}");
    assert_eq!(done["up_to_date"], done["tracked"], "{done}");
    let counts = get(&format!("http://127.0.0.1:{portal_port}/dvcqg/thong-ke"), TOKEN).await.expect("counts");
    let counts: Value = serde_json::from_str(&counts.body).expect("JSON");
    assert_eq!(counts["refused"], 0, "every record, the seeded year's too, passed the portal's checks: {counts}");
    assert_eq!(counts["dossiers"], done["tracked"], "each dossier once: {counts}");
    // A caller without the token is refused by the portal.
    let a = get(&format!("http://127.0.0.1:{portal_port}/dvcqg/hoso/{first}"), "sai").await.expect("answers");
    assert_eq!(a.status, 401);
    drop(sim);
}

const INBOUND: &str = "cong-dvcqg-day-ho-so-ve-tinh";

/// A PDF as the portal hands it on (base64).
const PDF_B64: &str =
    "JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4KZW5kb2JqCnRyYWlsZXIKPDwvUm9vdCAxIDAgUj4+CiUlRU9G";

fn portal_record(code: Option<&str>) -> Value {
    let mut r = json!({
        "MaTTHC": "2.000815",
        "MaDonViTiepNhan": "30307",
        "ChuHoSo": "Trần Thị Cổng Quốc Gia",
        "SoGiayToChuHoSo": "089123456789",
        "SoDienThoai": "0912345678",
        "TaiLieuNop": [
            {"TenGiayTo": "Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao",
             "TenTepDinhKem": "ban-chinh.pdf", "NoiDungTep": PDF_B64, "DuocLayTuKhoDMQG": 1},
            {"TenGiayTo": "Bản sao cần chứng thực (nếu người yêu cầu tự chụp)",
             "TenTepDinhKem": "ban-sao.pdf", "NoiDungTep": PDF_B64}
        ],
        // 5 pages, 2 copies: 2 × (2 × 2,000 + 3 × 1,000) = 14,000 đ.
        "DanhSachLePhi": [{"STT": 1, "SoLuong": 5, "SoBan": 2}]
    });
    if let Some(c) = code {
        r["MaHoSo"] = json!(c);
    }
    r
}

/// Issue 15 item 2: dossiers submitted on the portal come in by push and by the scheduled pull,
/// with their applicant, files and fee facts, as online dossiers waiting for reception; the
/// same dossier by both roads (and pushed again) is one dossier; a malformed record is refused
/// whole and shown to administrators; a push without the token is refused; the imported
/// dossier is synced back to the portal naming the portal's code, and at reception its fee is
/// assessed from the facts the citizen declared.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dossiers_submitted_on_the_portal_come_in_once_by_push_or_pull_and_bad_records_are_refused() {
    let (portal_port, server_port) = (free_port(), free_port());
    let portal_data = temp_dir("inbound-portal");
    let base = format!("http://127.0.0.1:{server_port}");
    let push_url = format!("{base}/api/v1/national/inbound");
    let _sim = Proc(
        Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(["portal-sim", "--addr", &format!("127.0.0.1:{portal_port}"), "--token", TOKEN, "--push-url"])
            .arg(&push_url)
            .args(["--push-token", INBOUND, "--data"])
            .arg(&portal_data)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the portal simulator"),
    );
    let _server = demo_server(
        server_port,
        portal_port,
        "inbound-server",
        &[("MOTCUA_DVCQG_INBOUND_TOKEN", INBOUND), ("MOTCUA_DVCQG_PULL_SECONDS", "1")],
    );
    wait_for("the server", Duration::from_secs(120), || async {
        get(&format!("{base}/healthz"), "").await.ok().filter(|a| a.status == 200)
    })
    .await;
    let sim = format!("http://127.0.0.1:{portal_port}");

    // A citizen submits on the portal; the portal pushes it: one new online dossier.
    let (s, pushed) = call(&sim, "/dvcqg/mo-phong/nop-ho-so", "", portal_record(None)).await;
    assert_eq!(s, 200, "{pushed}");
    assert_eq!(pushed["push"]["status"], 201, "{pushed}");
    let portal_code = pushed["MaHoSo"].as_str().expect("a portal code").to_owned();
    let dossier = pushed["push"]["body"]["dossier_code"].as_str().expect("a dossier code").to_owned();
    assert_eq!(pushed["push"]["body"]["created"], true);

    // The same record pushed again, and pulled on the schedule: still that one dossier.
    let mut again = portal_record(Some(&portal_code));
    again["NgayNopHoSo"] = json!(motcua_domain::national::portal_time(Some(time::OffsetDateTime::now_utc())));
    let (s, v) = call(&base, "/api/v1/national/inbound", INBOUND, again.clone()).await;
    assert_eq!(
        (s, v["dossier_code"].as_str(), v["created"].as_bool()),
        (200, Some(dossier.as_str()), Some(false)),
        "{v}"
    );

    // Without the province's token, nothing.
    let (s, v) = call(&base, "/api/v1/national/inbound", "sai", again).await;
    assert_eq!(s, 401, "{v}");

    // A malformed record: refused whole, with every reason, and listed for administrators.
    let mut bad = portal_record(Some("G22.99-BAD-0001"));
    bad["NgayNopHoSo"] = json!("07/12/2026");
    bad["TaiLieuNop"][0]["NoiDungTep"] = json!("không phải base64");
    let (s, v) = call(&base, "/api/v1/national/inbound", INBOUND, bad).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("invalid_national_record")), "{v}");
    assert!(v["message"].as_str().unwrap_or_default().contains("NgayNopHoSo"), "{v}");
    // A record whose file is not a PDF, JPEG or PNG: refused, nothing stored.
    let mut not_pdf = portal_record(Some("G22.99-BAD-0002"));
    not_pdf["NgayNopHoSo"] = json!(motcua_domain::national::portal_time(Some(time::OffsetDateTime::now_utc())));
    not_pdf["TaiLieuNop"][1]["NoiDungTep"] = json!("aGVsbG8gd29ybGQ=");
    let (s, v) = call(&base, "/api/v1/national/inbound", INBOUND, not_pdf).await;
    assert_eq!((s, v["code"].as_str()), (422, Some("file_type_not_accepted")), "{v}");

    // A second citizen's dossier, pushed too; the pull then reads the portal's whole list (both
    // dossiers) and adds nothing.
    let (s, second) = call(&sim, "/dvcqg/mo-phong/nop-ho-so", "", portal_record(None)).await;
    assert_eq!(s, 200, "{second}");
    // A third through the simulated portal's own form (multipart, no script).
    let form = get(&format!("{sim}/dvcqg/mo-phong"), "").await.expect("the form");
    assert!(form.status == 200 && form.body.contains("enctype=\"multipart/form-data\""), "{}", form.body);
    let mut body = String::new();
    for (k, v) in [
        ("MaTTHC", "1.012786"),
        ("ChuHoSo", "Võ Văn Biểu Mẫu"),
        ("SoGiayToChuHoSo", "089123456780"),
        ("TenGiayTo", "Đơn đăng ký biến động đất đai, tài sản gắn liền với đất"),
    ] {
        body.push_str(&format!("--XyZ\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"));
    }
    body.push_str("--XyZ--\r\n");
    let sent = post(Post {
        url: &format!("{sim}/dvcqg/mo-phong"),
        token: "",
        content_type: "multipart/form-data; boundary=XyZ",
        headers: &[],
        body,
    })
    .await
    .expect("answers");
    assert!(sent.status == 200 && sent.body.contains("Đã nộp hồ sơ"), "{}", sent.body);
    let (s, login) = call(&base, "/api/v1/auth/login", "", json!({"username": "giamdoc", "password": "demo"})).await;
    assert_eq!(s, 200, "{login}");
    let admin = login["token"].as_str().unwrap_or_default().to_owned();
    let overview = wait_for("the pull has read the portal's list", Duration::from_secs(30), || async {
        let a = get(&format!("{base}/api/v1/national-sync"), &admin).await.ok()?;
        let v: Value = serde_json::from_str(&a.body).ok()?;
        (v["intake"]["imported"] == 3).then_some(v)
    })
    .await;
    assert_eq!(overview["intake"]["refused"], 2, "{overview}");
    let reasons = overview["intake"]["refusals"].to_string();
    assert!(reasons.contains("G22.99-BAD-0001") && reasons.contains("NgayNopHoSo"), "{reasons}");
    assert!(!reasons.contains("Trần Thị"), "no personal data in the refusal log: {reasons}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let a = get(&format!("{base}/api/v1/national-sync"), &admin).await.expect("answers");
    let v: Value = serde_json::from_str(&a.body).expect("JSON");
    assert_eq!(v["intake"]["imported"], 3, "pulled again, still three: {v}");

    // The dossier waits for the commune's reception, with its files and the portal's code.
    let (s, login) =
        call(&base, "/api/v1/auth/login", "", json!({"username": "tiepnhan.longxuyen", "password": "demo"})).await;
    assert_eq!(s, 200, "{login}");
    let receiver = login["token"].as_str().unwrap_or_default().to_owned();
    let a = get(&format!("{base}/api/v1/dossiers/{dossier}"), &receiver).await.expect("answers");
    let d: Value = serde_json::from_str(&a.body).expect("JSON");
    assert_eq!(
        (a.status, d["status"].as_str(), d["channel"].as_str()),
        (200, Some("submitted"), Some("online")),
        "{d}"
    );
    assert_eq!(d["national_ref"], json!(portal_code), "{d}");
    assert_eq!(d["dossier"]["applicant"]["name"], "Trần Thị Cổng Quốc Gia");
    let docs = d["dossier"]["documents"].as_array().cloned().unwrap_or_default();
    assert_eq!(docs.len(), 2, "{d}");
    assert!(docs.iter().all(|x| x["digitized"] == true && x["file"].is_string()), "{d}");
    assert_eq!(docs[0]["reused"], true, "taken from the national data store: {d}");

    // Received without stating facts: the declared ones give 14,000 đ.
    let url = format!("{base}/api/v1/dossiers/{dossier}/actions");
    let if_match = format!("\"{}\"", d["version"]);
    let a = post(Post {
        url: &url,
        token: &receiver,
        content_type: "application/json",
        headers: &[("If-Match", if_match.as_str())],
        body: json!({"action": "receive"}).to_string(),
    })
    .await
    .expect("answers");
    assert_eq!(a.status, 200, "{}", a.body);
    let d: Value = serde_json::from_str(&a.body).expect("JSON");
    assert_eq!(d["fee_total"], 14_000, "{d}");

    // The portal hears of it under both codes.
    let held = wait_for("the imported dossier synced back", Duration::from_secs(30), || async {
        at_portal(portal_port, &dossier).await.filter(|v| v["TrangThaiHoSo"] == 2)
    })
    .await;
    assert_eq!(held["record"]["hoSo"]["MaHoSoQG"], json!(portal_code), "{held}");
    assert_eq!(held["record"]["hoSo"]["KenhThucHien"], 2);
    assert_eq!(held["record"]["hoSo"]["DanhSachLePhi"][0]["Gia"], 14_000, "{held}");
}
