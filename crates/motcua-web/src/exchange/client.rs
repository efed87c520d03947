//! The HTTP client that delivers edXML to a peer: hyper's HTTP/1.1 client connection (hyper and
//! hyper-util are already in the tree through axum; rustls and webpki-roots were added for SMTP),
//! one connection per delivery. Chosen over reqwest, which would add its own stack of crates for
//! the few POSTs a minute the exchange makes; over a hand-written request, because hyper parses
//! the response (chunked or sized bodies, status line) correctly.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::{Request, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Longest a whole delivery (connect, send, answer) may take.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// Longest answer body kept (for the error shown in the trace).
const MAX_ANSWER: usize = 64 * 1024;

/// What the peer answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// POSTs `body` as `application/xml` to `url` with a bearer `token`. Errors are connection-level
/// (refused, TLS, timeout): the caller retries them.
pub async fn post_xml(url: &str, token: &str, body: String) -> Result<Answer, String> {
    match tokio::time::timeout(TIMEOUT, post(url, token, body)).await {
        Ok(r) => r,
        Err(_) => Err(format!("no answer within {} s", TIMEOUT.as_secs())),
    }
}

async fn post(url: &str, token: &str, body: String) -> Result<Answer, String> {
    let uri: Uri = url.parse().map_err(|e| format!("bad endpoint URL: {e}"))?;
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err("the endpoint must be http:// or https://".to_owned()),
    };
    let host = uri.host().ok_or("the endpoint has no host")?.to_owned();
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let authority = uri.authority().map_or(host.clone(), |a| a.as_str().to_owned());
    let req = Request::post(path)
        .header(hyper::header::HOST, authority)
        .header(hyper::header::AUTHORIZATION, format!("Bearer {token}"))
        .header(hyper::header::CONTENT_TYPE, "application/xml; charset=utf-8")
        .header(hyper::header::ACCEPT, "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| format!("request: {e}"))?;
    let tcp = TcpStream::connect((host.as_str(), port)).await.map_err(|e| format!("connect: {e}"))?;
    if https {
        let mut roots = tokio_rustls::rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(
            tokio_rustls::rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let name = tokio_rustls::rustls::pki_types::ServerName::try_from(host.clone())
            .map_err(|e| format!("TLS name: {e}"))?;
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS: {e}"))?;
        send(TokioIo::new(tls), req).await
    } else {
        send(TokioIo::new(tcp), req).await
    }
}

async fn send<S>(io: S, req: Request<Full<Bytes>>) -> Result<Answer, String>
where
    S: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await.map_err(|e| format!("HTTP: {e}"))?;
    let driver = tokio::spawn(conn);
    let res = sender.send_request(req).await.map_err(|e| format!("HTTP: {e}"));
    let out = match res {
        Ok(res) => {
            let status = res.status().as_u16();
            let body = match Limited::new(res.into_body(), MAX_ANSWER).collect().await {
                Ok(b) => String::from_utf8_lossy(&b.to_bytes()).into_owned(),
                Err(_) => String::new(),
            };
            Ok(Answer { status, body })
        }
        Err(e) => Err(e),
    };
    driver.abort();
    out
}
