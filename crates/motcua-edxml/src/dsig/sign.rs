//! Signing (W3C XML-DSig 1.1 §3.1 core generation) and the per-hop trace-header append
//! (domain.md §9). Both edit the package text in place, at byte offsets found by parsing it, so
//! that everything else stays byte for byte as it was.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _, RSA_PKCS1_SHA256, RsaKeyPair};

use super::c14n::{self, C14nMethod};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivatePkcs8KeyDer};

use super::der::{PublicKey, parse_certificate};
use super::dom::{self, Doc, NodeId};
use super::locate::{HEADER, locate};
use super::{DSIG_NS, ENVELOPED_SIGNATURE, EXC_C14N, SHA256, SignatureAlgorithm, sha256_hex};
use crate::datetime::parse_timestamp;
use crate::error::{EdxmlError, codes};
use crate::limits::Limits;
use crate::organ::OrganId;
use crate::writer::escape_into;

enum Key {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair),
}

/// A private key with its X.509 certificate, ready to [`sign`] packages: RSA of at least 2048
/// bits (rsa-sha256) or ECDSA P-256 (ecdsa-sha256), per W3C XML-DSig 1.1 §6.4.
pub struct SigningKey {
    key: Key,
    certificate_der: Vec<u8>,
    rng: SystemRandom,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm())
            .field("certificate_sha256", &self.fingerprint_sha256())
            .finish_non_exhaustive()
    }
}

fn key_error(reason: impl Into<String>, reason_vi: impl Into<String>) -> EdxmlError {
    EdxmlError::new("", codes::SIGNING_KEY_INVALID, reason, reason_vi)
}

impl SigningKey {
    /// Loads an unencrypted PKCS#8 private key (`-----BEGIN PRIVATE KEY-----`, e.g. from
    /// `openssl genpkey`) and its certificate (`-----BEGIN CERTIFICATE-----`; the first one
    /// when the file holds a chain). The certificate's public key must be the key's: RSA (2048
    /// to 8192 bits) or EC P-256 (W3C XML-DSig 1.1 §6.4). Errors have code
    /// `signing_key_invalid`.
    pub fn from_pem(private_key_pkcs8_pem: &str, certificate_pem: &str) -> Result<SigningKey, EdxmlError> {
        // PEM (RFC 7468) through rustls-pki-types (already in the tree through rustls); the key's
        // bytes are zeroized when it is dropped.
        let pkcs8 = PrivatePkcs8KeyDer::from_pem_slice(private_key_pkcs8_pem.as_bytes()).map_err(|_| {
            key_error(
                "no unencrypted PKCS#8 \"PRIVATE KEY\" PEM block (convert with `openssl pkcs8 -topk8 -nocrypt`)",
                "không có khối PEM \"PRIVATE KEY\" PKCS#8 không mã hóa (chuyển bằng `openssl pkcs8 -topk8 -nocrypt`)",
            )
        })?;
        let certificate_der = CertificateDer::from_pem_slice(certificate_pem.as_bytes())
            .map_err(|_| key_error("no \"CERTIFICATE\" PEM block", "không có khối PEM \"CERTIFICATE\""))?;
        let pkcs8 = pkcs8.secret_pkcs8_der();
        let cert = parse_certificate(&certificate_der).ok_or_else(|| {
            key_error("the certificate is not a valid X.509 DER", "chứng thư số không phải X.509 DER hợp lệ")
        })?;
        let rng = SystemRandom::new();
        let mismatch = || {
            key_error(
                "the certificate's public key is not the private key's",
                "khóa công khai trong chứng thư số không khớp với khóa bí mật",
            )
        };
        let key = match &cert.key {
            PublicKey::Rsa(public) => {
                let pair = RsaKeyPair::from_pkcs8(pkcs8).map_err(|e| {
                    key_error(
                        format!("not a usable RSA PKCS#8 key: {e}"),
                        format!("khóa RSA PKCS#8 không dùng được: {e}"),
                    )
                })?;
                if pair.public().modulus_len() * 8 < 2048 {
                    return Err(key_error(
                        "RSA keys must have at least 2048 bits",
                        "khóa RSA phải dài ít nhất 2048 bit",
                    ));
                }
                if pair.public_key().as_ref() != public.as_slice() {
                    return Err(mismatch());
                }
                Key::Rsa(pair)
            }
            PublicKey::EcP256(public) => {
                let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng).map_err(|e| {
                    key_error(
                        format!("not a usable EC P-256 PKCS#8 key: {e}"),
                        format!("khóa EC P-256 PKCS#8 không dùng được: {e}"),
                    )
                })?;
                if pair.public_key().as_ref() != public.as_slice() {
                    return Err(mismatch());
                }
                Key::Ecdsa(pair)
            }
            PublicKey::Other(what) => {
                return Err(key_error(
                    format!("unsupported key type {what}: use RSA (2048+) or EC P-256"),
                    format!("không hỗ trợ loại khóa {what}: dùng RSA (từ 2048 bit) hoặc EC P-256"),
                ));
            }
        };
        Ok(SigningKey { key, certificate_der: certificate_der.to_vec(), rng })
    }

    /// The `SignatureMethod` this key signs with (W3C XML-DSig 1.1 §6.4).
    pub fn algorithm(&self) -> SignatureAlgorithm {
        match self.key {
            Key::Rsa(_) => SignatureAlgorithm::RsaSha256,
            Key::Ecdsa(_) => SignatureAlgorithm::EcdsaP256Sha256,
        }
    }

    /// The certificate, DER, as written in `KeyInfo/X509Data/X509Certificate` (W3C XML-DSig
    /// 1.1 §4.5.4).
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }

    /// SHA-256 of the certificate, lowercase hex (what [`super::Signer::fingerprint_sha256`]
    /// reports for packages this key signed).
    pub fn fingerprint_sha256(&self) -> String {
        sha256_hex(&self.certificate_der)
    }

    fn sign_bytes(&self, message: &[u8]) -> Result<Vec<u8>, EdxmlError> {
        let failed = || key_error("the signing operation failed", "ký số thất bại");
        match &self.key {
            Key::Rsa(pair) => {
                let mut out = vec![0u8; pair.public().modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &self.rng, message, &mut out).map_err(|_| failed())?;
                Ok(out)
            }
            Key::Ecdsa(pair) => Ok(pair.sign(&self.rng, message).map_err(|_| failed())?.as_ref().to_vec()),
        }
    }
}

