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

use motcua_domain::notify::SmsPayload;

use super::SendError;
use crate::http_client;

/// The future an [`SmsGateway`] answers.
pub type SmsFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;

/// Sends one SMS. Implementations must be idempotent on `key` where the gateway allows it.
pub trait SmsGateway: Send + Sync {
    fn send<'a>(&'a self, to: &'a str, text: &'a str, key: &'a str) -> SmsFuture<'a>;
}

/// The JSON-over-HTTP gateway described in the module documentation, through the one
/// [`http_client`].
pub struct HttpSmsGateway {
    url: String,
    token: String,
}

impl HttpSmsGateway {
    /// A gateway at `url` (http or https, no credentials in it) with a bearer `token`.
    pub fn configured(url: &str, token: &str) -> Result<Arc<dyn SmsGateway>, String> {
        http_client::endpoint(url).map_err(|e| format!("MOTCUA_SMS_URL must be http(s)://host[:port]/path: {e}"))?;
        Ok(Arc::new(HttpSmsGateway { url: url.trim().to_owned(), token: token.to_owned() }))
    }
}

impl SmsGateway for HttpSmsGateway {
    fn send<'a>(&'a self, to: &'a str, text: &'a str, key: &'a str) -> SmsFuture<'a> {
        Box::pin(async move {
            let body = serde_json::json!({"to": to, "text": text, "idempotency_key": key}).to_string();
            let post = http_client::Post {
                url: &self.url,
                token: &self.token,
                content_type: "application/json; charset=utf-8",
                headers: &[("idempotency-key", key)],
                body,
            };
            match http_client::post(post).await {
                Err(e) => Err(SendError::retry(format!("SMS gateway: {e}"))),
                Ok(a) if (200..300).contains(&a.status) => Ok(()),
                Ok(a) if a.status == 408 || a.status == 429 || a.status >= 500 => {
                    Err(SendError::retry(format!("SMS gateway answered {}", a.status)))
                }
                Ok(a) => Err(SendError::permanent(format!("SMS gateway refused with {}", a.status))),
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
    fn gateway_urls_must_be_http_without_credentials() {
        assert!(HttpSmsGateway::configured("https://sms.example.vn/api/send", "t").is_ok());
        assert!(HttpSmsGateway::configured("http://127.0.0.1:9000", "t").is_ok());
        assert!(HttpSmsGateway::configured("ftp://x", "t").is_err());
        assert!(HttpSmsGateway::configured("http://u:p@x/", "t").is_err());
    }
}
