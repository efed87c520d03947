//! Verification (W3C XML-DSig 1.1 §3.2 core validation: reference validation, then signature
//! validation) of the enveloped signature in an edXML header's `DigitalSignature`, with the
//! **Motcua** trace-header rule for hops appended after signing.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ring::digest;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY, RSA_PKCS1_2048_8192_SHA256,
    UnparsedPublicKey, VerificationAlgorithm,
};

use super::c14n::{self, C14nMethod};
use super::der::{PublicKey, parse_certificate};
use super::dom::{self, Doc, Element, Node, NodeId};
use super::locate::locate;
use super::{C14N_10, DSIG_NS, ENVELOPED_SIGNATURE, EXC_C14N, SHA1, SHA256, SignatureAlgorithm, Signer, sha256_hex};
use crate::error::{EdxmlError, codes};
use crate::limits::Limits;

/// Most `TraceHeader` elements the trace-header rule removes when looking for the signed
/// document (**Motcua**): each retry hashes the whole document again, so the number is bounded
/// to keep a hostile package cheap; no real package crosses this many systems after signing.
pub const MAX_TRACE_HEADERS_AFTER_SIGNING: usize = 32;

fn malformed(path: &str, reason: String, reason_vi: String) -> EdxmlError {
    EdxmlError::new(path, codes::SIGNATURE_MALFORMED, reason, reason_vi)
}

fn unsupported(path: &str, reason: String, reason_vi: String) -> EdxmlError {
    EdxmlError::new(path, codes::SIGNATURE_UNSUPPORTED, reason, reason_vi)
}

fn invalid(path: &str, reason: &str, reason_vi: &str) -> EdxmlError {
    EdxmlError::new(path, codes::SIGNATURE_INVALID, reason, reason_vi)
}

/// Child elements of `id`; text other than whitespace is refused.
fn children<'a>(doc: &'a Doc, id: NodeId, e: &Element) -> Result<Vec<(NodeId, &'a Element)>, EdxmlError> {
    for &c in &e.children {
        if let Some(Node::Text(t)) = doc.nodes.get(c)
            && !t.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
        {
            return Err(malformed(
                &e.path,
                format!("<{}> holds elements, not text", e.local),
                format!("<{}> chỉ chứa phần tử con, không chứa văn bản", e.local),
            ));
        }
    }
    Ok(doc.child_elements(id).collect())
}

fn missing(parent: &Element, name: &str) -> EdxmlError {
    malformed(
        &format!("{}/{name}", parent.path),
        format!("required element <{name}> is missing"),
        format!("thiếu phần tử bắt buộc <{name}>"),
    )
}

/// Takes the next child, which must be the XML-DSig element `name`.
fn next_required<'a>(
    it: &mut std::iter::Peekable<std::vec::IntoIter<(NodeId, &'a Element)>>,
    parent: &Element,
    name: &str,
) -> Result<(NodeId, &'a Element), EdxmlError> {
    match it.next() {
        Some((id, e)) if e.is(DSIG_NS, name) => Ok((id, e)),
        Some((_, e)) => Err(malformed(
            &e.path,
            format!("<{}> found where <{name}> is expected", e.qname()),
            format!("gặp <{}> ở vị trí của <{name}>", e.qname()),
        )),
        None => Err(missing(parent, name)),
    }
}

fn no_more(
    it: &mut std::iter::Peekable<std::vec::IntoIter<(NodeId, &Element)>>,
    parent: &Element,
) -> Result<(), EdxmlError> {
    match it.next() {
        None => Ok(()),
        Some((_, e)) => Err(unsupported(
            &e.path,
            format!("<{}> is not supported inside <{}>", e.qname(), parent.local),
            format!("không hỗ trợ <{}> trong <{}>", e.qname(), parent.local),
        )),
    }
}

fn algorithm(e: &Element) -> Result<&str, EdxmlError> {
    e.attr("Algorithm").ok_or_else(|| {
        malformed(
            &format!("{}/@Algorithm", e.path),
            format!("<{}> has no Algorithm attribute", e.local),
            format!("<{}> thiếu thuộc tính Algorithm", e.local),
        )
    })
}

fn no_children(doc: &Doc, id: NodeId, e: &Element) -> Result<(), EdxmlError> {
    let kids = children(doc, id, e)?;
    let mut it = kids.into_iter().peekable();
    no_more(&mut it, e)
}

