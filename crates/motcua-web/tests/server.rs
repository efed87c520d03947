//! The running server as `motcua serve` starts it (`motcua_web::server::start`): on port 0, the
//! real socket answers, the workers run beside it, and stopping it lets go of the port.

use std::sync::Arc;
use std::time::Duration;

use motcua_app::clock::FixedClock;
use motcua_app::workers::WorkerConfig;
use motcua_store::Store;
use motcua_store::web::NewFile;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_string(&mut out)).await.unwrap().unwrap();
    out
}

#[tokio::test]
async fn the_application_starts_on_port_0_with_its_workers_and_stops_cleanly() {
    let dir = std::env::temp_dir().join(format!("motcua-server-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.join("t.db").display())).await.unwrap();
    // A file left without an owner by an older version; the application's clock is two hours
    // ahead, so the collector (which runs at start) finds it older than its grace period.
    let orphan =
        NewFile::new("orphan".into(), "document", "orphan.pdf".into(), "application/pdf", b"%PDF-1.7".to_vec());
    store.put_file(&orphan.meta, orphan.data, time::OffsetDateTime::now_utc()).await.unwrap();
    let later = time::OffsetDateTime::now_utc() + time::Duration::hours(2);
    let state = motcua_web::AppState::load(store.clone()).await.unwrap().with_clock(Arc::new(FixedClock::at(later)));
    let running = motcua_web::server::start(state, "127.0.0.1:0", &WorkerConfig::default()).await.unwrap();
    let addr = running.addr;
    assert_ne!(addr.port(), 0);
    let health = get(addr, "/healthz").await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let spec = get(addr, "/api/openapi.json").await;
    assert!(spec.starts_with("HTTP/1.1 200") && spec.contains("\"openapi\""), "{}", &spec[..spec.len().min(200)]);
    // The workers run beside the server: the orphaned file is collected.
    let collected = tokio::time::timeout(Duration::from_secs(10), async {
        while store.file("orphan").await.unwrap().is_some() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(collected.is_ok(), "the orphan collector did not run");
    running.stop().await.unwrap();
    // The port is free again: nothing answers on it.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    let _ = std::fs::remove_dir_all(&dir);
}
