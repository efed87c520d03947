//! The HTML error page: a clear bilingual message with the right 4xx status, never internals.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::session::Lang;

/// An error shown as a page.
#[derive(Debug, Clone)]
pub struct UiError {
    pub status: StatusCode,
    pub message_vi: String,
    pub message_en: String,
    pub lang: Lang,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    e: &'a UiError,
    status: u16,
}

impl UiError {
    pub fn new(status: StatusCode, lang: Lang, vi: impl Into<String>, en: impl Into<String>) -> Self {
        UiError { status, message_vi: vi.into(), message_en: en.into(), lang }
    }

    /// A page form that could not be read: too large (413) or malformed (400).
    pub fn form(e: crate::multipart::FormError, lang: Lang) -> Self {
        match e {
            crate::multipart::FormError::TooLarge => UiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                lang,
                "Tệp quá lớn (tối đa 10 MB mỗi tệp).",
                "The file is too large (at most 10 MB each).",
            ),
            _ => UiError::new(
                StatusCode::BAD_REQUEST,
                lang,
                "Biểu mẫu không hợp lệ. Vui lòng tải lại trang và thử lại.",
                "The form is invalid. Reload the page and try again.",
            ),
        }
    }
    pub fn not_found(lang: Lang) -> Self {
        Self::new(StatusCode::NOT_FOUND, lang, "Không tìm thấy trang hoặc hồ sơ.", "Page or dossier not found.")
    }
    pub fn forbidden(lang: Lang) -> Self {
        Self::new(StatusCode::FORBIDDEN, lang, "Bạn không có quyền thực hiện thao tác này.", "You may not do this.")
    }
    pub fn csrf(lang: Lang) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            lang,
            "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại.",
            "The form expired or is invalid. Reload the page and try again.",
        )
    }
    pub fn internal(lang: Lang) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            lang,
            "Lỗi hệ thống; đã ghi nhận.",
            "Internal error; it has been logged.",
        )
    }
    /// The same error shown in `lang`.
    pub fn in_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }
    /// The message in the page language.
    pub fn message(&self) -> &str {
        match self.lang {
            Lang::Vi => &self.message_vi,
            Lang::En => &self.message_en,
        }
    }
}

/// Every error a page handler meets (a use case's, the store's, the domain's, an API helper's)
/// becomes a page through [`crate::error::ApiError`], so the status is chosen in one place.
macro_rules! ui_error_from {
    ($($t:ty),*) => {$(
        impl From<$t> for UiError {
            fn from(e: $t) -> Self {
                crate::error::ApiError::from(e).into()
            }
        }
    )*};
}
ui_error_from!(motcua_store::StoreError, motcua_domain::DomainError, motcua_app::error::Error);

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        let page = ErrorPage { e: &self, status: self.status.as_u16() };
        let mut res = super::render_status(self.status, &page);
        // The error travels with its page, so the session layer can show it in the visitor's
        // language whatever language the handler built it in (`in_visitor_lang`).
        res.extensions_mut().insert(self);
        res
    }
}

/// The page language travels with the request: an error page built in another language than
/// the visitor's (a `?` on a store or use-case error starts in Vietnamese) is shown again in
/// `lang`. Called by the session layer on every page response.
pub fn in_visitor_lang(res: Response, lang: Lang) -> Response {
    match res.extensions().get::<UiError>() {
        Some(e) if e.lang != lang => e.clone().in_lang(lang).into_response(),
        _ => res,
    }
}

pub use motcua_app::input::urlencode;

impl From<crate::error::ApiError> for UiError {
    fn from(api: crate::error::ApiError) -> Self {
        UiError::new(api.status, Lang::Vi, api.body.message_vi, api.body.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_error_page_follows_the_visitors_language() {
        let e =
            UiError::new(StatusCode::CONFLICT, Lang::Vi, "Hồ sơ vừa được cập nhật.", "The dossier changed meanwhile.");
        let body = |r: Response| async move {
            let b = axum::body::to_bytes(r.into_body(), usize::MAX).await.unwrap();
            String::from_utf8(b.to_vec()).unwrap()
        };
        let shown = in_visitor_lang(e.clone().into_response(), Lang::En);
        assert_eq!(shown.status(), StatusCode::CONFLICT);
        let html = body(shown).await;
        assert!(html.contains("The dossier changed meanwhile.") && !html.contains("Hồ sơ vừa"), "{html}");
        let kept = body(in_visitor_lang(e.into_response(), Lang::Vi)).await;
        assert!(kept.contains("Hồ sơ vừa được cập nhật."), "{kept}");
        let other = in_visitor_lang(StatusCode::OK.into_response(), Lang::En);
        assert_eq!(other.status(), StatusCode::OK, "other responses pass through");
    }
}
