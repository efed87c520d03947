//! Motcua edXML: the codec for inter-agency document packages and status messages on the
//! national document axis (QCVN 102:2016/BTTTT as amended 2022; domain.md §9). Pure: no IO, no
//! async. Decoding validates strictly and every refusal names the element path; encoding is
//! canonical, so the SHA-256 of a package's XML is its idempotency key.
//!
//! - [`package`]: [`Package`] (header, trace list, attachments) — `from_xml`, `to_xml`, `digest`.
//! - [`status`]: [`StatusMessage`] (status codes 01–06, 13, 15, 16).
//! - [`organ`]: [`Organ`] and [`OrganId`] (QĐ 20/2020/QĐ-TTg identifiers).
//! - [`codes`]: code lists with their wire codes (status, document kind, steering, priority,
//!   business document type).
//! - [`parts`]: pieces both messages share (staff, the document answered).
//! - [`datetime`]: the `yyyy/MM/dd` and `yyyy/MM/dd HH:mm:ss` formats.
//! - [`limits`]: size and count limits that protect the server.
//! - [`error`]: [`EdxmlError`] (path, English and Vietnamese reason, stable code).
//! - [`dsig`]: XML digital signatures (W3C XML-DSig 1.1) in the header's `DigitalSignature`:
//!   [`sign`], [`verify`], [`append_trace_header`], and the two canonicalizations.
//! - `tree` (private): bytes → element tree, with the whole-input checks (UTF-8, no DTD, ...).
//! - `writer` (private): the canonical writer.
//!
//! Format choices, their sources and what is UNCONFIRMED are in docs/EDXML.md.

pub mod codes;
pub mod datetime;
pub mod dsig;
pub mod error;
mod hex;
pub mod limits;
pub mod organ;
pub mod package;
pub mod parts;
pub mod status;
mod tree;
mod writer;

pub use codes::{BusinessDocType, DocumentKind, Priority, StatusCode, SteeringType};
pub use dsig::{SignatureAlgorithm, Signer, SigningKey, append_trace_header, sign, verify};
pub use error::EdxmlError;
pub use limits::Limits;
pub use organ::{Organ, OrganId};
pub use package::{
    Attachment, Business, DocumentCode, DocumentType, Header, OtherInfo, Package, PromulgationInfo, SignerInfo,
    TraceHeader,
};
pub use parts::{ResponseFor, StaffInfo};
pub use status::StatusMessage;
pub use tree::{NS, XLINK_NS};
