//! XML digital signatures (W3C XML Signature Syntax and Processing 1.1) on edXML packages:
//! the envelope's `edXML:DigitalSignature` holds one enveloped `Signature` over the whole
//! document (domain.md §9: "XML-DSig: enveloped-signature + exc-c14n transforms").
//!
//! - [`sign`] with a [`SigningKey`] (RSA ≥ 2048 or ECDSA P-256, from PKCS#8 PEM and the
//!   certificate) produces rsa-sha256 / ecdsa-sha256, exc-c14n, one `Reference URI=""` with the
//!   enveloped-signature and exc-c14n transforms, SHA-256 digest, `KeyInfo/X509Data`.
//! - [`verify`] checks a received package and returns the [`Signer`] (certificate, SHA-256
//!   fingerprint for the caller's trust decision, subject); it also accepts rsa-sha1, SHA-1
//!   digests and inclusive Canonical XML 1.0 from older (.NET-style) signers.
//! - [`append_trace_header`] adds one hop to `TraceHeaderList` without breaking an earlier
//!   signature (the **Motcua** trace-header rule, see [`verify`] and docs/EDXML.md).
//! - [`canonicalize`] exposes the two canonicalizations over raw bytes.
//!
//! Files: `dom` (namespace-aware raw tree), `c14n` (the canonicalizations), `der` (DER,
//! certificates; PEM is read by rustls-pki-types), `sign`, `verify`, `locate` (the header
//! elements in the raw tree).

mod c14n;
mod der;
mod dom;
mod locate;
mod sign;
mod verify;

pub use c14n::C14nMethod;
pub use sign::{SigningKey, append_trace_header, sign};
pub use verify::{MAX_TRACE_HEADERS_AFTER_SIGNING, verify};

use crate::error::EdxmlError;
use crate::limits::Limits;

/// The XML-DSig namespace (W3C XML-DSig 1.1 §4).
pub use crate::tree::DSIG_NS;
/// Exclusive XML Canonicalization 1.0, without comments.
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// Canonical XML 1.0 (inclusive), without comments.
pub const C14N_10: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
/// The enveloped-signature transform (W3C XML-DSig 1.1 §6.6.4).
pub const ENVELOPED_SIGNATURE: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// SHA-256 digest (W3C XML-DSig 1.1 §6.2.2).
pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
/// SHA-1 digest (W3C XML-DSig 1.1 §6.2.1); verify only.
pub const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";

/// A signature algorithm Motcua accepts (W3C XML-DSig 1.1 §6.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256, `http://www.w3.org/2001/04/xmldsig-more#rsa-sha256`.
    RsaSha256,
    /// RSASSA-PKCS1-v1_5 with SHA-1, `http://www.w3.org/2000/09/xmldsig#rsa-sha1`: legacy,
    /// accepted by [`verify`] only.
    RsaSha1,
    /// ECDSA P-256 with SHA-256, `http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256`; the
    /// `SignatureValue` is the raw `r || s` (RFC 4050 §3.3, XML-DSig 1.1 §6.4.3).
    EcdsaP256Sha256,
}

impl SignatureAlgorithm {
    /// The algorithm URI written in `SignatureMethod/@Algorithm` (W3C XML-DSig 1.1 §6.4; the
    /// `xmldsig-more` URIs are RFC 6931's).
    pub fn uri(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            SignatureAlgorithm::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            SignatureAlgorithm::EcdsaP256Sha256 => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        }
    }

    /// The algorithm for a `SignatureMethod/@Algorithm` URI, if accepted (W3C XML-DSig 1.1
    /// §6.4).
    pub fn from_uri(uri: &str) -> Option<SignatureAlgorithm> {
        [SignatureAlgorithm::RsaSha256, SignatureAlgorithm::RsaSha1, SignatureAlgorithm::EcdsaP256Sha256]
            .into_iter()
            .find(|a| a.uri() == uri)
    }
}

/// Who signed a package that [`verify`] accepted. Whether this signer is trusted is the
/// caller's decision, by [`Signer::fingerprint_sha256`] (no chain is checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// The signing certificate, DER (from `KeyInfo/X509Data/X509Certificate`, XML-DSig 1.1
    /// §4.5.4).
    pub certificate_der: Vec<u8>,
    /// SHA-256 of [`Signer::certificate_der`], lowercase hex.
    pub fingerprint_sha256: String,
    /// The certificate subject's CN, or the whole DN (`C=VN, O=…`) when it has none.
    pub subject: String,
    /// The `SignatureMethod`.
    pub algorithm: SignatureAlgorithm,
    /// How many `TraceHeader` elements were appended to `TraceHeaderList` after signing (the
    /// **Motcua** trace-header rule, domain.md §9 "trace-header append per hop").
    pub trace_headers_after_signing: usize,
}

/// Canonicalizes a whole document (W3C Canonical XML 1.0 or Exclusive XML Canonicalization
/// 1.0, without comments) from its raw bytes; with `remove_signature`, the edXML header's
/// `DigitalSignature/Signature` is left out as by the enveloped-signature transform (XML-DSig
/// 1.1 §6.6.4). Input limits (size, depth, element count, no DTD) are those of `limits`.
pub fn canonicalize(
    xml: &[u8],
    method: &C14nMethod,
    remove_signature: bool,
    limits: &Limits,
) -> Result<Vec<u8>, EdxmlError> {
    let doc = dom::parse(xml, limits)?;
    let exclude = if remove_signature { locate::locate(&doc)?.signature } else { None };
    Ok(c14n::canonicalize(&doc, method, None, exclude, &[]).bytes)
}

/// Lowercase hex SHA-256.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    crate::hex::hex(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}
