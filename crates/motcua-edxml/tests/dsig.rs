//! XML-DSig on edXML packages: sign → verify round trips (RSA, ECDSA, random packages),
//! tampering and unsupported algorithms refused with the element path, the trace-header rule,
//! whitespace significance, canonical equivalence, and signatures made by xmlsec1 (fixtures,
//! see tests/fixtures/dsig/README.md).

mod strategies;

use motcua_edxml::dsig::{C14nMethod, canonicalize};
use motcua_edxml::{Limits, Package, SignatureAlgorithm, SigningKey, append_trace_header, sign, verify};
use proptest::collection::vec;
use proptest::prelude::*;

const DS: &str = "edXML/edXMLEnvelope/edXMLHeader/DigitalSignature";
const SI: &str = "edXML/edXMLEnvelope/edXMLHeader/DigitalSignature/Signature/SignedInfo";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/dsig/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn sample() -> String {
    std::fs::read_to_string(format!("{}/tests/data/package_cong_van.xml", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn rsa() -> SigningKey {
    SigningKey::from_pem(&fixture("rsa2048.key.pem"), &fixture("rsa2048.cert.pem")).unwrap()
}

fn ecdsa() -> SigningKey {
    SigningKey::from_pem(&fixture("p256.key.pem"), &fixture("p256.cert.pem")).unwrap()
}

fn check(xml: &str) -> Result<Option<motcua_edxml::Signer>, motcua_edxml::EdxmlError> {
    verify(xml.as_bytes(), &Limits::default())
}

fn refused(xml: &str) -> (String, &'static str) {
    let e = check(xml).unwrap_err();
    assert!(!e.reason.is_empty() && !e.reason_vi.is_empty());
    (e.path, e.code.as_str())
}

/// Replaces the first occurrence, which must exist.
fn edit(xml: &str, from: &str, to: &str) -> String {
    assert!(xml.contains(from), "no {from:?} in the document");
    xml.replacen(from, to, 1)
}

#[test]
fn rsa_round_trip_reports_the_signer() {
    let key = rsa();
    let signed = sign(&sample(), &key).unwrap();
    let signer = check(&signed).unwrap().unwrap();
    assert_eq!(signer.algorithm, SignatureAlgorithm::RsaSha256);
    assert_eq!(signer.subject, "Motcua Test RSA 2048");
    assert_eq!(signer.trace_headers_after_signing, 0);
    assert_eq!(signer.certificate_der, key.certificate_der());
    assert_eq!(signer.fingerprint_sha256, key.fingerprint_sha256());
    assert_eq!(signer.fingerprint_sha256.len(), 64);
    assert!(signed.contains("<edXML:DigitalSignature><Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">"));
    assert!(signed.contains("</edXML:TraceHeaderList><edXML:DigitalSignature>"));
}

#[test]
fn ecdsa_round_trip_reports_the_signer() {
    let key = ecdsa();
    let signed = sign(&sample(), &key).unwrap();
    let signer = check(&signed).unwrap().unwrap();
    assert_eq!(signer.algorithm, SignatureAlgorithm::EcdsaP256Sha256);
    assert_eq!(signer.subject, "Motcua Test ECDSA P-256");
    assert_eq!(signer.fingerprint_sha256, key.fingerprint_sha256());
    // The openssl fingerprint of the fixture certificate (see the fixtures README).
    assert_eq!(signer.fingerprint_sha256, "9f8d43a938f4d10ac87914c2f6e20f82ab6c35613238af4ffd3df720ad7c6370");
}

#[test]
fn signed_and_unsigned_packages_decode_equal_with_the_same_digest() {
    let original = Package::from_xml(sample().as_bytes()).unwrap();
    let signed = sign(&sample(), &rsa()).unwrap();
    let decoded = Package::from_xml(signed.as_bytes()).unwrap();
    assert_eq!(decoded, original);
    assert_eq!(decoded.digest_hex(), original.digest_hex());

    // A canonical package without TraceHeaderList: sign adds an empty list, the package is the same.
    let mut p = original.clone();
    p.header.traces.clear();
    p.header.business = None;
    let xml = p.to_xml();
    assert!(!xml.contains("TraceHeaderList"));
    let signed = sign(&xml, &ecdsa()).unwrap();
    assert!(signed.contains("<edXML:TraceHeaderList></edXML:TraceHeaderList><edXML:DigitalSignature>"));
    let decoded = Package::from_xml(signed.as_bytes()).unwrap();
    assert_eq!(decoded, p);
    assert_eq!(decoded.digest(), p.digest());
    assert_eq!(check(&signed).unwrap().unwrap().trace_headers_after_signing, 0);
}

#[test]
fn unsigned_packages_verify_as_none() {
    assert_eq!(check(&sample()), Ok(None));
    let empty = edit(&sample(), "</edXML:TraceHeaderList>", "</edXML:TraceHeaderList><edXML:DigitalSignature/>");
    assert_eq!(check(&empty), Ok(None));
    let blank = edit(
        &sample(),
        "</edXML:TraceHeaderList>",
        "</edXML:TraceHeaderList><edXML:DigitalSignature>\n </edXML:DigitalSignature>",
    );
    assert_eq!(check(&blank), Ok(None));
    // An empty DigitalSignature is signed in place.
    let signed = sign(&empty, &rsa()).unwrap();
    assert_eq!(signed.matches("DigitalSignature>").count(), 2);
    assert!(check(&signed).unwrap().is_some());
}

#[test]
fn an_already_signed_package_is_not_signed_again() {
    let signed = sign(&sample(), &rsa()).unwrap();
    let e = sign(&signed, &ecdsa()).unwrap_err();
    assert_eq!((e.path.as_str(), e.code.as_str()), (DS, "signature_unsupported"));
}

#[test]
fn tampering_is_refused_at_the_digest_or_the_signature_value() {
    let signed = sign(&sample(), &rsa()).unwrap();
    let digest = format!("{SI}/Reference/DigestValue");
    let value = "edXML/edXMLEnvelope/edXMLHeader/DigitalSignature/Signature/SignatureValue";

    // The subject.
    let t = edit(&signed, "V/v phối hợp", "V/v phoi hop");
    assert_eq!(refused(&t), (digest.clone(), "signature_invalid"));
    // One byte of an attachment.
    let t = edit(&signed, "<ContentTransferEncoded>4bum", "<ContentTransferEncoded>4bun");
    assert_eq!(refused(&t), (digest.clone(), "signature_invalid"));
    // The DigestValue itself (still 32 bytes of base64).
    let start = signed.find("<DigestValue>").unwrap() + "<DigestValue>".len();
    let mut t = signed.clone();
    let first = &signed[start..start + 1];
    t.replace_range(start..start + 1, if first == "A" { "B" } else { "A" });
    assert_eq!(refused(&t), (digest.clone(), "signature_invalid"));
    // The SignatureValue.
    let start = signed.find("<SignatureValue>").unwrap() + "<SignatureValue>".len();
    let mut t = signed.clone();
    let first = &signed[start..start + 1];
    t.replace_range(start..start + 1, if first == "A" { "B" } else { "A" });
    assert_eq!(refused(&t), (value.to_string(), "signature_invalid"));
    // Another certificate (a valid one, for another key) in KeyInfo.
    let other = ecdsa().certificate_der().to_vec();
    let mine = rsa().certificate_der().to_vec();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let t = edit(&signed, &b64.encode(&mine), &b64.encode(&other));
    assert_eq!(refused(&t), (format!("{SI}/SignatureMethod"), "signature_invalid"));
    // ECDSA as well.
    let signed = sign(&sample(), &ecdsa()).unwrap();
    let t = edit(&signed, "Nguyễn Thị Hồng Nhung", "Nguyễn Thị Hồng Nhung ");
    assert_eq!(refused(&t), (digest, "signature_invalid"));
}

#[test]
fn unsupported_algorithms_and_shapes_are_refused_naming_the_element() {
    let signed = sign(&sample(), &rsa()).unwrap();
    let cases: &[(&str, &str, String)] = &[
        ("xmldsig-more#rsa-sha256", "xmldsig-more#hmac-sha256", format!("{SI}/SignatureMethod")),
        ("xmlenc#sha256\"", "xmlenc#sha512\"", format!("{SI}/Reference/DigestMethod")),
        (
            "<CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
            "<CanonicalizationMethod Algorithm=\"http://www.w3.org/2006/12/xml-c14n11\"/>",
            format!("{SI}/CanonicalizationMethod"),
        ),
        (
            "<CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
            "<CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#WithComments\"/>",
            format!("{SI}/CanonicalizationMethod"),
        ),
        ("<Reference URI=\"\">", "<Reference URI=\"#doc\">", format!("{SI}/Reference/@URI")),
        ("<Reference URI=\"\">", "<Reference>", format!("{SI}/Reference/@URI")),
        (
            "</Transforms>",
            "<Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\"/></Transforms>",
            format!("{SI}/Reference/Transforms/Transform[3]"),
        ),
        (
            "<Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>",
            "",
            format!("{SI}/Reference/Transforms/Transform"),
        ),
        ("</Reference>", "</Reference><Reference URI=\"\"/>", format!("{SI}/Reference")),
        ("</KeyInfo>", "</KeyInfo><Object>x</Object>", format!("{DS}/Signature/Object")),
        (
            "<X509Data>",
            "<RetrievalMethod URI=\"http://example.org/k\"/><X509Data>",
            format!("{DS}/Signature/KeyInfo/RetrievalMethod"),
        ),
    ];
    for (from, to, path) in cases {
        let t = edit(&signed, from, to);
        assert_eq!(refused(&t), (path.clone(), "signature_unsupported"), "{from} → {to}");
    }
    // No certificate: nothing to verify with.
    let start = signed.find("<KeyInfo>").unwrap();
    let end = signed.find("</KeyInfo>").unwrap() + "</KeyInfo>".len();
    let mut t = signed.clone();
    t.replace_range(start..end, "");
    assert_eq!(refused(&t), (format!("{DS}/Signature/KeyInfo"), "signature_unsupported"));
    // rsa-sha1 is accepted as an algorithm; changing SignedInfo breaks the signature value.
    let t = edit(
        &signed,
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    );
    assert_eq!(refused(&t).1, "signature_invalid");
    // Malformed: bad base64, missing SignatureValue.
    let t = edit(&signed, "<DigestValue>", "<DigestValue>!");
    assert_eq!(refused(&t), (format!("{SI}/Reference/DigestValue"), "signature_malformed"));
    let start = signed.find("<SignatureValue>").unwrap();
    let end = signed.find("</SignatureValue>").unwrap() + "</SignatureValue>".len();
    let mut t = signed.clone();
    t.replace_range(start..end, "");
    assert_eq!(refused(&t), (format!("{DS}/Signature/KeyInfo"), "signature_malformed"));
    // Something else than a Signature, or two of them.
    let t = edit(
        &sample(),
        "</edXML:TraceHeaderList>",
        "</edXML:TraceHeaderList><edXML:DigitalSignature><x:Sig xmlns:x=\"urn:x\"/></edXML:DigitalSignature>",
    );
    assert_eq!(refused(&t), (format!("{DS}/Sig"), "signature_unsupported"));
    let t = edit(
        &signed,
        "</edXML:DigitalSignature>",
        "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"/></edXML:DigitalSignature>",
    );
    assert_eq!(refused(&t), (format!("{DS}/Signature"), "signature_unsupported"));
}

#[test]
fn appended_trace_headers_keep_the_signature_valid_and_are_counted() {
    for key in [rsa(), ecdsa()] {
        let signed = sign(&sample(), &key).unwrap();
        let one = append_trace_header(&signed, "000.01.01.H08", "2026/03/15 10:00:00").unwrap();
        assert!(one.contains(
            "<edXML:TraceHeader><edXML:OrganId>000.01.01.H08</edXML:OrganId><edXML:Timestamp>2026/03/15 10:00:00</edXML:Timestamp></edXML:TraceHeader></edXML:TraceHeaderList>"
        ));
        assert_eq!(check(&one).unwrap().unwrap().trace_headers_after_signing, 1);
        let two = append_trace_header(&one, "H08.01", "2026/03/15 10:05:00").unwrap();
        let three = append_trace_header(&two, "000.00.01.H01", "2026/03/16 08:00:00").unwrap();
        let signer = check(&three).unwrap().unwrap();
        assert_eq!(signer.trace_headers_after_signing, 3);
        assert_eq!(signer.fingerprint_sha256, key.fingerprint_sha256());
        // The hops decode as ordinary trace headers.
        let p = Package::from_xml(three.as_bytes()).unwrap();
        assert_eq!(p.header.traces.len(), 4);
        assert_eq!(p.header.traces[3].organ_id.as_str(), "000.00.01.H01");

        // Any other insertion fails: another element at the end, a hop elsewhere, a changed hop.
        let digest = (format!("{SI}/Reference/DigestValue"), "signature_invalid");
        let t = edit(&one, "</edXML:TraceHeaderList>", "<edXML:Paper>1</edXML:Paper></edXML:TraceHeaderList>");
        assert_eq!(refused(&t), digest);
        let hop = "<edXML:TraceHeader><edXML:OrganId>H08</edXML:OrganId><edXML:Timestamp>2026/03/15 10:00:00</edXML:Timestamp></edXML:TraceHeader>";
        let t = edit(&signed, "<edXML:TraceHeaderList>", &format!("<edXML:TraceHeaderList>{hop}"));
        assert_eq!(refused(&t), digest);
        let t = edit(&signed, "<edXML:MessageHeader>", &format!("<edXML:MessageHeader>{hop}"));
        assert_eq!(refused(&t), digest);
        let t = edit(&three, "<edXML:OrganId>H08.01</edXML:OrganId>", "<edXML:OrganId>H08.02</edXML:OrganId>");
        assert_eq!(check(&t).unwrap().unwrap().trace_headers_after_signing, 3, "appended hops are not signed");
        let t = edit(
            &three,
            "<edXML:TraceHeader><edXML:OrganId>000.01.01.H08</edXML:OrganId>",
            "<edXML:TraceHeader><edXML:OrganId>000.01.01.H09</edXML:OrganId>",
        );
        assert_eq!(check(&t).unwrap().unwrap().trace_headers_after_signing, 3);
        let t = edit(
            &three,
            "<edXML:OrganId>000.00.01.H01</edXML:OrganId>\n          <edXML:Timestamp>2026/03/15 09:30:00",
            "<edXML:OrganId>000.00.01.H02</edXML:OrganId>\n          <edXML:Timestamp>2026/03/15 09:30:00",
        );
        assert_eq!(refused(&t), digest, "a hop that was signed cannot change");
    }
}

#[test]
fn append_trace_header_checks_its_input_and_needs_a_list() {
    let signed = sign(&sample(), &rsa()).unwrap();
    let e = append_trace_header(&signed, "not an id", "2026/03/15 10:00:00").unwrap_err();
    assert_eq!(e.code, "bad_organ_id");
    let e = append_trace_header(&signed, "H08", "2026-03-15 10:00").unwrap_err();
    assert_eq!(e.code, "bad_date");
    let mut p = Package::from_xml(sample().as_bytes()).unwrap();
    p.header.traces.clear();
    p.header.business = None;
    let e = append_trace_header(&p.to_xml(), "H08", "2026/03/15 10:00:00").unwrap_err();
    assert_eq!(
        (e.path.as_str(), e.code.as_str()),
        ("edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList", "missing_element")
    );
    // An empty list written <x/> is opened.
    let xml = edit(&p.to_xml(), "</edXML:MessageHeader>", "</edXML:MessageHeader><edXML:TraceHeaderList/>");
    let signed = sign(&xml, &ecdsa()).unwrap();
    let one = append_trace_header(&signed, "H08", "2026/03/15 10:00:00").unwrap();
    assert!(one.contains("<edXML:TraceHeaderList><edXML:TraceHeader>"));
    assert_eq!(check(&one).unwrap().unwrap().trace_headers_after_signing, 1);
}

#[test]
fn whitespace_is_significant() {
    let signed = sign(&sample(), &rsa()).unwrap();
    let digest = (format!("{SI}/Reference/DigestValue"), "signature_invalid");
    let t = edit(&signed, "<edXML:Subject>", "\n<edXML:Subject>");
    assert_eq!(refused(&t), digest);
    let t = signed.replace("\n      ", "\n        ");
    assert_eq!(refused(&t), digest);
    let t = signed.replace("\r\n", "\n").replace('\n', "\r\n");
    assert_eq!(check(&t).unwrap().unwrap().trace_headers_after_signing, 0, "CR LF reads as LF (XML 1.0 §2.11)");
}

#[test]
fn documents_that_canonicalize_equal_still_verify() {
    let signed = sign(&sample(), &rsa()).unwrap();
    let envelope = "<edXML:edXMLEnvelope xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">";
    let variants = [
        // Namespace declarations reordered, quotes changed, spaces inside tags.
        edit(
            &signed,
            envelope,
            "<edXML:edXMLEnvelope  xmlns:xlink='http://www.w3.org/1999/xlink'\txmlns:edXML='http://www.mic.gov.vn/TBT/QCVN_102_2016' >",
        ),
        // xlink declared where it is used instead of on the envelope (exc-c14n renders it there).
        edit(
            &edit(&signed, envelope, "<edXML:edXMLEnvelope xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">"),
            "<edXML:Reference xlink:href=",
            "<edXML:Reference xmlns:xlink=\"http://www.w3.org/1999/xlink\" xlink:href=",
        ),
        // An unused declaration, an empty element written <x/>, a character reference, CDATA.
        edit(
            &edit(
                &edit(&signed, "<edXML:Fax></edXML:Fax>", "<edXML:Fax xmlns:unused=\"urn:x\"/>"),
                "V/v phối",
                "&#x56;/v phối",
            ),
            "<edXML:CodeNotation>TTPVHCC-NV</edXML:CodeNotation>",
            "<edXML:CodeNotation><![CDATA[TTPVHCC-NV]]></edXML:CodeNotation>",
        ),
        // No XML declaration, comments anywhere.
        edit(&signed, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<!-- hi -->")
            .replace("<edXML:Subject>", "<edXML:Subject><!-- c -->"),
        // Another prefix for the edXML namespace on a subtree is NOT equal: prefixes are kept.
    ];
    for (i, v) in variants.iter().enumerate() {
        assert!(check(v).unwrap().is_some(), "variant {i}");
    }
    let t = edit(
        &signed,
        "<edXML:Subject>V/v phối hợp giải quyết hồ sơ đất đai &amp; cấp giấy chứng nhận</edXML:Subject>",
        "<e:Subject xmlns:e=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">V/v phối hợp giải quyết hồ sơ đất đai &amp; cấp giấy chứng nhận</e:Subject>",
    );
    assert_eq!(refused(&t).1, "signature_invalid");
}

#[test]
fn from_xml_accepts_one_xmldsig_signature_and_nothing_else() {
    let signed = sign(&sample(), &rsa()).unwrap();
    assert!(Package::from_xml(signed.as_bytes()).is_ok());
    let with = |inner: &str| {
        edit(
            &sample(),
            "</edXML:TraceHeaderList>",
            &format!("</edXML:TraceHeaderList><edXML:DigitalSignature>{inner}</edXML:DigitalSignature>"),
        )
    };
    let err = |xml: String| {
        let e = Package::from_xml(xml.as_bytes()).unwrap_err();
        (e.path, e.code.as_str())
    };
    // Any prefix for the XML-DSig namespace.
    let ds = with("<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo/></ds:Signature>");
    assert!(Package::from_xml(ds.as_bytes()).is_ok());
    assert_eq!(err(with("<edXML:Signature/>")), (format!("{DS}/Signature"), "wrong_namespace"));
    assert_eq!(err(with("<x:Signature xmlns:x=\"urn:x\"/>")), (format!("{DS}/Signature"), "wrong_namespace"));
    assert_eq!(
        err(with("<Manifest xmlns=\"http://www.w3.org/2000/09/xmldsig#\"/>")),
        (format!("{DS}/Manifest"), "unknown_element")
    );
    let two = "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"/>".repeat(2);
    assert_eq!(err(with(&two)), (format!("{DS}/Signature"), "duplicate_element"));
    assert_eq!(err(with("text")), (DS.to_string(), "unexpected_content"));
    // Limits still apply inside the signature.
    let deep = format!(
        "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">{}{}</Signature>",
        "<a>".repeat(20),
        "</a>".repeat(20)
    );
    assert_eq!(err(with(&deep)).1, "too_complex");
    let unbound = "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><q:x/></Signature>";
    assert_eq!(err(with(unbound)), (format!("{DS}/Signature/x"), "wrong_namespace"));
    // Outside DigitalSignature, XML-DSig elements are still foreign.
    let t = edit(
        &sample(),
        "</edXML:MessageHeader>",
        "</edXML:MessageHeader><Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"/>",
    );
    assert_eq!(err(t).1, "wrong_namespace");
}

#[test]
fn signing_keys_must_match_their_certificate() {
    let code = |k: &str, c: &str| SigningKey::from_pem(&fixture(k), &fixture(c)).unwrap_err().code;
    assert_eq!(code("other_rsa2048.key.pem", "rsa2048.cert.pem"), "signing_key_invalid");
    assert_eq!(code("p256.key.pem", "rsa2048.cert.pem"), "signing_key_invalid");
    assert_eq!(code("rsa2048.key.pem", "p256.cert.pem"), "signing_key_invalid");
    assert_eq!(code("rsa2048.cert.pem", "rsa2048.cert.pem"), "signing_key_invalid");
    assert_eq!(code("rsa2048.key.pem", "rsa2048.key.pem"), "signing_key_invalid");
    // Not PEM, or PEM with a broken body.
    let cert = fixture("rsa2048.cert.pem");
    assert_eq!(SigningKey::from_pem("not a key", &cert).unwrap_err().code, "signing_key_invalid");
    let broken = "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n";
    assert_eq!(SigningKey::from_pem(broken, &cert).unwrap_err().code, "signing_key_invalid");
    // A certificate file holding a chain: the first certificate is the signer's.
    let chain = format!("{cert}{}", fixture("p256.cert.pem"));
    assert!(SigningKey::from_pem(&fixture("rsa2048.key.pem"), &chain).is_ok());
    assert_eq!(rsa().algorithm(), SignatureAlgorithm::RsaSha256);
    assert!(format!("{:?}", rsa()).contains("RsaSha256"));
}

#[test]
fn xmlsec1_signatures_verify() {
    let cases = [
        ("xmlsec_rsa_exc.xml", SignatureAlgorithm::RsaSha256, rsa()),
        ("xmlsec_rsa_sha1_c14n.xml", SignatureAlgorithm::RsaSha1, rsa()),
        ("xmlsec_ecdsa_exc.xml", SignatureAlgorithm::EcdsaP256Sha256, ecdsa()),
        ("xmlsec_rsa_exc_prefixlist.xml", SignatureAlgorithm::RsaSha256, rsa()),
    ];
    for (name, algorithm, key) in cases {
        let xml = fixture(name);
        let signer = check(&xml).unwrap_or_else(|e| panic!("{name}: {e}")).unwrap();
        assert_eq!(signer.algorithm, algorithm, "{name}");
        assert_eq!(signer.fingerprint_sha256, key.fingerprint_sha256(), "{name}");
        assert!(Package::from_xml(xml.as_bytes()).is_ok(), "{name}");
        let one = append_trace_header(&xml, "H08", "2026/03/15 10:00:00").unwrap();
        assert_eq!(check(&one).unwrap().unwrap().trace_headers_after_signing, 1, "{name}");
        let t = edit(&xml, "Rạch Giá</edXML:Place>", "Rach Gia</edXML:Place>");
        assert_eq!(refused(&t).1, "signature_invalid", "{name}");
    }
}

#[test]
fn canonicalize_is_public_and_removes_the_signature() {
    let signed = sign(&sample(), &rsa()).unwrap();
    let limits = Limits::default();
    let without = canonicalize(signed.as_bytes(), &C14nMethod::exclusive(), true, &limits).unwrap();
    let text = String::from_utf8(without).unwrap();
    assert!(text.contains("<edXML:DigitalSignature></edXML:DigitalSignature>"));
    assert!(!text.starts_with("<?xml"));
    let with = canonicalize(signed.as_bytes(), &C14nMethod::Inclusive, false, &limits).unwrap();
    assert!(String::from_utf8(with).unwrap().contains("<SignatureValue>"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_valid_package_signs_and_verifies(p in strategies::package(), use_ec in any::<bool>(), hops in 0usize..4) {
        let key = if use_ec { ecdsa() } else { rsa() };
        let signed = sign(&p.to_xml(), &key).unwrap();
        let decoded = Package::from_xml(signed.as_bytes()).unwrap();
        prop_assert_eq!(&decoded, &p);
        prop_assert_eq!(decoded.digest(), p.digest());
        let mut xml = signed;
        for i in 0..hops {
            xml = append_trace_header(&xml, "000.01.01.H08", &format!("2026/03/1{i} 10:00:00")).unwrap();
        }
        let signer = verify(xml.as_bytes(), &Limits::default()).unwrap().unwrap();
        prop_assert_eq!(signer.trace_headers_after_signing, hops);
        prop_assert_eq!(signer.fingerprint_sha256, key.fingerprint_sha256());
    }

    #[test]
    fn mutated_signed_packages_never_panic(
        p in strategies::package(),
        cuts in vec((any::<prop::sample::Index>(), 0usize..4, any::<u8>()), 1..4),
    ) {
        let mut bytes = sign(&p.to_xml(), &rsa()).unwrap().into_bytes();
        for (at, op, byte) in cuts {
            let i = at.index(bytes.len());
            match op {
                0 => { bytes.remove(i); }
                1 => bytes.insert(i, byte),
                2 => bytes[i] = byte,
                _ => bytes.truncate(i),
            }
        }
        match verify(&bytes, &Limits::default()) {
            Ok(_) => {}
            Err(e) => prop_assert!(!e.code.as_str().is_empty() && !e.reason.is_empty() && !e.reason_vi.is_empty()),
        }
        let _ = Package::from_xml(&bytes);
    }

    #[test]
    fn mutations_inside_the_signature_never_panic_and_never_verify(
        use_ec in any::<bool>(),
        cuts in vec((any::<prop::sample::Index>(), 0usize..3, any::<u8>()), 1..4),
    ) {
        let signed = sign(&sample(), &if use_ec { ecdsa() } else { rsa() }).unwrap();
        let start = signed.find("<Signature ").unwrap() + "<Signature ".len();
        let end = signed.find("</Signature>").unwrap();
        let mut bytes = signed.clone().into_bytes();
        for (at, op, byte) in cuts {
            let i = start + at.index(end - start);
            match op {
                0 => { bytes.remove(i); }
                1 => bytes.insert(i, byte),
                _ => bytes[i] = byte,
            }
        }
        if let Ok(Some(_)) = verify(&bytes, &Limits::default()) {
            // Only changes canonicalization ignores (e.g. inside a tag's whitespace) or in the
            // certificate's unsigned parts may still verify; the signed content is intact.
            let back = Package::from_xml(&bytes).unwrap();
            prop_assert_eq!(back, Package::from_xml(signed.as_bytes()).unwrap());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_verify(bytes in vec(any::<u8>(), 0..2000)) {
        let _ = verify(&bytes, &Limits::default());
    }
}

/// Manual interoperability check (see tests/fixtures/dsig/README.md): writes packages signed by
/// Motcua (RSA, ECDSA, and RSA with two hops appended) into `$MOTCUA_DSIG_OUT` for
/// `xmlsec1 --verify`.
#[test]
#[ignore = "writes files for a manual xmlsec1 check"]
fn write_signed_samples_for_xmlsec1() {
    let dir = std::env::var("MOTCUA_DSIG_OUT").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    let rsa_signed = sign(&sample(), &rsa()).unwrap();
    std::fs::write(format!("{dir}/motcua_rsa.xml"), &rsa_signed).unwrap();
    std::fs::write(format!("{dir}/motcua_ecdsa.xml"), sign(&sample(), &ecdsa()).unwrap()).unwrap();
    let hop = append_trace_header(&rsa_signed, "H08", "2026/03/15 10:00:00").unwrap();
    std::fs::write(format!("{dir}/motcua_rsa_hop.xml"), hop).unwrap();
}
