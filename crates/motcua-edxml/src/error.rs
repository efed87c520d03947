//! The one error type of the codec: where (element path), why (English and Vietnamese), and a
//! stable code the HTTP layer can return as is (`POST /api/v1/edxml/inbox` answers 4xx naming the
//! element path, as the exchange issue asks).

use std::fmt;

use motcua_domain::ErrorCode;

/// A refusal of an edXML input, or of a value that cannot be encoded.
///
/// `path` names the element from the root with local names only (no prefix), and a 1-based index
/// on repeatable elements, e.g. `edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To[2]/OrganId`.
/// An attribute is named `Element/@name`. An empty path means the input as a whole (size,
/// encoding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdxmlError {
    /// Element path from the root, local names, e.g. `edXML/edXMLEnvelope/edXMLHeader/MessageHeader/From/OrganId`.
    pub path: String,
    /// What is wrong, in English.
    pub reason: String,
    /// What is wrong, in Vietnamese (shown to officers).
    pub reason_vi: String,
    /// Stable snake_case code (see [`codes`]).
    pub code: ErrorCode,
}

impl EdxmlError {
    /// Builds an error; `path` is copied.
    pub fn new(path: &str, code: ErrorCode, reason: impl Into<String>, reason_vi: impl Into<String>) -> Self {
        EdxmlError { path: path.to_string(), reason: reason.into(), reason_vi: reason_vi.into(), code }
    }
}

impl fmt::Display for EdxmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.code, self.reason)
        } else {
            write!(f, "{} at {}: {}", self.code, self.path, self.reason)
        }
    }
}

impl std::error::Error for EdxmlError {}

/// The stable error codes. Each names one reason; the HTTP layer maps them all to 4xx
/// (`too_large` / `too_many_attachments` suit 413, everything else 422 or 400).
pub mod codes {
    use motcua_domain::ErrorCode;

    /// The input is larger than [`crate::Limits::max_package_bytes`].
    pub const TOO_LARGE: ErrorCode = ErrorCode::TooLarge;
    /// More attachments than [`crate::Limits::max_attachments`].
    pub const TOO_MANY_ATTACHMENTS: ErrorCode = ErrorCode::TooManyAttachments;
    /// One decoded attachment larger than [`crate::Limits::max_attachment_bytes`].
    pub const ATTACHMENT_TOO_LARGE: ErrorCode = ErrorCode::AttachmentTooLarge;
    /// Elements nested deeper, or more numerous, than the limits allow.
    pub const TOO_COMPLEX: ErrorCode = ErrorCode::TooComplex;
    /// The bytes are not UTF-8, or the declaration names another encoding.
    pub const NOT_UTF8: ErrorCode = ErrorCode::NotUtf8;
    /// A `<!DOCTYPE>` (DTD) is present: refused outright (entity-expansion bombs, external entities).
    pub const DTD_REFUSED: ErrorCode = ErrorCode::DtdRefused;
    /// An entity reference other than the five predefined ones and character references.
    pub const UNKNOWN_ENTITY: ErrorCode = ErrorCode::UnknownEntity;
    /// Not well-formed XML (the parser's message is in the reason).
    pub const MALFORMED: ErrorCode = ErrorCode::MalformedXml;
    /// A character XML 1.0 does not allow (control characters, U+FFFE, U+FFFF).
    pub const INVALID_CHAR: ErrorCode = ErrorCode::InvalidChar;
    /// The root element is not the one expected.
    pub const WRONG_ROOT: ErrorCode = ErrorCode::WrongRoot;
    /// An element outside the QCVN 102:2016 namespace.
    pub const WRONG_NAMESPACE: ErrorCode = ErrorCode::WrongNamespace;
    /// A required element is absent.
    pub const MISSING_ELEMENT: ErrorCode = ErrorCode::MissingElement;
    /// A required element is present but empty.
    pub const EMPTY_ELEMENT: ErrorCode = ErrorCode::EmptyElement;
    /// An element this codec does not know at that place.
    pub const UNKNOWN_ELEMENT: ErrorCode = ErrorCode::UnknownElement;
    /// A known element that this codec does not support yet (its content would be lost).
    pub const UNSUPPORTED_ELEMENT: ErrorCode = ErrorCode::UnsupportedElement;
    /// A non-repeatable element appears twice.
    pub const DUPLICATE_ELEMENT: ErrorCode = ErrorCode::DuplicateElement;
    /// An attribute this codec does not know on that element.
    pub const UNKNOWN_ATTRIBUTE: ErrorCode = ErrorCode::UnknownAttribute;
    /// Text where only child elements are allowed, or child elements in a text element.
    pub const UNEXPECTED_CONTENT: ErrorCode = ErrorCode::UnexpectedContent;
    /// A date or timestamp not in the `yyyy/MM/dd` / `yyyy/MM/dd HH:mm:ss` format, or impossible.
    pub const BAD_DATE: ErrorCode = ErrorCode::BadDate;
    /// An organ identifier not in the QĐ 20/2020/QĐ-TTg format.
    pub const BAD_ORGAN_ID: ErrorCode = ErrorCode::BadOrganId;
    /// A code (document type, status, priority, ...) outside its list, or a bad number.
    pub const BAD_CODE: ErrorCode = ErrorCode::BadCode;
    /// Attachment content that is not valid standard base64.
    pub const BAD_BASE64: ErrorCode = ErrorCode::BadBase64;
    /// The SHA-256 recorded for an attachment differs from its decoded content.
    pub const HASH_MISMATCH: ErrorCode = ErrorCode::AttachmentHashMismatch;
    /// Two places that must agree do not (manifest vs attachment, DocumentId vs header, xlink:href).
    pub const INCONSISTENT: ErrorCode = ErrorCode::Inconsistent;
    /// A value longer than the limit for its element.
    pub const TOO_LONG: ErrorCode = ErrorCode::TooLong;
    /// An XML-DSig signature that does not verify: the document changed after signing
    /// (`DigestValue`), or the `SignatureValue` does not match the certificate's key (W3C
    /// XML-DSig 1.1 §3.2 core validation).
    pub const SIGNATURE_INVALID: ErrorCode = ErrorCode::SignatureInvalid;
    /// An XML-DSig signature using an algorithm, transform, reference or element Motcua does not
    /// accept (see docs/EDXML.md, "Digital signature"); the path names the element.
    pub const SIGNATURE_UNSUPPORTED: ErrorCode = ErrorCode::SignatureUnsupported;
    /// An XML-DSig signature that is not well formed: a required element or attribute missing,
    /// bad base64, a certificate that does not parse, text where elements belong.
    pub const SIGNATURE_MALFORMED: ErrorCode = ErrorCode::SignatureMalformed;
    /// A private key or certificate given to [`crate::dsig::SigningKey::from_pem`] that cannot be
    /// used: bad PEM, unsupported key type or size, or a certificate for another key.
    pub const SIGNING_KEY_INVALID: ErrorCode = ErrorCode::SigningKeyInvalid;
}
