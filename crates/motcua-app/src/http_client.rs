//! The one outgoing HTTP client (edXML delivery to peers, the SMS gateway): hyper's HTTP/1.1
//! client connection (hyper and hyper-util are already in the tree through axum; rustls and
//! webpki-roots were added for SMTP), one connection per request. Chosen over reqwest, which would
//! add its own stack of crates for the few POSTs a minute Motcua makes; over a hand-written
//! request, because hyper writes the request and parses the response (chunked or sized bodies,
//! status line) correctly.

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::{Request, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Longest a whole request (connect, send, answer) may take.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// Longest answer body kept (for the error shown in a trace).
const MAX_ANSWER: usize = 64 * 1024;

/// What the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    /// The `Location` header of a redirect.
    pub location: Option<String>,
}

/// One POST: where, with which bearer token, extra headers, and the body with its content type.
#[derive(Debug, Clone)]
pub struct Post<'a> {
    pub url: &'a str,
    pub token: &'a str,
    pub content_type: &'a str,
    /// Further headers (e.g. `Idempotency-Key`); names are checked by hyper.
    pub headers: &'a [(&'a str, &'a str)],
    pub body: String,
}

/// An endpoint URL: `http(s)://host[:port]/path`, without credentials in it (they would end up in
/// logs and traces; a token goes in the `Authorization` header).
pub fn endpoint(url: &str) -> Result<Uri, String> {
    let uri: Uri = url.trim().parse().map_err(|e| format!("bad endpoint URL: {e}"))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return Err("the endpoint must be http:// or https://".to_owned());
    }
    match uri.authority() {
        None => Err("the endpoint has no host".to_owned()),
        Some(a) if a.as_str().contains('@') => Err("the endpoint URL must not carry credentials".to_owned()),
        Some(a) if a.host().is_empty() => Err("the endpoint has no host".to_owned()),
        Some(_) => Ok(uri),
    }
}

/// POSTs `body` as `application/xml` to `url` with a bearer `token`. Errors are connection-level
/// (refused, TLS, timeout): the caller retries them.
pub async fn post_xml(url: &str, token: &str, body: String) -> Result<Answer, String> {
    post(Post { url, token, content_type: "application/xml; charset=utf-8", headers: &[], body }).await
}

/// Sends one POST within [`TIMEOUT`]. Errors are connection-level (bad URL, refused, TLS,
/// timeout); any HTTP status is an [`Answer`].
pub async fn post(p: Post<'_>) -> Result<Answer, String> {
    request(hyper::Method::POST, p).await
}

/// One GET of `url` with a bearer `token` (reading a peer's or the portal's state), as [`post`].
pub async fn get(url: &str, token: &str) -> Result<Answer, String> {
    request(
        hyper::Method::GET,
        Post { url, token, content_type: "application/json", headers: &[], body: String::new() },
    )
    .await
}

/// A GET whose answer may be up to `limit` bytes (a page of records with their files).
pub async fn get_large(url: &str, token: &str, limit: usize) -> Result<Answer, String> {
    let p = Post { url, token, content_type: "application/json", headers: &[], body: String::new() };
    match tokio::time::timeout(TIMEOUT * 4, request_once(hyper::Method::GET, p, limit)).await {
        Ok(r) => r,
        Err(_) => Err(format!("no answer within {} s", TIMEOUT.as_secs() * 4)),
    }
}

async fn request(method: hyper::Method, p: Post<'_>) -> Result<Answer, String> {
    match tokio::time::timeout(TIMEOUT, request_once(method, p, MAX_ANSWER)).await {
        Ok(r) => r,
        Err(_) => Err(format!("no answer within {} s", TIMEOUT.as_secs())),
    }
}

