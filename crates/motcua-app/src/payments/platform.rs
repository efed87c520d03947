//! The payment platform's protocol, spoken by the national portal's payment platform and by a
//! province's own gateway alike (docs/FEES.md §"Online payment"): JSON over HTTPS, every message
//! signed with the shared secret.
//!
//! - `POST {base}/giao-dich` opens a transaction and answers the page to send the applicant to
//!   (`UrlThanhToan`);
//! - the platform tells the result twice, both signed: server to server (`POST UrlThongBao`,
//!   JSON) and through the applicant's browser (`GET UrlTraVe?…`);
//! - `POST {base}/hoan-tien` gives a paid transaction back, once per `MaYeuCau`;
//! - `GET {base}/doi-soat?MaDoiTac&Ngay&ChuKy` lists the day's transactions, for reconciliation.
//!
//! The signature (`ChuKy`) is HMAC-SHA256, lower-case hex, over the message's other fields
//! sorted by name and joined as `name=value&…` (the checksum scheme the Vietnamese payment
//! gateways publish, e.g. VNPAY's `vnp_SecureHash`, with SHA-256). HMAC from `ring`, already in
//! the tree for TLS and XML-DSig: no new dependency, and a constant-time comparison.

use std::collections::BTreeMap;

use futures_util::future::BoxFuture;
use motcua_domain::payment::{Outcome, Platform};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{Checkout, Notice, PaymentProvider, ProviderError, ProviderTransaction, RefundRequest, TransactionKind};
use crate::http_client::{self, Post};

/// The signature's field name.
pub const SIGNATURE: &str = "ChuKy";
/// `KetQua` of a successful payment.
pub const SUCCESS: &str = "00";

/// The canonical text signed: every field but the signature, sorted, `name=value&…`.
pub fn canonical(fields: &BTreeMap<String, String>) -> String {
    fields
        .iter()
        .filter(|(k, _)| k.as_str() != SIGNATURE)
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// `ChuKy` of `fields` with `secret`.
pub fn sign(secret: &str, fields: &BTreeMap<String, String>) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    ring::hmac::sign(&key, canonical(fields).as_bytes()).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `fields` carry a valid `ChuKy` (compared in constant time).
pub fn verify(secret: &str, fields: &BTreeMap<String, String>) -> bool {
    let Some(given) = fields.get(SIGNATURE) else { return false };
    let Some(bytes) = crate::input::hex_bytes(given) else { return false };
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    ring::hmac::verify(&key, canonical(fields).as_bytes(), &bytes).is_ok()
}

/// The text field `name` of the platform's answer `v`; refused when it is missing.
fn answered(v: &Value, name: &str) -> Result<String, ProviderError> {
    v.get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| ProviderError::Refused(format!("the platform gave no {name}")))
}

/// `fields` with their `ChuKy` added.
pub fn signed(secret: &str, mut fields: BTreeMap<String, String>) -> BTreeMap<String, String> {
    let s = sign(secret, &fields);
    fields.insert(SIGNATURE.to_owned(), s);
    fields
}

/// A JSON object's fields as text (numbers written as they are), for signing.
pub fn fields_of(v: &Value) -> Option<BTreeMap<String, String>> {
    let o = v.as_object()?;
    Some(
        o.iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                (k.clone(), text)
            })
            .collect(),
    )
}

fn parse_time(s: &str) -> Option<OffsetDateTime> {
    motcua_store::parse_ts(s.trim()).ok()
}

/// A platform reached over HTTP.
pub struct HttpPlatform {
    /// The provider's name in Motcua's records (`dvcqg`, `vnpt-pay`…).
    pub name: String,
    pub platform: Platform,
    /// `https://…/thanhtoan`: the endpoints are under it.
    pub base: String,
    /// Motcua's merchant code on the platform (`MaDoiTac`).
    pub merchant: String,
    pub secret: String,
}

