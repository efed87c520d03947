//! Signed electronic results (issue 16 item 4; docs/RESULTS.md).
//!
//! Every electronic result is signed, when it is approved, by the key of the unit that resolves
//! the dossier: ECDSA P-256 with SHA-256 over the file's bytes, the signature DER-encoded — a
//! detached signature OpenSSL verifies from the unit's published public key alone:
//!
//! ```text
//! openssl dgst -sha256 -verify <key_id>.pem -signature ket-qua.sig ket-qua.pdf
//! ```
//!
//! A detached signature rather than a PDF signature: it covers any result file (PDF, JPEG, PNG)
//! byte for byte, needs no PDF writer in the server, and anyone checks it with a stock tool. The
//! signature is made by the server in the approval's decision and carried in its event
//! ([`motcua_domain::dossier::ResultSignature`]); the public keys are kept in the database by
//! key id, so a result stays verifiable after its unit's key is replaced.
//!
//! Keys: one PKCS#8 PEM file per unit in the key directory (`<unit>.pem`, e.g. from `openssl
//! genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`); a unit without one gets a new key,
//! written there readable by the server's user only. Signing uses `ring` (already built for TLS
//! and XML-DSig): no new dependency.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use motcua_domain::ErrorCode;
use motcua_domain::dossier::ResultSignature;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1, ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair as _};
use tokio_rustls::rustls::pki_types::PrivatePkcs8KeyDer;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;

use crate::error::{AppResult, Error};

/// The one algorithm results are signed with.
pub const ALGORITHM: &str = "ecdsa-p256-sha256";

/// SubjectPublicKeyInfo DER of an EC P-256 key is this prefix (id-ecPublicKey, prime256v1; RFC
/// 5480 §2) followed by the 65-byte uncompressed point.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
    0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// A unit's signing key.
struct UnitKey {
    pair: EcdsaKeyPair,
    key_id: String,
}

/// A public key as published: its id, unit and PEM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub key_id: String,
    pub unit: String,
    pub pem: String,
}

/// The units' signing keys, from a directory (loaded on first use, created when missing).
pub struct ResultKeys {
    dir: PathBuf,
    loaded: Mutex<HashMap<String, Arc<UnitKey>>>,
    rng: SystemRandom,
}

impl std::fmt::Debug for ResultKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResultKeys").field("dir", &self.dir).finish_non_exhaustive()
    }
}

fn key_error(e: impl std::fmt::Display) -> Error {
    Error::new(
        crate::error::Kind::Unavailable,
        ErrorCode::SigningKeyInvalid,
        format!("the unit's result signing key cannot be used: {e}"),
        format!("không dùng được khóa ký kết quả của đơn vị: {e}"),
    )
}

/// The file name of a unit's key: the unit code where it is plain, its hex otherwise.
fn file_name(unit: &str) -> String {
    if !unit.is_empty() && unit.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) {
        format!("{unit}.pem")
    } else {
        format!("{}.pem", unit.bytes().map(|b| format!("{b:02x}")).collect::<String>())
    }
}

/// PEM (RFC 7468) of `der` under `label`.
fn pem(label: &str, der: &[u8]) -> String {
    let b64 = BASE64.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The SubjectPublicKeyInfo DER of a P-256 public point.
fn spki(point: &[u8]) -> Vec<u8> {
    let mut der = P256_SPKI_PREFIX.to_vec();
    der.extend_from_slice(point);
    der
}

impl ResultKeys {
    /// Keys in `dir` (created when missing).
    pub fn in_dir(dir: impl Into<PathBuf>) -> ResultKeys {
        ResultKeys { dir: dir.into(), loaded: Mutex::new(HashMap::new()), rng: SystemRandom::new() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn key(&self, unit: &str) -> AppResult<Arc<UnitKey>> {
        if let Some(k) = self.loaded.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(unit) {
            return Ok(k.clone());
        }
        let path = self.dir.join(file_name(unit));
        let der = match std::fs::read(&path) {
            Ok(text) => PrivatePkcs8KeyDer::from_pem_slice(&text)
                .map_err(|_| key_error(format!("{}: no unencrypted PKCS#8 PRIVATE KEY", path.display())))?
                .secret_pkcs8_der()
                .to_vec(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let doc =
                    EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &self.rng).map_err(key_error)?;
                write_private(&path, &pem("PRIVATE KEY", doc.as_ref())).map_err(key_error)?;
                tracing::info!(key = %path.display(), "a new result signing key was created for a unit");
                doc.as_ref().to_vec()
            }
            Err(e) => return Err(key_error(format!("{}: {e}", path.display()))),
        };
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &der, &self.rng)
            .map_err(|e| key_error(format!("{}: not an EC P-256 key ({e})", path.display())))?;
        let key_id = motcua_domain::audit::sha256_hex(&[spki(pair.public_key().as_ref()).as_slice()]);
        let key = Arc::new(UnitKey { pair, key_id });
        self.loaded.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(unit.to_owned(), key.clone());
        Ok(key)
    }

    /// The public key `unit` signs with now.
    pub fn public(&self, unit: &str) -> AppResult<PublicKey> {
        let k = self.key(unit)?;
        Ok(PublicKey {
            key_id: k.key_id.clone(),
            unit: unit.to_owned(),
            pem: pem("PUBLIC KEY", &spki(k.pair.public_key().as_ref())),
        })
    }

    /// Signs `bytes` (a result's file) with `unit`'s key.
    pub fn sign(&self, unit: &str, bytes: &[u8]) -> AppResult<ResultSignature> {
        let k = self.key(unit)?;
        let sig = k.pair.sign(&self.rng, bytes).map_err(key_error)?;
        Ok(ResultSignature {
            algorithm: ALGORITHM.to_owned(),
            key_id: k.key_id.clone(),
            unit: unit.to_owned(),
            sha256: motcua_domain::audit::sha256_hex(&[bytes]),
            value: BASE64.encode(sig.as_ref()),
        })
    }
}

/// Writes a private key readable by the server's user only (created new: never overwrites).
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.mode(0o600);
    }
    let mut f = o.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

