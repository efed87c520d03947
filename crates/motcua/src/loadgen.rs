//! `motcua loadgen`: a small HTTP/1.1 keep-alive load generator for the benchmarks (no client
//! library: requests are written by hand, responses read by Content-Length). It only talks to the
//! address it is given (loopback in the bench scripts) and stops by itself.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// One keep-alive connection.
pub struct Conn {
    addr: String,
    stream: BufReader<TcpStream>,
}

/// A response: status, ETag, JSON body.
pub struct Reply {
    pub status: u16,
    pub etag: Option<String>,
    pub body: Value,
}

impl Conn {
    pub async fn open(addr: &str) -> anyhow::Result<Conn> {
        let s = TcpStream::connect(addr).await.with_context(|| format!("connecting {addr}"))?;
        s.set_nodelay(true)?;
        Ok(Conn { addr: addr.to_owned(), stream: BufReader::new(s) })
    }

    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        if_match: Option<i64>,
        body: Option<&Value>,
    ) -> anyhow::Result<Reply> {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut req = format!("{method} {path} HTTP/1.1\r\nhost: {}\r\ncontent-length: {}\r\n", self.addr, body.len());
        if !body.is_empty() {
            req.push_str("content-type: application/json\r\n");
        }
        if let Some(t) = token {
            req.push_str(&format!("authorization: Bearer {t}\r\n"));
        }
        if let Some(v) = if_match {
            req.push_str(&format!("if-match: {v}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(&body);
        self.stream.get_mut().write_all(req.as_bytes()).await?;
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).context("bad status line")?;
        let (mut len, mut etag) = (0usize, None);
        loop {
            line.clear();
            self.stream.read_line(&mut line).await?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                match k.to_ascii_lowercase().as_str() {
                    "content-length" => len = v.trim().parse()?,
                    "etag" => etag = Some(v.trim().trim_matches('"').to_owned()),
                    _ => {}
                }
            }
        }
        let mut buf = vec![0u8; len];
        self.stream.read_exact(&mut buf).await?;
        Ok(Reply { status, etag, body: serde_json::from_slice(&buf).unwrap_or(Value::Null) })
    }
}

async fn login(addr: &str, user: &str) -> anyhow::Result<String> {
    let mut c = Conn::open(addr).await?;
    let r =
        c.send("POST", "/api/v1/auth/login", None, None, Some(&json!({"username": user, "password": "demo"}))).await?;
    r.body["token"].as_str().map(str::to_owned).with_context(|| format!("login {user}: {}", r.body))
}

/// Latency percentiles of sorted samples.
fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(what: &str, n: usize, elapsed: Duration, mut lat: Vec<Duration>) {
    lat.sort();
    println!(
        "{what}: {n} in {:.2} s = {:.0}/s; latency ms p50 {:.2} p95 {:.2} p99 {:.2} max {:.2}",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64(),
        pct(&lat, 0.50),
        pct(&lat, 0.95),
        pct(&lat, 0.99),
        pct(&lat, 1.0)
    );
}

/// Transitions: `concurrency` connections, each owning its own dossiers (received at the counter
/// of the provincial center), alternating `request_supplement` (specialist) and `supplement`
/// (receiver) for `seconds`. Every success is one durable event.
pub async fn transitions(addr: &str, concurrency: usize, seconds: u64, procedure: &str) -> anyhow::Result<()> {
    let receiver = login(addr, "tiepnhan").await?;
    let specialist = login(addr, "chuyenvien").await?;
    // A counter dossier is received at once, so it is complete: every required document, and
    // the facts a per-unit fee needs (one page, one copy).
    let p = Conn::open(addr).await?.send("GET", &format!("/api/v1/procedures/{procedure}"), None, None, None).await?;
    if p.status != 200 {
        bail!("procedure {procedure}: {} {}", p.status, p.body);
    }
    let documents: Vec<serde_json::Value> = p.body["documents"]
        .as_array()
        .map(|ds| ds.iter().filter_map(|d| d["name"].as_str()).map(|n| json!({"name": n})).collect())
        .unwrap_or_default();
    let fees: Vec<serde_json::Value> = p.body["fees"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .enumerate()
                .filter(|(_, f)| f.get("per").is_some_and(|p| !p.is_null()))
                .map(|(i, _)| json!({"line": i, "quantity": 1, "groups": 1}))
                .collect()
        })
        .unwrap_or_default();
    let submission = json!({"procedure_code": procedure, "channel": "counter", "applicant": {"name": "Bench"},
        "documents": documents, "fees": fees});
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (addr, receiver, specialist, submission) =
            (addr.to_owned(), receiver.clone(), specialist.clone(), submission.clone());
        tasks.push(tokio::spawn(async move {
            let mut c = Conn::open(&addr).await?;
            let mut dossiers = Vec::new();
            for _ in 0..4 {
                let r = c.send("POST", "/api/v1/dossiers", Some(&receiver), None, Some(&submission)).await?;
                if r.status != 201 {
                    bail!("create: {} {}", r.status, r.body);
                }
                dossiers.push((
                    r.body["code"].as_str().unwrap_or_default().to_owned(),
                    r.body["version"].as_i64().unwrap_or(0),
                    false,
                ));
            }
            let req = json!({"action": "request_supplement", "reason": "Bổ sung giấy tờ"});
            let sup = json!({"action": "supplement"});
            let (mut lat, mut n, mut errors) = (Vec::new(), 0usize, 0usize);
            let start = Instant::now();
            let mut i = 0;
            while start.elapsed() < Duration::from_secs(seconds) {
                let (code, version, paused) = &mut dossiers[i % 4];
                i += 1;
                let (token, body) = if *paused { (&receiver, &sup) } else { (&specialist, &req) };
                let t = Instant::now();
                let r = c
                    .send("POST", &format!("/api/v1/dossiers/{code}/actions"), Some(token), Some(*version), Some(body))
                    .await?;
                lat.push(t.elapsed());
                if r.status == 200 {
                    *version = r.etag.as_deref().and_then(|e| e.parse().ok()).unwrap_or(*version + 1);
                    *paused = !*paused;
                    n += 1;
                } else {
                    errors += 1;
                }
            }
            anyhow::Ok((n, errors, lat))
        }));
    }
    let start = Instant::now();
    let (mut total, mut errors, mut lat) = (0, 0, Vec::new());
    for t in tasks {
        let (n, e, l) = t.await??;
        total += n;
        errors += e;
        lat.extend(l);
    }
    report(&format!("transitions ({concurrency} connections, {errors} errors)"), total, start.elapsed(), lat);
    Ok(())
}