impl HttpPlatform {
    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base.trim_end_matches('/'))
    }

    async fn post_signed(&self, path: &str, fields: BTreeMap<String, String>) -> Result<Value, ProviderError> {
        let body = serde_json::to_string(&signed(&self.secret, fields)).unwrap_or_default();
        let url = self.url(path);
        let a = http_client::post(Post { url: &url, token: "", content_type: "application/json", headers: &[], body })
            .await
            .map_err(ProviderError::Unreachable)?;
        read_answer(a.status, &a.body)
    }
}

/// The platform's answer: `{"error_code": "0", …}` or its refusal.
fn read_answer(status: u16, body: &str) -> Result<Value, ProviderError> {
    let v: Value = serde_json::from_str(body).map_err(|_| {
        if status >= 500 {
            ProviderError::Unreachable(format!("HTTP {status}"))
        } else {
            ProviderError::Refused(format!("HTTP {status}: the answer is not JSON"))
        }
    })?;
    let code = match v.get("error_code") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    match (status, code.as_str()) {
        (200, "0") => Ok(v),
        (500.., _) => Err(ProviderError::Unreachable(format!("HTTP {status}"))),
        _ => Err(ProviderError::Refused(format!(
            "HTTP {status}, error_code {code}: {}",
            v.get("message").and_then(Value::as_str).unwrap_or_default()
        ))),
    }
}

fn map(pairs: &[(&str, String)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
}

impl PaymentProvider for HttpPlatform {
    fn name(&self) -> &str {
        &self.name
    }

    fn platform(&self) -> Platform {
        self.platform
    }

    fn checkout<'a>(&'a self, c: &'a Checkout) -> BoxFuture<'a, Result<String, ProviderError>> {
        Box::pin(async move {
            let fields = map(&[
                ("MaDoiTac", self.merchant.clone()),
                ("MaGiaoDich", c.payment.clone()),
                ("MaHoSo", c.dossier.clone()),
                ("SoTien", c.amount.to_string()),
                ("NoiDung", c.description.clone()),
                ("MaDonVi", c.unit.clone()),
                ("UrlTraVe", c.return_url.clone()),
                ("UrlThongBao", c.notify_url.clone()),
                ("ThoiGian", motcua_store::format_ts(c.at)),
            ]);
            answered(&self.post_signed("giao-dich", fields).await?, "UrlThanhToan")
        })
    }

    fn verify(&self, fields: &BTreeMap<String, String>) -> Result<Notice, ProviderError> {
        if !verify(&self.secret, fields) {
            return Err(ProviderError::Forged);
        }
        let get = |k: &str| fields.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
        if get("MaDoiTac") != self.merchant {
            return Err(ProviderError::Forged);
        }
        let amount = get("SoTien").parse::<i64>().map_err(|_| ProviderError::Malformed("SoTien".into()))?;
        let paid_at =
            parse_time(&get("ThoiGianThanhToan")).ok_or(ProviderError::Malformed("ThoiGianThanhToan".into()))?;
        let payment = get("MaGiaoDich");
        if payment.is_empty() {
            return Err(ProviderError::Malformed("MaGiaoDich".into()));
        }
        let result = get("KetQua");
        Ok(Notice {
            payment,
            outcome: Outcome {
                transaction: get("MaGiaoDichNenTang"),
                amount,
                success: result == SUCCESS,
                paid_at,
                channel: get("KenhThanhToan"),
                message: if result == SUCCESS { String::new() } else { format!("{result}: {}", get("ThongDiep")) },
            },
        })
    }

    fn refund<'a>(&'a self, r: &'a RefundRequest) -> BoxFuture<'a, Result<String, ProviderError>> {
        Box::pin(async move {
            let fields = map(&[
                ("MaDoiTac", self.merchant.clone()),
                ("MaYeuCau", r.payment.clone()),
                ("MaGiaoDichNenTang", r.transaction.clone()),
                ("SoTien", r.amount.to_string()),
                ("LyDo", r.reason.clone()),
                ("ThoiGian", motcua_store::format_ts(r.at)),
            ]);
            answered(&self.post_signed("hoan-tien", fields).await?, "MaGiaoDichHoanTien")
        })
    }

    fn transactions<'a>(&'a self, day: time::Date) -> BoxFuture<'a, Result<Vec<ProviderTransaction>, ProviderError>> {
        Box::pin(async move {
            let fields = signed(&self.secret, map(&[("MaDoiTac", self.merchant.clone()), ("Ngay", day.to_string())]));
            let query: Vec<String> =
                fields.iter().map(|(k, v)| format!("{k}={}", crate::input::urlencode(v))).collect();
            let url = format!("{}?{}", self.url("doi-soat"), query.join("&"));
            let a = http_client::get_large(&url, "", 16 * 1024 * 1024).await.map_err(ProviderError::Unreachable)?;
            let v = read_answer(a.status, &a.body)?;
            let list = v.get("DanhSach").and_then(Value::as_array).cloned().unwrap_or_default();
            list.iter().map(transaction_of).collect()
        })
    }
}

