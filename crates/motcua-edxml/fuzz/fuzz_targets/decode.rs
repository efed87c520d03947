//! Fuzz target: decoding never panics, and whatever decodes re-encodes to XML that decodes to
//! the same value (the canonical form is a fixed point). Signature verification never panics
//! either, on any input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use motcua_edxml::{Limits, Package, StatusMessage, verify};

fuzz_target!(|data: &[u8]| {
    let _ = verify(data, &Limits::default());
    if let Ok(p) = Package::from_xml(data) {
        let xml = p.to_xml();
        let back = Package::from_xml(xml.as_bytes()).expect("canonical package XML decodes");
        assert_eq!(back, p);
        assert_eq!(back.to_xml(), xml);
    }
    if let Ok(s) = StatusMessage::from_xml(data) {
        let xml = s.to_xml();
        let back = StatusMessage::from_xml(xml.as_bytes()).expect("canonical status XML decodes");
        assert_eq!(back, s);
    }
});
