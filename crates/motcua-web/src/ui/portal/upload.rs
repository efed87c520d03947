//! Citizen uploads: reading a `multipart/form-data` form within bounds, recognising PDF, JPEG and
//! PNG by their first bytes (the declared type and the file name are the browser's word, not
//! proof), the per-file and per-form limits, and the files to store with the write naming them.

use std::collections::HashMap;

use axum::extract::Multipart;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::http::StatusCode;
use motcua_domain::dossier::DocumentRecord;
use motcua_store::web::NewFile;

use crate::ui::Lang;
use crate::ui::error::UiError;

/// Largest accepted file.
pub const MAX_FILE: usize = 10 * 1024 * 1024;
/// Largest accepted total of the files of one form.
pub const MAX_TOTAL: usize = 30 * 1024 * 1024;
/// Largest accepted request body of an upload route (files plus the form's text and framing).
pub const MAX_BODY: usize = 35 * 1024 * 1024;
/// Longer text values are cut here; every text field has a smaller domain limit that then refuses
/// the value with a clear message.
const MAX_TEXT: usize = 8 * 1024;
/// More parts than any of our forms has (a procedure lists at most a few dozen documents).
const MAX_PARTS: usize = 128;
/// File names are kept to this many characters (document names must stay under 500 bytes).
const MAX_NAME_CHARS: usize = 100;

/// The file types citizens may upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Pdf,
    Jpeg,
    Png,
}

impl FileType {
    /// Recognises a file by its signature ("magic bytes").
    pub fn sniff(data: &[u8]) -> Option<FileType> {
        if data.starts_with(b"%PDF-") {
            Some(FileType::Pdf)
        } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileType::Jpeg)
        } else if data.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(FileType::Png)
        } else {
            None
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            FileType::Pdf => "pdf",
            FileType::Jpeg => "jpg",
            FileType::Png => "png",
        }
    }
}

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

/// A file part as the browser sent it. `data` is empty when the file was over [`MAX_FILE`]
/// (only its size is known then).
pub struct Upload {
    /// Form field name.
    pub field: String,
    /// Cleaned file name (no path, no control characters).
    pub name: String,
    pub size: usize,
    pub data: Vec<u8>,
}

/// A file that passed the checks, ready to store.
pub struct Accepted {
    pub id: String,
    pub name: String,
    pub kind: FileType,
    pub data: Vec<u8>,
}

impl Accepted {
    /// The dossier's record of this file.
    pub fn record(&self, document_name: &str) -> DocumentRecord {
        DocumentRecord { name: document_name.to_owned(), digitized: true, reused: false, file: Some(self.id.clone()) }
    }

    /// The file to store with the write that names it (its owner is set by that write).
    pub fn into_file(self) -> NewFile {
        NewFile::new(self.id, "document", self.name, self.kind.content_type(), self.data)
    }
}

/// A form read from a multipart body: text values by name, files in order.
#[derive(Default)]
pub struct Form {
    text: HashMap<String, String>,
    pub files: Vec<Upload>,
}

impl Form {
    /// A text value, or "" when absent.
    pub fn text(&self, name: &str) -> &str {
        self.text.get(name).map(String::as_str).unwrap_or("")
    }
    /// Takes the files sent under `field` out of the form.
    pub fn take_files(&mut self, field: &str) -> Vec<Upload> {
        let (taken, rest) = std::mem::take(&mut self.files).into_iter().partition(|f| f.field == field);
        self.files = rest;
        taken
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

fn unreadable(lang: Lang, e: &MultipartError) -> UiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return UiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            lang,
            "Dữ liệu gửi lên quá lớn: mỗi tệp tối đa 10 MB, tổng cộng tối đa 30 MB.",
            "Too much data: at most 10 MB per file and 30 MB in total.",
        );
    }
    tracing::debug!(error = %e, "unreadable multipart body");
    UiError::new(
        StatusCode::BAD_REQUEST,
        lang,
        "Không đọc được biểu mẫu gửi lên. Vui lòng thử lại.",
        "The form could not be read. Please try again.",
    )
}

/// Reads the whole form, keeping at most [`MAX_FILE`] bytes per file and [`MAX_TEXT`] per text
/// value (the body itself is bounded by the route's [`MAX_BODY`]). File inputs left empty are
/// skipped.
pub async fn read(mut mp: Multipart, lang: Lang) -> Result<Form, UiError> {
    let mut form = Form::default();
    let mut parts = 0;
    while let Some(mut field) = mp.next_field().await.map_err(|e| unreadable(lang, &e))? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(UiError::new(
                StatusCode::BAD_REQUEST,
                lang,
                "Biểu mẫu có quá nhiều mục.",
                "The form has too many parts.",
            ));
        }
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file_name) => {
                let (data, size) = read_capped(&mut field, MAX_FILE, false).await.map_err(|e| unreadable(lang, &e))?;
                if file_name.is_empty() && size == 0 {
                    continue;
                }
                form.files.push(Upload { field: name, name: clean_name(&file_name), size, data });
            }
            None => {
                let (data, _) = read_capped(&mut field, MAX_TEXT, true).await.map_err(|e| unreadable(lang, &e))?;
                form.text.insert(name, String::from_utf8_lossy(&data).into_owned());
            }
        }
    }
    Ok(form)
}

