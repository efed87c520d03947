//! Just enough DER (ITU-T X.690) to read an X.509 certificate (RFC 5280 §4.1): its
//! SubjectPublicKeyInfo (RSA per RFC 8017 A.1.1, EC P-256 per RFC 5480) and its
//! subject name, for the `X509Certificate` of XML-DSig 1.1 §4.5.4. No chain or validity checks:
//! the caller trusts a signer by the certificate's SHA-256 fingerprint.
//!
//! Every read is bounds-checked and returns `None` on bad input; nothing here panics.

const TAG_INTEGER: u8 = 0x02;
const TAG_BIT_STRING: u8 = 0x03;
const TAG_OID: u8 = 0x06;
const TAG_SEQUENCE: u8 = 0x30;
const TAG_SET: u8 = 0x31;
const TAG_VERSION: u8 = 0xA0;

const OID_RSA_ENCRYPTION: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
const OID_CN: &[u8] = &[0x55, 0x04, 0x03];

/// A DER reader over a byte slice.
pub(crate) struct Der<'a> {
    data: &'a [u8],
}

impl<'a> Der<'a> {
    pub fn new(data: &'a [u8]) -> Der<'a> {
        Der { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The next TLV: its (single-byte) tag and content. Refuses high tag numbers, indefinite
    /// lengths and lengths past the end.
    pub fn read(&mut self) -> Option<(u8, &'a [u8])> {
        let (&tag, rest) = self.data.split_first()?;
        if tag & 0x1F == 0x1F {
            return None;
        }
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7F);
            if n == 0 || n > 4 {
                return None;
            }
            let (bytes, after) = rest.split_at_checked(n)?;
            rest = after;
            bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
        };
        let (content, after) = rest.split_at_checked(len)?;
        self.data = after;
        Some((tag, content))
    }

    /// The next TLV, which must have tag `tag`.
    pub fn take(&mut self, tag: u8) -> Option<&'a [u8]> {
        match self.read()? {
            (t, content) if t == tag => Some(content),
            _ => None,
        }
    }

    /// The tag of the next TLV.
    pub fn peek(&self) -> Option<u8> {
        self.data.first().copied()
    }
}

/// The subject public key of a certificate, in the form `ring` verifies with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PublicKey {
    /// DER `RSAPublicKey` (RFC 8017 A.1.1).
    Rsa(Vec<u8>),
    /// Uncompressed P-256 point (SEC 1 §2.3.3).
    EcP256(Vec<u8>),
    /// Another algorithm (dotted OID), or another curve.
    Other(String),
}

/// What Motcua reads from a certificate.
#[derive(Debug, Clone)]
pub(crate) struct Certificate {
    pub key: PublicKey,
    /// The subject's CN, or the whole DN when it has none.
    pub subject: String,
}

/// Parses a DER X.509 certificate (RFC 5280 §4.1) far enough for its key and subject.
pub(crate) fn parse_certificate(der: &[u8]) -> Option<Certificate> {
    let mut outer = Der::new(der);
    let cert = outer.take(TAG_SEQUENCE)?;
    if !outer.is_empty() {
        return None;
    }
    let mut cert = Der::new(cert);
    let mut tbs = Der::new(cert.take(TAG_SEQUENCE)?);
    if tbs.peek() == Some(TAG_VERSION) {
        tbs.read()?;
    }
    tbs.take(TAG_INTEGER)?; // serialNumber
    tbs.take(TAG_SEQUENCE)?; // signature
    tbs.take(TAG_SEQUENCE)?; // issuer
    tbs.take(TAG_SEQUENCE)?; // validity
    let subject = tbs.take(TAG_SEQUENCE)?;
    let spki = tbs.take(TAG_SEQUENCE)?;
    Some(Certificate { key: parse_spki(spki)?, subject: name_to_string(subject)? })
}

/// SubjectPublicKeyInfo content (RFC 5280 §4.1.2.7).
fn parse_spki(spki: &[u8]) -> Option<PublicKey> {
    let mut spki = Der::new(spki);
    let mut alg = Der::new(spki.take(TAG_SEQUENCE)?);
    let bits = spki.take(TAG_BIT_STRING)?;
    let (&unused, key) = bits.split_first()?;
    if unused != 0 {
        return None;
    }
    let oid = alg.take(TAG_OID)?;
    if oid == OID_RSA_ENCRYPTION {
        Some(PublicKey::Rsa(key.to_vec()))
    } else if oid == OID_EC_PUBLIC_KEY {
        match alg.read() {
            Some((TAG_OID, curve)) if curve == OID_P256 => Some(PublicKey::EcP256(key.to_vec())),
            Some((TAG_OID, curve)) => Some(PublicKey::Other(format!("EC curve {}", oid_to_string(curve)))),
            _ => Some(PublicKey::Other("EC with explicit parameters".into())),
        }
    } else {
        Some(PublicKey::Other(oid_to_string(oid)))
    }
}