/// Base64 content of a leaf element (whitespace ignored).
fn base64_leaf(doc: &Doc, id: NodeId, e: &Element) -> Result<Vec<u8>, EdxmlError> {
    let (text, has_elements) = doc.text(id);
    if has_elements {
        return Err(malformed(
            &e.path,
            format!("<{}> holds base64 text, not elements", e.local),
            format!("<{}> chỉ chứa văn bản base64, không chứa phần tử con", e.local),
        ));
    }
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    match BASE64.decode(compact.as_bytes()) {
        Ok(bytes) if !bytes.is_empty() => Ok(bytes),
        Ok(_) => Err(malformed(&e.path, format!("<{}> is empty", e.local), format!("<{}> bị trống", e.local))),
        Err(err) => Err(malformed(
            &e.path,
            format!("<{}> is not valid base64: {err}", e.local),
            format!("<{}> không phải base64 hợp lệ: {err}", e.local),
        )),
    }
}

/// A canonicalization `Algorithm` (with its `InclusiveNamespaces` for exc-c14n).
fn c14n_method(doc: &Doc, id: NodeId, e: &Element) -> Result<C14nMethod, EdxmlError> {
    let uri = algorithm(e)?;
    if uri == C14N_10 {
        no_children(doc, id, e)?;
        return Ok(C14nMethod::Inclusive);
    }
    if uri != EXC_C14N {
        return Err(unsupported(
            &e.path,
            format!("canonicalization {uri} is not supported (use {EXC_C14N} or {C14N_10})"),
            format!("không hỗ trợ phương pháp chuẩn hóa {uri} (dùng {EXC_C14N} hoặc {C14N_10})"),
        ));
    }
    let mut inclusive_prefixes = Vec::new();
    for (_, child) in children(doc, id, e)? {
        if !child.is(EXC_C14N, "InclusiveNamespaces") {
            return Err(unsupported(
                &child.path,
                format!("<{}> is not supported inside <{}>", child.qname(), e.local),
                format!("không hỗ trợ <{}> trong <{}>", child.qname(), e.local),
            ));
        }
        for p in child.attr("PrefixList").unwrap_or("").split_ascii_whitespace() {
            inclusive_prefixes.push(if p == "#default" { String::new() } else { p.to_string() });
        }
    }
    Ok(C14nMethod::Exclusive { inclusive_prefixes })
}

/// What the `Signature` element says.
struct Parsed {
    signed_info: NodeId,
    signed_info_method: C14nMethod,
    algorithm: SignatureAlgorithm,
    method_path: String,
    reference_method: C14nMethod,
    digest: &'static digest::Algorithm,
    digest_value: Vec<u8>,
    digest_path: String,
    signature_value: Vec<u8>,
    signature_value_path: String,
    certificates: Vec<(Vec<u8>, String)>,
}