async fn request_once(method: hyper::Method, p: Post<'_>, limit: usize) -> Result<Answer, String> {
    let uri = endpoint(p.url)?;
    let https = uri.scheme_str() == Some("https");
    let host = uri.host().unwrap_or_default().to_owned();
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let authority = uri.authority().map_or(host.clone(), |a| a.as_str().to_owned());
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(hyper::header::HOST, authority)
        .header(hyper::header::CONTENT_TYPE, p.content_type)
        .header(hyper::header::ACCEPT, "application/json");
    // No token, no Authorization header (a public endpoint).
    if !p.token.is_empty() {
        req = req.header(hyper::header::AUTHORIZATION, format!("Bearer {}", p.token));
    }
    for (name, value) in p.headers {
        req = req.header(*name, *value);
    }
    let req = req.body(Full::new(Bytes::from(p.body))).map_err(|e| format!("request: {e}"))?;
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
        let name = tokio_rustls::rustls::pki_types::ServerName::try_from(host).map_err(|e| format!("TLS name: {e}"))?;
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS: {e}"))?;
        send(TokioIo::new(tls), req, limit).await
    } else {
        send(TokioIo::new(tcp), req, limit).await
    }
}

async fn send<S>(io: S, req: Request<Full<Bytes>>, limit: usize) -> Result<Answer, String>
where
    S: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    // Title-case header names on the wire (`Idempotency-Key`, not `idempotency-key`): HTTP says
    // case does not matter, but some provincial gateways compare names literally.
    let (mut sender, conn) = hyper::client::conn::http1::Builder::new()
        .title_case_headers(true)
        .handshake(io)
        .await
        .map_err(|e| format!("HTTP: {e}"))?;
    let driver = tokio::spawn(conn);
    let res = sender.send_request(req).await.map_err(|e| format!("HTTP: {e}"));
    let out = match res {
        Ok(res) => {
            let status = res.status().as_u16();
            let location = res.headers().get(hyper::header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
            let body = match Limited::new(res.into_body(), limit).collect().await {
                Ok(b) => String::from_utf8_lossy(&b.to_bytes()).into_owned(),
                Err(_) => String::new(),
            };
            Ok(Answer { status, body, location })
        }
        Err(e) => Err(e),
    };
    driver.abort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_http_urls_without_credentials() {
        let u = endpoint("https://sms.example.vn/api/send").unwrap();
        assert_eq!((u.host(), u.port_u16(), u.path()), (Some("sms.example.vn"), None, "/api/send"));
        let u = endpoint(" http://127.0.0.1:9000 ").unwrap();
        assert_eq!((u.host(), u.port_u16(), u.path()), (Some("127.0.0.1"), Some(9000), "/"));
        assert!(endpoint("ftp://x").is_err());
        assert!(endpoint("http://u:p@x/").is_err());
        assert!(endpoint("sms.example.vn/send").is_err());
        assert!(endpoint("").is_err());
    }

    /// A server that reads one request and answers with a chunked body: the client sends the
    /// extra headers and reads the status and the whole body.
    #[tokio::test]
    async fn a_post_sends_its_headers_and_reads_a_chunked_answer() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 1024];
            while !String::from_utf8_lossy(&got).contains("\"to\"") {
                let n = s.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            s.write_all(b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
                .await
                .unwrap();
            String::from_utf8_lossy(&got).into_owned()
        });
        let url = format!("http://{addr}/send");
        let answer = post(Post {
            url: &url,
            token: "t0k",
            content_type: "application/json",
            headers: &[("idempotency-key", "k-1")],
            body: r#"{"to":"x"}"#.to_owned(),
        })
        .await
        .unwrap();
        assert_eq!(answer, Answer { status: 202, body: "ok".into(), location: None });
        let request = server.await.unwrap();
        assert!(request.starts_with("POST /send HTTP/1.1\r\n"), "{request}");
        assert!(request.contains("Authorization: Bearer t0k\r\n"), "{request}");
        assert!(request.contains("Idempotency-Key: k-1\r\n"), "{request}");
    }
}