/// Inbox: sequential requests as `users`, first pages and following pages by cursor.
pub async fn inbox(addr: &str, users: &[String], requests: usize) -> anyhow::Result<()> {
    let mut tokens = Vec::new();
    for u in users {
        tokens.push(login(addr, u).await?);
    }
    let mut c = Conn::open(addr).await?;
    let mut lat = Vec::with_capacity(requests);
    let mut cursors: Vec<Option<String>> = vec![None; tokens.len()];
    let start = Instant::now();
    for i in 0..requests {
        let k = i % tokens.len();
        let path = match &cursors[k] {
            Some(cur) => format!("/api/v1/inbox?limit=50&cursor={cur}"),
            None => "/api/v1/inbox?limit=50".to_owned(),
        };
        let t = Instant::now();
        let r = c.send("GET", &path, Some(&tokens[k]), None, None).await?;
        lat.push(t.elapsed());
        if r.status != 200 {
            bail!("inbox: {} {}", r.status, r.body);
        }
        // Walk up to 5 pages deep, then start again from the first page.
        cursors[k] = if i / tokens.len() % 5 == 4 { None } else { r.body["next_cursor"].as_str().map(str::to_owned) };
    }
    report(&format!("inbox ({} users)", users.len()), requests, start.elapsed(), lat);
    Ok(())
}

/// Indicators: sequential requests for one unit and one month each — the JSON indicators and the
/// public dashboard page (`/chi-so`) — over every unit and the months `from..=to` (`YYYY-MM`).
pub async fn indicators(addr: &str, from: &str, to: &str, requests: usize) -> anyhow::Result<()> {
    let mut c = Conn::open(addr).await?;
    let units = c.send("GET", "/api/v1/units", None, None, None).await?.body;
    let mut codes: Vec<String> = units
        .as_array()
        .map(|a| a.iter().filter_map(|u| u["code"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    codes.push(String::new()); // the whole province
    let months = c.send("GET", &format!("/api/v1/indicators?from={from}&to={to}&by=month"), None, None, None).await?;
    let months: Vec<String> = months.body["groups"]
        .as_array()
        .map(|a| a.iter().filter_map(|g| g["key"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    if months.is_empty() || codes.is_empty() {
        bail!("no months with dossiers between {from} and {to}");
    }
    for (what, page) in [("api", false), ("dashboard page", true)] {
        let mut lat = Vec::with_capacity(requests);
        let start = Instant::now();
        for i in 0..requests {
            let unit = &codes[i % codes.len()];
            let month = &months[(i / codes.len()) % months.len()];
            let path = if page {
                format!("/chi-so?unit={unit}&from={month}&to={month}")
            } else {
                format!("/api/v1/indicators?unit={unit}&from={month}&to={month}")
            };
            let t = Instant::now();
            let r = c.send("GET", &path, None, None, None).await?;
            lat.push(t.elapsed());
            if r.status != 200 {
                bail!("{path}: {} {}", r.status, r.body);
            }
        }
        report(
            &format!("indicators {what} ({} units incl. the province × {} months)", codes.len(), months.len()),
            requests,
            start.elapsed(),
            lat,
        );
    }
    Ok(())
}
