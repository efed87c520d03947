//! File bytes on an S3-compatible server (issue 16 item 1): the same checks as on a directory
//! (`files::bytes_go_to_the_object_store`), against a real S3 API served by moto's server (PyPI
//! `moto[server]`, started by the test on a free port; the test fails, saying so, without it).

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use motcua_store::Store;
use object_store::ObjectStore;

use crate::storage_test;

/// A moto S3 server, stopped when dropped.
struct Moto {
    child: Child,
    port: u16,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One plain HTTP request to the server (moto creates a bucket on an unsigned `PUT /bucket`).
fn http(port: u16, request: &str) -> std::io::Result<String> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
    s.write_all(request.as_bytes())?;
    let mut answer = String::new();
    s.read_to_string(&mut answer)?;
    Ok(answer)
}

fn start_moto() -> Moto {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("moto_server did not start ({e}): install it with `pip install 'moto[server]'`"));
    let moto = Moto { child, port };
    for _ in 0..100 {
        if http(port, "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").is_ok_and(|a| a.starts_with("HTTP/1.")) {
            return moto;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("moto_server did not answer on port {port}");
}

async fn file_bytes_on_an_s3_compatible_server(store: Store) {
    let moto = start_moto();
    let bucket = "motcua-tep";
    let created =
        http(moto.port, &format!("PUT /{bucket} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")).unwrap();
    assert!(created.starts_with("HTTP/1.0 200") || created.starts_with("HTTP/1.1 200"), "{created}");
    let s3 = object_store::aws::AmazonS3Builder::new()
        .with_endpoint(format!("http://127.0.0.1:{}", moto.port))
        .with_allow_http(true)
        .with_bucket_name(bucket)
        .with_region("us-east-1")
        .with_access_key_id("test")
        .with_secret_access_key("test")
        .build()
        .unwrap();
    let objects: Arc<dyn ObjectStore> = Arc::new(s3);
    crate::files::bytes_go_to_the_object_store(store, objects).await;
}
storage_test!(file_bytes_on_an_s3_compatible_server);
