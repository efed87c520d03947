//! SMS through a provincial gateway. Gateways differ per province (Viettel, VNPT, MobiFone
//! brand-name SMS, each with its own API), so the dispatcher talks to an [`SmsGateway`]; the
//! shipped [`HttpSmsGateway`] POSTs JSON to a configurable URL, and a province adapts its
//! gateway to that request (or adds an implementation).
//!
//! Request (`MOTCUA_SMS_URL`, `MOTCUA_SMS_TOKEN`):
//! ```text
//! POST <url>
//! Authorization: Bearer <token>
//! Content-Type: application/json; charset=utf-8
//! Idempotency-Key: <outbox key>
//!
//! {"to": "0912345678", "text": "Hồ sơ … đã được tiếp nhận …", "idempotency_key": "<outbox key>"}
//! ```
//! 2xx = accepted; 408, 429 and 5xx = retried later; other 4xx = failed for good.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use motcua_domain::notify::SmsPayload;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use super::SendError;

/// The future an [`SmsGateway`] answers.
pub type SmsFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;

/// Sends one SMS. Implementations must be idempotent on `key` where the gateway allows it.
pub trait SmsGateway: Send + Sync {
    fn send<'a>(&'a self, to: &'a str, text: &'a str, key: &'a str) -> SmsFuture<'a>;
}

/// The JSON-over-HTTP gateway described in the module documentation.
pub struct HttpSmsGateway {
    url: Url,
    token: String,
}

/// The parts of an `http(s)://host[:port]/path` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Url {
    https: bool,
    host: String,
    port: u16,
    path: String,
}

fn parse_url(s: &str) -> Option<Url> {
    let (https, rest) =
        if let Some(r) = s.strip_prefix("https://") { (true, r) } else { (false, s.strip_prefix("http://")?) };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (authority, if https { 443 } else { 80 }),
    };
    (!host.is_empty() && !authority.contains('@')).then(|| Url {
        https,
        host: host.to_owned(),
        port,
        path: path.to_owned(),
    })
}

impl HttpSmsGateway {
    /// A gateway at `url` (http or https) with a bearer `token`.
    pub fn configured(url: &str, token: &str) -> Result<Arc<dyn SmsGateway>, String> {
        let url = parse_url(url.trim()).ok_or("MOTCUA_SMS_URL must be http(s)://host[:port]/path")?;
        Ok(Arc::new(HttpSmsGateway { url, token: token.to_owned() }))
    }

    async fn post(&self, body: String, key: &str) -> Result<u16, String> {
        let u = &self.url;
        let request = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json; charset=utf-8\r\n\
             Idempotency-Key: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            u.path,
            u.host,
            self.token,
            key,
            body.len(),
            body
        );
        let tcp = TcpStream::connect((u.host.as_str(), u.port)).await.map_err(|e| format!("connect: {e}"))?;
        if u.https {
            let mut roots = tokio_rustls::rustls::RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(
                tokio_rustls::rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
            let name = tokio_rustls::rustls::pki_types::ServerName::try_from(u.host.clone())
                .map_err(|e| format!("TLS name: {e}"))?;
            let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
                .connect(name, tcp)
                .await
                .map_err(|e| format!("TLS: {e}"))?;
            exchange(tls, &request).await
        } else {
            exchange(tcp, &request).await
        }
    }
}

/// Writes the request and reads the response's status code.
async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, request: &str) -> Result<u16, String> {
    s.write_all(request.as_bytes()).await.map_err(|e| format!("write: {e}"))?;
    s.flush().await.map_err(|e| format!("write: {e}"))?;
    let mut head = Vec::with_capacity(256);
    let mut buf = [0u8; 256];
    while !head.windows(2).any(|w| w == b"\r\n") && head.len() < 4096 {
        let n = s.read(&mut buf).await.map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = String::from_utf8_lossy(&head);
    line.split_whitespace().nth(1).and_then(|c| c.parse().ok()).ok_or_else(|| "malformed HTTP response".to_owned())
}

impl SmsGateway for HttpSmsGateway {
    fn send<'a>(&'a self, to: &'a str, text: &'a str, key: &'a str) -> SmsFuture<'a> {
        Box::pin(async move {
            let body = serde_json::json!({"to": to, "text": text, "idempotency_key": key}).to_string();
            match tokio::time::timeout(Duration::from_secs(30), self.post(body, key)).await {
                Err(_) => Err(SendError::retry("SMS gateway timed out")),
                Ok(Err(e)) => Err(SendError::retry(format!("SMS gateway: {e}"))),
                Ok(Ok(c)) if (200..300).contains(&c) => Ok(()),
                Ok(Ok(c)) if c == 408 || c == 429 || c >= 500 => {
                    Err(SendError::retry(format!("SMS gateway answered {c}")))
                }
                Ok(Ok(c)) => Err(SendError::permanent(format!("SMS gateway refused with {c}"))),
            }
        })
    }
}

/// Sends one outbox SMS row through `gateway`.
pub async fn send(gateway: &dyn SmsGateway, to: &str, payload: &str, key: &str) -> Result<(), SendError> {
    let p: SmsPayload = serde_json::from_str(payload)
        .map_err(|e| SendError::permanent(format!("SMS payload is not valid JSON: {e}")))?;
    gateway.send(to, &p.text, key).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_urls_are_parsed_and_credentials_in_urls_refused() {
        assert_eq!(
            parse_url("https://sms.example.vn/api/send"),
            Some(Url { https: true, host: "sms.example.vn".into(), port: 443, path: "/api/send".into() })
        );
        assert_eq!(
            parse_url("http://127.0.0.1:9000"),
            Some(Url { https: false, host: "127.0.0.1".into(), port: 9000, path: "/".into() })
        );
        assert_eq!(parse_url("ftp://x"), None);
        assert_eq!(parse_url("http://u:p@x/"), None);
    }
}