/// Whether `sig` is a valid signature over `bytes` by the key published as `public_pem`.
pub fn verify(sig: &ResultSignature, public_pem: &str, bytes: &[u8]) -> bool {
    let Some(point) = public_point(public_pem) else { return false };
    let Ok(value) = BASE64.decode(sig.value.as_bytes()) else { return false };
    sig.algorithm == ALGORITHM
        && ring::signature::UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, point).verify(bytes, &value).is_ok()
}

/// The P-256 point of a published `PUBLIC KEY` PEM.
fn public_point(public_pem: &str) -> Option<Vec<u8>> {
    let body: String = public_pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = BASE64.decode(body.trim()).ok()?;
    der.strip_prefix(&P256_SPKI_PREFIX[..]).filter(|p| p.len() == 65).map(<[u8]>::to_vec)
}

/// Signs a result's `bytes` with `unit`'s key and keeps the key's public half in the database
/// (so the result stays verifiable after the key is replaced).
pub async fn sign(state: &crate::Application, unit: &str, bytes: &[u8]) -> AppResult<ResultSignature> {
    let sig = state.result_keys.sign(unit, bytes)?;
    let public = state.result_keys.public(unit)?;
    state.store.put_result_key(&public.key_id, unit, &public.pem, state.now()).await?;
    Ok(sig)
}

/// What anyone may learn of an issued result from its file or its hash: nothing beyond what the
/// result itself states (no applicant, no dossier code).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Verification {
    /// `valid` (the unit's signature over these bytes checks out), `revoked` (the issuing unit
    /// withdrew it: see `revoked_at` and `revocation_reason`), `unsigned` (issued before results
    /// were signed: the file is the one stored, nothing more is proven) or `invalid` (the
    /// signature does not verify: the stored file or its record was altered).
    pub status: String,
    /// When and why the issuing unit revoked it, UTC (RFC 3339).
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>)]
    pub revoked_at: Option<time::OffsetDateTime>,
    pub revocation_reason: Option<String>,
    /// SHA-256 (hex) of the result's file.
    pub sha256: String,
    /// The issuing unit (code) and its name.
    pub unit: String,
    pub unit_name: String,
    pub procedure_code: String,
    pub procedure_name: String,
    /// When it was approved, UTC (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String)]
    pub issued_at: time::OffsetDateTime,
    /// The signature as issued (none for results issued before they were signed).
    pub signature: Option<SignatureView>,
    pub content_type: String,
    pub size: i64,
}

/// A result's signature as published.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct SignatureView {
    /// `ecdsa-p256-sha256`.
    pub algorithm: String,
    /// The signing key's id: its public key is at `/xac-thuc/khoa/{key_id}.pem` and
    /// `GET /api/v1/result-keys/{key_id}`.
    pub key_id: String,
    /// The detached signature, base64 of its DER (as `openssl dgst -verify` reads it once
    /// decoded).
    pub value: String,
    /// Whether it verifies over the file checked with that key.
    pub valid: bool,
}

/// The issued result whose file has the SHA-256 `sha256`: its dossier and file (no bytes read).
async fn issued(
    state: &crate::Application,
    sha256: &str,
) -> AppResult<Option<(motcua_domain::dossier::Dossier, motcua_store::web::FileMeta)>> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::bad_request(
            ErrorCode::InvalidHash,
            "a result is looked up by the SHA-256 of its file: 64 hexadecimal digits",
            "kết quả được tra theo mã SHA-256 của tệp: 64 chữ số thập lục phân",
        ));
    }
    for file in state.store.results_with_hash(sha256).await? {
        let Some(code) = file.dossier_code.as_deref() else { continue };
        let (d, _) = match state.store.dossier(code).await {
            Ok(d) => d,
            Err(motcua_store::StoreError::NotFound) => continue,
            Err(e) => return Err(e.into()),
        };
        // A file replaced by a later approval's is not the dossier's result.
        if d.result.as_ref().and_then(|r| r.file.as_deref()) == Some(file.id.as_str()) {
            return Ok(Some((d, file)));
        }
    }
    Ok(None)
}