fn parse_reference(
    doc: &Doc,
    id: NodeId,
    r: &Element,
) -> Result<(C14nMethod, &'static digest::Algorithm, Vec<u8>, String), EdxmlError> {
    match r.attr("URI") {
        Some("") => {}
        Some(uri) => {
            return Err(unsupported(
                &format!("{}/@URI", r.path),
                format!(
                    "Reference URI {uri:?} is not supported: Motcua signs and verifies the whole document (URI=\"\")"
                ),
                format!("không hỗ trợ Reference URI {uri:?}: Motcua chỉ ký và kiểm tra toàn bộ tài liệu (URI=\"\")"),
            ));
        }
        None => {
            return Err(unsupported(
                &format!("{}/@URI", r.path),
                "a Reference without URI is not supported: Motcua verifies the whole document (URI=\"\")".into(),
                "không hỗ trợ Reference không có URI: Motcua chỉ kiểm tra toàn bộ tài liệu (URI=\"\")".into(),
            ));
        }
    }
    let kids = children(doc, id, r)?;
    let mut it = kids.into_iter().peekable();
    let transforms = match it.peek() {
        Some((tid, t)) if t.is(DSIG_NS, "Transforms") => {
            let found = (*tid, *t);
            it.next();
            found
        }
        _ => {
            return Err(unsupported(
                &format!("{}/Transforms", r.path),
                "the enveloped-signature transform is required".into(),
                "bắt buộc có phép biến đổi enveloped-signature".into(),
            ));
        }
    };
    let list = children(doc, transforms.0, transforms.1)?;
    let mut method = C14nMethod::Inclusive;
    for (i, (tid, t)) in list.iter().enumerate() {
        let path = if list.len() > 1 { format!("{}[{}]", t.path, i + 1) } else { t.path.clone() };
        if !t.is(DSIG_NS, "Transform") {
            return Err(unsupported(
                &t.path,
                format!("<{}> is not supported inside <Transforms>", t.qname()),
                format!("không hỗ trợ <{}> trong <Transforms>", t.qname()),
            ));
        }
        let uri = algorithm(t)?;
        match (i, uri) {
            (0, ENVELOPED_SIGNATURE) => no_children(doc, *tid, t)?,
            (1, EXC_C14N | C14N_10) => method = c14n_method(doc, *tid, t)?,
            _ => {
                return Err(unsupported(
                    &path,
                    format!(
                        "transform {uri} is not supported here: Motcua accepts enveloped-signature, then optionally exc-c14n or c14n"
                    ),
                    format!(
                        "không hỗ trợ phép biến đổi {uri} ở đây: Motcua chấp nhận enveloped-signature, sau đó (tùy chọn) exc-c14n hoặc c14n"
                    ),
                ));
            }
        }
    }
    if list.is_empty() {
        return Err(unsupported(
            &format!("{}/Transform", transforms.1.path),
            "the enveloped-signature transform is required".into(),
            "bắt buộc có phép biến đổi enveloped-signature".into(),
        ));
    }
    let (dm_id, dm) = next_required(&mut it, r, "DigestMethod")?;
    let digest = match algorithm(dm)? {
        SHA256 => &digest::SHA256,
        SHA1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        other => {
            return Err(unsupported(
                &dm.path,
                format!("digest {other} is not supported (use {SHA256})"),
                format!("không hỗ trợ hàm băm {other} (dùng {SHA256})"),
            ));
        }
    };
    no_children(doc, dm_id, dm)?;
    let (dv_id, dv) = next_required(&mut it, r, "DigestValue")?;
    let value = base64_leaf(doc, dv_id, dv)?;
    if value.len() != digest.output_len() {
        return Err(malformed(
            &dv.path,
            format!("a {}-byte digest value for a {}-byte digest", value.len(), digest.output_len()),
            format!("giá trị băm dài {} byte, thuật toán cho {} byte", value.len(), digest.output_len()),
        ));
    }
    no_more(&mut it, r)?;
    Ok((method, digest, value, dv.path.clone()))
}

fn parse_signature(doc: &Doc, sig_id: NodeId, sig: &Element) -> Result<Parsed, EdxmlError> {
    let kids = children(doc, sig_id, sig)?;
    let mut it = kids.into_iter().peekable();
    let (si_id, si) = next_required(&mut it, sig, "SignedInfo")?;
    let (sv_id, sv) = next_required(&mut it, sig, "SignatureValue")?;
    let key_info = match it.peek() {
        Some((id, e)) if e.is(DSIG_NS, "KeyInfo") => {
            let found = (*id, *e);
            it.next();
            Some(found)
        }
        _ => None,
    };
    no_more(&mut it, sig)?;

    let si_kids = children(doc, si_id, si)?;
    let mut si_it = si_kids.into_iter().peekable();
    let (cm_id, cm) = next_required(&mut si_it, si, "CanonicalizationMethod")?;
    let signed_info_method = c14n_method(doc, cm_id, cm)?;
    let (sm_id, sm) = next_required(&mut si_it, si, "SignatureMethod")?;
    let uri = algorithm(sm)?;
    let Some(alg) = SignatureAlgorithm::from_uri(uri) else {
        return Err(unsupported(
            &sm.path,
            format!("signature method {uri} is not supported (rsa-sha256, ecdsa-sha256, rsa-sha1 are)"),
            format!("không hỗ trợ thuật toán ký {uri} (chấp nhận rsa-sha256, ecdsa-sha256, rsa-sha1)"),
        ));
    };
    no_children(doc, sm_id, sm)?;
    let (ref_id, reference) = next_required(&mut si_it, si, "Reference")?;
    if let Some((_, extra)) = si_it.next() {
        return Err(unsupported(
            &extra.path,
            "exactly one Reference (URI=\"\") is supported".into(),
            "chỉ hỗ trợ đúng một Reference (URI=\"\")".into(),
        ));
    }
    let (reference_method, digest, digest_value, digest_path) = parse_reference(doc, ref_id, reference)?;
    let signature_value = base64_leaf(doc, sv_id, sv)?;

    let mut certificates = Vec::new();
    let no_cert = |path: &str| {
        unsupported(
            path,
            "no KeyInfo/X509Data/X509Certificate: Motcua verifies only with the certificate carried in the signature"
                .into(),
            "không có KeyInfo/X509Data/X509Certificate: Motcua chỉ kiểm tra bằng chứng thư số đi kèm chữ ký".into(),
        )
    };
    let Some((ki_id, ki)) = key_info else { return Err(no_cert(&format!("{}/KeyInfo", sig.path))) };
    for (child_id, child) in children(doc, ki_id, ki)? {
        if child.is(DSIG_NS, "X509Data") {
            for (cid, c) in children(doc, child_id, child)? {
                if c.is(DSIG_NS, "X509Certificate") {
                    certificates.push((base64_leaf(doc, cid, c)?, c.path.clone()));
                }
            }
        } else if !(child.is(DSIG_NS, "KeyName") || child.is(DSIG_NS, "KeyValue")) {
            return Err(unsupported(
                &child.path,
                format!("<{}> is not supported inside <KeyInfo>", child.qname()),
                format!("không hỗ trợ <{}> trong <KeyInfo>", child.qname()),
            ));
        }
    }
    if certificates.is_empty() {
        return Err(no_cert(&ki.path));
    }
    Ok(Parsed {
        signed_info: si_id,
        signed_info_method,
        algorithm: alg,
        method_path: sm.path.clone(),
        reference_method,
        digest,
        digest_value,
        digest_path,
        signature_value,
        signature_value_path: sv.path.clone(),
        certificates,
    })
}

