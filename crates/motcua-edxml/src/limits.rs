//! Limits that protect the receiving server from hostile or broken packages. The defaults are
//! Motcua's choice (domain.md §9 sets none): generous for real official documents (a scanned
//! decision with appendices is a few MiB), far below what would hurt a 2-core instance.

/// Default largest accepted input, in bytes (base64 inflates attachments by 4/3).
pub const MAX_PACKAGE_BYTES: usize = 32 * 1024 * 1024;
/// Default largest number of attachments in one package.
pub const MAX_ATTACHMENTS: usize = 64;
/// Default largest decoded size of one attachment, in bytes.
pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;
/// Deepest element nesting accepted. The deepest defined path (…/TraceHeaderList/Bussiness/
/// StaffInfo/Email) is 7 levels; anything far deeper is an attack, and refusing it early also
/// keeps the tree's recursive drop shallow.
pub const MAX_DEPTH: usize = 16;
/// Most elements accepted in one input.
pub const MAX_ELEMENTS: usize = 20_000;
/// Longest text accepted in one non-attachment element, in bytes.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// The limits one decode call applies. `Limits::default()` uses the constants above; a server
/// can tighten them from its configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest input in bytes ([`MAX_PACKAGE_BYTES`]).
    pub max_package_bytes: usize,
    /// Most attachments ([`MAX_ATTACHMENTS`]).
    pub max_attachments: usize,
    /// Largest decoded attachment ([`MAX_ATTACHMENT_BYTES`]).
    pub max_attachment_bytes: usize,
    /// Deepest nesting ([`MAX_DEPTH`]).
    pub max_depth: usize,
    /// Most elements ([`MAX_ELEMENTS`]).
    pub max_elements: usize,
    /// Longest text of an ordinary element ([`MAX_TEXT_BYTES`]); attachment content is bounded by
    /// `max_attachment_bytes` instead.
    pub max_text_bytes: usize,
    /// Whether each attachment must carry its `ContentHash` (Motcua's extension, see
    /// docs/EDXML.md). `false` by default: QCVN 102 has no such element, so packages from other
    /// systems are accepted, and a hash that is present is still checked (issue 15 item 6).
    /// [`Limits::strict`] requires it (two Motcua instances always send it).
    pub require_attachment_hash: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_package_bytes: MAX_PACKAGE_BYTES,
            max_attachments: MAX_ATTACHMENTS,
            max_attachment_bytes: MAX_ATTACHMENT_BYTES,
            max_depth: MAX_DEPTH,
            max_elements: MAX_ELEMENTS,
            max_text_bytes: MAX_TEXT_BYTES,
            require_attachment_hash: false,
        }
    }
}

impl Limits {
    /// The default limits, and every attachment must carry its `ContentHash`.
    pub fn strict() -> Limits {
        Limits { require_attachment_hash: true, ..Limits::default() }
    }
}
