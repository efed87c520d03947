//! Properties: every valid package and status message survives to_xml → from_xml unchanged;
//! arbitrary bytes and mutated valid XML never panic, and a refusal always names a path.

mod strategies;

use motcua_domain::ErrorCode;
use motcua_edxml::{Package, StatusMessage};
use proptest::collection::vec;
use proptest::prelude::*;
use strategies::{package, status};

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_valid_package_reads_back_as_itself(p in package()) {
        let xml = p.to_xml();
        let back = Package::from_xml(xml.as_bytes());
        prop_assert_eq!(back.as_ref(), Ok(&p), "{}", xml);
        prop_assert_eq!(back.unwrap().digest(), p.digest());
        prop_assert!(p.validate(&Default::default()).is_ok());
    }

    #[test]
    fn every_valid_status_message_reads_back_as_itself(s in status()) {
        let xml = s.to_xml();
        prop_assert_eq!(StatusMessage::from_xml(xml.as_bytes()), Ok(s), "{}", xml);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..2000)) {
        let _ = Package::from_xml(&bytes);
        let _ = StatusMessage::from_xml(&bytes);
    }

    #[test]
    fn mutated_valid_xml_is_refused_with_a_path_or_still_round_trips(
        p in package(),
        cuts in vec((any::<prop::sample::Index>(), 0usize..4, any::<u8>()), 1..4),
    ) {
        let mut bytes = p.to_xml().into_bytes();
        for (at, op, byte) in cuts {
            // A truncation may have emptied the input; nothing is left to cut.
            if bytes.is_empty() {
                break;
            }
            let i = at.index(bytes.len());
            match op {
                0 => { bytes.remove(i); }
                1 => bytes.insert(i, byte),
                2 => bytes[i] = byte,
                _ => bytes.truncate(i),
            }
        }
        match Package::from_xml(&bytes) {
            Ok(q) => prop_assert_eq!(Package::from_xml(q.to_xml().as_bytes()), Ok(q)),
            Err(e) => {
                prop_assert!(!e.code.as_str().is_empty() && !e.reason.is_empty() && !e.reason_vi.is_empty());
                let whole_input =
                    matches!(e.code, ErrorCode::NotUtf8 | ErrorCode::TooLarge | ErrorCode::DtdRefused | ErrorCode::MalformedXml | ErrorCode::WrongRoot | ErrorCode::WrongNamespace);
                // The path starts at the root: `edXML/edXMLEnvelope/…`, or with the prefix as a
                // cut left it (`edXM/edXMLEnvelope/…`) when the tokenizer's error comes first.
                let at_root = e.path.starts_with("edXML") || e.path.split('/').nth(1) == Some("edXMLEnvelope");
                prop_assert!(whole_input || at_root, "{:?}", e);
            }
        }
    }
}