/// Digest of `bytes` without the last `k` marked ranges.
fn digest_without(alg: &'static digest::Algorithm, bytes: &[u8], marks: &[(usize, usize)], k: usize) -> digest::Digest {
    let mut ctx = digest::Context::new(alg);
    let mut pos = 0;
    for &(start, end) in marks.get(marks.len().saturating_sub(k)..).unwrap_or(&[]) {
        ctx.update(bytes.get(pos..start).unwrap_or(&[]));
        pos = end;
    }
    ctx.update(bytes.get(pos..).unwrap_or(&[]));
    ctx.finish()
}

/// Verifies the signature of an edXML package (W3C XML-DSig 1.1 §3.2).
///
/// - `Ok(None)`: the header has no `DigitalSignature`, or an empty one (unsigned package).
/// - `Ok(Some(signer))`: one valid enveloped `Signature` (domain.md §9); the caller decides
///   whether to trust `signer.fingerprint_sha256` (no certificate chain nor validity dates are
///   checked here).
/// - `Err`: `signature_invalid` (the document changed after signing: path `…/DigestValue`; the
///   signature does not match the certificate: path `…/SignatureValue`),
///   `signature_unsupported` (an algorithm, transform or element outside what is accepted),
///   `signature_malformed`, or the input errors of [`crate::Package::from_xml`] (size, UTF-8,
///   DTD, well-formedness, depth and count limits from `limits`).
///
/// Accepted: `CanonicalizationMethod` Exclusive XML Canonicalization 1.0 (with optional
/// `InclusiveNamespaces PrefixList`) or Canonical XML 1.0; `SignatureMethod` rsa-sha256,
/// ecdsa-sha256 (raw `r || s`), rsa-sha1 (legacy); exactly one `Reference URI=""` whose
/// `Transforms` are enveloped-signature, optionally followed by exc-c14n or c14n (without a
/// second transform Canonical XML 1.0 applies, XML-DSig 1.1 §4.4.3.2); `DigestMethod` SHA-256
/// or SHA-1 (legacy); the key from `KeyInfo/X509Data/X509Certificate` (RSA 2048–8192 or P-256).
///
/// **Motcua trace-header rule**: every system forwarding a package appends a `TraceHeader` to
/// `TraceHeaderList` ([`super::append_trace_header`]), which changes the signed document. The
/// digest is therefore first checked on the document as received; if it differs, again with
/// the last 1, 2, … `TraceHeader` elements of the list removed (never more than there are, at
/// most [`MAX_TRACE_HEADERS_AFTER_SIGNING`]); the number removed is reported as
/// [`Signer::trace_headers_after_signing`]. Any other change still fails.
pub fn verify(xml: &[u8], limits: &Limits) -> Result<Option<Signer>, EdxmlError> {
    let doc = dom::parse(xml, limits)?;
    let loc = locate(&doc)?;
    let Some((ds_id, ds)) = loc.digital_signature.and_then(|id| doc.element(id).map(|e| (id, e))) else {
        return Ok(None);
    };
    let kids = children(&doc, ds_id, ds)?;
    let Some(&(sig_id, sig)) = kids.first() else { return Ok(None) };
    if !sig.is(DSIG_NS, "Signature") {
        return Err(unsupported(
            &sig.path,
            format!("<{}> is not an XML-DSig Signature ({DSIG_NS})", sig.qname()),
            format!("<{}> không phải chữ ký XML-DSig ({DSIG_NS})", sig.qname()),
        ));
    }
    if let Some((_, extra)) = kids.get(1) {
        return Err(unsupported(
            &extra.path,
            "DigitalSignature must hold exactly one Signature".into(),
            "DigitalSignature phải chứa đúng một Signature".into(),
        ));
    }
    let p = parse_signature(&doc, sig_id, sig)?;

    // Reference validation (XML-DSig 1.1 §3.2.1), with the trace-header rule.
    let out = c14n::canonicalize(&doc, &p.reference_method, None, Some(sig_id), &loc.trace_headers);
    let most = out.marks.len().min(MAX_TRACE_HEADERS_AFTER_SIGNING);
    let Some(removed) =
        (0..=most).find(|&k| digest_without(p.digest, &out.bytes, &out.marks, k).as_ref() == p.digest_value.as_slice())
    else {
        let (reason, reason_vi) = if out.marks.len() > MAX_TRACE_HEADERS_AFTER_SIGNING {
            (
                format!(
                    "the document's digest does not match: it was changed after signing (at most {MAX_TRACE_HEADERS_AFTER_SIGNING} appended TraceHeader elements are tried)"
                ),
                format!(
                    "giá trị băm của tài liệu không khớp: tài liệu đã bị thay đổi sau khi ký (chỉ thử bỏ tối đa {MAX_TRACE_HEADERS_AFTER_SIGNING} TraceHeader thêm sau)"
                ),
            )
        } else {
            (
                "the document's digest does not match: it was changed after signing".to_string(),
                "giá trị băm của tài liệu không khớp: tài liệu đã bị thay đổi sau khi ký".to_string(),
            )
        };
        return Err(EdxmlError::new(&p.digest_path, codes::SIGNATURE_INVALID, reason, reason_vi));
    };

    // Signature validation (XML-DSig 1.1 §3.2.2).
    let signed_info = c14n::canonicalize(&doc, &p.signed_info_method, Some(p.signed_info), None, &[]).bytes;
    let mut key_found = false;
    for (der, path) in &p.certificates {
        let Some(cert) = parse_certificate(der) else {
            return Err(malformed(
                path,
                "the certificate is not a valid X.509 DER".into(),
                "chứng thư số không phải X.509 DER hợp lệ".into(),
            ));
        };
        let alg: &'static dyn VerificationAlgorithm = match (p.algorithm, &cert.key) {
            (SignatureAlgorithm::RsaSha256, PublicKey::Rsa(_)) => &RSA_PKCS1_2048_8192_SHA256,
            (SignatureAlgorithm::RsaSha1, PublicKey::Rsa(_)) => &RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
            (SignatureAlgorithm::EcdsaP256Sha256, PublicKey::EcP256(_)) => &ECDSA_P256_SHA256_FIXED,
            _ => continue,
        };
        let key = match &cert.key {
            PublicKey::Rsa(k) | PublicKey::EcP256(k) => k,
            PublicKey::Other(_) => continue,
        };
        key_found = true;
        if UnparsedPublicKey::new(alg, key).verify(&signed_info, &p.signature_value).is_ok() {
            return Ok(Some(Signer {
                fingerprint_sha256: sha256_hex(der),
                certificate_der: der.clone(),
                subject: cert.subject,
                algorithm: p.algorithm,
                trace_headers_after_signing: removed,
            }));
        }
    }
    if !key_found {
        return Err(invalid(
            &p.method_path,
            "no certificate in KeyInfo has a key for this signature method",
            "không có chứng thư số nào trong KeyInfo mang khóa phù hợp với thuật toán ký",
        ));
    }
    Err(invalid(
        &p.signature_value_path,
        "the signature value does not match SignedInfo and the certificate's key",
        "giá trị chữ ký không khớp với SignedInfo và khóa của chứng thư số",
    ))
}
