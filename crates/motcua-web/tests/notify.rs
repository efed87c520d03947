//! Notifications and daily alerts (issue 6): real SMTP deliveries to a local `aiosmtpd` server
//! started by each test (never a mock; a missing python3/aiosmtpd FAILS the test — install with
//! `pip install aiosmtpd`), SMS to a local HTTP gateway, alert contents on clocks computed from
//! the working calendar, escalation, the daily digest, and who may see which alert.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use axum::http::StatusCode;
use common::{App, Browser, setup};
use motcua_domain::calendar::WorkingTime;
use motcua_web::AppState;
use motcua_web::notify::alerts::Snapshot;
use motcua_web::notify::{Dispatcher, NotifyConfig, SmsConfig, SmtpConfig, SmtpTls, digest};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

/// The SMTP server: aiosmtpd's Controller, one JSON line per message (decoded by Python's e-mail
/// parser, so encoded subjects and bodies are compared as text).
const SMTP_SERVER: &str = r#"
import sys, json, time, email
from email import policy
from aiosmtpd.controller import Controller
out, port = sys.argv[1], int(sys.argv[2])
class Handler:
    async def handle_DATA(self, server, session, envelope):
        m = email.message_from_bytes(envelope.content, policy=policy.default)
        rec = {"to": envelope.rcpt_tos, "from": envelope.mail_from, "subject": str(m["subject"]),
               "message_id": str(m["message-id"]), "body": m.get_body(("plain",)).get_content()}
        with open(out, "a", encoding="utf-8") as f:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return "250 OK"
c = Controller(Handler(), hostname="127.0.0.1", port=port)
c.start()
print("ready", flush=True)
while True:
    time.sleep(3600)
"#;