fn malformed_at(path: &str, reason: &str, reason_vi: &str) -> EdxmlError {
    EdxmlError::new(path, codes::MALFORMED, reason, reason_vi)
}

fn slice(text: &str, from: usize, to: usize) -> Result<&str, EdxmlError> {
    text.get(from..to).ok_or_else(|| malformed_at("", "bad element offsets", "vị trí phần tử không hợp lệ"))
}

fn prefix_of(doc: &Doc, id: NodeId) -> String {
    match doc.element(id) {
        Some(e) if !e.prefix.is_empty() => format!("{}:", e.prefix),
        _ => String::new(),
    }
}

/// Signs a package (W3C XML-DSig 1.1 §3.1): puts one enveloped
/// `<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">` into the header's
/// `DigitalSignature` (domain.md §9), with
///
/// - `CanonicalizationMethod` Exclusive XML Canonicalization 1.0,
/// - `SignatureMethod` rsa-sha256 or ecdsa-sha256 (raw `r || s`),
/// - one `Reference URI=""` (the whole document) with the enveloped-signature and exc-c14n
///   transforms and a SHA-256 `DigestValue`,
/// - `SignatureValue` and `KeyInfo/X509Data/X509Certificate`.
///
/// `DigitalSignature` is created after `TraceHeaderList` when absent (the canonical writer does
/// not emit it); an empty `TraceHeaderList` is created first when the package has none, so that
/// hops can be appended later ([`append_trace_header`]). Both leave the decoded
/// [`crate::Package`] unchanged. Nothing else in the text changes. An already signed package is
/// refused (`signature_unsupported`).
pub fn sign(package_xml: &str, key: &SigningKey) -> Result<String, EdxmlError> {
    let limits = Limits::default();
    let text = dom::as_text(package_xml.as_bytes(), &limits)?;
    let doc = dom::parse_str(text, &limits)?;
    let loc = locate(&doc)?;
    let Some(header) = doc.element(loc.header) else {
        return Err(malformed_at(HEADER, "no header", "không có phần đầu"));
    };
    if let Some(ds) = loc.digital_signature {
        let (inner, has_elements) = doc.text(ds);
        if has_elements || !inner.trim().is_empty() {
            return Err(EdxmlError::new(
                &format!("{HEADER}/DigitalSignature"),
                codes::SIGNATURE_UNSUPPORTED,
                "the package is already signed; Motcua does not add a second signature",
                "gói tin đã được ký; Motcua không thêm chữ ký thứ hai",
            ));
        }
    }
    let pre = prefix_of(&doc, loc.header);
    let new_list = format!("<{pre}TraceHeaderList></{pre}TraceHeaderList>");
    let (start, end, lead) =
        match (loc.trace_list.and_then(|l| doc.element(l)), loc.digital_signature.and_then(|d| doc.element(d))) {
            (list, Some(ds)) => (ds.span.0, ds.span.1, if list.is_some() { String::new() } else { new_list }),
            (Some(list), None) => (list.span.1, list.span.1, String::new()),
            (None, None) => match header.content {
                Some((_, end)) => (end, end, new_list),
                None => {
                    return Err(EdxmlError::new(
                        &format!("{HEADER}/MessageHeader"),
                        codes::MISSING_ELEMENT,
                        "required element <MessageHeader> is missing",
                        "thiếu phần tử bắt buộc <MessageHeader>",
                    ));
                }
            },
        };
    let head = slice(text, 0, start)?;
    let tail = slice(text, end, text.len())?;
    let assemble =
        |signature: &str| format!("{head}{lead}<{pre}DigitalSignature>{signature}</{pre}DigitalSignature>{tail}");

    // The digest covers the document without the Signature element, whatever it holds.
    let placeholder = assemble(&format!("<Signature xmlns=\"{DSIG_NS}\"></Signature>"));
    let doc0 = dom::parse_str(&placeholder, &limits)?;
    let loc0 = locate(&doc0)?;
    let canonical = c14n::canonicalize(&doc0, &C14nMethod::exclusive(), None, loc0.signature, &[]);
    let digest = BASE64.encode(ring::digest::digest(&ring::digest::SHA256, &canonical.bytes));

    let signed_info = format!(
        "<SignedInfo><CanonicalizationMethod Algorithm=\"{EXC_C14N}\"/><SignatureMethod Algorithm=\"{}\"/>\
         <Reference URI=\"\"><Transforms><Transform Algorithm=\"{ENVELOPED_SIGNATURE}\"/>\
         <Transform Algorithm=\"{EXC_C14N}\"/></Transforms><DigestMethod Algorithm=\"{SHA256}\"/>\
         <DigestValue>{digest}</DigestValue></Reference></SignedInfo>",
        key.algorithm().uri()
    );
    // Exclusive canonicalization of SignedInfo depends only on the namespaces it visibly uses
    // (the XML-DSig default namespace declared on Signature), so the fragment alone gives the
    // same bytes as the SignedInfo inside the package.
    let fragment = format!("<Signature xmlns=\"{DSIG_NS}\">{signed_info}</Signature>");
    let fdoc = dom::parse_str(&fragment, &limits)?;
    let Some((si, _)) = fdoc.child(fdoc.root, DSIG_NS, "SignedInfo") else {
        return Err(malformed_at("", "SignedInfo not built", "không tạo được SignedInfo"));
    };
    let si_bytes = c14n::canonicalize(&fdoc, &C14nMethod::exclusive(), Some(si), None, &[]).bytes;
    let value = BASE64.encode(key.sign_bytes(&si_bytes)?);
    let certificate = BASE64.encode(&key.certificate_der);
    Ok(assemble(&format!(
        "<Signature xmlns=\"{DSIG_NS}\">{signed_info}<SignatureValue>{value}</SignatureValue>\
         <KeyInfo><X509Data><X509Certificate>{certificate}</X509Certificate></X509Data></KeyInfo></Signature>"
    )))
}

