//! Uploaded files (a submission's documents, a supplement, an approved result): what is
//! accepted — PDF, JPEG and PNG recognised by their first bytes (the declared type and the file
//! name are the sender's word, not proof), at most [`MAX_FILE`] each and [`MAX_TOTAL`] in all —
//! and the `files` row each becomes, stored with the write that names it. The pages and the JSON
//! API both take uploads through here, so one rule answers both.

use motcua_domain::ErrorCode;
use motcua_domain::dossier::actions::Action;
use motcua_domain::dossier::digitization::{Provenance, Source};
use motcua_domain::dossier::{Actor, DocumentRecord};
use motcua_store::web::NewFile;
use time::OffsetDateTime;

use crate::error::{AppResult, Error, Kind};

/// Largest accepted file.
pub const MAX_FILE: usize = 10 * 1024 * 1024;
/// Largest accepted total of the files of one request.
pub const MAX_TOTAL: usize = 30 * 1024 * 1024;

/// `files.kind` of a dossier's component documents (a submission's or a supplement's).
pub const DOCUMENT: &str = "document";
/// `files.kind` of a dossier's result.
pub const RESULT: &str = "result";

/// The file types accepted.
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

/// What a file stands for in messages, in Vietnamese and English (e.g. the document's name).
#[derive(Debug, Clone, Copy)]
pub struct Label<'a> {
    pub vi: &'a str,
    pub en: &'a str,
}

impl<'a> Label<'a> {
    /// The same words in both languages (a document's name, which is Vietnamese).
    pub fn same(s: &'a str) -> Label<'a> {
        Label { vi: s, en: s }
    }
}

/// A file that passed the checks, ready to store.
pub struct Accepted {
    pub id: String,
    pub name: String,
    pub kind: FileType,
    pub data: Vec<u8>,
    /// The dossier's document this file is the scan of (a reception's scans, [`attach`]).
    pub document: Option<String>,
}

/// The provenance of the files `actor` hands in at `at` (issue 16): the applicant's uploads are
/// online, an officer's are scans at the counter.
pub fn handed_in(actor: &Actor, at: OffsetDateTime) -> Provenance {
    let source = if matches!(actor, Actor::Applicant) { Source::Online } else { Source::Counter };
    Provenance { source, by: actor.name().to_owned(), at }
}

impl Accepted {
    /// The dossier's record of this file as the document `document_name`: digitized, since the
    /// stored file is the electronic copy, with where it came from.
    pub fn record(&self, document_name: &str, provenance: Provenance) -> DocumentRecord {
        DocumentRecord::backed(document_name, self.id.clone(), provenance)
    }

    /// This file as the scan of the dossier's document `name`.
    pub fn scanning(mut self, name: &str) -> Accepted {
        self.document = Some(name.to_owned());
        self
    }