fn transaction_of(v: &Value) -> Result<ProviderTransaction, ProviderError> {
    let text = |k: &str| match v.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let bad = |k: &str| ProviderError::Malformed(format!("DanhSach.{k}"));
    let kind = match text("Loai").as_str() {
        "thanh_toan" if text("KetQua") == SUCCESS => TransactionKind::Payment,
        "thanh_toan" => TransactionKind::Failed,
        "hoan_tien" => TransactionKind::Refund,
        _ => return Err(bad("Loai")),
    };
    Ok(ProviderTransaction {
        kind,
        payment: text("MaGiaoDich"),
        transaction: text("MaGiaoDichNenTang"),
        amount: text("SoTien").parse().map_err(|_| bad("SoTien"))?,
        at: parse_time(&text("ThoiGian")).ok_or_else(|| bad("ThoiGian"))?,
    })
}

/// The JSON a platform sends as its notice of `outcome` (the simulator's side of the protocol,
/// kept next to the reader so both stay one).
pub fn notice_fields(merchant: &str, payment: &str, o: &Outcome, result: &str) -> BTreeMap<String, String> {
    map(&[
        ("MaDoiTac", merchant.to_owned()),
        ("MaGiaoDich", payment.to_owned()),
        ("MaGiaoDichNenTang", o.transaction.clone()),
        ("SoTien", o.amount.to_string()),
        ("KetQua", result.to_owned()),
        ("ThongDiep", o.message.clone()),
        ("KenhThanhToan", o.channel.clone()),
        ("ThoiGianThanhToan", motcua_store::format_ts(o.paid_at)),
    ])
}

/// `{"error_code": "0"}` and friends, the platform's answers.
pub fn platform_answer(code: &str, message: &str) -> Value {
    json!({"error_code": code, "message": message})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_covers_every_field_and_only_the_secret_makes_it() {
        let f = map(&[("SoTien", "100000".into()), ("MaGiaoDich", "TT1".into()), ("KetQua", "00".into())]);
        assert_eq!(canonical(&f), "KetQua=00&MaGiaoDich=TT1&SoTien=100000");
        let s = signed("k", f.clone());
        assert!(verify("k", &s));
        assert!(!verify("other", &s), "another secret");
        let mut changed = s.clone();
        changed.insert("SoTien".into(), "1000".into());
        assert!(!verify("k", &changed), "a changed amount");
        let mut added = s.clone();
        added.insert("Them".into(), "x".into());
        assert!(!verify("k", &added), "an added field");
        assert!(!verify("k", &f), "unsigned");
        let mut bad = s;
        bad.insert(SIGNATURE.into(), "zz".into());
        assert!(!verify("k", &bad), "not hex");
    }

    #[test]
    fn the_platforms_answers_are_read_as_refusals_or_outages() {
        assert!(read_answer(200, r#"{"error_code":"0","UrlThanhToan":"x"}"#).is_ok());
        assert!(
            matches!(read_answer(200, r#"{"error_code":"2","message":"SoTien"}"#), Err(ProviderError::Refused(m)) if m.contains("SoTien"))
        );
        assert!(matches!(read_answer(401, r#"{"error_code":"97"}"#), Err(ProviderError::Refused(_))));
        assert!(matches!(read_answer(503, "<html>"), Err(ProviderError::Unreachable(_))));
        assert!(matches!(read_answer(200, "<html>"), Err(ProviderError::Refused(_))));
    }
}
