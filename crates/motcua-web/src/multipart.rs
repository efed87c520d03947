//! Reading a `multipart/form-data` body within bounds, for the pages' upload forms and the JSON
//! API's uploads alike: text values by name (cut at a cap), files in order with their cleaned
//! names, each kept only up to [`MAX_FILE`] (a larger one keeps its size, to be refused whole).
//! What is accepted as a file is the application's rule (`motcua_app::files`).

use std::collections::HashMap;

use axum::extract::Multipart;
use axum::extract::multipart::{Field, MultipartError};
use axum::http::StatusCode;

pub use motcua_app::files::MAX_FILE;

/// Largest accepted request body of an upload route (files plus the form's text and framing).
pub const MAX_BODY: usize = 35 * 1024 * 1024;
/// More parts than any of our forms has (a procedure lists at most a few dozen documents).
const MAX_PARTS: usize = 128;
/// File names are kept to this many characters (document names must stay under 500 bytes).
const MAX_NAME_CHARS: usize = 100;

/// A file part as sent. `data` is empty when the file was over [`MAX_FILE`] (only its size is
/// known then).
pub struct Upload {
    /// Form field name.
    pub field: String,
    /// Cleaned file name (no path, no control characters).
    pub name: String,
    pub size: usize,
    pub data: Vec<u8>,
}

impl Upload {
    /// Checks the file against the application's rules (`label` names it in messages).
    pub fn accept(
        self,
        label: motcua_app::files::Label<'_>,
    ) -> motcua_app::error::AppResult<motcua_app::files::Accepted> {
        motcua_app::files::check(self.name, self.size, self.data, label)
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
    /// Whether a text value named `name` was sent.
    pub fn has_text(&self, name: &str) -> bool {
        self.text.contains_key(name)
    }
    /// The names of the text values sent.
    pub fn text_names(&self) -> impl Iterator<Item = &str> {
        self.text.keys().map(String::as_str)
    }
    /// Takes the files sent under `field` out of the form.
    pub fn take_files(&mut self, field: &str) -> Vec<Upload> {
        let (taken, rest) = std::mem::take(&mut self.files).into_iter().partition(|f| f.field == field);
        self.files = rest;
        taken
    }
}

/// Why a multipart body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormError {
    /// Over the route's body limit.
    TooLarge,
    /// More than [`MAX_PARTS`] parts.
    TooManyParts,
    /// Not a well-formed multipart body.
    Unreadable,
}

/// A page's form, urlencoded or multipart (when it carries files): its text values in order and
/// its files. A body that is neither is [`FormError::Unreadable`].
pub async fn read_page_form<S: Send + Sync>(
    req: axum::extract::Request,
    state: &S,
    text_cap: usize,
) -> Result<(Vec<(String, String)>, Vec<Upload>), FormError> {
    use axum::extract::FromRequest;
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        let axum::Form(pairs) = axum::Form::<Vec<(String, String)>>::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE { FormError::TooLarge } else { FormError::Unreadable }
        })?;
        return Ok((pairs, Vec::new()));
    }
    let m = Multipart::from_request(req, state).await.map_err(|_| FormError::Unreadable)?;
    let form = read(m, text_cap).await?;
    let mut pairs: Vec<(String, String)> = form.text.into_iter().collect();
    pairs.sort();
    Ok((pairs, form.files))
}

fn form_error(e: &MultipartError) -> FormError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return FormError::TooLarge;
    }
    tracing::debug!(error = %e, "unreadable multipart body");
    FormError::Unreadable
}

/// Reads the whole form, keeping at most [`MAX_FILE`] bytes per file and `text_cap` per text
/// value (longer values are cut; every text field has a smaller limit that then refuses the value
/// with a clear message). The body itself is bounded by the route's [`MAX_BODY`]. File inputs
/// left empty are skipped.
pub async fn read(mut mp: Multipart, text_cap: usize) -> Result<Form, FormError> {
    let mut form = Form::default();
    let mut parts = 0;
    while let Some(mut field) = mp.next_field().await.map_err(|e| form_error(&e))? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(FormError::TooManyParts);
        }
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file_name) => {
                let (data, size) = read_capped(&mut field, MAX_FILE, false).await.map_err(|e| form_error(&e))?;
                if file_name.is_empty() && size == 0 {
                    continue;
                }
                form.files.push(Upload { field: name, name: clean_name(&file_name), size, data });
            }
            None => {
                let (data, _) = read_capped(&mut field, text_cap, true).await.map_err(|e| form_error(&e))?;
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

#[cfg(test)]
mod tests {
    use super::*;

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
