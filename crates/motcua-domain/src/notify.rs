//! Notifications to citizens and officers: which dossier events notify the applicant, and the
//! Vietnamese text templates they are written with.
//!
//! Templates live in `data/notify/*.txt`, versioned in the repository. Each file starts with a
//! header — `version:`, `subject:`, `sms:` lines — then a line `---` and the e-mail body.
//! `{name}` placeholders are filled in one pass (a value that itself contains `{x}` is copied as
//! is); a placeholder without a value is an error, so a template and its caller cannot drift
//! apart unnoticed. The version string is stored with every outbox row rendered from it.
//!
//! Why these events: NĐ 61/2018 Art. 15–16 and domain.md §1.3 require the supplementation notice
//! (content, reason, full guidance in one go) to reach online applicants by e-mail/SMS; §1.5–1.6
//! require informing the applicant of a new date and of an early result "by SMS, e-mail, phone".
//! The receipt notice mirrors the receipt slip (form 01: mã hồ sơ, ngày hẹn trả).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::dossier::Dossier;
use crate::dossier::event::{Event, EventData};
use crate::dossier::timeliness::VN_OFFSET;

/// The shipped templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Template {
    /// Tiếp nhận hồ sơ: code, procedure, receipt instant, appointment.
    Receipt,
    /// Yêu cầu bổ sung: reason and the missing items.
    SupplementRequest,
    /// Có kết quả: where to collect it.
    ResultReady,
    /// Phản ánh, kiến nghị đã được trả lời.
    FeedbackAnswered,
    /// The officer's daily digest of alerts.
    DailyDigest,
}

impl Template {
    /// Every template, for tests and documentation.
    pub const ALL: [Template; 5] = [
        Template::Receipt,
        Template::SupplementRequest,
        Template::ResultReady,
        Template::FeedbackAnswered,
        Template::DailyDigest,
    ];

    fn source(self) -> &'static str {
        match self {
            Template::Receipt => include_str!("../../../data/notify/receipt.txt"),
            Template::SupplementRequest => include_str!("../../../data/notify/supplement_request.txt"),
            Template::ResultReady => include_str!("../../../data/notify/result_ready.txt"),
            Template::FeedbackAnswered => include_str!("../../../data/notify/feedback_answered.txt"),
            Template::DailyDigest => include_str!("../../../data/notify/daily_digest.txt"),
        }
    }

    /// The template's version string (its `version:` header line).
    pub fn version(self) -> &'static str {
        parse(self.source()).map(|p| p.version).unwrap_or("unversioned")
    }

    /// Renders the template with `vars`.
    pub fn render(self, vars: &[(&str, &str)]) -> Result<Rendered, TemplateError> {
        let p = parse(self.source()).ok_or(TemplateError::Malformed(self))?;
        Ok(Rendered {
            template: p.version.to_owned(),
            subject: fill(p.subject, vars)?,
            sms: fill(p.sms, vars)?,
            body: fill(p.body, vars)?,
        })
    }
}

/// A rendering failure: a bug in a shipped template or in its caller (tests render them all).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("template {0:?} lacks its version/subject/sms header or the --- separator")]
    Malformed(Template),
    #[error("no value for the placeholder {{{0}}}")]
    Missing(String),
}

/// A rendered notification: the e-mail (subject, body), the SMS text, and the template version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub template: String,
    pub subject: String,
    pub body: String,
    pub sms: String,
}

/// Outbox payload of an e-mail (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailPayload {
    pub subject: String,
    pub body: String,
}

/// Outbox payload of an SMS (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsPayload {
    pub text: String,
}

impl Rendered {
    /// The e-mail outbox payload.
    pub fn email_payload(&self) -> String {
        serde_json::to_string(&EmailPayload { subject: self.subject.clone(), body: self.body.clone() })
            .unwrap_or_default()
    }

    /// The SMS outbox payload.
    pub fn sms_payload(&self) -> String {
        serde_json::to_string(&SmsPayload { text: self.sms.clone() }).unwrap_or_default()
    }
}

struct Parsed<'a> {
    version: &'a str,
    subject: &'a str,
    sms: &'a str,
    body: &'a str,
}

fn parse(src: &str) -> Option<Parsed<'_>> {
    let (head, body) = src.split_once("\n---\n")?;
    let field =
        |name: &str| head.lines().find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(':')).map(str::trim));
    Some(Parsed { version: field("version")?, subject: field("subject")?, sms: field("sms")?, body: body.trim_end() })
}