/// A running local SMTP server, stopped on drop.
struct Smtp {
    child: Child,
    out: PathBuf,
    port: u16,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.out);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Smtp {
    /// Starts the server on `port`; panics (the test fails) when python3 or aiosmtpd is missing.
    fn start(port: u16) -> Smtp {
        let dir = std::env::temp_dir();
        let script = dir.join(format!("motcua-smtp-{}-{port}.py", std::process::id()));
        std::fs::write(&script, SMTP_SERVER).unwrap();
        let out = dir.join(format!("motcua-smtp-{}-{port}.jsonl", std::process::id()));
        let _ = std::fs::remove_file(&out);
        let mut child = Command::new("python3")
            .arg(&script)
            .arg(&out)
            .arg(port.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 is required for the SMTP tests (with `pip install aiosmtpd`)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        if line.trim() != "ready" {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                std::io::Read::read_to_string(&mut e, &mut err).ok();
            }
            panic!("the test SMTP server did not start (is aiosmtpd installed? `pip install aiosmtpd`):\n{err}");
        }
        Smtp { child, out, port }
    }

    /// Messages received so far.
    fn messages(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

fn smtp_config(port: u16) -> NotifyConfig {
    NotifyConfig {
        smtp: Some(SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            from: "Một cửa <motcua@example.vn>".into(),
            user: None,
            password: None,
            tls: SmtpTls::None,
        }),
        sms: None,
    }
}

/// A counter dossier of `procedure` received by `tiepnhan`, with the applicant's e-mail and
/// phone; answers its code.
async fn counter_dossier(app: &App, procedure: &str) -> String {
    let tn = app.login("tiepnhan").await;
    let r = app
        .call(
            "POST",
            "/api/v1/dossiers",
            Some(&tn),
            None,
            Some(json!({"procedure_code": procedure, "channel": "counter",
                "applicant": {"name": "Nguyễn Thị Hồng Nhung", "id_number": "091234567890", "phone": "0912345678", "email": "nhung@example.vn"},
                "documents": ["Tờ khai"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["code"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_receipt_is_e_mailed_once_even_when_two_dispatchers_run_twice() {
    let app = setup().await;
    let smtp = Smtp::start(free_port());
    let code = counter_dossier(&app, "1.000001").await;
    let config = smtp_config(smtp.port);
    let (a, b) = (Dispatcher::new(app.store.clone(), &config), Dispatcher::new(app.store.clone(), &config));
    let now = OffsetDateTime::now_utc();
    let (ra, rb) = tokio::join!(a.run_once(now), b.run_once(now));
    assert_eq!(ra.unwrap().sent + rb.unwrap().sent, 1, "one e-mail row, sent by one dispatcher");
    let (ra, rb) = tokio::join!(a.run_once(now), b.run_once(now));
    assert_eq!(ra.unwrap().sent + rb.unwrap().sent, 0, "nothing left to send");
    let got = smtp.messages();
    assert_eq!(got.len(), 1, "{got:?}");
    let m = &got[0];
    assert_eq!(m["to"], json!(["nhung@example.vn"]));
    assert_eq!(m["subject"], format!("Hồ sơ {code} đã được tiếp nhận"));
    let body = m["body"].as_str().unwrap();
    for text in
        ["Kính gửi ông/bà Nguyễn Thị Hồng Nhung", "Ngày hẹn trả kết quả:", "Trung tâm Phục vụ hành chính công tỉnh"]
    {
        assert!(body.contains(text), "Vietnamese text arrives intact (UTF-8): {text}\n{body}");
    }
    assert!(m["message_id"].as_str().unwrap().contains(&code), "the idempotency key is the Message-ID");
    let row = app.store.outbox_message(&format!("{code}:2:email")).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts, row.template.as_deref()), ("sent", 1, Some("receipt-1")));
    let sms = app.store.outbox_message(&format!("{code}:2:sms")).await.unwrap().unwrap();
    assert_eq!(sms.status, "pending", "no SMS gateway configured: the SMS waits");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn when_the_smtp_server_is_down_the_e_mail_is_retried_and_delivered_once_it_is_back() {
    let app = setup().await;
    let port = free_port();
    let code = counter_dossier(&app, "1.000001").await;
    let d = Dispatcher::new(app.store.clone(), &smtp_config(port));
    let now = OffsetDateTime::now_utc();
    let r = d.run_once(now).await.unwrap();
    assert_eq!((r.sent, r.retried, r.failed), (0, 1, 0));
    let row = app.store.outbox_message(&format!("{code}:2:email")).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 1));
    assert!(row.last_error.as_deref().unwrap().starts_with("SMTP"), "{:?}", row.last_error);
    assert!(!row.last_error.unwrap().contains("nhung"), "no address in the stored error");
    let smtp = Smtp::start(port);
    assert_eq!(d.run_once(now).await.unwrap().sent, 0, "the retry waits for its backoff");
    assert_eq!(d.run_once(now + Duration::minutes(2)).await.unwrap().sent, 1);
    assert_eq!(d.run_once(now + Duration::minutes(30)).await.unwrap().sent, 0);
    assert_eq!(smtp.messages().len(), 1, "delivered exactly once");
    let row = app.store.outbox_message(&format!("{code}:2:email")).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("sent", 2));
}

/// A one-connection-at-a-time HTTP gateway answering `statuses` in turn; requests are returned
/// through the channel.
async fn sms_gateway(statuses: Vec<u16>) -> (u16, tokio::sync::mpsc::UnboundedReceiver<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        for status in statuses {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut req = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                let n = s.read(&mut buf).await.unwrap();
                req.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&req).into_owned();
                if let Some(i) = text.find("\r\n\r\n") {
                    let len: usize = text
                        .lines()
                        .find_map(|l| l.strip_prefix("Content-Length: "))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    if req.len() >= i + 4 + len {
                        break;
                    }
                }
                if n == 0 {
                    break;
                }
            }
            tx.send(String::from_utf8(req).unwrap()).unwrap();
            s.write_all(format!("HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes())
                .await
                .unwrap();
        }
    });
    (port, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_sms_goes_to_the_gateway_as_json_with_the_token_and_is_retried_after_a_503() {
    let app = setup().await;
    let code = counter_dossier(&app, "1.000001").await;
    let (port, mut requests) = sms_gateway(vec![503, 200]).await;
    let config = NotifyConfig {
        smtp: None,
        sms: Some(SmsConfig { url: format!("http://127.0.0.1:{port}/api/sms"), token: "bi-mat".into() }),
    };
    let d = Dispatcher::new(app.store.clone(), &config);
    let now = OffsetDateTime::now_utc();
    assert_eq!(d.run_once(now).await.unwrap().retried, 1);
    requests.recv().await.unwrap();
    assert_eq!(d.run_once(now + Duration::minutes(2)).await.unwrap().sent, 1);
    let req = requests.recv().await.unwrap();
    assert!(req.starts_with("POST /api/sms HTTP/1.1\r\n"), "{req}");
    assert!(req.contains("Authorization: Bearer bi-mat\r\n"));
    assert!(req.contains(&format!("Idempotency-Key: {code}:2:sms\r\n")));
    let body: Value = serde_json::from_str(&req[req.find("\r\n\r\n").unwrap() + 4..]).unwrap();
    assert_eq!(body["to"], "0912345678");
    assert_eq!(body["idempotency_key"], format!("{code}:2:sms"));
    assert!(
        body["text"]
            .as_str()
            .unwrap()
            .starts_with(&format!("Hồ sơ {code} (Thủ tục 1.000001 đất đai) đã được tiếp nhận"))
    );
    let email = app.store.outbox_message(&format!("{code}:2:email")).await.unwrap().unwrap();
    assert_eq!(email.status, "pending", "no SMTP configured: the e-mail waits");
}

/// Kinds (and escalation) an officer sees for `code` at `now`.
fn seen(snap: &Snapshot, app_user: &motcua_store::users::User, code: &str) -> Vec<(String, String, String)> {
    snap.for_user(app_user)
        .into_iter()
        .flat_map(|g| g.items)
        .filter(|i| i.code == code)
        .map(|i| (i.kind, i.escalation, i.reason))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn alerts_follow_the_working_calendar_and_escalate_up_the_org_tree() {
    let app = setup().await;
    let code = counter_dossier(&app, "1.000001").await;
    let state = AppState::load(app.store.clone()).await.unwrap();
    let (d, _) = app.store.dossier(&code).await.unwrap();
    assert_eq!(d.holder_unit(), Some("A1"));
    let cal = state.calendars.get(Some("A1"));
    let received = d.received_at.unwrap();
    let due = d.due_at.unwrap();
    let days = |n: f64| WorkingTime::from_days(n).unwrap();
    let user = |name: &'static str| {
        let store = app.store.clone();
        async move { store.user(name).await.unwrap().unwrap() }
    };
    let (cv, ld, gd, tn, x1) = (
        user("chuyenvien").await,
        user("lanhdao").await,
        user("giamdoc").await,
        user("tiepnhan").await,
        user("tiepnhan.x1").await,
    );
    let at = |t: OffsetDateTime| {
        let state = state.clone();
        async move { Snapshot::take(&state, None, t).await.unwrap() }
    };
    let kinds = |v: &[(String, String, String)]| v.iter().map(|x| x.0.clone()).collect::<Vec<_>>();

    // Half a working day before the appointment: due soon; the reception step (¼ day) is late.
    let snap = at(cal.add(received, days(2.5))).await;
    let cv_sees = seen(&snap, &cv, &code);
    assert_eq!(kinds(&cv_sees), ["step_overdue", "due_soon"]);
    assert!(cv_sees.iter().all(|x| x.2 == "unit"));
    assert!(seen(&snap, &x1, &code).is_empty(), "another commune's officer sees nothing");
    assert!(seen(&snap, &tn, &code).is_empty(), "the receiver is not in the holding unit");

    // 1.5 working days late: overdue, escalated to the unit's leader; idle for 4.5 days.
    let snap = at(cal.add(due, days(1.5))).await;
    let cv_sees = seen(&snap, &cv, &code);
    assert_eq!(kinds(&cv_sees), ["overdue", "step_overdue", "idle"]);
    assert_eq!(cv_sees[0].1, "unit_leader");
    assert_eq!(seen(&snap, &ld, &code)[0], ("overdue".into(), "unit_leader".into(), "unit".into()));
    let gd_sees = seen(&snap, &gd, &code);
    assert_eq!(kinds(&gd_sees), ["step_overdue"], "only the step, late 4¼ days, has reached the center director");
    assert_eq!(gd_sees[0].2, "escalation");

    // 3 working days late: the overdue dossier reaches the center director too.
    let snap = at(cal.add(due, days(3.0))).await;
    let gd_sees = seen(&snap, &gd, &code);
    assert_eq!(gd_sees[0], ("overdue".into(), "parent".into(), "escalation".into()));
    assert!(seen(&snap, &tn, &code).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_daily_digest_is_enqueued_once_per_officer_per_day_and_arrives_in_vietnamese() {
    let app = setup().await;
    let code = counter_dossier(&app, "1.000001").await;
    for (u, e) in [("chuyenvien", "cv@example.vn"), ("giamdoc", "gd@example.vn"), ("tiepnhan.x1", "x1@example.vn")] {
        app.store.set_user_email(u, Some(e)).await.unwrap();
    }
    let state = AppState::load(app.store.clone()).await.unwrap();
    let (d, _) = app.store.dossier(&code).await.unwrap();
    let cal = state.calendars.get(None);
    let late = cal.add(d.due_at.unwrap(), WorkingTime::from_days(1.5).unwrap());
    let date = late.to_offset(time::macros::offset!(+7)).date();
    assert_eq!(digest::enqueue_digests(&state, late).await.unwrap(), 2, "chuyenvien and giamdoc; x1 has no alert");
    assert_eq!(digest::enqueue_digests(&state, late + Duration::minutes(1)).await.unwrap(), 0, "once a day");
    assert!(app.store.outbox_message(&format!("digest:tiepnhan.x1:{date}")).await.unwrap().is_none());
    let row = app.store.outbox_message(&format!("digest:chuyenvien:{date}")).await.unwrap().unwrap();
    assert_eq!(row.template.as_deref(), Some("daily_digest-1"));

    let smtp = Smtp::start(free_port());
    let d = Dispatcher::new(app.store.clone(), &smtp_config(smtp.port));
    assert_eq!(d.run_once(late).await.unwrap().sent, 3, "the receipt and two digests");
    let got = smtp.messages();
    let digest = got.iter().find(|m| m["to"] == json!(["cv@example.vn"])).unwrap();
    assert!(digest["subject"].as_str().unwrap().starts_with("Cảnh báo xử lý hồ sơ ngày"));
    let body = digest["body"].as_str().unwrap();
    assert!(body.contains("Hồ sơ quá hạn (1):") && body.contains(&code), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_alerts_api_answers_the_calling_officer_only() {
    let app = setup().await;
    let r = app.call("GET", "/api/v1/alerts", None, None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["code"], "unauthenticated");
    // Four working hours: received now, it is due within one working day.
    let code = counter_dossier(&app, "1.000009").await;
    let cv = app.login("chuyenvien").await;
    let r = app.call("GET", "/api/v1/alerts", Some(&cv), None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let due_soon = r.body["groups"].as_array().unwrap().iter().find(|g| g["kind"] == "due_soon").unwrap();
    assert_eq!(due_soon["label_vi"], "Hồ sơ sắp đến hạn (trong 1 ngày làm việc)");
    assert_eq!(due_soon["items"][0]["code"], code.as_str());
    assert_eq!(due_soon["items"][0]["unit"], "A1");
    let x1 = app.login("tiepnhan.x1").await;
    let r = app.call("GET", "/api/v1/alerts", Some(&x1), None, None).await;
    assert_eq!((r.status, r.body["total"].as_u64()), (StatusCode::OK, Some(0)));

    let mut b = Browser::new(&app);
    let p = b.get("/can-bo/canh-bao").await;
    assert!(p.status == StatusCode::SEE_OTHER || p.status == StatusCode::UNAUTHORIZED, "{}", p.status);
    b.sign_in("chuyenvien2").await;
    let p = b.get("/can-bo/canh-bao").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("Hồ sơ sắp đến hạn") && p.html.contains(&code), "{}", p.html);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn feedback_near_or_past_its_deadline_alerts_the_center_that_must_act() {
    let app = setup().await;
    let body = json!({
        "subject_kind": "procedure",
        "subject_ref": "1.000001",
        "title": "Đề nghị cắt giảm giấy tờ",
        "content": "Thủ tục đăng ký đất đai yêu cầu nộp nhiều bản sao không cần thiết, đề nghị cắt giảm.",
        "submitter": {"name": "Trần Văn Bình"}
    });
    let r = app.call("POST", "/api/v1/feedback", None, None, Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let code = r.body["code"].as_str().unwrap().to_owned();
    let state = AppState::load(app.store.clone()).await.unwrap();
    let open = app.store.open_feedback_deadlines(Some("C1")).await.unwrap();
    let due = open.iter().find(|f| f.code == code).expect("open with a deadline").due;
    let cal = state.calendars.get(Some("C1"));
    let tn = app.store.user("tiepnhan").await.unwrap().unwrap();
    let x1 = app.store.user("tiepnhan.x1").await.unwrap().unwrap();
    let at = |t: OffsetDateTime| {
        let state = state.clone();
        async move { Snapshot::take(&state, None, t).await.unwrap() }
    };
    let snap = at(due - Duration::minutes(30)).await;
    assert_eq!(seen(&snap, &tn, &code).first().map(|x| x.0.as_str()), Some("feedback"), "due soon");
    let snap = at(cal.add(due, WorkingTime::from_days(1.5).unwrap())).await;
    let tn_sees = seen(&snap, &tn, &code);
    assert_eq!((tn_sees[0].0.as_str(), tn_sees[0].1.as_str()), ("feedback", "unit_leader"), "overdue, escalated");
    assert!(seen(&snap, &x1, &code).is_empty(), "another unit's officer sees nothing");
}
