//! XML digital signatures on the exchange (docs/EXCHANGE.md "Signatures", docs/EDXML.md
//! "Digital signature"): a signed incoming package is verified (`motcua_edxml::dsig::verify`);
//! an invalid signature refuses the package with the element path; a valid one is recorded with
//! its signer, trusted when the certificate's SHA-256 is in `edxml_trusted_signers`
//! (`motcua peer trust`). Outgoing packages are signed when the system has a signing key
//! (`MOTCUA_EDXML_KEY` / `MOTCUA_EDXML_CERT`, read by `motcua serve`).

use motcua_edxml::dsig::SigningKey;
use motcua_edxml::{EdxmlError, Limits};
use motcua_store::Store;

/// A verified signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// SHA-256 of the signer's certificate (DER), lowercase hex.
    pub fingerprint: String,
    /// The certificate's subject, readable.
    pub subject: String,
    /// The certificate is one this system trusts.
    pub trusted: bool,
}

impl Verified {
    /// As stored with the package: "<fingerprint> <subject>".
    pub fn label(&self) -> String {
        format!("{} {}", self.fingerprint, self.subject)
    }
}

/// Verifies the signature of `body`, if any (`Ok(None)` for an unsigned package).
pub async fn check(store: &Store, body: &[u8]) -> Result<Option<Verified>, EdxmlError> {
    let Some(signer) = motcua_edxml::dsig::verify(body, &Limits::default())? else { return Ok(None) };
    let trusted = match store.trusted_signer(&signer.fingerprint_sha256).await {
        Ok(t) => t.is_some(),
        Err(e) => {
            tracing::error!(error = %e, "reading the trusted signers");
            false
        }
    };
    Ok(Some(Verified { fingerprint: signer.fingerprint_sha256, subject: signer.subject, trusted }))
}

/// Signs `xml` with this system's key when it has one.
pub fn sign_outgoing(key: Option<&SigningKey>, xml: String) -> Result<String, EdxmlError> {
    match key {
        Some(k) => motcua_edxml::dsig::sign(&xml, k),
        None => Ok(xml),
    }
}

/// The SHA-256 fingerprint (lowercase hex of the DER) of the first certificate in `pem`, as
/// [`Verified::fingerprint`] shows it; `None` when `pem` holds no readable certificate.
pub fn certificate_fingerprint(pem: &str) -> Option<String> {
    use base64::Engine;
    let body: String = pem
        .lines()
        .map(str::trim)
        .skip_while(|l| *l != "-----BEGIN CERTIFICATE-----")
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD.decode(body).ok()?;
    (!der.is_empty()).then(|| motcua_domain::audit::sha256_hex(&[&der]))
}

/// This system's signing key from the PEM files named by `MOTCUA_EDXML_KEY` (PKCS#8 private
/// key) and `MOTCUA_EDXML_CERT` (its certificate); `Ok(None)` when neither is set.
pub fn key_from_env() -> Result<Option<SigningKey>, String> {
    let key = std::env::var("MOTCUA_EDXML_KEY").ok().filter(|s| !s.is_empty());
    let cert = std::env::var("MOTCUA_EDXML_CERT").ok().filter(|s| !s.is_empty());
    match (key, cert) {
        (None, None) => Ok(None),
        (Some(k), Some(c)) => {
            let read = |p: &str| std::fs::read_to_string(p).map_err(|e| format!("reading {p}: {e}"));
            SigningKey::from_pem(&read(&k)?, &read(&c)?).map(Some).map_err(|e| format!("{}: {}", e.code, e.reason))
        }
        _ => Err("MOTCUA_EDXML_KEY and MOTCUA_EDXML_CERT go together (the key and its certificate)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_fingerprint_is_the_sha256_of_its_der() {
        let pem = "-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n";
        assert_eq!(
            certificate_fingerprint(pem).as_deref(),
            Some("ae4b3280e56e2faf83f414a6e3dabe9d5fbe18976544c05fed121accb85b53fc")
        );
        assert_eq!(certificate_fingerprint("no certificate"), None);
    }
}
