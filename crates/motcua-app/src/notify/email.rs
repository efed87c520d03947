//! E-mail through SMTP (lettre): plain TCP, STARTTLS or implicit TLS (rustls), optional login.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use motcua_domain::notify::EmailPayload;

use super::SendError;

/// How the SMTP connection is secured (`MOTCUA_SMTP_TLS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP (a relay on the same host or a trusted network).
    None,
    /// STARTTLS upgrade (required).
    StartTls,
    /// Implicit TLS (port 465).
    Tls,
}

/// SMTP settings.
#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub from: String,
    pub user: Option<String>,
    pub password: Option<String>,
    pub tls: SmtpTls,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.user.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

/// Sends e-mails with one SMTP transport.
pub struct EmailSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl EmailSender {
    /// Builds the transport; fails on an invalid sender address or TLS setup.
    pub fn new(c: &SmtpConfig) -> Result<EmailSender, String> {
        let from: Mailbox = c.from.parse().map_err(|e| format!("MOTCUA_SMTP_FROM is not an address: {e}"))?;
        let builder = match c.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&c.host),
            SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&c.host)
                .map_err(|e| format!("STARTTLS setup: {e}"))?,
            SmtpTls::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&c.host).map_err(|e| format!("TLS setup: {e}"))?
            }
        };
        let mut builder = builder.port(c.port).timeout(Some(Duration::from_secs(30)));
        if let (Some(u), Some(p)) = (&c.user, &c.password) {
            builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
        }
        Ok(EmailSender { transport: builder.build(), from })
    }

    /// Sends one outbox e-mail. The idempotency key becomes the Message-ID, so a receiver can
    /// drop the rare duplicate of an at-least-once delivery.
    pub async fn send(&self, to: &str, payload: &str, key: &str) -> Result<(), SendError> {
        let p: EmailPayload = serde_json::from_str(payload)
            .map_err(|e| SendError::permanent(format!("e-mail payload is not valid JSON: {e}")))?;
        let to: Mailbox = to.parse().map_err(|_| SendError::permanent("invalid recipient address"))?;
        let id: String = key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '.' }).collect();
        let msg = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(p.subject)
            .message_id(Some(format!("<{id}@motcua>")))
            .header(ContentType::TEXT_PLAIN)
            .body(p.body)
            .map_err(|e| SendError::permanent(format!("building the e-mail: {e}")))?;
        match self.transport.send(msg).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::permanent(format!(
                "SMTP refused: {}",
                e.status().map(|c| c.to_string()).unwrap_or_default()
            ))),
            Err(e) => Err(SendError::retry(format!("SMTP: {}", short(&e)))),
        }
    }
}

/// An SMTP error on one short line, with any address in the server's reply masked (a 4xx reply
/// may quote the recipient).
fn short(e: &lettre::transport::smtp::Error) -> String {
    let s = e.to_string();
    let line = s.lines().next().unwrap_or_default();
    let masked: Vec<String> = line
        .split(' ')
        .map(|w| {
            if w.contains('@') {
                motcua_domain::notify::mask_recipient(w.trim_matches(|c| c == '<' || c == '>'))
            } else {
                w.to_owned()
            }
        })
        .collect();
    masked.join(" ").chars().take(200).collect()
}
