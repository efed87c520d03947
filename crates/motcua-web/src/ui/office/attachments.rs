//! Which files a document may carry: PDF, JPEG, PNG (recognised as for dossier uploads) and DOCX
//! (a ZIP holding `word/`), at most 10 MB each and 30 MB per form, recognised by their bytes,
//! never by the name or the declared type.

use axum::http::StatusCode;

use crate::ui::Lang;
use crate::ui::error::UiError;
use crate::ui::portal::upload::{FileType, MAX_FILE, MAX_TOTAL, Upload};
use motcua_app::documents::NewAttachment;

/// The form field of attachment inputs.
pub const FIELD: &str = "tep";

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The content type of an accepted file, by its first bytes.
pub fn sniff(data: &[u8]) -> Option<&'static str> {
    if let Some(t) = FileType::sniff(data) {
        return Some(t.content_type());
    }
    // A DOCX is a ZIP whose entries live under `word/`; entry names are stored uncompressed.
    let zip = data.starts_with(b"PK\x03\x04");
    (zip && data.windows(5).any(|w| w == b"word/")).then_some(DOCX)
}

fn refused(lang: Lang, vi: String, en: String) -> UiError {
    UiError::new(StatusCode::UNPROCESSABLE_ENTITY, lang, vi, en)
}

/// Checks the uploaded files; the first refused one refuses the whole form.
pub fn check(files: Vec<Upload>, lang: Lang) -> Result<Vec<NewAttachment>, UiError> {
    let total: usize = files.iter().map(|f| f.size).sum();
    if total > MAX_TOTAL {
        return Err(refused(
            lang,
            "Tổng dung lượng các tệp vượt quá 30 MB.".into(),
            "The files add up to more than 30 MB.".into(),
        ));
    }
    let mut out = Vec::new();
    for u in files {
        let name = if u.name.is_empty() { "tep".to_owned() } else { u.name };
        if u.size > MAX_FILE {
            return Err(refused(
                lang,
                format!("Tệp “{name}” lớn hơn 10 MB."),
                format!("The file “{name}” is larger than 10 MB."),
            ));
        }
        if u.size == 0 {
            return Err(refused(lang, format!("Tệp “{name}” rỗng."), format!("The file “{name}” is empty.")));
        }
        let Some(content_type) = sniff(&u.data) else {
            return Err(refused(
                lang,
                format!("Tệp “{name}” không phải PDF, JPG, PNG hoặc DOCX."),
                format!("The file “{name}” is not a PDF, JPEG, PNG or DOCX file."),
            ));
        };
        out.push(NewAttachment { name, content_type: content_type.to_owned(), data: u.data });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_documents_are_recognised_by_their_zip_entries_and_other_zips_are_not() {
        assert_eq!(sniff(b"PK\x03\x04....word/document.xml"), Some(DOCX));
        assert_eq!(sniff(b"PK\x03\x04....xl/workbook.xml"), None);
        assert_eq!(sniff(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(sniff(b"MZ"), None);
    }
}