/// Appends one hop (domain.md §9 "trace-header append per hop") as the last child of the
/// header's `TraceHeaderList`:
/// `<edXML:TraceHeader><edXML:OrganId>…</edXML:OrganId><edXML:Timestamp>…</edXML:Timestamp></edXML:TraceHeader>`
/// (the list's own prefix, the writer's child order), inserted textually immediately before
/// `</edXML:TraceHeaderList>` with no added whitespace. A signature made before stays verifiable
/// under the **Motcua** trace-header rule of [`super::verify`].
///
/// `organ_id` must be a QĐ 20/2020 identifier and `timestamp` `yyyy/MM/dd HH:mm:ss`. A package
/// without a `TraceHeaderList` is refused (`missing_element`): creating the list would change
/// what was signed ([`sign`] always creates it).
pub fn append_trace_header(xml: &str, organ_id: &str, timestamp: &str) -> Result<String, EdxmlError> {
    let list_path = format!("{HEADER}/TraceHeaderList");
    OrganId::parse_at(&format!("{list_path}/TraceHeader/OrganId"), organ_id)?;
    parse_timestamp(&format!("{list_path}/TraceHeader/Timestamp"), timestamp)?;
    let limits = Limits::default();
    let text = dom::as_text(xml.as_bytes(), &limits)?;
    let doc = dom::parse_str(text, &limits)?;
    let loc = locate(&doc)?;
    let Some((list_id, list)) = loc.trace_list.and_then(|id| doc.element(id).map(|e| (id, e))) else {
        return Err(EdxmlError::new(
            &list_path,
            codes::MISSING_ELEMENT,
            "the package has no <TraceHeaderList>; it cannot be created without breaking a signature",
            "gói tin không có <TraceHeaderList>; không thể tạo thêm mà không làm hỏng chữ ký",
        ));
    };
    let pre = prefix_of(&doc, list_id);
    let mut hop = format!("<{pre}TraceHeader><{pre}OrganId>");
    escape_into(&mut hop, organ_id, false);
    hop.push_str(&format!("</{pre}OrganId><{pre}Timestamp>"));
    escape_into(&mut hop, timestamp, false);
    hop.push_str(&format!("</{pre}Timestamp></{pre}TraceHeader>"));
    match list.content {
        Some((_, end)) => Ok(format!("{}{hop}{}", slice(text, 0, end)?, slice(text, end, text.len())?)),
        None => {
            // `<edXML:TraceHeaderList/>`: canonically the same as start and end tags.
            let (s, t) = list.span;
            let tag = slice(text, s, t)?;
            let open =
                tag.strip_suffix("/>").ok_or_else(|| malformed_at(&list_path, "bad empty tag", "thẻ rỗng sai"))?;
            Ok(format!("{}{open}>{hop}</{}>{}", slice(text, 0, s)?, list.qname(), slice(text, t, text.len())?))
        }
    }
}
