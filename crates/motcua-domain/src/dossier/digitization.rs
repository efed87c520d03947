//! What counts as digitized, re-used and electronically issued: the one definition read by the
//! QĐ 766 indicators (rows 4.1–4.4), the record sent to the national portal, the report and the
//! simulator (issue 16 item 1).
//!
//! Sources: NĐ 45/2020/NĐ-CP Art. 16 as amended by NĐ 118/2025/NĐ-CP Art. 40(8) (the applicant's
//! electronic document store, re-use of what it holds); TT 01/2023/TT-VPCP Art. 5 and 8 (the
//! components and results to digitize, and a copy that captures every page of the original);
//! QĐ 766/QĐ-TTg formulas for rows 4.1–4.4 (domain.md §3 and §7).
//!
//! The rule is about facts, never ticks:
//! - a document is **digitized** only when a stored file backs it ([`DocumentRecord::file`]);
//!   where the file came from, who stored it and when is its [`Provenance`], written by the
//!   server that stored the file, never taken from a client;
//! - a document is **re-used** only when the server took it from the applicant's store (or the
//!   national portal took it from the citizen's national store and says so, as its keeper);
//! - a result is **electronic** only when the issued file is stored with it.
//!
//! Motcua's reading (docs/DIGITIZATION.md "Definitions"): the input rate ("hồ sơ có thành phần được số hóa", the
//! national field `HoSoCoThanhPhanSoHoa`) counts a dossier with at least one digitized
//! component; row 4.2, "files attached to the dossier components **and** an electronic result",
//! needs *every* component handed in, since a copy must capture every original (TT 01/2023
//! Art. 8.1): a dossier with one component scanned out of five is not a digitized dossier. This
//! is the reading under which a province's published rates can hold together (the seed article:
//! 91.18 % with digitized components, 90.1 % electronic results, 77.68 % both; with "at least
//! one" in both, "both" could not fall below 91.18 + 90.1 − 100 = 81.28 %).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{DocumentRecord, ResultRecord};

/// Where an electronic copy came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Scanned from the paper original at the counter at reception (TT 03/2025 tasks).
    Counter,
    /// Uploaded by the applicant with an online submission or a supplement.
    Online,
    /// Taken from the applicant's electronic document store (NĐ 45 Art. 16): re-use (4.3).
    Store,
    /// Taken by the national portal from the citizen's store there (`DuocLayTuKhoDMQG`, 4.3/4.4).
    NationalStore,
    /// Issued electronically by the resolving unit (a result, 4.1).
    Issued,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Counter => "counter",
            Source::Online => "online",
            Source::Store => "store",
            Source::NationalStore => "national_store",
            Source::Issued => "issued",
        }
    }

    /// The words shown to officers and on the receipt.
    pub fn label_vi(self) -> &'static str {
        match self {
            Source::Counter => "Số hóa tại quầy",
            Source::Online => "Nộp trực tuyến",
            Source::Store => "Tái sử dụng từ kho dữ liệu",
            Source::NationalStore => "Lấy từ kho dữ liệu Cổng DVCQG",
            Source::Issued => "Kết quả điện tử",
        }
    }

    /// Taken from a data store the applicant already had: re-use of digitized data.
    pub fn is_reuse(self) -> bool {
        matches!(self, Source::Store | Source::NationalStore)
    }
}

/// Where a stored copy came from, who stored it and when: set by the server in the decision that
/// stores the file, carried in the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    pub source: Source,
    /// The officer's username, `applicant`, or the system that handed it over (`dvcqg`).
    pub by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Backed by a stored file.
pub fn document_digitized(doc: &DocumentRecord) -> bool {
    doc.file.is_some()
}

/// Backed by a file taken from a store the applicant already had (4.3). Copies stored before
/// issue 16 have no provenance and are never re-used.
pub fn document_reused(doc: &DocumentRecord) -> bool {
    document_digitized(doc) && doc.provenance.as_ref().is_some_and(|p| p.source.is_reuse())
}

/// Backed by a file the national portal took from the citizen's store there (`DuocLayTuKhoDMQG`,
/// 4.4).
pub fn from_national_store(doc: &DocumentRecord) -> bool {
    document_digitized(doc) && doc.provenance.as_ref().is_some_and(|p| p.source == Source::NationalStore)
}

/// Digitized input: at least one component digitized (the input rate; the national field
/// `HoSoCoThanhPhanSoHoa`).
pub fn any_component_digitized(docs: &[DocumentRecord]) -> bool {
    docs.iter().any(document_digitized)
}

/// Row 4.2 part (1): the dossier has components and every one is digitized.
pub fn every_component_digitized(docs: &[DocumentRecord]) -> bool {
    !docs.is_empty() && docs.iter().all(document_digitized)
}

/// At least one component re-used (row 4.3).
pub fn reused_data(docs: &[DocumentRecord]) -> bool {
    docs.iter().any(document_reused)
}

/// An electronic result is stored (row 4.1).
pub fn result_electronic(result: Option<&ResultRecord>) -> bool {
    result.is_some_and(|r| r.file.is_some())
}