    /// The `files` row of kind `kind` ([`DOCUMENT`], [`RESULT`]) to store with the write that
    /// names it (its owner is set by that write).
    pub fn into_file(self, kind: &str) -> NewFile {
        NewFile::new(self.id, kind, self.name, self.kind.content_type(), self.data)
    }
}

/// Checks one upload: `name` as sent (already without a path), `size` its full size (`data` is
/// empty when it was over [`MAX_FILE`] and not kept). `label` names it in messages.
pub fn check(name: String, size: usize, data: Vec<u8>, label: Label<'_>) -> AppResult<Accepted> {
    let shown = if name.is_empty() { label.vi } else { name.as_str() };
    if size > MAX_FILE {
        return Err(Error::new(
            Kind::TooLarge,
            ErrorCode::FileTooLarge,
            format!(
                "{}: the file “{shown}” is larger than 10 MB. Choose a smaller file (e.g. scan at a lower resolution).",
                label.en
            ),
            format!(
                "{}: tệp “{shown}” lớn hơn 10 MB. Hãy chọn tệp nhỏ hơn (ví dụ quét ở độ phân giải thấp hơn).",
                label.vi
            ),
        ));
    }
    if size == 0 {
        return Err(Error::unprocessable(
            ErrorCode::FileEmpty,
            format!("{}: the file “{shown}” is empty.", label.en),
            format!("{}: tệp “{shown}” rỗng.", label.vi),
        ));
    }
    let Some(kind) = FileType::sniff(&data) else {
        return Err(Error::unprocessable(
            ErrorCode::FileTypeNotAccepted,
            format!(
                "{}: the file “{shown}” is not a PDF, JPEG or PNG file. Only PDF, JPEG and PNG are accepted.",
                label.en
            ),
            format!("{}: tệp “{shown}” không phải PDF, JPG hoặc PNG. Chỉ nhận tệp PDF, JPG, PNG.", label.vi),
        ));
    };
    let name = if name.is_empty() { format!("tep.{}", kind.extension()) } else { name };
    let mut id = crate::auth::new_token();
    id.truncate(32);
    Ok(Accepted { id, name, kind, data, document: None })
}

/// Most files one supplement may carry.
pub const MAX_SUPPLEMENT_FILES: usize = 10;
/// Most scans one reception may carry (one per document; a procedure lists a few dozen at most).
pub const MAX_SCANS: usize = 60;

/// Attaches accepted `files` to `action` and answers the rows to store with it (in its
/// transaction): an approval takes one file, its electronic result (so the result is digitized
/// by fact, not by a tick); a supplement takes up to [`MAX_SUPPLEMENT_FILES`], each listed as a
/// handed-in document under its file name, from `by`; a reception takes the scans of its
/// documents ([`Accepted::scanning`]). Any other action takes none. A document may not name a
/// file or a provenance it did not upload (neither is ever taken from the sender).
pub fn attach(action: &mut Action, files: Vec<Accepted>, by: &Provenance) -> AppResult<Vec<NewFile>> {
    check_total(&files)?;
    let too_many = |most: usize, en: &str, vi: &str| {
        Error::unprocessable(
            ErrorCode::TooManyFiles,
            format!("{en} carries at most {most} file(s)"),
            format!("{vi} chỉ kèm tối đa {most} tệp"),
        )
    };
    match action {
        Action::Approve(a) if !files.is_empty() => {
            if files.len() > 1 {
                return Err(too_many(1, "an approval", "phê duyệt"));
            }
            a.result_file = files.first().map(|f| f.id.clone());
            Ok(files.into_iter().map(|f| f.into_file(RESULT)).collect())
        }
        Action::Receive(r) if !files.is_empty() => {
            if files.len() > MAX_SCANS {
                return Err(too_many(MAX_SCANS, "a reception", "khi tiếp nhận"));
            }
            let mut scans = Vec::with_capacity(files.len());
            for f in &files {
                let Some(document) = &f.document else {
                    return Err(Error::bad_request(
                        ErrorCode::UnexpectedFile,
                        format!("the file “{}” is not the scan of a document of the dossier", f.name),
                        format!("tệp “{}” không phải bản quét của một giấy tờ trong hồ sơ", f.name),
                    ));
                };
                scans.push((document.clone(), f.id.clone()));
            }
            r.scans = scans;
            Ok(files.into_iter().map(|f| f.into_file(DOCUMENT)).collect())
        }
        Action::Supplement(s) => {
            if s.documents.iter().any(|d| d.file.is_some() || d.provenance.is_some()) {
                return Err(Error::bad_request(
                    ErrorCode::UnexpectedFile,
                    "a supplement's document names its file by uploading it, not by an id",
                    "giấy tờ bổ sung phải được tải lên, không ghi mã tệp",
                ));
            }
            if files.len() > MAX_SUPPLEMENT_FILES {
                return Err(too_many(MAX_SUPPLEMENT_FILES, "a supplement", "mỗi lần bổ sung"));
            }
            s.documents.extend(files.iter().map(|f| f.record(&f.name, by.clone())));
            Ok(files.into_iter().map(|f| f.into_file(DOCUMENT)).collect())
        }
        _ if files.is_empty() => Ok(Vec::new()),
        other => Err(Error::bad_request(
            ErrorCode::UnexpectedFile,
            format!("the action '{}' takes no file", other.kind().as_str()),
            format!("thao tác '{}' không kèm tệp", other.kind().as_str()),
        )),
    }
}

/// Refuses accepted files that together exceed [`MAX_TOTAL`].
pub fn check_total(files: &[Accepted]) -> AppResult<()> {
    let total: usize = files.iter().map(|f| f.data.len()).sum();
    if total > MAX_TOTAL {
        return Err(Error::new(
            Kind::TooLarge,
            ErrorCode::FilesTooLarge,
            "The files add up to more than 30 MB. Make them smaller (e.g. scan at a lower resolution).",
            "Tổng dung lượng các tệp vượt quá 30 MB. Hãy giảm dung lượng tệp (ví dụ quét ở độ phân giải thấp hơn).",
        ));
    }
    Ok(())
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
    fn a_file_is_refused_when_too_large_empty_or_of_another_type_and_named_when_unnamed() {
        let label = Label { vi: "Tờ khai", en: "Form" };
        let code = |r: AppResult<Accepted>| r.err().map(|e| e.code);
        assert_eq!(code(check("a.pdf".into(), MAX_FILE + 1, Vec::new(), label)), Some(ErrorCode::FileTooLarge));
        assert_eq!(code(check("a.pdf".into(), 0, Vec::new(), label)), Some(ErrorCode::FileEmpty));
        assert_eq!(code(check("a.pdf".into(), 4, b"MZ\x90\0".to_vec(), label)), Some(ErrorCode::FileTypeNotAccepted));
        let ok = check(String::new(), 8, b"%PDF-1.7".to_vec(), label).unwrap();
        assert_eq!((ok.name.as_str(), ok.id.len()), ("tep.pdf", 32));
        let by = handed_in(&Actor::Applicant, OffsetDateTime::UNIX_EPOCH);
        assert!(ok.record("Tờ khai", by.clone()).digitized());
        assert_eq!(by.source, Source::Online);
        let big = || Accepted {
            id: String::new(),
            name: String::new(),
            kind: FileType::Pdf,
            data: vec![0; MAX_FILE],
            document: None,
        };
        assert!(check_total(&[big(), big(), big()]).is_ok());
        assert_eq!(check_total(&[big(), big(), big(), big()]).err().map(|e| e.code), Some(ErrorCode::FilesTooLarge));
    }
}
