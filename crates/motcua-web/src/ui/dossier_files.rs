//! The documents of a dossier with links to their stored files, and the file list, as the
//! officer console and the counter desk both show them (issue 14: the receiver opens every
//! uploaded file before accepting). Downloads go through `GET /can-bo/tep/{id}`, which checks
//! that the officer may see the file's dossier.

use motcua_domain::dossier::Dossier;
use motcua_store::web::FileMeta;

use crate::ui::Lang;

/// A document of the dossier, with the link to its file when one is stored.
pub(crate) struct DocRow {
    pub name: String,
    pub digitized: bool,
    pub reused: bool,
    /// Where the electronic copy came from, who stored it and when (issue 16), e.g. "Số hóa tại
    /// quầy · tiepnhan · 10/03/2025 09:00"; empty without one.
    pub origin: String,
    pub href: Option<String>,
}

/// A stored file of the dossier.
pub(crate) struct FileRow {
    pub name: String,
    pub kind: &'static str,
    pub size: String,
    pub href: String,
    /// A result's public verification page (issue 16 item 4).
    pub verify: Option<String>,
}

/// The dossier's documents, each linked to its stored file if it has one.
pub(crate) fn document_rows(d: &Dossier, files: &[FileMeta]) -> Vec<DocRow> {
    d.documents
        .iter()
        .map(|doc| DocRow {
            name: doc.name.clone(),
            digitized: doc.digitized(),
            reused: doc.reused(),
            origin: doc
                .provenance
                .as_ref()
                .map(|p| format!("{} · {} · {}", p.source.label_vi(), p.by, crate::views::local_display(p.at)))
                .unwrap_or_default(),
            href: doc.file.as_ref().filter(|id| files.iter().any(|f| &f.id == *id)).map(|id| file_href(id)),
        })
        .collect()
}

/// Every stored file of the dossier (documents and results).
pub(crate) fn file_rows(files: &[FileMeta], lang: Lang) -> Vec<FileRow> {
    files
        .iter()
        .map(|f| FileRow {
            name: f.name.clone(),
            kind: if f.kind == "result" { lang.t("Kết quả", "Result") } else { lang.t("Giấy tờ", "Document") },
            size: crate::views::file_size(f.size),
            href: file_href(&f.id),
            verify: (f.kind == "result").then(|| format!("/xac-thuc/{}", f.sha256)),
        })
        .collect()
}

fn file_href(id: &str) -> String {
    format!("/can-bo/tep/{id}")
}
