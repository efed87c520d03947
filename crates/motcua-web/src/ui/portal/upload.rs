//! Citizen uploads on the pages: the form read within bounds ([`crate::multipart`]), each file
//! checked by the application's rules (`motcua_app::files`) and every refusal turned into a
//! [`Problem`] shown beside its input.

use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::StatusCode;
use motcua_app::files::Label;

pub use crate::multipart::{Form, MAX_BODY, MAX_FILE, Upload};
pub use motcua_app::files::{Accepted, DOCUMENT, FileType, MAX_TOTAL};

use crate::multipart::FormError;
use crate::ui::Lang;
use crate::ui::error::UiError;

/// Longer text values are cut here; every text field has a smaller domain limit that then refuses
/// the value with a clear message.
const MAX_TEXT: usize = 8 * 1024;

/// One problem with what the citizen sent, in both languages, tied to a form field (the id of
/// the input it is about, or empty for the whole form).
#[derive(Debug, Clone)]
pub struct Problem {
    pub field: String,
    pub vi: String,
    pub en: String,
}

impl Problem {
    /// A problem; messages are shown as sentences (domain messages start in lower case).
    pub fn new(field: &str, vi: impl Into<String>, en: impl Into<String>) -> Problem {
        Problem { field: field.to_owned(), vi: sentence(vi.into()), en: sentence(en.into()) }
    }
    /// The message in `lang`.
    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }
}

/// `s` with an upper-case first letter.
fn sentence(s: String) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) if first.is_lowercase() => first.to_uppercase().chain(chars).collect(),
        _ => s,
    }
}

/// Why a multipart body could not be read at all.
pub fn rejected(lang: Lang, e: &MultipartRejection) -> UiError {
    tracing::debug!(error = %e, "multipart rejection");
    UiError::new(
        StatusCode::BAD_REQUEST,
        lang,
        "Biểu mẫu gửi lên không hợp lệ. Vui lòng tải lại trang và thử lại.",
        "The form could not be read. Reload the page and try again.",
    )
}

fn unreadable(lang: Lang, e: FormError) -> UiError {
    match e {
        FormError::TooLarge => UiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            lang,
            "Dữ liệu gửi lên quá lớn: mỗi tệp tối đa 10 MB, tổng cộng tối đa 30 MB.",
            "Too much data: at most 10 MB per file and 30 MB in total.",
        ),
        FormError::TooManyParts => {
            UiError::new(StatusCode::BAD_REQUEST, lang, "Biểu mẫu có quá nhiều mục.", "The form has too many parts.")
        }
        FormError::Unreadable => UiError::new(
            StatusCode::BAD_REQUEST,
            lang,
            "Không đọc được biểu mẫu gửi lên. Vui lòng thử lại.",
            "The form could not be read. Please try again.",
        ),
    }
}

/// Reads the whole form (text values cut at 8 KiB).
pub async fn read(mp: Multipart, lang: Lang) -> Result<Form, UiError> {
    crate::multipart::read(mp, MAX_TEXT).await.map_err(|e| unreadable(lang, e))
}

/// Checks one upload; `label` names it in messages (the document it stands for, or its file).
pub fn check(u: Upload, field: &str, label: &str) -> Result<Accepted, Problem> {
    u.accept(Label::same(label)).map_err(|e| Problem::new(field, e.message_vi, e.message))
}

/// The problem when the accepted files together exceed [`MAX_TOTAL`].
pub fn check_total(files: &[Accepted]) -> Option<Problem> {
    motcua_app::files::check_total(files).err().map(|e| Problem::new("", e.message_vi, e.message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_read_as_sentences() {
        let p = Problem::new("name", "cần nhập họ tên", "đ is kept");
        assert_eq!((p.vi.as_str(), p.en.as_str()), ("Cần nhập họ tên", "Đ is kept"));
    }
}
