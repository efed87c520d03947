//! Minimal server-rendered pages that work without JavaScript: the home page (procedure list
//! with search) and the public lookup form. The full UI is built on top of these.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use motcua_store::catalog::ProcedureQuery;
use serde::Deserialize;

use crate::AppState;
use crate::extract::ApiQuery;

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Formats đồng with dot thousands separators: 1.234.567 đ.
pub fn dong(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    format!("{}{out} đ", if amount < 0 { "-" } else { "" })
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1a1a1a;line-height:1.5}\
header{border-bottom:3px solid #b3261e;margin-bottom:1rem}h1{font-size:1.4rem}table{border-collapse:collapse;width:100%}\
th,td{border-bottom:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}label{display:block;margin:.5rem 0 .2rem}\
input{padding:.4rem;font-size:1rem;max-width:100%}button{padding:.4rem 1rem;font-size:1rem;background:#b3261e;color:#fff;border:0;border-radius:3px}\
.muted{color:#555}.status{font-weight:bold}";

fn page(title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{t} — Motcua</title><style>{STYLE}</style></head><body><header><p><a href=\"/\">Trung tâm Phục vụ Hành chính công</a> · \
         <a href=\"/tra-cuu\">Tra cứu hồ sơ</a> · <a href=\"/api/openapi.json\">API</a></p></header><main><h1>{t}</h1>{body}</main></body></html>",
        t = esc(title)
    );
    (
        [
            (header::CONTENT_SECURITY_POLICY, "default-src 'self'; style-src 'unsafe-inline'; script-src 'none'"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        Html(html),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct HomeQuery {
    q: Option<String>,
}

async fn home(State(state): State<AppState>, ApiQuery(q): ApiQuery<HomeQuery>) -> Response {
    let query = q.q.unwrap_or_default();
    let list = state
        .store
        .procedures(&ProcedureQuery { q: Some(query.clone()).filter(|s| !s.trim().is_empty()), ..Default::default() })
        .await
        .unwrap_or_default();
    let mut rows = String::new();
    for p in &list {
        let time = match (p.processing_days, p.processing_hours) {
            (Some(d), _) => format!("{d} ngày làm việc"),
            (_, Some(h)) => format!("{h} giờ làm việc"),
            _ => String::new(),
        };
        let online = match p.online_level.as_str() {
            "full" => "Toàn trình",
            "partial" => "Một phần",
            _ => "Trực tiếp",
        };
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&p.code),
            esc(&p.name),
            esc(&p.field),
            esc(&time),
            esc(&dong(p.fee_total())),
            online
        ));
    }
    let body = format!(
        "<form method=\"get\" action=\"/\"><label for=\"q\">Tìm thủ tục (có thể gõ không dấu)</label><input id=\"q\" name=\"q\" value=\"{}\" size=\"40\"> <button type=\"submit\">Tìm</button></form>\
         <p class=\"muted\">{} thủ tục</p><table><thead><tr><th>Mã</th><th>Tên thủ tục</th><th>Lĩnh vực</th><th>Thời hạn</th><th>Phí, lệ phí</th><th>Trực tuyến</th></tr></thead><tbody>{rows}</tbody></table>",
        esc(&query),
        list.len()
    );
    page("Danh mục thủ tục hành chính", &body)
}

#[derive(Deserialize)]
pub struct LookupQuery {
    code: Option<String>,
    secret: Option<String>,
}

async fn lookup(State(state): State<AppState>, ApiQuery(q): ApiQuery<LookupQuery>) -> Response {
    let code = q.code.unwrap_or_default().trim().to_owned();
    let secret = q.secret.unwrap_or_default().trim().to_owned();
    let form = format!(
        "<form method=\"get\" action=\"/tra-cuu\"><label for=\"code\">Mã hồ sơ</label><input id=\"code\" name=\"code\" value=\"{}\" required>\
         <label for=\"secret\">Mã bí mật (in trên giấy tiếp nhận)</label><input id=\"secret\" name=\"secret\" value=\"{}\" required> <button type=\"submit\">Tra cứu</button></form>",
        esc(&code),
        esc(&secret)
    );
    if code.is_empty() {
        return page("Tra cứu hồ sơ", &form);
    }
    let found = match state.store.dossier(&code).await {
        Ok((d, hash)) if motcua_domain::code::looks_like_code(&code) && hash == crate::auth::secret_hash(&secret) => {
            Some(d)
        }
        _ => None,
    };
    let result = match found {
        None => "<p role=\"alert\">Không tìm thấy hồ sơ với mã và mã bí mật này. / No dossier with this code and secret.</p>".to_owned(),
        Some(d) => format!(
            "<p>Hồ sơ <strong>{}</strong>: {}</p><p class=\"status\">Trạng thái: {}</p><p>Ngày hẹn trả: {}</p>",
            esc(&d.code),
            esc(&d.procedure_name),
            esc(d.status.label_vi()),
            d.appointment_at.map(crate::views::local_display).unwrap_or_else(|| "chưa có (hồ sơ chưa được tiếp nhận)".into())
        ),
    };
    page("Tra cứu hồ sơ", &format!("{form}{result}"))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home)).route("/tra-cuu", get(lookup))
}

#[cfg(test)]
mod tests {
    #[test]
    fn amounts_in_dong_use_dot_separators() {
        assert_eq!(super::dong(1_234_567), "1.234.567 đ");
        assert_eq!(super::dong(0), "0 đ");
        assert_eq!(super::dong(50_000), "50.000 đ");
    }
}