/// Reads a part, keeping at most `cap` bytes: a prefix (`keep_prefix`, for text) or nothing (for
/// files, which are refused whole). Returns the kept bytes and the full size.
async fn read_capped(field: &mut Field<'_>, cap: usize, keep_prefix: bool) -> Result<(Vec<u8>, usize), MultipartError> {
    let mut data = Vec::new();
    let mut size = 0usize;
    while let Some(chunk) = field.chunk().await? {
        size = size.saturating_add(chunk.len());
        let room = cap.saturating_sub(data.len());
        if size <= cap || keep_prefix {
            data.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
    }
    if size > cap && !keep_prefix {
        data = Vec::new();
    }
    Ok((data, size))
}

/// The last path component, without control characters or quotes, at most
/// [`MAX_NAME_CHARS`] characters.
fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String =
        base.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>')).collect::<String>().trim().to_owned();
    if cleaned.chars().count() <= MAX_NAME_CHARS {
        return cleaned;
    }
    // Keep the extension when cutting a long name.
    let ext: String = match cleaned.rsplit_once('.') {
        Some((_, e)) if e.chars().count() <= 5 => format!(".{e}"),
        _ => String::new(),
    };
    let head: String = cleaned.chars().take(MAX_NAME_CHARS - ext.chars().count()).collect();
    format!("{head}{ext}")
}

/// Checks one upload; `label` names it in messages (the document it stands for, or its file).
pub fn check(u: Upload, field: &str, label: &str) -> Result<Accepted, Problem> {
    let shown = if u.name.is_empty() { label } else { u.name.as_str() };
    if u.size > MAX_FILE {
        return Err(Problem::new(
            field,
            format!("{label}: tệp “{shown}” lớn hơn 10 MB. Hãy chọn tệp nhỏ hơn (ví dụ quét ở độ phân giải thấp hơn)."),
            format!(
                "{label}: the file “{shown}” is larger than 10 MB. Choose a smaller file (e.g. scan at a lower resolution)."
            ),
        ));
    }
    if u.size == 0 {
        return Err(Problem::new(
            field,
            format!("{label}: tệp “{shown}” rỗng."),
            format!("{label}: the file “{shown}” is empty."),
        ));
    }
    let Some(kind) = FileType::sniff(&u.data) else {
        return Err(Problem::new(
            field,
            format!("{label}: tệp “{shown}” không phải PDF, JPG hoặc PNG. Chỉ nhận tệp PDF, JPG, PNG."),
            format!("{label}: the file “{shown}” is not a PDF, JPEG or PNG file. Only PDF, JPEG and PNG are accepted."),
        ));
    };
    let name = if u.name.is_empty() { format!("tep.{}", kind.extension()) } else { u.name };
    let mut id = crate::auth::new_token();
    id.truncate(32);
    Ok(Accepted { id, name, kind, data: u.data })
}

/// The problem when the accepted files together exceed [`MAX_TOTAL`].
pub fn check_total(files: &[Accepted]) -> Option<Problem> {
    let total: usize = files.iter().map(|f| f.data.len()).sum();
    (total > MAX_TOTAL).then(|| {
        Problem::new(
            "",
            "Tổng dung lượng các tệp vượt quá 30 MB. Hãy giảm dung lượng tệp (ví dụ quét ở độ phân giải thấp hơn).",
            "The files add up to more than 30 MB. Make them smaller (e.g. scan at a lower resolution).",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_recognised_by_their_first_bytes_not_their_names() {
        assert_eq!(FileType::sniff(b"%PDF-1.7\n..."), Some(FileType::Pdf));
        assert_eq!(FileType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]), Some(FileType::Jpeg));
        assert_eq!(FileType::sniff(b"\x89PNG\r\n\x1a\n\0\0"), Some(FileType::Png));
        assert_eq!(FileType::sniff(b"MZ\x90\0 a Windows program"), None);
        assert_eq!(FileType::sniff(b"just text named .pdf"), None);
        assert_eq!(FileType::sniff(b""), None);
    }

    #[test]
    fn problems_read_as_sentences() {
        let p = Problem::new("name", "cần nhập họ tên", "đ is kept");
        assert_eq!((p.vi.as_str(), p.en.as_str()), ("Cần nhập họ tên", "Đ is kept"));
    }

    #[test]
    fn file_names_lose_their_path_and_control_characters_and_keep_their_extension_when_cut() {
        assert_eq!(clean_name("C:\\Users\\an\\to khai.pdf"), "to khai.pdf");
        assert_eq!(clean_name("../../etc/\"passwd\"\r\n"), "passwd");
        let long = format!("{}.pdf", "a".repeat(300));
        let cut = clean_name(&long);
        assert_eq!(cut.chars().count(), MAX_NAME_CHARS);
        assert!(cut.ends_with(".pdf"));
    }
}
