//! Each refusal names the element path and a stable code.

use motcua_edxml::{Limits, OrganId, Package, StatusMessage};

const MH: &str = "edXML/edXMLEnvelope/edXMLHeader/MessageHeader";

fn sample() -> String {
    std::fs::read_to_string(format!("{}/tests/data/package_cong_van.xml", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn err(xml: &str) -> (String, &'static str) {
    let e = Package::from_xml(xml.as_bytes()).unwrap_err();
    assert!(!e.reason.is_empty() && !e.reason_vi.is_empty());
    (e.path, e.code.as_str())
}

fn replaced(from: &str, to: &str) -> (String, &'static str) {
    let s = sample();
    assert!(s.contains(from), "sample lacks {from}");
    err(&s.replacen(from, to, 1))
}

#[test]
fn a_missing_sender_organ_id_names_its_path() {
    let (path, code) = replaced("<edXML:OrganId>000.00.01.H01</edXML:OrganId>", "");
    assert_eq!((path.as_str(), code), (&*format!("{MH}/From/OrganId"), "missing_element"));
}

#[test]
fn a_bad_organ_id_in_the_second_recipient_names_to_2() {
    let (path, code) = replaced("<edXML:OrganId>H01.23</edXML:OrganId>", "<edXML:OrganId>h01.23</edXML:OrganId>");
    assert_eq!((path.as_str(), code), (&*format!("{MH}/To[2]/OrganId"), "bad_organ_id"));
}

#[test]
fn a_place_is_indexed_only_where_it_repeats() {
    let (path, code) = replaced("<edXML:Place>Rạch Giá</edXML:Place>", "<edXML:Place></edXML:Place>");
    assert_eq!((path.as_str(), code), (&*format!("{MH}/PromulgationInfo/Place"), "empty_element"));
    let (path, code) = replaced("<edXML:Place>Lưu: VT, NV</edXML:Place>", "<edXML:Place></edXML:Place>");
    assert_eq!((path.as_str(), code), (&*format!("{MH}/ToPlaces/Place[2]"), "empty_element"));
}

#[test]
fn an_empty_subject_is_refused() {
    let (path, code) = replaced(
        "<edXML:Subject>V/v phối hợp giải quyết hồ sơ đất đai &amp; cấp giấy chứng nhận</edXML:Subject>",
        "<edXML:Subject></edXML:Subject>",
    );
    assert_eq!((path.as_str(), code), (&*format!("{MH}/Subject"), "empty_element"));
}

#[test]
fn an_unknown_element_is_refused_where_it_stands() {
    let (path, code) = replaced("<edXML:SteeringType>", "<edXML:Foo>x</edXML:Foo><edXML:SteeringType>");
    assert_eq!((path.as_str(), code), (&*format!("{MH}/Foo"), "unknown_element"));
}

#[test]
fn a_duplicated_subject_is_refused() {
    let (path, code) = replaced("<edXML:SteeringType>", "<edXML:Subject>Lần hai</edXML:Subject><edXML:SteeringType>");
    assert_eq!((path.as_str(), code), (&*format!("{MH}/Subject"), "duplicate_element"));
}

#[test]
fn a_date_in_the_wrong_format_is_refused() {
    let (path, code) = replaced("2026/03/25", "25/03/2026");
    assert_eq!((path.as_str(), code), (&*format!("{MH}/DueDate"), "bad_date"));
    let (path, code) = replaced("2026/03/15</edXML:PromulgationDate>", "2026/02/30</edXML:PromulgationDate>");
    assert_eq!((path.as_str(), code), (&*format!("{MH}/PromulgationInfo/PromulgationDate"), "bad_date"));
    let (path, code) = replaced("2026/03/15 09:30:00", "2026/03/15 24:30:00");
    assert_eq!(
        (path.as_str(), code),
        ("edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList/TraceHeader[1]/Timestamp", "bad_date")
    );
}

#[test]
fn an_attachment_whose_hash_differs_is_refused() {
    let s = sample();
    let start = s.find("<ContentHash>").unwrap() + "<ContentHash>".len();
    let mut bad = s.clone();
    bad.replace_range(start..start + 4, "0000");
    let (path, code) = err(&bad);
    assert_eq!(
        (path.as_str(), code),
        ("edXML/AttachmentEncoded/Attachment[1]/ContentHash", "attachment_hash_mismatch")
    );
}

#[test]
fn a_qcvn_102_package_without_the_hash_is_accepted_unless_strict() {
    let s = sample();
    let start = s.find("<ContentHash>").unwrap();
    let end = s.find("</ContentHash>").unwrap() + "</ContentHash>".len();
    let mut plain = s.clone();
    plain.replace_range(start..end, "");
    assert_eq!(Package::from_xml(plain.as_bytes()).unwrap().attachments.len(), 1, "QCVN 102 has no ContentHash");
    let strict = Package::from_xml_with(plain.as_bytes(), &Limits::strict()).unwrap_err();
    assert_eq!(
        (strict.path.as_str(), strict.code.as_str()),
        ("edXML/AttachmentEncoded/Attachment[1]/ContentHash", "missing_element")
    );
}

#[test]
fn bad_base64_is_refused() {
    let (path, code) = replaced("<ContentTransferEncoded>", "<ContentTransferEncoded>*");
    assert_eq!((path.as_str(), code), ("edXML/AttachmentEncoded/Attachment[1]/ContentTransferEncoded", "bad_base64"));
}

#[test]
fn a_manifest_that_disagrees_with_the_attachment_is_refused() {
    let (path, code) = replaced(
        "<edXML:ContentType>text/plain</edXML:ContentType>",
        "<edXML:ContentType>application/pdf</edXML:ContentType>",
    );
    assert_eq!(
        (path.as_str(), code),
        ("edXML/edXMLEnvelope/edXMLBody/edXMLManifest/Reference[1]/ContentType", "inconsistent")
    );
    let (path, code) = replaced("xlink:href=\"cid:cv125.txt\"", "xlink:href=\"cid:other\"");
    assert_eq!(
        (path, code),
        ("edXML/edXMLEnvelope/edXMLBody/edXMLManifest/Reference[1]/@xlink:href".into(), "inconsistent")
    );
}

#[test]
fn a_document_id_that_does_not_match_the_header_is_refused() {
    let (path, code) = replaced(
        "H01,2026/03/15,125/TTPVHCC-NV</edXML:DocumentId>",
        "H01,2026/03/16,125/TTPVHCC-NV</edXML:DocumentId>",
    );
    assert_eq!((path.as_str(), code), (&*format!("{MH}/DocumentId"), "inconsistent"));
}

#[test]
fn too_many_attachments_and_too_large_packages_are_refused() {
    let limits = Limits { max_attachments: 0, ..Limits::default() };
    let e = Package::from_xml_with(sample().as_bytes(), &limits).unwrap_err();
    assert_eq!((e.path.as_str(), e.code.as_str()), ("edXML/AttachmentEncoded/Attachment[1]", "too_many_attachments"));
    let limits = Limits { max_package_bytes: 100, ..Limits::default() };
    let e = Package::from_xml_with(sample().as_bytes(), &limits).unwrap_err();
    assert_eq!((e.path.as_str(), e.code.as_str()), ("", "too_large"));
    let limits = Limits { max_attachment_bytes: 10, ..Limits::default() };
    let e = Package::from_xml_with(sample().as_bytes(), &limits).unwrap_err();
    assert_eq!(e.code, "attachment_too_large");
}

#[test]
fn deep_nesting_is_refused_before_it_costs_anything() {
    let deep = format!(
        "<edXML xmlns=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">{}{}</edXML>",
        "<a>".repeat(100_000),
        "</a>".repeat(100_000)
    );
    assert_eq!(Package::from_xml(deep.as_bytes()).unwrap_err().code, "too_complex");
}

#[test]
fn non_utf8_input_is_refused() {
    let mut bytes = sample().into_bytes();
    let at = bytes.len() / 2;
    bytes[at] = 0xFF;
    let e = Package::from_xml(&bytes).unwrap_err();
    assert_eq!((e.path.as_str(), e.code.as_str()), ("", "not_utf8"));
    let latin = sample().replacen("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"", 1);
    assert_eq!(err(&latin).1, "not_utf8");
}

#[test]
fn a_doctype_is_refused_outright() {
    let bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]><edXML>&lol2;</edXML>";
    assert_eq!(err(bomb), (String::new(), "dtd_refused"));
}

#[test]
fn unknown_entities_and_forbidden_characters_are_refused() {
    let (path, code) = replaced("<edXML:TypeName>Công văn", "<edXML:TypeName>&nbsp;Công văn");
    assert_eq!((path.as_str(), code), (&*format!("{MH}/DocumentType/TypeName"), "unknown_entity"));
    let (path, code) = replaced("<edXML:TypeName>Công văn", "<edXML:TypeName>&#x1;Công văn");
    assert_eq!((path.as_str(), code), (&*format!("{MH}/DocumentType/TypeName"), "invalid_char"));
}

#[test]
fn an_element_outside_the_namespace_is_refused() {
    let (path, code) = replaced("<edXML:Subject>", "<Subject xmlns=\"urn:other\">");
    assert_eq!((path.as_str(), code), (&*format!("{MH}/Subject"), "wrong_namespace"));
}

#[test]
fn malformed_xml_names_the_open_element() {
    let s = sample();
    let cut = &s[..s.find("</edXML:Subject>").unwrap()];
    let e = Package::from_xml(cut.as_bytes()).unwrap_err();
    assert_eq!((e.path.as_str(), e.code.as_str()), (&*format!("{MH}/Subject"), "malformed_xml"));
}

#[test]
fn codes_outside_their_lists_are_refused() {
    let (path, code) = replaced("<edXML:Priority>1</edXML:Priority>", "<edXML:Priority>9</edXML:Priority>");
    assert_eq!((path.as_str(), code), (&*format!("{MH}/OtherInfo/Priority"), "bad_code"));
    let (path, code) = replaced("<edXML:BussinessDocType>0", "<edXML:BussinessDocType>4");
    assert_eq!(
        (path.as_str(), code),
        ("edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList/Bussiness/BussinessDocType", "bad_code")
    );
}

#[test]
fn a_rejection_status_without_a_reason_is_refused() {
    let s = std::fs::read_to_string(format!("{}/tests/data/status_rejected.xml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let start = s.find("<edXML:Description>").unwrap();
    let end = s.find("</edXML:Description>").unwrap() + "</edXML:Description>".len();
    let mut bad = s.clone();
    bad.replace_range(start..end, "");
    let e = StatusMessage::from_xml(bad.as_bytes()).unwrap_err();
    assert_eq!(
        (e.path.as_str(), e.code.as_str()),
        ("edXML/edXMLEnvelope/edXMLHeader/Status/Description", "missing_element")
    );
    let e = StatusMessage::from_xml(s.replacen(">02<", ">07<", 1).as_bytes()).unwrap_err();
    assert_eq!((e.path.as_str(), e.code.as_str()), ("edXML/edXMLEnvelope/edXMLHeader/Status/StatusCode", "bad_code"));
}

#[test]
fn organ_ids_follow_qd_20_2020_in_either_direction() {
    for ok in ["000.00.01.H01", "000.01.01.H08", "H08", "H08.01.02", "G12.A1"] {
        assert!(OrganId::parse(ok).is_ok(), "{ok}");
    }
    for bad in ["", "000.00.01", "h08", "H08..01", ".H08", "Z08.1", "H8", &format!("H08.{}", "1".repeat(32))] {
        assert_eq!(OrganId::parse(bad).unwrap_err().code, "bad_organ_id", "{bad}");
    }
    assert_eq!(OrganId::parse("000.01.01.H08").unwrap().level1(), "H08");
    assert_eq!(OrganId::parse("H08.01.02").unwrap().level1(), "H08");
}