/// Row 4.2: every component digitized and, where the procedure's result is a paper document, an
/// electronic result.
pub fn digitized_both(docs: &[DocumentRecord], result: Option<&ResultRecord>, paper_result: bool) -> bool {
    every_component_digitized(docs) && (!paper_result || result_electronic(result))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn doc(file: bool, source: Option<Source>) -> DocumentRecord {
        DocumentRecord {
            name: "Tờ khai".into(),
            file: file.then(|| "f1".to_owned()),
            provenance: source.map(|source| Provenance {
                source,
                by: "tiepnhan".into(),
                at: OffsetDateTime::UNIX_EPOCH,
            }),
        }
    }

    #[test]
    fn a_document_is_digitized_by_its_file_and_reused_only_when_taken_from_a_store() {
        assert!(!document_digitized(&doc(false, Some(Source::Counter))));
        assert!(document_digitized(&doc(true, Some(Source::Counter))));
        // A copy stored before provenance existed still counts as digitized, never as re-used.
        assert!(document_digitized(&doc(true, None)) && !document_reused(&doc(true, None)));
        assert!(document_reused(&doc(true, Some(Source::Store))));
        assert!(document_reused(&doc(true, Some(Source::NationalStore))));
        assert!(!document_reused(&doc(false, Some(Source::Store))), "a claim without a file is nothing");
        assert!(!document_reused(&doc(true, Some(Source::Online))));
        assert!(from_national_store(&doc(true, Some(Source::NationalStore))));
        assert!(!from_national_store(&doc(true, Some(Source::Store))));
    }

    #[test]
    fn both_needs_every_component_and_the_result_where_paper() {
        let scanned = doc(true, Some(Source::Counter));
        let paper = doc(false, None);
        assert!(!every_component_digitized(&[]));
        assert!(every_component_digitized(&[scanned.clone(), scanned.clone()]));
        assert!(!every_component_digitized(&[scanned.clone(), paper.clone()]));
        assert!(any_component_digitized(&[scanned.clone(), paper]));
        let result = ResultRecord {
            file: Some("r1".into()),
            provenance: None,
            note: String::new(),
            signature: None,
            revoked: None,
        };
        let no_file =
            ResultRecord { file: None, provenance: None, note: String::new(), signature: None, revoked: None };
        let docs = [scanned];
        assert!(digitized_both(&docs, Some(&result), true));
        assert!(!digitized_both(&docs, Some(&no_file), true));
        assert!(!digitized_both(&docs, None, true));
        assert!(digitized_both(&docs, None, false), "no paper result is required: input alone");
    }

    #[test]
    fn ticks_stored_before_issue_16_are_read_as_nothing_and_the_computed_flags_are_written() {
        // A document and a result as events before issue 16 wrote them: ticks, no file.
        let old: DocumentRecord = serde_json::from_str(r#"{"name":"Tờ khai","digitized":true,"reused":true}"#).unwrap();
        assert!(!old.digitized() && !old.reused(), "a tick is not a file");
        let old: ResultRecord = serde_json::from_str(r#"{"digitized":true,"note":""}"#).unwrap();
        assert!(!result_electronic(Some(&old)));
        // A copy stored before provenance existed is digitized, not re-used.
        let backed: DocumentRecord =
            serde_json::from_str(r#"{"name":"Tờ khai","digitized":true,"file":"f1"}"#).unwrap();
        assert!(backed.digitized() && !backed.reused() && backed.source().is_none());
        // Written, the flags are computed (for readers of the JSON) and read back as nothing.
        let doc = doc(true, Some(Source::Store));
        let v = serde_json::to_value(&doc).unwrap();
        assert_eq!((v["digitized"].as_bool(), v["reused"].as_bool()), (Some(true), Some(true)));
        assert_eq!(v["provenance"]["source"], "store");
        assert_eq!(serde_json::from_value::<DocumentRecord>(v).unwrap(), doc);
    }

    fn source() -> impl Strategy<Value = Option<Source>> {
        prop_oneof![
            Just(None),
            Just(Some(Source::Counter)),
            Just(Some(Source::Online)),
            Just(Some(Source::Store)),
            Just(Some(Source::NationalStore)),
        ]
    }

    proptest! {
        /// Re-used implies digitized; both implies input; input implies some component; nothing
        /// without a file counts.
        #[test]
        fn the_flags_imply_each_other(docs in proptest::collection::vec((any::<bool>(), source()), 0..6),
                                     result_file in any::<bool>(), paper in any::<bool>()) {
            let docs: Vec<DocumentRecord> = docs.into_iter().map(|(f, s)| doc(f, s)).collect();
            let result = ResultRecord { file: result_file.then(|| "r".to_owned()), provenance: None, note: String::new(), signature: None, revoked: None };
            for d in &docs {
                prop_assert!(!document_reused(d) || document_digitized(d));
                prop_assert!(!from_national_store(d) || document_reused(d));
            }
            prop_assert!(!digitized_both(&docs, Some(&result), paper) || every_component_digitized(&docs));
            prop_assert!(!every_component_digitized(&docs) || any_component_digitized(&docs));
            prop_assert!(!reused_data(&docs) || any_component_digitized(&docs));
            let unbacked: Vec<DocumentRecord> = docs.iter().map(|d| DocumentRecord { file: None, ..d.clone() }).collect();
            prop_assert!(!any_component_digitized(&unbacked) && !reused_data(&unbacked));
        }
    }
}
