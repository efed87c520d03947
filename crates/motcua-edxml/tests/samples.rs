//! The hand-written samples in tests/data decode, and survive the canonical round trip.

use motcua_edxml::{BusinessDocType, DocumentKind, Package, Priority, StatusCode, StatusMessage};

fn data(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn the_sample_cong_van_decodes_with_its_vietnamese_text_and_attachment() {
    let p = Package::from_xml(&data("package_cong_van.xml")).unwrap();
    let h = &p.header;
    assert_eq!(h.from.id.as_str(), "000.00.01.H01");
    assert_eq!(h.from.id.level1(), "H01");
    assert_eq!(h.from.fax, None, "an empty optional element reads as None");
    assert_eq!(h.to.len(), 2);
    assert_eq!(h.to[1].id.level1(), "H01");
    assert_eq!(h.subject, "V/v phối hợp giải quyết hồ sơ đất đai & cấp giấy chứng nhận");
    assert_eq!(h.document_type.kind, DocumentKind::CONG_VAN);
    assert_eq!(h.other_info.priority, Priority::Urgent);
    assert_eq!(h.document_id(), "000.00.01.H01,2026/03/15,125/TTPVHCC-NV");
    assert_eq!(h.business.as_ref().unwrap().doc_type, BusinessDocType::New);
    assert_eq!(p.attachments.len(), 1);
    let text = String::from_utf8(p.attachments[0].content.clone()).unwrap();
    assert!(text.starts_with("Ủy ban nhân dân tỉnh An Giang"));
}

#[test]
fn the_canonical_form_reads_back_equal_and_has_the_same_digest() {
    let p = Package::from_xml(&data("package_cong_van.xml")).unwrap();
    let xml = p.to_xml();
    let back = Package::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(back, p);
    assert_eq!(back.to_xml(), xml, "canonical output is a fixed point");
    assert_eq!(back.digest_hex(), p.digest_hex());
    assert_eq!(p.digest_hex().len(), 64);
    assert!(xml.contains("<edXML:edXMLEnvelope xmlns:edXML="));
    assert!(xml.contains("<edXML:OrganId>000.00.01.H01</edXML:OrganId>"));
    p.validate(&Default::default()).unwrap();
}

#[test]
fn the_sample_status_messages_decode() {
    let rejected = StatusMessage::from_xml(&data("status_rejected.xml")).unwrap();
    assert_eq!(rejected.status, StatusCode::Rejected);
    assert!(rejected.description.unwrap().contains("thiếu bản sao"));
    let completed = StatusMessage::from_xml(&data("status_completed.xml")).unwrap();
    assert_eq!(completed.status, StatusCode::Completed);
    assert_eq!(StatusMessage::from_xml(completed.to_xml().as_bytes()).unwrap(), completed);
}

#[test]
fn a_package_is_not_a_status_message_and_back() {
    let e = StatusMessage::from_xml(&data("package_cong_van.xml")).unwrap_err();
    assert_eq!(e.code, "unknown_element");
    let e = Package::from_xml(&data("status_completed.xml")).unwrap_err();
    assert_eq!(e.path, "edXML/edXMLEnvelope/edXMLHeader/Status");
}

/// The priority and status code lists are the domain's own (one list, issue 13): 4 (hỏa tốc hẹn
/// giờ) reads as its own value and is written back as 4, where the office used to fold it into 3.
#[test]
fn priority_4_survives_the_round_trip_as_the_domains_value() {
    let xml = String::from_utf8(data("package_cong_van.xml")).unwrap().replacen(
        "<edXML:Priority>1</edXML:Priority>",
        "<edXML:Priority>4</edXML:Priority>",
        1,
    );
    let p = Package::from_xml(xml.as_bytes()).unwrap();
    let priority: motcua_domain::office::Priority = p.header.other_info.priority;
    assert_eq!(priority, motcua_domain::office::Priority::FlashTimed);
    assert_eq!(priority.name_vi(), "Hỏa tốc hẹn giờ");
    assert!(p.to_xml().contains("<edXML:Priority>4</edXML:Priority>"));
    let status: motcua_domain::office::EdxmlStatus = StatusCode::Registered;
    assert_eq!(status.code(), "03");
}