/// Dotted form of an OID's content bytes.
fn oid_to_string(oid: &[u8]) -> String {
    let mut parts: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    for &b in oid {
        value = value.saturating_mul(128).saturating_add(u64::from(b & 0x7F));
        if b & 0x80 == 0 {
            if parts.is_empty() {
                let first = (value / 40).min(2);
                parts.push(first);
                parts.push(value - first * 40);
            } else {
                parts.push(value);
            }
            value = 0;
        }
    }
    parts.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
}

fn short_name(oid: &[u8]) -> Option<&'static str> {
    Some(match oid {
        [0x55, 0x04, 0x03] => "CN",
        [0x55, 0x04, 0x05] => "SERIALNUMBER",
        [0x55, 0x04, 0x06] => "C",
        [0x55, 0x04, 0x07] => "L",
        [0x55, 0x04, 0x08] => "ST",
        [0x55, 0x04, 0x0A] => "O",
        [0x55, 0x04, 0x0B] => "OU",
        [0x55, 0x04, 0x0C] => "T",
        [0x09, 0x92, 0x26, 0x89, 0x93, 0xF2, 0x2C, 0x64, 0x01, 0x01] => "UID",
        [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x01] => "emailAddress",
        _ => return None,
    })
}

/// A directory string (UTF8String, PrintableString, IA5String, T61String read as Latin-1,
/// BMPString, UniversalString) as text; other types as hex.
fn directory_string(tag: u8, value: &[u8]) -> String {
    match tag {
        0x0C | 0x13 | 0x16 | 0x12 | 0x1A => String::from_utf8_lossy(value).into_owned(),
        0x14 => value.iter().map(|&b| char::from(b)).collect(),
        0x1E => {
            let units: Vec<u16> = value.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            String::from_utf16_lossy(&units)
        }
        0x1C => value
            .chunks_exact(4)
            .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])).unwrap_or('\u{FFFD}'))
            .collect(),
        _ => format!("#{}", crate::hex::hex(value)),
    }
}

/// The CN of a Name (RFC 5280 §4.1.2.4), or the whole DN as `C=VN, O=…` when there is no CN.
fn name_to_string(name: &[u8]) -> Option<String> {
    let mut rdns = Der::new(name);
    let mut parts: Vec<String> = Vec::new();
    let mut cn: Option<String> = None;
    while !rdns.is_empty() {
        let mut set = Der::new(rdns.take(TAG_SET)?);
        while !set.is_empty() {
            let mut atv = Der::new(set.take(TAG_SEQUENCE)?);
            let oid = atv.take(TAG_OID)?;
            let (tag, value) = atv.read()?;
            let value = directory_string(tag, value);
            if oid == OID_CN && cn.is_none() {
                cn = Some(value.clone());
            }
            let key = short_name(oid).map(str::to_string).unwrap_or_else(|| oid_to_string(oid));
            parts.push(format!("{key}={value}"));
        }
    }
    Some(cn.unwrap_or_else(|| parts.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_tags() {
        let mut d = Der::new(&[0x02, 0x01, 0x05, 0x04, 0x81, 0x02, 0xAA, 0xBB]);
        assert_eq!(d.read(), Some((0x02, &[0x05][..])));
        assert_eq!(d.read(), Some((0x04, &[0xAA, 0xBB][..])));
        assert!(d.is_empty());
        assert_eq!(Der::new(&[0x04, 0x80, 0x00, 0x00]).read(), None, "indefinite length");
        assert_eq!(Der::new(&[0x04, 0x05, 0x00]).read(), None, "length past the end");
        assert_eq!(Der::new(&[0x1F, 0x01, 0x00]).read(), None, "high tag number");
        assert_eq!(Der::new(&[0x04, 0x85, 1, 1, 1, 1, 1]).read(), None, "length of 5 bytes");
        assert_eq!(Der::new(&[0x04, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]).read(), None);
    }

    #[test]
    fn oids_print_dotted() {
        assert_eq!(oid_to_string(OID_RSA_ENCRYPTION), "1.2.840.113549.1.1.1");
        assert_eq!(oid_to_string(OID_P256), "1.2.840.10045.3.1.7");
    }

    #[test]
    fn names_give_the_cn_or_the_dn() {
        // SET { SEQ { OID C, PrintableString "VN" } }, SET { SEQ { OID CN, UTF8String "Tên" } }
        let c = [0x31, 0x0B, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, b'V', b'N'];
        let mut with_cn = c.to_vec();
        let cn = "Tên".as_bytes();
        let len = u8::try_from(cn.len()).unwrap();
        with_cn.extend_from_slice(&[0x31, 9 + len, 0x30, 7 + len, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0C, len]);
        with_cn.extend_from_slice(cn);
        assert_eq!(name_to_string(&with_cn).as_deref(), Some("Tên"));
        assert_eq!(name_to_string(&c).as_deref(), Some("C=VN"));
        assert_eq!(name_to_string(&[0x31, 0x05, 0x30]), None);
    }

    #[test]
    fn garbage_never_panics() {
        for n in 0..200u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37).wrapping_add(n)).collect();
            let _ = parse_certificate(&bytes);
            let mut with_seq = vec![0x30, n];
            with_seq.extend_from_slice(&bytes);
            let _ = parse_certificate(&with_seq);
        }
    }
}