/// One-pass `{name}` substitution.
fn fill(text: &str, vars: &[(&str, &str)]) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if after[..close].chars().all(|c| c.is_ascii_lowercase() || c == '_') && close > 0 => {
                let name = &after[..close];
                let value = vars.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
                out.push_str(value.ok_or_else(|| TemplateError::Missing(name.to_owned()))?);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// `dd/mm/yyyy HH:MM` in Vietnam's time (UTC+7), as on the receipt slip.
pub fn local_display(t: OffsetDateTime) -> String {
    let t = t.to_offset(VN_OFFSET);
    format!("{:02}/{:02}/{:04} {:02}:{:02}", t.day(), u8::from(t.month()), t.year(), t.hour(), t.minute())
}

/// The applicant notice an event calls for, rendered, or `None` (most events notify nobody).
/// `d` is the dossier after the event; `unit_name` names the one-stop that returns results.
///
/// - `receive` → [`Template::Receipt`] (form 01's content: code, appointment; NĐ 61 Art. 16).
/// - `request_supplement` → [`Template::SupplementRequest`] (the one-shot notice with reason and
///   items; NĐ 61 Art. 15, domain.md §1.3).
/// - `approve` → [`Template::ResultReady`] (NĐ 61 Art. 20; domain.md §1.6: tell the applicant
///   when the result can be collected).
pub fn citizen_notice(d: &Dossier, event: &Event, unit_name: &str) -> Option<Result<Rendered, TemplateError>> {
    let code = d.code.as_str();
    let procedure = d.procedure_name.as_str();
    let applicant = d.applicant.name.as_str();
    Some(match &event.data {
        EventData::Receive(_) => {
            let due = d.appointment_at.or(d.due_at).map(local_display).unwrap_or_else(|| "—".to_owned());
            let received = local_display(d.received_at.unwrap_or(event.at));
            Template::Receipt.render(&[
                ("code", code),
                ("procedure", procedure),
                ("applicant", applicant),
                ("unit", unit_name),
                ("received", &received),
                ("due", &due),
            ])
        }
        EventData::RequestSupplement(r) => {
            let items = if r.items.is_empty() {
                "- (xem lý do ở trên)".to_owned()
            } else {
                r.items.iter().map(|i| format!("- {i}")).collect::<Vec<_>>().join("\n")
            };
            Template::SupplementRequest.render(&[
                ("code", code),
                ("procedure", procedure),
                ("applicant", applicant),
                ("reason", &r.reason),
                ("items", &items),
            ])
        }
        EventData::Approve(_) => Template::ResultReady.render(&[
            ("code", code),
            ("procedure", procedure),
            ("applicant", applicant),
            ("unit", unit_name),
        ]),
        _ => return None,
    })
}

/// Masks an e-mail address or a phone number for logs (personal data never in logs, NĐ 13/2023;
/// domain.md §12): `an@example.vn` → `a***@example.vn`, `0912345678` → `091****678`.
pub fn mask_recipient(r: &str) -> String {
    if let Some((local, domain)) = r.split_once('@') {
        let first: String = local.chars().take(1).collect();
        return format!("{first}***@{domain}");
    }
    let chars: Vec<char> = r.chars().collect();
    if chars.len() <= 6 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 3..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_template_parses_and_has_a_version() {
        for t in Template::ALL {
            assert!(parse(t.source()).is_some(), "{t:?}");
            assert_ne!(t.version(), "unversioned", "{t:?}");
        }
    }

    #[test]
    fn placeholders_are_filled_once_and_missing_ones_are_errors() {
        assert_eq!(fill("Mã {code}.", &[("code", "{reason}")]).unwrap(), "Mã {reason}.");
        assert_eq!(fill("{ a } {}", &[]).unwrap(), "{ a } {}");
        assert_eq!(fill("{code}", &[]), Err(TemplateError::Missing("code".into())));
    }

    #[test]
    fn the_receipt_keeps_vietnamese_diacritics() {
        let r = Template::Receipt
            .render(&[
                ("code", "X1-250707-0001"),
                ("procedure", "Đăng ký kết hôn"),
                ("applicant", "Nguyễn Văn An"),
                ("unit", "Phường Rạch Giá"),
                ("received", "07/07/2025 08:00"),
                ("due", "14/07/2025 08:00"),
            ])
            .unwrap();
        assert!(r.subject.contains("đã được tiếp nhận"));
        assert!(r.body.contains("Ngày hẹn trả kết quả: 14/07/2025 08:00"));
        assert!(r.sms.contains("Đăng ký kết hôn"));
        assert_eq!(r.template, "receipt-1");
    }

    #[test]
    fn recipients_are_masked() {
        assert_eq!(mask_recipient("an@example.vn"), "a***@example.vn");
        assert_eq!(mask_recipient("0912345678"), "091****678");
        assert_eq!(mask_recipient("123"), "***");
    }

    proptest::proptest! {
        #[test]
        fn filling_never_panics_and_keeps_text_without_placeholders(s in "[^{}]{0,40}") {
            proptest::prop_assert_eq!(fill(&s, &[]).unwrap(), s);
        }
    }
}