/// The result whose file has the SHA-256 `sha256`, checked; `None` when no result has it.
/// `bytes` are the file to check (an upload); without them, the stored file is checked.
pub async fn verify_hash(
    state: &crate::Application,
    sha256: &str,
    bytes: Option<&[u8]>,
) -> AppResult<Option<Verification>> {
    let sha256 = sha256.trim().to_ascii_lowercase();
    let Some((d, file)) = issued(state, &sha256).await? else { return Ok(None) };
    let Some(result) = d.result.as_ref() else { return Ok(None) };
    let valid = match &result.signature {
        None => None,
        Some(sig) => Some(match state.store.result_key(&sig.key_id).await? {
            Some((_, pem)) if sig.sha256 == sha256 => match bytes {
                Some(b) => verify(sig, &pem, b),
                None => match state.store.file(&file.id).await? {
                    Some((_, stored)) => verify(sig, &pem, &stored),
                    None => false,
                },
            },
            _ => false,
        }),
    };
    let status = match (valid, &result.revoked) {
        (Some(false), _) => "invalid",
        (_, Some(_)) => "revoked",
        (None, None) => "unsigned",
        (Some(true), None) => "valid",
    };
    let unit = result.signature.as_ref().map_or(d.resolving_unit.to_string(), |s| s.unit.clone());
    let unit_name = match state.store.unit(&unit).await {
        Ok(u) => u.name,
        Err(motcua_store::StoreError::NotFound) => String::new(),
        Err(e) => return Err(e.into()),
    };
    Ok(Some(Verification {
        status: status.to_owned(),
        revoked_at: result.revoked.as_ref().map(|r| r.at),
        revocation_reason: result.revoked.as_ref().map(|r| r.reason.clone()),
        sha256,
        unit,
        unit_name,
        procedure_code: d.procedure_code.to_string(),
        procedure_name: d.procedure_name.clone(),
        issued_at: result.provenance.as_ref().map(|p| p.at).or(d.finished_at).unwrap_or(d.submitted_at),
        signature: result.signature.as_ref().map(|sig| SignatureView {
            algorithm: sig.algorithm.clone(),
            key_id: sig.key_id.clone(),
            value: sig.value.clone(),
            valid: valid == Some(true),
        }),
        content_type: file.content_type,
        size: file.size,
    }))
}

/// An uploaded file checked against the results issued: the result it is, if any.
pub async fn verify_file(state: &crate::Application, bytes: &[u8]) -> AppResult<Option<Verification>> {
    verify_hash(state, &motcua_domain::audit::sha256_hex(&[bytes]), Some(bytes)).await
}

/// The detached signature (DER) of the result whose file has the SHA-256 `sha256`.
pub async fn signature_der(state: &crate::Application, sha256: &str) -> AppResult<Vec<u8>> {
    let (d, _) = issued(state, &sha256.trim().to_ascii_lowercase())
        .await?
        .ok_or_else(|| Error::not_found("result", "kết quả"))?;
    let sig = d
        .result
        .and_then(|r| r.signature)
        .ok_or_else(|| Error::not_found("signature of this result", "chữ ký của kết quả này"))?;
    BASE64.decode(sig.value.as_bytes()).map_err(|_| Error::internal())
}

/// A published public key by id: (unit, PEM).
pub async fn public_key(state: &crate::Application, key_id: &str) -> AppResult<(String, String)> {
    state.store.result_key(key_id).await?.ok_or_else(|| Error::not_found("signing key", "khóa ký"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_signed_by_a_units_key_verifies_and_a_changed_byte_does_not() {
        let dir = std::env::temp_dir().join(format!("motcua-keys-{}", crate::auth::new_secret()));
        let keys = ResultKeys::in_dir(&dir);
        let file = b"%PDF-1.4 ket qua".to_vec();
        let sig = keys.sign("H01.004", &file).unwrap();
        let public = keys.public("H01.004").unwrap();
        assert_eq!((sig.key_id.as_str(), sig.sha256.len()), (public.key_id.as_str(), 64));
        assert!(verify(&sig, &public.pem, &file));
        let mut changed = file.clone();
        changed[3] ^= 1;
        assert!(!verify(&sig, &public.pem, &changed));
        // Another unit has another key; the key survives a restart.
        assert_ne!(keys.public("H01.005").unwrap().key_id, public.key_id);
        let again = ResultKeys::in_dir(&dir);
        assert_eq!(again.public("H01.004").unwrap(), public);
        assert!(dir.join("H01.004.pem").exists() && dir.join(file_name("../x")).starts_with(&dir));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
